/* File descriptors: a table of open file descriptions, each a terminal,
 * a file system node with its own offset, or a pipe end. */
#include "posix_impl.h"

struct ofile *fd_table[OPEN_MAX];

struct ofile *fd_get(int fd)
{
	if (fd < 0 || fd >= OPEN_MAX || !fd_table[fd]) {
		errno = EBADF;
		return NULL;
	}
	return fd_table[fd];
}

static int lowest_free(int from)
{
	for (int fd = from; fd < OPEN_MAX; fd++)
		if (!fd_table[fd])
			return fd;
	errno = EMFILE;
	return -1;
}

struct ofile *ofile_new(int kind, mach_port_t port, int flags)
{
	struct ofile *f = malloc(sizeof *f);
	if (!f) {
		errno = ENOMEM;
		put_port(port);
		return NULL;
	}
	*f = (struct ofile){ .kind = kind, .port = port, .flags = flags, .offset = 0, .refs = 1 };
	return f;
}

int fd_new(int kind, mach_port_t port, int flags)
{
	int fd = lowest_free(0);
	if (fd < 0) {
		put_port(port);
		return -1;
	}
	struct ofile *f = ofile_new(kind, port, flags);
	if (!f)
		return -1;
	fd_table[fd] = f;
	return fd;
}

unsigned fd_fs_flags(const struct ofile *f)
{
	unsigned fl = 0;
	if ((f->flags & O_ACCMODE) != O_WRONLY)
		fl |= FS_O_READ;
	if ((f->flags & O_ACCMODE) != O_RDONLY)
		fl |= FS_O_WRITE;
	if (f->flags & O_APPEND)
		fl |= FS_O_APPEND;
	return fl;
}

int close(int fd)
{
	struct ofile *f = fd_get(fd);
	if (!f)
		return -1;
	fd_table[fd] = NULL;
	if (--f->refs == 0) {
		put_port(f->port);
		free(f);
	}
	return 0;
}

int dup(int fd)
{
	struct ofile *f = fd_get(fd);
	int to = f ? lowest_free(0) : -1;
	if (to < 0)
		return -1;
	f->refs++;
	fd_table[to] = f;
	return to;
}

int dup2(int fd, int to)
{
	struct ofile *f = fd_get(fd);
	if (!f)
		return -1;
	if (to < 0 || to >= OPEN_MAX) {
		errno = EBADF;
		return -1;
	}
	if (to == fd)
		return to;
	if (fd_table[to])
		close(to);
	f->refs++;
	fd_table[to] = f;
	return to;
}

/* The file behind FD when it may be ACCESS'd (O_RDONLY: read, O_WRONLY: written). */
static struct ofile *fd_for(int fd, int access)
{
	struct ofile *f = fd_get(fd);
	if (f && f->kind != PROC_FD_CONSOLE && (f->flags & O_ACCMODE) != O_RDWR && (f->flags & O_ACCMODE) != access) {
		errno = EBADF;
		return NULL;
	}
	return f;
}

ssize_t read(int fd, void *buf, size_t n)
{
	struct ofile *f = fd_for(fd, O_RDONLY);
	if (!f)
		return -1;
	if (f->kind == PROC_FD_CONSOLE)
		return tty_read(f->port, buf, n);
	if (f->kind == PROC_FD_PIPE)
		return pipe_read(f->port, buf, n);
	if (n == 0)
		return 0;
	long r = fs_read(f->port, (uint64_t)f->offset, buf, n);
	if (r < 0)
		return posix_fail(r);
	f->offset += r;
	return r;
}

ssize_t write(int fd, const void *buf, size_t n)
{
	struct ofile *f = fd_for(fd, O_WRONLY);
	if (!f)
		return -1;
	if (f->kind == PROC_FD_CONSOLE)
		return tty_write(f->port, buf, n);
	if (f->kind == PROC_FD_PIPE)
		return pipe_write(f->port, buf, n);
	if (n == 0)
		return 0;
	uint64_t end = 0;
	long r = fs_write(f->port, (f->flags & O_APPEND) ? FS_APPEND : (uint64_t)f->offset, buf, n, &end);
	if (r < 0)
		return posix_fail(r);
	f->offset = (off_t)end;
	return r;
}

off_t lseek(int fd, off_t off, int whence)
{
	struct ofile *f = fd_get(fd);
	if (!f)
		return -1;
	if (f->kind != PROC_FD_FILE) {
		errno = ESPIPE;
		return -1;
	}
	off_t base = 0;
	if (whence == SEEK_CUR) {
		base = f->offset;
	} else if (whence == SEEK_END) {
		struct stat st;
		if (fstat(fd, &st) < 0)
			return -1;
		base = st.st_size;
	} else if (whence != SEEK_SET) {
		errno = EINVAL;
		return -1;
	}
	if (base + off < 0) {
		errno = EINVAL;
		return -1;
	}
	f->offset = base + off;
	return f->offset;
}

int isatty(int fd)
{
	struct ofile *f = fd_get(fd);
	if (f && f->kind != PROC_FD_CONSOLE)
		errno = ENOTTY;
	return f && f->kind == PROC_FD_CONSOLE;
}

int fsync(int fd)
{
	struct ofile *f = fd_get(fd);
	if (!f)
		return -1;
	if (f->kind != PROC_FD_FILE)
		return 0;               /* a terminal or pipe keeps nothing back */
	int r = fs_sync(f->port);
	return r < 0 ? posix_fail(r) : 0;
}

int ftruncate(int fd, off_t size)
{
	struct ofile *f = fd_for(fd, O_WRONLY);
	if (!f)
		return -1;
	if (f->kind != PROC_FD_FILE || size < 0) {
		errno = EINVAL;
		return -1;
	}
	int r = fs_truncate(f->port, (uint64_t)size);
	return r < 0 ? posix_fail(r) : 0;
}

void stat_from_fs(const struct fs_stat *s, struct stat *st)
{
	*st = (struct stat){
		.st_dev = s->dev, .st_ino = s->ino, .st_mode = s->mode, .st_nlink = s->nlink,
		.st_uid = s->uid, .st_gid = s->gid,
		.st_size = (off_t)(((uint64_t)s->size_hi << 32) | s->size_lo),
		.st_blocks = s->blocks, .st_blksize = s->blksize,
		.st_atime = s->atime, .st_mtime = s->mtime, .st_ctime = s->ctime,
	};
}

int fstat(int fd, struct stat *st)
{
	struct ofile *f = fd_get(fd);
	if (!f)
		return -1;
	if (f->kind == PROC_FD_CONSOLE) {
		*st = (struct stat){ .st_mode = S_IFCHR | 0620, .st_nlink = 1, .st_blksize = 128 };
		return 0;
	}
	if (f->kind == PROC_FD_PIPE) {
		*st = (struct stat){ .st_mode = S_IFIFO | 0600, .st_nlink = 1, .st_blksize = 4096 };
		return 0;
	}
	struct fs_stat s;
	int r = fs_stat(f->port, &s);
	if (r < 0)
		return posix_fail(r);
	stat_from_fs(&s, st);
	return 0;
}
