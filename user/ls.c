/* ls [-l] [-a] [PATH...]: names in byte order, one a line.  A directory
 * operand lists what it holds (names beginning with '.' only with -a);
 * other operands list themselves, before the directories.  -l: mode,
 * links, uid, gid, size, modification time (UTC), name, "-> target". */
#include "posix/posix.h"
#include "posix/util.h"
#include "rt/fileinfo.h"

struct entry {
	char *name;          /* as shown */
	char *path;          /* for lstat and readlink */
	struct stat st;
};

static int opt_long, opt_all, status;

static void fail(const char *path)
{
	fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
	status = 1;
}

static void out_of_memory(void)
{
	fprintf(stderr, "ls: out of memory\n");
	exit(1);
}

static char *join(const char *dir, const char *name)
{
	char *p = path_join(dir, name);
	if (!p)
		out_of_memory();
	return p;
}

struct list {
	struct entry *e;
	unsigned n, cap;
};

static struct entry *add(struct list *l, char *name, char *path)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 32;
		if (!(l->e = realloc(l->e, l->cap * sizeof *l->e)))
			out_of_memory();
	}
	struct entry *e = &l->e[l->n++];
	e->name = name;
	e->path = path;
	return e;
}

static void clear(struct list *l)
{
	for (unsigned i = 0; i < l->n; i++) {
		if (l->e[i].path != l->e[i].name)
			free(l->e[i].path);
		free(l->e[i].name);
	}
	free(l->e);
	*l = (struct list){ 0 };
}

/* Insertion sort by name: directories here are small, and it is stable. */
static void sort(struct list *l)
{
	for (unsigned i = 1; i < l->n; i++) {
		struct entry e = l->e[i];
		unsigned j = i;
		for (; j > 0 && strcmp(l->e[j - 1].name, e.name) > 0; j--)
			l->e[j] = l->e[j - 1];
		l->e[j] = e;
	}
}

static unsigned digits(uint64_t v)
{
	unsigned n = 1;
	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* One -l line; the widths line the numbers of a listing up. */
static void print_long(const struct entry *e, const unsigned w[4])
{
	char mode[11], target[PATH_MAX];
	struct utc_time t;
	mode_string(e->st.st_mode, mode);
	utc_time(e->st.st_mtime, &t);
	fprintf(stdout, "%s %*u %*u %*u %*llu %u-%02u-%02u %02u:%02u %s", mode, (int)w[0],
	        (unsigned)e->st.st_nlink, (int)w[1], (unsigned)e->st.st_uid, (int)w[2],
	        (unsigned)e->st.st_gid, (int)w[3], (unsigned long long)e->st.st_size, t.year, t.month,
	        t.day, t.hour, t.min, e->name);
	if (S_ISLNK(e->st.st_mode)) {
		ssize_t n = readlink(e->path, target, sizeof target - 1);
		if (n < 0)
			fail(e->path);
		else {
			target[n] = 0;
			fprintf(stdout, " -> %s", target);
		}
	}
	fputc('\n', stdout);
}

static void print(const struct list *l)
{
	unsigned w[4] = { 0 };
	for (unsigned i = 0; opt_long && i < l->n; i++) {
		const struct stat *st = &l->e[i].st;
		uint64_t v[4] = { st->st_nlink, st->st_uid, st->st_gid, (uint64_t)st->st_size };
		for (int k = 0; k < 4; k++)
			if (digits(v[k]) > w[k])
				w[k] = digits(v[k]);
	}
	for (unsigned i = 0; i < l->n; i++) {
		if (opt_long)
			print_long(&l->e[i], w);
		else
			fprintf(stdout, "%s\n", l->e[i].name);
	}
}

static void list_dir(const char *path)
{
	DIR *d = opendir(path);
	if (!d) {
		fail(path);
		return;
	}
	struct list l = { 0 };
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d)))
		if (opt_all || de->d_name[0] != '.') {
			char *name = strdup(de->d_name);
			if (!name)
				out_of_memory();
			add(&l, name, opt_long ? join(path, name) : name);
		}
	if (errno)
		fail(path);
	closedir(d);
	sort(&l);
	if (opt_long) {
		unsigned ok = 0;
		uint64_t blocks = 0;
		for (unsigned i = 0; i < l.n; i++) {
			struct entry *e = &l.e[i];
			if (lstat(e->path, &e->st) < 0) {   /* said, and left out */
				fail(e->path);
				free(e->path);
				free(e->name);
				continue;
			}
			blocks += e->st.st_blocks;
			l.e[ok++] = *e;
		}
		l.n = ok;
		fprintf(stdout, "total %llu\n", (unsigned long long)(blocks + 1) / 2);
	}
	print(&l);
	clear(&l);
}

int main(int argc, char **argv)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		for (const char *o = argv[i] + 1; *o; o++) {
			if (*o == 'l')
				opt_long = 1;
			else if (*o == 'a')
				opt_all = 1;
			else {
				fprintf(stderr, "ls: unknown option -%c (ls [-l] [-a] [PATH...])\n", *o);
				return 1;
			}
		}
	}
	char *dot[] = { ".", NULL };
	char **ops = i < argc ? argv + i : dot;
	int nops = i < argc ? argc - i : 1;

	/* Operands: -l shows a symbolic link itself; otherwise a link to a
	 * directory lists the directory, and a dangling one shows itself. */
	struct list files = { 0 }, dirs = { 0 };
	for (int k = 0; k < nops; k++) {
		struct stat st;
		int r = opt_long ? lstat(ops[k], &st) : stat(ops[k], &st);
		if (r < 0 && !opt_long && errno == ENOENT)
			r = lstat(ops[k], &st);
		if (r < 0) {
			fail(ops[k]);
			continue;
		}
		char *name = strdup(ops[k]);
		if (!name)
			out_of_memory();
		add(S_ISDIR(st.st_mode) ? &dirs : &files, name, name)->st = st;
	}
	sort(&files);
	sort(&dirs);
	print(&files);
	for (unsigned k = 0; k < dirs.n; k++) {
		if (nops > 1)
			fprintf(stdout, "%s%s:\n", files.n || k ? "\n" : "", dirs.e[k].name);
		list_dir(dirs.e[k].name);
	}
	clear(&files);
	clear(&dirs);
	return status;
}
