/* The option table of every program a boot configuration can load: the
 * same tables the programs parse with. */
#ifndef PROGRAMS_H
#define PROGRAMS_H

#include <stddef.h>
#include "rt/options.h"

struct program {
	const char *name;              /* basename of the module file */
	const struct opt_spec *options;
	size_t noptions;
	/* a server of the chain (chain_handoff): without a next stage it
	 * serves and starts nothing, which bootchain warns about */
	int server;
};

/* The program built as /bin/NAME, or NULL. */
const struct program *program_find(const char *name);

#endif
