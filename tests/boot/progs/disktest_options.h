/* disktest's options (tests/boot/progs/disktest.c). */
#include "chain/options.h"

enum { SLOT_DISKS = SLOT_CHAIN_FIRST_FREE, SLOT_WRITE, SLOT_READ_ONLY, SLOT_KERNEL_DISKS, SLOT_BIG_WRITE };

static const struct opt_spec disktest_options[] = {
	CHAIN_OPTIONS,
	{ "disks", OPT_STR, SLOT_DISKS, "comma-separated devices (disks or partitions) to read whole (default vd0)" },
	{ "write", OPT_STR, SLOT_WRITE, "DEVICE: write the test pattern at record 2048 of it, then read it back" },
	{ "read-only", OPT_STR, SLOT_READ_ONLY, "DEVICE: a read-only disk, whose opening for writing must be refused" },
	{ "kernel-disks", OPT_STR, SLOT_KERNEL_DISKS, "comma-separated devices to read whole through the kernel's device master too (with --device-master-port)" },
	{ "big-write", OPT_STR, SLOT_BIG_WRITE, "DEVICE: write 1 MiB of the test pattern at record 18432 of it and print the result" },
};
