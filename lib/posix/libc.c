/* The rest of the C library user programs expect: numbers from strings,
 * string copying and searching, character classes (ASCII). */
#include "posix_impl.h"

#define LONG_MAX __LONG_MAX__
#define LONG_MIN (-__LONG_MAX__ - 1)

int isspace(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

int isdigit(int c)
{
	return c >= '0' && c <= '9';
}

int isalpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int isalnum(int c)
{
	return isalpha(c) || isdigit(c);
}

static int digit_value(int c)
{
	return isdigit(c) ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'z' ? (c | 0x20) - 'a' + 10 : 99;
}

/* Saturates at LONG_MIN / LONG_MAX with errno ERANGE, as C says. */
long strtol(const char *s, char **end, int base)
{
	const char *p = s;
	while (isspace(*p))
		p++;
	int neg = *p == '-';
	if (*p == '-' || *p == '+')
		p++;
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] | 0x20) == 'x' && digit_value(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	if (base < 2 || base > 36) {
		errno = EINVAL;
		if (end)
			*end = (char *)s;
		return 0;
	}
	unsigned long v = 0, limit = neg ? (unsigned long)LONG_MAX + 1 : LONG_MAX;
	int any = 0, over = 0;
	for (int d; (d = digit_value((unsigned char)*p)) < base; p++) {
		any = 1;
		if (v > (limit - d) / base)
			over = 1;
		else
			v = v * base + d;
	}
	if (end)
		*end = (char *)(any ? p : s);
	if (over) {
		errno = ERANGE;
		return neg ? LONG_MIN : LONG_MAX;
	}
	return neg ? (long)(0 - v) : (long)v;
}

int atoi(const char *s)
{
	return (int)strtol(s, NULL, 10);
}

char *strcpy(char *d, const char *s)
{
	memcpy(d, s, strlen(s) + 1);
	return d;
}

char *strncpy(char *d, const char *s, size_t n)
{
	size_t k = strnlen(s, n);
	memcpy(d, s, k);
	memset(d + k, 0, n - k);
	return d;
}

char *strcat(char *d, const char *s)
{
	strcpy(d + strlen(d), s);
	return d;
}

char *strstr(const char *h, const char *n)
{
	size_t k = strlen(n);
	for (; *h; h++)
		if (strncmp(h, n, k) == 0)
			return (char *)h;
	return k == 0 ? (char *)h : NULL;
}
