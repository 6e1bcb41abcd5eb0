/* The lazy checkpoint of the journal (journal.c): after a sync the log
 * keeps its transactions and the journal superblock points at the oldest,
 * so a cut replays them all.  A directory's blocks are logged (sync 1),
 * the directory is removed (sync 2) and a new file takes its blocks as
 * data (sync 3): replaying sync 1's copies over that data is what the
 * revoke records of sync 2 prevent.  A disk double records every write
 * and every flush.  A cut is any prefix of the writes, and also, since a
 * disk may put the writes between two flushes on the platter in any
 * order, any prefix of the writes since the last flush taken in reverse
 * order after all those before that flush.  At every cut the next mount
 * replays, e2fsck -fn then finds nothing (and e2fsprogs' own replay,
 * every fifth cut, agrees), and once sync 3 has returned the new file
 * reads back as written.
 *
 * Then many revokes: with a large journal (a quarter of its ring is more
 * logged blocks than replay keeps revokes for), thousands of directories
 * are made and synced and then removed; at the end, with no unmount, the
 * next mount must replay (journal.c empties the log before the blocks it
 * could revoke pass replay's limit), and e2fsck agrees. */
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
#define NNAMES 90
#define BIG (300u * 1024)

static bool recording;
static size_t flushes[64], nflushes;

static int dev_write(void *ctx, uint64_t off, const void *buf, size_t n)
{
	if (recording)
		record_write(off, buf, n);
	memcpy((uint8_t *)ctx + off, buf, n);
	return 0;
}

static int dev_flush(void *ctx)
{
	(void)ctx;
	if (recording && nflushes < 64 && (nflushes == 0 || flushes[nflushes - 1] != nlog))
		flushes[nflushes++] = nlog;
	return 0;
}

static uint8_t big[BIG];
static size_t big_synced;       /* the write count at which sync 3 returned */

static void name_of(char *name, size_t size, int i)
{
	snprintf(name, size, "a-rather-long-name-for-entry-%03d", i);
}

/* The directory /r of NNAMES entries: the blocks it had, now free. */
static uint32_t dir_blocks[16], ndir_blocks;

static char path[80];

/* The blocks of NAME on the disk IMG as e2fsprogs sees it (its replay
 * first, on a copy): debugfs's "blocks". */
static uint32_t blocks_of(const uint8_t *img, const char *name, uint32_t *out, uint32_t max)
{
	FILE *f = fopen(path, "w");
	CHECK(f && fwrite(img, 1, DISK, f) == DISK && fclose(f) == 0, "writing %s", path);
	sh("PATH=$PATH:/usr/sbin; e2fsck -E journal_only -y %s >/dev/null 2>&1", path);
	char cmd[200];
	snprintf(cmd, sizeof cmd, "PATH=$PATH:/usr/sbin debugfs -R 'blocks %s' %s 2>/dev/null", name, path);
	FILE *p = popen(cmd, "r");
	uint32_t n = 0;
	unsigned b;
	while (p && n < max && fscanf(p, "%u", &b) == 1)
		out[n++] = b;
	if (p)
		pclose(p);
	return n;
}

static void workload(struct ext2_fs *fs, const uint8_t *img)
{
	uint32_t r, ino;
	CHECK(ext2_mkdir(fs, EXT2_ROOT_INO, "r", 1, 0755, 0, 0, &r) == 0, "mkdir: %s", fs->why);
	for (int i = 0; i < NNAMES; i++) {
		char name[48];
		name_of(name, sizeof name, i);
		CHECK(ext2_create(fs, r, name, strlen(name), EXT2_S_IFREG | 0644, 0, 0, &ino) == 0, "create %s: %s",
		      name, fs->why);
	}
	CHECK(ext2_sync(fs) == 0, "sync 1: %s", fs->why);
	ndir_blocks = blocks_of(img, "/r", dir_blocks, 16);
	for (int i = 0; i < NNAMES; i++) {
		char name[48];
		name_of(name, sizeof name, i);
		CHECK(ext2_unlink(fs, r, name, strlen(name)) == 0, "unlink %s: %s", name, fs->why);
	}
	CHECK(ext2_rmdir(fs, EXT2_ROOT_INO, "r", 1) == 0, "rmdir: %s", fs->why);
	CHECK(ext2_sync(fs) == 0, "sync 2: %s", fs->why);
	unit_fill(big, BIG, 77);
	CHECK(ext2_create(fs, EXT2_ROOT_INO, "big", 3, EXT2_S_IFREG | 0644, 0, 0, &ino) == 0
	      && ext2_write(fs, ino, 0, big, BIG) == (long)BIG, "writing big: %s", fs->why);
	CHECK(ext2_sync(fs) == 0, "sync 3: %s", fs->why);
	big_synced = nlog;
	/* the point of the test: big's data lies where /r's entries were */
	static uint32_t bigb[BIG / BS + 8];
	uint32_t n = blocks_of(img, "/big", bigb, BIG / BS + 8), reused = 0;
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t k = 0; k < ndir_blocks; k++)
			reused += bigb[i] == dir_blocks[k];
	CHECK(ndir_blocks >= 2 && reused >= 1, "big reuses %u of the %u blocks /r had", reused, ndir_blocks);
}

