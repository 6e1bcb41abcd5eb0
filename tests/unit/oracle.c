/* libc under names that do not clash with the project's: the oracle the
 * host tests compare against.  Compiled WITHOUT rename.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int libc_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	return vsnprintf(buf, n, fmt, ap);
}

int libc_snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

int libc_memcmp(const void *a, const void *b, size_t n)
{
	return memcmp(a, b, n);
}
