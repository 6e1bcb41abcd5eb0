/* ext2fs's options: the chain's, the seed's name for the next task, and the
 * device to mount (a positional argument: vd0s1, or Hurd's part:1:device:vd0). */
#include "chain/options.h"

enum { SLOT_EXT2_VERBOSE = SLOT_CHAIN_FIRST_FREE, SLOT_EXT2_SYNC, SLOT_EXT2_COMMIT };

static const struct opt_spec ext2fs_options[] = {
	CHAIN_OPTIONS,
	{ "exec-server-task", OPT_TASK, SLOT_NEXT_TASK, "the exec server's task (the seed's name for --next-task)" },
	{ "verbose", OPT_FLAG, SLOT_EXT2_VERBOSE, "list the root directory once mounted" },
	{ "sync", OPT_NUM, SLOT_EXT2_SYNC, "write changes back every N seconds (default 30; 0: only on sync and halt)" },
	{ "commit", OPT_NUM, SLOT_EXT2_COMMIT, "ext3: commit a journal transaction every N seconds (default 5, as Linux)" },
};
