/* The ext2 read path (lib/ext2/ext2.c) against images that mke2fs -d
 * writes at test time from a tree built here: every file, directory and
 * link of the image must equal the tree, and the inodes agree with what
 * debugfs says.  Then damaged copies of an image must give clean errors. */
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "unit.h"
#include "rt/le.h"
#include "ext2/ext2.h"
#include "rt/rt.h"

static char dir[64], src[96];


/* --- the source tree ----------------------------------------------------------- */


static void write_at(const char *path, off_t off, size_t n, uint32_t seed)
{
	uint8_t *b = malloc(n);
	unit_fill(b, n, seed);
	int fd = open(path, O_WRONLY | O_CREAT, 0644);
	CHECK(fd >= 0 && pwrite(fd, b, n, off) == (ssize_t)n && close(fd) == 0, "write %s", path);
	free(b);
}

static void build_tree(void)
{
	char p[512];
	static const size_t sizes[] = { 0, 1, 1023, 1024, 1025, 2048, 4096, 4097, 70000 };
	for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		snprintf(p, sizeof p, "%s/s%zu", src, sizes[i]);
		write_at(p, 0, 0, i);
		if (sizes[i])
			write_at(p, 0, sizes[i], i + 1);
	}
	/* past the double indirect blocks at 1 KiB (12 + 256 + 65536 KiB):
	 * the triple indirect ones; the holes stay holes in the image */
	snprintf(p, sizeof p, "%s/sparse", src);
	write_at(p, 0, 4096, 100);
	write_at(p, 300 << 10, 4096, 101);
	write_at(p, 70 << 20, 4096, 102);
	write_at(p, (72 << 20) - 1000, 1000, 103);
	sh("cd %s && truncate -s 100M holes && chmod 4750 s1 && chmod 0600 s1023 && mkfifo fifo"
	   " && ln s4096 hard4096 && mkdir sub && ln s4096 sub/hard && ln s1 sub/one"
	   " && ln -s s70000 fast && ln -s sub/../s1 fast2"
	   " && ln -s %0100d slow && ln -s %059d fast59 && ln -s %060d slow60"
	   " && mkdir -p d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d && echo deep > d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/f"
	   " && mkdir empty", src, 0, 0, 0);
	/* a directory big enough to be hashed: files, subdirectories, links,
	 * names of many lengths up to the longest */
	snprintf(p, sizeof p, "%s/big", src);
	mkdir(p, 0755);
	for (int i = 0; i < 2000; i++) {
		char name[300];
		int len = snprintf(name, sizeof name, "%s/big/e%d_", src, i);
		for (int k = 0; k < i % 40; k++)
			name[len++] = 'a' + k % 26;
		name[len] = 0;
		if (i % 100 == 7)
			mkdir(name, 0700);
		else if (i % 100 == 9)
			CHECK(symlink("../s1", name) == 0, "symlink %s", name);
		else
			write_at(name, 0, i % 10 == 3 ? 50 : 0, i);
	}
	snprintf(p, sizeof p, "%s/big/", src);
	memset(p + strlen(p), 'L', 255);
	p[strlen(src) + 5 + 255] = 0;
	write_at(p, 0, 10, 7);
}

/* --- images ----------------------------------------------------------------------- */

struct img {
	uint8_t *data;
	size_t size;            /* readable bytes */
	uint64_t reads;
};

/* Reads past this many in one check mean a loop that does not end. */
#define READ_LIMIT 50000000

static int img_read(void *ctx, uint64_t off, void *buf, size_t n)
{
	struct img *m = ctx;
	if (++m->reads > READ_LIMIT)
		return -1;
	if (off > m->size || n > m->size - off)
		return -1;
	memcpy(buf, m->data + off, n);
	return 0;
}

static struct img load(const char *name)
{
	struct img m = { 0 };
	char path[160];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	m.data = host_map_image(path, &m.size);
	CHECK(m.data != NULL, "%s maps", path);
	return m;
}

static void unload(struct img *m)
{
	host_unmap_image(m->data, m->size);
}

/* Resolves PATH (from the root, no symlinks followed) to an inode. */
static int walk(struct ext2_fs *fs, const char *path, struct ext2_inode *out)
{
	int r = ext2_read_inode(fs, EXT2_ROOT_INO, out);
	while (!r && *path) {
		while (*path == '/')
			path++;
		size_t len = strcspn(path, "/");
		if (!len)
			break;
		uint32_t ino;
		r = ext2_lookup(fs, out, path, len, &ino);
		if (!r)
			r = ext2_read_inode(fs, ino, out);
		path += len;
	}
	return r;
}

