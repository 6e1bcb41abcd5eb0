/* A line editor with history (lib/tty/ledit.c), portable: for a program
 * that reads its terminal in raw mode (sh at its prompt).  Bytes typed go
 * in one at a time; what to write to the terminal (the echo, redraws,
 * cursor moves with "\b") comes out in OUT.  Left and Right move in the
 * line, Up and Down walk the history (ESC [ A..D or ESC O A..D), Backspace
 * erases before the cursor, ^U the line, ^W the word before the cursor;
 * Enter ends the line, ^D on an empty line is the end of input, ^C drops
 * the line.  Other control bytes and escape sequences are dropped. */
#ifndef TTY_LEDIT_H
#define TTY_LEDIT_H

#include <stddef.h>

#define LEDIT_LINE_MAX 1024     /* with the NUL */
#define LEDIT_HISTORY 32        /* lines kept */
#define LEDIT_OUT_MAX (4 * LEDIT_LINE_MAX)

enum { LEDIT_MORE, LEDIT_DONE, LEDIT_EOF, LEDIT_INTR };

struct ledit {
	char line[LEDIT_LINE_MAX];      /* NUL-terminated */
	size_t len, cur;                /* length, cursor */
	char hist[LEDIT_HISTORY][LEDIT_LINE_MAX];
	int nhist;                      /* lines in hist, the oldest first */
	int browse;                     /* the history line shown; nhist: the new line */
	char saved[LEDIT_LINE_MAX];     /* the new line while browsing */
	int esc;                        /* 1 after ESC, 2 after ESC [ or ESC O */
	char out[LEDIT_OUT_MAX];
	size_t out_len;                 /* to write; the caller empties it */
};

void ledit_init(struct ledit *e);
/* Starts a new, empty line. */
void ledit_begin(struct ledit *e);
/* Takes one typed byte: LEDIT_DONE (the line is in e->line, without its
 * newline, and in the history unless empty or the same as the last),
 * LEDIT_EOF, LEDIT_INTR (the line dropped), or LEDIT_MORE. */
int ledit_key(struct ledit *e, unsigned char ch);

#endif
