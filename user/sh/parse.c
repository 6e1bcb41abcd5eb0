/* The shell's parser: one command at a time, so that $? and $NAME in the
 * next command see what the one before it did.  Portable: the host unit
 * test (tests/unit/test_sh.c) builds it too. */
#include "rt/rt.h"
#include "sh.h"

const char *(*sh_lookup)(const char *name);

struct parser {
	const char *p;          /* the next character of the line */
	struct sh_cmd *c;
	size_t used, pused;     /* bytes of c->words and c->pats taken */
	int status;
	char *err;
	size_t errsize;
	/* the word being built */
	size_t start, pstart;
	int quoted;             /* it had quotes: kept even when empty */
	int glob;               /* it has an unquoted * ? or [ */
};

static int fail(struct parser *ps, const char *what, const char *arg)
{
	snprintf(ps->err, ps->errsize, what, arg);
	return -1;
}

static int too_long(struct parser *ps)
{
	return fail(ps, "the line is too long", NULL);
}

static void begin(struct parser *ps)
{
	ps->start = ps->used;
	ps->pstart = ps->pused;
	ps->quoted = ps->glob = 0;
}

/* Adds CH to the word; QUOTED: it came from quotes (never a pattern character). */
static int put(struct parser *ps, char ch, int quoted)
{
	int special = ch == '*' || ch == '?' || ch == '[' || ch == '\\';
	if (ps->used + 1 >= sizeof ps->c->words || ps->pused + 2 >= sizeof ps->c->pats)
		return too_long(ps);
	ps->c->words[ps->used++] = ch;
	if (special && (quoted || ch == '\\'))
		ps->c->pats[ps->pused++] = '\\';
	else if (special)
		ps->glob = 1;
	ps->c->pats[ps->pused++] = ch;
	return 0;
}

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

static int is_name(char ch, int first)
{
	return ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (!first && ch >= '0' && ch <= '9');
}

/* Characters that end an unquoted word. */
static int ends_word(char ch)
{
	return ch == 0 || is_blank(ch) || ch == '\n' || ch == ';' || ch == '<' || ch == '>' ||
	       ch == '|' || ch == '&' || ch == '(' || ch == ')' || ch == '`';
}

/* Ends the word being built.  SPLIT (a command's words): it joins argv,
 * unless it is empty and was never quoted; else it is *OUT. */
static int finish(struct parser *ps, int split, char **out)
{
	struct sh_cmd *c = ps->c;
	if (ps->used >= sizeof c->words || ps->pused >= sizeof c->pats)
		return too_long(ps);
	ps->c->words[ps->used++] = 0;
	ps->c->pats[ps->pused++] = 0;
	if (!split) {
		*out = c->words + ps->start;
		return 0;
	}
	if (ps->used - 1 == ps->start && !ps->quoted) {
		ps->used = ps->start;           /* an empty expansion: no word */
		ps->pused = ps->pstart;
		return 0;
	}
	if (c->argc == SH_ARGS_MAX)
		return fail(ps, "more than 64 words in a command", NULL);
	c->argv[c->argc] = c->words + ps->start;
	c->glob[c->argc] = ps->glob ? c->pats + ps->pstart : NULL;
	if (!ps->glob)
		ps->pused = ps->pstart;
	c->argc++;
	return 0;
}

/* A value expanded: quoted, or split into words at blanks. */
static int put_value(struct parser *ps, const char *v, int quoted, int split)
{
	for (; *v; v++) {
		if (!quoted && split && (*v == ' ' || *v == '\t' || *v == '\n')) {
			if (ps->used > ps->start || ps->quoted) {
				if (finish(ps, 1, NULL) < 0)
					return -1;
				begin(ps);
			}
			continue;
		}
		if (put(ps, *v, quoted) < 0)
			return -1;
	}
	return 0;
}

/* After a '$': $?, $NAME or ${NAME} expanded (1), or a plain '$' (0,
 * nothing taken), or -1. */
