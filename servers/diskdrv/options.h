/* diskdrv's options: the chain's, the seed's name for the next task, and
 * polling instead of interrupts (to test the fallback). */
#include "chain/options.h"

enum { SLOT_DISK_POLL = SLOT_CHAIN_FIRST_FREE };

static const struct opt_spec diskdrv_options[] = {
	CHAIN_OPTIONS,
	{ "fs-server-task", OPT_TASK, SLOT_NEXT_TASK, "the file system's task (the seed's name for --next-task)" },
	{ "poll", OPT_FLAG, SLOT_DISK_POLL, "complete requests by polling, as when the arbiter cannot give an interrupt" },
};
