/* cp [-r] SRC DST, cp [-r] SRC... DIR: copy files; into DIR (keeping each
 * name) when the last operand is a directory.  -r copies directories with
 * what they hold, and symbolic links inside them as links. */
#include "posix/util.h"

static int recursive;
/* page-aligned: fs_read shares whole pages with it instead of copying */
static char buf[64 * 1024] __attribute__((aligned(4096)));
static struct stat top;          /* the directory -r made first: never copied into itself */
static int have_top;

static int fail(const char *path)
{
	fprintf(stderr, "cp: %s: %s\n", path, strerror(errno));
	return 1;
}

static void out_of_memory(void)
{
	fprintf(stderr, "cp: out of memory\n");
	exit(1);
}

static int copy_data(int in, const char *src, int out, const char *dst)
{
	for (;;) {
		ssize_t n = read(in, buf, sizeof buf);
		if (n == 0)
			return 0;
		if (n < 0)
			return fail(src);
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(out, buf + done, n - done);
			if (w <= 0) {
				if (w == 0)
					errno = EIO;
				return fail(dst);
			}
			done += w;
		}
	}
}

static int copy_file(const char *src, const char *dst, const struct stat *sst)
{
	struct stat dst_st;
	if (stat(dst, &dst_st) == 0 && dst_st.st_dev == sst->st_dev && dst_st.st_ino == sst->st_ino) {
		fprintf(stderr, "cp: %s and %s are the same file\n", src, dst);
		return 1;
	}
	int in = open(src, O_RDONLY);
	if (in < 0)
		return fail(src);
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, sst->st_mode & 0777);
	if (out < 0) {
		close(in);
		return fail(dst);
	}
	int status = copy_data(in, src, out, dst);
	close(in);
	if (close(out) < 0 && !status)
		status = fail(dst);
	return status;
}

static int copy(const char *src, const char *dst);

/* Makes DST (or takes the directory already there), then copies each entry
 * of SRC into it; the names are read whole first so that no directory
 * stays open during the recursion. */
static int copy_dir(const char *src, const char *dst, const struct stat *sst)
{
	if (have_top && sst->st_dev == top.st_dev && sst->st_ino == top.st_ino) {
		fprintf(stderr, "cp: %s: cannot copy a directory into itself\n", src);
		return 1;
	}
	if (mkdir(dst, sst->st_mode & 07777) < 0 && !(errno == EEXIST && is_dir(dst)))
		return fail(dst);
	if (!have_top && stat(dst, &top) == 0)
		have_top = 1;
	char **names;
	unsigned n;
	int status = dir_names(src, &names, &n) < 0 ? fail(src) : 0;
	for (unsigned i = 0; i < n; i++) {
		char *from = path_join(src, names[i]), *to = path_join(dst, names[i]);
		if (!from || !to)
			out_of_memory();
		status |= copy(from, to);
		free(from);
		free(to);
		free(names[i]);
	}
	free(names);
	return status;
}

static int copy_link(const char *src, const char *dst)
{
	char target[PATH_MAX];
	ssize_t n = readlink(src, target, sizeof target - 1);
	if (n < 0)
		return fail(src);
	target[n] = 0;
	return symlink(target, dst) < 0 ? fail(dst) : 0;
}

static int copy(const char *src, const char *dst)
{
	struct stat st;
	if ((recursive ? lstat(src, &st) : stat(src, &st)) < 0)
		return fail(src);
	if (S_ISREG(st.st_mode))
		return copy_file(src, dst, &st);
	if (S_ISLNK(st.st_mode))
		return copy_link(src, dst);
	if (S_ISDIR(st.st_mode) && recursive)
		return copy_dir(src, dst, &st);
	if (S_ISDIR(st.st_mode))
		fprintf(stderr, "cp: %s: a directory (copy it with -r)\n", src);
	else
		fprintf(stderr, "cp: %s: not a regular file, a directory or a symbolic link\n", src);
	return 1;
}

/* Each operand anew: its first directory made becomes TOP. */
static int copy_top(const char *src, const char *dst)
{
	have_top = 0;
	return copy(src, dst);
}

int main(int argc, char **argv)
{
	int i = 1;
	if (i < argc && (strcmp(argv[i], "-r") == 0 || strcmp(argv[i], "-R") == 0)) {
		recursive = 1;
		i++;
	}
	int n = argc - i;
	if (n < 2) {
		fprintf(stderr, "cp: missing operand (cp [-r] SRC DST, cp [-r] SRC... DIR)\n");
		return 1;
	}
	return act_into_last("cp", argv + i, n - 1, argv[argc - 1], copy_top);
}
