/* sh: the shell.
 *   sh               commands from standard input; a "# " prompt when that is the console
 *   sh FILE [ARG...] commands from FILE (init runs /etc/rc so)
 *   sh -c COMMANDS   the commands given
 * The language is in sh.h, the builtins in builtins.c, variables in
 * vars.c, the prompt's line editing and history in input.c.  Other commands are programs (NAME without '/' is /bin/NAME)
 * started through exec with the redirected descriptors and the exported
 * variables as their environment; the shell waits for each. */
#include "shell.h"

int status;                     /* of the last command: $? */
static const char *source;      /* the script being read, for messages */
static int lineno;              /* of the line being run; 0: not from a file */

void complain(const char *fmt, ...)
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

/* One command ready to run: its words with patterns expanded, and its
 * descriptors 0-2 once its redirections are opened. */
struct job {
	struct sh_cmd *c;
	struct sh_list args;
	int fds[3];
	int opened[SH_REDIR_MAX], nopened;      /* to close afterwards */
};

/* The words of J's command, each pattern replaced by the paths it matches
 * (or kept when none does).  0, or -1 when out of memory (said). */
static int expand_args(struct job *j)
{
	struct sh_cmd *c = j->c;
	for (int i = 0; i < c->argc; i++) {
		int r = c->glob[i] ? sh_glob(c->glob[i], &j->args) : 0;
		if (r == 0)
			r = sh_list_add(&j->args, c->argv[i]);
		if (r < 0) {
			complain("%s: %s", c->argv[i], strerror(ENOMEM));
			return -1;
		}
	}
	return 0;
}

/* Opens J's redirections, in order, over FROM_IN and FROM_OUT as its
 * descriptors 0 and 1.  0, or -1 when one failed (said). */
static int open_redirections(struct job *j, int from_in, int from_out)
{
	j->fds[0] = from_in;
	j->fds[1] = from_out;
	j->fds[2] = 2;
	j->nopened = 0;
	for (int i = 0; i < j->c->nredir; i++) {
		const struct sh_redir *r = &j->c->redir[i];
		if (r->op == SH_R_DUP) {
			j->fds[r->fd] = j->fds[r->from];
			continue;
		}
		/* > truncates, then appends like >>: each program writing to the
		 * file goes on where the last one stopped, as with POSIX's shared
		 * offset (file offsets here are each process's own) */
		int flags = r->op == SH_R_IN ? O_RDONLY
		          : O_WRONLY | O_CREAT | O_APPEND | (r->op == SH_R_OUT ? O_TRUNC : 0);
		int fd = open(r->name, flags, 0666);
		if (fd < 0) {
			complain("%s: %s", r->name, strerror(errno));
			return -1;
		}
		j->opened[j->nopened++] = fd;
		j->fds[r->fd] = fd;
	}
	return 0;
}

static void close_job(struct job *j)
{
	for (int i = 0; i < j->nopened; i++)
		close(j->opened[i]);
	j->nopened = 0;
	sh_list_free(&j->args);
}

