/* sh: the shell.
 *   sh               commands from standard input; a "# " prompt when that is the console
 *   sh FILE [ARG...] commands from FILE (init runs /etc/rc so)
 *   sh -c COMMANDS   the commands given
 * The language is in sh.h.  Builtins: cd [DIR], pwd, exit [N].  Other
 * commands are programs (NAME without '/' is /bin/NAME) started through
 * exec with the redirected descriptors; the shell waits for each. */
#include "posix/posix.h"
#include "sh.h"

static int status;              /* of the last command: $? */
static const char *source;      /* the script being read, for messages */
static int lineno;              /* of the line being run; 0: not from a file */

static void complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void complain(const char *fmt, ...)
{
	char msg[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (source)
		fprintf(stderr, "sh: %s:%d: %s\n", source, lineno, msg);
	else if (lineno)
		fprintf(stderr, "sh: line %d: %s\n", lineno, msg);
	else
		fprintf(stderr, "sh: %s\n", msg);
}

static int builtin_cd(struct sh_cmd *c)
{
	const char *dir = c->argc > 1 ? c->argv[1] : getenv("HOME");
	if (c->argc > 2) {
		complain("cd: too many arguments");
		return 1;
	}
	if (!dir || !dir[0])
		dir = "/";
	if (chdir(dir) < 0) {
		complain("cd: %s: %s", dir, strerror(errno));
		return 1;
	}
	return 0;
}

static int builtin_pwd(struct sh_cmd *c)
{
	char buf[PATH_MAX];
	(void)c;
	if (!getcwd(buf, sizeof buf)) {
		complain("pwd: %s", strerror(errno));
		return 1;
	}
	printf("%s\n", buf);
	return 0;
}

static int builtin_exit(struct sh_cmd *c)
{
	int code = status;
	if (c->argc > 1) {
		char *end;
		long n = strtol(c->argv[1], &end, 10);
		if (!c->argv[1][0] || *end) {
			complain("exit: %s: not a number", c->argv[1]);
			code = 2;
		} else {
			code = (int)(n & 0xff);
		}
	}
	exit(code);
}

static const struct builtin {
	const char *name;
	int (*run)(struct sh_cmd *c);
} builtins[] = {
	{ "cd", builtin_cd },
	{ "pwd", builtin_pwd },
	{ "exit", builtin_exit },
};

/* Runs a builtin with descriptors 0 and 1 as FDS say, then puts them back. */
static int run_builtin(const struct builtin *b, struct sh_cmd *c, const int fds[2])
{
	int saved[2] = { -1, -1 };
	for (int i = 0; i < 2; i++)
		if (fds[i] != i) {
			saved[i] = dup(i);
			dup2(fds[i], i);
		}
	int r = b->run(c);
	fflush(stdout);
	for (int i = 0; i < 2; i++)
		if (saved[i] >= 0) {
			dup2(saved[i], i);
			close(saved[i]);
		}
	return r;
}

/* ^C ended a program: the rest of the line is not run, as in POSIX shells. */
static int interrupted;

/* A program runs in a process group of its own, the terminal's foreground
 * while the shell waits, so that ^C ends it and not the shell. */
static int run_program(struct sh_cmd *c, const int fds[3])
{
	int pid = spawn_group(c->argv[0], c->argv, environ, fds, 0);
	if (pid < 0) {
		if (errno == ENOENT) {
			complain("%s: not found", c->argv[0]);
			return 127;
		}
		complain("%s: %s", c->argv[0], strerror(errno));
		return 126;
	}
	int tty = tcsetpgrp(0, pid) == 0;
	int st, r = waitpid(pid, &st, 0);
	if (tty)
		tcsetpgrp(0, 0);
	if (r < 0) {
		complain("%s: waiting for it: %s", c->argv[0], strerror(errno));
		return 1;
	}
	if (WIFSIGNALED(st)) {
		if (WTERMSIG(st) == SIGINT) {
			interrupted = 1;            /* the terminal echoed ^C */
			return 128 + SIGINT;
		}
		complain("%s: killed", c->argv[0]);
		return 128 + 9;
	}
	return WEXITSTATUS(st);
}

/* One command: its redirections opened, then a builtin or a program. */
static int run(struct sh_cmd *c)
{
	int fds[3] = { 0, 1, 2 };
	if (c->in && (fds[0] = open(c->in, O_RDONLY)) < 0) {
		complain("%s: %s", c->in, strerror(errno));
		return 1;
	}
	if (c->out && (fds[1] = open(c->out, O_WRONLY | O_CREAT | (c->append ? O_APPEND : O_TRUNC), 0666)) < 0) {
		complain("%s: %s", c->out, strerror(errno));
		if (fds[0] != 0)
			close(fds[0]);
		return 1;
	}
	int r = 0;
	if (c->argc > 0) {
		const struct builtin *b = NULL;
		for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
			if (strcmp(c->argv[0], builtins[i].name) == 0)
				b = &builtins[i];
		r = b ? run_builtin(b, c, fds) : run_program(c, fds);
	}
	if (fds[0] != 0)
		close(fds[0]);
	if (fds[1] != 1)
		close(fds[1]);
	return r;
}

/* A line: checked whole first, so that a syntax error anywhere runs nothing. */
static void run_line(const char *line)
{
	static struct sh_cmd c;
	char err[160];
	if (sh_check(line, err, sizeof err) < 0) {
		complain("syntax error: %s", err);
		status = 2;
		return;
	}
	interrupted = 0;
	int skip = 0;           /* after && a failure, after || a success: not run */
	while (!interrupted && sh_parse(&line, status, &c, err, sizeof err) > 0) {
		if (!skip)
			status = run(&c);
		skip = c.sep == SH_SEP_AND ? status != 0 : c.sep == SH_SEP_OR ? status == 0 : 0;
	}
}

/* Reads and runs lines from IN until its end. */
static void run_stream(FILE *in, int interactive)
{
	char line[SH_LINE_MAX];
	for (;;) {
		if (interactive) {
			fputs("# ", stderr);
			fflush(stdout);
		}
		if (!fgets(line, sizeof line, in))
			break;
		if (!interactive)
			lineno++;
		size_t n = strlen(line);
		if (n == sizeof line - 1 && line[n - 1] != '\n') {
			int ch;
			while ((ch = fgetc(in)) != EOF && ch != '\n')
				;
			complain("line too long (more than %d bytes): ignored", SH_LINE_MAX - 2);
			status = 2;
			continue;
		}
		run_line(line);
		fflush(stdout);
	}
	if (ferror(in))
		complain("reading %s: %s", source ? source : "standard input", strerror(errno));
	if (interactive)
		fputs("\n", stderr);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "-c") == 0) {
		if (argc < 3) {
			complain("-c needs commands");
			return 2;
		}
		run_line(argv[2]);
		return status;
	}
	if (argc > 1) {
		FILE *f = fopen(argv[1], "r");
		if (!f) {
			complain("%s: %s", argv[1], strerror(errno));
			return 127;
		}
		source = argv[1];
		run_stream(f, 0);
		fclose(f);
		return status;
	}
	run_stream(stdin, isatty(0));
	return status;
}
