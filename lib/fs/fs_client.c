/* Client side of the file system protocol (include/fs/client.h): one
 * msg_call per call (reads and writes larger than FS_IO_MAX take several),
 * every reply checked against its definition, return codes turned into negative
 * errno values. */
#include "fs/client.h"
#include "mach/rpc_util.h"
#include "rt/rt.h"
#include "server/safe_copy.h"

int fs_error(kern_return_t r)
{
	if (r == KERN_SUCCESS)
		return 0;
	if (r > 0 && r <= FS_ERRNO_MAX)
		return -r;
	if (r == MACH_SEND_INVALID_DEST || r == MACH_SEND_INVALID_RIGHT)
		return -FS_EBADF;        /* a dead or invalid port */
	return -FS_EIO;
}

static mach_msg_type_long_t string_type(size_t bytes)
{
	return MSGT_LONG(MACH_MSG_TYPE_STRING_C, 8 * bytes, 1);
}

/* Copies NAME into a fixed string field of SIZE bytes, zero-filled. */
static int put_string(char *field, size_t size, const char *name)
{
	size_t n = strnlen(name, size);
	if (n == size)
		return -FS_ENAMETOOLONG;
	memcpy(field, name, n);
	memset(field + n, 0, size - n);
	return 0;
}

/* --- ports ---------------------------------------------------------------- */

int fs_get_root(mach_port_t server, mach_port_t *root)
{
	union { fs_get_root_request_t in; fs_get_root_reply_t out; } m;
	kern_return_t r = MSG_CALL(server, fs_get_root, m, NULL);
	*root = r ? MACH_PORT_NULL : m.out.root.v;
	return fs_error(r);
}

int fs_lookup(mach_port_t dir, const char *path, int flags, unsigned mode, mach_port_t *node)
{
	union { fs_lookup_request_t in; fs_lookup_reply_t out; } m;
	*node = MACH_PORT_NULL;
	int e = put_string(m.in.path, FS_PATH_MAX, path);
	if (e)
		return e;
	m.in.flags = w_int((natural_t)flags);
	m.in.mode = w_int(mode);
	m.in.path_type = string_type(FS_PATH_MAX);
	kern_return_t r = MSG_CALL(dir, fs_lookup, m, NULL);
	if (r == KERN_SUCCESS)
		*node = m.out.node.v;
	return fs_error(r);
}

/* --- data ----------------------------------------------------------------- */

/* One read of at most FS_IO_MAX bytes: inline up to FS_INLINE_MAX, else out
 * of line.  Returns the bytes read or a negative errno value. */
static long read_once(mach_port_t node, uint64_t offset, void *buf, size_t count)
{
	union { fs_read_request_t in; fs_read_reply_t inl; fs_read_ool_reply_t ool; } m;
	int ool = count > FS_INLINE_MAX;
	/* the reply's shape as the definition has it, holding no more than asked */
	struct msg_field reply[2] = { fs_read_rep_fields[0], ool ? fs_read_ool_rep_fields[1] : fs_read_rep_fields[1] };
	reply[1].count = (uint32_t)count;
	struct msg_routine routine = fs_read_routine;
	routine.rep = reply;
	struct msg_arg args[2];
	m.in.offset = w_u64(offset);
	m.in.count = w_int((natural_t)count);
	kern_return_t r = msg_call(node, &routine, &m.in.head, sizeof m.in, sizeof m, args);
	if (r)
		return fs_error(r);
	size_t n = args[1].count;
	if (!ool) {
		memcpy(buf, m.inl.data, n);
		return (long)n;
	}
	/* where the caller's buffer is page-aligned, whole pages are shared
	 * copy-on-write (vm_copy): no bytes copied, no page touched.  Not in a
	 * task that guards its copies (exec reads programs through ports its
	 * clients give it): such a server may page these bytes itself, and a
	 * page shared now would fault later, outside safe_copy, which fails on
	 * a fault or a stall */
	vm_offset_t data = m.ool.data.addr;
	int aligned = !safe_copy_active() && (uintptr_t)buf % PAGE_SIZE == 0 && data % PAGE_SIZE == 0;
	vm_size_t pages = aligned ? n & ~(vm_size_t)(PAGE_SIZE - 1) : 0;
	if (pages && vm_copy(mach_task_self(), data, pages, (vm_offset_t)(uintptr_t)buf))
		pages = 0;
	r = safe_copy((char *)buf + pages, (const void *)(uintptr_t)(data + pages), n - pages);
	if (n)
		vm_deallocate(mach_task_self(), data, n);
	return r ? -FS_EFAULT : (long)n;
}

