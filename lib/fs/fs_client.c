/* Client side of the file system protocol (include/fs/client.h): one
 * mach_rpc per call (reads and writes larger than FS_IO_MAX take several),
 * every reply checked against its layout, return codes turned into negative
 * errno values. */
#include "fs/client.h"
#include "mach/rpc_util.h"
#include "rt/rt.h"
#include "server/safe_copy.h"

int fs_errno(kern_return_t r)
{
	if (r == KERN_SUCCESS)
		return 0;
	if (r > 0 && r <= FS_ERRNO_MAX)
		return r;
	if (r == MACH_SEND_INVALID_DEST || r == MACH_SEND_INVALID_RIGHT)
		return FS_EBADF;         /* a dead or invalid port */
	return FS_EIO;
}

static int fail(kern_return_t r)
{
	return -fs_errno(r);
}

static mach_msg_type_long_t string_type(size_t bytes)
{
	return MSGT_LONG(MACH_MSG_TYPE_STRING_C, 8 * bytes, 1);
}

/* Copies NAME into a fixed string field of SIZE bytes, zero-filled. */
static int put_string(char *field, size_t size, const char *name, int too_long)
{
	size_t n = strnlen(name, size);
	if (n == size)
		return -too_long;
	memcpy(field, name, n);
	memset(field + n, 0, size - n);
	return 0;
}

static const struct msg_field u64_field = { MACH_MSG_TYPE_INTEGER_64, 64, 0, 1 };

/* --- ports ---------------------------------------------------------------- */

int fs_get_root(mach_port_t server, mach_port_t *root)
{
	union { fs_get_root_request_t in; fs_get_root_reply_t out; } m;
	rpc_head(&m.in.head, server, ID_FS_GET_ROOT, 0);
	kern_return_t r = mach_rpc(&m.in.head, sizeof m.in, sizeof m, rpc_reply_port, 2, NULL);
	*root = r ? MACH_PORT_NULL : m.out.a.v;
	return fail(r);
}

int fs_lookup(mach_port_t dir, const char *path, int flags, unsigned mode, mach_port_t *node)
{
	union { fs_lookup_request_t in; fs_lookup_reply_t out; } m;
	*node = MACH_PORT_NULL;
	int e = put_string(m.in.path, FS_PATH_MAX, path, FS_ENAMETOOLONG);
	if (e)
		return e;
	rpc_head(&m.in.head, dir, ID_FS_LOOKUP, 0);
	m.in.flags = w_int((natural_t)flags);
	m.in.mode = w_int(mode);
	m.in.path_type = string_type(FS_PATH_MAX);
	kern_return_t r = mach_rpc(&m.in.head, sizeof m.in, sizeof m, rpc_reply_port, 2, NULL);
	if (r == KERN_SUCCESS)
		*node = m.out.a.v;
	return fail(r);
}

/* --- data ----------------------------------------------------------------- */

/* One read of at most FS_IO_MAX bytes: inline up to FS_INLINE_MAX, else out
 * of line.  Returns the bytes read or a negative errno value. */
static long read_once(mach_port_t node, uint64_t offset, void *buf, size_t count)
{
	union { fs_read_request_t in; fs_read_reply_t inl; fs_read_ool_reply_t ool; } m;
	int ool = count > FS_INLINE_MAX;
	struct msg_field reply[2] = { MSGF_INT32,
		{ ool ? MACH_MSG_TYPE_INTEGER_8 : MACH_MSG_TYPE_CHAR, 8,
		  MSGF_LONG | MSGF_VAR | (ool ? MSGF_OOL : 0), (uint32_t)count } };
	struct msg_arg args[2];
	rpc_head(&m.in.head, node, ID_FS_READ, 0);
	m.in.offset = w_u64(offset);
	m.in.count = w_int((natural_t)count);
	kern_return_t r = mach_rpc(&m.in.head, sizeof m.in, sizeof m, reply, 2, args);
	if (r)
		return fail(r);
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
	static const struct msg_field reply[3] = { MSGF_INT32, MSGF_INT32, u64_field };
	mach_msg_size_t size;
	if (count <= FS_INLINE_MAX) {
		rpc_head(&m.inl.head, node, ID_FS_WRITE, 0);
		m.inl.offset = w_u64(offset);
		m.inl.data_type = MSGT_LONG(MACH_MSG_TYPE_CHAR, 8, count);
		memcpy(m.inl.data, buf, count);
		size = offsetof(fs_write_request_t, data) + MSG_ALIGN(count);
	} else {
		rpc_head(&m.ool.head, node, ID_FS_WRITE_OOL, 1);
		m.ool.offset = w_u64(offset);
		m.ool.data = w_ool(buf, count);
		size = sizeof m.ool;
	}
	kern_return_t r = mach_rpc(&m.inl.head, size, sizeof m, reply, 3, NULL);
	if (r)
		return fail(r);
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
	static const struct msg_field reply[2] = { MSGF_INT32,
		{ MACH_MSG_TYPE_INTEGER_32, 32, 0, FS_STAT_WORDS } };
	rpc_head(&m.in.head, node, ID_FS_STAT, 0);
	kern_return_t r = mach_rpc(&m.in.head, sizeof m.in, sizeof m, reply, 2, NULL);
	if (r == KERN_SUCCESS)
		*st = m.out.st;
	return fail(r);
}

