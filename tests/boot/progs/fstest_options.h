/* fstest's options (tests/boot/progs/fstest.c). */
#include "chain/options.h"

enum { SLOT_FSTEST_CKSUM = SLOT_CHAIN_FIRST_FREE, SLOT_FSTEST_RO };

static const struct opt_spec fstest_options[] = {
	CHAIN_OPTIONS,
	{ "cksum", OPT_STR, SLOT_FSTEST_CKSUM, "comma-separated files whose POSIX cksum to print (read several ways)" },
	{ "read-only", OPT_FLAG, SLOT_FSTEST_RO, "the file system is mounted read-only: expect EROFS, write nothing" },
};
