/* The shell's parser (user/sh/parse.c): words, quoting, escapes, $?,
 * redirections, separators, comments and every syntax error by its
 * message; then random lines compared with dash, the host's /bin/sh (an
 * oracle nobody here wrote), on what words they make; && and ||, variables
 * and their splitting, patterns (user/sh/glob.c) in a folder of files,
 * and words quoted for a child sh (sh_quote_append) against dash too.
 * Whole scripts are compared with dash in the guest (tests/sh,
 * tests/boot/shcorpus.scenario). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "unit.h"
#include "rt/rt.h"
#include "../../user/sh/sh.h"

static struct sh_cmd cmd;
static char err[200];

/* Parses the first command of LINE with STATUS; the words joined by '|'. */
static const char *words(const char *line, int status, int *r)
{
	static char out[4096];
	size_t k = 0;
	err[0] = 0;
	*r = sh_parse(&line, status, &cmd, err, sizeof err);
	out[0] = 0;
	for (int i = 0; *r > 0 && i < cmd.argc; i++)
		k += snprintf(out + k, sizeof out - k, "%s%s", i ? "|" : "", cmd.argv[i]);
	return out;
}

static void expect_words(const char *line, int status, const char *want)
{
	int r;
	const char *got = words(line, status, &r);
	CHECK(r == 1 && strcmp(got, want) == 0, "%s: got %d [%s] (%s), want [%s]", line, r, got, err, want);
	CHECK(r != 1 || cmd.argv[cmd.argc] == NULL, "%s: argv ends with NULL", line);
}

static void expect_error(const char *line, const char *message)
{
	char e[200];
	int r;
	words(line, 0, &r);
	CHECK(r == -1 && strstr(err, message), "%s: got %d (%s), want the error '%s'", line, r, err, message);
	CHECK(sh_check(line, e, sizeof e) == -1 && strstr(e, message), "%s: sh_check says '%s'", line, e);
}

static void test_words(void)
{
	expect_words("echo hi there", 0, "echo|hi|there");
	expect_words("  ls   -l\t/  ", 0, "ls|-l|/");
	expect_words("echo 'a  b' 'c\"d' '\\n' '$?'", 0, "echo|a  b|c\"d|\\n|$?");
	expect_words("echo \"a  b\" \"x\\\"y\" \"p\\\\q\" \"\\$?\" \"a\\nb\" \"it's\"", 0,
	             "echo|a  b|x\"y|p\\q|$?|a\\nb|it's");
	expect_words("echo a\\ b \\'x \\\"y \\\\z \\$? \\;", 0, "echo|a b|'x|\"y|\\z|$?|;");
	expect_words("echo $? \"$?\" '$?' x$?y \"$?$?\"", 42, "echo|42|42|$?|x42y|4242");
	expect_words("echo $? $?", 255, "echo|255|255");
	expect_words("echo $HOME $ a$ \"$\"", 0, "echo|$HOME|$|a$|$");
	expect_words("echo \"\" '' x\"\"y", 0, "echo|||xy");
	expect_words("echo a\"b c\"d'e f'g", 0, "echo|ab cde fg");
	expect_words("echo a#b '#' \"#\"", 0, "echo|a#b|#|#");
	expect_words("echo a # a comment; echo b", 0, "echo|a");
	expect_words("echo 'a;b' \"c;d\" e\\;f", 0, "echo|a;b|c;d|e;f");
	expect_words("echo '>' \"<\" \\>\\>", 0, "echo|>|<|>>");
	expect_words("echo 'tab\there'", 0, "echo|tab\there");
	expect_words("echo done\r\n", 0, "echo|done");
}

