/* What the guest-side files of sh share (main.c, builtins.c, vars.c);
 * the language itself is sh.h. */
#ifndef SH_SHELL_H
#define SH_SHELL_H

#include "posix/posix.h"
#include "sh.h"

/* main.c: an error line, "sh: ..." (with the script and line when reading one). */
void complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int status;              /* of the last command: $? */

/* builtins.c: the builtin named NAME, or NULL. */
typedef int builtin_fn(int argc, char **argv);
builtin_fn *find_builtin(const char *name);

/* input.c: the next line typed at the prompt, edited, with its "\n", in
 * LINE (SIZE bytes): 1, or 0 at the end of input. */
int read_edited(char *line, size_t size);

/* vars.c: variables, "NAME=value" strings; the exported ones are the
 * environment of the programs the shell starts. */
void vars_import(char **env);
const char *var_get(const char *name);
/* Sets NAME=value (NV); EXPORT marks it exported (else it keeps its mark).
 * 0, or -1 when out of memory (said). */
int var_set(const char *nv, int export);
void var_export(const char *name);
void var_unset(const char *name);
/* The environment for a program: the exported variables with EXTRA
 * (N "NAME=value" strings) over them; malloc'd (free it), NULL when out of memory. */
char **var_environ(char *const *extra, int n);
/* Prints the exported variables as dash's `export -p` does, sorted. */
void vars_print_exported(void);

#endif
