/* The shell's command language (parse.c and glob.c, portable and host-tested):
 *   words separated by blanks; 'single quotes' keep everything; "double
 *   quotes" keep everything but \" \\ \$ \` (escapes) and $ expansions;
 *   outside quotes a backslash makes the next character plain, # at the
 *   start of a word begins a comment;
 *   $? is the last status; $NAME and ${NAME} a variable's value (when the
 *   shell gives sh_lookup): outside double quotes the value is split into
 *   words at blanks, and an empty one makes no word;
 *   NAME=value words before the command are assignments;
 *   an unquoted * ? or [...] makes a word a pattern (glob.c): the paths it
 *   matches, sorted as dash sorts them, or the word itself when none;
 *   [N]< FILE, [N]> FILE, [N]>> FILE redirect descriptor N (0, 1 or 2;
 *   by default 0 for <, 1 for >), N>&M makes N a copy of M (2>&1, >&2),
 *   in the order written;
 *   | makes a pipeline; ; and newline separate commands, && runs the next
 *   command only if this one succeeded, || only if it failed (left to
 *   right, with equal precedence, as POSIX shells do).
 * & ( ) ` alone are refused by name. */
#ifndef SH_H
#define SH_H

#include <stddef.h>

#define SH_LINE_MAX 1024        /* a command line, with its newline */
#define SH_ARGS_MAX 64
#define SH_REDIR_MAX 8
#define SH_ASSIGN_MAX 16
#define SH_PIPE_MAX 16          /* commands in a pipeline */
enum { SH_SEP_END, SH_SEP_AND, SH_SEP_OR, SH_SEP_PIPE };
enum { SH_R_IN, SH_R_OUT, SH_R_APPEND, SH_R_DUP };

struct sh_redir {
	int fd;                         /* 0, 1 or 2 */
	int op;                         /* SH_R_* */
	char *name;                     /* the file (not for SH_R_DUP) */
	int from;                       /* SH_R_DUP: fd becomes a copy of this one */
};

struct sh_cmd {
	int argc;
	char *argv[SH_ARGS_MAX + 1];    /* NULL-terminated */
	/* the pattern of argv[I] when it has an unquoted * ? or [ (quoted
	 * characters escaped with '\'), else NULL */
	char *glob[SH_ARGS_MAX + 1];
	char *in;                       /* the last < FILE, or NULL */
	char *out;                      /* the last > FILE or >> FILE (descriptor 1), or NULL */
	int append;                     /* that output redirection is >> */
	int nredir;
	struct sh_redir redir[SH_REDIR_MAX];   /* all of them, in order */
	int nassign;
	char *assign[SH_ASSIGN_MAX];    /* "NAME=value" before the command */
	int sep;                        /* what followed: SH_SEP_END, _AND (&&), _OR (||), _PIPE (|) */
	int more;                       /* the error: the line ends after &&, || or | */
	char words[2 * SH_LINE_MAX];    /* where argv, assign and redirection names point */
	char pats[2 * SH_LINE_MAX];     /* where glob points */
};

/* The value of variable NAME or NULL when unset; NULL (the default) leaves
 * $NAME and ${NAME} as written. */
extern const char *(*sh_lookup)(const char *name);

/* Parses the command at *LINE, up to ';', '&&', '||', '|', a newline or
 * the end, expanding $? to STATUS.  Returns 1 with *C filled in (argc may
 * be 0 when the command is only redirections or assignments) and *LINE
 * moved past the command and its separator; 0 when nothing but blanks and
 * comments is left; -1 for a syntax error, with ERR (ERRSIZE bytes) saying
 * what is wrong (and C->more set when the error is only that the line ends
 * after &&, || or |: a script's next line may continue it). */
int sh_parse(const char **line, int status, struct sh_cmd *c, char *err, size_t errsize);

/* Checks a whole line without running anything: 0, or -1 with ERR. */
int sh_check(const char *line, char *err, size_t errsize);
/* Whether the line's one fault is that it ends after &&, || or |. */
int sh_incomplete(const char *line);

/* Appends WORD to the command line in OUT (SIZE bytes, a string), after a
 * blank unless OUT is empty, quoted so that sh_parse gives it back as it
 * is, with nothing expanded: in single quotes, each ' as '\''.  0, or -1
 * when it does not fit (OUT is then as it was). */
int sh_quote_append(char *out, size_t size, const char *word);

/* glob.c: a growing list of strings (each malloc'd). */
struct sh_list {
	char **v;
	int n, cap;
};
/* Whether NAME matches PATTERN (one path component: * ? [...] [!...],
 * '\' makes the next character plain). */
int sh_match(const char *pattern, const char *name);
/* Appends the paths PATTERN matches, sorted as dash sorts them (by
 * strcmp); a name starting with '.' only where the pattern's component
 * starts with '.'.  Returns how many (0: none), or -1 when out of memory. */
int sh_glob(const char *pattern, struct sh_list *l);
/* Appends a copy of S: 0, or -1 when out of memory. */
int sh_list_add(struct sh_list *l, const char *s);
void sh_list_free(struct sh_list *l);

#endif
