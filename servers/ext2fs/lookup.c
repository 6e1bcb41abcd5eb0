/* Path lookup: components one by one from a directory, "." and "..", a
 * leading '/' and absolute symlink targets restarting at the root,
 * symlinks followed up to FS_SYMLINK_MAX times, and the last component
 * created, opened as a link, or required to be a directory as the flags
 * say.  Called with fs_lock held. */
#include "ext2fs.h"
#include "rt/rt.h"

/* a path with a symlink's target spliced in: the target (less than a block,
 * at most 4 KiB) and what is left of a path (less than FS_PATH_MAX) */
#define WORK_MAX (4096 + FS_PATH_MAX)

static int is_dir(const struct ext2_inode *in)
{
	return (in->mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
}

/* Replaces the path in WORK by the target of symlink LINK followed by
 * REST (which starts with '/' or is empty); returns 0 or a negative errno. */
static int splice(char *work, const struct ext2_inode *link, const char *rest)
{
	char *target = malloc(WORK_MAX);
	if (!target)
		return -FS_ENOMEM;
	long n = ext2_readlink(&fs, link, target, WORK_MAX - 1);
	int r = 0;
	if (n < 0)
		r = -core_errno((int)n, "reading a symlink");
	else if (n == 0)
		r = -FS_ENOENT;
	else if ((size_t)n + strlen(rest) >= WORK_MAX)
		r = -FS_ENAMETOOLONG;
	else {
		memmove(work + n, rest, strlen(rest) + 1);
		memcpy(work, target, (size_t)n);
	}
	free(target);
	return r;
}

static int resolve(char *work, uint32_t cur, unsigned flags, unsigned mode, struct ext2_inode *out)
{
	int links = 0;
	char *p = work;
	if (*p == 0)
		return -FS_ENOENT;
	if (*p == '/')
		cur = EXT2_ROOT_INO;
	for (;;) {
		while (*p == '/')
			p++;
		struct ext2_inode dir;
		int r = ext2_read_inode(&fs, cur, &dir);
		if (r)
			return -core_errno(r, "reading a directory's inode");
		if (*p == 0) {
			/* the path ends at a directory ("/", "a/", ".") */
			*out = dir;
			return 0;
		}
		if (!is_dir(&dir))
			return -FS_ENOTDIR;
		const char *name = p;
		size_t len = 0;
		while (p[len] && p[len] != '/')
			len++;
		p += len;
		const char *q = p;
		while (*q == '/')
			q++;
		int last = *q == 0, slash = *p == '/';
		if (len > EXT2_NAME_MAX)
			return -FS_ENAMETOOLONG;
		if (len == 1 && name[0] == '.')
			continue;

		uint32_t ino;
		r = ext2_lookup(&fs, &dir, name, len, &ino);
		if (r == -EXT2_ENOENT && last && (flags & FS_O_CREAT)) {
			if (slash)
				return -FS_EISDIR;       /* only a directory can end in '/' */
			if (!fs_writable)
				return -FS_EROFS;
			r = ext2_create(&fs, cur, name, len, (uint16_t)(EXT2_S_IFREG | mode), 0, 0, &ino);
			if (r)
				return -core_errno(r, "creating a file");
			r = ext2_read_inode(&fs, ino, out);
			return r ? -core_errno(r, "reading a new inode") : 0;
		}
		if (r)
			return -core_errno(r, "looking up a name");
		if (last && (flags & FS_O_CREAT) && (flags & FS_O_EXCL))
			return -FS_EEXIST;
		struct ext2_inode in;
		r = ext2_read_inode(&fs, ino, &in);
		if (r)
			return -core_errno(r, "reading an inode");
		if ((in.mode & EXT2_S_IFMT) == EXT2_S_IFLNK && (!last || slash || !(flags & FS_O_NOFOLLOW))) {
			if (++links > FS_SYMLINK_MAX)
				return -FS_ELOOP;
			/* the target then what is left; an absolute target
			 * starts again at the root */
			r = splice(work, &in, p);
			if (r)
				return r;
			p = work;
			if (*p == '/')
				cur = EXT2_ROOT_INO;
			continue;
		}
		if (last) {
			if (slash && !is_dir(&in))
				return -FS_ENOTDIR;
			*out = in;
			return 0;
		}
		cur = ino;
	}
}

int lookup(uint32_t dir, const char *path, unsigned flags, unsigned mode, struct ext2_inode *out)
{
	char *work = malloc(WORK_MAX);
	if (!work)
		return -FS_ENOMEM;
	strlcpy(work, path, WORK_MAX);
	int r = resolve(work, dir, flags, mode, out);
	free(work);
	return r;
}
