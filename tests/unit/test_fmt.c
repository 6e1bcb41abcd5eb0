/* The project's snprintf (lib/c/fmt.c) against libc's, format by format.
 * For every format: the same text and return value as libc, and for every
 * buffer size from 0 to the full length + 1 the same return value, a
 * NUL-terminated prefix of the full text, and no byte written past the
 * buffer. */
#include <limits.h>
#include <stdint.h>
#include <sys/types.h>
#include "rt/rt.h"
#include "unit.h"

#define BIG 512

/* Runs FMT through the project's vsnprintf at every size up to LEN + 1 and
 * checks each result against FULL (LEN bytes).  Returns the first size that
 * went wrong, or -1. */
static int check_truncation(const char *full, int len, const char *fmt, va_list ap)
{
	char buf[BIG + 8];
	for (int size = 0; size <= len + 1 && size <= BIG; size++) {
		memset(buf, '#', sizeof buf);
		va_list aq;
		va_copy(aq, ap);
		int r = vsnprintf(size ? buf : NULL, (size_t)size, fmt, aq);
		va_end(aq);
		if (r != len)
			return size;
		if (size == 0)
			continue;
		int kept = len < size - 1 ? len : size - 1;
		if (memcmp(buf, full, (size_t)kept) != 0 || buf[kept] != 0)
			return size;
		for (int i = size; i < (int)sizeof buf; i++)
			if (buf[i] != '#')
				return size;
	}
	return -1;
}

/* The project's output of FMT must equal libc's. */
__attribute__((format(printf, 2, 3)))
static void same(int line, const char *fmt, ...)
{
	char ours[BIG], theirs[BIG];
	va_list ap, aq;
	va_start(ap, fmt);
	va_copy(aq, ap);
	int n = vsnprintf(ours, sizeof ours, fmt, aq);
	va_end(aq);
	va_copy(aq, ap);
	int m = libc_vsnprintf(theirs, sizeof theirs, fmt, aq);
	va_end(aq);
	if (unit_check(n == m && strcmp(ours, theirs) == 0, __FILE__, line,
	               "format \"%s\": ours \"%s\" (%d), libc \"%s\" (%d)", fmt, ours, n, theirs, m)
	    && n < BIG) {
		int bad = check_truncation(ours, n, fmt, ap);
		unit_check(bad < 0, __FILE__, line, "format \"%s\": wrong result with a buffer of %d bytes", fmt, bad);
	}
	va_end(ap);
}
#define SAME(...) same(__LINE__, __VA_ARGS__)

/* The project's output of FMT must be WANT (where libc differs or the
 * behaviour is the project's own). */
__attribute__((format(printf, 3, 4)))
static void want(int line, const char *expect, const char *fmt, ...)
{
	char ours[BIG];
	va_list ap, aq;
	va_start(ap, fmt);
	va_copy(aq, ap);
	int n = vsnprintf(ours, sizeof ours, fmt, aq);
	va_end(aq);
	if (unit_check(n == (int)strlen(expect) && strcmp(ours, expect) == 0, __FILE__, line,
	               "format \"%s\": ours \"%s\" (%d), want \"%s\"", fmt, ours, n, expect)) {
		int bad = check_truncation(ours, n, fmt, ap);
		unit_check(bad < 0, __FILE__, line, "format \"%s\": wrong result with a buffer of %d bytes", fmt, bad);
	}
	va_end(ap);
}
#define WANT(...) want(__LINE__, __VA_ARGS__)

static void test_text(void)
{
	SAME("plain text");
	SAME("%%");
	SAME("100%% sure %%%%");
	SAME("x=%d y=%s z=%c %%", 1, "two", '3');
	SAME("%d%d%d", 1, -2, 3);
	SAME("%s/%s", "usr", "bin");
}

