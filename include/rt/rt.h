/* The small freestanding C runtime of every program: strings and memory,
 * formatted output to the console, the heap, panics and assertions. */
#ifndef RT_RT_H
#define RT_RT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "mach/abi.h"

/* string.c */
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
size_t strlcpy(char *d, const char *s, size_t n);
char *strdup(const char *s);
/* Parses an unsigned number (0x for hex); returns 0, or -1 when S is not
 * entirely a number that fits in 32 bits. */
int parse_u32(const char *s, uint32_t *out);

/* fmt.c: %d %i %u %x %X %o %p %s %c %%, flags - 0, width, precision,
 * lengths l ll z.  Returns the length the whole output would have. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* malloc.c */
void *malloc(size_t n);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t n);
void free(void *p);

#ifndef RT_HOST
/* console.c: output goes to the console device once a program has one. */
extern mach_port_t rt_console;
extern const char *rt_progname;
void console_write(const char *s, size_t n);
/* Writes to the console device CONSOLE with "\n" as "\r\n"; -1 when it
 * did not take everything. */
int console_write_to(mach_port_t console, const char *s, size_t n);
/* Set by a user program's runtime (lib/posix): printf and say then go
 * there (to standard output) instead of to the console device. */
extern int (*rt_vprintf_hook)(const char *fmt, va_list ap);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
/* Prints "PROG: MESSAGE\n". */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* panic.c */
void panic_at(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));
#define panic(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)
#define assert(e) ((e) ? (void)0 : panic_at(__FILE__, __LINE__, "assertion failed: %s", #e))
void exit(int status) __attribute__((noreturn));
/* Set by a user program's runtime: exit calls it first (it flushes and
 * tells exec; it need not return). */
extern void (*rt_exit_hook)(int status);
/* Defined by a user program's runtime only (lib/posix, linked into user/
 * programs): called before main with its arguments. */
void rt_user_start(int argc, char **argv, char **envp) __attribute__((weak));

/* Sleeps for MS milliseconds. */
void sleep_ms(unsigned ms);
#endif

#endif
