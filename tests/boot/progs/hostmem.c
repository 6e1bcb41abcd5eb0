/* hostmem: a hostile program that pages its own memory
 * (tests/boot/hostile-memory.scenario).  It serves a memory object itself,
 * maps it, and sends that memory out of line to a server:
 *   hostmem write-stall FILE   fs_write of 64 KiB to ext2fs; the pages never come
 *   hostmem write-error FILE   the same; each page comes as memory_object_data_error
 *   hostmem exec-stall PROG    proc_spawn of a program port served here: its
 *                              stat and headers are PROG's, its segments this memory
 *   hostmem exec-error PROG    the same, with memory_object_data_error
 * While the request is out, another thread checks that the server still
 * serves others (ext2fs: reads /etc/motd; exec: runs PROG through ext2fs).
 * One line tells the outcome; exit 0 when the server refused the request
 * with EFAULT within BOUND_S seconds and served the others meanwhile.
 *   hostmem guard              safe_copy itself, guarded here as in a server:
 *                              copies of every small size and alignment,
 *                              from an unmapped address (KERN_MEMORY_ERROR),
 *                              from pages that never come (KERN_TIMEDOUT);
 *                              then a fault outside any copy, which the
 *                              guard names before the kernel ends the task */
#include "exec/client.h"
#include "fs/client.h"
#include "mach/mach.h"
#include "mach/kernel_msgs.h"
#include "mach/rpc_util.h"
#include "posix/posix.h"
#include "rt/rt.h"
#include "rt/thread.h"
#include "server/server.h"
#include "server/safe_copy.h"

#define HOSTILE_SIZE (64u * 1024u)
#define BOUND_S 30

static mach_port_t proc, ports[PROC_NPORTS];
static struct proc_info info;
static int give_error;              /* answer page requests with data_error */
static volatile int pager_ready, page_requests;
static vm_offset_t hostile;         /* the memory we page */
static mach_port_t real_program;    /* what the fake program's stat and headers come from */

static unsigned now_ms(void)
{
	struct time_value t;
	host_get_time(mach_host_self(), &t);
	return (unsigned)t.seconds * 1000u + (unsigned)t.microseconds / 1000u;
}

/* --- the memory object ---------------------------------------------------- */

static kern_return_t serve_memory_object_init(struct request *rq, const struct memory_object_init_in *in)
{
	union { memory_object_ready_request_t in; } r;
	(void)rq;
	r.in.may_cache = w_bool(1);
	r.in.copy_strategy = w_int(MEMORY_OBJECT_COPY_DELAY);   /* copies are lazy: the receiver faults */
	kern_return_t e = MSG_CALL(in->control, memory_object_ready, r, NULL);
	if (e)
		say("memory_object_ready: %s", mach_error_name(e));
	pager_ready = 1;
	return KERN_SUCCESS;              /* the control right stays: it is the kernel's */
}

static kern_return_t serve_memory_object_data_request(struct request *rq,
                                                      const struct memory_object_data_request_in *in)
{
	(void)rq;
	page_requests++;
	if (!give_error)
		return KERN_SUCCESS;      /* the page never comes */
	union { memory_object_data_error_request_t in; } r;
	r.in.offset = w_int(in->offset);
	r.in.size = w_int(in->length);
	r.in.error = w_int(KERN_MEMORY_ERROR);
	MSG_CALL(in->control, memory_object_data_error, r, NULL);
	mach_port_deallocate(mach_task_self(), in->control);
	return KERN_SUCCESS;
}

SERVER_INTERFACE(static, pager_interface, "pager", MEMORY_OBJECT_ROUTINES);
static const struct interface *const pager_ifaces[] = { &pager_interface, NULL };

/* --- the fake program: stat and headers from the real one, the rest hostile - */

static kern_return_t serve_fs_stat(struct request *rq, const struct fs_stat_in *in)
{
	(void)in;
	fs_stat_reply_t *rep = (fs_stat_reply_t *)rq->out;
	int e = fs_stat(real_program, &rep->st);
	if (e)
		return -e;
	rep->st_type = MSGT_INLINE(MACH_MSG_TYPE_INTEGER_32, 32, FS_STAT_WORDS);
	rq->reply_size = sizeof *rep;
	return KERN_SUCCESS;
}