static void test_signed(void)
{
	static const int vals[] = { 0, 1, -1, 7, -42, 1000000, INT_MAX, INT_MIN, INT_MIN + 1 };
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		int v = vals[i];
		SAME("%d", v);
		SAME("%i", v);
		SAME("[%5d]", v);
		SAME("[%-5d]", v);
		SAME("[%05d]", v);
		SAME("[%+d]", v);
		SAME("[%+6i]", v);
		SAME("[%-+6d]", v);
		SAME("[%+06d]", v);
		SAME("[%.3d]", v);
		SAME("[%.0d]", v);
		SAME("[%8.3d]", v);
		SAME("[%-8.3d]", v);
		SAME("[%.12d]", v);
		SAME("[%20.15d]", v);
		SAME("[%*d]", 7, v);
		SAME("[%*d]", -7, v);
		SAME("[%-*d]", 7, v);
		SAME("[%0*d]", 12, v);
		SAME("[%.*d]", 4, v);
		SAME("[%.*d]", -1, v);      /* a negative precision is as if none */
		SAME("[%*.*d]", 9, 4, v);
	}
	/* zero with precision 0 prints no digits at all */
	SAME("[%.0d]", 0);
	SAME("[%5.0d]", 0);
	SAME("[%-5.0i]", 0);
	SAME("[%+.0d]", 0);
	SAME("[%.0d]", 1);
}

static void test_unsigned(void)
{
	static const unsigned vals[] = { 0, 1, 8, 9, 10, 15, 16, 255, 256, 0777, 0xdeadbeef, 0x80000000u, UINT_MAX };
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		unsigned v = vals[i];
		SAME("%u %x %X %o", v, v, v, v);
		SAME("[%10u]", v);
		SAME("[%-10u]", v);
		SAME("[%010u]", v);
		SAME("[%08x]", v);
		SAME("[%-8X]", v);
		SAME("[%.6x]", v);
		SAME("[%12.6X]", v);
		SAME("[%.0x]", v);
		SAME("[%.0o]", v);
		SAME("[%.4o]", v);
		SAME("[%*x]", 11, v);
		SAME("[%.*X]", 9, v);
	}
}

static void test_lengths(void)
{
	static const long long svals[] = { 0, -1, 1, INT_MIN, (long long)INT_MIN - 1, INT_MAX,
	                                   (long long)INT_MAX + 1, LLONG_MAX, LLONG_MIN, LLONG_MIN + 1 };
	for (size_t i = 0; i < sizeof svals / sizeof svals[0]; i++) {
		long long v = svals[i];
		long lv = (long)v;
		SAME("%lld %lli", v, v);
		SAME("[%+25lld]", v);
		SAME("[%-25lld]", v);
		SAME("[%025lld]", v);
		SAME("[%.22lld]", v);
		SAME("%ld %li", lv, lv);
		SAME("[%+22ld]", lv);
		SAME("%zd", (ssize_t)v);
	}
	static const unsigned long long uvals[] = { 0, 1, 0xffffffffull, 0x100000000ull,
	                                            0x123456789abcdefull, ULLONG_MAX };
	for (size_t i = 0; i < sizeof uvals / sizeof uvals[0]; i++) {
		unsigned long long v = uvals[i];
		SAME("%llu %llx %llX %llo", v, v, v, v);
		SAME("[%024llx]", v);
		SAME("%lu %lx %lo", (unsigned long)v, (unsigned long)v, (unsigned long)v);
		SAME("%zu %zx", (size_t)v, (size_t)v);
	}
	SAME("%ld %lu", LONG_MIN, ULONG_MAX);
	SAME("%zu", SIZE_MAX);
	/* a long argument between int ones keeps the others in place */
	SAME("%d %lld %d %s", 1, LLONG_MIN, 2, "end");
	SAME("%u %lx %c", 3u, 0xabcdefUL, 'q');
}

static void test_strings(void)
{
	static const char *vals[] = { "", "a", "hello", "a longer string than any width here" };
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		const char *s = vals[i];
		SAME("[%s]", s);
		SAME("[%10s]", s);
		SAME("[%-10s]", s);
		SAME("[%.3s]", s);
		SAME("[%.0s]", s);
		SAME("[%10.2s]", s);
		SAME("[%-10.4s]", s);
		SAME("[%*s]", 8, s);
		SAME("[%*s]", -8, s);
		SAME("[%.*s]", 2, s);
		SAME("[%.*s]", -2, s);
	}
	/* precision bounds the read: the array need not be terminated */
	static const char unterminated[4] = { 'a', 'b', 'c', 'd' };
	SAME("[%.4s]", unterminated);
	SAME("[%.2s]", unterminated);

	SAME("[%c]", 'x');
	SAME("[%3c]", 'y');
	SAME("[%-3c]", 'z');
	SAME("[%*c]", 4, '!');
	SAME("%c%c%c", 'a', 'b', 'c');

	/* a long output, longer than small buffers and reaching BIG - 1 */
	char big[BIG];
	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = 0;
	SAME("%s", big + 100);
	SAME("%.*s|%400d", 50, big, 42);
}