int fs_statfs(mach_port_t node, struct fs_statfs *sf)
{
	union { fs_statfs_request_t in; fs_statfs_reply_t out; } m;
	static const struct msg_field reply[2] = { MSGF_INT32,
		{ MACH_MSG_TYPE_INTEGER_32, 32, 0, FS_STATFS_WORDS } };
	rpc_head(&m.in.head, node, ID_FS_STATFS, 0);
	kern_return_t r = mach_rpc(&m.in.head, sizeof m.in, sizeof m, reply, 2, NULL);
	if (r == KERN_SUCCESS)
		*sf = m.out.sf;
	return fail(r);
}

/* A call whose request is the header and up to two words, and whose reply
 * is only the return code. */
static int simple_call(mach_port_t node, mach_msg_id_t id, unsigned nwords, natural_t a, natural_t b)
{
	union { req2_t in; mig_reply_header_t out; } m;
	rpc_head(&m.in.head, node, id, 0);
	m.in.a = w_int(a);
	m.in.b = w_int(b);
	return fail(mach_rpc(&m.in.head, sizeof m.in.head + nwords * sizeof m.in.a, sizeof m,
	                     rpc_reply_ret, 1, NULL));
}

int fs_chmod(mach_port_t node, unsigned mode)
{
	return simple_call(node, ID_FS_CHMOD, 1, mode, 0);
}

int fs_utimes(mach_port_t node, uint32_t atime, uint32_t mtime)
{
	return simple_call(node, ID_FS_UTIMES, 2, atime, mtime);
}

int fs_sync(mach_port_t node)
{
	return simple_call(node, ID_FS_SYNC, 0, 0, 0);
}

int fs_truncate(mach_port_t node, uint64_t size)
{
	union { fs_truncate_request_t in; mig_reply_header_t out; } m;
	rpc_head(&m.in.head, node, ID_FS_TRUNCATE, 0);
	m.in.size = w_u64(size);
	return fail(mach_rpc(&m.in.head, sizeof m.in, sizeof m, rpc_reply_ret, 1, NULL));
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
	static const struct msg_field reply[3] = { MSGF_INT32, MSGF_INT32,
		{ MACH_MSG_TYPE_INTEGER_8, 8, MSGF_LONG | MSGF_VAR, FS_INLINE_MAX } };
	struct msg_arg args[3];
	if (size < FS_INLINE_MAX)
		return -FS_EINVAL;
	if (!(m = malloc(sizeof *m)))
		return -FS_ENOMEM;
	rpc_head(&m->in.head, dir, ID_FS_READDIR, 0);
	m->in.a = w_int(*cookie);
	kern_return_t r = mach_rpc(&m->in.head, sizeof m->in, sizeof *m, reply, 3, args);
	long n = r ? -fs_errno(r) : (long)args[2].count;
	if (n >= 0 && !records_ok(m->out.data, (size_t)n))
		n = -FS_EIO;
	if (n >= 0) {
		memcpy(buf, m->out.data, (size_t)n);
		*cookie = m->out.next.v;
	}
	free(m);
	return n;
}

