/* diskdrv's options: the chain's and the seed's name for the next task. */
#include "chain/options.h"

enum { SLOT_CRASH_AFTER = SLOT_CHAIN_FIRST_FREE, SLOT_CRASH_RESTARTS };

static const struct opt_spec diskdrv_options[] = {
	CHAIN_OPTIONS,
	{ "fs-server-task", OPT_TASK, SLOT_NEXT_TASK, "the file system's task (the seed's name for --next-task)" },
	{ "crash-after", OPT_NUM, SLOT_CRASH_AFTER, "testing: the first start faults after serving N read/write requests" },
	{ "crash-restarts", OPT_FLAG, SLOT_CRASH_RESTARTS, "testing: every restarted start faults at start-up (a crash loop)" },
};
