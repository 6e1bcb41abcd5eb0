/* Fault injection, testing options: the first start of the driver faults
 * for real (a write through a null pointer)
 *  --crash-after=N          when its (N+1)th read or write request arrives,
 *                           after serving N (N = 0: at start-up);
 *  --crash-after-read=K     on the first read request that arrives once it
 *                           has been asked to read K KiB;
 *  --crash-after-written=K  the same for writes.
 * A request count moves whenever the file system changes the size of its
 * requests (read-ahead, write-back runs, a journal); a byte count does
 * not: the K-th KiB written of a copy's write-back is in the middle of the
 * copy whatever the request sizes.  A restarted instance (chain_instance
 * > 1) inherits none of them; with --crash-restarts every restarted one
 * faults at start-up instead (a crash loop, for the test of the arbiter's
 * giving up). */
#include "rt/rt.h"
#include "disk.h"
#include "options.h"

static volatile long requests_left = -1;     /* requests to serve before the fault; -1: never */
static volatile uint64_t moved[2];           /* bytes asked to be read, written so far */
static uint64_t limit[2] = { UINT64_MAX, UINT64_MAX };  /* fault once moved[] reaches it */

static void fault(void)
{
	say("--crash-after: faulting now (a write through a null pointer)");
	*(volatile int *)(uintptr_t)0 = 1;
}

void crash_setup(const struct chain *c)
{
	if (c->instance > 1 && c->opts.num[SLOT_CRASH_RESTARTS])
		fault();
	if (c->instance > 1)
		return;
	if (c->opts.given[SLOT_CRASH_AFTER]) {
		requests_left = (long)c->opts.num[SLOT_CRASH_AFTER];
		if (requests_left == 0)
			fault();
		say("--crash-after: start %u faults after serving %ld read/write requests", c->instance,
		    requests_left);
	}
	static const unsigned slots[2] = { SLOT_CRASH_READ, SLOT_CRASH_WRITTEN };
	static const char *const names[2] = { "read", "write" };
	for (int w = 0; w < 2; w++)
		if (c->opts.given[slots[w]]) {
			limit[w] = (uint64_t)c->opts.num[slots[w]] * 1024;
			say("--%s: start %u faults on the first %s after %u KiB", c->opts.given[slots[w]],
			    c->instance, names[w], c->opts.num[slots[w]]);
		}
}

void crash_point(int is_write, size_t bytes)
{
	if (requests_left >= 0 && __atomic_fetch_sub(&requests_left, 1, __ATOMIC_SEQ_CST) == 0)
		fault();
	if (__atomic_fetch_add(&moved[is_write], bytes, __ATOMIC_SEQ_CST) >= limit[is_write])
		fault();
}
