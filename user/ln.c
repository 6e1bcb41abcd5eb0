/* ln [-s] TARGET LINKNAME, ln [-s] TARGET... DIR, ln [-s] TARGET: a hard
 * link (or with -s a symbolic link) to TARGET; into DIR (or the current
 * directory) under TARGET's last name when the last operand is a directory. */
#include "posix/posix.h"

static int symbolic;

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* DIR/(the last name of PATH, trailing slashes dropped), or NULL without memory. */
static char *into(const char *dir, const char *path)
{
	size_t end = strlen(path);
	while (end > 1 && path[end - 1] == '/')
		end--;
	size_t start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	size_t dn = strlen(dir), size = dn + 1 + (end - start) + 1;
	char *p = malloc(size);
	if (p)
		snprintf(p, size, "%s%s%.*s", dir, dn && dir[dn - 1] == '/' ? "" : "/", (int)(end - start),
		         path + start);
	return p;
}

static int make_link(const char *target, const char *name)
{
	struct stat st;
	if (!symbolic && lstat(target, &st) < 0) {
		fprintf(stderr, "ln: %s: %s\n", target, strerror(errno));
		return 1;
	}
	if ((symbolic ? symlink(target, name) : link(target, name)) < 0) {
		fprintf(stderr, "ln: %s: %s\n", name, strerror(errno));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int i = 1;
	if (i < argc && strcmp(argv[i], "-s") == 0) {
		symbolic = 1;
		i++;
	}
	int n = argc - i;
	if (n < 1) {
		fprintf(stderr, "ln: missing operand (ln [-s] TARGET LINKNAME, ln [-s] TARGET... DIR)\n");
		return 1;
	}
	const char *dir = n == 1 ? "." : argv[argc - 1];
	if (n == 2 && !is_dir(dir))
		return make_link(argv[i], argv[i + 1]);
	if (!is_dir(dir)) {
		fprintf(stderr, "ln: %s: %s\n", dir, strerror(ENOTDIR));
		return 1;
	}
	int status = 0;
	for (int last = n == 1 ? argc : argc - 1; i < last; i++) {
		char *name = into(dir, argv[i]);
		if (!name) {
			fprintf(stderr, "ln: out of memory\n");
			return 1;
		}
		status |= make_link(argv[i], name);
		free(name);
	}
	return status;
}