/* --- comparing with the tree --------------------------------------------------- */

struct ent {
	char name[256];
	uint32_t ino;
	unsigned type;
};

struct list {
	struct ent *e;
	size_t n, cap;
};

static int list_fn(void *arg, const char *name, size_t len, uint32_t ino, unsigned type)
{
	struct list *l = arg;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->e = realloc(l->e, l->cap * sizeof *l->e);
	}
	CHECK(len == strlen(name) && len < 256, "entry name '%s' of length %zu", name, len);
	memcpy(l->e[l->n].name, name, len + 1);
	l->e[l->n].ino = ino;
	l->e[l->n].type = type;
	l->n++;
	return 0;
}

struct cmp {
	struct ext2_fs *fs;
	const char *img;
	uint64_t files, dirs, links, bytes;
	/* hard links: the image inode of each source inode seen */
	struct { ino_t src; uint32_t ino; } seen[64];
	int nseen;
};

static void cmp_file(struct cmp *c, const char *path, const struct ext2_inode *ino, const struct stat *st)
{
	int fd = open(path, O_RDONLY);
	if (!CHECK(fd >= 0, "open %s", path))
		return;
	size_t chunk = 1 << 20;
	uint8_t *a = malloc(chunk), *b = malloc(chunk);
	uint64_t off = 0;
	/* odd chunks for small files, to cross block boundaries anywhere */
	size_t step = st->st_size < 100000 ? 777 : chunk;
	int ok = 1;
	for (; ok && off < (uint64_t)st->st_size; off += step) {
		size_t want = st->st_size - off < step ? st->st_size - off : step;
		ssize_t got = pread(fd, a, want, off);
		long r = ext2_read(c->fs, ino, off, b, step);
		ok = CHECK(got == (ssize_t)want && r == (long)want && !memcmp(a, b, want),
			   "%s: %s bytes %llu+%zu equal (read %ld, why '%s')", c->img, path,
			   (unsigned long long)off, want, r, c->fs->why);
	}
	CHECK(ext2_read(c->fs, ino, st->st_size, b, 10) == 0, "%s: %s read at the end gives 0", c->img, path);
	if (st->st_size)
		CHECK(ext2_read(c->fs, ino, st->st_size - 1, b, 10) == 1 && b[0] == a[(st->st_size - 1) % step],
		      "%s: %s read across the end gives the last byte", c->img, path);
	c->bytes += st->st_size;
	close(fd);
	free(a);
	free(b);
}

static int by_name(const void *x, const void *y)
{
	return strcmp(((const struct ent *)x)->name, ((const struct ent *)y)->name);
}

static void cmp_tree(struct cmp *c, const char *path, uint32_t ino, uint32_t parent, int depth);

static void cmp_dir(struct cmp *c, const char *path, const struct ext2_inode *d, uint32_t parent, int depth)
{
	struct list l = { 0 };
	int r = ext2_readdir(c->fs, d, list_fn, &l);
	if (!CHECK(r == 0, "%s: readdir %s: %d (%s)", c->img, path, r, c->fs->why))
		goto out;
	qsort(l.e, l.n, sizeof *l.e, by_name);
	/* the source's names, sorted the same way */
	struct list s = { 0 };
	DIR *dp = opendir(path);
	struct dirent *de;
	while (dp && (de = readdir(dp)))
		list_fn(&s, de->d_name, strlen(de->d_name), 0, 0);
	closedir(dp);
	if (depth == 0)         /* mke2fs adds lost+found to the root */
		list_fn(&s, "lost+found", 10, 0, 0);
	qsort(s.e, s.n, sizeof *s.e, by_name);
	if (!CHECK(l.n == s.n, "%s: %s has %zu entries, the source %zu", c->img, path, l.n, s.n))
		goto out2;
	int same = 1;
	for (size_t i = 0; i < l.n && same; i++)
		same = CHECK(!strcmp(l.e[i].name, s.e[i].name), "%s: %s: entry '%s', source '%s'", c->img,
			     path, l.e[i].name, s.e[i].name);
	if (!same)
		goto out2;
	for (size_t i = 0; i < l.n; i++) {
		struct ent *e = &l.e[i];
		if (!strcmp(e->name, ".")) {
			CHECK(e->ino == d->ino, "%s: %s/. is %u, want %u", c->img, path, e->ino, d->ino);
			continue;
		}
		if (!strcmp(e->name, "..")) {
			CHECK(e->ino == parent, "%s: %s/.. is %u, want %u", c->img, path, e->ino, parent);
			continue;
		}
		uint32_t found = 0;
		r = ext2_lookup(c->fs, d, e->name, strlen(e->name), &found);
		CHECK(r == 0 && found == e->ino, "%s: lookup %s/%s: %d, inode %u, want %u", c->img, path,
		      e->name, r, found, e->ino);
		if (depth == 0 && !strcmp(e->name, "lost+found"))
			continue;
		char sub[4096];
		snprintf(sub, sizeof sub, "%s/%s", path, e->name);
		struct stat st;
		struct ext2_inode in;
		if (CHECK(lstat(sub, &st) == 0 && ext2_read_inode(c->fs, e->ino, &in) == 0, "%s: %s", c->img, sub))
			CHECK(e->type == (c->fs->filetype ? ext2_mode_type(st.st_mode) : EXT2_FT_UNKNOWN)
			      && ext2_mode_type(in.mode) == ext2_mode_type(st.st_mode),
			      "%s: %s: entry type %u, inode mode 0%o, source mode 0%o", c->img, sub, e->type,
			      in.mode, st.st_mode);
		cmp_tree(c, sub, e->ino, d->ino, depth + 1);
	}
	uint32_t none;
	r = ext2_lookup(c->fs, d, "no such name", 12, &none);
	CHECK(r == -EXT2_ENOENT, "%s: lookup of a missing name in %s: %d", c->img, path, r);
	c->dirs++;
out2:
	free(s.e);
out:
	free(l.e);
}

