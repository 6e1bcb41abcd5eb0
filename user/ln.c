/* ln [-s] TARGET LINKNAME, ln [-s] TARGET... DIR, ln [-s] TARGET: a hard
 * link (or with -s a symbolic link) to TARGET; into DIR (or the current
 * directory) under TARGET's last name when the last operand is a directory. */
#include "posix/util.h"

static int symbolic;

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
	/* ln TARGET is ln TARGET . */
	if (n == 1)
		return act_into_last("ln", argv + i, 1, ".", make_link);
	return act_into_last("ln", argv + i, n - 1, argv[argc - 1], make_link);
}
