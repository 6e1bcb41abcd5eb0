/* Helpers for the /bin programs (lib/posix/util.c): what cp, mv, ln, rm,
 * halt and reboot would otherwise each write again.  Not POSIX: posix.h
 * stays the standard subset. */
#ifndef POSIX_UTIL_H
#define POSIX_UTIL_H

#include "posix/posix.h"

/* 1 when PATH is a directory (or a symbolic link to one). */
int is_dir(const char *path);

/* DIR/NAME, with no second '/' when DIR ends in one; NULL without memory. */
char *path_join(const char *dir, const char *name);

/* The operands of cp, mv and ln: SRCS[0..N-1] and then LAST.  When LAST is
 * a directory, ACT(SRC, LAST/(the last name of SRC)) for each SRC;
 * otherwise ACT(SRCS[0], LAST) when N is 1, and "PROG: LAST: Not a
 * directory" when it is more.  Returns the statuses of ACT ored, 1 after
 * an error of its own. */
int act_into_last(const char *prog, char **srcs, int n, const char *last,
                  int (*act)(const char *src, const char *dst));

/* The names in directory PATH but "." and "..", read whole so that the
 * caller may change the directory while it goes through them: *NAMES gets
 * *N strings in an array, each and the array to be freed.  -1 with errno
 * when the directory cannot be opened or read to its end or memory runs
 * out; *NAMES then holds what was read before. */
int dir_names(const char *path, char ***names, unsigned *n);

/* halt and reboot: "PROG: the machine is going down", then halt_machine
 * (which writes everything back); the exit status when it fails. */
int machine_down(const char *prog);

#endif