static void test_redirections(void)
{
	int r;
	words("cat < in > out", 0, &r);
	CHECK(r == 1 && cmd.argc == 1 && cmd.in && strcmp(cmd.in, "in") == 0 && cmd.out &&
	      strcmp(cmd.out, "out") == 0 && !cmd.append, "< and >: %d %s", r, err);
	words("echo x >> log", 0, &r);
	CHECK(r == 1 && cmd.argc == 2 && !cmd.in && cmd.out && strcmp(cmd.out, "log") == 0 && cmd.append,
	      ">>: %d %s", r, err);
	const char *w = words("echo x>f", 0, &r);
	CHECK(r == 1 && strcmp(w, "echo|x") == 0 && cmd.out && strcmp(cmd.out, "f") == 0, "x>f: [%s]", w);
	w = words(">f echo x", 0, &r);
	CHECK(r == 1 && strcmp(w, "echo|x") == 0 && cmd.out && strcmp(cmd.out, "f") == 0, ">f first: [%s]", w);
	w = words("echo > \"my file\" 'and more'", 0, &r);
	CHECK(r == 1 && strcmp(w, "echo|and more") == 0 && cmd.out && strcmp(cmd.out, "my file") == 0,
	      "a quoted name: [%s] %s", w, cmd.out ? cmd.out : "(none)");
	w = words("echo $? > out$?", 3, &r);
	CHECK(r == 1 && strcmp(w, "echo|3") == 0 && cmd.out && strcmp(cmd.out, "out3") == 0, "$? in a name");
	w = words("> empty", 0, &r);
	CHECK(r == 1 && cmd.argc == 0 && cmd.argv[0] == NULL && cmd.out && strcmp(cmd.out, "empty") == 0,
	      "only a redirection: %d argc %d", r, cmd.argc);
	w = words("<in", 0, &r);
	CHECK(r == 1 && cmd.argc == 0 && cmd.in && strcmp(cmd.in, "in") == 0, "only <in");
}

static void test_sequences(void)
{
	const char *line = "echo a; echo $?;echo c ; ", *p = line;
	int r = sh_parse(&p, 0, &cmd, err, sizeof err);
	CHECK(r == 1 && cmd.argc == 2 && strcmp(cmd.argv[1], "a") == 0, "first of three");
	CHECK(p == line + 7, "moved past the first ';' (%d)", (int)(p - line));
	r = sh_parse(&p, 5, &cmd, err, sizeof err);
	CHECK(r == 1 && cmd.argc == 2 && strcmp(cmd.argv[1], "5") == 0, "second sees the status given");
	r = sh_parse(&p, 0, &cmd, err, sizeof err);
	CHECK(r == 1 && cmd.argc == 2 && strcmp(cmd.argv[1], "c") == 0, "third");
	r = sh_parse(&p, 0, &cmd, err, sizeof err);
	CHECK(r == 0 && *p == 0, "then nothing: %d", r);

	p = "echo a\n\n  \necho b\n";
	r = sh_parse(&p, 0, &cmd, err, sizeof err);
	CHECK(r == 1 && strcmp(cmd.argv[1], "a") == 0, "newline separates");
	r = sh_parse(&p, 0, &cmd, err, sizeof err);
	CHECK(r == 1 && strcmp(cmd.argv[1], "b") == 0, "blank lines are skipped");
	r = sh_parse(&p, 0, &cmd, err, sizeof err);
	CHECK(r == 0, "end: %d", r);

	const char *empties[] = { "", "   ", "\n", "# just a comment", "  # x; y \"unterminated", "\t\r\n" };
	for (size_t i = 0; i < sizeof empties / sizeof empties[0]; i++) {
		p = empties[i];
		CHECK(sh_parse(&p, 0, &cmd, err, sizeof err) == 0, "nothing in '%s'", empties[i]);
		CHECK(sh_check(empties[i], err, sizeof err) == 0, "'%s' checks", empties[i]);
	}
	CHECK(sh_check("echo a; cd /tmp; ls > x; cat < x >> y # end", err, sizeof err) == 0, "a good line checks");
}

