/* vsnprintf: the formatting every program's output goes through. */
#include "rt/rt.h"

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

/* One converted field: optional sign/prefix, digits or text, padding. */
static void field(struct out *o, const char *prefix, const char *body, int len,
                  int width, int left, int zero)
{
	int plen = (int)strlen(prefix);
	int fill = width - plen - len;
	if (!left && !zero)
		pad(o, ' ', fill);
	while (*prefix)
		put(o, *prefix++);
	if (!left && zero)
		pad(o, '0', fill);
	for (int i = 0; i < len; i++)
		put(o, body[i]);
	if (left)
		pad(o, ' ', fill);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		int left = 0, zero = 0, plus = 0, width = 0, prec = -1, lng = 0;
		for (;; fmt++) {
			if (fmt[1] == '-') left = 1;
			else if (fmt[1] == '0') zero = 1;
			else if (fmt[1] == '+') plus = 1;
			else break;
		}
		fmt++;
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0)
				left = 1, width = -width;
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			}
			while (*fmt >= '0' && *fmt <= '9')
				prec = prec * 10 + (*fmt++ - '0');
		}
		while (*fmt == 'l' || *fmt == 'z' || *fmt == 'h') {
			if (*fmt == 'l')
				lng++;
			else if (*fmt == 'z')
				lng = sizeof(size_t) > sizeof(int) ? 2 : 0;
			fmt++;
		}
		char digits[64];
		const char *prefix = "";
		unsigned long long u;
		unsigned base = 10;
		int upper = 0;
		switch (*fmt) {
		case 'd': case 'i': {
			long long v = lng >= 2 ? va_arg(ap, long long) : lng ? va_arg(ap, long) : va_arg(ap, int);
			u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
			prefix = v < 0 ? "-" : plus ? "+" : "";
			goto number;
		}
		case 'p':
			u = (uintptr_t)va_arg(ap, void *);
			prefix = "0x";
			base = 16;
			goto number;
		case 'X':
			upper = 1;
			/* fall through */
		case 'x': base = 16; goto unsigned_arg;
		case 'o': base = 8; goto unsigned_arg;
		case 'u':
		unsigned_arg:
			u = lng >= 2 ? va_arg(ap, unsigned long long) : lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
		number: {
			int n = 0;
			do {
				unsigned d = (unsigned)(u % base);
				digits[sizeof digits - 1 - n++] = (char)(d < 10 ? '0' + d : (upper ? 'A' : 'a') + d - 10);
				u /= base;
			} while (u);
			if (prec == 0 && n == 1 && digits[sizeof digits - 1] == '0')
				n = 0;
			while (n < prec && n < (int)sizeof digits)
				digits[sizeof digits - 1 - n++] = '0';
			field(&o, prefix, digits + sizeof digits - n, n, width, left, zero && prec < 0);
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			int n = (int)(prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s));
			field(&o, "", s, n, width, left, 0);
			break;
		}
		case 'c':
			digits[0] = (char)va_arg(ap, int);
			field(&o, "", digits, 1, width, left, 0);
			break;
		case '%':
			put(&o, '%');
			break;
		default:            /* unknown conversion: show it as written */
			put(&o, '%');
			if (!*fmt)
				goto done;
			put(&o, *fmt);
		}
	}
done:
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
