/* The ext2 write path (lib/ext2: ext2_mount_rw and the calls after it)
 * against images that mke2fs -d writes at test time.  The test keeps a
 * model of the tree it expects beside every change; after ext2_unmount the
 * oracles nobody here wrote judge the image: e2fsck -fn must find nothing to
 * fix, debugfs must list every directory as the model says (names, inode
 * numbers, types, owners, sizes) and dump every file and link target as
 * the model holds it, dumpe2fs must show the mount counted and the state
 * clean; then a new read-only mount through the core must read the model
 * back, link counts included. */
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "unit.h"
#include "ext2/ext2.h"
#include "rt/le.h"
#include "rt/rt.h"

typedef unsigned long long ull;
static char tmp[64];
static uint32_t clock_now = 1700000000;

/* --- the disk: the image file -------------------------------------------------- */

#define LOG 8

struct dev {
	int fd;
	uint64_t size;
	long reads, writes, flushes, bad_writes;
	bool fail_writes;               /* the disk refuses every write */
	/* the last writes since the last flush, in order: offset and size */
	uint64_t log_off[LOG];
	size_t log_n[LOG];
	int nlog;
	bool log_after_flush;
};

static int dev_read(void *ctx, uint64_t off, void *buf, size_t n)
{
	struct dev *d = ctx;
	d->reads++;
	return pread(d->fd, buf, n, (off_t)off) == (ssize_t)n ? 0 : -1;
}

static int dev_write(void *ctx, uint64_t off, const void *buf, size_t n)
{
	struct dev *d = ctx;
	if (d->fail_writes)
		return -1;
	d->writes++;
	if (off % 512 || n % 512)
		d->bad_writes++;
	if (d->log_after_flush)
		d->nlog = 0, d->log_after_flush = false;
	if (d->nlog == LOG) {
		memmove(d->log_off, d->log_off + 1, sizeof d->log_off - sizeof d->log_off[0]);
		memmove(d->log_n, d->log_n + 1, sizeof d->log_n - sizeof d->log_n[0]);
		d->nlog--;
	}
	d->log_off[d->nlog] = off;
	d->log_n[d->nlog++] = n;
	return pwrite(d->fd, buf, n, (off_t)off) == (ssize_t)n ? 0 : -1;
}

static int dev_flush(void *ctx)
{
	struct dev *d = ctx;
	d->flushes++;
	d->log_after_flush = true;
	return fsync(d->fd);
}

static uint32_t dev_clock(void *ctx)
{
	(void)ctx;
	return clock_now;
}

static char *img_path(const char *img)
{
	static char p[4][160];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof p[k], "%s/%s", tmp, img);
	return p[k];
}

/* Mounts IMG read-write (or through the cache read-only, WRITABLE false). */
static int mount_img(struct ext2_fs *fs, struct dev *d, const char *img, size_t cache, bool writable)
{
	struct stat st;
	memset(d, 0, sizeof *d);
	d->fd = open(img_path(img), O_RDWR);
	if (!CHECK(d->fd >= 0 && fstat(d->fd, &st) == 0, "%s opens", img))
		return -1;
	d->size = (uint64_t)st.st_size;
	struct ext2_dev dv = { dev_read, writable ? dev_write : NULL, dev_flush, dev_clock, d, d->size, cache, NULL };
	char why[160] = "";
	int r = ext2_mount_rw(fs, &dv, why, sizeof why);
	if (!CHECK(r == 0, "%s: mount read-write: %d (%s)", img, r, why))
		close(d->fd);
	return r;
}

static void unmount_img(struct ext2_fs *fs, struct dev *d, const char *img)
{
	int r = ext2_unmount(fs);
	CHECK(r == 0, "%s: unmount: %d (%s)", img, r, fs->why);
	CHECK(d->bad_writes == 0, "%s: %ld writes not of whole 512-byte records", img, d->bad_writes);
	close(d->fd);
}

