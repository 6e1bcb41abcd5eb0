/* Calls on paths: open, stat, and the directory operations, which look the
 * parent directory up and then name the last component to the server. */
#include "posix_impl.h"

static unsigned open_fs_flags(int flags)
{
	static const struct { int o; unsigned fs; } map[] = {
		{ O_CREAT, FS_O_CREAT }, { O_EXCL, FS_O_EXCL }, { O_TRUNC, FS_O_TRUNC },
		{ O_APPEND, FS_O_APPEND }, { O_DIRECTORY, FS_O_DIRECTORY }, { O_NOFOLLOW, FS_O_NOFOLLOW },
	};
	unsigned fs = 0;
	if ((flags & O_ACCMODE) != O_WRONLY)
		fs |= FS_O_READ;
	if ((flags & O_ACCMODE) != O_RDONLY)
		fs |= FS_O_WRITE;
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (flags & map[i].o)
			fs |= map[i].fs;
	return fs;
}

int open(const char *path, int flags, ...)
{
	unsigned mode = 0;
	if (flags & O_CREAT) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t) & 07777;
		va_end(ap);
	}
	if ((flags & O_ACCMODE) == O_ACCMODE) {
		errno = EINVAL;
		return -1;
	}
	mach_port_t node;
	if (path_lookup(path, open_fs_flags(flags), mode, &node) < 0)
		return -1;
	return fd_new(PROC_FD_FILE, node, flags & (O_ACCMODE | O_APPEND));
}

int creat(const char *path, mode_t mode)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

static int stat_flags(const char *path, struct stat *st, unsigned fs_flags)
{
	mach_port_t node;
	struct fs_stat s;
	if (path_lookup(path, fs_flags, 0, &node) < 0)
		return -1;
	int r = fs_stat(node, &s);
	put_port(node);
	if (r < 0)
		return posix_fail(r);
	stat_from_fs(&s, st);
	return 0;
}

int stat(const char *path, struct stat *st)
{
	return stat_flags(path, st, 0);
}

int lstat(const char *path, struct stat *st)
{
	return stat_flags(path, st, FS_O_NOFOLLOW);
}

/* A port on PATH that may change its attributes: opened for writing, or,
 * for a directory (which cannot be), as a directory. */
static int lookup_for_change(const char *path, mach_port_t *node)
{
	if (path_lookup(path, FS_O_WRITE, 0, node) == 0)
		return 0;
	if (errno != EISDIR)
		return -1;
	return path_lookup(path, FS_O_READ | FS_O_DIRECTORY, 0, node);
}

int truncate(const char *path, off_t size)
{
	mach_port_t node;
	if (size < 0) {
		errno = EINVAL;
		return -1;
	}
	if (path_lookup(path, FS_O_WRITE, 0, &node) < 0)
		return -1;
	int r = fs_truncate(node, (uint64_t)size);
	put_port(node);
	return r < 0 ? posix_fail(r) : 0;
}

int chmod(const char *path, mode_t mode)
{
	mach_port_t node;
	if (lookup_for_change(path, &node) < 0)
		return -1;
	int r = fs_chmod(node, mode & 07777);
	put_port(node);
	return r < 0 ? posix_fail(r) : 0;
}

int utime_now(const char *path)
{
	mach_port_t node;
	if (lookup_for_change(path, &node) < 0)
		return -1;
	int r = fs_utimes(node, FS_TIME_NOW, FS_TIME_NOW);
	put_port(node);
	return r < 0 ? posix_fail(r) : 0;
}

int statvfs(const char *path, struct statvfs *sf)
{
	mach_port_t node;
	struct fs_statfs s;
	if (path_lookup(path, 0, 0, &node) < 0)
		return -1;
	int r = fs_statfs(node, &s);
	put_port(node);
	if (r < 0)
		return posix_fail(r);
	*sf = (struct statvfs){ .f_bsize = s.bsize, .f_frsize = s.bsize, .f_blocks = s.blocks, .f_bfree = s.bfree,
	                        .f_bavail = s.bavail, .f_files = s.files, .f_ffree = s.ffree,
	                        .f_namemax = s.namemax };
	return 0;
}

void sync(void)
{
	if (posix_root != MACH_PORT_NULL)
		fs_sync(posix_root);
}

/* The directory operations on a parent and a name. */
enum { OP_MKDIR, OP_RMDIR, OP_UNLINK };

static int name_op(int op, const char *path, unsigned mode)
{
	mach_port_t dir;
	char name[FS_NAME_MAX];
	if (path_parent(path, &dir, name) < 0) {
		if (errno == EBUSY && op == OP_MKDIR)
			errno = EEXIST;             /* mkdir / */
		return -1;
	}
	int r = op == OP_MKDIR ? fs_mkdir(dir, name, mode & 07777)
	      : op == OP_RMDIR ? fs_rmdir(dir, name) : fs_unlink(dir, name);
	put_port(dir);
	return r < 0 ? posix_fail(r) : 0;
}

int mkdir(const char *path, mode_t mode)
{
	return name_op(OP_MKDIR, path, mode);
}

int rmdir(const char *path)
{
	return name_op(OP_RMDIR, path, 0);
}

int unlink(const char *path)
{
	return name_op(OP_UNLINK, path, 0);
}

int rename(const char *from, const char *to)
{
	mach_port_t dfrom, dto;
	char nfrom[FS_NAME_MAX], nto[FS_NAME_MAX];
	if (path_parent(from, &dfrom, nfrom) < 0)
		return -1;
	if (path_parent(to, &dto, nto) < 0) {
		put_port(dfrom);
		return -1;
	}
	int r = fs_rename(dfrom, nfrom, dto, nto);
	put_port(dfrom);
	put_port(dto);
	return r < 0 ? posix_fail(r) : 0;
}

int link(const char *target, const char *path)
{
	mach_port_t node, dir;
	char name[FS_NAME_MAX];
	if (path_lookup(target, FS_O_NOFOLLOW, 0, &node) < 0)
		return -1;
	if (path_parent(path, &dir, name) < 0) {
		put_port(node);
		return -1;
	}
	int r = fs_link(dir, node, name);
	put_port(node);
	put_port(dir);
	return r < 0 ? posix_fail(r) : 0;
}

int symlink(const char *target, const char *path)
{
	mach_port_t dir;
	char name[FS_NAME_MAX];
	if (!target) {
		errno = EFAULT;
		return -1;
	}
	if (strlen(target) >= FS_PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (path_parent(path, &dir, name) < 0)
		return -1;
	int r = fs_symlink(dir, name, target);
	put_port(dir);
	return r < 0 ? posix_fail(r) : 0;
}

ssize_t readlink(const char *path, char *buf, size_t size)
{
	mach_port_t dir;
	char name[FS_NAME_MAX], target[FS_PATH_MAX];
	if (path_parent(path, &dir, name) < 0)
		return -1;
	long r = fs_readlink(dir, name, target, sizeof target);
	put_port(dir);
	if (r < 0)
		return posix_fail(r);
	size_t n = (size_t)r < size ? (size_t)r : size;     /* truncated, no NUL: as POSIX says */
	memcpy(buf, target, n);
	return (ssize_t)n;
}
