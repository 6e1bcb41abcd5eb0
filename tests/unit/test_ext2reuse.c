/* A block freed since the last sync is not handed out again before the
 * sync has written its freeing: found by bench/powercut.sh on plain ext2,
 * where a cut left an inode whose indirect block held another file's data
 * ("Illegal block #12 (88427681) ... Too many illegal blocks").  File a is
 * written and synced; then a is removed and b written in its place, and
 * synced.  A disk double records each write of that second part; every
 * prefix of them is a possible power cut, and in each, once mounted as the
 * next boot would (replaying the journal): while the disk still names a
 * with a link, a reads back exactly as written (its blocks were not b's
 * data yet), and e2fsck finds no illegal or shared blocks.
 * Before the fix, 8 of the 14 ext2 cuts found a holding b's data; with
 * blocks kept but inodes reused, one cut found the entry a naming b's new
 * inode.  The same for ext3 (the journal's transaction is the unit there),
 * also with the disk full but for a's blocks (the removal commits before
 * b's first change; before that commit point b found no free block), and
 * a plain ext2 disk full but for the blocks just freed still takes b
 * (ext2 syncs, then reuses them). */
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
#include "rt/rt.h"

#define BS 1024u
#define DISK (8u << 20)
#define FILE_BYTES (300u << 10)         /* 12 direct, one indirect, one double indirect */

static uint8_t *cur;

static int dev_write(void *ctx, uint64_t off, const void *buf, size_t n)
{
	(void)ctx;
	record_write(off, buf, n);
	memcpy(cur + off, buf, n);
	return 0;
}

/* The writes of a mount of a cut image (its replay): not recorded. */
static int scratch_write(void *ctx, uint64_t off, const void *buf, size_t n)
{
	memcpy((uint8_t *)ctx + off, buf, n);
	return 0;
}

static void write_file(struct ext2_fs *fs, const char *name, uint32_t seed)
{
	static uint8_t data[FILE_BYTES];
	uint32_t ino;
	unit_fill(data, sizeof data, seed);
	int r = ext2_create(fs, EXT2_ROOT_INO, name, strlen(name), EXT2_S_IFREG | 0644, 0, 0, &ino);
	for (size_t off = 0; !r && off < sizeof data; off += 4096)
		if (ext2_write(fs, ino, off, data + off, 4096) != 4096)
			r = -1;
	CHECK(r == 0, "writing %s: %s", name, fs->why);
}

/* Fills the rest of the disk: one file of every block left. */
static void fill_up(struct ext2_fs *fs, const char *what)
{
	static uint8_t blk[BS];
	uint32_t ino;
	int r = ext2_create(fs, EXT2_ROOT_INO, "fill", 4, EXT2_S_IFREG | 0644, 0, 0, &ino);
	for (uint64_t off = 0; r == 0; off += BS)
		if (ext2_write(fs, ino, off, blk, BS) != BS)
			r = 1;
	CHECK(strstr(fs->why, "no free block left"), "%s: the disk fills up (%s)", what, fs->why);
}

/* At a cut (IMG, mounted as the next boot would: replaying a journal):
 * a, while named with a link, reads back as written. */
static int a_intact(uint8_t *img, char *why, size_t size)
{
	static struct ext2_fs fs;
	static uint8_t want[FILE_BYTES], got[FILE_BYTES];
	struct ext2_dev dev = { mem_dev_read, scratch_write, no_flush, fixed_now, img, DISK, 0, NULL, NULL };
	struct ext2_inode root, a;
	uint32_t ino;
	char msg[160];
	if (ext2_mount_rw(&fs, &dev, msg, sizeof msg) != 0) {
		snprintf(why, size, "does not mount: %s", msg);
		return 0;
	}
	int ok = 1;
	if (ext2_read_inode(&fs, EXT2_ROOT_INO, &root) == 0 && ext2_lookup(&fs, &root, "a", 1, &ino) == 0
	    && ext2_read_inode(&fs, ino, &a) == 0 && a.links != 0) {
		/* (else a is gone, or its entry names a freed inode) */
		unit_fill(want, sizeof want, 1);
		long n = ext2_read(&fs, &a, 0, got, sizeof got);
		if (n != (long)sizeof got || memcmp(got, want, sizeof got) != 0) {
			snprintf(why, size, "a (inode %u, links %u) reads back %ld bytes, not as written", ino,
				 a.links, n);
			ok = 0;
		}
	}
	ext2_unmount(&fs);
	return ok;
}

/* e2fsck -fn finds no block owned twice or outside the disk. */
static int no_bad_blocks(const uint8_t *img, char *why, size_t size)
{
	char path[80], cmd[300], line[200] = "";
	snprintf(path, sizeof path, "/tmp/test_ext2reuse.%d.cut", (int)getpid());
	FILE *f = fopen(path, "w");
	if (!f || fwrite(img, 1, DISK, f) != DISK || fclose(f) != 0) {
		snprintf(why, size, "cannot write %s", path);
		return 0;
	}
	snprintf(cmd, sizeof cmd, "PATH=$PATH:/usr/sbin e2fsck -fn %s 2>&1 | grep -iE 'illegal|multiply-claimed' | head -1",
		 path);
	FILE *p = popen(cmd, "r");
	if (p && !fgets(line, sizeof line, p))
		line[0] = 0;
	if (p)
		pclose(p);
	unlink(path);
	snprintf(why, size, "e2fsck: %s", line);
	return line[0] == 0;
}