/* Runs CMD, returns its exit status and its output in OUT (malloc'd). */
static int run(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int run(char **out, const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	libc_vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	FILE *p = popen(cmd, "r");
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	size_t got;
	while (p && (got = fread(buf + n, 1, cap - n - 1, p)) > 0) {
		n += got;
		if (cap - n < 4096)
			buf = realloc(buf, cap *= 2);
	}
	buf[n] = 0;
	int st = p ? pclose(p) : -1;
	*out = buf;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* e2fsck -fn must find nothing: status 0, and no line but the passes and
 * the summary. */
static void fsck_clean(const char *img, const char *when)
{
	char *out;
	int st = run(&out, "e2fsck -fn %s 2>&1", img_path(img));
	bool lines_ok = true;
	for (char *l = out; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
		if (*l == '\n')
			continue;
		if (strncmp(l, "Pass ", 5) && strncmp(l, "e2fsck ", 7) && strncmp(l, img_path(img), strlen(img_path(img))))
			lines_ok = false;
	}
	CHECK(st == 0 && lines_ok, "%s: e2fsck -fn %s: status %d, output:\n%s", img, when, st, out);
	free(out);
}

/* A field of dumpe2fs -h, or "" */
static void dumpe2fs_field(const char *img, const char *field, char *val, size_t size)
{
	char *out;
	run(&out, "dumpe2fs -h %s 2>/dev/null", img_path(img));
	char *l = strstr(out, field);
	val[0] = 0;
	if (l) {
		l += strlen(field);
		while (*l == ' ' || *l == ':')
			l++;
		size_t n = strcspn(l, "\n");
		snprintf(val, size, "%.*s", (int)(n < size ? n : size - 1), l);
	}
	free(out);
}

/* --- the model ------------------------------------------------------------------- */

enum { M_FILE = 1, M_DIR, M_LINK, M_FIFO };

struct node {
	char *path;             /* from the root: "/", "/a/b" */
	int kind;
	uint32_t ino;
	uint16_t perm;
	uint32_t uid, gid;
	uint8_t *data;          /* files: the contents, or NULL for huge sparse ones */
	uint64_t size;
	char *target;           /* links */
	/* huge sparse files: the pieces written, each SEED's pattern */
	uint64_t piece_off[4];
	uint32_t piece_len[4], piece_seed[4];
	int npieces;
};

/* strdup's memory is libc's (see rename.h): the model's strings are the project's */
static char *dupstr(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(malloc(n), s, n);
}

static struct node *model;
static int nmodel, capmodel;

static struct node *node_at(const char *path)
{
	for (int i = 0; i < nmodel; i++)
		if (!strcmp(model[i].path, path))
			return &model[i];
	return NULL;
}

static struct node *add_node(const char *path, int kind, uint32_t ino)
{
	if (nmodel == capmodel)
		model = realloc(model, (capmodel = capmodel ? 2 * capmodel : 256) * sizeof *model);
	struct node *n = &model[nmodel++];
	memset(n, 0, sizeof *n);
	n->path = dupstr(path);
	n->kind = kind;
	n->ino = ino;
	n->perm = kind == M_DIR ? 0755 : kind == M_LINK ? 0777 : 0644;
	return n;
}

static void del_node(struct node *n)
{
	free(n->path);
	free(n->target);
	free(n->data);
	*n = model[--nmodel];
}

/* Whether node N lies directly in directory DIR (a path). */
static bool child_of(const struct node *n, const char *dir)
{
	size_t l = strlen(dir);
	if (!strcmp(n->path, "/") || strncmp(n->path, dir, l))
		return false;
	const char *rest = n->path + l;
	if (l > 1) {
		if (*rest != '/')
			return false;
		rest++;
	}
	return *rest && !strchr(rest, '/');
}

/* The link count the model expects of inode INO. */
static unsigned expected_links(const struct node *n)
{
	unsigned links = 0;
	if (n->kind == M_DIR) {
		links = 2;
		for (int i = 0; i < nmodel; i++)
			links += model[i].kind == M_DIR && child_of(&model[i], n->path);
		return links;
	}
	for (int i = 0; i < nmodel; i++)
		links += model[i].ino == n->ino;
	return links;
}

/* Every node of inode INO (hard links) gets the same contents. */
static void model_write(uint32_t ino, uint64_t off, const uint8_t *buf, size_t n)
{
	for (int i = 0; i < nmodel; i++) {
		struct node *m = &model[i];
		if (m->ino != ino || m->kind != M_FILE)
			continue;
		if (off + n > m->size) {
			m->data = realloc(m->data, off + n);
			memset(m->data + m->size, 0, off + n - m->size);
			m->size = off + n;
		}
		memcpy(m->data + off, buf, n);
	}
}

static void model_truncate(uint32_t ino, uint64_t size)
{
	for (int i = 0; i < nmodel; i++) {
		struct node *m = &model[i];
		if (m->ino != ino || m->kind != M_FILE)
			continue;
		if (size > m->size) {
			m->data = realloc(m->data, size ? size : 1);
			memset(m->data + m->size, 0, size - m->size);
		}
		m->size = size;
	}
}

/* --- the core's view ------------------------------------------------------------- */

/* The inode of PATH through the core (symbolic links not followed); 0 when
 * it is not there. */
static uint32_t resolve(struct ext2_fs *fs, const char *path)
{
	uint32_t ino = EXT2_ROOT_INO;
	struct ext2_inode in;
	while (*path) {
		while (*path == '/')
			path++;
		size_t len = strcspn(path, "/");
		if (!len)
			break;
		if (ext2_read_inode(fs, ino, &in) || ext2_lookup(fs, &in, path, len, &ino))
			return 0;
		path += len;
	}
	return ino;
}

/* The directory of PATH and the last name in it. */
static uint32_t dir_of(struct ext2_fs *fs, const char *path, const char **name)
{
	char d[1024];
	const char *slash = strrchr(path, '/');
	snprintf(d, sizeof d, "%.*s", (int)(slash - path), path);
	*name = slash + 1;
	return resolve(fs, d[0] ? d : "/");
}

static uint32_t t_create(struct ext2_fs *fs, const char *path, uint16_t mode)
{
	const char *name;
	uint32_t dir = dir_of(fs, path, &name), ino = 0;
	int r = ext2_create(fs, dir, name, strlen(name), mode, 1000, 100, &ino);
	if (!CHECK(r == 0 && ino, "create %s: %d (%s)", path, r, fs->why))
		return 0;
	struct node *n = add_node(path, (mode & EXT2_S_IFMT) == EXT2_S_IFIFO ? M_FIFO : M_FILE, ino);
	n->perm = mode & 07777;
	n->uid = 1000;
	n->gid = 100;
	return ino;
}

/* Writes N bytes of SEED's pattern at OFF of PATH in pieces of PIECE bytes. */
static void t_write(struct ext2_fs *fs, const char *path, uint64_t off, size_t n, uint32_t seed, size_t piece)
{
	uint32_t ino = resolve(fs, path);
	uint8_t *b = malloc(n ? n : 1);
	unit_fill(b, n, seed);
	bool ok = CHECK(ino, "write: %s exists", path);
	for (size_t done = 0; ok && done < n; done += piece) {
		size_t k = n - done < piece ? n - done : piece;
		long w = ext2_write(fs, ino, off + done, b + done, k);
		ok = CHECK(w == (long)k, "write %s: %zu bytes at %llu: %ld (%s)", path, k, (ull)(off + done), w, fs->why);
	}
	if (ok)
		model_write(ino, off, b, n);
	free(b);
	clock_now++;
}

static void t_truncate(struct ext2_fs *fs, const char *path, uint64_t size)
{
	uint32_t ino = resolve(fs, path);
	int r = ext2_truncate(fs, ino, size);
	if (CHECK(ino && r == 0, "truncate %s to %llu: %d (%s)", path, (ull)size, r, fs->why))
		model_truncate(ino, size);
}

static uint32_t t_mkdir(struct ext2_fs *fs, const char *path)
{
	const char *name;
	uint32_t dir = dir_of(fs, path, &name), ino = 0;
	int r = ext2_mkdir(fs, dir, name, strlen(name), 0750, 1000, 100, &ino);
	if (!CHECK(r == 0 && ino, "mkdir %s: %d (%s)", path, r, fs->why))
		return 0;
	struct node *n = add_node(path, M_DIR, ino);
	n->perm = 0750;
	n->uid = 1000;
	n->gid = 100;
	return ino;
}

static void t_rmdir(struct ext2_fs *fs, const char *path)
{
	const char *name;
	uint32_t dir = dir_of(fs, path, &name);
	int r = ext2_rmdir(fs, dir, name, strlen(name));
	if (CHECK(r == 0, "rmdir %s: %d (%s)", path, r, fs->why))
		del_node(node_at(path));
}

static void t_unlink(struct ext2_fs *fs, const char *path)
{
	const char *name;
	uint32_t dir = dir_of(fs, path, &name);
	int r = ext2_unlink(fs, dir, name, strlen(name));
	if (CHECK(r == 0 && node_at(path), "unlink %s: %d (%s)", path, r, fs->why))
		del_node(node_at(path));
}

static void t_link(struct ext2_fs *fs, const char *old, const char *path)
{
	const char *name;
	uint32_t dir = dir_of(fs, path, &name), ino = resolve(fs, old);
	int r = ext2_link(fs, dir, name, strlen(name), ino);
	struct node *o = node_at(old);
	if (!CHECK(r == 0 && o, "link %s to %s: %d (%s)", path, old, r, fs->why))
		return;
	struct node copy = *o;
	struct node *n = add_node(path, M_FILE, ino);
	n->perm = copy.perm;
	n->uid = copy.uid;
	n->gid = copy.gid;
	n->size = copy.size;
	n->data = malloc(copy.size ? copy.size : 1);
	memcpy(n->data, copy.data, copy.size);
}

static void t_symlink(struct ext2_fs *fs, const char *path, const char *target)
{
	const char *name;
	uint32_t dir = dir_of(fs, path, &name), ino = 0;
	int r = ext2_symlink(fs, dir, name, strlen(name), target, strlen(target), 1000, 100, &ino);
	if (!CHECK(r == 0 && ino, "symlink %s: %d (%s)", path, r, fs->why))
		return;
	struct node *n = add_node(path, M_LINK, ino);
	n->target = dupstr(target);
	n->uid = 1000;
	n->gid = 100;
}

/* Renames in the core and in the model: a directory takes its subtree along. */
static void t_rename(struct ext2_fs *fs, const char *old, const char *new)
{
	const char *oname, *nname;
	uint32_t od = dir_of(fs, old, &oname), nd = dir_of(fs, new, &nname);
	int r = ext2_rename(fs, od, oname, strlen(oname), nd, nname, strlen(nname));
	if (!CHECK(r == 0, "rename %s to %s: %d (%s)", old, new, r, fs->why))
		return;
	struct node *t = node_at(new), *o = node_at(old);
	if (t && o && t->ino == o->ino)
		return;
	if (t)
		del_node(t);
	size_t l = strlen(old);
	for (int i = 0; i < nmodel; i++) {
		struct node *m = &model[i];
		if (strncmp(m->path, old, l) || (m->path[l] && m->path[l] != '/'))
			continue;
		char p[2048];
		snprintf(p, sizeof p, "%s%s", new, m->path + l);
		free(m->path);
		m->path = dupstr(p);
	}
	clock_now++;
}

/* Writes a piece of a huge sparse file, which the model keeps as pieces. */
static void t_write_huge(struct ext2_fs *fs, const char *path, uint64_t off, uint32_t len, uint32_t seed)
{
	uint32_t ino = resolve(fs, path);
	struct node *n = node_at(path);
	uint8_t *b = malloc(len);
	unit_fill(b, len, seed);
	long w = ext2_write(fs, ino, off, b, len);
	if (CHECK(ino && n && n->npieces < 4 && w == (long)len, "write %s: %u bytes at %llu: %ld (%s)", path, len,
		  (ull)off, w, fs->why)) {
		free(n->data);
		n->data = NULL;
		n->piece_off[n->npieces] = off;
		n->piece_len[n->npieces] = len;
		n->piece_seed[n->npieces++] = seed;
		if (off + len > n->size)
			n->size = off + len;
	}
	free(b);
}

/* --- judging an image ------------------------------------------------------------ */

/* Splits a debugfs -f run at its command echoes: SECT[i] is the output of
 * the i-th command (the buffer is cut in place). */
static int sections(char *out, char **sect, int max)
{
	int n = 0;
	for (char *l = out; l && *l;) {
		char *next = strchr(l, '\n');
		if (!strncmp(l, "debugfs: ", 9)) {
			if (l > out)
				l[-1] = 0;      /* ends the previous section */
			if (n > 0 && n <= max && sect[n - 1] == l)
				sect[n - 1] = l - 1;    /* which was empty */
			if (n < max)
				sect[n] = next ? next + 1 : l + strlen(l);
			n++;
		}
		l = next ? next + 1 : NULL;
	}
	return n;
}

static unsigned kind_mode(int kind)
{
	return kind == M_DIR ? 040000 : kind == M_FILE ? 0100000 : kind == M_LINK ? 0120000 : 010000;
}

/* One "ls -p" listing against the model's children of directory D. */
static void check_listing(const char *img, const struct node *d, char *text)
{
	int seen = 0;
	for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
		char *f[7];
		int nf = 0;
		for (char *p = l; nf < 7 && (p = strchr(p, '/')); p++)
			f[nf++] = p + 1;
		if (!CHECK(nf == 7, "%s: ls -p %s: line '%s'", img, d->path, l))
			continue;
		for (int k = 0; k < 6; k++)
			*strchr(f[k], '/') = 0;
		unsigned ino = (unsigned)atoi(f[0]), mode = (unsigned)strtoul(f[1], NULL, 8);
		const char *name = f[4];
		if (ino == 0)           /* an unused entry */
			continue;
		if (!strcmp(name, ".") || !strcmp(name, "..")) {
			char parent[1024];
			snprintf(parent, sizeof parent, "%s", d->path);
			*strrchr(parent, '/') = 0;
			const struct node *p = name[1] ? node_at(parent[0] ? parent : "/") : d;
			CHECK(p && ino == p->ino, "%s: %s/%s is inode %u, want %u", img, d->path, name, ino, p ? p->ino : 0);
			continue;
		}
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", strcmp(d->path, "/") ? d->path : "", name);
		const struct node *n = node_at(path);
		seen++;
		if (!CHECK(n, "%s: debugfs lists %s, the model does not have it", img, path))
			continue;
		CHECK(ino == n->ino && mode == (kind_mode(n->kind) | n->perm) && (unsigned)atoi(f[2]) == n->uid
		      && (unsigned)atoi(f[3]) == n->gid
		      && (n->kind == M_DIR || n->kind == M_FIFO
			  || strtoull(f[5], NULL, 10) == (n->kind == M_LINK ? strlen(n->target) : n->size)),
		      "%s: %s: debugfs says inode %u mode 0%o uid %s gid %s size %s; the model %u 0%o %u %u %llu", img,
		      path, ino, mode, f[2], f[3], f[5], n->ino, kind_mode(n->kind) | n->perm, n->uid, n->gid,
		      (ull)n->size);
	}
	int want = 0;
	for (int i = 0; i < nmodel; i++)
		want += child_of(&model[i], d->path);
	CHECK(seen == want, "%s: debugfs lists %d entries in %s, the model has %d", img, seen, d->path, want);
}

static bool same_file(const char *path, const uint8_t *data, uint64_t size)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) || (uint64_t)st.st_size != size) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	uint8_t *b = malloc(size ? size : 1);
	bool same = pread(fd, b, size, 0) == (ssize_t)size && !memcmp(b, data, size);
	free(b);
	close(fd);
	return same;
}

