/* The order of the cache's writes: every prefix of the writes of a mount
 * is a possible power cut, and in none may the disk point at a block not
 * yet written.  The image starts as a used disk: every block holds "old
 * data" (a pattern made from its number) before mke2fs, so a free block
 * still holds it.  A disk double records each write; the checker replays
 * the prefixes onto the image made by mke2fs and, on each, walks the tree
 * from the root: every entry must name an inode in use, no inode or
 * indirect block may point at a block that still holds old data, and no
 * group descriptor or superblock count may be ahead of the bitmap it
 * summarises.  The same checker run over the writes in reverse order must
 * find violations (so that it can fail); e2fsck judges every eighth cut
 * (only what the order allows: counts behind, unnamed inodes, sizes
 * behind) and the end. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"
#include "ext2_testdev.h"
#include "ext2_writelog.h"
#include "ext2/ext2.h"
#include "rt/le.h"
#include "rt/rt.h"

#define BS 1024u
#define DISK (8u << 20)
#define NBLOCKS (DISK / BS)

static uint8_t *cur;            /* the disk the mount sees */

static int dev_write(void *ctx, uint64_t off, const void *buf, size_t n)
{
	(void)ctx;
	record_write(off, buf, n);
	memcpy(cur + off, buf, n);
	return 0;
}

/* Writes in flight (ext2_dev.drain): a disk that may finish the writes
 * issued since the last drain or flush in any order is modelled, at its
 * worst, as finishing them in reverse.  The log is kept in that order. */
static size_t settled;          /* wlog[0..settled) is in its final order */
static bool reorder;

static void settle(void)
{
	for (size_t i = settled, j = nlog; reorder && i + 1 < j; i++, j--) {
		struct wr t = wlog[i];
		wlog[i] = wlog[j - 1];
		wlog[j - 1] = t;
	}
	settled = nlog;
}

static int dev_drain(void *ctx)
{
	(void)ctx;
	settle();
	return 0;
}

static int dev_flush(void *ctx)
{
	(void)ctx;
	settle();
	return 0;
}

/* The old contents of block B on the used disk. */
static void old_data(uint32_t b, uint8_t *out)
{
	for (uint32_t i = 0; i < BS / 4; i++)
		put_le32(out + 4 * i, 0x01d0da7au ^ (b * 2654435761u + i));
}

static bool is_old(const uint8_t *img, uint32_t b)
{
	uint8_t want[BS];
	old_data(b, want);
	return b < NBLOCKS && memcmp(img + (size_t)b * BS, want, BS) == 0;
}

/* --- the checker --------------------------------------------------------- */

struct walk {
	struct ext2_fs fs;
	const uint8_t *img;
	int bad;
	char first[200];
	int depth;
};

static void violation(struct walk *w, const char *fmt, uint32_t a, uint32_t b)
{
	if (w->bad++ == 0)
		snprintf(w->first, sizeof w->first, fmt, a, b);
}

/* Block B of inode INO, DEPTH levels of indirect blocks above the data. */
static void check_tree(struct walk *w, uint32_t ino, uint32_t b, int depth)
{
	if (b == 0)
		return;
	if (b >= NBLOCKS) {
		violation(w, "inode %u points at block %u past the disk", ino, b);
		return;
	}
	if (is_old(w->img, b)) {
		violation(w, "inode %u points at block %u, which still holds old data", ino, b);
		return;
	}
	for (uint32_t i = 0; depth > 0 && i < BS / 4; i++)
		check_tree(w, ino, le32(w->img + (size_t)b * BS + 4 * i), depth - 1);
}

static void check_inode(struct walk *w, const struct ext2_inode *in)
{
	if ((in->mode & EXT2_S_IFMT) == EXT2_S_IFLNK && in->blocks == 0)
		return;         /* a fast link: i_block holds the target */
	for (int i = 0; i < 15; i++)
		check_tree(w, in->ino, in->block[i], i < 12 ? 0 : i - 11);
}

static void check_dir(struct walk *w, uint32_t ino);