/* mkdir, unlink, rmdir: a mode and a name. */
static int name_call(mach_port_t dir, mach_msg_id_t id, const char *name, unsigned mode)
{
	union { fs_name_request_t in; mig_reply_header_t out; } m;
	int e = put_string(m.in.name, FS_NAME_MAX, name, FS_ENAMETOOLONG);
	if (e)
		return e;
	rpc_head(&m.in.head, dir, id, 0);
	m.in.mode = w_int(mode);
	m.in.name_type = string_type(FS_NAME_MAX);
	return fail(mach_rpc(&m.in.head, sizeof m.in, sizeof m, rpc_reply_ret, 1, NULL));
}

int fs_mkdir(mach_port_t dir, const char *name, unsigned mode)
{
	return name_call(dir, ID_FS_MKDIR, name, mode);
}

int fs_unlink(mach_port_t dir, const char *name)
{
	return name_call(dir, ID_FS_UNLINK, name, 0);
}

int fs_rmdir(mach_port_t dir, const char *name)
{
	return name_call(dir, ID_FS_RMDIR, name, 0);
}

int fs_rename(mach_port_t dir, const char *old, mach_port_t newdir, const char *new)
{
	union { fs_rename_request_t in; mig_reply_header_t out; } m;
	int e = put_string(m.in.old, FS_NAME_MAX, old, FS_ENAMETOOLONG);
	if (!e)
		e = put_string(m.in.new, FS_NAME_MAX, new, FS_ENAMETOOLONG);
	if (e)
		return e;
	rpc_head(&m.in.head, dir, ID_FS_RENAME, 1);
	m.in.old_type = string_type(FS_NAME_MAX);
	m.in.newdir = (msg_port_t){ MSGT_PORT(MACH_MSG_TYPE_COPY_SEND), newdir };
	m.in.new_type = string_type(FS_NAME_MAX);
	return fail(mach_rpc(&m.in.head, sizeof m.in, sizeof m, rpc_reply_ret, 1, NULL));
}

int fs_link(mach_port_t dir, mach_port_t node, const char *name)
{
	union { fs_link_request_t in; mig_reply_header_t out; } m;
	int e = put_string(m.in.name, FS_NAME_MAX, name, FS_ENAMETOOLONG);
	if (e)
		return e;
	rpc_head(&m.in.head, dir, ID_FS_LINK, 1);
	m.in.node = (msg_port_t){ MSGT_PORT(MACH_MSG_TYPE_COPY_SEND), node };
	m.in.name_type = string_type(FS_NAME_MAX);
	return fail(mach_rpc(&m.in.head, sizeof m.in, sizeof m, rpc_reply_ret, 1, NULL));
}

int fs_symlink(mach_port_t dir, const char *name, const char *target)
{
	union { fs_symlink_request_t in; mig_reply_header_t out; } *m = malloc(sizeof *m);
	if (!m)
		return -FS_ENOMEM;
	int e = put_string(m->in.name, FS_NAME_MAX, name, FS_ENAMETOOLONG);
	if (!e)
		e = put_string(m->in.target, FS_PATH_MAX, target, FS_ENAMETOOLONG);
	if (!e) {
		rpc_head(&m->in.head, dir, ID_FS_SYMLINK, 0);
		m->in.name_type = string_type(FS_NAME_MAX);
		m->in.target_type = string_type(FS_PATH_MAX);
		e = fail(mach_rpc(&m->in.head, sizeof m->in, sizeof *m, rpc_reply_ret, 1, NULL));
	}
	free(m);
	return e;
}

long fs_readlink(mach_port_t dir, const char *name, char *buf, size_t size)
{
	union { fs_readlink_request_t in; fs_readlink_reply_t out; } *m = malloc(sizeof *m);
	static const struct msg_field reply[2] = { MSGF_INT32, MSGF_STRING(FS_PATH_MAX) };
	if (!m)
		return -FS_ENOMEM;
	long n = put_string(m->in.name, FS_NAME_MAX, name, FS_ENAMETOOLONG);
	if (!n) {
		rpc_head(&m->in.head, dir, ID_FS_READLINK, 0);
		m->in.mode = w_int(0);
		m->in.name_type = string_type(FS_NAME_MAX);
		n = fail(mach_rpc(&m->in.head, sizeof m->in, sizeof *m, reply, 2, NULL));
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
