/* Journal replay at mount, on ext3 images made by mke2fs -t ext3 whose
 * journal e2fsprogs' debugfs left needing recovery (jo, jw, jc: one
 * transaction per jw): T1 logs free blocks 6000-6001, T2 block 6002, T3
 * revokes 6002, T4 logs 6003, and T5 logs 6004 but its commit block is
 * wiped (a cut before the commit).  Our replay must write 6000, 6001 and
 * 6003 as logged, leave 6002 (revoked) and 6004 (uncommitted) alone, empty the journal and
 * clear needs_recovery, and agree block for block with e2fsck's own replay
 * (-E journal_only); e2fsck -fn then finds nothing.  A damaged journal
 * (no magic, a feature we do not implement, a tag naming a block outside
 * the fs) is refused by name and nothing on the disk changes. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"
#include "ext2_testdev.h"
#include "ext2/ext2.h"
#include "rt/rt.h"

#define BS 1024u
#define DISK (8u << 20)

static int fd;
static char dir[64];

/* Mounts IMG read-write: 0, or the error with the reason in WHY. */
static int mount_img(const char *img, struct ext2_fs *fs, char *why, size_t n)
{
	fd = open(img, O_RDWR);
	struct ext2_dev dev = { file_dev_read, file_dev_write, no_flush, fixed_now, &fd, DISK, 0, NULL, NULL };
	int r = ext2_mount_rw(fs, &dev, why, n);
	if (r)
		close(fd);
	return r;
}

static void done(struct ext2_fs *fs)
{
	CHECK(ext2_unmount(fs) == 0, "unmount: %s", fs->why);
	close(fd);
}

/* The fs block of block N of the journal (inode 8), by debugfs. */
static uint32_t jblock(const char *img, uint32_t n)
{
	char cmd[256];
	unsigned b = 0;
	snprintf(cmd, sizeof cmd, "PATH=$PATH:/usr/sbin debugfs -R 'bmap <8> %u' %s 2>/dev/null", n, img);
	FILE *p = popen(cmd, "r");
	if (!p || fscanf(p, "%u", &b) != 1)
		b = 0;
	if (p)
		pclose(p);
	return b;
}

static void poke(const char *img, uint64_t off, const void *bytes, size_t n)
{
	int f = open(img, O_RDWR);
	CHECK(f >= 0 && pwrite(f, bytes, n, (off_t)off) == (ssize_t)n, "changing %s", img);
	close(f);
}

/* Refused naming WANT, and the image unchanged. */
static void refused(const char *name, const char *want)
{
	static struct ext2_fs fs;
	char why[160] = "";
	int r = mount_img(name, &fs, why, sizeof why);
	CHECK(r < 0 && strstr(why, want), "%s: refused naming '%s': %d (%s)", name, want, r, why);
	if (r == 0)
		done(&fs);
	sh("cmp -s %s %s.before", name, name);
}

