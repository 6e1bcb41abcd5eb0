/* A large file written in order on ext3, as cp writes it (64 KiB a call),
 * with a cache larger than the file, so that nothing is evicted: the data
 * must reach the disk while it is written (write-behind, a megabyte behind
 * the writer), not all at the next sync; that sync must write the rest and
 * the metadata in fewer requests than the file has indirect blocks (they
 * go out in place with the data, not one at a time through the log and
 * the checkpoint); read back in 1 MiB reads, each run of data brings the
 * indirect block after it (fewer requests than the file has runs and
 * indirect blocks); after unmount e2fsck -fn finds nothing and debugfs
 * reads the file back as written. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"
#include "ext2_testdev.h"
#include "ext2/ext2.h"
#include "rt/rt.h"

#define FILE_BYTES (8u << 20)
#define CALL (64u << 10)

static int fd;
static size_t written, requests;

static size_t reads;

static int dev_read(void *ctx, uint64_t off, void *buf, size_t n)
{
	reads++;
	return file_dev_read(ctx, off, buf, n);
}

static int dev_write(void *ctx, uint64_t off, const void *buf, size_t n)
{
	written += n;
	requests++;
	return file_dev_write(ctx, off, buf, n);
}

int main(void)
{
	char dir[64], img[80];
	snprintf(dir, sizeof dir, "/tmp/test_ext2behind.%d", (int)getpid());
	snprintf(img, sizeof img, "%s.img", dir);
	sh("rm -rf %s && mkdir -p %s", dir, dir);
	sh("PATH=$PATH:/usr/sbin mke2fs -q -F -t ext3 -b 1024 %s 32M >/dev/null", img);
	fd = open(img, O_RDWR);
	CHECK(fd >= 0, "opening %s", img);
	struct ext2_dev dev = { file_dev_read, dev_write, no_flush, fixed_now, &fd, 32u << 20,
	                        .cache_bytes = 16u << 20 };
	static struct ext2_fs fs;
	char why[160];
	if (!CHECK(ext2_mount_rw(&fs, &dev, why, sizeof why) == 0, "mount_rw: %s", why))
		return unit_report();
	static uint8_t data[FILE_BYTES];
	unit_fill(data, FILE_BYTES, 7);
	uint32_t ino;
	CHECK(ext2_create(&fs, EXT2_ROOT_INO, "big", 3, EXT2_S_IFREG | 0644, 0, 0, &ino) == 0, "create: %s", fs.why);
	written = requests = 0;
	int ok = 1;
	for (size_t off = 0; off < FILE_BYTES; off += CALL)
		ok &= ext2_write(&fs, ino, off, data + off, CALL) == (long)CALL;
	CHECK(ok, "writing 8 MiB: %s", fs.why);
	CHECK(written >= FILE_BYTES - (3u << 19), "written while writing: %zu KiB of 8192 (write-behind)", written >> 10);
	size_t before = written;
	written = requests = 0;
	CHECK(ext2_sync(&fs) == 0, "sync: %s", fs.why);
	CHECK(before + written >= FILE_BYTES, "all the data is on the disk after the sync");
	/* 8 MiB on 1 KiB blocks has 33 indirect blocks */
	CHECK(requests < 33, "the sync wrote %zu KiB in %zu requests", written >> 10, requests);
	CHECK(ext2_unmount(&fs) == 0, "unmount: %s", fs.why);

	/* read back in 1 MiB reads: each run of data reads the indirect block
	 * right after it in the same request */
	dev.read = dev_read;
	if (CHECK(ext2_mount_rw(&fs, &dev, why, sizeof why) == 0, "mount_rw again: %s", why)) {
		static uint8_t got[1u << 20];
		struct ext2_inode in;
		ok = ext2_read_inode(&fs, ino, &in) == 0;
		reads = 0;
		for (size_t off = 0; ok && off < FILE_BYTES; off += sizeof got)
			ok = ext2_read(&fs, &in, off, got, sizeof got) == (long)sizeof got
			     && memcmp(got, data + off, sizeof got) == 0;
		CHECK(ok, "the file reads back as written: %s", fs.why);
		CHECK(reads < 50, "8 MiB read in %zu requests", reads);
		CHECK(ext2_unmount(&fs) == 0, "unmount: %s", fs.why);
	}
	close(fd);
	char path[96];
	snprintf(path, sizeof path, "%s/big", dir);
	FILE *out = fopen(path, "w");
	CHECK(out && fwrite(data, 1, FILE_BYTES, out) == FILE_BYTES && fclose(out) == 0, "writing the oracle copy");
	sh("PATH=$PATH:/usr/sbin e2fsck -fn %s >/dev/null 2>&1", img);
	sh("PATH=$PATH:/usr/sbin debugfs -R 'cat /big' %s 2>/dev/null | cmp -s - %s", img, path);
	sh("rm -rf %s %s", dir, img);
	return unit_report();
}