/* One cut: mounted as the next boot would, e2fsck finds nothing; after
 * sync 3, big reads back as written.  E2FSPROGS: replayed by e2fsck
 * first instead. */
static void check_cut(uint8_t *img, const char *path, const char *what, bool after3, bool e2fsprogs)
{
	static struct ext2_fs fs;
	static uint8_t got[BIG];
	char why[160];
	FILE *f;
	if (e2fsprogs) {
		f = fopen(path, "w");
		CHECK(f && fwrite(img, 1, DISK, f) == DISK && fclose(f) == 0, "writing %s", path);
		CHECK(sh("PATH=$PATH:/usr/sbin; e2fsck -E journal_only -y %s >/dev/null 2>&1; e2fsck -fn %s >/dev/null 2>&1",
		         path, path), "%s: e2fsck's replay, then e2fsck -fn finds nothing", what);
	}
	struct ext2_dev d = { mem_dev_read, dev_write, no_flush, fixed_now, img, DISK, 0, NULL, NULL };
	if (!CHECK(ext2_mount_rw(&fs, &d, why, sizeof why) == 0, "%s: mounts: %s", what, why))
		return;
	CHECK(!fs.not_clean, "%s: clean after the replay", what);
	CHECK(ext2_unmount(&fs) == 0, "%s: unmount: %s", what, fs.why);
	if (after3) {
		CHECK(ext2_mount(&fs, mem_dev_read, img, DISK, why, sizeof why) == 0, "%s: mounts read-only", what);
		struct ext2_inode root, in;
		uint32_t ino;
		CHECK(ext2_read_inode(&fs, EXT2_ROOT_INO, &root) == 0 && ext2_lookup(&fs, &root, "big", 3, &ino) == 0
		      && ext2_read_inode(&fs, ino, &in) == 0 && in.size == BIG
		      && ext2_read(&fs, &in, 0, got, BIG) == (long)BIG && memcmp(got, big, BIG) == 0,
		      "%s: big, synced, reads back as written", what);
	}
	f = fopen(path, "w");
	CHECK(f && fwrite(img, 1, DISK, f) == DISK && fclose(f) == 0, "writing %s", path);
	CHECK(sh("PATH=$PATH:/usr/sbin e2fsck -fn %s >/dev/null 2>&1", path), "%s: e2fsck -fn finds nothing", what);
}

#define BIG_DISK (160u << 20)
#define NDIRS 4500

static void dir_name(char *name, size_t size, int i)
{
	snprintf(name, size, "d%d", i);
}

