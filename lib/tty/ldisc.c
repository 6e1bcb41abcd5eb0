/* The line discipline (tty/ldisc.h): what a Unix kernel's terminal driver
 * does with typed bytes, as plain data transformations so that the host
 * tests it.  servers/term feeds it the console's bytes and answers reads
 * from its queue. */
#include "tty/ldisc.h"
#include "term/proto.h"
#include "rt/rt.h"

void ldisc_init(struct ldisc *l, unsigned mode)
{
	memset(l, 0, sizeof *l);
	l->mode = mode;
}

static void echo(struct ldisc *l, const char *s, size_t n)
{
	if (!(l->mode & TERM_MODE_ECHO))
		return;
	if (n > LDISC_ECHO_MAX - l->echo_len)
		n = LDISC_ECHO_MAX - l->echo_len;
	memcpy(l->echo + l->echo_len, s, n);
	l->echo_len += n;
}

/* Appends N bytes to the readers' queue; 0 when they do not all fit. */
static int queue(struct ldisc *l, const char *s, size_t n)
{
	if (n > LDISC_QUEUE - l->qlen)
		return 0;
	for (size_t i = 0; i < n; i++)
		l->q[(l->qhead + l->qlen + i) % LDISC_QUEUE] = s[i];
	l->qlen += n;
	return 1;
}

/* Erases the last character (a UTF-8 sequence as one) from line and screen. */
static void erase_one(struct ldisc *l)
{
	if (l->len == 0)
		return;
	while (l->len > 1 && (l->line[l->len - 1] & 0xc0) == 0x80)
		l->len--;
	l->len--;
	echo(l, "\b \b", 3);
}

static void erase_word(struct ldisc *l)
{
	while (l->len > 0 && (l->line[l->len - 1] == ' ' || l->line[l->len - 1] == '\t'))
		erase_one(l);
	while (l->len > 0 && l->line[l->len - 1] != ' ' && l->line[l->len - 1] != '\t')
		erase_one(l);
}

/* Hands the line (with "\n" when NEWLINE) to readers; a line that does not
 * fit in the queue stays being edited (the bell says so). */
static void complete(struct ldisc *l, int newline)
{
	if (newline)
		l->line[l->len++] = '\n';           /* room is kept for it */
	if (!queue(l, l->line, l->len)) {
		if (newline)
			l->len--;
		echo(l, "\a", 1);
		return;
	}
	if (newline)
		echo(l, "\r\n", 2);
	l->len = 0;
}

int ldisc_input(struct ldisc *l, unsigned char c)
{
	int cr = l->after_cr;
	l->after_cr = 0;
	if (c == 0x03 && (l->mode & TERM_MODE_ISIG)) {
		l->len = 0;
		l->esc = 0;
		l->qlen = 0;                /* typed ahead for what is interrupted: gone too */
		l->eof = 0;
		echo(l, "^C\r\n", 4);
		return LDISC_INTR;
	}
	if (!(l->mode & TERM_MODE_CANON)) {
		char b = (char)c;
		if (queue(l, &b, 1))
			echo(l, &b, 1);
		return LDISC_NOTHING;
	}
	if (l->esc == 1) {          /* arrow keys and the like: ESC [ (or O) parameters final */
		l->esc = c == '[' || c == 'O' ? 2 : 0;
		return LDISC_NOTHING;
	}
	if (l->esc == 2) {
		if (c >= 0x40 && c <= 0x7e)
			l->esc = 0;
		return LDISC_NOTHING;
	}
	switch (c) {
	case '\n':
		if (cr)
			return LDISC_NOTHING;
		complete(l, 1);
		return LDISC_NOTHING;
	case '\r':
		l->after_cr = 1;
		complete(l, 1);
		return LDISC_NOTHING;
	case 0x7f: case '\b':
		erase_one(l);
		return LDISC_NOTHING;
	case 0x15:                  /* ^U */
		while (l->len > 0)
			erase_one(l);
		return LDISC_NOTHING;
	case 0x17:                  /* ^W */
		erase_word(l);
		return LDISC_NOTHING;
	case 0x04:                  /* ^D */
		if (l->len == 0)
			l->eof = 1;
		else
			complete(l, 0);
		return LDISC_NOTHING;
	case 0x1b:
		l->esc = 1;
		return LDISC_NOTHING;
	}
	if (c < 0x20 && c != '\t')
		return LDISC_NOTHING;       /* other control characters mean nothing here */
	if (l->len + 2 > LDISC_LINE_MAX) {
		echo(l, "\a", 1);           /* full: only Enter, erase or ^D now */
		return LDISC_NOTHING;
	}
	l->line[l->len++] = (char)c;
	char b = (char)c;
	echo(l, &b, 1);
	return LDISC_NOTHING;
}

long ldisc_read(struct ldisc *l, char *buf, size_t n)
{
	if (l->qlen == 0) {
		if (!l->eof)
			return -1;
		l->eof = 0;
		return 0;
	}
	size_t k = 0;
	while (k < n && l->qlen > 0) {
		char c = l->q[l->qhead];
		buf[k++] = c;
		l->qhead = (l->qhead + 1) % LDISC_QUEUE;
		l->qlen--;
		if (c == '\n' && (l->mode & TERM_MODE_CANON))
			break;
	}
	return (long)k;
}

void ldisc_empty_line(struct ldisc *l)
{
	queue(l, "\n", 1);
}

void ldisc_set_mode(struct ldisc *l, unsigned mode)
{
	if ((l->mode & TERM_MODE_CANON) && !(mode & TERM_MODE_CANON) && l->len > 0) {
		if (queue(l, l->line, l->len))
			l->len = 0;
	}
	l->mode = mode & TERM_MODE_ALL;
}
