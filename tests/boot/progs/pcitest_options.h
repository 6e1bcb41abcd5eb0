/* pcitest's options (tests/boot/progs/pcitest.c). */
#include "chain/options.h"

enum { SLOT_LIST = SLOT_CHAIN_FIRST_FREE, SLOT_PROBE, SLOT_OWN, SLOT_KERNEL_LEAVES };

static const struct opt_spec pcitest_options[] = {
	CHAIN_OPTIONS,
	{ "list", OPT_FLAG, SLOT_LIST, "print every function the arbiter shows, with its BARs" },
	{ "probe", OPT_FLAG, SLOT_PROBE, "check what a storage-only port allows and refuses" },
	{ "own", OPT_FLAG, SLOT_OWN, "check ownership: one owner a function, the kernel's controllers refused, the owner's configuration writes" },
	{ "kernel-leaves", OPT_FLAG, SLOT_KERNEL_LEAVES, "with --own: the kernel was booted with noide noahci, so its controllers may be opened" },
};
