/* A tiny unit-test framework for the host tests of the portable code.
 *   CHECK(cond, fmt, ...)  counts a pass, or prints "FAIL file:line: message"
 *   unit_report()          prints the final "N passed, M failed" line and
 *                          returns main's exit status (0 when nothing failed)
 * Also declares what the host platform (host_rt.c) and the libc oracle
 * (oracle.c) offer the tests. */
#ifndef UNIT_H
#define UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int unit_passed, unit_failed;

__attribute__((format(printf, 4, 5), unused))
static int unit_check(int ok, const char *file, int line, const char *fmt, ...)
{
	if (ok) {
		unit_passed++;
		return 1;
	}
	unit_failed++;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stdout, "FAIL %s:%d: ", file, line);
	vfprintf(stdout, fmt, ap);
	fputc('\n', stdout);
	fflush(stdout);
	va_end(ap);
	return 0;
}

/* Evaluates to 1 when COND holds, so that a test can skip what depends on it. */
#define CHECK(cond, ...) unit_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

__attribute__((unused))
static int unit_report(void)
{
	printf("%d passed, %d failed\n", unit_passed, unit_failed);
	fflush(stdout);
	return unit_failed != 0;
}

/* oracle.c: libc's formatting and memcmp, for comparison with the project's. */
int libc_snprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int libc_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
int libc_memcmp(const void *a, const void *b, size_t n);

/* host_rt.c: the platform hooks, and what they saw. */
extern int host_heap_errors;             /* calls of rt_heap_error */
extern const char *host_heap_problem;    /* the last call's arguments */
extern const char *host_heap_what;
extern void *host_heap_ptr;
extern long host_pages_allocs, host_pages_frees;   /* successful rt_pages_alloc / rt_pages_free calls */
extern int host_pages_fail;              /* nonzero: rt_pages_alloc returns NULL */
void host_heap_error_reset(void);
/* A private (copy-on-write) mapping of the image file PATH, so that damage a
 * test does stays in memory; NULL when it cannot be read.  Sets *SIZE. */
unsigned char *host_map_image(const char *path, size_t *size);
void host_unmap_image(unsigned char *data, size_t size);

/* Deterministic bytes (xorshift), different for every seed: test file
 * contents that need no storing to be checked. */
__attribute__((unused))
static void unit_fill(uint8_t *b, size_t n, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = (uint8_t)x;
	}
}

/* Runs a shell command made like printf; a failure is a failed check. */
__attribute__((format(printf, 1, 2), unused))
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	libc_vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int r = system(cmd);
	return CHECK(r == 0, "command succeeds: %s", cmd);
}

#endif