/* Makes an image of TYPE, writes a (and, if FULL, fills the disk) and
 * syncs, then records the removal of a and the writing of b; checks every
 * cut of that record. */
static void cuts(const char *type, bool full)
{
	char img[80], why[200];
	snprintf(img, sizeof img, "/tmp/test_ext2reuse.%d.img", (int)getpid());
	sh("rm -f %s; truncate -s %u %s && PATH=$PATH:/usr/sbin mke2fs -q -F -t %s -b %u %s >/dev/null",
	   img, DISK, img, type, BS, img);
	size_t size;
	uint8_t *made = host_map_image(img, &size);
	if (!CHECK(made && size == DISK, "reading %s", img))
		return;
	cur = malloc(DISK);
	memcpy(cur, made, DISK);
	host_unmap_image(made, size);
	unlink(img);

	struct ext2_dev dev = { mem_dev_read, dev_write, no_flush, fixed_now, cur, DISK, 0, NULL, NULL };
	static struct ext2_fs fs;
	if (!CHECK(ext2_mount_rw(&fs, &dev, why, sizeof why) == 0, "%s: mount_rw: %s", type, why))
		return;
	write_file(&fs, "a", 1);
	if (full)
		fill_up(&fs, type);
	CHECK(ext2_sync(&fs) == 0, "%s: sync: %s", type, fs.why);
	uint8_t *base = malloc(DISK);
	memcpy(base, cur, DISK);
	size_t first = nlog;
	CHECK(ext2_unlink(&fs, EXT2_ROOT_INO, "a", 1) == 0, "%s: unlink a: %s", type, fs.why);
	write_file(&fs, "b", 2);
	CHECK(ext2_sync(&fs) == 0, "%s: sync: %s", type, fs.why);
	CHECK(ext2_unmount(&fs) == 0, "%s: unmount: %s", type, fs.why);

	int bad_read = 0, bad_fsck = 0;
	char first_read[200] = "", first_fsck[200] = "";
	uint8_t *scratch = malloc(DISK);
	for (size_t k = first; k <= nlog; k++) {
		memcpy(scratch, base, DISK);
		if (!a_intact(scratch, why, sizeof why) && bad_read++ == 0)
			snprintf(first_read, sizeof first_read, "after write %zu: %s", k - first, why);
		if (!no_bad_blocks(scratch, why, sizeof why) && bad_fsck++ == 0)
			snprintf(first_fsck, sizeof first_fsck, "after write %zu: %s", k - first, why);
		if (k < nlog)
			memcpy(base + wlog[k].off, wlog[k].data, wlog[k].n);
	}
	printf("%s%s: %zu cuts, a overwritten at %d, e2fsck finds bad blocks at %d\n", type, full ? " full" : "", nlog - first + 1,
	       bad_read, bad_fsck);
	CHECK(bad_read == 0, "%s: %d cuts find a, still linked, holding other data; the first %s", type, bad_read,
	      first_read);
	CHECK(bad_fsck == 0, "%s: %d cuts have illegal or shared blocks; the first %s", type, bad_fsck, first_fsck);
	CHECK(nlog - first > 10, "%s: the second part writes (%zu writes)", type, nlog - first);
	for (size_t i = 0; i < nlog; i++)
		free(wlog[i].data);
	nlog = 0;
	free(scratch);
	free(base);
	free(cur);
}

/* Plain ext2 with no free block left but those a just gave back: b still
 * fits (ext2 syncs in the middle of the write, then hands them out). */
static void full_disk(void)
{
	char img[80], why[200];
	snprintf(img, sizeof img, "/tmp/test_ext2reuse.%d.img", (int)getpid());
	sh("rm -f %s; truncate -s %u %s && PATH=$PATH:/usr/sbin mke2fs -q -F -t ext2 -m 0 -b %u %s >/dev/null",
	   img, DISK, img, BS, img);
	size_t size;
	uint8_t *made = host_map_image(img, &size);
	if (!CHECK(made && size == DISK, "reading %s", img))
		return;
	cur = malloc(DISK);
	memcpy(cur, made, DISK);
	host_unmap_image(made, size);
	struct ext2_dev dev = { mem_dev_read, dev_write, no_flush, fixed_now, cur, DISK, 0, NULL, NULL };
	static struct ext2_fs fs;
	if (!CHECK(ext2_mount_rw(&fs, &dev, why, sizeof why) == 0, "full: mount_rw: %s", why))
		return;
	write_file(&fs, "a", 1);
	fill_up(&fs, "full");
	CHECK(ext2_sync(&fs) == 0, "full: sync: %s", fs.why);
	CHECK(ext2_unlink(&fs, EXT2_ROOT_INO, "a", 1) == 0, "full: unlink a: %s", fs.why);
	write_file(&fs, "b", 2);
	CHECK(ext2_unmount(&fs) == 0, "full: unmount: %s", fs.why);
	FILE *f = fopen(img, "w");
	CHECK(f && fwrite(cur, 1, DISK, f) == DISK && fclose(f) == 0, "writing %s", img);
	sh("PATH=$PATH:/usr/sbin e2fsck -fn %s >/dev/null 2>&1", img);
	unlink(img);
	for (size_t i = 0; i < nlog; i++)
		free(wlog[i].data);
	nlog = 0;
	free(cur);
}

int main(void)
{
	cuts("ext2", false);
	cuts("ext3", false);
	cuts("ext3", true);
	full_disk();
	return unit_report();
}
