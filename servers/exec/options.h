/* exec's options: the chain's (exec is the last stage: it takes no next
 * task) and the first program to start. */
#include "chain/options.h"

enum { SLOT_EXEC_INIT = SLOT_CHAIN_FIRST_FREE };

static const struct opt_spec exec_options[] = {
	CHAIN_LAST_OPTIONS,
	{ "init", OPT_STR, SLOT_EXEC_INIT, "the first program, started as pid 1 (default /sbin/init)" },
};