/* debugfs: every directory listed, every file and slow link dumped, every
 * fast link's target. */
static void check_debugfs(const char *img)
{
	char cmds[160], dumps[160];
	snprintf(cmds, sizeof cmds, "%s/cmds", tmp);
	snprintf(dumps, sizeof dumps, "%s/dump", tmp);
	sh("rm -rf %s && mkdir -p %s", dumps, dumps);
	FILE *f = fopen(cmds, "w");
	for (int i = 0; i < nmodel; i++) {
		struct node *n = &model[i];
		if (n->kind == M_DIR)
			fprintf(f, "ls -p %s\n", n->path);
		else if ((n->kind == M_FILE && n->data) || (n->kind == M_LINK && strlen(n->target) >= 60))
			fprintf(f, "dump %s %s/%d\n", n->path, dumps, i);
		else if (n->kind == M_LINK)
			fprintf(f, "stat %s\n", n->path);
		else
			fprintf(f, "stat %s\n", n->path);      /* a section for every node */
	}
	fclose(f);
	char *out, **sect = calloc(nmodel + 1, sizeof *sect);
	run(&out, "debugfs -f %s %s 2>&1", cmds, img_path(img));
	int ns = sections(out, sect, nmodel);
	if (!CHECK(ns == nmodel, "%s: debugfs ran %d commands of %d", img, ns, nmodel))
		goto out;
	int files = 0, dirs = 0, links = 0;
	for (int i = 0; i < nmodel; i++) {
		struct node *n = &model[i];
		char path[256];
		snprintf(path, sizeof path, "%s/%d", dumps, i);
		if (n->kind == M_DIR) {
			check_listing(img, n, sect[i]);
			dirs++;
		} else if (n->kind == M_FILE && n->data) {
			CHECK(same_file(path, n->data, n->size), "%s: debugfs dump %s differs from the model (%llu bytes)%s",
			      img, n->path, (ull)n->size, sect[i]);
			files++;
		} else if (n->kind == M_LINK) {
			if (strlen(n->target) >= 60) {
				CHECK(same_file(path, (const uint8_t *)n->target, strlen(n->target)),
				      "%s: debugfs dump of slow link %s differs from '%s'", img, n->path, n->target);
			} else {
				char want[128];
				snprintf(want, sizeof want, "Fast link dest: \"%s\"", n->target);
				CHECK(strstr(sect[i], want), "%s: debugfs stat %s: no '%s' in:\n%s", img, n->path, want, sect[i]);
			}
			links++;
		}
	}
	CHECK(files + dirs + links > 0, "%s: debugfs checked %d files, %d directories, %d links", img, files, dirs, links);
out:
	free(out);
	free(sect);
}

/* A new read-only mount through the core reads the model back. */
static void check_core(const char *img)
{
	struct dev d;
	struct ext2_fs fs;
	char why[160];
	size_t size;
	memset(&d, 0, sizeof d);
	d.fd = open(img_path(img), O_RDONLY);
	struct stat st;
	if (!CHECK(d.fd >= 0 && fstat(d.fd, &st) == 0, "%s opens", img))
		return;
	size = (size_t)st.st_size;
	int r = ext2_mount(&fs, dev_read, &d, size, why, sizeof why);
	if (!CHECK(r == 0, "%s: mount read-only: %s", img, why))
		goto out;
	for (int i = 0; i < nmodel; i++) {
		struct node *n = &model[i];
		struct ext2_inode in;
		uint32_t ino = resolve(&fs, n->path);
		if (!CHECK(ino == n->ino && ext2_read_inode(&fs, ino, &in) == 0, "%s: %s is inode %u, want %u", img,
			   n->path, ino, n->ino))
			continue;
		CHECK(in.links == expected_links(n) && (in.mode & 0170000) == kind_mode(n->kind)
		      && (in.mode & 07777) == n->perm,
		      "%s: %s: links %u mode 0%o, the model %u 0%o", img, n->path, in.links, in.mode, expected_links(n),
		      kind_mode(n->kind) | n->perm);
		if (n->kind == M_FILE && n->data) {
			uint8_t *b = malloc(n->size + 1);
			long got = ext2_read(&fs, &in, 0, b, n->size + 1);
			CHECK(in.size == n->size && got == (long)n->size && !memcmp(b, n->data, n->size),
			      "%s: %s reads back %ld bytes of %llu (size %llu)", img, n->path, got, (ull)n->size,
			      (ull)in.size);
			free(b);
		} else if (n->kind == M_FILE) {
			CHECK(in.size == n->size, "%s: %s: size %llu, want %llu", img, n->path, (ull)in.size, (ull)n->size);
			for (int k = 0; k < n->npieces; k++) {
				uint32_t len = n->piece_len[k];
				uint8_t *a = malloc(len + 8), *b = malloc(len + 8);
				unit_fill(a, len, n->piece_seed[k]);
				memset(b, 0xee, len + 8);
				long got = ext2_read(&fs, &in, n->piece_off[k], b, len);
				CHECK(got == (long)len && !memcmp(a, b, len), "%s: %s: piece %d at %llu reads back (%ld)",
				      img, n->path, k, (ull)n->piece_off[k], got);
				/* holes read as zeros */
				uint64_t hole = n->piece_off[k] > 8 ? n->piece_off[k] - 8 : 0;
				bool piece_before = false;
				for (int j = 0; j < n->npieces; j++)
					piece_before |= n->piece_off[j] < n->piece_off[k] && n->piece_off[j] + n->piece_len[j] > hole;
				if (n->piece_off[k] >= 8 && !piece_before)
					CHECK(ext2_read(&fs, &in, hole, b, 8) == 8 && !memcmp(b, "\0\0\0\0\0\0\0\0", 8),
					      "%s: %s: the hole before %llu reads zeros", img, n->path, (ull)n->piece_off[k]);
				free(a);
				free(b);
			}
		} else if (n->kind == M_LINK) {
			char t[4096];
			long got = ext2_readlink(&fs, &in, t, sizeof t);
			CHECK(got == (long)strlen(n->target) && !memcmp(t, n->target, got), "%s: link %s: %ld bytes", img,
			      n->path, got);
		}
	}
	ext2_unmount(&fs);
out:
	close(d.fd);
}

/* After an unmount: every oracle, and the superblock's mount count and state. */
static void check_image(const char *img, const char *when, unsigned mounts)
{
	char val[128];
	fsck_clean(img, when);
	check_debugfs(img);
	check_core(img);
	dumpe2fs_field(img, "Filesystem state", val, sizeof val);
	CHECK(!strcmp(val, "clean"), "%s: state '%s' %s", img, val, when);
	dumpe2fs_field(img, "Mount count", val, sizeof val);
	CHECK((unsigned)atoi(val) == mounts, "%s: mount count %s, want %u", img, val, mounts);
}