static void test_pointers(void)
{
	int local;
	static int global;
	/* glibc prints non-null pointers as 0x and lower-case hex, as we do */
	SAME("%p", (void *)&local);
	SAME("%p", (void *)&global);
	SAME("%p", (void *)(uintptr_t)0x1000);
	SAME("[%20p]", (void *)(uintptr_t)0xabcdef);
	SAME("[%-20p]", (void *)(uintptr_t)0xabcdef);
	/* glibc prints "(nil)" for a null pointer; the project keeps the shape */
	WANT("0x0", "%p", (void *)0);
	WANT("[     0x0]", "[%8p]", (void *)0);
	WANT("0xffffffff", "%p", (void *)(uintptr_t)0xffffffffu);
}

static void test_null_string(void)
{
	const char *volatile null = NULL;   /* volatile: keep -Wformat from seeing it */
	WANT("(null)", "%s", null);
	WANT("[  (null)]", "[%8s]", null);
	WANT("[(null)  ]", "[%-8s]", null);
	WANT("[(nu]", "[%.3s]", null);       /* glibc prints nothing here */
	WANT("a(null)b", "a%sb", null);
}

static void test_buffers(void)
{
	char buf[16];
	memset(buf, '#', sizeof buf);
	CHECK(snprintf(buf, 0, "%d", 12345) == 5, "size 0 returns the full length");
	CHECK(buf[0] == '#', "size 0 writes nothing");
	CHECK(snprintf(NULL, 0, "%s-%s", "abc", "defg") == 8, "size 0 with a null buffer");

	CHECK(snprintf(buf, 1, "hello") == 5 && buf[0] == 0 && buf[1] == '#',
	      "size 1 gives an empty string: \"%s\"", buf);
	memset(buf, '#', sizeof buf);
	CHECK(snprintf(buf, 4, "hello") == 5 && strcmp(buf, "hel") == 0 && buf[4] == '#',
	      "size 4 keeps 3 characters: \"%s\"", buf);
	memset(buf, '#', sizeof buf);
	CHECK(snprintf(buf, 6, "hello") == 5 && strcmp(buf, "hello") == 0 && buf[6] == '#',
	      "exact fit: \"%s\"", buf);
	memset(buf, '#', sizeof buf);
	CHECK(snprintf(buf, 5, "%08x", 0xbeefu) == 8 && strcmp(buf, "0000") == 0,
	      "a truncated number: \"%s\"", buf);
	memset(buf, '#', sizeof buf);
	CHECK(snprintf(buf, 3, "%-6s|", "ab") == 7 && strcmp(buf, "ab") == 0,
	      "truncated padding: \"%s\"", buf);
	CHECK(snprintf(buf, sizeof buf, "%s", "") == 0 && buf[0] == 0, "empty output");
}

/* Formats outside what the project promises or that gcc warns about:
 * they must not crash, read past the format, or write past the buffer. */
static void test_odd(void)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
	SAME("[%-05d]", 42);              /* '-' wins over '0' */
	SAME("[%08.3d]", -7);             /* a precision turns '0' off */
	SAME("[%08.3d]", 123456);
	SAME("[%0*.*d]", 9, 2, 5);
	SAME("[%-010x]", 0xabcu);
	SAME("[%+u]", 5u);                /* '+' is for signed conversions only */
	SAME("[%+x]", 5u);
	WANT("50%", "50%");               /* a lone '%' at the end */
	WANT("a%", "a%-5");               /* a conversion cut by the end */
	WANT("%", "%.");
	WANT("%", "%l");
	WANT("%y %w", "%y %w");           /* unknown conversions shown as written */
#pragma GCC diagnostic pop
}

int main(void)
{
	test_text();
	test_signed();
	test_unsigned();
	test_lengths();
	test_strings();
	test_pointers();
	test_null_string();
	test_buffers();
	test_odd();
	return unit_report();
}
