/* diskbench's options (tests/boot/progs/diskbench.c). */
#include "chain/options.h"

enum { SLOT_MIB = SLOT_CHAIN_FIRST_FREE, SLOT_CHUNK_KIB, SLOT_BENCH_DISKS };

static const struct opt_spec diskbench_options[] = {
	CHAIN_OPTIONS,
	{ "mib", OPT_NUM, SLOT_MIB, "MiB to read and write on each disk (default 64)" },
	{ "chunk-kib", OPT_NUM, SLOT_CHUNK_KIB, "KiB per device_read / device_write (default 1024)" },
	{ "disks", OPT_STR, SLOT_BENCH_DISKS, "comma-separated disks of the disk server to measure (default vd0)" },
};