static void cmp_tree(struct cmp *c, const char *path, uint32_t ino, uint32_t parent, int depth)
{
	struct stat st;
	struct ext2_inode in;
	int r = ext2_read_inode(c->fs, ino, &in);
	if (!CHECK(r == 0 && lstat(path, &st) == 0 && depth < 30, "%s: inode %u of %s: %d (%s)", c->img,
		   ino, path, r, c->fs->why))
		return;
	/* the root's links count lost+found too, and adding it changed the
	 * root's mtime; directory sizes depend on the file system */
	int isdir = S_ISDIR(st.st_mode);
	CHECK(in.mode == st.st_mode && in.uid == st.st_uid && in.gid == st.st_gid
	      && (isdir ? in.size && in.size % c->fs->block_size == 0 : in.size == (uint64_t)st.st_size)
	      && (depth == 0 || in.mtime == (uint32_t)st.st_mtime) && in.links == st.st_nlink + (depth == 0),
	      "%s: %s: mode 0%o size %llu uid %u gid %u mtime %u links %u; source 0%o %lld %u %u %ld %lu",
	      c->img, path, in.mode, (unsigned long long)in.size, in.uid, in.gid, in.mtime, in.links,
	      st.st_mode, (long long)st.st_size, st.st_uid, st.st_gid, (long)st.st_mtime,
	      (unsigned long)st.st_nlink);
	if (st.st_nlink > 1 && !S_ISDIR(st.st_mode)) {
		int i;
		for (i = 0; i < c->nseen && c->seen[i].src != st.st_ino; i++)
			;
		if (i < c->nseen)
			CHECK(c->seen[i].ino == ino, "%s: hard link %s is inode %u, want %u", c->img, path, ino,
			      c->seen[i].ino);
		else if (i < 64)
			c->seen[c->nseen++].src = st.st_ino, c->seen[i].ino = ino;
	}
	char t[4096], u[4096];
	uint32_t none;
	switch (st.st_mode & S_IFMT) {
	case S_IFREG:
		cmp_file(c, path, &in, &st);
		CHECK(ext2_readdir(c->fs, &in, list_fn, NULL) == -EXT2_ENOTDIR
		      && ext2_lookup(c->fs, &in, "x", 1, &none) == -EXT2_ENOTDIR,
		      "%s: %s is not a directory", c->img, path);
		c->files++;
		break;
	case S_IFLNK: {
		ssize_t n = readlink(path, t, sizeof t);
		long m = ext2_readlink(c->fs, &in, u, sizeof u);
		CHECK(n > 0 && m == n && !memcmp(t, u, n), "%s: link %s: %ld bytes '%.*s', want '%.*s' (%s)",
		      c->img, path, m, (int)(m > 0 ? m : 0), u, (int)n, t, c->fs->why);
		m = ext2_readlink(c->fs, &in, u, 3);
		CHECK(m == 3 && !memcmp(t, u, 3), "%s: link %s cut to 3 bytes: %ld", c->img, path, m);
		c->links++;
		break;
	}
	case S_IFDIR:
		CHECK(ext2_readlink(c->fs, &in, u, sizeof u) == -EXT2_EINVAL, "%s: readlink %s", c->img, path);
		cmp_dir(c, path, &in, depth ? parent : EXT2_ROOT_INO, depth);
		break;
	}
}

