/* The terminal's line discipline (lib/tty/ldisc.c): what readers get and
 * what is echoed for typed input, in canonical and raw mode. */
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include "rt/rt.h"
#include "tty/ldisc.h"
#include "term/proto.h"

static struct ldisc l;

static void type(const char *s)
{
	for (; *s; s++)
		ldisc_input(&l, (unsigned char)*s);
}

/* Everything readers can get now, reads of N bytes joined; "<EOF>" for a 0. */
static const char *drain(size_t n)
{
	static char out[8192];
	size_t k = 0;
	out[0] = 0;
	for (;;) {
		char buf[LDISC_QUEUE];
		long r = ldisc_read(&l, buf, n);
		if (r < 0)
			break;
		if (r == 0) {
			k += (size_t)snprintf(out + k, sizeof out - k, "<EOF>");
			break;
		}
		k += (size_t)snprintf(out + k, sizeof out - k, "[%.*s]", (int)r, buf);
	}
	return out;
}

static const char *echoed(void)
{
	static char out[LDISC_ECHO_MAX + 1];
	memcpy(out, l.echo, l.echo_len);
	out[l.echo_len] = 0;
	l.echo_len = 0;
	return out;
}

static void expect(const char *input, const char *reads, const char *echo)
{
	ldisc_init(&l, TERM_MODE_ALL);
	type(input);
	const char *e = echoed();
	const char *r = drain(1024);
	CHECK(strcmp(r, reads) == 0, "typed %s: readers got %s, want %s", input, r, reads);
	CHECK(strcmp(e, echo) == 0, "typed %s: echoed '%s', want '%s'", input, e, echo);
}

int main(void)
{
	expect("ls\r", "[ls\n]", "ls\r\n");
	expect("ls\r\n", "[ls\n]", "ls\r\n");                 /* \r\n is one Enter */
	expect("a\n\n", "[a\n][\n]", "a\r\n\r\n");
	expect("ab\x7f" "c\r", "[ac\n]", "ab\b \bc\r\n");
	expect("ab\bc\r", "[ac\n]", "ab\b \bc\r\n");
	expect("\x7f\r", "[\n]", "\r\n");                     /* nothing to erase */
	expect("junk\x15ok\r", "[ok\n]", "junk\b \b\b \b\b \b\b \bok\r\n");
	expect("echo one two\x17three\r", "[echo one three\n]",
	       "echo one two\b \b\b \b\b \bthree\r\n");
	expect("a b  \x17\r", "[a \n]", "a b  \b \b\b \b\b \b\r\n");
	expect("\xc3\xa9\x7f" "e\r", "[e\n]", "\xc3\xa9\b \be\r\n");   /* UTF-8 as one */
	expect("\x04", "<EOF>", "");                          /* ^D on an empty line */
	expect("ab\x04", "[ab]", "ab");                       /* ^D ends a line without newline */
	expect("x\x1b[Ay\r", "[xy\n]", "xy\r\n");             /* arrow keys dropped */
	expect("a\x01\r", "[a\n]", "a\r\n");                   /* other controls mean nothing */

	/* ^C: the line is dropped and reported */
	ldisc_init(&l, TERM_MODE_ALL);
	type("half");
	CHECK(ldisc_input(&l, 3) == LDISC_INTR, "^C is reported");
	CHECK(strcmp(echoed(), "half^C\r\n") == 0, "^C echoed");
	CHECK(strcmp(drain(1024), "") == 0, "the line is gone after ^C");
	ldisc_empty_line(&l);
	CHECK(strcmp(drain(1024), "[\n]") == 0, "an empty line for the prompt");

	/* ^C drops what was typed ahead too */
	ldisc_init(&l, TERM_MODE_ALL);
	type("ahead\r\x04");
	ldisc_input(&l, 3);
	CHECK(strcmp(drain(1024), "") == 0, "typed-ahead lines and ^D dropped by ^C");

	/* reads never pass a line's end and take what fits */
	ldisc_init(&l, TERM_MODE_ALL);
	type("abcdef\rgh\r");
	const char *got = drain(4);
	CHECK(strcmp(got, "[abcd][ef\n][gh\n]") == 0, "reads of 4: %s", got);

	/* a full line rings the bell and takes no more */
	ldisc_init(&l, TERM_MODE_ALL);
	for (int i = 0; i < LDISC_LINE_MAX + 10; i++)
		ldisc_input(&l, 'x');
	CHECK(l.len == LDISC_LINE_MAX - 1, "line full at %zu", l.len);
	CHECK(l.echo[l.echo_len - 1] == '\a', "bell when full");

	/* raw mode: bytes as typed, no echo, ^C a byte without ISIG */
	ldisc_init(&l, 0);
	type("a\x7f\x1b[A\r");
	CHECK(ldisc_input(&l, 3) == LDISC_NOTHING, "^C is a byte in raw mode");
	CHECK(strcmp(drain(1), "[a][\x7f][\x1b][[][A][\r][\x03]") == 0, "raw reads");
	CHECK(l.echo_len == 0, "no echo in raw mode");
	ldisc_init(&l, TERM_MODE_ISIG);
	CHECK(ldisc_input(&l, 3) == LDISC_INTR, "^C interrupts with ISIG in raw mode");

	/* a half-edited line goes to readers when raw mode starts */
	ldisc_init(&l, TERM_MODE_ALL);
	type("par");
	ldisc_set_mode(&l, TERM_MODE_ISIG);
	CHECK(strcmp(drain(1024), "[par]") == 0, "half line handed over");

	/* a queue that is full keeps the line and rings */
	ldisc_init(&l, TERM_MODE_ALL);
	for (int i = 0; i < LDISC_QUEUE / 8 + 1; i++)
		type("1234567\r");
	CHECK(l.qlen == LDISC_QUEUE, "queue full: %zu", l.qlen);
	CHECK(l.len == 7, "the last line waits: %zu", l.len);
	return unit_report();
}
