/* The block cache under pressure: a small cache full of dirty blocks while a
 * big file nobody wrote is read sequentially, so that read-ahead has to
 * write dirty buffers back to make room as it installs what it read.  (It
 * once staged both in one buffer and handed out another block's bytes,
 * which showed in the guest as programs killed for corrupt text.)  Every
 * byte read must be the file's as the host wrote it, and after unmount
 * every small file must hold what was written, by debugfs.  A sync with
 * nothing new to write does not ask the disk to flush. */
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

#define BIG (3u << 20)
#define SMALL 48

static int fd, flushes;

static int dev_flush(void *ctx)
{
	(void)ctx;
	flushes++;
	return fsync(fd);
}

/* Reads the whole of /big in CHUNK pieces; returns the first wrong offset or -1. */
static long read_big(struct ext2_fs *fs, uint32_t ino, const uint8_t *want, size_t chunk)
{
	static uint8_t got[65536];
	struct ext2_inode in;
	if (ext2_read_inode(fs, ino, &in))
		return 0;
	for (size_t off = 0; off < BIG; off += chunk) {
		size_t want_n = BIG - off < chunk ? BIG - off : chunk;
		long n = ext2_read(fs, &in, off, got, chunk);
		if (n != (long)want_n)
			return (long)off;
		for (size_t i = 0; i < want_n; i++)
			if (got[i] != want[off + i])
				return (long)(off + i);
	}
	return -1;
}

static void run(unsigned block_size)
{
	char dir[64], img[80], cmd[256];
	snprintf(dir, sizeof dir, "/tmp/test_ext2cache.%d", (int)getpid());
	snprintf(img, sizeof img, "%s.img", dir);
	static uint8_t big[BIG];
	unit_fill(big, BIG, block_size);
	sh("rm -rf %s && mkdir -p %s", dir, dir);
	snprintf(cmd, sizeof cmd, "%s/big", dir);
	FILE *f = fopen(cmd, "w");
	CHECK(f && fwrite(big, 1, BIG, f) == BIG && fclose(f) == 0, "writing the source file");
	sh("PATH=$PATH:/usr/sbin mke2fs -q -F -t ext2 -b %u -d %s %s 16M >/dev/null", block_size, dir, img);
	fd = open(img, O_RDWR);
	CHECK(fd >= 0, "opening %s", img);

	struct ext2_dev dev = { file_dev_read, file_dev_write, dev_flush, fixed_now, &fd, 16u << 20,
	                        .cache_bytes = 64 * block_size };
	static struct ext2_fs fs;
	char why[160];
	int r = ext2_mount_rw(&fs, &dev, why, sizeof why);
	CHECK(r == 0, "%u-byte blocks: mount_rw: %s", block_size, why);
	if (r)
		return;
	struct ext2_inode root;
	uint32_t big_ino = 0;
	CHECK(ext2_read_inode(&fs, EXT2_ROOT_INO, &root) == 0
	      && ext2_lookup(&fs, &root, "big", 3, &big_ino) == 0, "finding /big");

	/* three rounds: fill the cache with dirty blocks, then stream /big */
	for (int round = 0; round < 3; round++) {
		for (unsigned i = 0; i < SMALL; i++) {
			char name[32], data[700];
			uint32_t ino;
			snprintf(name, sizeof name, "s%d-%u", round, i);
			memset(data, 'a' + i % 26, sizeof data);
			CHECK(ext2_create(&fs, EXT2_ROOT_INO, name, strlen(name), EXT2_S_IFREG | 0644, 0, 0, &ino) == 0
			      && ext2_write(&fs, ino, 0, data, sizeof data) == (long)sizeof data,
			      "round %d: writing /%s", round, name);
		}
		long bad = read_big(&fs, big_ino, big, round == 1 ? 4096 : 1000);
		CHECK(bad < 0, "%u-byte blocks, round %d: /big reads back as written (first wrong byte at %ld)",
		      block_size, round, bad);
	}
	/* a sync with nothing written since the last one asks the disk nothing */
	CHECK(ext2_sync(&fs) == 0, "sync: %s", fs.why);
	int before = flushes;
	CHECK(ext2_sync(&fs) == 0 && flushes == before, "an idle sync does not flush (%d flushes)", flushes - before);
	CHECK(ext2_unmount(&fs) == 0 && flushes == before + 1, "unmount: %s (%d flushes)", fs.why, flushes - before);
	close(fd);
	sh("PATH=$PATH:/usr/sbin e2fsck -fn %s >/dev/null 2>&1", img);
	sh("printf '%%700s' '' | tr ' ' h > %s/s2-7 && PATH=$PATH:/usr/sbin debugfs -R 'cat /s2-7' %s 2>/dev/null"
	   " | cmp -s - %s/s2-7", dir, img, dir);
	sh("PATH=$PATH:/usr/sbin debugfs -R 'cat /big' %s 2>/dev/null | cmp -s - %s/big", img, dir);
	sh("rm -rf %s %s", dir, img);
}

int main(void)
{
	run(1024);
	run(4096);
	return unit_report();
}