static void many_revokes(void)
{
	uint8_t *disk = calloc(1, BIG_DISK);
	FILE *f = fopen(path, "w");
	CHECK(f && fwrite(disk, 1, BIG_DISK, f) == BIG_DISK && fclose(f) == 0, "writing %s", path);
	sh("PATH=$PATH:/usr/sbin mke2fs -q -F -t ext3 -b %u -J size=64 -N 12000 %s >/dev/null", BS, path);
	f = fopen(path, "r");
	CHECK(f && fread(disk, 1, BIG_DISK, f) == BIG_DISK && fclose(f) == 0, "reading %s", path);
	struct ext2_dev dev = { mem_dev_read, dev_write, dev_flush, fixed_now, disk, BIG_DISK, 256 * BS, NULL, NULL };
	static struct ext2_fs fs;
	char why[160], name[16];
	if (!CHECK(ext2_mount_rw(&fs, &dev, why, sizeof why) == 0, "big journal: mount_rw: %s", why))
		return;
	uint32_t d[NDIRS], ino;
	int bad = 0;
	/* each directory made, then changed in a later transaction (its
	 * block logged), then removed with what it holds (revoked) */
	for (int i = 0; i < NDIRS; i++) {
		dir_name(name, sizeof name, i);
		bad += ext2_mkdir(&fs, EXT2_ROOT_INO, name, strlen(name), 0755, 0, 0, &d[i]) != 0;
	}
	bad += ext2_sync(&fs) != 0;
	for (int i = 0; i < NDIRS; i++)
		bad += ext2_create(&fs, d[i], "f", 1, EXT2_S_IFREG | 0644, 0, 0, &ino) != 0 || (i % 500 == 499 && ext2_sync(&fs));
	bad += ext2_sync(&fs) != 0;
	for (int i = 0; i < NDIRS; i++) {
		dir_name(name, sizeof name, i);
		bad += ext2_unlink(&fs, d[i], "f", 1) != 0 || ext2_rmdir(&fs, EXT2_ROOT_INO, name, strlen(name)) != 0
		       || (i % 500 == 499 && ext2_sync(&fs));
	}
	bad += ext2_sync(&fs) != 0;
	CHECK(bad == 0, "big journal: %d directories made, changed and removed, synced (%d failed: %s)", NDIRS, bad, fs.why);
	/* the cut: no unmount; the next boot */
	static struct ext2_fs fs2;
	if (CHECK(ext2_mount_rw(&fs2, &dev, why, sizeof why) == 0, "big journal: the next mount replays: %s", why)) {
		printf("big journal: %u transactions replayed\n", fs2.replayed);
		CHECK(ext2_unmount(&fs2) == 0, "big journal: unmount: %s", fs2.why);
	}
	f = fopen(path, "w");
	CHECK(f && fwrite(disk, 1, BIG_DISK, f) == BIG_DISK && fclose(f) == 0, "writing %s", path);
	CHECK(sh("PATH=$PATH:/usr/sbin e2fsck -fn %s >/dev/null 2>&1", path), "big journal: e2fsck -fn finds nothing");
	free(disk);
}

int main(void)
{
	snprintf(path, sizeof path, "/tmp/test_ext2revoke.%d.img", (int)getpid());
	uint8_t *base = malloc(DISK), *img = malloc(DISK);
	for (uint32_t b = 0; b < DISK / BS; b++)
		for (uint32_t i = 0; i < BS / 4; i++)
			put_le32(base + (size_t)b * BS + 4 * i, 0x0eed0eedu ^ (b * 2654435761u + i));
	mkfs_over(path, base, DISK, BS, "ext3");
	memcpy(img, base, DISK);

	struct ext2_dev dev = { mem_dev_read, dev_write, dev_flush, fixed_now, img, DISK, 256 * BS, NULL, NULL };
	static struct ext2_fs fs;
	char why[160];
	recording = true;
	if (!CHECK(ext2_mount_rw(&fs, &dev, why, sizeof why) == 0, "mount_rw: %s", why))
		return unit_report();
	workload(&fs, img);
	recording = false;
	/* no unmount: its checkpoint would end the story; the last cut is
	 * the disk as sync 3 left it, the log still full */
	printf("%zu writes recorded, %zu flushes; sync 3 returned at write %zu\n", nlog, nflushes, big_synced);

	/* cuts in order */
	size_t ncuts = 0;
	for (size_t k = 0; k <= nlog; k++) {
		memcpy(img, base, DISK);
		for (size_t i = 0; i < k; i++)
			memcpy(img + wlog[i].off, wlog[i].data, wlog[i].n);
		char what[64];
		snprintf(what, sizeof what, "cut after write %zu", k);
		check_cut(img, path, what, k >= big_synced, k % 5 == 2);
		ncuts++;
	}
	/* each flush interval's writes landing last-first */
	for (size_t e = 0; e <= nflushes; e++) {
		size_t lo = e ? flushes[e - 1] : 0, hi = e < nflushes ? flushes[e] : nlog;
		for (size_t k = 1; k + 1 <= hi - lo; k++) {
			memcpy(img, base, DISK);
			for (size_t i = 0; i < lo; i++)
				memcpy(img + wlog[i].off, wlog[i].data, wlog[i].n);
			for (size_t i = hi - k; i < hi; i++)
				memcpy(img + wlog[i].off, wlog[i].data, wlog[i].n);
			char what[80];
			snprintf(what, sizeof what, "writes %zu..%zu of %zu..%zu", hi - k, hi - 1, lo, hi - 1);
			check_cut(img, path, what, lo >= big_synced, false);
			ncuts++;
		}
	}
	printf("%zu cuts\n", ncuts);
	many_revokes();
	unlink(path);
	free(base);
	free(img);
	return unit_report();
}
