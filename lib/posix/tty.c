/* The console as a terminal: the line discipline a Unix kernel would run.
 * GNU Mach's console device hands over raw bytes as they arrive, without
 * echo or editing (docs/runtime.md, "Console input"), so reads here collect
 * one line: typed characters are echoed, Backspace (DEL or BS) and ^U
 * erase, Enter (\r or \n) ends the line as "\n", ^C drops it, ^D on an empty
 * line is the end of input.  Bytes are read one at a time so that nothing
 * typed after Enter is taken from the next program that reads the console.
 * One console, one line: the state is global. */
#include "posix_impl.h"

#define LINE_MAX 1024

static char line[LINE_MAX];
static size_t len, pos;         /* the line so far; what has been returned of it */
static int ready;               /* the line is complete: hand it out */
static int after_cr;            /* a "\n" right after "\r" is the same Enter */
static int esc;                 /* in an escape sequence: 1 after ESC, 2 after ESC [ */

ssize_t tty_write(mach_port_t console, const char *buf, size_t n)
{
	if (console_write_to(console, buf, n) < 0) {
		errno = EIO;
		return -1;
	}
	return (ssize_t)n;
}

static void echo(mach_port_t console, const char *s)
{
	console_write_to(console, s, strlen(s));
}

/* Erases the last character (a UTF-8 sequence as one) from line and screen. */
static void erase_one(mach_port_t console)
{
	if (len == 0)
		return;
	while (len > 1 && (line[len - 1] & 0xc0) == 0x80)
		len--;
	len--;
	echo(console, "\b \b");
}

/* Takes byte C into the line; returns -1 for the end of input. */
static int take(mach_port_t console, unsigned char c)
{
	int cr = after_cr;
	after_cr = 0;
	if (esc == 1) {         /* arrow keys and the like: ESC [ (or O) parameters final */
		esc = c == '[' || c == 'O' ? 2 : 0;
		return 0;
	}
	if (esc == 2) {
		if (c >= 0x40 && c <= 0x7e)
			esc = 0;
		return 0;
	}
	switch (c) {
	case '\n':
		if (cr)
			return 0;
		/* fall through */
	case '\r':
		after_cr = c == '\r';
		line[len++] = '\n';         /* room is kept for it */
		echo(console, "\n");
		ready = 1;
		return 0;
	case 0x7f: case '\b':
		erase_one(console);
		return 0;
	case 0x15:                          /* ^U */
		while (len > 0)
			erase_one(console);
		return 0;
	case 0x03:                          /* ^C: a fresh, empty line */
		echo(console, "^C\n");
		len = 0;
		line[len++] = '\n';
		ready = 1;
		return 0;
	case 0x04:                          /* ^D */
		if (len == 0)
			return -1;
		ready = 1;
		return 0;
	case 0x1b:
		esc = 1;
		return 0;
	}
	if (c < 0x20 && c != '\t')
		return 0;                   /* other control characters mean nothing here */
	if (len + 2 > LINE_MAX) {
		echo(console, "\a");        /* full: only Enter, erase or ^D now */
		return 0;
	}
	line[len++] = (char)c;
	char s[2] = { (char)c, 0 };
	echo(console, s);
	return 0;
}

ssize_t tty_read(mach_port_t console, char *buf, size_t n)
{
	if (n == 0)
		return 0;
	while (!ready) {
		char c;
		vm_size_t got;
		kern_return_t r = device_read_inband(console, 0, 0, 1, &c, &got);
		if (r != KERN_SUCCESS) {
			errno = EIO;
			return -1;
		}
		if (got == 0 || take(console, (unsigned char)c) < 0)
			return 0;           /* the end of input */
	}
	size_t k = len - pos < n ? len - pos : n;
	memcpy(buf, line + pos, k);
	pos += k;
	if (pos == len)
		ready = 0, len = pos = 0;
	return (ssize_t)k;
}