/* Runs a builtin with descriptors 0-2 as J says, then puts them back. */
static int run_builtin(builtin_fn *b, struct job *j)
{
	int saved[3] = { -1, -1, -1 };
	fflush(stdout);
	for (int i = 0; i < 3; i++)
		if (j->fds[i] != i) {
			saved[i] = dup(i);
			dup2(j->fds[i], i);
		}
	int r = b(j->args.n, j->args.v);
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

/* Starts J's program in process group PGRP (0: a new one): its pid, or -1
 * with *ST set and the reason said. */
static int start_program(struct job *j, int pgrp, int *st)
{
	const char *name = j->args.v[0];
	char **env = var_environ(j->c->assign, j->c->nassign);
	int pid = env ? spawn_group(name, j->args.v, env, j->fds, pgrp) : -1;
	if (!env)
		errno = ENOMEM;
	free(env);
	if (pid < 0) {
		*st = errno == ENOENT ? 127 : 126;
		complain("%s: %s", name, errno == ENOENT ? "not found" : strerror(errno));
	}
	return pid;
}

/* A builtin in a pipeline of more than one command runs in a subshell,
 * as in dash, so that cd, exit, export or unset there leave this shell
 * as it is.  With no fork here, the subshell is a child sh given J's words
 * (expanded already; quoted so that they stay so) as `sh -c`; it sees the
 * exported variables only.  `exit` alone exits with $?, as it would in a
 * subshell.  Its pid, or -1 with *ST set and the reason said. */
static int start_subshell(struct job *j, int pgrp, int *st)
{
	char line[SH_LINE_MAX], code[16];
	struct sh_list argv = { 0 };
	int r = 0;
	line[0] = 0;
	for (int i = 0; i < j->args.n && r == 0; i++)
		r = sh_quote_append(line, sizeof line, j->args.v[i]);
	snprintf(code, sizeof code, "%d", status);
	if (r == 0 && j->args.n == 1 && strcmp(j->args.v[0], "exit") == 0)
		r = sh_quote_append(line, sizeof line, code);
	if (r < 0) {
		complain("%s: too long to run in a pipeline", j->args.v[0]);
		*st = 2;
		return -1;
	}
	if (sh_list_add(&argv, "sh") < 0 || sh_list_add(&argv, "-c") < 0 || sh_list_add(&argv, line) < 0) {
		sh_list_free(&argv);
		complain("%s: %s", j->args.v[0], strerror(ENOMEM));
		*st = 2;
		return -1;
	}
	sh_list_free(&j->args);
	j->args = argv;
	return start_program(j, pgrp, st);
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

/* Sets the variables a command of only assignments names. */
static int assign(const struct sh_cmd *c)
{
	for (int i = 0; i < c->nassign; i++)
		if (var_set(c->assign[i], 0) < 0)
			return 1;
	return 0;
}

/* A pipeline of N commands (N is 1 for a plain command): each one's
 * standard output is the next one's input through a pipe; all run at once
 * in one process group, the first's, which is the terminal's foreground
 * while the shell waits, so that ^C ends them all and not the shell.  The
 * status is the last one's.  A builtin runs in the shell when it is the
 * whole pipeline, else in a subshell (start_subshell). */
static int run_pipeline(struct sh_cmd *cmds, int n)
{
	static struct job jobs[SH_PIPE_MAX];
	int pids[SH_PIPE_MAX], st[SH_PIPE_MAX], pgrp = 0, from = 0;
	for (int i = 0; i < n; i++) {
		struct job *j = &jobs[i];
		int p[2] = { -1, 1 };
		*j = (struct job){ .c = &cmds[i] };
		pids[i] = -1;
		st[i] = 0;
		if (i + 1 < n && pipe(p) < 0) {
			complain("pipe: %s", strerror(errno));
			st[n - 1] = 2;
			break;
		}
		if (expand_args(j) < 0) {
			st[i] = 1;
		} else if (open_redirections(j, from, p[1]) < 0) {
			st[i] = 2;                      /* as in dash */
		} else if (j->args.n == 0) {
			st[i] = n == 1 ? assign(j->c) : 0;
		} else if (find_builtin(j->args.v[0]) && n == 1) {
			st[i] = run_builtin(find_builtin(j->args.v[0]), j);
		} else {
			pids[i] = find_builtin(j->args.v[0]) ? start_subshell(j, pgrp, &st[i])
			                                     : start_program(j, pgrp, &st[i]);
			if (pids[i] > 0 && pgrp == 0)
				pgrp = pids[i];
		}
		if (pids[i] < 0)
			close_job(j);
		else
			for (int k = 0; k < j->nopened; k++)
				close(j->opened[k]);
		if (from > 2)
			close(from);
		if (p[1] > 2)
			close(p[1]);
		from = p[0];
	}
	if (from > 2)
		close(from);
	/* the foreground once every stage is in the group: a ^C typed while
	 * they started (the terminal keeps it) ends them all */
	int tty = pgrp && tcsetpgrp(0, pgrp) == 0;
	for (int i = 0; i < n; i++)
		if (pids[i] > 0) {
			st[i] = wait_program(pids[i], jobs[i].args.v[0]);
			sh_list_free(&jobs[i].args);
		}
	if (tty)
		tcsetpgrp(0, 0);
	return st[n - 1];
}

static const char *lookup(const char *name)
{
	return var_get(name);
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
		int n = 0, r = 0;
		while (n < SH_PIPE_MAX && (r = sh_parse(&line, status, &cmds[n], err, sizeof err)) > 0) {
			n++;
			if (cmds[n - 1].sep != SH_SEP_PIPE)
				break;
		}
		if (r < 0) {            /* a variable's value made it so */
			complain("%s", err);
			status = 2;
			return;
		}
		if (n == 0)
			break;
		if (cmds[n - 1].sep == SH_SEP_PIPE) {
			complain("more than %d commands in a pipeline", SH_PIPE_MAX);
			status = 2;
			return;
		}
		if (!skip)
			status = run_pipeline(cmds, n);
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
		if (interactive ? !read_edited(line, sizeof line) : !fgets(line, sizeof line, in))
			break;
		if (!interactive)
			lineno++;
		size_t n = strlen(line);
		/* a line ending in &&, || or | goes on on the next one */
		while (n + 1 < sizeof line && line[n - 1] == '\n' && sh_incomplete(line)) {
			if (interactive)
				fputs("> ", stderr);
			if (interactive ? !read_edited(line + n, sizeof line - n)
			                : !fgets(line + n, (int)(sizeof line - n), in))
				break;
			lineno += !interactive;
			n += strlen(line + n);
		}
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
	vars_import(environ);
	sh_lookup = lookup;
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