static int entry(void *arg, const char *name, size_t len, uint32_t ino, unsigned type)
{
	struct walk *w = arg;
	struct ext2_inode in;
	(void)type;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return 0;
	if (ext2_read_inode(&w->fs, ino, &in) != 0) {
		violation(w, "an entry names inode %u, which is not written (%u)", ino, 0);
		return 0;
	}
	check_inode(w, &in);
	if ((in.mode & EXT2_S_IFMT) == EXT2_S_IFDIR && w->bad == 0 && w->depth < 8) {
		w->depth++;
		check_dir(w, ino);
		w->depth--;
	}
	return 0;
}

static void check_dir(struct walk *w, uint32_t ino)
{
	struct ext2_inode d;
	if (ext2_read_inode(&w->fs, ino, &d) != 0) {
		violation(w, "directory %u cannot be read (%u)", ino, 0);
		return;
	}
	check_inode(w, &d);
	if (w->bad == 0 && ext2_readdir(&w->fs, &d, entry, w) < 0)
		violation(w, "directory %u does not read (%u)", ino, 0);
}

static uint32_t zero_bits(const uint8_t *bm, uint32_t n)
{
	uint32_t z = 0;
	for (uint32_t i = 0; i < n; i++)
		z += !(bm[i / 8] & (1u << (i % 8)));
	return z;
}

/* Counts must not run ahead of their bitmaps: while blocks and inodes are
 * only taken, a descriptor's free count is never below its bitmap's, nor
 * the superblock's below the descriptors' sum. */
static void check_counts(struct walk *w)
{
	const uint8_t *sb = w->img + 1024, *gdt = w->img + 2 * BS;
	uint32_t sum_b = 0, sum_i = 0;
	for (uint32_t g = 0; g < w->fs.groups; g++) {
		const uint8_t *d = gdt + 32 * g;
		uint32_t base = w->fs.first_data_block + g * w->fs.blocks_per_group;
		uint32_t nb = w->fs.blocks_count - base < w->fs.blocks_per_group ? w->fs.blocks_count - base
		                                                                : w->fs.blocks_per_group;
		uint32_t fb = le16(d + 12), fi = le16(d + 14);
		if (zero_bits(w->img + (size_t)le32(d) * BS, nb) > fb)
			violation(w, "group %u: free block count %u ahead of its bitmap", g, fb);
		if (zero_bits(w->img + (size_t)le32(d + 4) * BS, w->fs.inodes_per_group) > fi)
			violation(w, "group %u: free inode count %u ahead of its bitmap", g, fi);
		sum_b += fb;
		sum_i += fi;
	}
	if (le32(sb + 12) < sum_b || le32(sb + 16) < sum_i)
		violation(w, "superblock counts (%u free blocks) ahead of the descriptors (%u)", le32(sb + 12), sum_b);
}

/* Checks one image; returns the violations, the first in *FIRST. */
static int check_image(const uint8_t *img, char *first, size_t size)
{
	static struct walk w;
	memset(&w, 0, sizeof w);
	w.img = img;
	char why[160];
	if (ext2_mount(&w.fs, mem_dev_read, (void *)img, DISK, why, sizeof why) != 0) {
		snprintf(first, size, "does not mount: %s", why);
		return 1;
	}
	check_dir(&w, EXT2_ROOT_INO);
	check_counts(&w);
	snprintf(first, size, "%s", w.first);
	return w.bad;
}

/* e2fsck -fn on IMG as a power cut left it: what it may find is what the
 * order allows (counts and bitmaps behind, inodes not yet named, a size
 * behind the blocks already written and mapped), never a pointer to a
 * block that is not the file's: illegal or shared blocks, a bad directory
 * block. */
static bool fsck_cuts = true;

