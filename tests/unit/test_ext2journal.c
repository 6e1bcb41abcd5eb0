/* Power cuts on an ext3 file system that ext2fs journals: a workload of
 * new files, directories, appends and removals with syncs between, on a
 * used disk (free blocks hold old data), its writes recorded.  Every
 * prefix of the writes is a power cut: the next mount must replay the
 * journal (and on every seventh cut e2fsck -E journal_only too, from the
 * same image), after which e2fsck -fn finds nothing, and every file synced
 * before the cut reads back exactly as written.  The journal must have
 * been used (transactions replayed at some cuts). */
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
#define NFILES 24

static bool recording;

static int dev_write(void *ctx, uint64_t off, const void *buf, size_t n)
{
	if (recording)
		record_write(off, buf, n);
	memcpy((uint8_t *)ctx + off, buf, n);
	return 0;
}

static size_t file_size(int i) { return (size_t)(i % 4) * 5000 + (i % 3) * 300 + 1; }

/* Files synced: after write SYNCED_AT[i] the first SYNCED_N[i] files are on the disk. */
static size_t synced_at[16], synced_n[16], nsyncs;

static void workload(struct ext2_fs *fs)
{
	static uint8_t data[32768];
	uint32_t d, ino;
	CHECK(ext2_mkdir(fs, EXT2_ROOT_INO, "d", 1, 0755, 0, 0, &d) == 0, "mkdir: %s", fs->why);
	for (int i = 0; i < NFILES; i++) {
		char name[32];
		snprintf(name, sizeof name, "file-%d", i);
		size_t n = file_size(i);
		unit_fill(data, n, (uint32_t)i);
		CHECK(ext2_create(fs, d, name, strlen(name), EXT2_S_IFREG | 0644, 0, 0, &ino) == 0
		      && ext2_write(fs, ino, 0, data, n) == (long)n, "writing %s: %s", name, fs->why);
		if (i % 3 == 2) {
			char tmp[32];
			snprintf(tmp, sizeof tmp, "tmp-%d", i);
			CHECK(ext2_create(fs, d, tmp, strlen(tmp), EXT2_S_IFREG | 0644, 0, 0, &ino) == 0
			      && ext2_write(fs, ino, 0, data, 9000) == 9000 && ext2_unlink(fs, d, tmp, strlen(tmp)) == 0,
			      "a file made and removed: %s", fs->why);
		}
		if (i % 6 == 5) {
			CHECK(ext2_sync(fs) == 0, "sync: %s", fs->why);
			synced_at[nsyncs] = nlog;
			synced_n[nsyncs++] = (size_t)i + 1;
		}
	}
}

/* After a cut at K and the next mount: files synced by then read back. */
static int check_files(uint8_t *img, size_t k)
{
	size_t n = 0;
	for (size_t s = 0; s < nsyncs; s++)
		if (synced_at[s] <= k)
			n = synced_n[s];
	static struct ext2_fs fs;
	static uint8_t want[32768], got[32768];
	char why[160];
	if (ext2_mount(&fs, mem_dev_read, img, DISK, why, sizeof why))
		return CHECK(0, "cut %zu: mounts read-only: %s", k, why);
	struct ext2_inode root, dir, in;
	uint32_t d, ino;
	if (n == 0)
		return 1;
	if (ext2_read_inode(&fs, EXT2_ROOT_INO, &root) || ext2_lookup(&fs, &root, "d", 1, &d)
	    || ext2_read_inode(&fs, d, &dir))
		return CHECK(0, "cut %zu: /d is there (%zu files synced)", k, n);
	for (size_t i = 0; i < n; i++) {
		char name[32];
		snprintf(name, sizeof name, "file-%zu", i);
		size_t size = file_size((int)i);
		unit_fill(want, size, (uint32_t)i);
		if (ext2_lookup(&fs, &dir, name, strlen(name), &ino) || ext2_read_inode(&fs, ino, &in)
		    || in.size != size || ext2_read(&fs, &in, 0, got, size) != (long)size || memcmp(got, want, size))
			return CHECK(0, "cut %zu: synced /d/%s reads back as written", k, name);
	}
	return 1;
}

