/* Output to the console device: the kernel's "console", or the send right
 * to it that the stage above handed down through the chain protocol. */
#include "rt/rt.h"
#include "mach/mach.h"

mach_port_t rt_console;
const char *rt_progname = "?";
int (*rt_vprintf_hook)(const char *fmt, va_list ap);

/* Writes as is, in pieces the inband call takes.  Returns how much went. */
static size_t write_raw(mach_port_t console, const char *s, size_t n)
{
	size_t total = 0;
	while (console != MACH_PORT_NULL && n > 0) {
		vm_size_t chunk = n < 128 ? n : 128, done;
		if (device_write_inband(console, 0, 0, s, chunk, &done) != KERN_SUCCESS || done == 0)
			break;
		s += done;
		n -= done;
		total += done;
	}
	return total;
}

/* The kernel's console does no output processing: a serial terminal in raw
 * mode needs "\r\n" to start a line at its left edge. */
int console_write_to(mach_port_t console, const char *s, size_t n)
{
	char buf[128];
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (k + 2 > sizeof buf) {
			if (write_raw(console, buf, k) < k)
				return -1;
			k = 0;
		}
		if (s[i] == '\n')
			buf[k++] = '\r';
		buf[k++] = s[i];
	}
	return write_raw(console, buf, k) < k ? -1 : 0;
}

void console_write(const char *s, size_t n)
{
	console_write_to(rt_console, s, n);
}

int vprintf(const char *fmt, va_list ap)
{
	if (rt_vprintf_hook)
		return rt_vprintf_hook(fmt, ap);
	char buf[512];
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	console_write(buf, n < (int)sizeof buf ? (size_t)n : sizeof buf - 1);
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n = snprintf(buf, sizeof buf - 1, "%s: ", rt_progname);
	if (n > (int)sizeof buf - 2)
		n = sizeof buf - 2;
	va_start(ap, fmt);
	int m = vsnprintf(buf + n, sizeof buf - 1 - n, fmt, ap);
	va_end(ap);
	n += m < (int)(sizeof buf - 1 - n) ? m : (int)(sizeof buf - 2 - n);
	buf[n++] = '\n';
	buf[n] = 0;
	if (rt_vprintf_hook)
		printf("%s", buf);
	else
		console_write(buf, n);
}
