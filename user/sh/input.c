/* The prompt's line: read from the terminal in raw mode (no echo, no ^C
 * of the terminal's own) and edited here with lib/tty's line editor, so
 * that Up and Down bring back earlier lines and Left and Right move in the
 * line; the terminal's mode is put back before any command runs, so that
 * programs get edited lines and ^C ends them as before. */
#include "shell.h"
#include "term/proto.h"
#include "tty/ledit.h"

static struct ledit ed;
static int ready;
static char typed[256];                 /* read but not yet edited: typed ahead */
static size_t typed_at, typed_len;

/* The most one key makes the editor write: a whole line replaced over a
 * longer one (back to its start, the line, blanks, back again). */
#define KEY_OUT_MAX (3 * LEDIT_LINE_MAX)

/* What the keys taken so far changed on the screen, in one write: each
 * write is a round trip to the terminal and one to the console. */
static void show_edits(void)
{
	if (ed.out_len) {
		write(2, ed.out, ed.out_len);
		ed.out_len = 0;
	}
}

int read_edited(char *line, size_t size)
{
	unsigned mode;
	if (tty_get_mode(0, &mode) < 0)
		return fgets(line, (int)size, stdin) != NULL;
	if (!ready) {
		ledit_init(&ed);
		ready = 1;
	}
	ledit_begin(&ed);
	tty_set_mode(0, 0);
	int r = LEDIT_MORE;
	while (r == LEDIT_MORE) {
		if (typed_at == typed_len) {
			show_edits();           /* before waiting for more keys */
			ssize_t n = read(0, typed, sizeof typed);
			if (n <= 0) {
				r = LEDIT_EOF;
				break;
			}
			typed_at = 0;
			typed_len = (size_t)n;
		}
		r = ledit_key(&ed, (unsigned char)typed[typed_at++]);
		if (ed.out_len > LEDIT_OUT_MAX - KEY_OUT_MAX)
			show_edits();
	}
	show_edits();
	tty_set_mode(0, mode);
	if (r == LEDIT_EOF)
		return 0;
	if (r == LEDIT_INTR)
		status = 128 + SIGINT;          /* as dash's prompt does */
	snprintf(line, size, "%s\n", r == LEDIT_DONE ? ed.line : "");     /* ^C: an empty line */
	return 1;
}