static kern_return_t serve_fs_read(struct request *rq, const struct fs_read_in *in)
{
	natural_t count = in->count;
	if (count <= FS_INLINE_MAX) {
		fs_read_reply_t *rep = (fs_read_reply_t *)rq->out;
		long got = fs_read(real_program, in->offset, rep->data, count);
		if (got < 0)
			return (kern_return_t)-got;
		rep->data_type = MSGT_LONG(MACH_MSG_TYPE_CHAR, 8, got);
		rq->reply_size = offsetof(fs_read_reply_t, data) + MSG_ALIGN(got);
		return KERN_SUCCESS;
	}
	fs_read_ool_reply_t *rep = (fs_read_ool_reply_t *)rq->out;
	rep->data = w_ool((void *)(uintptr_t)hostile, count < HOSTILE_SIZE ? count : HOSTILE_SIZE);
	rq->reply_size = sizeof *rep;
	rq->reply_complex = 1;
	return KERN_SUCCESS;
}

/* the two routines exec calls on a program */
#define PROGRAM_ROUTINES(R) R(fs_stat, ID_FS_STAT, ROUTINE) R(fs_read, ID_FS_READ, ROUTINE)
SERVER_INTERFACE(static, program_interface, "program", PROGRAM_ROUTINES);
static const struct interface *const program_ifaces[] = { &program_interface, NULL };

static void serve(void *s)
{
	server_run(s, 1);
}

/* --- the others, served meanwhile ------------------------------------------ */

static volatile int attack_done, probes_ok, probes_bad;
static volatile unsigned probe_worst_ms;
static const char *probe_program;

static void probe(void *arg)
{
	(void)arg;
	while (!attack_done) {
		unsigned t0 = now_ms();
		int ok;
		if (probe_program) {
			mach_port_t prog;
			int pid, got, status, how;
			char *argv[] = { "true", NULL }, *envp[] = { NULL };
			ok = fs_lookup(ports[PROC_PORT_ROOT], probe_program, FS_O_READ, 0, &prog) == 0
			     && proc_spawn(proc, prog, ports, &info, argv, envp, &pid) == 0
			     && proc_wait(proc, pid, &got, &status, &how) == 0 && how == PROC_EXITED && status == 0;
		} else {
			mach_port_t motd;
			char buf[64];
			ok = fs_lookup(ports[PROC_PORT_ROOT], "/etc/motd", FS_O_READ, 0, &motd) == 0
			     && fs_read(motd, 0, buf, sizeof buf) > 0;
			mach_port_deallocate(mach_task_self(), motd);
		}
		unsigned took = now_ms() - t0;
		if (took > probe_worst_ms)
			probe_worst_ms = took;
		if (ok)
			probes_ok++;
		else
			probes_bad++;
		sleep_ms(300);
	}
}

/* --- the attacks ----------------------------------------------------------- */

static struct port_info *program;

/* HOSTILE: memory of the object we serve, mapped and ready; the fake
 * program's port served too.  0 after a line saying why not. */
static int map_hostile(void)
{
	struct server *s = server_create();
	struct port_info *pager = s ? server_add_port(s, pager_ifaces, NULL) : NULL;
	program = s ? server_add_port(s, program_ifaces, NULL) : NULL;
	if (!pager || !program || thread_spawn(serve, s)) {
		say("cannot serve");
		return 0;
	}
	mach_port_insert_right(mach_task_self(), pager->name, pager->name, MACH_MSG_TYPE_MAKE_SEND);
	kern_return_t r = vm_map(mach_task_self(), &hostile, HOSTILE_SIZE, 0, 1, pager->name, 0, 0,
	                         VM_PROT_READ | VM_PROT_WRITE, VM_PROT_ALL, VM_INHERIT_COPY);
	if (r) {
		say("vm_map of my memory object: %s", mach_error_name(r));
		return 0;
	}
	for (int i = 0; i < 1000 && !pager_ready; i++)
		sleep_ms(10);
	if (!pager_ready)
		say("the kernel never initialised my memory object");
	return pager_ready;
}