static void test_errors(void)
{
	expect_error("echo 'abc", "unterminated ' quote");
	expect_error("echo \"abc", "unterminated \" quote");
	expect_error("echo \"a\\\"", "unterminated \" quote");
	expect_error("echo >", "> needs a file name");
	expect_error("echo > ;", "> needs a file name");
	expect_error("echo >> ", ">> needs a file name");
	expect_error("cat <", "< needs a file name");
	expect_error("cat < > x", "< needs a file name");
	expect_error("echo > # comment", "> needs a file name");
	expect_error("echo a > x > y", "more than one output redirection");
	expect_error("echo a >> x > y", "more than one output redirection");
	expect_error("cat < x < y", "more than one input redirection");
	expect_error("; echo", "';' without a command before it");
	expect_error("echo \\", "\\ at the end of the line");
	expect_error("ls | | wc", "'|' without a command after it");
	expect_error("| wc", "'|' without a command before it");
	expect_error("sleep 1 &", "'&' is not supported");
	expect_error("(ls)", "'(' is not supported");
	expect_error("echo `ls`", "'`' is not supported");
	/* a later command's error is found before anything runs */
	char e[200];
	CHECK(sh_check("echo a; echo 'b", e, sizeof e) == -1 && strstr(e, "unterminated"), "sh_check: %s", e);
	CHECK(sh_check("echo a;; echo b", e, sizeof e) == -1 && strstr(e, "';' without"), "sh_check: %s", e);
	/* limits */
	char line[SH_LINE_MAX * 4];
	size_t k = 0;
	for (int i = 0; i < SH_ARGS_MAX; i++)
		k += snprintf(line + k, sizeof line - k, "w%d ", i);
	int r;
	words(line, 0, &r);
	CHECK(r == 1 && cmd.argc == SH_ARGS_MAX, "%d words are fine (%d, %s)", SH_ARGS_MAX, cmd.argc, err);
	snprintf(line + k, sizeof line - k, "one-more");
	expect_error(line, "more than 64 words");
	k = 0;
	for (int i = 0; i < SH_LINE_MAX; i++)
		k += snprintf(line + k, sizeof line - k, "$?");
	expect_words("echo $?", 100, "echo|100");
	words(line, 100, &r);
	CHECK(r == -1 && strstr(err, "too long"), "expansions beyond the buffer: %d %s", r, err);
}

/* --- random lines against dash ---------------------------------------------- */

static unsigned rnd_state = 12345;
static unsigned rnd(unsigned n)
{
	rnd_state = rnd_state * 1103515245 + 12345;
	return (rnd_state >> 16) % n;
}

/* Lines of plain letters, blanks, quotes, backslashes, $? and #: no other
 * '$' (dash would expand variables) and nothing dash gives another meaning. */
static void random_line(char *out, size_t size)
{
	static const char *const pieces[] = { "a", "b", " ", "  ", "'", "\"", "\\", "$?", "#", "x y", ";", ">" };
	size_t k = 0;
	unsigned n = 1 + rnd(12);
	for (unsigned i = 0; i < n && k + 4 < size; i++) {
		const char *s = pieces[rnd(sizeof pieces / sizeof pieces[0] - 2)];   /* no ; or > */
		k += snprintf(out + k, size - k, "%s", s);
	}
	out[k] = 0;
}

static char *run_dash(const char *script, size_t *len)
{
	char path[] = "/tmp/test_sh_XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	FILE *f = fdopen(fd, "w");
	fputs(script, f);
	fclose(f);
	char cmdline[80];
	snprintf(cmdline, sizeof cmdline, "dash %s 2>/dev/null", path);
	FILE *p = popen(cmdline, "r");
	char *out = p ? calloc(1, 1 << 20) : NULL;
	*len = out ? fread(out, 1, (1 << 20) - 1, p) : 0;
	int st = p ? pclose(p) : -1;
	unlink(path);
	if (st != 0 && out) {
		free(out);
		return NULL;
	}
	return out;
}

