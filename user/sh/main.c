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

/* Runs a builtin with descriptors 0-2 as FDS say, then puts them back. */
static int run_builtin(const struct builtin *b, struct sh_cmd *c, const int fds[3])
{
	int saved[3] = { -1, -1, -1 };
	for (int i = 0; i < 3; i++)
		if (fds[i] != i) {
			saved[i] = dup(i);
			dup2(fds[i], i);
		}
	int r = b->run(c);
	fflush(stdout);
	for (int i = 0; i < 3; i++)
		if (saved[i] >= 0) {
			dup2(saved[i], i);
			close(saved[i]);
		}
	return r;
}

/* ^C ended a program: the rest of the line is not run, as in POSIX shells. */
static int interrupted;

/* Starts C as a program with descriptors FDS in process group PGRP (0: a
 * new one): its pid, or -1 with *STATUS set and the reason said. */
static int start_program(struct sh_cmd *c, const int fds[3], int pgrp, int *status)
{
	int pid = spawn_group(c->argv[0], c->argv, environ, fds, pgrp);
	if (pid < 0) {
		if (errno == ENOENT) {
			complain("%s: not found", c->argv[0]);
			*status = 127;
		} else {
			complain("%s: %s", c->argv[0], strerror(errno));
			*status = 126;
		}
	}
	return pid;
}

/* Waits for PID (the program NAME): its status as $? says it. */
static int wait_program(int pid, const char *name)
{
	int st;
	if (waitpid(pid, &st, 0) < 0) {
		complain("%s: waiting for it: %s", name, strerror(errno));
		return 1;
	}
	if (WIFSIGNALED(st)) {
		if (WTERMSIG(st) == SIGINT) {
			interrupted = 1;            /* the terminal echoed ^C */
			return 128 + SIGINT;
		}
		complain("%s: killed", name);
		return 128 + 9;
	}
	return WEXITSTATUS(st);
}

/* Opens C's redirections over FDS (what the command would have without
 * them); what was opened is closed by close_fds.  0, or 1 when one failed
 * (said). */
static int open_redirections(struct sh_cmd *c, int fds[3])
{
	if (c->in) {
		int fd = open(c->in, O_RDONLY);
		if (fd < 0) {
			complain("%s: %s", c->in, strerror(errno));
			return 1;
		}
		fds[0] = fd;
	}
	if (c->out) {
		int fd = open(c->out, O_WRONLY | O_CREAT | (c->append ? O_APPEND : O_TRUNC), 0666);
		if (fd < 0) {
			complain("%s: %s", c->out, strerror(errno));
			return 1;
		}
		fds[1] = fd;
	}
	return 0;
}

/* Closes the descriptors of FDS that are not the shell's own 0-2. */
static void close_fds(const int fds[3])
{
	for (int i = 0; i < 3; i++)
		if (fds[i] > 2)
			close(fds[i]);
}

static const struct builtin *find_builtin(const char *name)
{
	for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
		if (strcmp(name, builtins[i].name) == 0)
			return &builtins[i];
	return NULL;
}

/* One command: its redirections opened, then a builtin or a program.  A
 * program runs in a process group of its own, the terminal's foreground
 * while the shell waits, so that ^C ends it and not the shell. */
static int run(struct sh_cmd *c)
{
	int fds[3] = { 0, 1, 2 };
	int r = open_redirections(c, fds);
	if (r == 0 && c->argc > 0) {
		const struct builtin *b = find_builtin(c->argv[0]);
		if (b) {
			r = run_builtin(b, c, fds);
		} else {
			int pid = start_program(c, fds, 0, &r);
			if (pid > 0) {
				int tty = tcsetpgrp(0, pid) == 0;
				r = wait_program(pid, c->argv[0]);
				if (tty)
					tcsetpgrp(0, 0);
			}
		}
	}
	close_fds(fds);
	return r;
}

/* A pipeline of N commands: each one's standard output is the next one's
 * input through a pipe, all run at once in one process group (the first's:
 * ^C ends them all), and the status is the last one's.  A builtin in a
 * pipeline runs in the shell, in its turn (it writes little: pwd). */
static int run_pipeline(struct sh_cmd *cmds, int n)
{
	int pids[SH_PIPE_MAX], status[SH_PIPE_MAX], pgrp = 0, tty = 0, from = 0;
	for (int i = 0; i < n; i++) {
		int fds[3] = { from, 1, 2 }, p[2] = { -1, -1 };
		pids[i] = -1;
		status[i] = 0;
		if (i + 1 < n && pipe(p) < 0) {
			complain("pipe: %s", strerror(errno));
			status[n - 1] = 2;
			break;
		}
		if (i + 1 < n)
			fds[1] = p[1];
		int ffds[3] = { fds[0], fds[1], 2 };
		if (open_redirections(&cmds[i], ffds) != 0) {
			status[i] = 1;
		} else if (cmds[i].argc > 0 && find_builtin(cmds[i].argv[0])) {
			status[i] = run_builtin(find_builtin(cmds[i].argv[0]), &cmds[i], ffds);
		} else if (cmds[i].argc > 0) {
			pids[i] = start_program(&cmds[i], ffds, pgrp, &status[i]);
			if (pids[i] > 0 && pgrp == 0)
				pgrp = pids[i];
		}
		for (int k = 0; k < 3; k++)     /* the redirections' own, not the pipe's */
			if (ffds[k] != fds[k] && ffds[k] > 2)
				close(ffds[k]);
		if (from > 2)
			close(from);
		if (p[1] >= 0)
			close(p[1]);
		from = p[0];
	}
	if (from > 2)
		close(from);
	/* the foreground once every stage is in the group: a ^C typed while
	 * they started (the terminal keeps it) ends them all */
	if (pgrp)
		tty = tcsetpgrp(0, pgrp) == 0;
	for (int i = 0; i < n; i++)
		if (pids[i] > 0)
			status[i] = wait_program(pids[i], cmds[i].argv[0]);
	if (tty)
		tcsetpgrp(0, 0);
	return status[n - 1];
}

/* A line: checked whole first, so that a syntax error anywhere runs nothing. */
static void run_line(const char *line)
{
	static struct sh_cmd cmds[SH_PIPE_MAX];
	char err[160];
	if (sh_check(line, err, sizeof err) < 0) {
		complain("syntax error: %s", err);
		status = 2;
		return;
	}
	interrupted = 0;
	int skip = 0;           /* after && a failure, after || a success: not run */
	while (!interrupted) {
		int n = 0;
		while (n < SH_PIPE_MAX && sh_parse(&line, status, &cmds[n], err, sizeof err) > 0) {
			n++;
			if (cmds[n - 1].sep != SH_SEP_PIPE)
				break;
		}
		if (n == 0)
			break;
		if (!skip)
			status = n == 1 ? run(&cmds[0]) : run_pipeline(cmds, n);
		int sep = cmds[n - 1].sep;
		skip = sep == SH_SEP_AND ? status != 0 : sep == SH_SEP_OR ? status == 0 : 0;
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
