/* The process table and the exec protocol (exec/proto.h): each process has
 * a port here, which is its task's bootstrap port; through it the process
 * gets its start-up ports, spawns and waits for children, exits, halts.
 *
 * One thread serves every port (server_run with one thread), so a handler
 * never sees a process freed under it: processes end and are freed only on
 * that thread, which therefore never calls a port a client gave it.
 * Loading a program reads a file through a port the caller chose, which
 * may never answer, so spawns are loaded by worker threads instead, which
 * only add to the table; LOCK guards the table against them.  Each call to
 * that port has a time-out (LOAD_TIMEOUT_MS), and a loader takes a spawn
 * only of a parent that has none loading, so a program port that stalls
 * holds up its own parent's spawns and nobody else's. */
#include "exec.h"
#include "chain/chain.h"
#include "mach/mach.h"
#include "mach/rpc_util.h"
#include "posix/posix.h"
#include "rt/lock.h"
#include "rt/rt.h"
#include "rt/thread.h"

#define LOADERS 4             /* spawns loading at once, each of another parent */
#define LOAD_TIMEOUT_MS 10000 /* for each call to a program port */

/* A PROC_WAIT answered later: the caller's reply right. */
struct waiter {
	struct waiter *next;
	int pid;                  /* the child waited for, 0: any */
	mach_port_t reply;
	unsigned reply_type;
};

struct proc {
	struct proc *next;
	int pid, ppid;            /* ppid 0: nobody's child (init, orphans) */
	char name[64];
	int running;
	int status, how;          /* once ended */
	mach_port_t task;         /* held until task_died drops it */
	struct port_info *port;   /* the process port; NULL once ended */
	mach_port_t ports[PROC_NPORTS];   /* one send right each (or null) */
	struct proc_info info;
	struct waiter *waiters;
};

static mutex_t lock;
static cond_t queued;
static struct proc *procs;
static int last_pid;
static struct spawn *queue;
static int loading[LOADERS];  /* the parent each loader is loading for, or -1 */
static struct server *srv;
static struct port_info *exc_port;
static mach_port_t chain_up;
static int term_pid;              /* the terminal server (0: none) */
static mach_port_t term_recv;     /* its port's receive right, until it takes it */

static struct proc *find(int pid)
{
	for (struct proc *p = procs; p; p = p->next)
		if (p->pid == pid)
			return p;
	return NULL;
}