/* --- the source tree that mke2fs copies -------------------------------------------- */

static char src[96];

static struct node *src_node(const char *rel, int kind)
{
	char p[512];
	struct stat st;
	snprintf(p, sizeof p, "%s%s", src, rel);
	CHECK(lstat(p, &st) == 0, "source %s", p);
	struct node *n = add_node(rel, kind, 0);
	n->perm = st.st_mode & 07777;
	n->uid = st.st_uid;
	n->gid = st.st_gid;
	return n;
}

static void src_file(const char *rel, size_t size, uint32_t seed)
{
	char p[512];
	snprintf(p, sizeof p, "%s%s", src, rel);
	uint8_t *b = malloc(size + 1);
	unit_fill(b, size, seed);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && write(fd, b, size) == (ssize_t)size && close(fd) == 0, "write %s", p);
	struct node *n = src_node(rel, M_FILE);
	n->data = b;
	n->size = size;
}

static void src_dir(const char *rel)
{
	char p[512];
	snprintf(p, sizeof p, "%s%s", src, rel);
	CHECK(mkdir(p, 0755) == 0, "mkdir %s", p);
	src_node(rel, M_DIR);
}

static void src_link(const char *rel, const char *target)
{
	char p[512];
	snprintf(p, sizeof p, "%s%s", src, rel);
	CHECK(symlink(target, p) == 0, "symlink %s", p);
	src_node(rel, M_LINK)->target = dupstr(target);
}

static void src_hard(const char *old, const char *rel)
{
	char p[512], q[512];
	snprintf(p, sizeof p, "%s%s", src, old);
	snprintf(q, sizeof q, "%s%s", src, rel);
	CHECK(link(p, q) == 0, "link %s", q);
	struct node *o = node_at(old), copy = *o, *n = src_node(rel, M_FILE);
	n->size = copy.size;
	n->data = memcpy(malloc(copy.size + 1), copy.data, copy.size);
}

static void reset_model(void)
{
	while (nmodel)
		del_node(&model[nmodel - 1]);
}

/* A fresh source tree and its model; BIG adds a directory large enough
 * for e2fsck -D to index. */
static void build_src(bool big)
{
	reset_model();
	sh("rm -rf %s && mkdir -p %s", src, src);
	src_node("", M_DIR);
	free(model[0].path);
	model[0].path = dupstr("/");
	add_node("/lost+found", M_DIR, 0);
	src_file("/s0", 0, 1);
	src_file("/s1", 1, 2);
	src_file("/s1025", 1025, 3);
	src_file("/s5000", 5000, 4);
	src_file("/s70000", 70000, 5);
	src_dir("/sub");
	src_file("/sub/x", 300, 6);
	src_dir("/sub/deeper");
	src_file("/sub/deeper/y", 0, 7);
	src_link("/fast", "s1");
	char t[101];
	memset(t, 'x', 100);
	t[100] = 0;
	src_link("/slow", t);
	src_hard("/s5000", "/sub/h5000");
	if (big) {
		src_dir("/big");
		for (int i = 0; i < 600; i++) {
			char p[64];
			snprintf(p, sizeof p, "/big/entry-%04d", i);
			src_file(p, i % 50 == 0 ? 100 : 0, 1000 + i);
		}
	}
}

/* The inode numbers mke2fs gave, and the root's and lost+found's owners. */
static void model_fill(struct ext2_fs *fs)
{
	for (int i = 0; i < nmodel; i++) {
		struct node *n = &model[i];
		struct ext2_inode in;
		n->ino = resolve(fs, n->path);
		if (CHECK(n->ino && ext2_read_inode(fs, n->ino, &in) == 0, "%s is in the image", n->path)
		    && (!strcmp(n->path, "/") || !strcmp(n->path, "/lost+found"))) {
			n->perm = in.mode & 07777;
			n->uid = in.uid;
			n->gid = in.gid;
		}
	}
}

static int expect(struct ext2_fs *fs, int got, int want, const char *what)
{
	return CHECK(got == -want, "%s: %d, want %d (%s)", what, got, -want, fs->why);
}

static struct ext2_statfs statfs_of(struct ext2_fs *fs)
{
	struct ext2_statfs s;
	ext2_statfs(fs, &s);
	return s;
}

static struct ext2_inode inode_of(struct ext2_fs *fs, const char *path)
{
	struct ext2_inode in;
	memset(&in, 0, sizeof in);
	uint32_t ino = resolve(fs, path);
	CHECK(ino && ext2_read_inode(fs, ino, &in) == 0, "inode of %s", path);
	return in;
}

/* --- what the scenarios do ------------------------------------------------------------ */

static void files(struct ext2_fs *fs)
{
	uint32_t bs = fs->block_size;
	t_mkdir(fs, "/new");
	t_create(fs, "/new/f1", EXT2_S_IFREG | 0644);
	t_write(fs, "/new/f1", 0, 10000, 11, 777);
	t_write(fs, "/new/f1", 3000, 2500, 12, 1000);           /* overwrite */
	t_write(fs, "/new/f1", 10000, 3000, 13, 3000);          /* append */
	t_create(fs, "/new/empty", EXT2_S_IFREG | 0600);
	t_create(fs, "/new/fifo", EXT2_S_IFIFO | 0640);
	/* sparse: the holes stay holes */
	t_create(fs, "/new/sparse", EXT2_S_IFREG | 0644);
	t_write(fs, "/new/sparse", 0, 100, 14, 100);
	t_write(fs, "/new/sparse", 5 << 20, 100, 15, 100);
	t_write(fs, "/new/sparse", 300 << 10, 5000, 16, 5000);
	t_truncate(fs, "/new/sparse", 8 << 20);
	struct ext2_inode in = inode_of(fs, "/new/sparse");
	CHECK(in.size == 8 << 20 && in.blocks * 512ull <= 8ull * bs + 16384, "/new/sparse: %u sectors for %llu bytes",
	      in.blocks, (ull)in.size);
	/* a file past the cache, cut mid-block, grown with a hole, written past its end */
	t_create(fs, "/new/big", EXT2_S_IFREG | 0644);
	t_write(fs, "/new/big", 0, 1536 << 10, 17, 65536);
	t_truncate(fs, "/new/big", 300001);
	t_truncate(fs, "/new/big", 600000);
	t_write(fs, "/new/big", 599000, 10, 18, 10);
	t_write(fs, "/new/big", 700000, 10, 19, 10);
	/* files that mke2fs wrote */
	t_write(fs, "/s5000", 1000, 2000, 20, 2000);            /* and /sub/h5000, its other name */
	t_write(fs, "/s1", 1, 3000, 21, 3000);
	t_truncate(fs, "/s70000", 5000);
	t_truncate(fs, "/s1025", 0);
	/* blocks come back: a file written and removed leaves the counts as they were */
	struct ext2_statfs s0 = statfs_of(fs), s1, s2;
	t_create(fs, "/new/tmp", EXT2_S_IFREG | 0644);
	t_write(fs, "/new/tmp", 0, 300000, 22, 4096);
	s1 = statfs_of(fs);
	t_unlink(fs, "/new/tmp");
	s2 = statfs_of(fs);
	CHECK(s0.free_blocks - s1.free_blocks >= 300000 / bs && s2.free_blocks == s0.free_blocks
	      && s2.free_inodes == s0.free_inodes && s1.free_inodes == s0.free_inodes - 1,
	      "free blocks %u, %u with /new/tmp, %u after; free inodes %u %u %u", s0.free_blocks, s1.free_blocks,
	      s2.free_blocks, s0.free_inodes, s1.free_inodes, s2.free_inodes);
	/* attributes */
	uint32_t ino = resolve(fs, "/new/f1");
	CHECK(ext2_chmod(fs, ino, 04711) == 0 && ext2_utimes(fs, ino, 1111, 2222) == 0, "chmod, utimes: %s", fs->why);
	node_at("/new/f1")->perm = 04711;
	in = inode_of(fs, "/new/f1");
	CHECK(in.mode == (EXT2_S_IFREG | 04711) && in.atime == 1111 && in.mtime == 2222 && in.ctime == clock_now
	      && in.uid == 1000 && in.gid == 100, "/new/f1: mode 0%o atime %u mtime %u ctime %u (now %u)", in.mode,
	      in.atime, in.mtime, in.ctime, clock_now);
}