static void test_against_dash(void)
{
	enum { N = 3000 };
	static char lines[N][128];
	static int ours[N];
	char *script = calloc(1, N * 200 + 100), *s = script;
	int accepted = 0, rejected = 0, rejected_checked = 0, rejected_agree = 0;
	s += sprintf(s, "set -f\n");
	for (int i = 0; i < N; i++) {
		random_line(lines[i], sizeof lines[i]);
		const char *p = lines[i];
		ours[i] = sh_parse(&p, 7, &cmd, err, sizeof err);
		if (ours[i] < 0) {
			rejected++;
			/* does dash refuse it too?  (a sample: one dash each) */
			if (rejected_checked < 150 && !strstr(err, "at the end of the line")) {
				char one[256];
				size_t len;
				snprintf(one, sizeof one, "(exit 7); set -- %s\n", lines[i]);
				char *out = run_dash(one, &len);
				rejected_checked++;
				rejected_agree += out == NULL;
				CHECK(out == NULL, "we refuse [%s] (%s), dash takes it", lines[i], err);
				free(out);
			}
			continue;
		}
		accepted++;
		s += sprintf(s, "(exit 7); set -- %s\nfor w; do printf '%%s\\001' \"$w\"; done; printf '\\002'\n", lines[i]);
	}
	size_t len;
	char *out = run_dash(script, &len);
	CHECK(out != NULL, "dash runs the %d lines we accept", accepted);
	char *o = out;
	int agree = 0;
	for (int i = 0; out && i < N; i++) {
		if (ours[i] < 0)
			continue;
		const char *p = lines[i];
		sh_parse(&p, 7, &cmd, err, sizeof err);
		char want[1024];
		size_t k = 0;
		for (int j = 0; ours[i] > 0 && j < cmd.argc; j++)
			k += snprintf(want + k, sizeof want - k, "%s\001", cmd.argv[j]);
		want[k] = 0;
		char *end = strchr(o, '\002');
		if (!end) {
			CHECK(0, "dash's output ends early at line %d", i);
			break;
		}
		*end = 0;
		agree += CHECK(strcmp(o, want) == 0, "[%s]: dash makes [%s], we make [%s]", lines[i], o, want);
		o = end + 1;
	}
	printf("against dash: %d random lines accepted, all %d compared words agree; %d refused, %d of %d "
	       "checked refused by dash too\n", accepted, agree, rejected, rejected_agree, rejected_checked);
	free(out);
	free(script);
}

/* Random bytes: never a crash (the sanitizers watch), always an answer. */
static void test_random_bytes(void)
{
	char line[300];
	int bad = 0;
	for (int i = 0; i < 20000; i++) {
		size_t n = rnd(sizeof line);
		for (size_t j = 0; j < n; j++)
			line[j] = (char)(1 + rnd(255));
		line[n] = 0;
		const char *p = line;
		int r;
		err[0] = 0;
		while ((r = sh_parse(&p, (int)rnd(256), &cmd, err, sizeof err)) > 0) {
			if (cmd.argv[cmd.argc] != NULL || p < line || p > line + n)
				bad++;
		}
		if (r < 0 && !err[0])
			bad++;
	}
	CHECK(bad == 0, "random bytes: %d bad answers", bad);
}

/* --- && and || against dash ------------------------------------------------ */

/* Runs LINE as sh's run_line does (user/sh/main.c), with true, false and
 * echo as the only commands, appending what echo prints to OUT. */
static int simulate(const char *line, int status, char *out, size_t size)
{
	static struct sh_cmd c;
	char e[160];
	int skip = 0;
	while (sh_parse(&line, status, &c, e, sizeof e) > 0) {
		if (!skip) {
			if (strcmp(c.argv[0], "echo") == 0) {
				for (int i = 1; i < c.argc; i++)
					snprintf(out + strlen(out), size - strlen(out), "%s%s", c.argv[i],
					         i + 1 < c.argc ? " " : "");
				snprintf(out + strlen(out), size - strlen(out), "\n");
			}
			status = strcmp(c.argv[0], "false") == 0;
		}
		skip = c.sep == SH_SEP_AND ? status != 0 : c.sep == SH_SEP_OR ? status == 0 : 0;
	}
	return status;
}