static int attack(const char *mode, const char *path)
{
	if (!map_hostile())
		return 1;
	int is_exec = strncmp(mode, "exec-", 5) == 0;
	mach_port_t node;
	int e = is_exec ? fs_lookup(ports[PROC_PORT_ROOT], path, FS_O_READ, 0, &real_program)
	                : fs_lookup(ports[PROC_PORT_ROOT], path, FS_O_WRITE | FS_O_CREAT, 0644, &node);
	if (e) {
		say("cannot open %s: %s", path, strerror(-e));
		return 1;
	}
	if (is_exec)
		probe_program = path;
	thread_spawn(probe, NULL);
	unsigned t0 = now_ms();
	long got;
	const char *what;
	if (is_exec) {
		char *argv[] = { "victim", NULL }, *envp[] = { NULL };
		int pid;
		mach_port_insert_right(mach_task_self(), program->name, program->name, MACH_MSG_TYPE_MAKE_SEND);
		got = proc_spawn(proc, program->name, ports, &info, argv, envp, &pid);
		what = "exec ran a program whose segments are";
	} else {
		got = fs_write(node, 0, (const void *)(uintptr_t)hostile, HOSTILE_SIZE, NULL);
		what = "ext2fs wrote";
	}
	unsigned took = now_ms() - t0;
	attack_done = 1;
	sleep_ms(400);                    /* the probe's last round */
	int ok = got == -FS_EFAULT && took < BOUND_S * 1000u && probes_ok > 0 && probes_bad == 0;
	say("%s: %s 64 KiB of memory whose pages %s: %s after %u ms (%d page requests); meanwhile %d of %d %s worked (slowest %u ms)",
	    ok ? "refused" : "FAIL", what, give_error ? "fail" : "never come",
	    got < 0 ? strerror((int)-got) : "success", took, page_requests, probes_ok, probes_ok + probes_bad,
	    is_exec ? "spawns" : "reads", probe_worst_ms);
	return ok ? 0 : 1;
}

/* safe_copy against the data it must copy exactly, and against memory it
 * must refuse, each with the error it must give. */
static int guard(void)
{
	static char src[160], dst[160];
	int bad = 0;
	for (unsigned i = 0; i < sizeof src; i++)
		src[i] = (char)(i * 7 + 1);
	for (unsigned n = 0; n <= 100; n++)
		for (unsigned a = 0; a < 4; a++)
			for (unsigned b = 0; b < 4; b++) {
				memset(dst, 0, sizeof dst);
				if (safe_copy(dst + b, src + a, n) || memcmp(dst + b, src + a, n)
				    || (b && dst[b - 1]) || dst[b + n])
					bad++;
			}
	unsigned t0 = now_ms();
	kern_return_t unmapped = safe_copy(dst, (const void *)(uintptr_t)0x1000, 8);
	kern_return_t stalled = safe_copy(dst, (const void *)(uintptr_t)hostile, 8);
	unsigned took = now_ms() - t0;
	int ok = !bad && unmapped == KERN_MEMORY_ERROR && stalled == KERN_TIMEDOUT;
	say("%s: safe_copy: %d wrong of 1616 small copies; unmapped source: %s; pages that never come: %s after %u ms",
	    ok ? "guarded" : "FAIL", bad, mach_error_name(unmapped), mach_error_name(stalled), took);
	return ok;
}

int main(int argc, char **argv)
{
	if (task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &proc) || proc == MACH_PORT_NULL)
		return 98;
	if (proc_startup(proc, ports, &info) < 0)
		proc_exit(proc, 97);
	rt_console = ports[PROC_PORT_FD1];
	if (argc == 2 && strcmp(argv[1], "guard") == 0) {
		kern_return_t r = safe_copy_init();
		if (r || !map_hostile() || !guard())
			proc_exit(proc, 1);
		say("now a fault outside any copy");
		static volatile uintptr_t zero;
		*(volatile int *)zero = 1;
		proc_exit(proc, 3);      /* not reached: the guard leaves the fault to the kernel */
	}
	const char *mode = argc == 3 ? argv[1] : "";
	if (strcmp(mode, "write-stall") && strcmp(mode, "write-error") && strcmp(mode, "exec-stall")
	    && strcmp(mode, "exec-error")) {
		say("usage: hostmem write-stall|write-error FILE, exec-stall|exec-error PROGRAM, or guard");
		proc_exit(proc, 2);
	}
	give_error = strstr(mode, "-error") != NULL;
	proc_exit(proc, attack(mode, argv[2]));
}