long fs_read(mach_port_t node, uint64_t offset, void *buf, size_t count)
{
	size_t done = 0;
	while (done < count) {
		size_t want = count - done < FS_IO_MAX ? count - done : FS_IO_MAX;
		long n = read_once(node, offset + done, (char *)buf + done, want);
		if (n < 0)
			return done ? (long)done : n;
		done += (size_t)n;
		if ((size_t)n < want)
			break;               /* the end of the file */
	}
	return (long)done;
}

/* One write of at most FS_IO_MAX bytes. */
static long write_once(mach_port_t node, uint64_t offset, const void *buf, size_t count, uint64_t *end)
{
	union { fs_write_request_t inl; fs_write_ool_request_t ool; fs_write_reply_t out; } m;
	kern_return_t r;
	if (count <= FS_INLINE_MAX) {
		m.inl.offset = w_u64(offset);
		m.inl.data_type = MSGT_LONG(MACH_MSG_TYPE_CHAR, 8, count);
		memcpy(m.inl.data, buf, count);
		r = msg_call(node, &fs_write_routine, &m.inl.head,
		             offsetof(fs_write_request_t, data) + MSG_ALIGN(count), sizeof m, NULL);
	} else {
		m.ool.offset = w_u64(offset);
		m.ool.data = w_ool(buf, count);
		r = msg_call(node, &fs_write_ool_routine, &m.ool.head, sizeof m.ool, sizeof m, NULL);
	}
	if (r)
		return fs_error(r);
	if (m.out.count.v > count)
		return -FS_EIO;
	*end = m.out.end.v;
	return (long)m.out.count.v;
}

long fs_write(mach_port_t node, uint64_t offset, const void *buf, size_t count, uint64_t *end)
{
	size_t done = 0;
	uint64_t last = 0;
	do {
		size_t want = count - done < FS_IO_MAX ? count - done : FS_IO_MAX;
		uint64_t at = offset == FS_APPEND ? FS_APPEND : offset + done;
		long n = write_once(node, at, (const char *)buf + done, want, &last);
		if (n < 0)
			return done ? (long)done : n;
		done += (size_t)n;
		if ((size_t)n < want)
			break;
	} while (done < count);
	if (end)
		*end = last;
	return (long)done;
}

/* --- attributes ----------------------------------------------------------- */

int fs_stat(mach_port_t node, struct fs_stat *st)
{
	union { fs_stat_request_t in; fs_stat_reply_t out; } m;
	kern_return_t r = MSG_CALL(node, fs_stat, m, NULL);
	if (r == KERN_SUCCESS)
		*st = m.out.st;
	return fs_error(r);
}

int fs_statfs(mach_port_t node, struct fs_statfs *sf)
{
	union { fs_statfs_request_t in; fs_statfs_reply_t out; } m;
	kern_return_t r = MSG_CALL(node, fs_statfs, m, NULL);
	if (r == KERN_SUCCESS)
		*sf = m.out.sf;
	return fs_error(r);
}

int fs_chmod(mach_port_t node, unsigned mode)
{
	union { fs_chmod_request_t in; fs_chmod_reply_t out; } m;
	m.in.mode = w_int(mode);
	return fs_error(MSG_CALL(node, fs_chmod, m, NULL));
}

int fs_utimes(mach_port_t node, uint32_t atime, uint32_t mtime)
{
	union { fs_utimes_request_t in; fs_utimes_reply_t out; } m;
	m.in.atime = w_int(atime);
	m.in.mtime = w_int(mtime);
	return fs_error(MSG_CALL(node, fs_utimes, m, NULL));
}

int fs_sync(mach_port_t node)
{
	union { fs_sync_request_t in; fs_sync_reply_t out; } m;
	return fs_error(MSG_CALL(node, fs_sync, m, NULL));
}

int fs_truncate(mach_port_t node, uint64_t size)
{
	union { fs_truncate_request_t in; fs_truncate_reply_t out; } m;
	m.in.size = w_u64(size);
	return fs_error(MSG_CALL(node, fs_truncate, m, NULL));
}

/* --- directories ---------------------------------------------------------- */

/* Whether the N bytes at P are whole, well-formed fs_dirent records. */
static int records_ok(const char *p, size_t n)
{
	size_t off = 0;
	while (off < n) {
		const struct fs_dirent *d = (const struct fs_dirent *)(p + off);
		if (n - off < sizeof *d || d->reclen % 4 || d->reclen < FS_DIRENT_SIZE(d->namelen)
		    || d->reclen > n - off || d->namelen == 0 || d->name[d->namelen] != 0
		    || memchr(d->name, 0, d->namelen))
			return 0;
		off += d->reclen;
	}
	return 1;
}