static void many(struct ext2_fs *fs)
{
	char p[128];
	t_mkdir(fs, "/many");
	for (int i = 0; i < 600; i++) {
		snprintf(p, sizeof p, "/many/file-with-a-longish-name-%04d", i);
		t_create(fs, p, EXT2_S_IFREG | 0644);
		if (i % 10 == 0)
			t_write(fs, p, 0, 50 + i, 100 + i, 4096);
	}
	struct ext2_inode in = inode_of(fs, "/many");
	CHECK(in.size >= 600 * 40, "/many has %llu bytes for 600 entries", (ull)in.size);
	for (int i = 0; i < 600; i += 3) {
		snprintf(p, sizeof p, "/many/file-with-a-longish-name-%04d", i);
		t_unlink(fs, p);
	}
	for (int i = 600; i < 700; i++) {
		snprintf(p, sizeof p, "/many/n%d", i);
		t_create(fs, p, EXT2_S_IFREG | 0644);
	}
	CHECK(inode_of(fs, "/many").size == in.size, "/many reuses the space of removed entries");
}

static void deep(struct ext2_fs *fs)
{
	char p[1024] = "/deep";
	t_mkdir(fs, p);
	for (int k = 0; k < 40; k++) {
		snprintf(p + strlen(p), sizeof p - strlen(p), "/d%d", k);
		t_mkdir(fs, p);
	}
	char leaf[1100];
	snprintf(leaf, sizeof leaf, "%s/leaf", p);
	t_create(fs, leaf, EXT2_S_IFREG | 0644);
	t_write(fs, leaf, 0, 1000, 30, 1000);
	const char *name;
	uint32_t dir = dir_of(fs, p, &name);
	expect(fs, ext2_rmdir(fs, dir, name, strlen(name)), EXT2_ENOTEMPTY, "rmdir of a directory with a file");
	t_unlink(fs, leaf);
	for (int k = 0; k < 20; k++) {
		t_rmdir(fs, p);
		*strrchr(p, '/') = 0;
	}
}

static void renames(struct ext2_fs *fs)
{
	t_mkdir(fs, "/r");
	t_mkdir(fs, "/r2");
	t_create(fs, "/r/a", EXT2_S_IFREG | 0644);
	t_write(fs, "/r/a", 0, 3000, 40, 3000);
	t_rename(fs, "/r/a", "/r/b");                            /* within a directory */
	t_rename(fs, "/r/b", "/r2/b");                           /* across */
	t_create(fs, "/r2/c", EXT2_S_IFREG | 0644);
	t_write(fs, "/r2/c", 0, 5000, 41, 5000);
	t_rename(fs, "/r2/b", "/r2/c");                          /* replacing a file */
	t_mkdir(fs, "/r/e1");
	t_mkdir(fs, "/r/e2");
	t_rename(fs, "/r/e1", "/r/e2");                          /* replacing an empty directory */
	t_mkdir(fs, "/r/m");
	t_mkdir(fs, "/r/m/s");
	t_create(fs, "/r/m/x", EXT2_S_IFREG | 0644);
	t_write(fs, "/r/m/x", 0, 100, 42, 100);
	t_rename(fs, "/r/m", "/r2/m");                           /* a directory across: its ".." */
	CHECK(resolve(fs, "/r2/m/..") == resolve(fs, "/r2") && resolve(fs, "/r2/m/s/../..") == resolve(fs, "/r2"),
	      "'..' of a moved directory");
	t_mkdir(fs, "/r2/empty");
	t_rename(fs, "/r/e2", "/r2/empty");                      /* a directory onto an empty one, across */
	t_rename(fs, "/r2/m", "/r2/m2");                         /* a directory within its parent */
	t_rename(fs, "/r2/m2/s", "/s_moved");                    /* up to the root */
	t_create(fs, "/r/keep", EXT2_S_IFREG | 0644);
	t_link(fs, "/r2/c", "/r2/c2");
	t_rename(fs, "/r2/c", "/r2/c2");                         /* two names of one file: nothing happens */
	CHECK(resolve(fs, "/r2/c") && resolve(fs, "/r2/c") == resolve(fs, "/r2/c2"), "rename between hard links");
	struct { const char *from, *to; int err; } bad[] = {
		{ "/r2", "/r2/m2/inside", EXT2_EINVAL },          /* under itself */
		{ "/r2/m2", "/r2/m2/x2", EXT2_EINVAL },
		{ "/r2", "/r2/inside", EXT2_EINVAL },
		{ "/r2/m2", "/r", EXT2_ENOTEMPTY },
		{ "/r2/c", "/r2/m2", EXT2_EISDIR },
		{ "/r2/m2", "/r2/c", EXT2_ENOTDIR },
		{ "/r2/.", "/r2/z", EXT2_EINVAL },
		{ "/r2/c", "/r2/..", EXT2_EINVAL },
		{ "/r2/nothing", "/r2/z", EXT2_ENOENT },
		{ "/r2/c", "/r2/c/z", EXT2_ENOTDIR },
	};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *on, *nn;
		uint32_t od = dir_of(fs, bad[i].from, &on), nd = dir_of(fs, bad[i].to, &nn);
		if (bad[i].err == EXT2_ENOTDIR && !strcmp(bad[i].to, "/r2/c/z"))
			nd = resolve(fs, "/r2/c");
		char what[128];
		snprintf(what, sizeof what, "rename %s to %s", bad[i].from, bad[i].to);
		expect(fs, ext2_rename(fs, od, on, strlen(on), nd, nn, strlen(nn)), bad[i].err, what);
	}
}

static void links(struct ext2_fs *fs)
{
	uint32_t bs = fs->block_size;
	t_link(fs, "/new/f1", "/r/f1link");
	t_link(fs, "/new/f1", "/f1link2");
	t_write(fs, "/r/f1link", 100, 50, 50, 50);               /* seen through every name */
	t_unlink(fs, "/new/f1");
	uint32_t sub = resolve(fs, "/sub"), root = EXT2_ROOT_INO, f = resolve(fs, "/f1link2");
	expect(fs, ext2_link(fs, root, "sublink", 7, sub), EXT2_EPERM, "hard link to a directory");
	expect(fs, ext2_link(fs, root, "s1", 2, f), EXT2_EEXIST, "link onto an existing name");
	expect(fs, ext2_link(fs, f, "x", 1, f), EXT2_ENOTDIR, "link into a file");
	t_symlink(fs, "/ln1", "a");
	char t[4096];
	static const size_t lens[] = { 59, 60, 61, 300 };
	for (unsigned i = 0; i < 4; i++) {
		char p[32];
		memset(t, 'a' + i, lens[i]);
		t[lens[i]] = 0;
		snprintf(p, sizeof p, "/ln%zu", lens[i]);
		t_symlink(fs, p, t);
	}
	memset(t, 'z', bs - 1);
	t[bs - 1] = 0;
	t_symlink(fs, "/lnmax", t);
	uint32_t ino;
	expect(fs, ext2_symlink(fs, root, "lnbig", 5, t, bs, 0, 0, &ino), EXT2_ENAMETOOLONG, "link target of a block");
	struct ext2_inode in = inode_of(fs, "/ln59");
	CHECK(in.blocks == 0 && inode_of(fs, "/ln60").blocks == bs / 512, "fast link of 59 bytes, slow of 60");
}

static void held(struct ext2_fs *fs)
{
	uint32_t bs = fs->block_size;
	t_create(fs, "/held", EXT2_S_IFREG | 0644);
	t_write(fs, "/held", 0, 50000, 60, 8192);
	uint32_t ino = resolve(fs, "/held");
	struct ext2_statfs s0 = statfs_of(fs);
	CHECK(ext2_hold(fs, ino) == 0 && ext2_hold(fs, ino) == 0, "hold twice");
	t_unlink(fs, "/held");
	struct ext2_inode in;
	uint8_t b[1000], c[1000];
	unit_fill(c, 1000, 61);
	CHECK(ext2_read_inode(fs, ino, &in) == 0 && in.links == 0 && statfs_of(fs).free_blocks == s0.free_blocks,
	      "an unlinked held inode keeps its blocks");
	CHECK(ext2_write(fs, ino, 50000, c, 1000) == 1000 && ext2_read_inode(fs, ino, &in) == 0
	      && ext2_read(fs, &in, 50000, b, 1000) == 1000 && !memcmp(b, c, 1000), "an unlinked held inode is written");
	ext2_release(fs, ino);
	CHECK(ext2_read_inode(fs, ino, &in) == 0, "held once more: still there");
	ext2_release(fs, ino);
	CHECK(ext2_read_inode(fs, ino, &in) == -EXT2_ENOENT
	      && statfs_of(fs).free_blocks >= s0.free_blocks + 51000 / bs && statfs_of(fs).free_inodes == s0.free_inodes + 1,
	      "released: freed (free blocks %u, were %u)", statfs_of(fs).free_blocks, s0.free_blocks);
	/* a directory removed while held */
	uint32_t d = t_mkdir(fs, "/hd"), x;
	CHECK(ext2_hold(fs, d) == 0, "hold a directory");
	t_rmdir(fs, "/hd");
	CHECK(ext2_read_inode(fs, d, &in) == 0 && in.links == 0, "a removed held directory stays");
	expect(fs, ext2_create(fs, d, "x", 1, EXT2_S_IFREG | 0644, 0, 0, &x), EXT2_ENOENT, "create in a removed directory");
	ext2_release(fs, d);
	CHECK(ext2_read_inode(fs, d, &in) == -EXT2_ENOENT, "released directory freed");
	/* held through the unmount */
	t_create(fs, "/orphan", EXT2_S_IFREG | 0644);
	t_write(fs, "/orphan", 0, 20000, 62, 20000);
	CHECK(ext2_hold(fs, resolve(fs, "/orphan")) == 0, "hold /orphan");
	t_unlink(fs, "/orphan");
}

