/* Force-included (gcc -include) into every host build of the portable
 * sources and of the unit tests.  The project's runtime defines functions
 * under the names libc uses (malloc, snprintf, ...); on the host they are
 * renamed to rt_* so that they neither clash with nor interpose on libc's,
 * which the sanitizers and libc itself keep using.
 *
 * libc's own headers come first, so their declarations keep libc's names;
 * every later mention of the names (rt/rt.h, the portable sources, the test
 * code) means the project's function.  The libc oracle for comparisons lives
 * in oracle.c, which is compiled without this file. */
#ifndef UNIT_RENAME_H
#define UNIT_RENAME_H

#undef _FORTIFY_SOURCE          /* no inline wrappers around the renamed names */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define vsnprintf rt_vsnprintf
#define snprintf  rt_snprintf
#define malloc    rt_malloc
#define free      rt_free
#define calloc    rt_calloc
#define realloc   rt_realloc
#define memcmp    rt_memcmp      /* lib/c/memcmp.c, tested against libc's */
int memcmp(const void *a, const void *b, size_t n);   /* for the tests without rt/rt.h */

/* Not renamed: the other string functions of rt/rt.h (memcpy, strlen,
 * strdup, ...) have libc's signatures and lib/c/string.c is not part of the
 * host build, so the host uses libc's.  strdup therefore allocates with
 * libc's malloc: host tests must not free its result with the project's
 * free. */

#endif