long fs_readdir(mach_port_t dir, uint32_t *cookie, void *buf, size_t size)
{
	union { fs_readdir_request_t in; fs_readdir_reply_t out; } *m;
	struct msg_arg args[3];
	if (size < FS_INLINE_MAX)
		return -FS_EINVAL;
	if (!(m = malloc(sizeof *m)))
		return -FS_ENOMEM;
	m->in.cookie = w_int(*cookie);
	kern_return_t r = msg_call(dir, &fs_readdir_routine, &m->in.head, sizeof m->in, sizeof *m, args);
	long n = r ? fs_error(r) : (long)args[2].count;
	if (n >= 0 && !records_ok(m->out.data, (size_t)n))
		n = -FS_EIO;
	if (n >= 0) {
		memcpy(buf, m->out.data, (size_t)n);
		*cookie = m->out.next.v;
	}
	free(m);
	return n;
}

/* mkdir, unlink, rmdir (ROUTINE): a mode and a name, nothing back; their
 * requests are alike. */
static int name_call(mach_port_t dir, const struct msg_routine *routine, const char *name, unsigned mode)
{
	union { fs_mkdir_request_t in; fs_mkdir_reply_t out; } m;
	int e = put_string(m.in.name, FS_NAME_MAX, name);
	if (e)
		return e;
	m.in.mode = w_int(mode);
	m.in.name_type = string_type(FS_NAME_MAX);
	return fs_error(msg_call(dir, routine, &m.in.head, sizeof m.in, sizeof m, NULL));
}

int fs_mkdir(mach_port_t dir, const char *name, unsigned mode)
{
	return name_call(dir, &fs_mkdir_routine, name, mode);
}

int fs_unlink(mach_port_t dir, const char *name)
{
	return name_call(dir, &fs_unlink_routine, name, 0);
}

int fs_rmdir(mach_port_t dir, const char *name)
{
	return name_call(dir, &fs_rmdir_routine, name, 0);
}

int fs_rename(mach_port_t dir, const char *old, mach_port_t newdir, const char *new)
{
	union { fs_rename_request_t in; fs_rename_reply_t out; } m;
	int e = put_string(m.in.old, FS_NAME_MAX, old);
	if (!e)
		e = put_string(m.in.new, FS_NAME_MAX, new);
	if (e)
		return e;
	m.in.old_type = string_type(FS_NAME_MAX);
	m.in.newdir = w_port(newdir, MACH_MSG_TYPE_COPY_SEND);
	m.in.new_type = string_type(FS_NAME_MAX);
	return fs_error(MSG_CALL(dir, fs_rename, m, NULL));
}

int fs_link(mach_port_t dir, mach_port_t node, const char *name)
{
	union { fs_link_request_t in; fs_link_reply_t out; } m;
	int e = put_string(m.in.name, FS_NAME_MAX, name);
	if (e)
		return e;
	m.in.node = w_port(node, MACH_MSG_TYPE_COPY_SEND);
	m.in.name_type = string_type(FS_NAME_MAX);
	return fs_error(MSG_CALL(dir, fs_link, m, NULL));
}

int fs_symlink(mach_port_t dir, const char *name, const char *target)
{
	union { fs_symlink_request_t in; fs_symlink_reply_t out; } *m = malloc(sizeof *m);
	if (!m)
		return -FS_ENOMEM;
	int e = put_string(m->in.name, FS_NAME_MAX, name);
	if (!e)
		e = put_string(m->in.target, FS_PATH_MAX, target);
	if (!e) {
		m->in.name_type = string_type(FS_NAME_MAX);
		m->in.target_type = string_type(FS_PATH_MAX);
		e = fs_error(msg_call(dir, &fs_symlink_routine, &m->in.head, sizeof m->in, sizeof *m, NULL));
	}
	free(m);
	return e;
}

long fs_readlink(mach_port_t dir, const char *name, char *buf, size_t size)
{
	union { fs_readlink_request_t in; fs_readlink_reply_t out; } *m = malloc(sizeof *m);
	if (!m)
		return -FS_ENOMEM;
	long n = put_string(m->in.name, FS_NAME_MAX, name);
	if (!n) {
		m->in.mode = w_int(0);
		m->in.name_type = string_type(FS_NAME_MAX);
		n = fs_error(msg_call(dir, &fs_readlink_routine, &m->in.head, sizeof m->in, sizeof *m, NULL));
	}
	if (!n) {
		n = (long)strnlen(m->out.target, FS_PATH_MAX);
		if (n == FS_PATH_MAX)
			n = -FS_EIO;             /* not terminated: not a reply we trust */
		else if ((size_t)n >= size)
			n = -FS_ERANGE;
		else
			memcpy(buf, m->out.target, (size_t)n + 1);
	}
	free(m);
	return n;
}