static void e2fsck_cut(const uint8_t *img, size_t k)
{
	if (!fsck_cuts)
		return;
	static char path[80];
	snprintf(path, sizeof path, "/tmp/test_ext2order.%d.cut", (int)getpid());
	FILE *f = fopen(path, "w");
	if (!CHECK(f && fwrite(img, 1, DISK, f) == DISK && fclose(f) == 0, "writing %s", path))
		return;
	char cmd[512];
	snprintf(cmd, sizeof cmd, "PATH=$PATH:/usr/sbin e2fsck -fn %s 2>&1 | grep -iE 'illegal|multiply-claimed|"
		 "duplicate|corrupt|bad block|has an invalid|directory entry .* has deleted' | head -2", path);
	FILE *p = popen(cmd, "r");
	char line[256] = "";
	if (p && !fgets(line, sizeof line, p))
		line[0] = 0;
	if (p)
		pclose(p);
	CHECK(line[0] == 0, "cut after write %zu: e2fsck finds more than the order allows: %s", k, line);
	unlink(path);
}

/* Replays the writes FROM..TO (or TO..FROM backwards) onto a copy of BASE,
 * checking the image before the first and after each; returns the number
 * of cut points with violations. */
static int replay(const uint8_t *base, bool backwards, size_t *where, char *first, size_t size)
{
	uint8_t *img = malloc(DISK);
	memcpy(img, base, DISK);
	int bad_cuts = 0;
	for (size_t k = 0; k <= nlog; k++) {
		char msg[200];
		if (!backwards && k % 8 == 0)
			e2fsck_cut(img, k);
		if (check_image(img, msg, sizeof msg) && bad_cuts++ == 0) {
			*where = k;
			snprintf(first, size, "%s", msg);
		}
		if (k < nlog) {
			const struct wr *x = &wlog[backwards ? nlog - 1 - k : k];
			memcpy(img + x->off, x->data, x->n);
		}
	}
	free(img);
	return bad_cuts;
}

/* --- the workload -------------------------------------------------------- */

static void write_file(struct ext2_fs *fs, uint32_t dir, const char *name, size_t size, uint32_t seed)
{
	static uint8_t data[320 << 10];
	uint32_t ino;
	unit_fill(data, size, seed);
	int r = ext2_create(fs, dir, name, strlen(name), EXT2_S_IFREG | 0644, 0, 0, &ino);
	for (size_t off = 0; !r && off < size; off += 4096) {
		size_t n = size - off < 4096 ? size - off : 4096;
		if (ext2_write(fs, ino, off, data + off, n) != (long)n)
			r = -1;
	}
	CHECK(r == 0, "writing %s (%zu bytes): %s", name, size, fs->why);
}

static void workload(struct ext2_fs *fs)
{
	uint32_t d1, d2, sub, ino;
	static const size_t sizes[] = { 0, 700, 3000, 20000, 1 };
	CHECK(ext2_mkdir(fs, EXT2_ROOT_INO, "d1", 2, 0755, 0, 0, &d1) == 0
	      && ext2_mkdir(fs, EXT2_ROOT_INO, "d2", 2, 0755, 0, 0, &d2) == 0, "mkdir: %s", fs->why);
	for (uint32_t i = 0; i < 60; i++) {
		char name[40];
		snprintf(name, sizeof name, "a-file-with-a-long-name-%u", i);
		write_file(fs, d1, name, sizes[i % 5], i);
		if (i == 30)
			CHECK(ext2_sync(fs) == 0, "sync: %s", fs->why);
	}
	CHECK(ext2_sync(fs) == 0, "sync: %s", fs->why);
	write_file(fs, EXT2_ROOT_INO, "big", 300 << 10, 99);
	CHECK(ext2_mkdir(fs, d2, "sub", 3, 0755, 0, 0, &sub) == 0
	      && ext2_symlink(fs, sub, "link", 4, "../../d1/a-file-with-a-long-name-3", 33, 0, 0, &ino) == 0,
	      "mkdir and symlink: %s", fs->why);
	write_file(fs, sub, "x", 5000, 7);
}

static void forget_log(void)
{
	for (size_t i = 0; i < nlog; i++)
		free(wlog[i].data);
	nlog = settled = 0;
}

