/* Honest clean/dirty state, judged by dumpe2fs: a file system clean at
 * mount is clean after unmount; one that was not clean at mount stays not
 * clean (as Linux), so that a boot-time e2fsck without -f still checks it;
 * damage found while mounted (here an inode the bitmap calls free but that
 * has links, as a power cut can leave) is refused with a line naming the
 * inode, named through the log callback once however often it is met, and
 * recorded in the superblock: the error state, the count, the first
 * error's inode and function. */
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

static int fd, logged;
static char last_line[200];

static void dev_log(void *ctx, const char *line)
{
	(void)ctx;
	logged++;
	snprintf(last_line, sizeof last_line, "%s", line);
}

static const char *img;

static int mount(struct ext2_fs *fs)
{
	char why[160];
	fd = open(img, O_RDWR);
	struct ext2_dev dev = { file_dev_read, file_dev_write, no_flush, fixed_now, &fd, 8u << 20, 0, dev_log, NULL };
	int r = ext2_mount_rw(fs, &dev, why, sizeof why);
	CHECK(r == 0, "mount_rw: %s", why);
	return r;
}

static void unmount(struct ext2_fs *fs)
{
	CHECK(ext2_unmount(fs) == 0, "unmount: %s", fs->why);
	close(fd);
}

/* dumpe2fs -h's line for FIELD is exactly WANT. */
static void field_is(const char *field, const char *want)
{
	sh("PATH=$PATH:/usr/sbin dumpe2fs -h %s 2>/dev/null | grep '^%s:' | sed 's/^[^:]*: *//'"
	   " | grep -qx '%s'", img, field, want);
}

int main(void)
{
	static char path[80];
	snprintf(path, sizeof path, "/tmp/test_ext2state.%d.img", (int)getpid());
	img = path;
	static struct ext2_fs fs;
	uint32_t ino;

	/* clean stays clean */
	sh("PATH=$PATH:/usr/sbin mke2fs -q -F -t ext2 -b 1024 %s 8M >/dev/null", img);
	if (mount(&fs) == 0) {
		CHECK(!fs.not_clean, "a new file system mounts clean");
		CHECK(ext2_create(&fs, EXT2_ROOT_INO, "a", 1, EXT2_S_IFREG | 0644, 0, 0, &ino) == 0, "create: %s",
		      fs.why);
		unmount(&fs);
		CHECK(!fs.not_clean, "and unmounts clean");
	}
	field_is("Filesystem state", "clean");

	/* not clean at mount: still not clean after a clean unmount */
	sh("PATH=$PATH:/usr/sbin debugfs -w -R 'ssv state 0' %s >/dev/null 2>&1", img);
	if (mount(&fs) == 0) {
		CHECK(fs.not_clean, "a file system not clean mounts not clean");
		unmount(&fs);
	}
	field_is("Filesystem state", "not clean");
	sh("PATH=$PATH:/usr/sbin e2fsck -fy %s >/dev/null 2>&1; PATH=$PATH:/usr/sbin e2fsck -fn %s >/dev/null 2>&1",
	   img, img);
	field_is("Filesystem state", "clean");

	/* damage: inode 12 (/a) has a link but its bitmap bit is cleared; the
	 * next file created is offered it, and the allocator refuses */
	sh("PATH=$PATH:/usr/sbin debugfs -w -R 'freei <12>' %s >/dev/null 2>&1", img);
	logged = 0;
	if (mount(&fs) == 0) {
		CHECK(!fs.not_clean, "mounted clean (the damage is not known yet)");
		for (int i = 0; i < 3; i++) {
			int r = ext2_create(&fs, EXT2_ROOT_INO, "b", 1, EXT2_S_IFREG | 0644, 0, 0, &ino);
			CHECK(r == -EXT2_EINVAL && strstr(fs.why, "inode 12"), "try %d: create refused naming inode 12: "
			      "%d (%s)", i, r, fs.why);
		}
		CHECK(logged == 1 && strstr(last_line, "marks inode 12 free, but it has 1 links"),
		      "the damage is named once (%d lines; last: %s)", logged, last_line);
		unmount(&fs);
		CHECK(fs.not_clean, "unmount says the file system is left not clean");
	}
	field_is("Filesystem state", "not clean with errors");
	field_is("FS Error count", "3");
	field_is("First error inode #", "12");
	field_is("First error function", "take_inode");
	unlink(img);
	return unit_report();
}