int main(void)
{
	char img[96], ref[96], bad[96];
	snprintf(dir, sizeof dir, "/tmp/test_ext2replay.%d", (int)getpid());
	snprintf(img, sizeof img, "%s/ours.img", dir);
	snprintf(ref, sizeof ref, "%s/e2fsck.img", dir);
	sh("rm -rf %s && mkdir -p %s", dir, dir);
	sh("head -c 2048 /dev/urandom > %s/t1 && head -c 1024 /dev/urandom > %s/t2 && "
	   "head -c 1024 /dev/urandom > %s/t4 && head -c 1024 /dev/urandom > %s/t5", dir, dir, dir, dir);
	sh("PATH=$PATH:/usr/sbin mke2fs -q -F -t ext3 -b %u -E nodiscard %s 8M >/dev/null", BS, img);
	sh("printf 'jo\\njw -b 6000,6001 %s/t1\\njw -b 6002 %s/t2\\njw -r 6002\\njw -b 6003 %s/t4\\njw -b 6004 %s/t5\\njc\\n'"
	   " > %s/cmds && PATH=$PATH:/usr/sbin debugfs -w -f %s/cmds %s >/dev/null 2>&1", dir, dir, dir, dir, dir, dir, img);
	sh("PATH=$PATH:/usr/sbin dumpe2fs -h %s 2>/dev/null | grep -q needs_recovery", img);
	/* the journal: T1 at 1-4 (descriptor, 2 blocks, commit), T2 5-7, T3 8-9,
	 * T4 10-12, T5 13-15: wipe T5's commit */
	uint32_t commit5 = jblock(img, 15);
	static uint8_t zero[BS];
	CHECK(commit5 > 0, "finding T5's commit block");
	poke(img, (uint64_t)commit5 * BS, zero, BS);
	sh("PATH=$PATH:/usr/sbin debugfs -R logdump %s 2>/dev/null | grep -q 'sequence 5, type 1'", img);
	sh("cp %s %s && cp %s %s/orig.img", img, ref, img, dir);

	/* damaged journals, refused by name with nothing written */
	uint32_t jsb = jblock(img, 0), desc1 = jblock(img, 1);
	snprintf(bad, sizeof bad, "%s/nomagic.img", dir);
	sh("cp %s %s && cp %s %s.before", img, bad, img, bad);
	poke(bad, (uint64_t)jsb * BS, zero, 4);
	sh("cp %s %s.before", bad, bad);
	refused(bad, "no journal superblock");
	snprintf(bad, sizeof bad, "%s/csum.img", dir);
	sh("cp %s %s", img, bad);
	poke(bad, (uint64_t)jsb * BS + 0x2b, "\x10", 1);
	sh("cp %s %s.before", bad, bad);
	refused(bad, "journal feature csum_v3");
	snprintf(bad, sizeof bad, "%s/tag.img", dir);
	sh("cp %s %s", img, bad);
	poke(bad, (uint64_t)desc1 * BS + 12, "\x7f\xff\xff\xff", 4);
	sh("cp %s %s.before", bad, bad);
	refused(bad, "outside the fs");

	/* ours, then e2fsck's, the same blocks */
	static struct ext2_fs fs;
	char why[160];
	if (CHECK(mount_img(img, &fs, why, sizeof why) == 0, "mount with replay: %s", why)) {
		CHECK(fs.replayed == 4, "4 committed transactions replayed (%u)", fs.replayed);
		uint32_t ino;
		CHECK(ext2_create(&fs, EXT2_ROOT_INO, "after", 5, EXT2_S_IFREG | 0644, 0, 0, &ino) == 0
		      && ext2_write(&fs, ino, 0, "written after the replay\n", 25) == 25, "a file after: %s", fs.why);
		done(&fs);
	}
	sh("PATH=$PATH:/usr/sbin e2fsck -fn %s >/dev/null 2>&1", img);
	sh("PATH=$PATH:/usr/sbin dumpe2fs -h %s 2>/dev/null | grep -q '^Journal start: *0$'", img);
	sh("! PATH=$PATH:/usr/sbin dumpe2fs -h %s 2>/dev/null | grep -q needs_recovery", img);
	sh("PATH=$PATH:/usr/sbin debugfs -R 'cat /after' %s 2>/dev/null | grep -qx 'written after the replay'", img);
	sh("PATH=$PATH:/usr/sbin e2fsck -E journal_only -y %s >/dev/null 2>&1; true", ref);
	sh("dd if=%s bs=1024 skip=6000 count=2 2>/dev/null | cmp -s - %s/t1", img, dir);
	sh("dd if=%s bs=1024 skip=6003 count=1 2>/dev/null | cmp -s - %s/t4", img, dir);
	sh("dd if=%s bs=1024 skip=6002 count=1 2>/dev/null | cmp -s - %s/t2 && exit 1 || true", img, dir);
	sh("dd if=%s bs=1024 skip=6000 count=5 2>/dev/null > %s/ours.blk && "
	   "dd if=%s bs=1024 skip=6000 count=5 2>/dev/null | cmp -s - %s/ours.blk", img, dir, ref, dir);
	sh("dd if=%s bs=1024 skip=6002 count=1 2>/dev/null > %s/6002 && dd if=%s/orig.img bs=1024 skip=6002 count=1"
	   " 2>/dev/null | cmp -s - %s/6002", img, dir, dir, dir);
	sh("dd if=%s bs=1024 skip=6004 count=1 2>/dev/null > %s/6004 && dd if=%s/orig.img bs=1024 skip=6004 count=1"
	   " 2>/dev/null | cmp -s - %s/6004", img, dir, dir, dir);
	/* the fuzzers' seed (tests/fuzz/mkjournal.py): a hand-made journal of
	 * 16 blocks, T1 logs block 100, T2 revokes 101 */
	snprintf(bad, sizeof bad, "%s/seed.img", dir);
	sh("truncate -s 128K %s && PATH=$PATH:/usr/sbin mke2fs -q -F -t ext2 -b 1024 -N 32 %s >/dev/null 2>&1 && "
	   "python3 tests/fuzz/mkjournal.py 100 > %s/j.bin && printf 'write %s/j.bin jnl\\nssv journal_inum 12\\n"
	   "feature has_journal needs_recovery\\n' | PATH=$PATH:/usr/sbin debugfs -w -f - %s >/dev/null 2>&1",
	   bad, bad, dir, dir, bad);
	fd = open(bad, O_RDWR);
	struct ext2_dev small = { file_dev_read, file_dev_write, no_flush, fixed_now, &fd, 128u << 10, 0, NULL, NULL };
	if (CHECK(ext2_mount_rw(&fs, &small, why, sizeof why) == 0, "the fuzz seed mounts: %s", why)) {
		CHECK(fs.replayed == 2, "the fuzz seed: 2 transactions replayed (%u)", fs.replayed);
		done(&fs);
	} else {
		close(fd);
	}
	sh("dd if=%s bs=1024 skip=100 count=1 2>/dev/null | grep -q 'replayed by the journal'", bad);
	if (!getenv("KEEP"))
		sh("rm -rf %s", dir);
	return unit_report();
}
