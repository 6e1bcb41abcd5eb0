/* Path resolution in the ext2 core (ext2_resolve, lib/ext2/path.c) against
 * the host kernel's: a tree of directories, files and symlinks (relative,
 * absolute, through directories, dangling, in loops) is written by mke2fs -d
 * into an image; every path of a list is resolved by the core in the image
 * and by Linux in the source tree with openat2(RESOLVE_IN_ROOT), which takes
 * absolute targets and ".." within the tree as the file system server does.
 * Both must name the same file (each file and directory holds a distinct
 * tag) or fail with the same errno, with and without following a last
 * symlink, and when creating (O_CREAT, O_EXCL) in copies of the tree.  Then
 * what the host does not share: the core's limit of 8 symlinks. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "unit.h"
#include "ext2/ext2.h"
#include "ext2_testdev.h"
#include "rt/rt.h"

#ifndef O_PATH
#define O_PATH 010000000        /* Linux's; <fcntl.h> shows it only under _GNU_SOURCE */
#endif

static char tmp[64], src[96], img[96];

static void shell(const char *cmd)
{
	int st = system(cmd);
	if (st != 0) {
		printf("FAIL test_ext2path: '%s' exited with %d\n0 passed, 1 failed\n", cmd, st);
		exit(1);
	}
}

/* --- the image ------------------------------------------------------------------ */

static int fd_img;

static bool mount_img(struct ext2_fs *fs, const char *path)
{
	struct stat st;
	fd_img = open(path, O_RDWR);
	if (!CHECK(fd_img >= 0 && fstat(fd_img, &st) == 0, "%s opens", path))
		return false;
	struct ext2_dev dv = { file_dev_read, file_dev_write, no_flush, fixed_now, &fd_img, (uint64_t)st.st_size, 0, NULL, NULL };
	char why[160] = "";
	int r = ext2_mount_rw(fs, &dv, why, sizeof why);
	return CHECK(r == 0, "mount %s: %d (%s)", path, r, why);
}

/* The tag of what INO is: a file's first bytes, a directory's ".tag" file,
 * a symlink's target. */
static void core_tag(struct ext2_fs *fs, const struct ext2_inode *in, char *tag, size_t size)
{
	memset(tag, 0, size);
	unsigned type = in->mode & EXT2_S_IFMT;
	if (type == EXT2_S_IFLNK) {
		ext2_readlink(fs, in, tag, size - 1);
		return;
	}
	struct ext2_inode f = *in;
	if (type == EXT2_S_IFDIR) {
		uint32_t ino;
		if (ext2_lookup(fs, in, ".tag", 4, &ino) || ext2_read_inode(fs, ino, &f))
			return;
	}
	long n = ext2_read(fs, &f, 0, tag, size - 1);
	if (n < 0)
		tag[0] = 0;
}

/* The same on the host for the open descriptor FD (O_PATH). */
static void host_tag(int fd, char *tag, size_t size)
{
	memset(tag, 0, size);
	struct stat st;
	if (fstat(fd, &st) != 0)
		return;
	if (S_ISLNK(st.st_mode)) {
		if (readlinkat(fd, "", tag, size - 1) < 0)
			tag[0] = 0;
		return;
	}
	int f;
	if (S_ISDIR(st.st_mode)) {
		f = openat(fd, ".tag", O_RDONLY);
	} else {
		char proc[64];
		snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
		f = open(proc, O_RDONLY);
	}
	if (f < 0)
		return;
	if (read(f, tag, size - 1) < 0)
		tag[0] = 0;
	close(f);
}

/* Linux's answer for PATH from directory DIR of the tree ROOT: 0 and the
 * tag, or an errno value. */
static int host_resolve(const char *root, const char *dir, const char *path, unsigned flags,
                        char *tag, size_t size)
{
	int rfd = open(root, O_PATH | O_DIRECTORY);
	int dfd = openat(rfd, dir, O_PATH | O_DIRECTORY);
	struct open_how how = { .flags = O_PATH, .resolve = RESOLVE_IN_ROOT };
	if (flags & EXT2_PATH_CREAT)
		how = (struct open_how){ .flags = O_CREAT | O_WRONLY | ((flags & EXT2_PATH_EXCL) ? O_EXCL : 0),
		                         .mode = 0644, .resolve = RESOLVE_IN_ROOT };
	if (flags & EXT2_PATH_NOFOLLOW)
		how.flags |= O_NOFOLLOW;
	/* RESOLVE_IN_ROOT takes DFD as the root: resolve from ROOT with DIR
	 * prefixed, unless the path is absolute */
	char full[2048];
	if (path[0] == '/' || path[0] == 0 || strcmp(dir, ".") == 0)
		snprintf(full, sizeof full, "%s", path);
	else
		snprintf(full, sizeof full, "%s/%s", dir, path);
	int fd = (int)syscall(SYS_openat2, rfd, full, &how, sizeof how);
	int e = fd < 0 ? errno : 0;
	if (fd >= 0 && (flags & EXT2_PATH_CREAT)) {
		close(fd);
		how = (struct open_how){ .flags = O_PATH, .resolve = RESOLVE_IN_ROOT };
		fd = (int)syscall(SYS_openat2, rfd, full, &how, sizeof how);
	}
	if (fd >= 0) {
		host_tag(fd, tag, size);
		close(fd);
	}
	close(dfd);
	close(rfd);
	return e;
}

/* --- the tree ------------------------------------------------------------------- */

