/* Directories: opendir keeps the directory's port and a reply's worth of
 * records; readdir hands them out and asks for more with the cookie. */
#include "posix_impl.h"

struct dir {
	mach_port_t port;
	uint32_t cookie;        /* where the next reply starts; FS_DIR_END: none */
	long len, pos;          /* the records in BUF */
	struct dirent ent;
	char buf[FS_INLINE_MAX];
};

const struct fs_dirent *dirent_next(const char *buf, long len, long *pos)
{
	long at = *pos;
	if (at + (long)sizeof(struct fs_dirent) > len)
		return NULL;
	const struct fs_dirent *d = (const void *)(buf + at);
	long rec = d->reclen;
	if (rec < (long)FS_DIRENT_SIZE(0) || rec % 4 || at + rec > len ||
	    (long)sizeof(struct fs_dirent) + d->namelen + 1 > rec || d->name[d->namelen] != 0 ||
	    strlen(d->name) != d->namelen) {
		errno = EIO;            /* a malformed reply: stop here */
		*pos = len;
		return NULL;
	}
	*pos = at + rec;
	return d;
}

DIR *opendir(const char *path)
{
	mach_port_t port;
	if (path_lookup(path, FS_O_READ | FS_O_DIRECTORY, 0, &port) < 0)
		return NULL;
	DIR *d = malloc(sizeof *d);
	if (!d) {
		put_port(port);
		errno = ENOMEM;
		return NULL;
	}
	d->port = port;
	d->cookie = 0;
	d->len = d->pos = 0;
	return d;
}

struct dirent *readdir(DIR *d)
{
	const struct fs_dirent *e;
	int saved = errno;
	errno = 0;
	while (!(e = dirent_next(d->buf, d->len, &d->pos))) {
		if (errno)
			return NULL;
		if (d->cookie == FS_DIR_END) {
			errno = saved;          /* the end is not an error */
			return NULL;
		}
		uint32_t before = d->cookie;
		d->len = fs_readdir(d->port, &d->cookie, d->buf, sizeof d->buf);
		d->pos = 0;
		if (d->len < 0) {
			posix_fail(d->len);
			d->len = 0;
			d->cookie = FS_DIR_END;
			return NULL;
		}
		if (d->len == 0 && d->cookie == before)
			d->cookie = FS_DIR_END;       /* no progress: end rather than loop */
	}
	errno = saved;
	d->ent.d_ino = e->ino;
	d->ent.d_type = e->type;
	memcpy(d->ent.d_name, e->name, e->namelen + 1u);
	return &d->ent;
}

int closedir(DIR *d)
{
	if (!d) {
		errno = EBADF;
		return -1;
	}
	put_port(d->port);
	free(d);
	return 0;
}
