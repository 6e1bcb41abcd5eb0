/* String and memory functions. */
#include "rt/rt.h"

/* The copies every server and program runs on its data path.  Under QEMU's
 * TCG (the platform), a byte loop ran at 131 MB/s, `rep movsl` at 231 MB/s
 * (one translated block per word) and this unrolled word loop at about
 * 950 MB/s (fsbench's memcpy row, bench/README.md).  i386 allows unaligned
 * words; may_alias because the words alias any object. */
typedef uint32_t __attribute__((may_alias, aligned(1))) word_t;

void *memcpy(void *d, const void *s, size_t n)
{
	word_t *dw = d;
	const word_t *sw = s;
	for (; n >= 32; n -= 32, dw += 8, sw += 8) {
		dw[0] = sw[0]; dw[1] = sw[1]; dw[2] = sw[2]; dw[3] = sw[3];
		dw[4] = sw[4]; dw[5] = sw[5]; dw[6] = sw[6]; dw[7] = sw[7];
	}
	char *dp = (char *)dw;
	const char *sp = (const char *)sw;
	while (n--)
		*dp++ = *sp++;
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	char *dp = d;
	const char *sp = s;
	if (dp <= sp || dp >= sp + n)
		return memcpy(d, s, n);
	/* overlapping with the destination above: copy from the end down */
	while (n--)
		dp[n] = sp[n];
	return d;
}

void *memset(void *d, int c, size_t n)
{
	word_t *dw = d;
	uint32_t v = (unsigned char)c * 0x01010101u;
	for (; n >= 32; n -= 32, dw += 8) {
		dw[0] = v; dw[1] = v; dw[2] = v; dw[3] = v;
		dw[4] = v; dw[5] = v; dw[6] = v; dw[7] = v;
	}
	unsigned char *p = (unsigned char *)dw;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;
	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			break;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;
	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

size_t strlcpy(char *d, const char *s, size_t n)
{
	size_t len = strlen(s);
	if (n) {
		size_t k = len < n - 1 ? len : n - 1;
		memcpy(d, s, k);
		d[k] = 0;
	}
	return len;
}

char *strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	return d ? memcpy(d, s, n) : NULL;
}
