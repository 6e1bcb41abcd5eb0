/* The shell's command language (parse.c, portable and host-tested):
 *   words separated by blanks; 'single quotes' keep everything; "double
 *   quotes" keep everything but \" \\ \$ \` (escapes) and $?; outside
 *   quotes a backslash makes the next character plain, $? is the last
 *   status, # at the start of a word begins a comment;
 *   < FILE, > FILE, >> FILE redirect; ; and newline separate commands,
 *   && runs the next command only if this one succeeded, || only if it
 *   failed (left to right, with equal precedence, as POSIX shells do).
 * A '$' not followed by '?' is plain; | & ( ) ` alone are refused by name. */
#ifndef SH_H
#define SH_H

#include <stddef.h>

#define SH_LINE_MAX 1024        /* a command line, with its newline */
#define SH_ARGS_MAX 64
enum { SH_SEP_END, SH_SEP_AND, SH_SEP_OR, SH_SEP_PIPE };
#define SH_PIPE_MAX 16           /* commands in a pipeline */

struct sh_cmd {
	int argc;
	char *argv[SH_ARGS_MAX + 1];    /* NULL-terminated */
	char *in;                       /* < FILE, or NULL */
	char *out;                      /* > FILE or >> FILE, or NULL */
	int append;                     /* the output redirection is >> */
	int sep;                        /* what followed: SH_SEP_END, SH_SEP_AND (&&), SH_SEP_OR (||), SH_SEP_PIPE (|) */
	char words[2 * SH_LINE_MAX];    /* where argv, in and out point */
};

/* Parses the command at *LINE, up to ';', '&&', '||', a newline or the end, expanding
 * $? to STATUS.  Returns 1 with *C filled in (argc may be 0 when the command
 * is only redirections) and *LINE moved past the command and its separator;
 * 0 when nothing but blanks and comments is left; -1 for a syntax error,
 * with ERR (ERRSIZE bytes) saying what is wrong. */
int sh_parse(const char **line, int status, struct sh_cmd *c, char *err, size_t errsize);

/* Checks a whole line without running anything: 0, or -1 with ERR. */
int sh_check(const char *line, char *err, size_t errsize);

#endif
