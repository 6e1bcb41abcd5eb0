/* --crash-after=N, a testing option: the first start of the driver faults
 * for real (a write through a null pointer) when its (N+1)th read or write
 * request arrives, after serving N; with N = 0 it faults at start-up.  A
 * restarted instance (chain_instance > 1) does not inherit it; with
 * --crash-restarts every restarted one faults at start-up instead (a crash
 * loop, for the test of the arbiter's giving up). */
#include "rt/rt.h"
#include "disk.h"
#include "options.h"

static volatile long left = -1;      /* requests to serve before the fault; -1: never */

static void fault(void)
{
	say("--crash-after: faulting now (a write through a null pointer)");
	*(volatile int *)(uintptr_t)0 = 1;
}

void crash_setup(const struct chain *c)
{
	if (c->instance > 1 && c->opts.num[SLOT_CRASH_RESTARTS])
		fault();
	if (!c->opts.given[SLOT_CRASH_AFTER] || c->instance > 1)
		return;
	left = (long)c->opts.num[SLOT_CRASH_AFTER];
	if (left == 0)
		fault();
	say("--crash-after: start %u faults after serving %ld read/write requests", c->instance, left);
}

void crash_point(void)
{
	if (left >= 0 && __atomic_fetch_sub(&left, 1, __ATOMIC_SEQ_CST) == 0)
		fault();
}
