/* The line editor (lib/tty/ledit.c): keys replayed, and what it writes
 * played on a model terminal (printable bytes overwrite at the cursor,
 * "\b" moves left, "\n" starts a new row), which must show exactly the
 * line, with the cursor where the editor says it is. */
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include "rt/rt.h"
#include "tty/ledit.h"

static struct ledit e;
static char row[4096];
static size_t col, rowlen;
static char done_rows[8][4096];
static int ndone;

static void play(void)
{
	for (size_t i = 0; i < e.out_len; i++) {
		char ch = e.out[i];
		if (ch == '\b') {
			if (col > 0)
				col--;
		} else if (ch == '\n') {
			while (rowlen > 0 && row[rowlen - 1] == ' ')
				rowlen--;       /* blanks that erased characters */
			if (ndone < 8)
				snprintf(done_rows[ndone++], sizeof done_rows[0], "%.*s", (int)rowlen, row);
			col = rowlen = 0;
		} else {
			row[col++] = ch;
			if (col > rowlen)
				rowlen = col;
		}
	}
	e.out_len = 0;
}

/* Types KEYS; returns the last result. */
static int type(const char *keys)
{
	int r = LEDIT_MORE;
	for (; *keys; keys++) {
		r = ledit_key(&e, (unsigned char)*keys);
		play();
	}
	return r;
}

/* The screen shows the line (blanks after it are fine) and the cursor is right. */
static void shows(const char *what, const char *want, size_t cur)
{
	char screen[4096];
	size_t n = rowlen;
	while (n > 0 && row[n - 1] == ' ')
		n--;
	snprintf(screen, sizeof screen, "%.*s", (int)n, row);
	CHECK(strcmp(screen, want) == 0 && strcmp(e.line, want) == 0 && e.cur == cur && col == cur,
	      "%s: screen [%s] line [%s] cursor %zu/%zu, want [%s] at %zu", what, screen, e.line, e.cur, col, want, cur);
}

static void fresh(void)
{
	ledit_begin(&e);
	col = rowlen = 0;
}

int main(void)
{
	ledit_init(&e);
	fresh();
	type("echo ac");
	shows("typed", "echo ac", 7);
	type("\033[D");
	shows("left", "echo ac", 6);
	type("b");
	shows("inserted in the middle", "echo abc", 7);
	type("\033[D\177");
	shows("backspace in the middle", "echo bc", 5);
	type("\033[C\033[C\033[C");
	shows("right stops at the end", "echo bc", 7);
	CHECK(type("\r") == LEDIT_DONE && strcmp(e.line, "echo bc") == 0 && ndone == 1 &&
	      strcmp(done_rows[0], "echo bc") == 0, "enter ends the line");
	fresh();
	type("echo second");
	CHECK(type("\n") == LEDIT_DONE, "second line");
	fresh();
	type("new");
	type("\033[A");
	shows("up: the last line", "echo second", 11);
	type("\033OA");
	shows("up again (ESC O A): the one before", "echo bc", 7);
	type("\033[A");
	shows("up at the oldest stays", "echo bc", 7);
	type("\033[B\033[B");
	shows("down to the new line, as typed", "new", 3);
	type("\033[B");
	shows("down past the new line stays", "new", 3);
	type("\033[A x\033[1;5D");
	shows("edit a history line (an ESC [ 1 ; 5 D sequence too)", "echo second x", 12);
	CHECK(type("\r") == LEDIT_DONE && e.nhist == 3, "the edited line joins the history (%d)", e.nhist);
	fresh();
	type("\033[A\r");
	CHECK(e.nhist == 3, "the same line again is not kept twice");
	fresh();
	type("junk junk\025");
	shows("^U", "", 0);
	type("echo one two\027three");
	shows("^W", "echo one three", 14);
	type("\033[D\033[D\033[D\033[D\033[D\027");
	shows("^W in the middle", "echo three", 5);
	CHECK(type("\004") == LEDIT_MORE, "^D on a line is nothing");
	CHECK(type("\003") == LEDIT_INTR && e.len == 0, "^C drops the line");
	fresh();
	CHECK(type("\004") == LEDIT_EOF, "^D on an empty line: the end");
	fresh();
	type("a\001\002b\t");
	shows("other control bytes are dropped", "ab", 2);
	fresh();
	for (int i = 0; i < 1100; i++)
		type("x");
	CHECK(e.len == LEDIT_LINE_MAX - 1, "a line stops at %d bytes (%zu)", LEDIT_LINE_MAX - 1, e.len);
	fresh();
	for (int i = 0; i < LEDIT_HISTORY + 5; i++) {
		char l[16];
		snprintf(l, sizeof l, "cmd %d\r", i);
		fresh();
		type(l);
	}
	CHECK(e.nhist == LEDIT_HISTORY && strcmp(e.hist[0], "cmd 5") == 0, "the oldest lines go: %d [%s]", e.nhist,
	      e.hist[0]);
	return unit_report();
}
