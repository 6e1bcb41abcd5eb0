/* mkdir [-p] DIR...: make directories; -p makes the missing parents too
 * and accepts directories that are already there. */
#include "posix/posix.h"
#include "posix/util.h"

static int fail(const char *path)
{
	fprintf(stderr, "mkdir: %s: %s\n", path, strerror(errno));
	return 1;
}

/* mkdir -p: each prefix of PATH that ends before a '/', then PATH. */
static int make_parents(const char *path)
{
	char *p = strdup(path);
	if (!p) {
		errno = ENOMEM;
		return fail(path);
	}
	int status = 0;
	for (char *s = p + 1; *s && !status; s++) {
		if (*s != '/' || s[-1] == '/')
			continue;
		*s = 0;
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			status = fail(p);
		*s = '/';
	}
	if (!status && mkdir(p, 0755) < 0 && !(errno == EEXIST && is_dir(p)))
		status = fail(path);
	free(p);
	return status;
}

int main(int argc, char **argv)
{
	int parents = 0, i = 1, status = 0;
	if (i < argc && strcmp(argv[i], "-p") == 0) {
		parents = 1;
		i++;
	}
	if (i == argc) {
		fprintf(stderr, "mkdir: missing operand (mkdir [-p] DIR...)\n");
		return 1;
	}
	for (; i < argc; i++) {
		if (parents)
			status |= make_parents(argv[i]);
		else if (mkdir(argv[i], 0755) < 0)
			status = fail(argv[i]);
	}
	return status;
}
