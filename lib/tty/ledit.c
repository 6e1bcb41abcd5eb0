/* The line editor (tty/ledit.h).  The screen is kept in step with the line
 * by writing only what changed: the tail after the cursor when inserting or
 * erasing, then "\b" back to the cursor; a whole new line (from history)
 * over the old one, padded with blanks where it was longer.  Portable: the
 * host unit test (tests/unit/test_ledit.c) replays keys on a model screen. */
#include "rt/rt.h"
#include "tty/ledit.h"

static void emit(struct ledit *e, const char *s, size_t n)
{
	if (n > sizeof e->out - e->out_len)
		n = sizeof e->out - e->out_len;
	memcpy(e->out + e->out_len, s, n);
	e->out_len += n;
}

static void emit_n(struct ledit *e, char ch, size_t n)
{
	while (n-- > 0)
		emit(e, &ch, 1);
}

void ledit_init(struct ledit *e)
{
	memset(e, 0, sizeof *e);
}

void ledit_begin(struct ledit *e)
{
	e->len = e->cur = 0;
	e->line[0] = 0;
	e->browse = e->nhist;
	e->esc = 0;
}

/* Writes the line from the cursor on, ERASED more blanks where characters
 * were, and goes back to the cursor. */
static void redraw_tail(struct ledit *e, size_t erased)
{
	emit(e, e->line + e->cur, e->len - e->cur);
	emit_n(e, ' ', erased);
	emit_n(e, '\b', e->len - e->cur + erased);
}

/* Replaces the whole line with S, the cursor at its end. */
static void replace(struct ledit *e, const char *s)
{
	size_t old = e->len, n = strlen(s);
	if (n >= LEDIT_LINE_MAX)
		n = LEDIT_LINE_MAX - 1;
	emit_n(e, '\b', e->cur);
	memmove(e->line, s, n);
	e->line[n] = 0;
	e->len = e->cur = n;
	emit(e, e->line, n);
	emit_n(e, ' ', old > n ? old - n : 0);
	emit_n(e, '\b', old > n ? old - n : 0);
}

/* Erases the N characters before the cursor. */
static void erase_back(struct ledit *e, size_t n)
{
	memmove(e->line + e->cur - n, e->line + e->cur, e->len - e->cur + 1);
	e->cur -= n;
	e->len -= n;
	emit_n(e, '\b', n);
	redraw_tail(e, n);
}

static void history_move(struct ledit *e, int to)
{
	if (to < 0 || to > e->nhist || to == e->browse)
		return;
	if (e->browse == e->nhist)
		memcpy(e->saved, e->line, e->len + 1);
	e->browse = to;
	replace(e, to == e->nhist ? e->saved : e->hist[to]);
}

static void remember(struct ledit *e)
{
	if (e->len == 0 || (e->nhist > 0 && strcmp(e->hist[e->nhist - 1], e->line) == 0))
		return;
	if (e->nhist == LEDIT_HISTORY) {
		memmove(e->hist[0], e->hist[1], sizeof e->hist[0] * (LEDIT_HISTORY - 1));
		e->nhist--;
	}
	memcpy(e->hist[e->nhist++], e->line, e->len + 1);
}

/* The final byte of an escape sequence. */
static void escape(struct ledit *e, unsigned char ch)
{
	if (ch == 'A')
		history_move(e, e->browse - 1);
	else if (ch == 'B')
		history_move(e, e->browse + 1);
	else if (ch == 'C' && e->cur < e->len)
		emit(e, e->line + e->cur++, 1);
	else if (ch == 'D' && e->cur > 0) {
		emit(e, "\b", 1);
		e->cur--;
	}
}

int ledit_key(struct ledit *e, unsigned char ch)
{
	if (e->esc == 1) {
		e->esc = ch == '[' || ch == 'O' ? 2 : 0;
		return LEDIT_MORE;
	}
	if (e->esc == 2) {
		if (ch >= 0x40 && ch <= 0x7e) {         /* the final byte; digits and ; come before it */
			e->esc = 0;
			escape(e, ch);
		}
		return LEDIT_MORE;
	}
	switch (ch) {
	case 27:
		e->esc = 1;
		return LEDIT_MORE;
	case '\r':
	case '\n':
		emit(e, "\n", 1);
		remember(e);
		return LEDIT_DONE;
	case 4:                                 /* ^D */
		return e->len == 0 ? LEDIT_EOF : LEDIT_MORE;
	case 3:                                 /* ^C */
		emit(e, "^C\n", 3);
		ledit_begin(e);
		return LEDIT_INTR;
	case 127:
	case '\b':
		if (e->cur > 0)
			erase_back(e, 1);
		return LEDIT_MORE;
	case 21:                                /* ^U: all before the cursor */
		if (e->cur > 0)
			erase_back(e, e->cur);
		return LEDIT_MORE;
	case 23: {                              /* ^W: the word before the cursor */
		size_t n = 0;
		while (n < e->cur && e->line[e->cur - n - 1] == ' ')
			n++;
		while (n < e->cur && e->line[e->cur - n - 1] != ' ')
			n++;
		if (n > 0)
			erase_back(e, n);
		return LEDIT_MORE;
	}
	}
	if (ch < 32 || e->len + 1 >= LEDIT_LINE_MAX)
		return LEDIT_MORE;
	memmove(e->line + e->cur + 1, e->line + e->cur, e->len - e->cur + 1);
	e->line[e->cur] = (char)ch;
	e->len++;
	emit(e, (char *)&ch, 1);
	e->cur++;
	redraw_tail(e, 0);
	return LEDIT_MORE;
}
