/* Client calls of the file system protocol (fs/proto.h), lib/fs/fs_client.c.
 * Every call returns 0 (or a byte count) on success and a negative errno
 * value (fs/errno.h) on failure; a transport failure is -FS_EIO, a dead or
 * invalid port -FS_EBADF. */
#ifndef FS_CLIENT_H
#define FS_CLIENT_H

#include "fs/proto.h"
#include "fs/errno.h"

int fs_get_root(mach_port_t server, mach_port_t *root);
int fs_lookup(mach_port_t dir, const char *path, int flags, unsigned mode, mach_port_t *node);
/* Reads up to COUNT bytes (any size: the call splits at FS_IO_MAX). */
long fs_read(mach_port_t node, uint64_t offset, void *buf, size_t count);
/* Writes COUNT bytes at OFFSET (FS_APPEND: at the end); *END, when not NULL,
 * gets the offset after the last byte written. */
long fs_write(mach_port_t node, uint64_t offset, const void *buf, size_t count, uint64_t *end);
int fs_stat(mach_port_t node, struct fs_stat *st);
/* Fills BUF (at least FS_INLINE_MAX bytes) with records from *COOKIE on;
 * returns their total size and advances *COOKIE (FS_DIR_END at the end). */
long fs_readdir(mach_port_t dir, uint32_t *cookie, void *buf, size_t size);
int fs_mkdir(mach_port_t dir, const char *name, unsigned mode);
int fs_unlink(mach_port_t dir, const char *name);
int fs_rmdir(mach_port_t dir, const char *name);
int fs_rename(mach_port_t dir, const char *old, mach_port_t newdir, const char *new);
int fs_link(mach_port_t dir, mach_port_t node, const char *name);
int fs_symlink(mach_port_t dir, const char *name, const char *target);
/* Copies the target of symlink NAME in DIR, NUL-terminated, into BUF;
 * returns its length (-FS_ERANGE when it does not fit in SIZE bytes). */
long fs_readlink(mach_port_t dir, const char *name, char *buf, size_t size);
int fs_truncate(mach_port_t node, uint64_t size);
int fs_chmod(mach_port_t node, unsigned mode);
int fs_utimes(mach_port_t node, uint32_t atime, uint32_t mtime);
int fs_sync(mach_port_t node);
int fs_statfs(mach_port_t node, struct fs_statfs *sf);

/* What a call returns for a reply's return code R: 0 for KERN_SUCCESS, else
 * the errno it carries, negative (the one place a client turns the wire's
 * positive errno), -FS_EBADF for a dead or invalid port, -FS_EIO for the rest. */
int fs_error(kern_return_t r);

#endif
