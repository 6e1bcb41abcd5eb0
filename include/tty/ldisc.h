/* The line discipline of a terminal (lib/tty/ldisc.c), portable: bytes typed
 * go in, what to echo and what readers get come out.  In canonical mode
 * (TERM_MODE_CANON) input is edited a line at a time: Backspace (DEL or
 * BS) erases a character (a UTF-8 sequence as one), ^U the line, ^W the last
 * word, Enter (\r, \n, or \r\n as one) ends the line as "\n", ^D ends it
 * without a newline and, on an empty line, is the end of input (one read
 * returns 0); escape sequences (arrow keys) are dropped.  In raw mode every
 * byte goes to readers as typed.  With TERM_MODE_ISIG, ^C drops the line
 * being edited and is reported to the caller, which interrupts the
 * foreground; with TERM_MODE_ECHO, typed characters are echoed, "\n" as
 * "\r\n" for a console that does no output processing. */
#ifndef TTY_LDISC_H
#define TTY_LDISC_H

#include <stddef.h>

#define LDISC_LINE_MAX 1024     /* one line being edited */
#define LDISC_QUEUE 4096        /* input ready for readers */
#define LDISC_ECHO_MAX (3 * LDISC_LINE_MAX + 16)

struct ldisc {
	unsigned mode;                  /* TERM_MODE_* */
	char line[LDISC_LINE_MAX];
	size_t len;                     /* the line being edited (canonical mode) */
	char q[LDISC_QUEUE];
	size_t qhead, qlen;             /* ready for readers: a ring */
	int eof;                        /* ^D on an empty line: the next read returns 0 */
	int after_cr;                   /* a "\n" right after "\r" is the same Enter */
	int esc;                        /* 1 after ESC, 2 inside ESC [ ... */
	char echo[LDISC_ECHO_MAX];
	size_t echo_len;                /* to write to the screen; the caller empties it */
};

enum { LDISC_NOTHING = 0, LDISC_INTR = 1 };

/* A discipline in MODE (TERM_MODE_ALL for a terminal's start). */
void ldisc_init(struct ldisc *l, unsigned mode);
/* Takes the typed byte C: LDISC_INTR for ^C under TERM_MODE_ISIG (the line
 * being edited and the input not yet read are dropped, "^C" is echoed),
 * else LDISC_NOTHING. */
int ldisc_input(struct ldisc *l, unsigned char c);
/* Gives a reader up to N bytes (canonical mode: never past a line's end):
 * the count, 0 for the end of input, -1 when nothing is there yet. */
long ldisc_read(struct ldisc *l, char *buf, size_t n);
/* Completes an empty line for readers (a ^C nobody else takes: the shell
 * at its prompt starts a fresh one). */
void ldisc_empty_line(struct ldisc *l);
/* Changes the mode; a line half-edited in canonical mode goes to readers
 * as it is when raw mode starts. */
void ldisc_set_mode(struct ldisc *l, unsigned mode);

#endif
