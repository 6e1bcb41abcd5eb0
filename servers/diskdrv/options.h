/* diskdrv's options: the chain's and the seed's name for the next task. */
#include "chain/options.h"

static const struct opt_spec diskdrv_options[] = {
	CHAIN_OPTIONS,
	{ "fs-server-task", OPT_TASK, SLOT_NEXT_TASK, "the file system's task (the seed's name for --next-task)" },
};
