/* The user runtime (lib/posix) on the real chain: started by exec (from the
 * shell), it works in a fresh directory under DIR (default /tmp) and checks
 * descriptors, offsets, dup, O_APPEND, paths, directories with many
 * entries, symlinks, the working directory, stdio, errors, and spawn with
 * redirected descriptors (of itself, /bin/posixtest, as "posixtest child
 * ..."), one line per check ("ok" or "WRONG: ..."), then "N checks, M
 * wrong".  Not a user/ program, it gets lib/posix's start-up because it
 * calls getenv (in the same file, lib/posix/startup.c). */
#include "posix/posix.h"

static int checks, wrong;

static int check(const char *what, int ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int check(const char *what, int ok, const char *fmt, ...)
{
	char detail[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	checks++;
	if (ok) {
		printf("posixtest: %s ok\n", what);
	} else {
		wrong++;
		printf("posixtest: %s WRONG: %s\n", what, detail);
	}
	fflush(stdout);
	return ok;
}

static char buf[16384];

static long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* The whole of PATH as a string in BUF; its length or -1. */
static long slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	long n = 0, r;
	while ((r = read(fd, buf + n, sizeof buf - 1 - n)) > 0)
		n += r;
	close(fd);
	buf[n] = 0;
	return r < 0 ? -1 : n;
}

static void files(void)
{
	int fd = open("f", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	long total = 0;
	for (int i = 0; fd >= 0 && i < 1000; i++)
		total += write(fd, "hello\n", 6);
	check("write 6000 bytes", fd >= 0 && total == 6000 && close(fd) == 0, "fd %d, %ld written: %s", fd, total,
	      strerror(errno));
	check("stat size", file_size("f") == 6000, "%ld", file_size("f"));

	fd = open("f", O_RDONLY);
	long n = read(fd, buf, 10);
	check("read from offset 0", n == 10 && memcmp(buf, "hello\nhell", 10) == 0, "%ld", n);
	check("lseek SEEK_END", lseek(fd, 0, SEEK_END) == 6000, "%s", strerror(errno));
	lseek(fd, -6, SEEK_END);
	n = read(fd, buf, 100);
	check("read the last bytes", n == 6 && memcmp(buf, "hello\n", 6) == 0, "%ld", n);
	check("read at the end", read(fd, buf, 100) == 0, "not 0");
	int fd2 = dup(fd);
	lseek(fd, 2, SEEK_SET);
	n = read(fd2, buf, 3);
	check("dup shares the offset", fd2 > fd && n == 3 && memcmp(buf, "llo", 3) == 0, "fd2 %d, %ld", fd2, n);
	check("write to a read-only descriptor", write(fd, "x", 1) == -1 && errno == EBADF, "%s", strerror(errno));
	close(fd);
	check("closed descriptor", read(fd, buf, 1) == -1 && errno == EBADF, "%s", strerror(errno));
	check("dup keeps it open", read(fd2, buf, 1) == 1, "%s", strerror(errno));
	check("dup2", dup2(fd2, 20) == 20 && lseek(20, 0, SEEK_CUR) == lseek(fd2, 0, SEEK_CUR), "%s",
	      strerror(errno));
	close(20);
	close(fd2);

	fd = open("f", O_WRONLY | O_APPEND);
	lseek(fd, 0, SEEK_SET);
	n = write(fd, "end\n", 4);
	check("O_APPEND writes at the end", n == 4 && file_size("f") == 6004 && lseek(fd, 0, SEEK_CUR) == 6004,
	      "%ld, size %ld", n, file_size("f"));
	close(fd);
	slurp("f");
	check("appended bytes", memcmp(buf + 6000, "end\n", 4) == 0, "%.4s", buf + 6000);
	fd = open("f", O_RDWR);
	check("ftruncate", ftruncate(fd, 3) == 0 && file_size("f") == 3, "%s", strerror(errno));
	close(fd);
	check("truncate", truncate("f", 0) == 0 && file_size("f") == 0, "%s", strerror(errno));
	check("O_EXCL on an existing file", open("f", O_CREAT | O_EXCL | O_WRONLY, 0644) == -1 && errno == EEXIST,
	      "%s", strerror(errno));
	check("open a missing file", open("missing", O_RDONLY) == -1 && errno == ENOENT &&
	      strcmp(strerror(errno), "No such file or directory") == 0, "%s", strerror(errno));
	fd = open("f", O_RDONLY);
	check("isatty on a file", fd >= 0 && !isatty(fd), "fd %d", fd);
	close(fd);
}

static void names(void)
{
	struct stat st;
	check("rename", rename("f", "g") == 0 && stat("f", &st) == -1 && errno == ENOENT && stat("g", &st) == 0,
	      "%s", strerror(errno));
	check("link", link("g", "h") == 0 && stat("g", &st) == 0 && st.st_nlink == 2, "%s, nlink %u",
	      strerror(errno), (unsigned)st.st_nlink);
	check("unlink", unlink("h") == 0 && stat("g", &st) == 0 && st.st_nlink == 1, "%s", strerror(errno));
	char target[64];
	long n;
	check("symlink, readlink", symlink("g", "s") == 0 && (n = readlink("s", target, sizeof target)) == 1 &&
	      target[0] == 'g', "%s", strerror(errno));
	check("lstat sees the link", lstat("s", &st) == 0 && S_ISLNK(st.st_mode), "mode %o", (unsigned)st.st_mode);
	check("stat follows it", stat("s", &st) == 0 && S_ISREG(st.st_mode), "mode %o", (unsigned)st.st_mode);
	check("mkdir", mkdir("d", 0755) == 0 && stat("d", &st) == 0 && S_ISDIR(st.st_mode), "%s", strerror(errno));
	check("mkdir an existing name", mkdir("d", 0755) == -1 && errno == EEXIST, "%s", strerror(errno));
	check("unlink a directory", unlink("d") == -1 && errno == EISDIR, "%s", strerror(errno));
	check("chmod", chmod("g", 0600) == 0 && stat("g", &st) == 0 && (st.st_mode & 07777) == 0600, "%s, %o",
	      strerror(errno), (unsigned)st.st_mode);
	check("chmod a directory", chmod("d", 0700) == 0 && stat("d", &st) == 0 && (st.st_mode & 07777) == 0700,
	      "%s", strerror(errno));
	check("utime_now", utime_now("g") == 0 && stat("g", &st) == 0 && st.st_mtime + 5 >= time(NULL), "%s",
	      strerror(errno));

	/* more entries than one readdir reply holds */
	char name[80];
	int made = 0;
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof name, "d/a-rather-long-file-name-to-fill-replies-%03d", i);
		int fd = open(name, O_CREAT | O_WRONLY, 0644);
		made += fd >= 0;
		close(fd);
	}
	DIR *dir = opendir("d");
	int seen = 0, dots = 0;
	struct dirent *e;
	while (dir && (e = readdir(dir))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			dots++;
		else if (strncmp(e->d_name, "a-rather-long", 13) == 0 && e->d_type == DT_REG)
			seen++;
	}
	check("readdir of 202 entries", dir && made == 200 && seen == 200 && dots == 2, "made %d, seen %d, dots %d",
	      made, seen, dots);
	closedir(dir);
	check("rmdir a full directory", rmdir("d") == -1 && errno == ENOTEMPTY, "%s", strerror(errno));
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof name, "d/a-rather-long-file-name-to-fill-replies-%03d", i);
		unlink(name);
	}
	check("rmdir", rmdir("d") == 0 && stat("d", &st) == -1, "%s", strerror(errno));
	check("opendir on a file", opendir("g") == NULL && errno == ENOTDIR, "%s", strerror(errno));
}

