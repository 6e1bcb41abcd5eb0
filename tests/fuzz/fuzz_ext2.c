/* libFuzzer target: an arbitrary disk image given to the ext2 core.
 * Mounts it read-only and walks everything reachable from / (bounded),
 * reading every file and symlink; then mounts a copy read-write through the
 * cache and changes it: new files, directories and links, writes, renames
 * and removals, of its own entries and of what the image holds.  Any
 * crash, sanitizer report or hang is a bug. */
#include <stdlib.h>
#include <string.h>
#include "ext2/ext2.h"
#include "rt/rt.h"

struct disk { const uint8_t *data; size_t size; };

static int disk_read(void *ctx, uint64_t off, void *buf, size_t n)
{
	const struct disk *d = ctx;
	if (off > d->size || n > d->size - off)
		return -1;
	memcpy(buf, d->data + off, n);
	return 0;
}

struct walk { struct ext2_fs *fs; int budget, depth; };

static void visit(struct walk *w, uint32_t ino);

static int entry(void *arg, const char *name, size_t len, uint32_t ino, unsigned type)
{
	struct walk *w = arg;
	(void)type;
	if (--w->budget <= 0)
		return 1;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return 0;
	visit(w, ino);
	return 0;
}

static void visit(struct walk *w, uint32_t ino)
{
	struct ext2_inode in;
	char buf[4096];
	if (w->depth > 16 || ext2_read_inode(w->fs, ino, &in) != 0)
		return;
	switch (in.mode & EXT2_S_IFMT) {
	case EXT2_S_IFDIR:
		w->depth++;
		ext2_readdir(w->fs, &in, entry, w);
		w->depth--;
		break;
	case EXT2_S_IFREG:
		for (uint64_t off = 0; off < in.size && off < (1u << 20); off += sizeof buf)
			if (ext2_read(w->fs, &in, off, buf, sizeof buf) < 0)
				break;
		ext2_read(w->fs, &in, in.size > 10 ? in.size - 10 : 0, buf, 100);
		break;
	case EXT2_S_IFLNK:
		ext2_readlink(w->fs, &in, buf, sizeof buf);
		break;
	}
}

/* --- the write path, on a copy in memory ------------------------------------- */

struct copy { uint8_t *data; size_t size; };

static int copy_read(void *ctx, uint64_t off, void *buf, size_t n)
{
	const struct copy *c = ctx;
	if (off > c->size || n > c->size - off)
		return -1;
	memcpy(buf, c->data + off, n);
	return 0;
}

static int copy_write(void *ctx, uint64_t off, const void *buf, size_t n)
{
	struct copy *c = ctx;
	if (off > c->size || n > c->size - off)
		return -1;
	memcpy(c->data + off, buf, n);
	return 0;
}

static int copy_flush(void *ctx) { (void)ctx; return 0; }
static uint32_t copy_now(void *ctx) { (void)ctx; return 1700000000; }

/* The first few entries of a directory, to change what the image holds. */
struct pick { char name[4][256]; size_t len[4]; uint32_t ino[4]; unsigned type[4]; int n; };

static int pick(void *arg, const char *name, size_t len, uint32_t ino, unsigned type)
{
	struct pick *p = arg;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return 0;
	memcpy(p->name[p->n], name, len);
	p->len[p->n] = len;
	p->ino[p->n] = ino;
	p->type[p->n] = type;
	return ++p->n == 4;
}

static void change(struct ext2_fs *fs)
{
	static uint8_t buf[5000];
	static const char slow[] = "a target of more than sixty bytes, kept in a block of its own, not i_block";
	uint32_t root = EXT2_ROOT_INO, f = 0, d = 0, x = 0;
	struct ext2_inode in;
	memset(buf, 'b', sizeof buf);
	/* the image's own entries: their data, their names */
	struct pick p = { .n = 0 };
	if (ext2_read_inode(fs, root, &in) == 0)
		ext2_readdir(fs, &in, pick, &p);
	for (int i = 0; i < p.n; i++) {
		ext2_write(fs, p.ino[i], 100, buf, 3000);
		ext2_truncate(fs, p.ino[i], i * 700);
		ext2_chmod(fs, p.ino[i], 0700);
		if (i == 0)
			ext2_rename(fs, root, p.name[i], p.len[i], root, "img-moved", 9);
		else if (i == 1)
			ext2_unlink(fs, root, p.name[i], p.len[i]);
		else if (i == 2)
			ext2_rmdir(fs, root, p.name[i], p.len[i]);
	}
	/* new files, directories, links */
	ext2_create(fs, root, "fzf", 3, EXT2_S_IFREG | 0644, 0, 0, &f);
	ext2_hold(fs, f);
	ext2_write(fs, f, 0, buf, sizeof buf);
	ext2_write(fs, f, 300000, buf, 100);
	ext2_truncate(fs, f, 4000);
	ext2_mkdir(fs, root, "fzd", 3, 0755, 0, 0, &d);
	ext2_create(fs, d, "a", 1, EXT2_S_IFREG | 0644, 0, 0, &x);
	ext2_symlink(fs, d, "s", 1, slow, sizeof slow - 1, 0, 0, &x);
	ext2_symlink(fs, d, "l", 1, "fzf", 3, 0, 0, &x);
	ext2_link(fs, d, "h", 1, f);
	ext2_rename(fs, d, "a", 1, root, "fza", 3);
	if (p.n == 4)
		ext2_rename(fs, root, p.name[3], p.len[3], d, "img", 3);
	ext2_rename(fs, root, "fzd", 3, root, "fzmoved", 7);
	ext2_unlink(fs, root, "fzf", 3);
	ext2_sync(fs);
	ext2_release(fs, f);
	ext2_unlink(fs, d, "h", 1);
	ext2_unlink(fs, d, "s", 1);
	ext2_rmdir(fs, root, "fzmoved", 7);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct disk d = { data, size };
	struct ext2_fs fs;
	char why[160];
	if (ext2_mount(&fs, disk_read, &d, size, why, sizeof why) != 0)
		return 0;
	struct walk w = { &fs, 2000, 0 };
	visit(&w, 2);
	struct copy c = { malloc(size), size };
	struct ext2_dev dev = { copy_read, copy_write, copy_flush, copy_now, &c, size, 32 << 10, NULL };
	if (c.data) {
		memcpy(c.data, data, size);
		if (ext2_mount_rw(&fs, &dev, why, sizeof why) == 0) {
			change(&fs);
			ext2_unmount(&fs);
		}
	}
	free(c.data);
	return 0;
}