static void errors(struct ext2_fs *fs)
{
	uint32_t root = EXT2_ROOT_INO, ino, f = resolve(fs, "/s5000"), sub = resolve(fs, "/sub");
	char name[300];
	expect(fs, ext2_create(fs, root, "s1", 2, EXT2_S_IFREG | 0644, 0, 0, &ino), EXT2_EEXIST, "create over a file");
	expect(fs, ext2_mkdir(fs, root, "sub", 3, 0755, 0, 0, &ino), EXT2_EEXIST, "mkdir over a directory");
	expect(fs, ext2_create(fs, root, ".", 1, EXT2_S_IFREG | 0644, 0, 0, &ino), EXT2_EINVAL, "create '.'");
	expect(fs, ext2_mkdir(fs, root, "..", 2, 0755, 0, 0, &ino), EXT2_EINVAL, "mkdir '..'");
	expect(fs, ext2_create(fs, root, "a/b", 3, EXT2_S_IFREG | 0644, 0, 0, &ino), EXT2_EINVAL, "create 'a/b'");
	expect(fs, ext2_create(fs, root, "", 0, EXT2_S_IFREG | 0644, 0, 0, &ino), EXT2_EINVAL, "create ''");
	expect(fs, ext2_create(fs, root, "d", 1, EXT2_S_IFDIR | 0755, 0, 0, &ino), EXT2_EINVAL, "create a directory");
	memset(name, 'n', sizeof name);
	expect(fs, ext2_create(fs, root, name, 256, EXT2_S_IFREG | 0644, 0, 0, &ino), EXT2_ENAMETOOLONG, "256 bytes");
	char p[300] = "/";
	memcpy(p + 1, name, 255);
	p[256] = 0;
	t_create(fs, p, EXT2_S_IFREG | 0644);
	expect(fs, ext2_unlink(fs, root, "sub", 3), EXT2_EISDIR, "unlink a directory");
	expect(fs, ext2_rmdir(fs, root, "s1", 2), EXT2_ENOTDIR, "rmdir a file");
	expect(fs, ext2_rmdir(fs, root, "sub", 3), EXT2_ENOTEMPTY, "rmdir a full directory");
	expect(fs, ext2_rmdir(fs, sub, ".", 1), EXT2_EINVAL, "rmdir '.'");
	expect(fs, ext2_rmdir(fs, sub, "..", 2), EXT2_EINVAL, "rmdir '..'");
	expect(fs, ext2_unlink(fs, root, "nothing", 7), EXT2_ENOENT, "unlink a missing name");
	expect(fs, ext2_create(fs, f, "x", 1, EXT2_S_IFREG | 0644, 0, 0, &ino), EXT2_ENOTDIR, "create in a file");
	expect(fs, (int)ext2_write(fs, sub, 0, "x", 1), EXT2_EISDIR, "write a directory");
	expect(fs, ext2_truncate(fs, sub, 0), EXT2_EISDIR, "truncate a directory");
	expect(fs, (int)ext2_write(fs, resolve(fs, "/fast"), 0, "x", 1), EXT2_EINVAL, "write a symbolic link");
	if (fs->compat & 0x10)          /* resize_inode */
		expect(fs, (int)ext2_write(fs, 7, 0, "x", 1), EXT2_EINVAL, "write the resize inode");
	expect(fs, (int)ext2_write(fs, f, 1ull << 60, "x", 1), EXT2_EFBIG, "write past the largest file");
	expect(fs, ext2_truncate(fs, f, 1ull << 60), EXT2_EFBIG, "truncate past the largest file");
	expect(fs, ext2_chmod(fs, fs->inodes_count + 1, 0644), EXT2_EINVAL, "chmod of an inode past the count");
}

/* A sequential reader, a large reader and a writer, counted at the disk. */
static void cache_use(struct ext2_fs *fs, struct dev *d, const char *img)
{
	uint32_t bs = fs->block_size;
	size_t size = 2 << 20;
	uint8_t *want = malloc(size), *got = malloc(size);
	t_create(fs, "/seq", EXT2_S_IFREG | 0644);
	long w0 = d->writes;
	t_write(fs, "/seq", 0, size, 70, 1 << 20);
	unit_fill(want, size, 70);
	CHECK(ext2_sync(fs) == 0, "sync: %s", fs->why);
	long writes = d->writes - w0;
	CHECK(writes < (long)(size / bs / 4), "%s: 2 MiB written back in %ld writes", img, writes);
	/* the superblock last, the descriptors before it, then the flush */
	uint64_t gdt = (uint64_t)(bs == 1024 ? 2 : 1) * bs;
	CHECK(d->nlog >= 2 && d->log_off[d->nlog - 1] == 1024 && d->log_n[d->nlog - 1] == 1024
	      && d->log_off[d->nlog - 2] == gdt && d->log_after_flush,
	      "%s: sync ends with the descriptors, the superblock, a flush (%d writes)", img, d->nlog);
	/* a dirty block is honoured by a large read that goes around the cache */
	uint32_t ino = resolve(fs, "/seq");
	uint8_t x[10] = "0123456789";
	CHECK(ext2_write(fs, ino, 123456, x, 10) == 10, "write 10 bytes");
	memcpy(want + 123456, x, 10);
	model_write(ino, 123456, x, 10);
	struct ext2_inode in = inode_of(fs, "/seq");
	CHECK(ext2_read(fs, &in, 0, got, size) == (long)size && !memcmp(got, want, size), "%s: large read", img);
	free(want);
	free(got);
}

/* Reads of a file the cache has not seen: sequential small reads come in
 * runs, a large read in few calls. */
static void cache_reads(const char *img, size_t cache)
{
	struct ext2_fs fs;
	struct dev d;
	if (mount_img(&fs, &d, img, cache, false))
		return;
	struct ext2_inode in = inode_of(&fs, "/seq");
	size_t size = (size_t)in.size;
	uint8_t *want = malloc(size), *got = malloc(size);
	struct node *n = node_at("/seq");
	memcpy(want, n->data, size);
	long r0 = d.reads;
	bool same = true;
	for (size_t off = 0; off < size; off += 1000)
		same &= ext2_read(&fs, &in, off, got + off, 1000) == (long)(size - off < 1000 ? size - off : 1000);
	long small = d.reads - r0;
	/* read-ahead reads 64 KiB at once, less with a small cache */
	size_t bufs = (cache ? cache : EXT2_CACHE_DEFAULT) / fs.block_size;
	size_t window = bufs / 4 * fs.block_size < (64 << 10) ? bufs / 4 * fs.block_size : 64 << 10;
	CHECK(same && !memcmp(got, want, size) && small <= (long)(size / window) + 20,
	      "%s: 2 MiB in 1000-byte reads from %ld disk reads (window %zu)", img, small, window);
	ext2_unmount(&fs);
	close(d.fd);
	if (mount_img(&fs, &d, img, cache, false))
		goto out;
	in = inode_of(&fs, "/seq");
	r0 = d.reads;
	memset(got, 0, size);
	CHECK(ext2_read(&fs, &in, 0, got, size) == (long)size && !memcmp(got, want, size)
	      && d.reads - r0 <= 40, "%s: 2 MiB in one read from %ld disk reads", img, d.reads - r0);
	uint32_t ino;
	expect(&fs, ext2_create(&fs, EXT2_ROOT_INO, "new", 3, EXT2_S_IFREG | 0644, 0, 0, &ino), EXT2_EROFS,
	       "create on a read-only cached mount");
	CHECK(ext2_unmount(&fs) == 0 && d.writes == 0, "%s: a read-only mount writes nothing (%ld)", img, d.writes);
	close(d.fd);
out:
	free(want);
	free(got);
}

/* Fills the disk: writes end short then with ENOSPC, nothing leaks, and
 * space freed is used again. */
