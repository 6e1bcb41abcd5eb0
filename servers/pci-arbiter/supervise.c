/* pci-arbiter restarts the disk server when it dies.  The kernel's boot
 * script loaded the driver into a task that nobody keeps a copy of, so
 * before resuming it the arbiter takes its image (lib/chain/task_image.c).
 * Death is seen at once: the arbiter is the task's exception port (a fault
 * arrives as exception_raise, which it answers with a failure so that the
 * kernel ends the task, saying what and where first) and holds a dead-name
 * request on the task port.  A new task is built from the image once the
 * dead one's PCI functions are released (their ports died with it), gets a
 * new arbiter port as its bootstrap port and is resumed; it learns from
 * chain_instance that it is a restart.  Nobody but the kernel can make the
 * arbiter restart anything: only the driver's own death does. */
#include "mach/mach.h"
#include "rt/rt.h"
#include "rt/thread.h"
#include "chain/task_image.h"
#include "supervise.h"

static struct {
	struct chain *c;
	struct pci_policy policy;
	struct task_image img;
	struct port_info *exc;           /* the exception port of every instance */
	mach_port_t task;                /* the instance running now */
	char cause[160];                 /* what killed the last one */
	uint64_t died_us;                /* when, or 0 while it serves */
	uint64_t deaths[SUPERVISE_DEATHS];
	unsigned ndeaths;
} sv;

static uint64_t now_us(void)
{
	struct time_value t;
	if (host_get_time(mach_host_self(), &t))
		return 0;
	return (uint64_t)t.seconds * 1000000 + (uint64_t)t.microseconds;
}

static const char *exception_name(unsigned e)
{
	static const char *const names[] = { "?", "bad access", "bad instruction", "arithmetic",
	                                     "emulation", "software", "breakpoint" };
	return e < 7 ? names[e] : "?";
}

/* exception_raise from the kernel for a thread of the driver: only the
 * kernel holds a send right to this port. */
static kern_return_t serve_exception_raise(struct request *rq, const struct exception_raise_in *in)
{
	(void)rq;
	struct i386_thread_state st;
	natural_t count = i386_THREAD_STATE_COUNT;
	if (thread_get_state(in->thread, i386_THREAD_STATE, (natural_t *)&st, &count))
		st.eip = 0;
	if (in->exception == EXC_BAD_ACCESS)
		snprintf(sv.cause, sizeof sv.cause, "a bad access (%s) to address 0x%x at eip 0x%x",
		         mach_error_name((kern_return_t)in->code), in->subcode, st.eip);
	else
		snprintf(sv.cause, sizeof sv.cause, "exception %u (%s, code 0x%x, 0x%x) at eip 0x%x",
		         in->exception, exception_name(in->exception), in->code, in->subcode, st.eip);
	return KERN_FAILURE;             /* the kernel ends the task, as without a handler */
}

SERVER_INTERFACE(static, exc_interface, "driver exceptions", EXC_ROUTINES);

static void died(mach_port_t name, void *arg);

/* Makes TASK (suspended, or its thread not yet resumed) the watched one. */
static kern_return_t watch(mach_port_t task)
{
	sv.task = task;
	kern_return_t r = task_set_special_port(task, TASK_EXCEPTION_PORT, sv.exc->name, MACH_MSG_TYPE_MAKE_SEND);
	if (!r)
		r = server_watch_dead_name(arb.server, task, died, NULL);
	return r;
}

/* Waits (at most 3 s) for the dead instance's function ports to be
 * released: their no-senders notifications may come after its death's. */
static void wait_released(void)
{
	for (unsigned waited = 0; waited < 3000; waited += 10) {
		unsigned open = 0;
		mutex_lock(&arb.lock);
		for (unsigned i = 0; i < arb.nfuncs; i++)
			open += arb.fport[i] != NULL;
		mutex_unlock(&arb.lock);
		if (!open)
			return;
		sleep_ms(10);
	}
	say("the dead %s's PCI functions are still held after 3 s; starting it anyway", sv.c->next_name);
}