static void test_and_or(void)
{
	static const char *const corpus[] = {
		"true && echo a", "false && echo a", "true || echo a", "false || echo a",
		"false && echo a || echo b", "true || echo a && echo b", "false || false || echo c",
		"true && false && echo no; echo after $?", "echo x && echo y || echo z",
		"false && echo a; echo $?", "true&&echo tight||echo no", "false ||\necho next line",
		"echo 1 && false || echo 2 && echo 3", "true && true && true || echo no",
	};
	char script[4096] = "", ours[4096] = "";
	int status = 0;
	for (size_t i = 0; i < sizeof corpus / sizeof corpus[0]; i++) {
		snprintf(script + strlen(script), sizeof script - strlen(script), "%s\necho \"= $?\"\n", corpus[i]);
		status = simulate(corpus[i], status, ours, sizeof ours);
		snprintf(ours + strlen(ours), sizeof ours - strlen(ours), "= %d\n", status);
		status = 0;
	}
	size_t len;
	char *dash = run_dash(script, &len);
	CHECK(dash && strcmp(dash, ours) == 0, "&& and || against dash:\n--- dash\n%s--- ours\n%s",
	      dash ? dash : "(dash failed)\n", ours);
	free(dash);
	int r;
	words("false && echo a", 0, &r);
	CHECK(r == 1 && cmd.sep == SH_SEP_AND, "&& separates");
	words("false || echo a", 0, &r);
	CHECK(r == 1 && cmd.sep == SH_SEP_OR, "|| separates");
	words("echo a; echo b", 0, &r);
	CHECK(r == 1 && cmd.sep == SH_SEP_END, "; ends");
	expect_error("&& echo", "'&&' without a command before it");
	expect_error("echo a ||", "'||' without a command after it");
	expect_error("echo a && ; echo b", "'&&' without a command after it");
}


/* --- variables, patterns and redirections ---------------------------------- */

static const char *test_var(const char *name)
{
	static const char *const vars[][2] = {
		{ "A", "hello" }, { "B", "two  words   here" }, { "E", "" }, { "S", "  lead and trail  " },
		{ "P", "a*" }, { "Q", "x'y\"z" },
	};
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
		if (strcmp(name, vars[i][0]) == 0)
			return vars[i][1];
	return NULL;
}

/* Lines with variables: the words we make against dash's, the same
 * variables set there. */
static void test_vars_against_dash(void)
{
	static const char *const lines[] = {
		"echo $A ${A} \"$A\" '$A' \"${A}x\" $A.$A", "echo $B", "echo \"$B\"", "echo x${E}y \"[$E]\" $E end",
		"echo [$S] \"[$S]\"", "echo $S$A", "echo $A$S$A", "echo \"$Q\" $Q", "echo $UNSET \"$UNSET\" a$UNSET",
		"echo $? ${A}$?", "echo $E", "echo \"$E\"", "echo \\$A '$'A $", "echo ${A}_x $A_x",
	};
	char script[4096] = "A=hello; B='two  words   here'; E=; S='  lead and trail  '; P='a*'; Q=\"x'y\\\"z\"\nset -f\n";
	char ours[4096] = "";
	sh_lookup = test_var;
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		snprintf(script + strlen(script), sizeof script - strlen(script),
		         "(exit 3); set -- %s\nfor w; do printf '[%%s]' \"$w\"; done; echo\n", lines[i] + 5);
		int r;
		const char *p = lines[i];
		r = sh_parse(&p, 3, &cmd, err, sizeof err);
		CHECK(r == 1, "%s: %s", lines[i], err);
		for (int j = 1; r == 1 && j < cmd.argc; j++)
			snprintf(ours + strlen(ours), sizeof ours - strlen(ours), "[%s]", cmd.argv[j]);
		snprintf(ours + strlen(ours), sizeof ours - strlen(ours), "\n");
	}
	size_t len;
	char *dash = run_dash(script, &len);
	CHECK(dash && strcmp(dash, ours) == 0, "variables against dash:\n--- dash\n%s--- ours\n%s",
	      dash ? dash : "(dash failed)\n", ours);
	free(dash);
	int r;
	const char *w = words("A=1 B=$A cmd x=y", 0, &r);
	CHECK(r == 1 && cmd.nassign == 2 && strcmp(cmd.assign[1], "B=hello") == 0 && strcmp(w, "cmd|x=y") == 0,
	      "assignments before the command only: %d [%s]", cmd.nassign, w);
	w = words("echo a* 'b*' \"c?\" d\\? e[x] $P", 0, &r);
	CHECK(r == 1 && cmd.glob[1] && strcmp(cmd.glob[1], "a*") == 0 && !cmd.glob[2] && !cmd.glob[3] &&
	      !cmd.glob[4] && cmd.glob[5] && strcmp(cmd.glob[6], "a*") == 0, "which words are patterns");
	w = words("echo x'*'* ", 0, &r);
	CHECK(r == 1 && cmd.glob[1] && strcmp(cmd.glob[1], "x\\**") == 0, "a quoted * is escaped: %s",
	      cmd.glob[1] ? cmd.glob[1] : "(none)");
	expect_error("echo ${", "bad substitution");
	expect_error("echo ${A", "bad substitution");
	sh_lookup = NULL;
	expect_words("echo ${A} $A", 0, "echo|${A}|$A");
}