static int dollar(struct parser *ps, int quoted, int split)
{
	const char *p = ps->p;
	char num[12], name[64];
	if (*p == '?') {
		ps->p++;
		snprintf(num, sizeof num, "%d", ps->status);
		return put_value(ps, num, 1, 0) < 0 ? -1 : 1;
	}
	if (!sh_lookup)
		return 0;
	int brace = *p == '{';
	p += brace;
	size_t n = 0;
	while (is_name(p[n], n == 0) && n < sizeof name - 1) {
		name[n] = p[n];
		n++;
	}
	name[n] = 0;
	if (brace && (n == 0 || p[n] != '}'))
		return fail(ps, "bad substitution: a ${ without a name and } after it", NULL);
	if (n == 0)
		return 0;
	if (is_name(p[n], 0))
		return fail(ps, "a variable name longer than 63 characters", NULL);
	ps->p = p + n + brace;
	const char *v = sh_lookup(name);
	return put_value(ps, v ? v : "", quoted, split) < 0 ? -1 : 1;
}

/* Inside "...", after the opening quote; leaves ps->p past the closing one. */
static int double_quoted(struct parser *ps)
{
	ps->quoted = 1;
	for (;;) {
		char ch = *ps->p;
		if (ch == 0)
			return fail(ps, "unterminated \" quote", NULL);
		ps->p++;
		if (ch == '"')
			return 0;
		if (ch == '\\' && (*ps->p == '"' || *ps->p == '\\' || *ps->p == '$' || *ps->p == '`')) {
			ch = *ps->p++;
		} else if (ch == '$') {
			int r = dollar(ps, 1, 0);
			if (r < 0)
				return -1;
			if (r > 0)
				continue;
		}
		if (put(ps, ch, 1) < 0)
			return -1;
	}
}

/* One word at ps->p (which does not end a word).  SPLIT: a command's word,
 * added to argv (maybe as several, or none); else one word, *OUT. */
static int word(struct parser *ps, int split, char **out)
{
	begin(ps);
	while (!ends_word(*ps->p)) {
		char ch = *ps->p++;
		if (ch == '\'') {
			const char *close = strchr(ps->p, '\'');
			if (!close)
				return fail(ps, "unterminated ' quote", NULL);
			ps->quoted = 1;
			while (ps->p < close)
				if (put(ps, *ps->p++, 1) < 0)
					return -1;
			ps->p++;
		} else if (ch == '"') {
			if (double_quoted(ps) < 0)
				return -1;
		} else if (ch == '\\') {
			if (*ps->p == 0 || *ps->p == '\n')
				return fail(ps, "\\ at the end of the line", NULL);
			if (put(ps, *ps->p++, 1) < 0)
				return -1;
		} else if (ch == '$') {
			int r = dollar(ps, 0, split);
			if (r < 0 || (r == 0 && put(ps, ch, 0) < 0))
				return -1;
		} else if (put(ps, ch, 0) < 0) {
			return -1;
		}
	}
	return finish(ps, split, out);
}

static void skip_blanks(struct parser *ps)
{
	while (is_blank(*ps->p))
		ps->p++;
}

/* A redirection: [N] then the operator at ps->p, then a file name or, for
 * >& and <&, a descriptor. */
static int redirection(struct parser *ps)
{
	static const char *const what[3] = { "input", "output", "error output" };
	struct sh_cmd *c = ps->c;
	int fd = -1;
	if (*ps->p >= '0' && *ps->p <= '9')
		fd = *ps->p++ - '0';
	char lt = *ps->p == '<';
	const char *op = ps->p[1] == '&' ? (lt ? "<&" : ">&") : lt ? "<" : ps->p[1] == '>' ? ">>" : ">";
	ps->p += strlen(op);
	if (fd < 0)
		fd = lt ? 0 : 1;
	if (fd > 2)
		return fail(ps, "%s: only descriptors 0, 1 and 2 can be redirected", op);
	if (c->nredir == SH_REDIR_MAX)
		return fail(ps, "more than 8 redirections in a command", NULL);
	struct sh_redir *r = &c->redir[c->nredir];
	skip_blanks(ps);
	char ch = *ps->p;
	if (op[1] == '&') {
		if (ch < '0' || ch > '2' || !ends_word(ps->p[1]))
			return fail(ps, "%s needs a descriptor: 0, 1 or 2", op);
		*r = (struct sh_redir){ fd, SH_R_DUP, NULL, ch - '0' };
		ps->p++;
		c->nredir++;
		return 0;
	}
	if (ends_word(ch) || ch == '#')
		return fail(ps, "%s needs a file name", op);
	for (int i = 0; i < c->nredir; i++)
		if (c->redir[i].fd == fd && c->redir[i].op != SH_R_DUP)
			return fail(ps, "more than one %s redirection", what[fd]);
	char *name;
	if (word(ps, 0, &name) < 0)
		return -1;
	*r = (struct sh_redir){ fd, lt ? SH_R_IN : op[1] == '>' ? SH_R_APPEND : SH_R_OUT, name, 0 };
	c->nredir++;
	if (fd == 0)
		c->in = name;
	if (fd == 1) {
		c->out = name;
		c->append = op[1] == '>';
	}
	return 0;
}

