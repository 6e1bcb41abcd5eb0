/* Long options of the form --name=value (or --flag), checked against a
 * table.  Tables are plain data so that host tools (bootchain) read the very
 * tables the servers parse with. */
#ifndef RT_OPTIONS_H
#define RT_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

enum opt_kind {
	OPT_FLAG,   /* --name, no value */
	OPT_NUM,    /* --name=N, decimal or 0x hex */
	OPT_STR,    /* --name=TEXT */
	OPT_PORT,   /* --name=N, a port name the boot script gave (not 0) */
	OPT_TASK,   /* --name=N, a task port this program hands over to and resumes */
};

struct opt_spec {
	const char *name;
	uint8_t kind;
	uint8_t slot;       /* where the value goes; aliases share a slot */
	const char *help;
};

#define OPT_SLOTS   16
#define OPT_POS_MAX 8

struct opt_result {
	uint32_t num[OPT_SLOTS];        /* OPT_FLAG (1), OPT_NUM, OPT_PORT, OPT_TASK */
	const char *str[OPT_SLOTS];     /* OPT_STR */
	const char *given[OPT_SLOTS];   /* the option name that set the slot, or NULL */
	const char *pos[OPT_POS_MAX];   /* arguments that are not options */
	int npos;
};

/* Parses ARGV[1..ARGC-1].  Returns 0, or -1 with a one-line reason in ERR. */
int opt_parse(const struct opt_spec *spec, size_t nspec, int argc, char **argv,
              struct opt_result *r, char *err, size_t errlen);

/* The spec entry named NAME (without the dashes), or NULL. */
const struct opt_spec *opt_find(const struct opt_spec *spec, size_t nspec, const char *name, size_t len);

#endif