static void fill_up(struct ext2_fs *fs)
{
	size_t chunk = 1 << 20;
	uint8_t *b = malloc(chunk);
	t_mkdir(fs, "/fill");
	t_create(fs, "/fill/small", EXT2_S_IFREG | 0644);
	uint32_t ino = t_create(fs, "/fill/all", EXT2_S_IFREG | 0644);
	uint64_t off = 0;
	long w = 0;
	for (int i = 0; i < 200; i++) {
		unit_fill(b, chunk, 80 + i);
		w = ext2_write(fs, ino, off, b, chunk);
		if (w > 0) {
			model_write(ino, off, b, (size_t)w);
			off += (uint64_t)w;
		}
		if (w != (long)chunk)
			break;
	}
	if (w > 0)
		w = ext2_write(fs, ino, off, b, chunk);
	expect(fs, (int)w, EXT2_ENOSPC, "write to a full disk");
	struct ext2_statfs s = statfs_of(fs);
	CHECK(s.free_blocks == 0, "a full disk has %u free blocks", s.free_blocks);
	uint32_t x, fill = resolve(fs, "/fill"), small = resolve(fs, "/fill/small");
	char t[200];
	memset(t, 't', sizeof t);
	expect(fs, ext2_mkdir(fs, fill, "d", 1, 0755, 0, 0, &x), EXT2_ENOSPC, "mkdir on a full disk");
	expect(fs, ext2_symlink(fs, fill, "l", 1, t, sizeof t, 0, 0, &x), EXT2_ENOSPC, "slow symlink on a full disk");
	expect(fs, (int)ext2_write(fs, small, 0, "x", 1), EXT2_ENOSPC, "write 1 byte on a full disk");
	CHECK(statfs_of(fs).free_inodes == s.free_inodes, "inodes given back (%u, were %u)", statfs_of(fs).free_inodes,
	      s.free_inodes);
	t_symlink(fs, "/fill/fastlink", "needs no block");
	t_truncate(fs, "/fill/all", off / 2);
	t_write(fs, "/fill/small", 0, 100000, 300, 4096);
	t_mkdir(fs, "/fill/d");
	t_unlink(fs, "/fill/all");
	CHECK(statfs_of(fs).free_blocks > s.free_blocks + (off / 2) / fs->block_size, "space is back");
	free(b);
}

static void scenario(const char *img, const char *mkfs, size_t cache, bool hashed)
{
	build_src(hashed);
	sh("mke2fs -q -F -t ext2 %s -d %s %s 32M >/dev/null 2>&1", mkfs, src, img_path(img));
	if (hashed) {
		char *out;
		int st = run(&out, "e2fsck -fyD %s 2>&1; debugfs -R 'stat /big' %s 2>/dev/null | grep -c 'Flags: 0x1000'",
			     img_path(img), img_path(img));
		CHECK(st == 0 && strstr(out, "\n1\n"), "%s: e2fsck -D indexes /big: %s", img, out);
		free(out);
	}
	struct ext2_fs fs;
	struct dev d;
	if (mount_img(&fs, &d, img, cache, true))
		return;
	char val[64];
	dumpe2fs_field(img, "Filesystem state", val, sizeof val);
	CHECK(!strcmp(val, "not clean"), "%s: mounted, the disk says '%s'", img, val);
	model_fill(&fs);
	files(&fs);
	many(&fs);
	CHECK(ext2_sync(&fs) == 0, "%s: sync: %s", img, fs.why);
	fsck_clean(img, "after a sync, still mounted");
	deep(&fs);
	renames(&fs);
	links(&fs);
	held(&fs);
	errors(&fs);
	cache_use(&fs, &d, img);
	if (hashed) {
		char p[64];
		for (int i = 0; i < 600; i += 7) {
			snprintf(p, sizeof p, "/big/entry-%04d", i);
			t_unlink(&fs, p);
		}
		t_create(&fs, "/big/a-new-entry", EXT2_S_IFREG | 0644);
		CHECK(!(inode_of(&fs, "/big").flags & 0x1000), "%s: a changed /big is no longer indexed", img);
	}
	if (fs.block_size == 1024) {
		/* past the double indirect blocks: the triple indirect ones */
		uint64_t triple = (12 + 256 + 65536) << 10;
		t_create(&fs, "/triple", EXT2_S_IFREG | 0644);
		t_write(&fs, "/triple", 0, 100, 90, 100);
		t_write(&fs, "/triple", triple - 10, 30, 91, 30);
		t_write(&fs, "/triple", 70 << 20, 5000, 92, 5000);
		t_truncate(&fs, "/triple", 1 << 20);
		t_write(&fs, "/triple", triple + 3000, 100, 93, 100);
		t_write(&fs, "/triple", triple + (5 << 20), 100, 94, 100);
		t_truncate(&fs, "/triple", triple + (1 << 20));         /* within the triple tree */
		CHECK(inode_of(&fs, "/triple").block[14] != 0, "%s: /triple has a triple indirect block", img);
	}
	unmount_img(&fs, &d, img);
	check_image(img, "after the first mount", 1);
	cache_reads(img, cache);

	if (mount_img(&fs, &d, img, cache, true))
		return;
	fill_up(&fs);
	unmount_img(&fs, &d, img);
	check_image(img, "after filling the disk", 2);
}

/* --- smaller cases ------------------------------------------------------------------- */

/* Files past 2 GiB: large_file is set (revision 0 becomes 1). */
static void large_files(const char *img, const char *mkfs)
{
	build_src(false);
	sh("mke2fs -q -F -t ext2 %s -d %s %s 16M >/dev/null 2>&1", mkfs, src, img_path(img));
	/* mke2fs sets large_file whatever it is told (and the resize inode
	 * counts as a large file): take it away */
	if (strstr(mkfs, "^resize_inode"))
		sh("debugfs -w -R 'feature -large_file' %s >/dev/null 2>&1", img_path(img));
	char val[256];
	dumpe2fs_field(img, "Filesystem features", val, sizeof val);
	CHECK(!strstr(val, "large_file"), "%s: no large_file before (%s)", img, val);
	struct ext2_fs fs;
	struct dev d;
	if (mount_img(&fs, &d, img, 0, true))
		return;
	model_fill(&fs);
	t_create(&fs, "/huge", EXT2_S_IFREG | 0644);
	t_write_huge(&fs, "/huge", 10, 100, 200);
	t_write_huge(&fs, "/huge", (5ull << 29) + 77, 9000, 201);      /* 2.5 GiB */
	t_create(&fs, "/past4g", EXT2_S_IFREG | 0644);
	t_write_huge(&fs, "/past4g", (9ull << 29) + 5, 10, 202);        /* 4.5 GiB: i_size_high */
	CHECK(fs.large_file && fs.rev == 1, "%s: large_file %d revision %u", img, fs.large_file, fs.rev);
	unmount_img(&fs, &d, img);
	check_image(img, "with files past 2 GiB", 1);
	dumpe2fs_field(img, "Filesystem features", val, sizeof val);
	CHECK(strstr(val, "large_file"), "%s: large_file after (%s)", img, val);
	dumpe2fs_field(img, "Filesystem revision #", val, sizeof val);
	CHECK(val[0] == '1', "%s: revision %s", img, val);
}

/* Read-only-compatible features this core does not write: refused for
 * writing, named; reading still works, and a cached read-only mount. */
static void refused(void)
{
	static const struct { const char *feature, *mkfs; } cases[] = {
		{ "huge_file", "-O huge_file" }, { "dir_nlink", "-O dir_nlink" },
	};
	build_src(false);
	for (unsigned i = 0; i < 2; i++) {
		char img[32], why[160];
		snprintf(img, sizeof img, "ro%u.img", i);
		sh("mke2fs -q -F -t ext2 %s -d %s %s 8M >/dev/null 2>&1", cases[i].mkfs, src, img_path(img));
		sh("cp %s %s.orig", img_path(img), img_path(img));
		int fd = open(img_path(img), O_RDWR);
		struct stat st;
		fstat(fd, &st);
		struct dev d = { .fd = fd };
		struct ext2_dev dv = { dev_read, dev_write, dev_flush, dev_clock, &d, (uint64_t)st.st_size, 0, NULL };
		struct ext2_fs fs;
		int r = ext2_mount_rw(&fs, &dv, why, sizeof why);
		CHECK(r == -EXT2_ENOTSUP && strstr(why, cases[i].feature) && strstr(why, "read-only-compatible")
		      && fs.rw == NULL && d.writes == 0, "%s: mount read-write: %d (%s)", img, r, why);
		CHECK(ext2_mount(&fs, dev_read, &d, (uint64_t)st.st_size, why, sizeof why) == 0, "%s: mount read-only", img);
		dv.write = NULL;
		r = ext2_mount_rw(&fs, &dv, why, sizeof why);
		CHECK(r == 0 && resolve(&fs, "/sub/x") && ext2_unmount(&fs) == 0 && d.writes == 0,
		      "%s: cached read-only mount: %d (%s)", img, r, why);
		close(fd);
		sh("cmp -s %s %s.orig", img_path(img), img_path(img));
	}
	/* an unknown bit */
	sh("mke2fs -q -F -t ext2 -d %s %s 8M >/dev/null 2>&1", src, img_path("ro2.img"));
	int fd = open(img_path("ro2.img"), O_RDWR);
	uint8_t sb[1024];
	CHECK(pread(fd, sb, 1024, 1024) == 1024, "read superblock");
	put_le32(sb + 100, le32(sb + 100) | 0x80000000u);
	CHECK(pwrite(fd, sb, 1024, 1024) == 1024, "write superblock");
	struct stat st;
	fstat(fd, &st);
	struct dev d = { .fd = fd };
	struct ext2_dev dv = { dev_read, dev_write, dev_flush, dev_clock, &d, (uint64_t)st.st_size, 0, NULL };
	struct ext2_fs fs;
	char why[160];
	int r = ext2_mount_rw(&fs, &dv, why, sizeof why);
	CHECK(r == -EXT2_ENOTSUP && strstr(why, "unknown read-only-compatible feature 0x80000000"), "unknown ro_compat: %s",
	      why);
	close(fd);
}