/* --- debugfs -------------------------------------------------------------------- */

/* Inode fields of PATH as debugfs stat prints them. */
static void debugfs_same(struct ext2_fs *fs, const char *img, const char *path)
{
	char cmd[512], line[512];
	snprintf(cmd, sizeof cmd, "debugfs -R 'stat %s' %s/%s 2>/dev/null", path, dir, img);
	FILE *p = popen(cmd, "r");
	unsigned ino = 0, mode = 0, links = 0, uid = 0, gid = 0;
	unsigned long long size = 0, blocks = 0;
	int got = 0;
	char *s;
	while (p && fgets(line, sizeof line, p)) {
		if (sscanf(line, "Inode: %u", &ino) == 1 && (s = strstr(line, "Mode:")) && sscanf(s, "Mode: %o", &mode) == 1)
			got |= 1;
		if ((s = strstr(line, "User:")) && sscanf(s, "User: %u", &uid) == 1 && (s = strstr(line, "Group:"))
		    && sscanf(s, "Group: %u", &gid) == 1 && (s = strstr(line, "Size:")) && sscanf(s, "Size: %llu", &size) == 1)
			got |= 2;
		if (sscanf(line, "Links: %u Blockcount: %llu", &links, &blocks) == 2)
			got |= 4;
	}
	CHECK(p && pclose(p) == 0 && got == 7, "%s: debugfs stat %s parsed (%d)", img, path, got);
	struct ext2_inode in;
	int r = walk(fs, path, &in);
	CHECK(r == 0 && in.ino == ino && (in.mode & 07777) == mode && in.uid == uid && in.gid == gid
	      && in.size == size && in.links == links && in.blocks == blocks,
	      "%s: %s: inode %u mode 0%o uid %u gid %u size %llu links %u blocks %u; debugfs %u 0%o %u %u %llu %u %llu",
	      img, path, in.ino, in.mode & 07777, in.uid, in.gid, (unsigned long long)in.size, in.links,
	      in.blocks, ino, mode, uid, gid, size, links, blocks);
}

/* --- the images, whole ---------------------------------------------------------- */

