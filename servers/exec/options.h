/* exec's options: the chain's (exec is the last stage: it takes no next
 * task), the first program to start and the terminal server. */
#include "chain/options.h"

enum { SLOT_EXEC_INIT = SLOT_CHAIN_FIRST_FREE, SLOT_EXEC_TERMINAL };

static const struct opt_spec exec_options[] = {
	CHAIN_LAST_OPTIONS,
	{ "init", OPT_STR, SLOT_EXEC_INIT, "the first program, started as pid 1 (default /sbin/init)" },
	{ "terminal", OPT_STR, SLOT_EXEC_TERMINAL,
	  "the terminal server that owns the console (default /sbin/term; none: the raw console)" },
};