static void restart(void *arg)
{
	(void)arg;
	struct chain *c = sv.c;
	wait_released();
	mach_port_t task, thread;
	const char *what;
	struct port_info *port = arbiter_port(&sv.policy);
	kern_return_t r = port ? task_image_spawn(&sv.img, &task, &thread, &what) : KERN_RESOURCE_SHORTAGE;
	if (!port)
		what = "making its arbiter port";
	if (!r) {
		what = "giving it its bootstrap and exception ports";
		r = task_set_special_port(task, TASK_BOOTSTRAP_PORT, port->name, MACH_MSG_TYPE_MAKE_SEND);
		if (!r)
			r = watch(task);
	}
	if (r) {
		say("cannot restart %s: %s: %s; its disks are gone until the next boot", c->next_name, what,
		    mach_error_name(r));
		return;
	}
	c->next_task = task;
	c->next_status = -1;
	c->next_instance++;
	r = thread_resume(thread);
	mach_port_deallocate(mach_task_self(), thread);
	if (r)
		say("cannot resume the new %s: %s", c->next_name, mach_error_name(r));
}

/* The dead-name notification for the driver's task: it is gone. */
static void died(mach_port_t name, void *arg)
{
	(void)arg;
	struct chain *c = sv.c;
	mach_port_deallocate(mach_task_self(), name);
	if (name != sv.task)
		return;
	uint64_t t = now_us();
	sv.died_us = t ? t : 1;
	if (!sv.cause[0])
		snprintf(sv.cause, sizeof sv.cause, "its task ended without a fault the kernel reported");
	if (sv.ndeaths == SUPERVISE_DEATHS) {
		memmove(sv.deaths, sv.deaths + 1, (SUPERVISE_DEATHS - 1) * sizeof sv.deaths[0]);
		sv.ndeaths--;
	}
	sv.deaths[sv.ndeaths++] = t;
	const char *name_ = c->next_name[0] ? c->next_name : "the disk server";
	if (sv.ndeaths == SUPERVISE_DEATHS && t - sv.deaths[0] < SUPERVISE_WINDOW_S * 1000000ull) {
		say("%s (task %u) died %u times in %u ms, the last of %s: not restarting it again, "
		    "its disks are gone until the next boot", name_, (unsigned)name, SUPERVISE_DEATHS,
		    (unsigned)((t - sv.deaths[0]) / 1000), sv.cause);
		c->next_status = CHAIN_FAILED;     /* ends the stall watch */
		return;
	}
	say("%s (task %u) died: %s; restarting it from its pristine image", name_, (unsigned)name, sv.cause);
	if (thread_spawn(restart, NULL))
		say("cannot start a thread to restart %s: its disks are gone", name_);
}

/* The new instance says it serves: one line for the restart. */
static void reported(struct chain *c, int status)
{
	if (!sv.died_us || status != CHAIN_READY)
		return;
	uint64_t t = now_us();
	say("%s restarted (start %u): the last one died of %s; service was interrupted for %u ms",
	    c->next_name, c->next_instance, sv.cause, (unsigned)((t - sv.died_us) / 1000));
	sv.died_us = 0;
	sv.cause[0] = 0;
}

kern_return_t supervise_next(struct chain *c, const struct pci_policy *next_policy, const char **what)
{
	static const struct interface *const ifaces[] = { &exc_interface, NULL };
	sv.c = c;
	sv.policy = *next_policy;
	c->next_reported = reported;
	if (c->next_task == MACH_PORT_NULL)
		return KERN_SUCCESS;
	kern_return_t r = task_image_take(c->next_task, &sv.img, what);
	if (r)
		return r;
	*what = "making the exception port for it";
	sv.exc = server_add_port(arb.server, ifaces, NULL);
	if (!sv.exc)
		return KERN_RESOURCE_SHORTAGE;
	*what = "watching it (exception port, dead-name request)";
	return watch(c->next_task);
}
