/* The guard of safe_copy (include/server/safe_copy.h): an exception handler
 * that recovers a copy that faulted and a watchdog that abandons one that
 * stalls.  Kernel facts this relies on (GNU Mach 1.8, docs/runtime.md):
 * a user page fault waits interruptibly for a pager (vm_fault passes
 * interruptible = !change_wiring), thread_abort ends such a wait and
 * returns the thread to user mode at the faulting instruction, and
 * thread_set_state on a thread waiting for an exception reply or suspended
 * changes where it resumes. */
#include "safe_copy_int.h"
#include "server/server.h"
#include "mach/mach.h"
#include "mach/kernel_msgs.h"
#include "rt/rt.h"
#include "rt/thread.h"

#define TICK_MS 250

static struct copy *find(mach_port_t thread)
{
	struct copy *c = safe_copy_list;
	while (c && c->thread != thread)
		c = c->next;
	return c;
}

/* Moves THREAD (stopped: waiting for an exception reply, or suspended) to
 * the recovery point with WHY as the copy's result, if it is inside the
 * copy.  Under the lock.  Returns whether it did. */
static int recover(mach_port_t thread, kern_return_t why)
{
	struct i386_thread_state st;
	natural_t count = i386_THREAD_STATE_COUNT;
	if (thread_get_state(thread, i386_THREAD_STATE, (natural_t *)&st, &count))
		return 0;
	if (st.eip < (uintptr_t)safe_copy_begin || st.eip >= (uintptr_t)safe_copy_end)
		return 0;
	st.eip = (uintptr_t)safe_copy_recover;
	st.eax = (natural_t)why;
	return thread_set_state(thread, i386_THREAD_STATE, (natural_t *)&st, i386_THREAD_STATE_COUNT) == KERN_SUCCESS;
}

/* exception_raise from the kernel: only the kernel holds a send right to
 * this port (made for task_set_special_port and given to nobody else). */
static kern_return_t serve_exception_raise(struct request *rq, const struct exception_raise_in *in)
{
	(void)rq;
	mach_port_t thread = in->thread;
	int done = 0, recovered = 0;
	if (in->task != mach_task_self())
		return KERN_FAILURE;        /* a task we made, before its own exception port was set */
	mutex_lock(&safe_copy_lock);
	struct copy *c = in->exception == EXC_BAD_ACCESS ? find(thread) : NULL;
	/* a copy the watchdog abandoned while this exception was on its way
	 * has left the faulting instruction already */
	if (c)
		done = c->abandoned || (recovered = recover(thread, KERN_MEMORY_ERROR));
	mutex_unlock(&safe_copy_lock);
	if (!done) {
		struct i386_thread_state st;
		natural_t count = i386_THREAD_STATE_COUNT;
		if (thread_get_state(thread, i386_THREAD_STATE, (natural_t *)&st, &count))
			st.eip = 0;
		say("a thread of mine faulted: exception %u at eip 0x%x (code %s, address 0x%x); the kernel ends me",
		    in->exception, st.eip, mach_error_name((kern_return_t)in->code), in->subcode);
		return KERN_FAILURE;        /* the kernel terminates the task, as without a handler */
	}
	if (recovered)
		say("a client's memory faulted while I copied it (%s at 0x%x): that request fails",
		    mach_error_name((kern_return_t)in->code), in->subcode);
	mach_port_deallocate(mach_task_self(), in->thread);
	mach_port_deallocate(mach_task_self(), in->task);
	rq->reply_size = sizeof(mig_reply_header_t);
	return KERN_SUCCESS;            /* the thread resumes where recover() put it */
}

static void abandon(struct copy *c)
{
	if (thread_suspend(c->thread))
		return;
	thread_abort(c->thread);         /* out of the page-fault wait, back to user mode */
	c->abandoned = recover(c->thread, KERN_TIMEDOUT);
	if (c->abandoned)
		say("copying a client's memory took over %u ms (its pages do not come): that request fails",
		    SAFE_COPY_DEADLINE_MS);
	thread_resume(c->thread);
}

static void watchdog(void *arg)
{
	(void)arg;
	static unsigned never;           /* gsync_wait on it is a sleep of TICK_MS */
	for (;;) {
		while (__atomic_load_n(&safe_copy_running, __ATOMIC_ACQUIRE) == 0)
			rt_futex_wait(&safe_copy_running, 0);
		gsync_wait(mach_task_self(), (vm_offset_t)(uintptr_t)&never, 0, 0, TICK_MS, GSYNC_TIMED);
		mutex_lock(&safe_copy_lock);
		for (struct copy *c = safe_copy_list; c; c = c->next)
			if (++c->ticks == SAFE_COPY_DEADLINE_MS / TICK_MS + 1)   /* a first tick may come at once */
				abandon(c);
		mutex_unlock(&safe_copy_lock);
	}
}

static void handler(void *arg)
{
	server_run(arg, 1);
}

SERVER_INTERFACE(static, exc_interface, "safe-copy exceptions", EXC_ROUTINES);
static const struct interface *const exc_ifaces[] = { &exc_interface, NULL };

kern_return_t safe_copy_init(void)
{
	struct server *s = server_create();
	struct port_info *pi = s ? server_add_port(s, exc_ifaces, NULL) : NULL;
	if (!pi)
		return KERN_RESOURCE_SHORTAGE;
	kern_return_t r = task_set_special_port(mach_task_self(), TASK_EXCEPTION_PORT, pi->name,
	                                        MACH_MSG_TYPE_MAKE_SEND);
	if (!r)
		r = thread_spawn(handler, s);
	if (!r)
		r = thread_spawn(watchdog, NULL);
	if (!r)
		safe_copy_guarded = 1;
	return r;
}