/* 65000 links: no more. */
static void link_limit(void)
{
	build_src(false);
	const char *img = "emlink.img";
	sh("mke2fs -q -F -t ext2 -d %s %s 8M >/dev/null 2>&1", src, img_path(img));
	sh("debugfs -w -R 'sif /s1 links_count 65000' %s >/dev/null 2>&1", img_path(img));
	sh("debugfs -w -R 'sif /sub links_count 65000' %s >/dev/null 2>&1", img_path(img));
	struct ext2_fs fs;
	struct dev d;
	if (mount_img(&fs, &d, img, 0, true))
		return;
	uint32_t root = EXT2_ROOT_INO, sub = resolve(&fs, "/sub"), ino, dir;
	expect(&fs, ext2_link(&fs, root, "t", 1, resolve(&fs, "/s1")), EXT2_EMLINK, "link to 65000 links");
	expect(&fs, ext2_mkdir(&fs, sub, "d", 1, 0755, 0, 0, &ino), EXT2_EMLINK, "mkdir in 65000 links");
	CHECK(ext2_mkdir(&fs, root, "d", 1, 0755, 0, 0, &dir) == 0, "mkdir /d");
	expect(&fs, ext2_rename(&fs, root, "d", 1, sub, "d", 1), EXT2_EMLINK, "move a directory into 65000 links");
	CHECK(ext2_create(&fs, sub, "f", 1, EXT2_S_IFREG | 0644, 0, 0, &ino) == 0, "a file is fine: %s", fs.why);
	unmount_img(&fs, &d, img);
}

/* Inodes run out: ENOSPC, and one freed is used again. */
static void inodes_run_out(void)
{
	reset_model();
	const char *img = "inodes.img";
	sh("mke2fs -q -F -t ext2 -b 1024 -N 64 %s 4M >/dev/null 2>&1", img_path(img));
	struct ext2_fs fs;
	struct dev d;
	if (mount_img(&fs, &d, img, 0, true))
		return;
	add_node("/", M_DIR, EXT2_ROOT_INO);
	add_node("/lost+found", M_DIR, 0);
	model_fill(&fs);
	int made = 0, r = 0;
	for (; made < 1000; made++) {
		char name[16];
		uint32_t ino;
		snprintf(name, sizeof name, "f%d", made);
		if ((r = ext2_create(&fs, EXT2_ROOT_INO, name, strlen(name), EXT2_S_IFREG | 0644, 0, 0, &ino)))
			break;
		char p[20];
		snprintf(p, sizeof p, "/%s", name);
		struct node *n = add_node(p, M_FILE, ino);
		n->data = malloc(1);
	}
	expect(&fs, r, EXT2_ENOSPC, "create with no inode left");
	CHECK(made > 40 && statfs_of(&fs).free_inodes == 0, "%d files made, %u inodes free", made, statfs_of(&fs).free_inodes);
	t_unlink(&fs, "/f7");
	t_create(&fs, "/again", EXT2_S_IFREG | 0600);
	node_at("/again")->uid = 1000;
	unmount_img(&fs, &d, img);
	check_image(img, "with every inode used", 1);
}

/* Damage the write path must report, not act on. */
static void damaged(void)
{
	build_src(false);
	const char *img = "bad.img";
	char *out;
	sh("mke2fs -q -F -t ext2 -b 1024 -d %s %s 8M >/dev/null 2>&1", src, img_path(img));
	/* the block bitmap calls the first inode table block free */
	run(&out, "dumpe2fs %s 2>/dev/null | grep -m1 'Inode table at'", img_path(img));
	unsigned it = 0;
	char *at = strstr(out, "at ");
	CHECK(at && sscanf(at, "at %u", &it) == 1, "inode table of group 0: %s", out);
	free(out);
	sh("debugfs -w -R 'freeb %u' %s >/dev/null 2>&1", it, img_path(img));
	/* the inode bitmap calls /s1 free */
	sh("debugfs -w -R 'freei /s1' %s >/dev/null 2>&1", img_path(img));
	/* /s70000's indirect block outside the fs */
	sh("debugfs -w -R 'sif /s70000 block[IND] 99999999' %s >/dev/null 2>&1", img_path(img));
	struct ext2_fs fs;
	struct dev d;
	if (mount_img(&fs, &d, img, 0, true))
		return;
	uint32_t ino, f = resolve(&fs, "/s0");
	uint8_t b[4096] = { 1 };
	long w = ext2_write(&fs, f, 0, b, sizeof b);
	char want[96];
	snprintf(want, sizeof want, "marks metadata block %u free", it);
	CHECK(w == -EXT2_EINVAL && strstr(fs.why, want), "allocation meets a metadata block: %ld (%s)", w, fs.why);
	int r = ext2_create(&fs, EXT2_ROOT_INO, "n", 1, EXT2_S_IFREG | 0644, 0, 0, &ino);
	CHECK(r == -EXT2_EINVAL && strstr(fs.why, "marks inode") && strstr(fs.why, "free, but it has"),
	      "allocation meets an inode in use: %d (%s)", r, fs.why);
	w = ext2_write(&fs, resolve(&fs, "/s70000"), 20000, b, 10);
	CHECK(w == -EXT2_EINVAL && strstr(fs.why, "indirect block 99999999 outside"), "bad indirect block: %ld (%s)", w,
	      fs.why);
	r = ext2_truncate(&fs, resolve(&fs, "/s70000"), 0);
	CHECK(r == -EXT2_EINVAL && strstr(fs.why, "99999999"), "truncate over a bad indirect block: %d (%s)", r, fs.why);
	/* a directory entry with rec_len 0 */
	uint32_t sub = resolve(&fs, "/sub"), blk = inode_of(&fs, "/sub").block[0];
	uint8_t e[2] = { 0, 0 };
	CHECK(sub && pwrite(d.fd, e, 2, (off_t)blk * 1024 + 4) == 2, "damage /sub");
	ext2_unmount(&fs);
	close(d.fd);
	if (mount_img(&fs, &d, img, 0, true))
		return;
	r = ext2_create(&fs, sub, "n", 1, EXT2_S_IFREG | 0644, 0, 0, &ino);
	CHECK(r == -EXT2_EINVAL && strstr(fs.why, "rec_len 0"), "create in a damaged directory: %d (%s)", r, fs.why);
	r = ext2_unlink(&fs, sub, "x", 1);
	CHECK(r == -EXT2_EINVAL && strstr(fs.why, "rec_len 0"), "unlink in a damaged directory: %d (%s)", r, fs.why);
	/* a disk that stops taking writes */
	CHECK(ext2_write(&fs, resolve(&fs, "/s5000"), 0, b, 10) == 10, "write /s5000: %s", fs.why);
	d.fail_writes = true;
	r = ext2_sync(&fs);
	CHECK(r == -EXT2_EIO && strstr(fs.why, "cannot write"), "sync to a failing disk: %d (%s)", r, fs.why);
	r = ext2_unmount(&fs);
	CHECK(r == -EXT2_EIO && fs.rw == NULL, "unmount on a failing disk: %d (%s)", r, fs.why);
	close(d.fd);
}

int main(void)
{
	setenv("PATH", "/usr/sbin:/sbin:/usr/bin:/bin", 1);
	umask(022);
	snprintf(tmp, sizeof tmp, "/tmp/test_ext2w.XXXXXX");
	if (!CHECK(mkdtemp(tmp), "temporary directory"))
		return unit_report();
	snprintf(src, sizeof src, "%s/src", tmp);
	scenario("b1.img", "-b 1024", 256 << 10, true);
	scenario("b4.img", "-b 4096", 0, false);
	scenario("r0.img", "-b 2048 -r 0", 64 << 10, false);
	large_files("lf4.img", "-b 4096 -O ^resize_inode");
	large_files("lfr0.img", "-b 1024 -r 0");
	refused();
	link_limit();
	inodes_run_out();
	damaged();
	reset_model();
	free(model);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
	if (getenv("KEEP"))
		snprintf(cmd, sizeof cmd, "echo kept %s", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmp);
	return unit_report();
}
