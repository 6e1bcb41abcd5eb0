/* mv SRC DST, mv SRC... DIR: rename; into DIR (keeping each name) when the
 * last operand is a directory. */
#include "posix/posix.h"

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

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "mv: missing operand (mv SRC DST, mv SRC... DIR)\n");
		return 1;
	}
	const char *last = argv[argc - 1];
	if (!is_dir(last)) {
		if (argc > 3) {
			fprintf(stderr, "mv: %s: %s\n", last, strerror(ENOTDIR));
			return 1;
		}
		if (rename(argv[1], last) < 0) {
			fprintf(stderr, "mv: %s -> %s: %s\n", argv[1], last, strerror(errno));
			return 1;
		}
		return 0;
	}
	int status = 0;
	for (int i = 1; i < argc - 1; i++) {
		char *to = into(last, argv[i]);
		if (!to || rename(argv[i], to) < 0) {
			fprintf(stderr, "mv: %s -> %s: %s\n", argv[i], to ? to : last, strerror(to ? errno : ENOMEM));
			status = 1;
		}
		free(to);
	}
	return status;
}