static void cwd(const char *top)
{
	char here[PATH_MAX], want[PATH_MAX];
	mkdir("a", 0755);
	mkdir("a/b", 0755);
	symlink("a/b", "l");
	check("chdir through a symlink", chdir("l") == 0 && getcwd(here, sizeof here) &&
	      snprintf(want, sizeof want, "%s/l", top) > 0 && strcmp(here, want) == 0, "%s (want %s)", here, want);
	/* ".." of a/b is a: the names say TOP, the file system says TOP/a */
	check("chdir .. after a symlink", chdir("..") == 0 && getcwd(here, sizeof here) &&
	      snprintf(want, sizeof want, "%s/a", top) > 0 && strcmp(here, want) == 0, "%s (want %s)", here, want);
	check("chdir ./b/../../.", chdir("./b/../../.") == 0 && getcwd(here, sizeof here) &&
	      strcmp(here, top) == 0, "%s (want %s)", here, top);
	check("getcwd ERANGE", getcwd(here, 2) == NULL && errno == ERANGE, "%s", strerror(errno));
	check("chdir to a file", chdir("g") == -1 && errno == ENOTDIR, "%s", strerror(errno));
	unlink("l");
	rmdir("a/b");
	rmdir("a");
}

static void stdio(void)
{
	FILE *f = fopen("t", "w");
	for (int i = 0; f && i < 500; i++)
		fprintf(f, "line %d of a stdio test\n", i);
	check("fopen w, fprintf, fclose", f && fclose(f) == 0, "%s", strerror(errno));
	f = fopen("t", "a");
	check("fopen a", f && fputs("the end\n", f) == 0 && fclose(f) == 0, "%s", strerror(errno));
	f = fopen("t", "r");
	int lines = 0, last_ok = 0;
	char line[100];
	while (f && fgets(line, sizeof line, f)) {
		lines++;
		last_ok = strcmp(line, "the end\n") == 0;
	}
	check("fgets", f && lines == 501 && last_ok && feof(f), "%d lines", lines);
	if (f)
		fclose(f);
	check("fopen a missing file", fopen("nothing-here", "r") == NULL && errno == ENOENT, "%s", strerror(errno));
	unlink("t");
}

