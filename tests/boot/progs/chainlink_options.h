/* chainlink's options (tests/boot/progs/chainlink.c). */
#include "chain/options.h"

enum { SLOT_ASK_PATH = SLOT_CHAIN_FIRST_FREE, SLOT_HALT, SLOT_NO_REPORT };

static const struct opt_spec chainlink_options[] = {
	CHAIN_OPTIONS,
	{ "ask-path", OPT_FLAG, SLOT_ASK_PATH, "ask the chain for the path up to its first stage" },
	{ "halt", OPT_FLAG, SLOT_HALT, "then ask the chain to end the machine" },
	{ "no-report", OPT_FLAG, SLOT_NO_REPORT, "never report to the stage above (a test of the stall watch)" },
};
