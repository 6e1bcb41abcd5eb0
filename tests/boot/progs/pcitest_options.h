/* pcitest's options (tests/boot/progs/pcitest.c). */
#include "chain/options.h"

enum { SLOT_LIST = SLOT_CHAIN_FIRST_FREE, SLOT_PROBE };

static const struct opt_spec pcitest_options[] = {
	CHAIN_OPTIONS,
	{ "list", OPT_FLAG, SLOT_LIST, "print every function the arbiter shows, with its BARs" },
	{ "probe", OPT_FLAG, SLOT_PROBE, "check what a storage-only port allows and refuses" },
};
