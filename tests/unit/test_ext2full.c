/* A full disk gives a removed file's blocks to the very next change, with
 * no sync in between (`rm big; cp other new`), journalled or not.  A file
 * a and then a file "fill" take every block (ENOSPC), and that is synced;
 * then fill is removed and b, as large as fill was, written in 64 KiB
 * calls as cp writes: every call must take all it asks for.  Then a is
 * removed and c written in one call twice as large as a: that call takes
 * at least what a gave back and returns short, the next finds no block
 * left (ENOSPC), and nothing else is touched.  After unmount e2fsck -fn
 * finds nothing and debugfs reads b and c back as written.
 * On ext3, before the commit that now comes before a change when more
 * blocks wait for the running transaction than are free without them, b
 * found no free block at its first call. */
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
#define A_BYTES (300u << 10)            /* 12 direct, one indirect, one double indirect */
#define CALL (64u << 10)

static int fd;
static char dir[64], img[80];

/* Writes file NAME from DATA in calls of at most STEP bytes, each going on
 * from where the last one stopped, until SIZE bytes or an error (returned,
 * 0 when all went); *DONE: the bytes written. */
static long write_all(struct ext2_fs *fs, const char *name, const uint8_t *data, size_t size, size_t step,
                      size_t *done)
{
	uint32_t ino;
	long r = ext2_create(fs, EXT2_ROOT_INO, name, strlen(name), EXT2_S_IFREG | 0644, 0, 0, &ino);
	*done = 0;
	while (r >= 0 && *done < size) {
		size_t n = size - *done < step ? size - *done : step;
		r = ext2_write(fs, ino, *done, data + *done, n);
		if (r > 0)
			*done += (size_t)r;
	}
	return r < 0 ? r : 0;
}

/* The oracle copy of file NAME (the first SIZE bytes of DATA), and
 * debugfs reading NAME from the image the same. */
static void reads_back(const char *name, const uint8_t *data, size_t size)
{
	char path[96];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	CHECK(f && fwrite(data, 1, size, f) == size && fclose(f) == 0, "writing the oracle copy of %s", name);
	sh("PATH=$PATH:/usr/sbin debugfs -R 'cat /%s' %s 2>/dev/null | cmp -s - %s", name, img, path);
}

static void full(const char *type)
{
	snprintf(dir, sizeof dir, "/tmp/test_ext2full.%d", (int)getpid());
	snprintf(img, sizeof img, "%s.img", dir);
	sh("rm -rf %s %s && mkdir -p %s", dir, img, dir);
	sh("PATH=$PATH:/usr/sbin mke2fs -q -F -t %s -m 0 -b %u %s %uk >/dev/null", type, BS, img, DISK >> 10);
	fd = open(img, O_RDWR);
	CHECK(fd >= 0, "opening %s", img);
	struct ext2_dev dev = { file_dev_read, file_dev_write, no_flush, fixed_now, &fd, DISK, 0, NULL, NULL };
	static struct ext2_fs fs;
	char why[160];
	if (!CHECK(ext2_mount_rw(&fs, &dev, why, sizeof why) == 0, "%s: mount_rw: %s", type, why))
		return;
	static uint8_t a[A_BYTES], b[DISK], c[2 * A_BYTES];
	unit_fill(a, sizeof a, 1);
	unit_fill(b, sizeof b, 2);
	unit_fill(c, sizeof c, 3);
	size_t done, filled;
	CHECK(write_all(&fs, "a", a, sizeof a, CALL, &done) == 0, "%s: writing a: %s", type, fs.why);
	long r = write_all(&fs, "fill", b, sizeof b, BS, &filled);
	CHECK(r == -EXT2_ENOSPC && strstr(fs.why, "no free block left"), "%s: fill takes every block (%ld: %s)",
	      type, r, fs.why);
	CHECK(ext2_sync(&fs) == 0, "%s: sync: %s", type, fs.why);

	/* no sync from here on */
	CHECK(ext2_unlink(&fs, EXT2_ROOT_INO, "fill", 4) == 0, "%s: unlink fill: %s", type, fs.why);
	r = write_all(&fs, "b", b, filled, CALL, &done);
	CHECK(r == 0, "%s: b takes the %zu KiB fill gave back (%zu written, %ld: %s)", type, filled >> 10, done, r,
	      fs.why);
	CHECK(ext2_unlink(&fs, EXT2_ROOT_INO, "a", 1) == 0, "%s: unlink a: %s", type, fs.why);
	uint32_t ino;
	long first = -1, second = -1;
	if (CHECK(ext2_create(&fs, EXT2_ROOT_INO, "c", 1, EXT2_S_IFREG | 0644, 0, 0, &ino) == 0, "%s: create c: %s",
	          type, fs.why)) {
		first = ext2_write(&fs, ino, 0, c, sizeof c);
		second = first > 0 ? ext2_write(&fs, ino, (uint64_t)first, c + first, sizeof c - (size_t)first) : -1;
	}
	printf("%s: fill %zu KiB, b %zu KiB; c: one call of %u KiB took %ld KiB, the next %ld\n", type, filled >> 10,
	       done >> 10, (unsigned)(sizeof c >> 10), first >> 10, second);
	CHECK(first >= (long)A_BYTES && first < (long)sizeof c, "%s: c's call takes what a gave back (%ld bytes)", type,
	      first);
	CHECK(second == -EXT2_ENOSPC, "%s: the next call finds no block (%ld: %s)", type, second, fs.why);
	CHECK(ext2_unmount(&fs) == 0, "%s: unmount: %s", type, fs.why);
	close(fd);
	sh("PATH=$PATH:/usr/sbin e2fsck -fn %s >/dev/null 2>&1", img);
	reads_back("b", b, filled);
	reads_back("c", c, first > 0 ? (size_t)first : 0);
	sh("rm -rf %s %s", dir, img);
}

int main(void)
{
	full("ext2");
	full("ext3");
	return unit_report();
}
