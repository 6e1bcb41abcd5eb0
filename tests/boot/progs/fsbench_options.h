/* fsbench's options (tests/boot/progs/fsbench.c). */
#include "chain/options.h"

enum { SLOT_FS_TASK = SLOT_CHAIN_FIRST_FREE, SLOT_RAW_DEVICE, SLOT_WRITE_MIB, SLOT_FILES, SLOT_NULL_RPCS };

static const struct opt_spec fsbench_options[] = {
	CHAIN_OPTIONS,
	{ "fs-task", OPT_PORT, SLOT_FS_TASK,
	  "ext2fs's task (${fs-task}): its bootstrap port, the disk server, is read raw for comparison" },
	{ "raw-device", OPT_STR, SLOT_RAW_DEVICE, "the device ext2fs mounted, read raw (default vd0s1)" },
	{ "write-mib", OPT_NUM, SLOT_WRITE_MIB, "MiB of the new file written at 1 MiB a call (default 32)" },
	{ "files", OPT_NUM, SLOT_FILES, "small files created in one directory, then looked up (default 500)" },
	{ "null-rpcs", OPT_NUM, SLOT_NULL_RPCS, "null RPCs of each kind, to the echo task and to ext2fs (default 20000)" },
};
