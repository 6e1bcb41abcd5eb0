/* rm [-r] [-f] PATH...: remove files; -r removes directories and what they
 * hold; -f says nothing about paths that are not there. */
#include "posix/util.h"

static int recursive, force;

static int fail(const char *path)
{
	fprintf(stderr, "rm: %s: %s\n", path, strerror(errno));
	return 1;
}

static void out_of_memory(void)
{
	fprintf(stderr, "rm: out of memory\n");
	exit(1);
}

/* "/", ".", "..", or a path ending in "/." or "/..": never removed with -r. */
static int forbidden(const char *path)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	if (n == 1 && path[0] == '/')
		return 1;
	size_t start = n;
	while (start > 0 && path[start - 1] != '/')
		start--;
	return (n - start == 1 && path[start] == '.') ||
	       (n - start == 2 && path[start] == '.' && path[start + 1] == '.');
}

static int remove_path(const char *path);

/* The entries of directory PATH (read whole first, so that removing them
 * does not disturb the reading), then PATH itself. */
static int remove_dir(const char *path)
{
	char **names;
	unsigned n;
	int status = dir_names(path, &names, &n) < 0 ? fail(path) : 0;
	for (unsigned i = 0; i < n; i++) {
		char *sub = path_join(path, names[i]);
		if (!sub)
			out_of_memory();
		status |= remove_path(sub);
		free(sub);
		free(names[i]);
	}
	free(names);
	if (!status && rmdir(path) < 0)
		status = fail(path);
	return status;
}

static int remove_path(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return force && errno == ENOENT ? 0 : fail(path);
	if (!S_ISDIR(st.st_mode))
		return unlink(path) < 0 ? fail(path) : 0;
	if (!recursive) {
		errno = EISDIR;
		return fail(path);
	}
	if (forbidden(path)) {
		fprintf(stderr, "rm: %s: refusing to remove '/', '.' or '..'\n", path);
		return 1;
	}
	return remove_dir(path);
}

int main(int argc, char **argv)
{
	int i = 1, status = 0;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		for (const char *o = argv[i] + 1; *o; o++) {
			if (*o == 'r' || *o == 'R')
				recursive = 1;
			else if (*o == 'f')
				force = 1;
			else {
				fprintf(stderr, "rm: unknown option -%c (rm [-r] [-f] PATH...)\n", *o);
				return 1;
			}
		}
	}
	if (i == argc && !force) {
		fprintf(stderr, "rm: missing operand (rm [-r] [-f] PATH...)\n");
		return 1;
	}
	for (; i < argc; i++)
		status |= remove_path(argv[i]);
	return status;
}