static void test_image(const char *img, const char *mkfs, int hash)
{
	sh("cd %s && mke2fs -q -F -t ext2 %s -d %s %s 24M >/dev/null 2>&1", dir, mkfs, src, img);
	/* mke2fs -d writes linear directories: e2fsck -D hashes the big one */
	if (hash) {
		char cmd[256];
		snprintf(cmd, sizeof cmd, "e2fsck -fyD %s/%s >/dev/null 2>&1", dir, img);
		int r = system(cmd);
		CHECK(r == 0 || WEXITSTATUS(r) == 1, "%s: e2fsck -D: %d", img, r);
	}
	char cmd[256], line[256];
	snprintf(cmd, sizeof cmd, "debugfs -R 'stat /big' %s/%s 2>/dev/null | grep -c 'Flags: 0x1000'", dir, img);
	FILE *p = popen(cmd, "r");
	int indexed = p && fgets(line, sizeof line, p) && atoi(line) == 1;
	if (p)
		pclose(p);
	CHECK(indexed == hash, "%s: /big is %shashed", img, hash ? "" : "not ");

	struct img m = load(img);
	if (!m.data)
		return;
	struct ext2_fs fs;
	char why[160];
	int r = ext2_mount(&fs, img_read, &m, m.size, why, sizeof why);
	if (!CHECK(r == 0, "%s: mount: %d (%s)", img, r, why))
		goto out;
	int rev1 = strcmp(img, "r0.img") != 0;
	CHECK(fs.rev == (unsigned)rev1 && fs.filetype == rev1 && fs.sparse_super == rev1 && fs.large_file == rev1
	      && fs.block_size == (unsigned)(strstr(mkfs, "4096") ? 4096 : strstr(mkfs, "2048") ? 2048 : 1024),
	      "%s: revision %u, block size %u, features filetype %d sparse_super %d large_file %d", img, fs.rev,
	      fs.block_size, fs.filetype, fs.sparse_super, fs.large_file);
	struct cmp c = { .fs = &fs, .img = img };
	cmp_tree(&c, src, EXT2_ROOT_INO, EXT2_ROOT_INO, 0);
	CHECK(c.files == 1976 && c.dirs == 44 && c.links == 25,
	      "%s: %llu files, %llu directories, %llu links compared", img, (unsigned long long)c.files,
	      (unsigned long long)c.dirs, (unsigned long long)c.links);
	static const char *const paths[] = { "/", "/s0", "/s1", "/s1023", "/s70000", "/sparse", "/holes", "/big",
					     "/slow", "/fast", "/hard4096", "/fifo", "/empty",
					     "/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/f" };
	for (unsigned i = 0; i < sizeof paths / sizeof paths[0]; i++)
		debugfs_same(&fs, img, paths[i]);
	/* reading inodes by number: the ends of the range and past them */
	struct ext2_inode in;
	CHECK(ext2_read_inode(&fs, 0, &in) == -EXT2_EINVAL && strstr(fs.why, "inode number 0"),
	      "%s: inode 0 refused (%s)", img, fs.why);
	CHECK(ext2_read_inode(&fs, fs.inodes_count + 1, &in) == -EXT2_EINVAL && strstr(fs.why, "outside 1.."),
	      "%s: inode past the count refused (%s)", img, fs.why);
	r = ext2_read_inode(&fs, fs.inodes_count, &in);
	CHECK(r == -EXT2_ENOENT && strstr(fs.why, "not in use"), "%s: the last inode is free: %d (%s)", img, r, fs.why);
	uint32_t none;
	char longname[300];
	memset(longname, 'L', sizeof longname);
	CHECK(walk(&fs, "/", &in) == 0 && ext2_lookup(&fs, &in, longname, 256, &none) == -EXT2_ENAMETOOLONG
	      && ext2_lookup(&fs, &in, longname, 0, &none) == -EXT2_ENOENT
	      && ext2_lookup(&fs, &in, "s1/", 3, &none) == -EXT2_ENOENT, "%s: odd names refused", img);
out:
	unload(&m);
}

/* --- damaged images --------------------------------------------------------------- */

/* Mounting M (of DISK bytes) fails with ERR and a reason containing WANT. */
static void bad_mount(const char *what, struct img *m, uint64_t disk, int err, const char *want)
{
	struct ext2_fs fs;
	char why[160] = "";
	m->reads = 0;
	int r = ext2_mount(&fs, img_read, m, disk, why, sizeof why);
	CHECK(r == -err && strstr(why, want) && m->reads < 1000, "%s: mount gives %d '%s', want %d '%s' (%llu reads)",
	      what, r, why, -err, want, (unsigned long long)m->reads);
}

/* R is ERR with a reason containing WANT. */
static void bad(const char *what, struct ext2_fs *fs, long r, int err, const char *want)
{
	CHECK(r == -err && strstr(fs->why, want), "%s: %ld '%s', want %d '%s'", what, r, fs->why, -err, want);
}

/* Where debugfs says the inode of PATH is on disk. */
static uint64_t inode_at(const char *img, const char *path, unsigned bs)
{
	char cmd[256], line[256];
	snprintf(cmd, sizeof cmd, "debugfs -R 'imap %s' %s/%s 2>/dev/null", path, dir, img);
	FILE *p = popen(cmd, "r");
	unsigned long long blk = 0;
	unsigned off = 0;
	int got = 0;
	while (p && fgets(line, sizeof line, p))
		got |= sscanf(line, " located at block %llu, offset %x", &blk, &off) == 2;
	CHECK(p && pclose(p) == 0 && got, "debugfs imap %s", path);
	return blk * bs + off;
}