int main(void)
{
	char img[80];
	snprintf(img, sizeof img, "/tmp/test_ext2journal.%d.img", (int)getpid());
	uint8_t *base = malloc(DISK), *cur = malloc(DISK), *cut = malloc(DISK);
	for (uint32_t b = 0; b < DISK / BS; b++)
		for (uint32_t i = 0; i < BS / 4; i++)
			put_le32(base + (size_t)b * BS + 4 * i, 0x01d0da7au ^ (b * 2654435761u + i));
	mkfs_over(img, base, DISK, BS, "ext3");
	sh("PATH=$PATH:/usr/sbin dumpe2fs -h %s 2>/dev/null | grep -q has_journal", img);
	memcpy(cur, base, DISK);

	struct ext2_dev dev = { mem_dev_read, dev_write, no_flush, fixed_now, cur, DISK, 48 * BS, NULL, NULL };
	static struct ext2_fs fs;
	char why[160];
	recording = true;
	if (!CHECK(ext2_mount_rw(&fs, &dev, why, sizeof why) == 0, "mount_rw: %s", why))
		return unit_report();
	workload(&fs);
	CHECK(ext2_unmount(&fs) == 0, "unmount: %s", fs.why);
	recording = false;
	printf("%zu writes recorded, %zu syncs\n", nlog, nsyncs);

	int bad_fsck = 0, replays = 0;
	memcpy(cut, base, DISK);
	for (size_t k = 0; k <= nlog; k++) {
		if (k > 0)
			memcpy(cut + wlog[k - 1].off, wlog[k - 1].data, wlog[k - 1].n);
		if (k % 7 == 3) {
			/* e2fsprogs replays what we wrote, to the same verdict */
			FILE *f = fopen(img, "w");
			CHECK(f && fwrite(cut, 1, DISK, f) == DISK && fclose(f) == 0, "writing %s", img);
			CHECK(sh("PATH=$PATH:/usr/sbin; e2fsck -E journal_only -y %s >/dev/null 2>&1; e2fsck -fn %s >/dev/null 2>&1",
			         img, img), "cut %zu: e2fsck's replay then e2fsck -fn finds nothing", k);
		}
		memcpy(cur, cut, DISK);
		struct ext2_dev d2 = { mem_dev_read, dev_write, no_flush, fixed_now, cur, DISK, 0, NULL, NULL };
		if (!CHECK(ext2_mount_rw(&fs, &d2, why, sizeof why) == 0, "cut after write %zu: mounts: %s", k, why))
			continue;
		replays += fs.replayed > 0;
		bool dirty = fs.not_clean;
		CHECK(ext2_unmount(&fs) == 0, "cut %zu: unmount: %s", k, fs.why);
		check_files(cur, k);
		FILE *f = fopen(img, "w");
		CHECK(f && fwrite(cur, 1, DISK, f) == DISK && fclose(f) == 0, "writing %s", img);
		char cmd[300];
		snprintf(cmd, sizeof cmd, "PATH=$PATH:/usr/sbin e2fsck -fn %s >/dev/null 2>&1", img);
		if (system(cmd) != 0 || dirty) {
			if (bad_fsck++ < 3) {
				printf("cut after write %zu (%s): e2fsck finds problems or the mount says not clean (%d)\n",
				       k, k ? "" : "start", dirty);
				snprintf(cmd, sizeof cmd, "PATH=$PATH:/usr/sbin e2fsck -fn %s 2>&1 | sed -n 2,6p", img);
				if (system(cmd)) {}
			}
		}
	}
	CHECK(bad_fsck == 0, "%d of %zu cuts not clean after the replay", bad_fsck, nlog + 1);
	CHECK(replays > 0, "cuts replayed transactions (%d)", replays);
	printf("%zu cuts: %d not clean, %d replayed transactions\n", nlog + 1, bad_fsck, replays);
	unlink(img);
	for (size_t i = 0; i < nlog; i++)
		free(wlog[i].data);
	free(wlog);
	free(base);
	free(cur);
	free(cut);
	return unit_report();
}
