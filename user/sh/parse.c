/* The shell's parser: one command at a time, so that $? in the next
 * command sees the status of the one before it.  Portable: the host unit
 * test (tests/unit/test_sh.c) builds it too. */
#include "rt/rt.h"
#include "sh.h"

struct parser {
	const char *p;          /* the next character of the line */
	struct sh_cmd *c;
	size_t used;            /* bytes of c->words taken */
	int status;
	char *err;
	size_t errsize;
};

static int fail(struct parser *ps, const char *what, const char *arg)
{
	snprintf(ps->err, ps->errsize, what, arg);
	return -1;
}

static int put(struct parser *ps, char ch)
{
	if (ps->used >= sizeof ps->c->words)
		return fail(ps, "the line is too long", NULL);
	ps->c->words[ps->used++] = ch;
	return 0;
}

static int put_status(struct parser *ps)
{
	char num[12];
	int n = snprintf(num, sizeof num, "%d", ps->status);
	for (int i = 0; i < n; i++)
		if (put(ps, num[i]) < 0)
			return -1;
	return 0;
}

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* Characters that end an unquoted word. */
static int ends_word(char ch)
{
	return ch == 0 || is_blank(ch) || ch == '\n' || ch == ';' || ch == '<' || ch == '>' ||
	       ch == '|' || ch == '&' || ch == '(' || ch == ')' || ch == '`';
}

/* Inside "...", after the opening quote; leaves ps->p past the closing one. */
static int double_quoted(struct parser *ps)
{
	for (;;) {
		char ch = *ps->p;
		if (ch == 0)
			return fail(ps, "unterminated \" quote", NULL);
		ps->p++;
		if (ch == '"')
			return 0;
		if (ch == '\\' && (*ps->p == '"' || *ps->p == '\\' || *ps->p == '$' || *ps->p == '`')) {
			ch = *ps->p++;
		} else if (ch == '$' && *ps->p == '?') {
			ps->p++;
			if (put_status(ps) < 0)
				return -1;
			continue;
		}
		if (put(ps, ch) < 0)
			return -1;
	}
}

/* One word at ps->p (which does not end a word); *OUT points to it, NUL-terminated. */
static int word(struct parser *ps, char **out)
{
	*out = ps->c->words + ps->used;
	while (!ends_word(*ps->p)) {
		char ch = *ps->p++;
		if (ch == '\'') {
			const char *close = strchr(ps->p, '\'');
			if (!close)
				return fail(ps, "unterminated ' quote", NULL);
			while (ps->p < close)
				if (put(ps, *ps->p++) < 0)
					return -1;
			ps->p++;
		} else if (ch == '"') {
			if (double_quoted(ps) < 0)
				return -1;
		} else if (ch == '\\') {
			if (*ps->p == 0 || *ps->p == '\n')
				return fail(ps, "\\ at the end of the line", NULL);
			if (put(ps, *ps->p++) < 0)
				return -1;
		} else if (ch == '$' && *ps->p == '?') {
			ps->p++;
			if (put_status(ps) < 0)
				return -1;
		} else if (put(ps, ch) < 0) {
			return -1;
		}
	}
	return put(ps, 0);
}

static void skip_blanks(struct parser *ps)
{
	while (is_blank(*ps->p))
		ps->p++;
}

/* A redirection: the operator at ps->p, then its file name. */
static int redirection(struct parser *ps)
{
	struct sh_cmd *c = ps->c;
	const char *op = *ps->p == '<' ? "<" : ps->p[1] == '>' ? ">>" : ">";
	ps->p += strlen(op);
	skip_blanks(ps);
	char ch = *ps->p;
	if (ends_word(ch) || ch == '#')
		return fail(ps, "%s needs a file name", op);
	if (op[0] == '<' ? c->in != NULL : c->out != NULL)
		return fail(ps, "more than one %s redirection", op[0] == '<' ? "input" : "output");
	char *name;
	if (word(ps, &name) < 0)
		return -1;
	if (op[0] == '<') {
		c->in = name;
	} else {
		c->out = name;
		c->append = op[1] == '>';
	}
	return 0;
}

int sh_parse(const char **line, int status, struct sh_cmd *c, char *err, size_t errsize)
{
	struct parser ps = { .p = *line, .c = c, .used = 0, .status = status, .err = err, .errsize = errsize };
	c->argc = 0;
	c->in = c->out = NULL;
	c->append = 0;
	c->sep = SH_SEP_END;
	for (;;) {
		skip_blanks(&ps);
		char ch = *ps.p;
		int empty = c->argc == 0 && !c->in && !c->out;
		if (ch == '#') {                /* a comment, to the end of the line */
			while (*ps.p && *ps.p != '\n')
				ps.p++;
			continue;
		}
		if (ch == 0 || ch == '\n' || ch == ';') {
			if (ch == ';' && empty)
				return fail(&ps, "';' without a command before it", NULL);
			if (ch != 0)
				ps.p++;
			if (empty && ch == '\n')
				continue;       /* a blank line */
			*line = ps.p;
			c->argv[c->argc] = NULL;
			return empty ? 0 : 1;
		}
		if ((ch == '&' || ch == '|') && ps.p[1] == ch) {
			const char *op = ch == '&' ? "&&" : "||";
			if (empty)
				return fail(&ps, "'%s' without a command before it", op);
			ps.p += 2;
			skip_blanks(&ps);
			while (*ps.p == '\n') {        /* the next command may follow on the next line */
				ps.p++;
				skip_blanks(&ps);
			}
			if (*ps.p == 0 || *ps.p == ';' || *ps.p == '#')
				return fail(&ps, "'%s' without a command after it", op);
			*line = ps.p;
			c->argv[c->argc] = NULL;
			c->sep = ch == '&' ? SH_SEP_AND : SH_SEP_OR;
			return 1;
		}
		if (ch == '|') {
			if (empty)
				return fail(&ps, "'|' without a command before it", NULL);
			ps.p++;
			skip_blanks(&ps);
			while (*ps.p == '\n') {
				ps.p++;
				skip_blanks(&ps);
			}
			if (*ps.p == 0 || *ps.p == ';' || *ps.p == '#' || *ps.p == '|' || *ps.p == '&')
				return fail(&ps, "'|' without a command after it", NULL);
			*line = ps.p;
			c->argv[c->argc] = NULL;
			c->sep = SH_SEP_PIPE;
			return 1;
		}
		if (ch == '&' || ch == '(' || ch == ')' || ch == '`') {
			char what[2] = { ch, 0 };
			return fail(&ps, "'%s' is not supported (no background jobs, subshells or substitution)",
			            what);
		}
		if (ch == '<' || ch == '>') {
			if (redirection(&ps) < 0)
				return -1;
			continue;
		}
		if (c->argc == SH_ARGS_MAX) {
			snprintf(err, errsize, "more than %d words in a command", SH_ARGS_MAX);
			return -1;
		}
		if (word(&ps, &c->argv[c->argc]) < 0)
			return -1;
		c->argc++;
	}
}

int sh_check(const char *line, char *err, size_t errsize)
{
	static struct sh_cmd c;
	int r;
	while ((r = sh_parse(&line, 0, &c, err, errsize)) > 0)
		;
	return r;
}