static void unlink_free(struct proc *p)
{
	for (struct proc **pp = &procs; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	free(p);
}

static void put(mach_port_t port)
{
	if (MACH_PORT_VALID(port))
		mach_port_deallocate(mach_task_self(), port);
}

/* Sends M (SIZE bytes, its fields filled in) as the answer to request ID
 * that came with REPLY, after the handler has returned; the server library
 * gives back REPLY if the caller is gone. */
static void send_reply(mig_reply_header_t *m, mach_msg_size_t size, mach_port_t reply,
                       unsigned reply_type, mach_msg_id_t id, kern_return_t ret)
{
	server_reply_head(m, size, reply, reply_type, id, ret);
	server_send_reply(&m->head);
}

/* Answers W with the end of child C and forgets C. */
static void answer_wait(struct waiter *w, struct proc *c)
{
	proc_wait_reply_t m;
	m.pid = w_int(c->pid);
	m.status = w_int(c->status);
	m.how = w_int(c->how);
	send_reply(&m.h, sizeof m, w->reply, w->reply_type, ID_PROC_WAIT, KERN_SUCCESS);
	unlink_free(c);
}

static int has_child(const struct proc *parent, int pid)
{
	for (struct proc *c = procs; c; c = c->next)
		if (c->ppid == parent->pid && (pid == 0 || c->pid == pid))
			return 1;
	return 0;
}

/* Answers ECHILD to the waits of PARENT that no child is left to answer
 * (another wait took the child they wait for). */
static void drop_hopeless_waits(struct proc *parent)
{
	for (struct waiter **wp = &parent->waiters; *wp; ) {
		struct waiter *w = *wp;
		if (has_child(parent, w->pid)) {
			wp = &w->next;
			continue;
		}
		*wp = w->next;
		mig_reply_header_t m;
		send_reply(&m, sizeof m, w->reply, w->reply_type, ID_PROC_WAIT, -FS_ECHILD);
		free(w);
	}
}

/* Records the end of P: its task goes, its port and rights are given back,
 * its parent learns of it (now, if it waits), and its children become
 * nobody's.  P is freed unless its parent may still wait for it. */
static void end(struct proc *p, int status, int how)
{
	p->running = 0;
	p->status = status;
	p->how = how;
	if (p->task != MACH_PORT_NULL)
		task_terminate(p->task);
	server_remove_port(srv, p->port, NULL);
	p->port = NULL;
	for (int i = 0; i < PROC_NPORTS; i++)
		put(p->ports[i]);
	while (p->waiters) {
		struct waiter *w = p->waiters;
		p->waiters = w->next;
		put(w->reply);
		free(w);
	}
	for (struct proc **pp = &procs; *pp; ) {
		struct proc *c = *pp;
		if (c->ppid == p->pid) {
			c->ppid = 0;
			if (!c->running) {
				*pp = c->next;
				free(c);
				continue;
			}
		}
		pp = &c->next;
	}
	if (p->pid == 1) {
		/* nothing can start anything any more */
		if (how == PROC_EXITED)
			say("init (%s, pid 1) exited with status %d; halting", p->name, status);
		else
			say("init (%s, pid 1) was killed; halting", p->name);
		kern_return_t r = chain_halt(chain_up);
		if (r)
			say("halting through the file system: %s", mach_error_name(r));
	}
	struct proc *parent = p->ppid ? find(p->ppid) : NULL;
	if (!parent) {
		unlink_free(p);
		return;
	}
	for (struct waiter **wp = &parent->waiters; *wp; wp = &(*wp)->next)
		if ((*wp)->pid == 0 || (*wp)->pid == p->pid) {
			struct waiter *w = *wp;
			*wp = w->next;
			answer_wait(w, p);
			free(w);
			drop_hopeless_waits(parent);
			return;
		}
}

/* The kernel's word that the task NAME of process PID is gone. */
static void task_died(mach_port_t name, void *arg)
{
	int pid = (int)(uintptr_t)arg;
	mutex_lock(&lock);
	struct proc *p = find(pid);
	if (p && p->task == name) {
		p->task = MACH_PORT_NULL;
		if (p->running) {
			say("%s (pid %d) ended without exiting", p->name, pid);
			end(p, 0, PROC_KILLED);
		}
	}
	mutex_unlock(&lock);
	put(name);
}

/* The caller of a wait of process PID destroyed its reply port: the kernel
 * turned our right into the dead name NAME.  Forget the wait. */
static void waiter_gone(mach_port_t name, void *arg)
{
	int pid = (int)(uintptr_t)arg;
	mutex_lock(&lock);
	struct proc *p = find(pid);
	struct waiter *w = NULL;
	for (struct waiter **wp = p ? &p->waiters : NULL; wp && *wp; wp = &(*wp)->next)
		if ((*wp)->reply == name) {
			w = *wp;
			*wp = w->next;
			break;
		}
	mutex_unlock(&lock);
	if (w) {
		put(name);
		free(w);
	}
}

/* --- the exec protocol, on a process's port -------------------------------- */

static kern_return_t serve_proc_startup(struct request *rq, const struct proc_startup_in *in)
{
	(void)in;
	struct proc *p = rq->port->obj;
	proc_startup_reply_t *rep = (proc_startup_reply_t *)rq->out;
	mutex_lock(&lock);
	for (int i = 0; i < PROC_NPORTS; i++)
		rep->port[i] = w_port(p->ports[i], MACH_MSG_TYPE_COPY_SEND);
	rep->info_type = MSGT_INLINE(MACH_MSG_TYPE_INTEGER_32, 32, PROC_INFO_WORDS);
	rep->info = p->info;
	mutex_unlock(&lock);
	rq->reply_size = sizeof *rep;
	rq->reply_complex = 1;
	return KERN_SUCCESS;
}

static kern_return_t serve_proc_exit(struct request *rq, const struct proc_exit_in *in)
{
	struct proc *p = rq->port->obj;
	mutex_lock(&lock);
	if (p->running)
		end(p, (int)in->status, PROC_EXITED);
	mutex_unlock(&lock);
	return KERN_SUCCESS;
}

/* Whether PGRP may be given to a child of P: P's own group or one of its
 * children's, ended but not yet waited for too (the shell puts a
 * pipeline's processes in the first one's group, which may be done). */
static int pgrp_ok(const struct proc *p, uint32_t pgrp)
{
	if (pgrp == 0 || pgrp == PROC_PGRP_NEW || pgrp == p->info.pgrp)
		return 1;
	for (struct proc *c = procs; c; c = c->next)
		if (c->ppid == p->pid && c->info.pgrp == pgrp)
			return 1;
	return 0;
}

/* Whether ARGS (LEN bytes) is exactly N NUL-terminated strings. */
static int strings_ok(const char *args, size_t len, uint64_t n)
{
	uint64_t nuls = 0;
	for (size_t i = 0; i < len; i++)
		nuls += args[i] == 0;
	return len > 0 && args[len - 1] == 0 && nuls == n;
}

static kern_return_t serve_proc_spawn(struct request *rq, const struct proc_spawn_in *in)
{
	struct proc *p = rq->port->obj;
	const struct proc_info *info = in->info;
	const char *args = in->args.data;
	size_t len = in->args.count;
	if (info->argc == 0 || !strings_ok(args, len, (uint64_t)info->argc + info->envc))
		return -FS_EINVAL;
	for (int i = 0; i < PROC_NFD; i++)
		if (info->fd_kind[i] > PROC_FD_PIPE)
			return -FS_EINVAL;
	mutex_lock(&lock);
	int group_ok = pgrp_ok(p, info->pgrp);
	mutex_unlock(&lock);
	if (!group_ok)
		return -FS_EPERM;
	struct spawn *sp = calloc(1, sizeof *sp);
	char *copy = malloc(len);
	if (!sp || !copy) {
		free(sp);
		free(copy);
		return -FS_ENOMEM;
	}
	memcpy(copy, args, len);
	const char *slash = strrchr(args, '/');
	strlcpy(sp->name, slash && slash[1] ? slash + 1 : args, sizeof sp->name);
	sp->program = in->program;
	for (int i = 0; i < PROC_NPORTS; i++)
		sp->ports[i] = in->port[i].v;
	sp->info = *info;
	sp->args = copy;
	sp->len = len;
	sp->ppid = p->pid;
	sp->reply = rq->in->msgh_remote_port;
	sp->reply_type = MACH_MSGH_BITS_REMOTE(rq->in->msgh_bits);
	mutex_lock(&lock);
	struct spawn **end = &queue;
	while (*end)
		end = &(*end)->next;
	*end = sp;
	cond_broadcast(&queued);
	mutex_unlock(&lock);
	return SERVER_NO_REPLY;     /* a loader answers; the request's rights are the spawn's */
}

static kern_return_t serve_proc_wait(struct request *rq, const struct proc_wait_in *in)
{
	struct proc *p = rq->port->obj;
	int pid = (int)in->pid;
	proc_wait_reply_t *rep = (proc_wait_reply_t *)rq->out;
	if (pid < 0)
		return -FS_EINVAL;
	mutex_lock(&lock);
	struct proc *child = NULL;
	for (struct proc *c = procs; c; c = c->next)
		if (c->ppid == p->pid && (pid == 0 || c->pid == pid)) {
			child = c;
			if (!c->running)
				break;
		}
	kern_return_t r = SERVER_NO_REPLY;
	if (!child) {
		r = -FS_ECHILD;
	} else if (!child->running) {
		rep->pid = w_int(child->pid);
		rep->status = w_int(child->status);
		rep->how = w_int(child->how);
		rq->reply_size = sizeof *rep;
		unlink_free(child);
		r = KERN_SUCCESS;
	} else {
		struct waiter *w = calloc(1, sizeof *w), **wp = &p->waiters;
		if (!w) {
			r = -FS_ENOMEM;
		} else {
			*w = (struct waiter){ NULL, pid, rq->in->msgh_remote_port,
			                      MACH_MSGH_BITS_REMOTE(rq->in->msgh_bits) };
			while (*wp)
				wp = &(*wp)->next;
			*wp = w;            /* answered in end(), when a child ends */
			/* or forgotten when the caller gives up (its reply port dies);
			 * a send right for a reply (rare) may share its name with
			 * other waits, so only a send-once right is watched */
			if (w->reply_type == MACH_MSG_TYPE_PORT_SEND_ONCE
			    && server_watch_dead_name(srv, w->reply, waiter_gone, (void *)(uintptr_t)p->pid))
				say("%s (pid %d) waits, but I cannot watch its reply port", p->name, p->pid);
		}
	}
	mutex_unlock(&lock);
	return r;
}

static kern_return_t serve_proc_term_open(struct request *rq, const struct proc_term_open_in *in)
{
	(void)in;
	struct proc *p = rq->port->obj;
	proc_term_open_reply_t *rep = (proc_term_open_reply_t *)rq->out;
	if (p->pid != term_pid || term_recv == MACH_PORT_NULL)
		return -FS_EPERM;
	rep->term = w_port(term_recv, MACH_MSG_TYPE_MOVE_RECEIVE);
	term_recv = MACH_PORT_NULL;
	rq->reply_size = sizeof *rep;
	rq->reply_complex = 1;
	return KERN_SUCCESS;
}

/* The terminal's ^C: every process of the group ends as if killed; the
 * parent's wait says PROC_INTERRUPTED. init and the terminal never do. */
static kern_return_t serve_proc_interrupt(struct request *rq, const struct proc_interrupt_in *in)
{
	struct proc *p = rq->port->obj;
	uint32_t pgrp = in->pgrp;
	if (p->pid != term_pid)
		return -FS_EPERM;
	mutex_lock(&lock);
	for (struct proc *q = procs; q; ) {
		if (q->running && q->info.pgrp == pgrp && q->pid != 1 && q->pid != term_pid) {
			end(q, PROC_SIGINT, PROC_INTERRUPTED);
			q = procs;          /* end may have freed entries: start over */
			continue;
		}
		q = q->next;
	}
	mutex_unlock(&lock);
	rq->reply_size = sizeof(mig_reply_header_t);
	return KERN_SUCCESS;
}

/* Any process may make pipes; each end is a port of the pipe thread. */
static kern_return_t serve_proc_pipe(struct request *rq, const struct proc_pipe_in *in)
{
	(void)in;
	proc_pipe_reply_t *rep = (proc_pipe_reply_t *)rq->out;
	mach_port_t rd, wr;
	int e = pipe_create(&rd, &wr);
	if (e)
		return e;
	rep->read_end = w_port(rd, MACH_MSG_TYPE_MAKE_SEND);
	rep->write_end = w_port(wr, MACH_MSG_TYPE_MAKE_SEND);
	rq->reply_size = sizeof *rep;
	rq->reply_complex = 1;
	return KERN_SUCCESS;
}

static kern_return_t serve_proc_halt(struct request *rq, const struct proc_halt_in *in)
{
	(void)in;
	struct proc *p = rq->port->obj;
	say("%s (pid %d) asks to halt the machine", p->name, p->pid);
	kern_return_t r = chain_halt(chain_up);
	if (r) {
		say("halting through the file system: %s", mach_error_name(r));
		return -FS_EIO;
	}
	rq->reply_size = sizeof(mig_reply_header_t);
	return KERN_SUCCESS;
}

/* --- faults: exception_raise on the exception port of every task ----------- */

static const char *exception_name(unsigned exc)
{
	static const char *const names[] = { "exception 0", "bad memory access", "bad instruction",
		"arithmetic error", "emulation trap", "software exception", "breakpoint" };
	return exc < sizeof names / sizeof names[0] ? names[exc] : "unknown exception";
}

/* Whether THREAD is one of TASK's threads (asked of the kernel: TASK is a
 * task port we made, THREAD only a name a client sent). */
static int thread_of(mach_port_t task, mach_port_t thread)
{
	mach_port_t *threads;
	natural_t n;
	if (task_threads(task, &threads, &n))
		return 0;
	int found = 0;
	for (natural_t i = 0; i < n; i++) {
		found |= threads[i] == thread;
		mach_port_deallocate(mach_task_self(), threads[i]);
	}
	vm_deallocate(mach_task_self(), (vm_offset_t)(uintptr_t)threads, n * sizeof *threads);
	return found;
}

/* The kernel's word that a thread of one of our processes faulted.  Anyone
 * who holds the exception port (every process can fetch its own) can send
 * this too, naming any task and "thread" port it holds: so the task must be
 * a running process's and the thread one of its threads before we ask the
 * thread for its state, or a port that never answers would stop this
 * thread. */
static kern_return_t serve_exception_raise(struct request *rq, const struct exception_raise_in *in)
{
	(void)rq;
	mutex_lock(&lock);
	struct proc *p = procs;
	while (p && !(p->running && p->task == in->task))
		p = p->next;
	if (!p || !thread_of(p->task, in->thread)) {
		if (p)
			say("refused an exception_raise for %s (pid %d) that names no thread of it (forged)",
			    p->name, p->pid);
		else
			say("refused an exception_raise that names no task of a running process (forged or late)");
		mutex_unlock(&lock);
		return KERN_INVALID_ARGUMENT;
	}
	struct i386_thread_state st;
	natural_t count = i386_THREAD_STATE_COUNT;
	if (thread_get_state(in->thread, i386_THREAD_STATE, (natural_t *)&st, &count))
		st.eip = 0;
	say("%s (pid %d) killed: %s at eip 0x%x (code %d, subcode 0x%x)", p->name, p->pid,
	    exception_name(in->exception), st.eip, (int)in->code, in->subcode);
	end(p, (int)in->exception, PROC_KILLED);
	mutex_unlock(&lock);
	return KERN_FAILURE;        /* not handled: the kernel ends the task (again) */
}

SERVER_INTERFACE(static, proc_interface, "proc", PROC_ROUTINES);
SERVER_INTERFACE(static, exc_interface, "exc", EXC_ROUTINES);
static const struct interface *const proc_ifaces[] = { &proc_interface, NULL };
static const struct interface *const exc_ifaces[] = { &exc_interface, NULL };

/* Makes the process for a loaded TASK whose THREAD waits to run: its port,
 * its place in the table; then lets it run. */
static int insert(struct spawn *sp, const char *name, mach_port_t task, mach_port_t thread, int *pid)
{
	mutex_lock(&lock);
	struct proc *parent = sp->ppid ? find(sp->ppid) : NULL;
	struct proc *p = calloc(1, sizeof *p);
	kern_return_t r = KERN_RESOURCE_SHORTAGE;
	int e = -FS_ENOMEM;
	if (sp->ppid && (!parent || !parent->running)) {
		e = -FS_ESRCH;           /* the parent ended while the child was loading */
		goto fail;
	}
	if (!p || !(p->port = server_add_port(srv, proc_ifaces, p)))
		goto fail;
	r = task_set_special_port(task, TASK_BOOTSTRAP_PORT, p->port->name, MACH_MSG_TYPE_MAKE_SEND);
	if (!r)
		r = task_set_special_port(task, TASK_EXCEPTION_PORT, exc_port->name, MACH_MSG_TYPE_MAKE_SEND);
	if (r)
		goto fail;
	task_set_name(task, name);      /* only for the kernel debugger: no matter if it fails */
	p->pid = last_pid + 1;
	r = server_watch_dead_name(srv, task, task_died, (void *)(uintptr_t)p->pid);
	if (r)
		goto fail;
	/* from here the task's name is task_died's to drop */
	r = thread_resume(thread);
	if (r) {
		task_terminate(task);
		server_remove_port(srv, p->port, NULL);
		free(p);
		mutex_unlock(&lock);
		say("cannot run %s: thread_resume: %s", name, mach_error_name(r));
		return -FS_ENOMEM;
	}
	last_pid = p->pid;
	p->ppid = sp->ppid;
	strlcpy(p->name, name, sizeof p->name);
	p->running = 1;
	p->task = task;
	memcpy(p->ports, sp->ports, sizeof p->ports);
	memset(sp->ports, 0, sizeof sp->ports);       /* the process holds them now */
	p->info = sp->info;
	p->info.pid = p->pid;
	if (!parent || sp->info.pgrp == PROC_PGRP_NEW)
		p->info.pgrp = p->pid;
	else if (sp->info.pgrp == 0)
		p->info.pgrp = parent->info.pgrp;
	p->next = procs;
	procs = p;
	*pid = p->pid;
	mutex_unlock(&lock);
	return 0;
fail:
	if (p && p->port)
		server_remove_port(srv, p->port, NULL);
	free(p);
	mutex_unlock(&lock);
	if (r)
		say("cannot run %s: setting up its task: %s", name, mach_error_name(r));
	task_terminate(task);
	put(task);
	return e;
}

int proc_start(struct spawn *sp, int *pid)
{
	mach_port_t task, thread;
	int e = load_program(sp->program, sp->name, sp->args, sp->len, sp->info.argc, sp->info.envc,
	                     &task, &thread);
	put(sp->program);
	if (!e) {
		e = insert(sp, sp->name, task, thread, pid);
		put(thread);
	}
	for (int i = 0; i < PROC_NPORTS; i++)
		put(sp->ports[i]);
	free(sp->args);
	free(sp);
	return e;
}

/* The first queued spawn whose parent has none loading now, taken off the
 * queue, or NULL; under LOCK. */
static struct spawn *take(void)
{
	for (struct spawn **sp = &queue; *sp; sp = &(*sp)->next) {
		int busy = 0;
		for (int i = 0; i < LOADERS; i++)
			busy |= loading[i] == (*sp)->ppid;
		if (!busy) {
			struct spawn *s = *sp;
			*sp = s->next;
			return s;
		}
	}
	return NULL;
}

/* Loader SLOT: takes queued spawns, starts them, answers the callers. */
static void loader(void *arg)
{
	int slot = (int)(uintptr_t)arg;
	mach_rpc_set_timeout(LOAD_TIMEOUT_MS);
	for (;;) {
		mutex_lock(&lock);
		struct spawn *sp;
		while (!(sp = take()))
			cond_wait(&queued, &lock);
		loading[slot] = sp->ppid;
		mutex_unlock(&lock);
		mach_port_t reply = sp->reply;
		unsigned type = sp->reply_type;
		proc_spawn_reply_t m;
		int pid = 0, e = proc_start(sp, &pid);
		mutex_lock(&lock);
		loading[slot] = -1;
		cond_broadcast(&queued);     /* that parent's next spawn may go */
		mutex_unlock(&lock);
		m.pid = w_int(pid);
		send_reply(&m.h, e ? sizeof m.h : sizeof m, reply, type, ID_PROC_SPAWN, e);
	}
}

void proc_set_terminal(int pid, mach_port_t recv)
{
	term_pid = pid;
	term_recv = recv;
}

kern_return_t proc_setup(struct server *s, mach_port_t up)
{
	srv = s;
	chain_up = up;
	exc_port = server_add_port(s, exc_ifaces, NULL);
	if (!exc_port)
		return KERN_RESOURCE_SHORTAGE;
	for (int i = 0; i < LOADERS; i++)
		loading[i] = -1;
	for (int i = 0; i < LOADERS; i++) {
		kern_return_t r = thread_spawn(loader, (void *)(uintptr_t)i);
		if (r)
			return r;
	}
	return KERN_SUCCESS;
}