static void test_damage(const char *img)
{
	struct img m = load(img);
	if (!m.data)
		return;
	uint8_t *sb = m.data + 1024, save[1024];
	memcpy(save, sb, sizeof save);
	unsigned bs = 1024u << le32(sb + 24);
	uint32_t blocks = le32(sb + 4);

	/* the superblock */
	put_le16(sb + 56, 0xef54);
	bad_mount("bad magic", &m, m.size, EXT2_EINVAL, "bad magic 0xef54");
	memcpy(sb, save, sizeof save);
	put_le32(sb + 24, 0x40000000);
	bad_mount("absurd block size", &m, m.size, EXT2_EINVAL, "block size field 1073741824");
	put_le32(sb + 24, 3);
	bad_mount("8 KiB blocks", &m, m.size, EXT2_EINVAL, "block size field 3");
	memcpy(sb, save, sizeof save);
	put_le32(sb + 4, blocks + 1);
	bad_mount("blocks count past the disk", &m, m.size, EXT2_EINVAL, "larger than the disk");
	memcpy(sb, save, sizeof save);
	bad_mount("disk smaller than the fs", &m, m.size - bs, EXT2_EINVAL, "larger than the disk");
	put_le32(sb, le32(sb) + 1);
	bad_mount("inodes count", &m, m.size, EXT2_EINVAL, "inodes count");
	memcpy(sb, save, sizeof save);
	put_le32(sb + 76, 2);
	bad_mount("revision 2", &m, m.size, EXT2_EINVAL, "unknown revision 2");
	memcpy(sb, save, sizeof save);
	if (le32(save + 76) == 1) {
		put_le16(sb + 88, 100);
		bad_mount("inode size", &m, m.size, EXT2_EINVAL, "inode size 100");
		memcpy(sb, save, sizeof save);
		put_le32(sb + 84, 3);
		bad_mount("first inode", &m, m.size, EXT2_EINVAL, "first inode 3");
		memcpy(sb, save, sizeof save);
	}
	put_le32(sb + 32, 0);
	bad_mount("no blocks per group", &m, m.size, EXT2_EINVAL, "blocks per group 0");
	memcpy(sb, save, sizeof save);
	struct ext2_fs fs;
	char why[160];
	if (le32(save + 76) == 1) {    /* revision 0 has no feature fields */
		put_le32(sb + 96, le32(save + 96) | 0x80000000u);
		bad_mount("unknown incompatible feature", &m, m.size, EXT2_ENOTSUP, "unknown incompatible feature 0x80000000");
		put_le32(sb + 96, le32(save + 96) | 0x40);
		bad_mount("extents", &m, m.size, EXT2_ENOTSUP, "feature extents (0x40)");
		put_le32(sb + 96, le32(save + 96) | 0x4);
		bad_mount("needs recovery", &m, m.size, EXT2_ENOTSUP, "feature needs_recovery");
		memcpy(sb, save, sizeof save);
		/* unknown read-only-compatible features do not stop a read-only mount */
		put_le32(sb + 100, le32(save + 100) | 0x80000000u);
		CHECK(ext2_mount(&fs, img_read, &m, m.size, why, sizeof why) == 0 && (fs.ro_compat & 0x80000000u),
		      "%s: unknown ro_compat feature recorded (%s)", img, why);
		memcpy(sb, save, sizeof save);
	}

	/* the group descriptors, in the block after the superblock's */
	uint8_t *gd = m.data + (bs == 1024 ? 2 : 1) * bs, gsave[64];
	memcpy(gsave, gd, sizeof gsave);
	put_le32(gd + 8, blocks + 5);
	bad_mount("inode table outside", &m, m.size, EXT2_EINVAL, "group 0: inode table at block");
	memcpy(gd, gsave, sizeof gsave);
	put_le32(gd + 8, blocks - 1);
	bad_mount("inode table running off the end", &m, m.size, EXT2_EINVAL, "group 0: inode table at block");
	memcpy(gd, gsave, sizeof gsave);
	if (blocks > 8 * bs) {          /* more than one group */
		put_le32(gd + 32 + 0, 0xffffffff);
		bad_mount("block bitmap of group 1", &m, m.size, EXT2_EINVAL, "group 1: block bitmap at block 4294967295");
		memcpy(gd, gsave, sizeof gsave);
	}
	put_le32(gd + 4, 0);
	bad_mount("inode bitmap at 0", &m, m.size, EXT2_EINVAL, "group 0: inode bitmap");
	memcpy(gd, gsave, sizeof gsave);

	/* the root inode */
	uint8_t *root = m.data + inode_at(img, "/", bs), rsave[128];
	memcpy(rsave, root, sizeof rsave);
	put_le16(root, 0100644);
	bad_mount("root not a directory", &m, m.size, EXT2_EINVAL, "root inode is not a directory");
	memcpy(root, rsave, sizeof rsave);

	/* a truncated image: the callback fails past its end */
	size_t full = m.size;
	m.size = 1500;
	bad_mount("image cut in the superblock", &m, full, EXT2_EIO, "superblock: cannot read 1024 bytes at offset 1024");
	m.size = full;

	int r = ext2_mount(&fs, img_read, &m, m.size, why, sizeof why);
	if (!CHECK(r == 0, "%s: mounts undamaged: %s", img, why))
		goto out;

	/* directory entries: "." opens the first block of /sub */
	struct ext2_inode d, f;
	struct list l = { 0 };
	if (!CHECK(walk(&fs, "/sub", &d) == 0 && walk(&fs, "/s70000", &f) == 0, "%s: walk", img))
		goto out;
	uint8_t *e = m.data + (uint64_t)d.block[0] * bs, esave[32];
	uint32_t none;
	memcpy(esave, e, sizeof esave);
	put_le16(e + 4, 0);
	bad("rec_len 0", &fs, ext2_readdir(&fs, &d, list_fn, &l), EXT2_EINVAL, "offset 0: rec_len 0 name_len 1 do not fit");
	e[6] = 0;
	put_le32(e, 0);
	bad("rec_len 0 of an empty entry", &fs, ext2_readdir(&fs, &d, list_fn, &l), EXT2_EINVAL, "rec_len 0 name_len 0");
	put_le16(e + 4, 8);
	bad("rec_len 8 of an empty entry", &fs, ext2_readdir(&fs, &d, list_fn, &l), EXT2_EINVAL, "rec_len 8 name_len 0");
	memcpy(e, esave, sizeof esave);
	put_le16(e + 4, bs + 4);
	bad("rec_len past the block", &fs, ext2_lookup(&fs, &d, "hard", 4, &none), EXT2_EINVAL, "do not fit the block");
	put_le16(e + 4, 14);
	bad("rec_len not a multiple of 4", &fs, ext2_readdir(&fs, &d, list_fn, &l), EXT2_EINVAL, "rec_len 14");
	memcpy(e, esave, sizeof esave);
	e[6] = 9;
	bad("name_len past rec_len", &fs, ext2_readdir(&fs, &d, list_fn, &l), EXT2_EINVAL, "name_len 9");
	memcpy(e, esave, sizeof esave);
	put_le32(e, fs.inodes_count + 1);
	char want[64];
	snprintf(want, sizeof want, "inode %u past s_inodes_count", fs.inodes_count + 1);
	bad("inode past the count", &fs, ext2_readdir(&fs, &d, list_fn, &l), EXT2_EINVAL, want);
	memcpy(e, esave, sizeof esave);
	e[8] = '/';
	bad("slash in a name", &fs, ext2_readdir(&fs, &d, list_fn, &l), EXT2_EINVAL, "bad name");
	memcpy(e, esave, sizeof esave);
	if (fs.filetype) {
		e[7] = 9;
		bad("file type 9", &fs, ext2_readdir(&fs, &d, list_fn, &l), EXT2_EINVAL, "file type 9");
		memcpy(e, esave, sizeof esave);
	}
	free(l.e);
	/* the directory's inode as read: odd sizes, holes, blocks outside */
	struct ext2_inode x = d;
	x.size = bs + 1;
	bad("directory size", &fs, ext2_readdir(&fs, &x, list_fn, &l), EXT2_EINVAL, "is not a positive number of blocks");
	x.size = 0;
	bad("directory of size 0", &fs, ext2_readdir(&fs, &x, list_fn, &l), EXT2_EINVAL, "size 0");
	x = d;
	x.block[0] = 0;
	bad("directory hole", &fs, ext2_readdir(&fs, &x, list_fn, &l), EXT2_EINVAL, "hole at block 0");
	x.block[0] = blocks;
	snprintf(want, sizeof want, "data block %u outside the fs", blocks);
	bad("directory block outside", &fs, ext2_readdir(&fs, &x, list_fn, &l), EXT2_EINVAL, want);

	/* file data: pointers outside the fs, in the inode and in an
	 * indirect block */
	uint8_t buf[4096];
	x = f;
	x.block[12] = blocks + 100;
	snprintf(want, sizeof want, "indirect block %u outside the fs", blocks + 100);
	bad("indirect block in the inode", &fs, ext2_read(&fs, &x, 12 * bs, buf, 10), EXT2_EINVAL, want);
	CHECK(ext2_read(&fs, &x, 11 * bs, buf, 10) == 10, "%s: the direct blocks still read", img);
	x.block[3] = 0xfffffff0u;
	bad("direct block outside", &fs, ext2_read(&fs, &x, 3 * bs + 5, buf, 10), EXT2_EINVAL, "data block 4294967280");
	uint8_t *ind = m.data + (uint64_t)f.block[12] * bs;
	uint32_t isave = le32(ind + 4);
	put_le32(ind + 4, blocks);
	snprintf(want, sizeof want, "data block %u outside the fs", blocks);
	bad("indirect entry outside", &fs, ext2_read(&fs, &f, 13 * bs, buf, 10), EXT2_EINVAL, want);
	put_le32(ind + 4, isave);
	struct ext2_inode sp;
	if (CHECK(walk(&fs, "/sparse", &sp) == 0, "%s: walk /sparse", img) && bs == 1024) {
		/* the first entry of the triple indirect block leads to 70 MiB */
		uint8_t *t = m.data + (uint64_t)sp.block[14] * bs;
		uint32_t tsave = le32(t);
		CHECK(sp.block[14] != 0 && tsave != 0, "%s: /sparse has a triple indirect block", img);
		put_le32(t, blocks + 7);
		snprintf(want, sizeof want, "indirect block %u outside the fs", blocks + 7);
		bad("double indirect block outside", &fs, ext2_read(&fs, &sp, 70 << 20, buf, 10), EXT2_EINVAL, want);
		CHECK(ext2_read(&fs, &sp, 300 << 10, buf, 10) == 10, "%s: the double indirect blocks still read", img);
		put_le32(t, 1);    /* the superblock's block */
		bad("indirect block on the superblock", &fs, ext2_read(&fs, &sp, 70 << 20, buf, 10), EXT2_EINVAL,
		    "indirect block 1 outside the fs");
		put_le32(t, tsave);
	}
	/* a size larger than the block map: huge i_size_high */
	uint8_t *fi = m.data + inode_at(img, "/s70000", bs);
	memcpy(rsave, fi, sizeof rsave);
	put_le32(fi + 108, 0x7fffffff);
	bad("file size past the block map", &fs, ext2_read_inode(&fs, f.ino, &x), EXT2_EFBIG, "larger than the block map");
	memcpy(fi, rsave, sizeof rsave);
	put_le16(fi + 120, 1);
	put_le16(fi + 122, 2);
	CHECK(ext2_read_inode(&fs, f.ino, &x) == 0 && x.uid == (0x10000 | le32(rsave + 2) % 0x10000)
	      && x.gid == (0x20000 | le32(rsave + 24) % 0x10000), "%s: high uid and gid bits: %u %u", img, x.uid, x.gid);
	memcpy(fi, rsave, sizeof rsave);
	put_le32(fi + 32, 0x80000);
	bad("extents flag", &fs, ext2_read_inode(&fs, f.ino, &x), EXT2_EINVAL, "extents or inline data");
	memcpy(fi, rsave, sizeof rsave);

	/* symbolic links */
	struct ext2_inode ln;
	if (CHECK(walk(&fs, "/fast", &ln) == 0, "%s: walk /fast", img)) {
		x = ln;
		x.size = 60;
		bad("fast link of 60 bytes", &fs, ext2_readlink(&fs, &x, (char *)buf, sizeof buf), EXT2_EINVAL, "size 60");
		x.size = 0;
		bad("empty link", &fs, ext2_readlink(&fs, &x, (char *)buf, sizeof buf), EXT2_EINVAL, "size 0");
		x.size = bs;
		bad("link of a block", &fs, ext2_readlink(&fs, &x, (char *)buf, sizeof buf), EXT2_EINVAL, "size");
	}

	/* a truncated image: the data of /s70000 cannot be read */
	m.size = (size_t)f.block[0] * bs;
	m.reads = 0;
	bad("image cut before the data", &fs, ext2_read(&fs, &f, 0, buf, 10), EXT2_EIO, "file data: cannot read 10 bytes");
	m.size = full;
out:
	unload(&m);
}

int main(void)
{
	setenv("PATH", "/usr/sbin:/sbin:/usr/bin:/bin", 1);
	snprintf(dir, sizeof dir, "/tmp/test_ext2.XXXXXX");
	if (!CHECK(mkdtemp(dir), "temporary directory"))
		return unit_report();
	snprintf(src, sizeof src, "%s/src", dir);
	mkdir(src, 0755);
	build_tree();
	test_image("b1.img", "-b 1024", 1);
	test_image("b1lin.img", "-b 1024 -O ^dir_index", 0);
	test_image("b4.img", "-b 4096", 1);
	test_image("r0.img", "-b 2048 -r 0", 0);
	test_damage("b1.img");
	test_damage("b4.img");
	test_damage("r0.img");
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (getenv("KEEP"))
		snprintf(cmd, sizeof cmd, "echo kept %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	return unit_report();
}
