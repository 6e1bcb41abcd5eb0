/* cp [-r] SRC DST, cp [-r] SRC... DIR: copy files; into DIR (keeping each
 * name) when the last operand is a directory.  -r copies directories with
 * what they hold, and symbolic links inside them as links. */
#include "posix/posix.h"

static int recursive;
static char buf[64 * 1024];
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

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *join(const char *dir, const char *name, size_t namelen)
{
	size_t dn = strlen(dir), size = dn + 1 + namelen + 1;
	char *p = malloc(size);
	if (!p)
		out_of_memory();
	snprintf(p, size, "%s%s%.*s", dir, dn && dir[dn - 1] == '/' ? "" : "/", (int)namelen, name);
	return p;
}

/* DIR/(the last name of PATH, trailing slashes dropped). */
static char *into(const char *dir, const char *path)
{
	size_t end = strlen(path);
	while (end > 1 && path[end - 1] == '/')
		end--;
	size_t start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	return join(dir, path + start, end - start);
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
	DIR *d = opendir(src);
	if (!d)
		return fail(src);
	char **names = NULL;
	unsigned n = 0, cap = 0;
	struct dirent *e;
	errno = 0;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			if (!(names = realloc(names, cap * sizeof *names)))
				out_of_memory();
		}
		names[n++] = strdup(e->d_name);
		if (!names[n - 1])
			out_of_memory();
	}
	int status = errno ? fail(src) : 0;
	closedir(d);
	for (unsigned i = 0; i < n; i++) {
		char *from = join(src, names[i], strlen(names[i])), *to = join(dst, names[i], strlen(names[i]));
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
	const char *last = argv[argc - 1];
	if (!is_dir(last)) {
		if (n > 2) {
			fprintf(stderr, "cp: %s: %s\n", last, strerror(ENOTDIR));
			return 1;
		}
		return copy(argv[i], last);
	}
	int status = 0;
	for (; i < argc - 1; i++) {
		char *to = into(last, argv[i]);
		have_top = 0;
		status |= copy(argv[i], to);
		free(to);
	}
	return status;
}