static void test_fd_redirections(void)
{
	int r;
	words("cmd > out 2>&1 2> err >&2 < in", 0, &r);
	CHECK(r == 1 && cmd.nredir == 5, "five redirections: %d %s", cmd.nredir, err);
	CHECK(cmd.redir[0].fd == 1 && cmd.redir[0].op == SH_R_OUT && strcmp(cmd.redir[0].name, "out") == 0 &&
	      cmd.redir[1].fd == 2 && cmd.redir[1].op == SH_R_DUP && cmd.redir[1].from == 1 &&
	      cmd.redir[2].fd == 2 && cmd.redir[2].op == SH_R_OUT && strcmp(cmd.redir[2].name, "err") == 0 &&
	      cmd.redir[3].fd == 1 && cmd.redir[3].op == SH_R_DUP && cmd.redir[3].from == 2 &&
	      cmd.redir[4].fd == 0 && cmd.redir[4].op == SH_R_IN, "in order, with their descriptors");
	const char *w = words("echo a2>x 2 2>y", 0, &r);
	CHECK(r == 1 && strcmp(w, "echo|a2|2") == 0 && cmd.redir[0].fd == 1 && cmd.redir[1].fd == 2,
	      "a digit is a descriptor only right before the operator: [%s]", w);
	expect_error("echo 3> x", "only descriptors 0, 1 and 2");
	expect_error("echo 2>&", "needs a descriptor");
	expect_error("echo 2>&x", "needs a descriptor");
	expect_error("echo 2> a 2> b", "more than one error output redirection");
	CHECK(sh_incomplete("echo a |\n") && sh_incomplete("true &&") && !sh_incomplete("echo a | | b") &&
	      !sh_incomplete("echo 'a"), "sh_incomplete");
}

