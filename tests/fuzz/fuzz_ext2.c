/* libFuzzer target: an arbitrary disk image given to the ext2 read path.
 * Mounts it and walks everything reachable from / (bounded), reading every
 * file and symlink: any crash, sanitizer report or hang is a bug. */
#include <string.h>
#include "ext2/ext2.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct disk d = { data, size };
	struct ext2_fs fs;
	char why[160];
	if (ext2_mount(&fs, disk_read, &d, size, why, sizeof why) != 0)
		return 0;
	struct walk w = { &fs, 2000, 0 };
	visit(&w, 2);
	return 0;
}