/* Whether P starts NAME=. */
static int assignment(const char *p)
{
	if (!is_name(*p, 1))
		return 0;
	while (is_name(*p, 0))
		p++;
	return *p == '=';
}

/* After && || or |: the next command may follow on the next line. */
static int operator(struct parser *ps, const char *op, int empty)
{
	if (empty)
		return fail(ps, "'%s' without a command before it", op);
	ps->p += strlen(op);
	skip_blanks(ps);
	while (*ps->p == '\n') {
		ps->p++;
		skip_blanks(ps);
	}
	if (*ps->p == 0 || *ps->p == ';' || *ps->p == '#' || *ps->p == '|' || *ps->p == '&') {
		ps->c->more = *ps->p == 0;      /* at the end: the next line may bring it */
		return fail(ps, "'%s' without a command after it", op);
	}
	return 0;
}

int sh_parse(const char **line, int status, struct sh_cmd *c, char *err, size_t errsize)
{
	struct parser ps = { .p = *line, .c = c, .status = status, .err = err, .errsize = errsize };
	c->argc = c->nredir = c->nassign = c->more = 0;
	c->in = c->out = NULL;
	c->append = 0;
	c->sep = SH_SEP_END;
	for (;;) {
		skip_blanks(&ps);
		char ch = *ps.p;
		int empty = c->argc == 0 && c->nredir == 0 && c->nassign == 0;
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
		if ((ch == '&' || ch == '|') && (ps.p[1] == ch || ch == '|')) {
			int pipe = ps.p[1] != ch;
			int r = operator(&ps, pipe ? "|" : ch == '&' ? "&&" : "||", empty);
			if (r < 0)
				return r;
			*line = ps.p;
			c->argv[c->argc] = NULL;
			c->sep = pipe ? SH_SEP_PIPE : ch == '&' ? SH_SEP_AND : SH_SEP_OR;
			return 1;
		}
		if (ch == '&' || ch == '(' || ch == ')' || ch == '`') {
			char what[2] = { ch, 0 };
			return fail(&ps, "'%s' is not supported (no background jobs, subshells or substitution)",
			            what);
		}
		if (ch == '<' || ch == '>' || (ch >= '0' && ch <= '9' && (ps.p[1] == '<' || ps.p[1] == '>'))) {
			if (redirection(&ps) < 0)
				return -1;
			continue;
		}
		if (c->argc == 0 && assignment(ps.p)) {
			if (c->nassign == SH_ASSIGN_MAX)
				return fail(&ps, "more than 16 assignments in a command", NULL);
			if (word(&ps, 0, &c->assign[c->nassign]) < 0)
				return -1;
			c->nassign++;
			continue;
		}
		if (word(&ps, 1, NULL) < 0)
			return -1;
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

int sh_incomplete(const char *line)
{
	static struct sh_cmd c;
	char err[160];
	int r;
	while ((r = sh_parse(&line, 0, &c, err, sizeof err)) > 0)
		;
	return r < 0 && c.more;
}

int sh_quote_append(char *out, size_t size, const char *word)
{
	size_t k = strlen(out), need = (k > 0) + 2 + 1;    /* blank, quotes, NUL */
	for (const char *s = word; *s; s++)
		need += *s == '\'' ? 4 : 1;
	if (need > size - k)
		return -1;
	if (k > 0)
		out[k++] = ' ';
	out[k++] = '\'';
	for (const char *s = word; *s; s++) {
		if (*s == '\'') {               /* ends the quotes, a plain ', quotes again */
			memcpy(out + k, "'\\''", 4);
			k += 4;
		} else {
			out[k++] = *s;
		}
	}
	out[k++] = '\'';
	out[k] = 0;
	return 0;
}