/* Patterns: sh_match, and sh_glob in a folder of our own against dash. */
static void test_globs(void)
{
	CHECK(sh_match("*", "abc") && sh_match("a*c", "abc") && sh_match("a?c", "abc") && !sh_match("a?c", "ac") &&
	      sh_match("[ab]x", "bx") && !sh_match("[!ab]x", "bx") && sh_match("[a-c]", "b") &&
	      sh_match("a\\*", "a*") && !sh_match("a\\*", "ab") && sh_match("[]x]", "]") && sh_match("a[", "a[") &&
	      sh_match("**b", "ab") && !sh_match("*b", "ba"), "sh_match");
	char dir[] = "/tmp/test_sh_glob_XXXXXX";
	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return;
	}
	char old[1024];
	CHECK(getcwd(old, sizeof old) != NULL, "getcwd");
	CHECK(chdir(dir) == 0, "chdir");
	static const char *const files[] = { "apple", "banana", "Apple", "_x", ".hidden", "a1", "a10", "a2", "B",
		"sp ace", "sub/x", "sub/y", "[b]", "a*" };
	CHECK(mkdir("sub", 0755) == 0 && mkdir("sub/deeper", 0755) == 0, "mkdir");
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		fclose(fopen(files[i], "w"));
	static const char *const pats[] = { "*", "a*", "?1", "[ab]*", "[!a]*", "[A-C]*", ".*", "*.none", "*/*", "s*/?",
		"sub/*er", "*/x", "a\\*", "\\[*", "[[]*", "sub/../a?" };
	char script[2048] = "", ours[4096] = "";
	for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++) {
		snprintf(script + strlen(script), sizeof script - strlen(script), "echo %s\n", pats[i]);
		struct sh_list l = { 0 };
		int n = sh_glob(pats[i], &l);
		for (int j = 0; j < n; j++)
			snprintf(ours + strlen(ours), sizeof ours - strlen(ours), "%s%s", j ? " " : "", l.v[j]);
		for (const char *p = pats[i]; n == 0 && *p; p++) {   /* no match: the word, unescaped */
			if (*p == '\\' && p[1])
				p++;
			snprintf(ours + strlen(ours), sizeof ours - strlen(ours), "%c", *p);
		}
		snprintf(ours + strlen(ours), sizeof ours - strlen(ours), "\n");
		sh_list_free(&l);
	}
	size_t len;
	char *dash = run_dash(script, &len);
	CHECK(dash && strcmp(dash, ours) == 0, "globs against dash:\n--- dash\n%s--- ours\n%s",
	      dash ? dash : "(dash failed)\n", ours);
	free(dash);
	CHECK(chdir(old) == 0, "chdir back");
	char rm[128];
	snprintf(rm, sizeof rm, "rm -rf %s", dir);
	CHECK(system(rm) == 0, "clean up");
}

/* sh_quote_append: random words of quotes, blanks, $, patterns and
 * separators come back from sh_parse as they were, none a pattern, and
 * dash's printf '[%s]' prints them so too; a line that does not fit is
 * refused and left as it was. */
static void test_quote(void)
{
	static const char chars[] = "ab'\"\\ \t$?*[]{};|&<>#()`~=%-";
	enum { LINES = 200 };
	char *script = calloc(LINES, SH_LINE_MAX + 40), *s = script, want[LINES * 300], *w = want;
	for (int i = 0; i < LINES; i++) {
		char line[SH_LINE_MAX] = "", word[6][40];
		int n = 1 + (int)rnd(6);
		for (int k = 0; k < n; k++) {
			int len = (int)rnd(12);         /* 0: the empty word */
			for (int c = 0; c < len; c++)
				word[k][c] = chars[rnd(sizeof chars - 1)];
			word[k][len] = 0;
			CHECK(sh_quote_append(line, sizeof line, word[k]) == 0, "quote [%s]", word[k]);
			w += sprintf(w, "[%s]", word[k]);
		}
		w += sprintf(w, "\n");
		const char *p = line;
		int r = sh_parse(&p, 0, &cmd, err, sizeof err);
		int same = r == 1 && cmd.argc == n && cmd.nredir == 0 && cmd.nassign == 0;
		for (int k = 0; same && k < n; k++)
			same = strcmp(cmd.argv[k], word[k]) == 0 && cmd.glob[k] == NULL;
		CHECK(same, "%s: parsed back as %d words (%s)", line, r == 1 ? cmd.argc : r, err);
		s += sprintf(s, "printf '[%%s]' %s; echo\n", line);
	}
	size_t len;
	char *out = run_dash(script, &len);
	CHECK(out && len == strlen(want) && memcmp(out, want, len) == 0, "dash prints the quoted words as they were");
	free(out);
	free(script);
	char line[8] = "ab";
	CHECK(sh_quote_append(line, sizeof line, "cde") == -1 && strcmp(line, "ab") == 0,
	      "too long: refused, line kept [%s]", line);
	CHECK(sh_quote_append(line, sizeof line, "c'") == -1, "' takes 4 bytes");
	CHECK(sh_quote_append(line, sizeof line, "cd") == 0 && strcmp(line, "ab 'cd'") == 0, "fits: [%s]", line);
}

int main(void)
{
	test_words();
	test_redirections();
	test_sequences();
	test_errors();
	test_against_dash();
	test_and_or();
	test_vars_against_dash();
	test_fd_redirections();
	test_globs();
	test_quote();
	test_random_bytes();
	return unit_report();
}
