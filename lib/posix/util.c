/* Helpers for the /bin programs (posix/util.h). */
#include "posix/util.h"

int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* DIR/(LEN bytes of NAME). */
static char *join(const char *dir, const char *name, size_t len)
{
	size_t dn = strlen(dir), size = dn + 1 + len + 1;
	char *p = malloc(size);
	if (p)
		snprintf(p, size, "%s%s%.*s", dir, dn && dir[dn - 1] == '/' ? "" : "/", (int)len, name);
	return p;
}

char *path_join(const char *dir, const char *name)
{
	return join(dir, name, strlen(name));
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

int act_into_last(const char *prog, char **srcs, int n, const char *last,
                  int (*act)(const char *src, const char *dst))
{
	if (!is_dir(last)) {
		if (n == 1)
			return act(srcs[0], last);
		fprintf(stderr, "%s: %s: %s\n", prog, last, strerror(ENOTDIR));
		return 1;
	}
	int status = 0;
	for (int i = 0; i < n; i++) {
		char *dst = into(last, srcs[i]);
		if (!dst) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return 1;
		}
		status |= act(srcs[i], dst);
		free(dst);
	}
	return status;
}

int dir_names(const char *path, char ***names, unsigned *n)
{
	*names = NULL;
	*n = 0;
	DIR *d = opendir(path);
	if (!d)
		return -1;
	unsigned cap = 0;
	int err = 0;
	struct dirent *e;
	for (errno = 0; (e = readdir(d)); errno = 0) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (*n == cap) {
			char **more = realloc(*names, (cap ? 2 * cap : 16) * sizeof *more);
			if (!more) {
				err = ENOMEM;
				break;
			}
			*names = more;
			cap = cap ? 2 * cap : 16;
		}
		if (!((*names)[*n] = strdup(e->d_name))) {
			err = ENOMEM;
			break;
		}
		(*n)++;
	}
	if (!err)
		err = errno;            /* 0 at the end, or why readdir stopped */
	closedir(d);
	if (err)
		errno = err;
	return err ? -1 : 0;
}

int machine_down(const char *prog)
{
	fprintf(stdout, "%s: the machine is going down\n", prog);
	if (halt_machine() == 0)        /* it flushes stdio and syncs first */
		return 0;
	fprintf(stderr, "%s: cannot halt: %s\n", prog, strerror(errno));
	return 1;
}
