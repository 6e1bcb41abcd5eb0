/* diskdrv's options: the chain's, the seed's name for the next task,
 * polling instead of interrupts (to test the fallback), and the fault
 * injection of crash.c. */
#include "chain/options.h"

enum {
	SLOT_DISK_POLL = SLOT_CHAIN_FIRST_FREE,
	SLOT_CRASH_AFTER, SLOT_CRASH_READ, SLOT_CRASH_WRITTEN, SLOT_CRASH_RESTARTS
};

static const struct opt_spec diskdrv_options[] = {
	CHAIN_OPTIONS,
	{ "fs-server-task", OPT_TASK, SLOT_NEXT_TASK, "the file system's task (the seed's name for --next-task)" },
	{ "poll", OPT_FLAG, SLOT_DISK_POLL, "complete requests by polling, as when the arbiter cannot give an interrupt" },
	{ "crash-after", OPT_NUM, SLOT_CRASH_AFTER, "testing: the first start faults after serving N read/write requests" },
	{ "crash-after-read", OPT_NUM, SLOT_CRASH_READ, "testing: the first start faults on the first read after N KiB read" },
	{ "crash-after-written", OPT_NUM, SLOT_CRASH_WRITTEN, "testing: the first start faults on the first write after N KiB written" },
	{ "crash-restarts", OPT_FLAG, SLOT_CRASH_RESTARTS, "testing: every restarted start faults at start-up (a crash loop)" },
};