/* Runs "posixtest child WHAT" with FDS; its exit status or -1. */
static int child(const char *what, const int fds[3])
{
	char *argv[] = { "posixtest", "child", (char *)what, NULL };
	int st, pid = spawn_fds("posixtest", argv, NULL, fds);
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void processes(const char *top)
{
	int out = open("out", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	int fds[3] = { 0, out, 2 };
	int st = child("print", fds);
	close(out);
	slurp("out");
	check("spawn_fds with stdout on a file", st == 0 && strcmp(buf, "printed\n") == 0, "status %d, [%s]", st, buf);
	out = open("out", O_WRONLY | O_APPEND);
	fds[1] = out;
	st = child("print", fds);
	close(out);
	slurp("out");
	check("spawn_fds with O_APPEND", st == 0 && strcmp(buf, "printed\nprinted\n") == 0, "status %d, [%s]", st,
	      buf);
	int in = open("out", O_RDONLY);
	out = open("out2", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	int fds2[3] = { in, out, 2 };
	st = child("copy", fds2);
	close(in);
	close(out);
	long n = slurp("out2");
	check("spawn_fds with stdin on a file", st == 0 && n == 16, "status %d, %ld bytes", st, n);
	out = open("out", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	fds[1] = out;
	st = child("cwd", fds);
	close(out);
	slurp("out");
	char want[PATH_MAX + 2];
	snprintf(want, sizeof want, "%s\n", top);
	check("the child's working directory", st == 0 && strcmp(buf, want) == 0, "[%s]", buf);
	int std[3] = { 0, 1, 2 };
	check("exit status", child("exit42", std) == 42, "not 42");
	char *argv[] = { "nonexistent", NULL };
	check("spawn a missing program", spawn("nonexistent", argv, NULL) == -1 && errno == ENOENT, "%s",
	      strerror(errno));
	unlink("out");
	unlink("out2");
}

static int child_main(const char *what)
{
	if (strcmp(what, "print") == 0)
		printf("printed\n");
	else if (strcmp(what, "copy") == 0)
		while (fgets(buf, sizeof buf, stdin))
			fputs(buf, stdout);
	else if (strcmp(what, "cwd") == 0)
		printf("%s\n", getcwd(buf, sizeof buf) ? buf : strerror(errno));
	else if (strcmp(what, "exit42") == 0)
		exit(42);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "child") == 0)
		return child_main(argv[2]);
	char top[PATH_MAX];
	snprintf(top, sizeof top, "%s/posixtest", argc > 1 ? argv[1] : "/tmp");
	char start[PATH_MAX] = "";
	const char *pwd = getenv("PWD");
	check("PWD from the parent is the working directory", pwd && getcwd(start, sizeof start) &&
	      strcmp(pwd, start) == 0, "PWD %s, getcwd %s", pwd ? pwd : "(none)", start);
	check("time", time(NULL) > 1600000000, "%u", (unsigned)time(NULL));
	check("mkdir and chdir", mkdir(top, 0755) == 0 && chdir(top) == 0, "%s: %s", top, strerror(errno));
	files();
	names();
	cwd(top);
	stdio();
	processes(top);
	unlink("g");
	unlink("s");
	chdir("/");
	check("clean up", rmdir(top) == 0, "%s", strerror(errno));
	printf("posixtest: %d checks, %d wrong\n", checks, wrong);
	return wrong != 0;
}