/* The workload again on a disk that keeps writes in flight and finishes
 * them in reverse between drains (DRAINS: the core's drain calls reach
 * it; else only its flushes order anything): the bad cut points. */
static int in_flight_run(const uint8_t *base, bool drains, size_t *where, char *first, size_t size)
{
	forget_log();
	memcpy(cur, base, DISK);
	reorder = true;
	struct ext2_dev dev = { mem_dev_read, dev_write, dev_flush, fixed_now, cur, DISK, 40 * BS, NULL,
	                        drains ? dev_drain : NULL };
	static struct ext2_fs fs;
	memset(&fs, 0, sizeof fs);
	char why[160];
	if (!CHECK(ext2_mount_rw(&fs, &dev, why, sizeof why) == 0, "mount_rw: %s", why))
		return -1;
	workload(&fs);
	CHECK(ext2_unmount(&fs) == 0, "unmount: %s", fs.why);
	reorder = false;
	fsck_cuts = drains;
	int bad = replay(base, false, where, first, size);
	fsck_cuts = true;
	return bad;
}

int main(void)
{
	char img[80], first[200];
	snprintf(img, sizeof img, "/tmp/test_ext2order.%d.img", (int)getpid());
	/* a used disk: every block holds old data, then mke2fs (no discard) */
	uint8_t *base = malloc(DISK);
	cur = malloc(DISK);
	for (uint32_t b = 0; b < NBLOCKS; b++)
		old_data(b, base + (size_t)b * BS);
	mkfs_over(img, base, DISK, BS, "ext2");
	memcpy(cur, base, DISK);

	/* a small cache, so that eviction writes too, not only sync */
	struct ext2_dev dev = { mem_dev_read, dev_write, dev_flush, fixed_now, cur, DISK, 40 * BS, NULL, NULL };
	static struct ext2_fs fs;
	char why[160];
	if (!CHECK(ext2_mount_rw(&fs, &dev, why, sizeof why) == 0, "mount_rw: %s", why))
		return unit_report();
	workload(&fs);
	CHECK(ext2_unmount(&fs) == 0, "unmount: %s", fs.why);
	printf("%zu writes recorded\n", nlog);
	CHECK(nlog > 50, "the workload writes (%zu writes)", nlog);

	size_t where = 0;
	int bad = replay(base, false, &where, first, sizeof first);
	CHECK(bad == 0, "%d of %zu cut points point at unwritten blocks; the first after write %zu: %s",
	      bad, nlog + 1, where, first);
	int bad_rev = replay(base, true, &where, first, sizeof first);
	CHECK(bad_rev > 0, "the checker finds the writes in reverse order wrong (%d cut points)", bad_rev);
	printf("in order: %d bad cut points; reversed: %d (first: %s)\n", bad, bad_rev, first);

	FILE *f = fopen(img, "w");
	CHECK(f && fwrite(cur, 1, DISK, f) == DISK && fclose(f) == 0, "writing %s", img);
	sh("PATH=$PATH:/usr/sbin e2fsck -fn %s >/dev/null 2>&1", img);
	sh("PATH=$PATH:/usr/sbin debugfs -R 'cat /d2/sub/x' %s 2>/dev/null | wc -c | grep -qx 5000", img);
	unlink(img);

	/* writes in flight: the drains keep the order; without them it breaks */
	bad = in_flight_run(base, true, &where, first, sizeof first);
	CHECK(bad == 0, "writes in flight, drained: %d of %zu cut points point at unwritten blocks; the first "
	      "after write %zu: %s", bad, nlog + 1, where, first);
	int bad_nodrain = in_flight_run(base, false, &where, first, sizeof first);
	CHECK(bad_nodrain > 0, "writes in flight without drains: the checker finds the order broken (%d cut points)",
	      bad_nodrain);
	printf("writes in flight: drained %d bad cut points; without drains %d (first: %s)\n", bad, bad_nodrain,
	       first);
	forget_log();
	free(wlog);
	free(base);
	free(cur);
	return unit_report();
}
