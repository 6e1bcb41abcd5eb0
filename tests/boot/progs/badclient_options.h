/* badclient's options (tests/boot/progs/badclient.c): the chain's own. */
#include "chain/options.h"

static const struct opt_spec badclient_options[] = { CHAIN_OPTIONS };
