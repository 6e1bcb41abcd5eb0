/* Path resolution (include/ext2/ext2.h, ext2_resolve): components one by
 * one from a directory, "." and "..", a leading '/' and absolute symlink
 * targets restarting at the root, symlinks followed up to EXT2_SYMLINK_MAX
 * times, and the last component created, taken as the link itself, or
 * required to be a directory as the flags say. */
#include "ext2_int.h"

static int is_dir(const struct ext2_inode *in)
{
	return (in->mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
}

/* Replaces the path in WORK (SIZE bytes) by the target of symlink LINK
 * followed by REST (which starts with '/' or is empty). */
static int splice(struct ext2_fs *fs, char *work, size_t size, const struct ext2_inode *link,
                  const char *rest)
{
	char *target = malloc(size);
	if (!target)
		return -EXT2_ENOMEM;
	long n = ext2_readlink(fs, link, target, size - 1);
	int r = 0;
	if (n < 0)
		r = (int)n;
	else if (n == 0)
		r = -EXT2_ENOENT;
	else if ((size_t)n + strlen(rest) >= size)
		r = -EXT2_ENAMETOOLONG;
	else {
		memmove(work + n, rest, strlen(rest) + 1);
		memcpy(work, target, (size_t)n);
	}
	free(target);
	return r;
}

static int resolve(struct ext2_fs *fs, char *work, size_t size, uint32_t cur, unsigned flags,
                   uint16_t mode, struct ext2_inode *out)
{
	int links = 0;
	char *p = work;
	if (*p == 0)
		return -EXT2_ENOENT;
	if (*p == '/')
		cur = EXT2_ROOT_INO;
	for (;;) {
		while (*p == '/')
			p++;
		struct ext2_inode dir;
		int r = ext2_read_inode(fs, cur, &dir);
		if (r)
			return r;
		if (*p == 0) {
			/* the path ends at a directory ("/", "a/", ".") */
			*out = dir;
			return 0;
		}
		if (!is_dir(&dir))
			return -EXT2_ENOTDIR;
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
			return -EXT2_ENAMETOOLONG;
		if (len == 1 && name[0] == '.')
			continue;

		uint32_t ino;
		r = ext2_lookup(fs, &dir, name, len, &ino);
		if (r == -EXT2_ENOENT && last && (flags & EXT2_PATH_CREAT)) {
			if (slash)
				return -EXT2_EISDIR;     /* only a directory can end in '/' */
			r = ext2_create(fs, cur, name, len, (uint16_t)(EXT2_S_IFREG | mode), 0, 0, &ino);
			return r ? r : ext2_read_inode(fs, ino, out);
		}
		if (r)
			return r;
		if (last && (flags & EXT2_PATH_CREAT) && (flags & EXT2_PATH_EXCL))
			return -EXT2_EEXIST;
		struct ext2_inode in;
		r = ext2_read_inode(fs, ino, &in);
		if (r)
			return r;
		if ((in.mode & EXT2_S_IFMT) == EXT2_S_IFLNK && (!last || slash || !(flags & EXT2_PATH_NOFOLLOW))) {
			if (++links > EXT2_SYMLINK_MAX)
				return -EXT2_ELOOP;
			/* the target then what is left; an absolute target
			 * starts again at the root */
			r = splice(fs, work, size, &in, p);
			if (r)
				return r;
			p = work;
			if (*p == '/')
				cur = EXT2_ROOT_INO;
			continue;
		}
		if (last) {
			if (slash && !is_dir(&in))
				return -EXT2_ENOTDIR;
			*out = in;
			return 0;
		}
		cur = ino;
	}
}

int ext2_resolve(struct ext2_fs *fs, uint32_t dir, const char *path, unsigned flags, uint16_t mode,
                 struct ext2_inode *out)
{
	/* room for what is left of the path with a symlink's target (less
	 * than a block, at most 4 KiB) spliced in */
	size_t size = EXT2_SYMLINK_TARGET_MAX + strlen(path) + 1;
	char *work = malloc(size);
	if (!work)
		return -EXT2_ENOMEM;
	memcpy(work, path, strlen(path) + 1);
	int r = resolve(fs, work, size, dir, flags, mode, out);
	free(work);
	return r;
}