static void build_tree(void)
{
	char cmd[2048];
	snprintf(cmd, sizeof cmd,
		"set -e; rm -rf %s; mkdir -p %s; cd %s; "
		"echo -n root > .tag; mkdir -p a/b/c d e; echo -n a > a/.tag; echo -n b > a/b/.tag; "
		"echo -n c > a/b/c/.tag; echo -n d > d/.tag; echo -n e > e/.tag; "
		"echo -n file1 > a/f; echo -n file2 > a/b/g; echo -n file3 > a/b/c/h; echo -n top > t; "
		"ln -s f a/rel; ln -s /a/b/g a/abs; ln -s ../a a/up; ln -s b a/tob; ln -s /a/b/c d/toc; "
		"ln -s nothing a/dangling; ln -s /e/new e/tonew; ln -s loop2 a/loop1; ln -s loop1 a/loop2; "
		"ln -s . a/self; ln -s /../../a/f a/above; ln -s t a/tofile; ln -s ../t a/totop; "
		"ln -s /a/b/c/ a/slashed; "
		"ln -s l2 e/l1; ln -s l3 e/l2; ln -s l4 e/l3; ln -s l5 e/l4; ln -s l6 e/l5; "
		"ln -s l7 e/l6; ln -s l8 e/l7; ln -s l9 e/l8; ln -s /t e/l9",
		src, src, src);
	shell(cmd);
}

static const char *const paths[] = {
	"a", "a/", "a/f", "a/f/", "a/./f", "a/b/../f", "a/b/c/h", "a/b/c/../../f", "/a/f", "//a//b///g",
	".", "..", "/..", "/../a/f", "a/../../..", "a/rel", "a/abs", "a/up/f", "a/up/up/up/b/g",
	"a/tob/c/h", "d/toc/h", "d/toc/../g", "a/dangling", "a/loop1", "a/loop1/x", "a/self/self/f",
	"a/above", "a/tofile", "a/tofile/", "a/totop", "a/slashed", "a/slashed/h", "e/tonew", "nope",
	"a/nope/f", "a/f/x", "", "a/rel/", "e/l2", "e/l3",
	"a/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
};
static const char *const created[] = {
	"new", "a/new", "a/b/../new2", "/d/new3", "a/f", "a/dangling", "e/tonew", "a/up/new4", "a/new5/",
	"nope/x", "a/f/x", "a/rel",
};

/* Resolves PATH from DIR in the image and in TREE; compares. */
static void compare(struct ext2_fs *fs, const char *tree, const char *dir, const char *path, unsigned flags)
{
	char want[128], got[128] = "";
	int e = host_resolve(tree, dir, path, flags, want, sizeof want);
	struct ext2_inode d, in;
	uint32_t dino = EXT2_ROOT_INO;
	if (strcmp(dir, ".") != 0) {
		int r = ext2_resolve(fs, EXT2_ROOT_INO, dir, 0, 0, &d);
		if (!CHECK(r == 0, "the start directory %s: %d", dir, r))
			return;
		dino = d.ino;
	}
	int r = ext2_resolve(fs, dino, path, flags, 0644, &in);
	if (r == 0)
		core_tag(fs, &in, got, sizeof got);
	CHECK(r == -e && (r != 0 || strcmp(got, want) == 0),
	      "'%.40s' from %s (flags %u): core %d '%s', Linux %d '%s'", path, dir, flags, r, got, -e, want);
}

int main(void)
{
	snprintf(tmp, sizeof tmp, "/tmp/test_ext2path.%d", (int)getpid());
	snprintf(src, sizeof src, "%s/src", tmp);
	snprintf(img, sizeof img, "%s/fs.img", tmp);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "mkdir -p %s", tmp);
	shell(cmd);
	build_tree();
	snprintf(cmd, sizeof cmd, "mke2fs -q -F -t ext2 -d %s %s 8M >/dev/null 2>&1", src, img);
	shell(cmd);

	struct ext2_fs fs;
	if (!mount_img(&fs, img))
		return unit_report();
	static const char *const dirs[] = { ".", "a", "a/b/c" };
	for (unsigned d = 0; d < 3; d++)
		for (unsigned i = 0; i < sizeof paths / sizeof paths[0]; i++) {
			compare(&fs, src, dirs[d], paths[i], 0);
			compare(&fs, src, dirs[d], paths[i], EXT2_PATH_NOFOLLOW);
		}
	/* creating: each in the image and in the tree, which then agree */
	for (unsigned i = 0; i < sizeof created / sizeof created[0]; i++) {
		compare(&fs, src, ".", created[i], EXT2_PATH_CREAT | EXT2_PATH_EXCL);
		compare(&fs, src, ".", created[i], EXT2_PATH_CREAT);
		compare(&fs, src, ".", created[i], 0);
	}

	/* the core's own limit: 8 symlinks in a row resolve, 9 do not */
	struct ext2_inode in;
	char tag[64];
	int r = ext2_resolve(&fs, EXT2_ROOT_INO, "e/l2", 0, 0, &in);
	core_tag(&fs, &in, tag, sizeof tag);
	CHECK(r == 0 && strcmp(tag, "top") == 0, "8 symlinks: %d '%s'", r, tag);
	r = ext2_resolve(&fs, EXT2_ROOT_INO, "e/l1", 0, 0, &in);
	CHECK(r == -EXT2_ELOOP, "9 symlinks: %d", r);

	CHECK(ext2_unmount(&fs) == 0, "unmount: %s", fs.why);
	close(fd_img);
	snprintf(cmd, sizeof cmd, "e2fsck -fn %s >/dev/null 2>&1", img);
	CHECK(system(cmd) == 0, "e2fsck -fn finds the image with the files created clean");
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
	shell(cmd);
	return unit_report();
}
