/* The file system protocol (docs/fs-protocol.md) on node ports and, for
 * FS_GET_ROOT, on the chain port.  lib/server has checked every request's
 * layout against the tables at the end before a handler runs; the handlers
 * check what a layout cannot say (strings, flags, access, node types) and
 * then call the core under fs_lock.  Like the core, handlers return 0 or a
 * negative errno value (lib/server puts it on the wire positive). */
#include "ext2fs.h"
#include "mach/mach.h"
#include "mach/rpc_util.h"
#include "rt/rt.h"
#include "server/safe_copy.h"

#define S_TYPE(mode) ((uint16_t)((mode) & EXT2_S_IFMT))

int core_error(int r, const char *what)
{
	if (r >= 0 || r < -FS_ERRNO_MAX)
		r = -FS_EIO;
	if (r == -FS_EIO && !disk_lost())       /* a lost disk was named once */
		say("%s: %s", what, fs.why);
	return r;
}

/* locked_NAME runs op_NAME for the node of RQ under fs_lock, once it is
 * known that the file system is still mounted and the node still open (a
 * request can race with the no-senders notification of its own port). */
#define LOCKED(name)                                                                         \
	static kern_return_t op_##name(struct request *rq, struct node *n, const struct fs_##name##_in *req); \
	static kern_return_t locked_fs_##name(struct request *rq, const struct fs_##name##_in *req) \
	{                                                                                    \
		struct node *n = rq->port->obj;                                              \
		mutex_lock(&fs_lock);                                                        \
		kern_return_t r = !fs_mounted ? -FS_EIO : n && !n->open ? -FS_EBADF : op_##name(rq, n, req); \
		mutex_unlock(&fs_lock);                                                      \
		return r;                                                                    \
	}
LOCKED(write_ool)

static kern_return_t reply_empty(struct request *rq)
{
	rq->reply_size = sizeof(mig_reply_header_t);
	return KERN_SUCCESS;
}

/* Opens a node port for IN with FLAGS and replies with a send right to it. */
static kern_return_t reply_node(struct request *rq, const struct ext2_inode *in, unsigned flags)
{
	struct node *n;
	int r = node_open(in->ino, S_TYPE(in->mode), flags, &n);
	if (r)
		return r;
	fs_lookup_reply_t *rep = (fs_lookup_reply_t *)rq->out;   /* as fs_get_root's */
	rep->node = w_port(n->pi->name, MACH_MSG_TYPE_MAKE_SEND);
	rq->reply_size = sizeof *rep;
	rq->reply_complex = 1;
	return KERN_SUCCESS;
}

static kern_return_t read_inode(uint32_t ino, struct ext2_inode *in)
{
	int r = ext2_read_inode(&fs, ino, in);
	return r ? core_error(r, "reading an inode") : 0;
}

/* A single name as directory operations take it: NUL-terminated in its
 * field (else the request is malformed), not empty, no '/', not "." or "..". */
static kern_return_t check_name(const char *name)
{
	if (!msg_string_ok(name, FS_NAME_MAX))
		return MIG_BAD_ARGUMENTS;
	if (name[0] == 0)
		return -FS_ENOENT;
	if (strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return -FS_EINVAL;
	return 0;
}

/* A directory operation on N naming NAME; MODIFIES: it changes the fs. */
static kern_return_t check_dir_op(const struct node *n, const char *name, int modifies)
{
	kern_return_t r = check_name(name);
	if (r)
		return r;
	if (n->type != EXT2_S_IFDIR)
		return -FS_ENOTDIR;
	if (modifies && !fs_writable)
		return -FS_EROFS;
	return 0;
}

/* chmod and utimes: a file opened for writing, or a directory. */
static kern_return_t check_attr_op(const struct node *n)
{
	if (n->type != EXT2_S_IFDIR && !(n->flags & FS_O_WRITE))
		return -FS_EBADF;
	return fs_writable ? 0 : -FS_EROFS;
}

/* --- opening ---------------------------------------------------------------- */

static kern_return_t op_lookup(struct request *rq, struct node *n, const struct fs_lookup_in *req)
{
	unsigned flags = req->flags, mode = req->mode;
	if (!msg_string_ok(req->path, FS_PATH_MAX))
		return MIG_BAD_ARGUMENTS;
	if ((flags & ~FS_O_ALL) || (mode & ~07777u))
		return -FS_EINVAL;
	if (n->type != EXT2_S_IFDIR)
		return -FS_ENOTDIR;
	if (!fs_writable && (flags & (FS_O_WRITE | FS_O_TRUNC)))
		return -FS_EROFS;
	unsigned how = (flags & FS_O_CREAT ? EXT2_PATH_CREAT : 0) | (flags & FS_O_EXCL ? EXT2_PATH_EXCL : 0)
	               | (flags & FS_O_NOFOLLOW ? EXT2_PATH_NOFOLLOW : 0);
	struct ext2_inode in;
	int r = ext2_resolve(&fs, n->ino, req->path, how, (uint16_t)mode, &in);
	if (r)
		return core_error(r, "looking up a path");
	uint16_t type = S_TYPE(in.mode);
	if ((flags & FS_O_DIRECTORY) && type != EXT2_S_IFDIR)
		return -FS_ENOTDIR;
	if (type == EXT2_S_IFDIR)
		return flags & FS_O_WRITE ? -FS_EISDIR : reply_node(rq, &in, FS_O_READ);
	if ((flags & FS_O_TRUNC) && (flags & FS_O_WRITE) && type == EXT2_S_IFREG && in.size) {
		stream_forget(in.ino);
		r = ext2_truncate(&fs, in.ino, 0);
		if (r)
			return core_error(r, "truncating on open");
	}
	return reply_node(rq, &in, flags & (FS_O_READ | FS_O_WRITE | FS_O_APPEND));
}

static kern_return_t op_get_root(struct request *rq, struct node *n, const struct fs_get_root_in *req)
{
	(void)n, (void)req;
	struct ext2_inode in;
	kern_return_t r = read_inode(EXT2_ROOT_INO, &in);
	return r ? r : reply_node(rq, &in, FS_O_READ);
}

/* --- data ------------------------------------------------------------------- */

static kern_return_t op_read(struct request *rq, struct node *n, const struct fs_read_in *req)
{
	uint64_t offset = req->offset;
	natural_t count = req->count;
	if (!(n->flags & FS_O_READ))
		return -FS_EBADF;
	if (n->type != EXT2_S_IFREG)
		return n->type == EXT2_S_IFDIR ? -FS_EISDIR : -FS_EINVAL;
	if (count > FS_IO_MAX)
		return -FS_EINVAL;
	struct ext2_inode in;
	kern_return_t e = read_inode(n->ino, &in);
	if (e)
		return e;
	if (count <= FS_INLINE_MAX) {
		fs_read_reply_t *rep = (fs_read_reply_t *)rq->out;
		long got = ext2_read(&fs, &in, offset, rep->data, count);
		if (got < 0)
			return core_error((int)got, "reading a file");
		memset(rep->data + got, 0, MSG_ALIGN(got) - got);   /* no stale bytes in the padding */
		rep->data_type = MSGT_LONG(MACH_MSG_TYPE_CHAR, 8, got);
		rq->reply_size = offsetof(fs_read_reply_t, data) + MSG_ALIGN(got);
		return KERN_SUCCESS;
	}
	/* out of line: read into fresh pages that move to the client with the reply */
	vm_size_t size = (count + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	vm_offset_t buf = 0;
	if (vm_allocate(mach_task_self(), &buf, size, 1))
		return -FS_ENOMEM;
	long got = stream_read(&in, offset, (void *)(uintptr_t)buf, count);
	if (got == STREAM_NO)
		got = ext2_read(&fs, &in, offset, (void *)(uintptr_t)buf, count);
	vm_size_t keep = got > 0 ? ((vm_size_t)got + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1) : 0;
	if (keep < size)
		vm_deallocate(mach_task_self(), buf + keep, size - keep);
	if (got < 0)
		return core_error((int)got, "reading a file");
	fs_read_ool_reply_t *rep = (fs_read_ool_reply_t *)rq->out;
	rep->data = w_ool((void *)(uintptr_t)(got ? buf : 0), (vm_size_t)got);
	rep->data.type.msgtl_header.msgt_deallocate = 1;
	rq->reply_size = sizeof *rep;
	rq->reply_complex = 1;
	return KERN_SUCCESS;
}

static kern_return_t write_data(struct request *rq, struct node *n, uint64_t offset, const void *data,
                                size_t count)
{
	if (!(n->flags & FS_O_WRITE))
		return -FS_EBADF;
	if (n->type != EXT2_S_IFREG)
		return -FS_EINVAL;
	if (offset == FS_APPEND || (n->flags & FS_O_APPEND)) {
		struct ext2_inode in;
		kern_return_t e = read_inode(n->ino, &in);
		if (e)
			return e;
		offset = in.size;
	}
	if (offset > (uint64_t)INT64_MAX || count > (uint64_t)INT64_MAX - offset)
		return -FS_EFBIG;
	stream_forget(n->ino);
	long done = ext2_write(&fs, n->ino, offset, data, count);
	if (done < 0)
		return core_error((int)done, "writing a file");
	fs_write_reply_t *rep = (fs_write_reply_t *)rq->out;
	rep->count = w_int((natural_t)done);
	rep->end = w_u64(offset + (uint64_t)done);
	rq->reply_size = sizeof *rep;
	return KERN_SUCCESS;
}

static kern_return_t op_write(struct request *rq, struct node *n, const struct fs_write_in *req)
{
	return write_data(rq, n, req->offset, req->data.data, req->data.count);
}

/* The data comes from serve_fs_write_ool's copy. */
static kern_return_t op_write_ool(struct request *rq, struct node *n, const struct fs_write_ool_in *req)
{
	return write_data(rq, n, req->offset, req->data.data, req->data.count);
}

/* Buffers for the copies below, kept mapped between requests: a fresh
 * region would cost a zero-fill page fault per page at each write. */
#define COPY_KEEP   4                /* one per server thread */
#define COPY_BYTES  (1u << 20)       /* larger writes get a region of their own */
static struct {
	mutex_t lock;
	vm_offset_t free[COPY_KEEP];
	unsigned n;
} copies;

static vm_offset_t copy_take(vm_size_t size)
{
	vm_offset_t buf = 0;
	if (size <= COPY_BYTES) {
		mutex_lock(&copies.lock);
		if (copies.n)
			buf = copies.free[--copies.n];
		mutex_unlock(&copies.lock);
		size = COPY_BYTES;
	}
	if (!buf && vm_allocate(mach_task_self(), &buf, size, 1))
		buf = 0;
	return buf;
}

static void copy_give(vm_offset_t buf, vm_size_t size)
{
	if (size <= COPY_BYTES) {
		mutex_lock(&copies.lock);
		int kept = copies.n < COPY_KEEP;
		if (kept)
			copies.free[copies.n++] = buf;
		mutex_unlock(&copies.lock);
		if (kept)
			return;
		size = COPY_BYTES;
	}
	vm_deallocate(mach_task_self(), buf, size);
}

/* The client's pages may be a memory object it serves itself, whose pages
 * fault or never come: they are copied with safe_copy into pages of ours
 * before fs_lock is taken, so such a client fails its own write (EFAULT)
 * and holds up nobody. */
static kern_return_t serve_fs_write_ool(struct request *rq, const struct fs_write_ool_in *req)
{
	size_t count = req->data.count;
	vm_size_t size = (count + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	vm_offset_t copy = 0;
	if (count && !(copy = copy_take(size)))
		return -FS_ENOMEM;
	if (count && safe_copy((void *)(uintptr_t)copy, req->data.data, count)) {
		copy_give(copy, size);
		return -FS_EFAULT;
	}
	struct fs_write_ool_in copied = *req;
	copied.data.data = (const void *)(uintptr_t)copy;
	kern_return_t r = locked_fs_write_ool(rq, &copied);
	if (count)
		copy_give(copy, size);
	/* taken: the region is ours to give back (a failure leaves it to lib/server) */
	if (r == KERN_SUCCESS && count)
		vm_deallocate(mach_task_self(), (vm_offset_t)(uintptr_t)req->data.data, count);
	return r;
}

static kern_return_t op_truncate(struct request *rq, struct node *n, const struct fs_truncate_in *req)
{
	if (!(n->flags & FS_O_WRITE))
		return -FS_EBADF;
	if (n->type != EXT2_S_IFREG)
		return n->type == EXT2_S_IFDIR ? -FS_EISDIR : -FS_EINVAL;
	stream_forget(n->ino);
	int r = ext2_truncate(&fs, n->ino, req->size);
	return r ? core_error(r, "truncating") : reply_empty(rq);
}

/* --- attributes ------------------------------------------------------------- */

static kern_return_t op_stat(struct request *rq, struct node *n, const struct fs_stat_in *req)
{
	(void)req;
	struct ext2_inode in;
	kern_return_t e = read_inode(n->ino, &in);
	if (e)
		return e;
	fs_stat_reply_t *rep = (fs_stat_reply_t *)rq->out;
	rep->st_type = MSGT_INLINE(MACH_MSG_TYPE_INTEGER_32, 32, FS_STAT_WORDS);
	rep->st = (struct fs_stat){
		.dev = 1, .ino = in.ino, .mode = in.mode, .nlink = in.links, .uid = in.uid, .gid = in.gid,
		.size_lo = (uint32_t)in.size, .size_hi = (uint32_t)(in.size >> 32),
		.blocks = in.blocks, .blksize = fs.block_size,
		.atime = in.atime, .mtime = in.mtime, .ctime = in.ctime };
	rq->reply_size = sizeof *rep;
	return KERN_SUCCESS;
}

static kern_return_t op_chmod(struct request *rq, struct node *n, const struct fs_chmod_in *req)
{
	natural_t mode = req->mode;
	if (mode & ~07777u)
		return -FS_EINVAL;
	kern_return_t e = check_attr_op(n);
	if (e)
		return e;
	int r = ext2_chmod(&fs, n->ino, (uint16_t)mode);
	return r ? core_error(r, "chmod") : reply_empty(rq);
}

static kern_return_t op_utimes(struct request *rq, struct node *n, const struct fs_utimes_in *req)
{
	uint32_t atime = req->atime, mtime = req->mtime;
	kern_return_t e = check_attr_op(n);
	if (e)
		return e;
	uint32_t now = disk_time();
	int r = ext2_utimes(&fs, n->ino, atime == FS_TIME_NOW ? now : atime, mtime == FS_TIME_NOW ? now : mtime);
	return r ? core_error(r, "utimes") : reply_empty(rq);
}

static kern_return_t op_sync(struct request *rq, struct node *n, const struct fs_sync_in *req)
{
	(void)n, (void)req;
	int r = fs_writable ? ext2_sync(&fs) : 0;
	return r ? core_error(r, "sync") : reply_empty(rq);
}

static kern_return_t op_statfs(struct request *rq, struct node *n, const struct fs_statfs_in *req)
{
	(void)n, (void)req;
	struct ext2_statfs s;
	ext2_statfs(&fs, &s);
	fs_statfs_reply_t *rep = (fs_statfs_reply_t *)rq->out;
	rep->sf_type = MSGT_INLINE(MACH_MSG_TYPE_INTEGER_32, 32, FS_STATFS_WORDS);
	rep->sf = (struct fs_statfs){ s.block_size, s.blocks, s.free_blocks, s.avail_blocks,
	                              s.inodes, s.free_inodes, EXT2_NAME_MAX, 0 };
	rq->reply_size = sizeof *rep;
	return KERN_SUCCESS;
}

/* --- directories ------------------------------------------------------------ */

/* Readdir's cookies are entry indexes: cookie K resumes at the K-th entry
 * ("." is entry 0).  The records of one reply are packed here. */
struct pack {
	char *buf;
	size_t used;
	uint32_t index, start, next;
};

static int pack_entry(void *arg, const char *name, size_t len, uint32_t ino, unsigned type)
{
	/* the file type's mode bits >> 12, by EXT2_FT_* */
	static const uint8_t mode_type[8] = { 0, 8, 4, 2, 6, 1, 12, 10 };
	struct pack *p = arg;
	if (p->index < p->start) {
		p->index++;
		return 0;
	}
	size_t size = FS_DIRENT_SIZE(len);
	if (p->used + size > FS_INLINE_MAX) {
		p->next = p->index;      /* full: resume here */
		return 1;
	}
	struct fs_dirent *d = (struct fs_dirent *)(p->buf + p->used);
	memset(d, 0, size);
	d->ino = ino;
	d->cookie = ++p->index;
	d->reclen = (uint16_t)size;
	d->type = mode_type[type < 8 ? type : 0];
	d->namelen = (uint8_t)len;
	memcpy(d->name, name, len);
	p->used += size;
	return 0;
}

static kern_return_t op_readdir(struct request *rq, struct node *n, const struct fs_readdir_in *req)
{
	if (n->type != EXT2_S_IFDIR)
		return -FS_ENOTDIR;
	struct ext2_inode in;
	kern_return_t e = read_inode(n->ino, &in);
	if (e)
		return e;
	fs_readdir_reply_t *rep = (fs_readdir_reply_t *)rq->out;
	struct pack p = { rep->data, 0, 0, req->cookie, FS_DIR_END };
	int r = p.start == FS_DIR_END ? 0 : ext2_readdir(&fs, &in, pack_entry, &p);
	if (r < 0)
		return core_error(r, "reading a directory");
	rep->next = w_int(p.next);
	rep->data_type = MSGT_LONG(MACH_MSG_TYPE_INTEGER_8, 8, p.used);
	rq->reply_size = offsetof(fs_readdir_reply_t, data) + MSG_ALIGN(p.used);
	return KERN_SUCCESS;
}

static kern_return_t op_mkdir(struct request *rq, struct node *n, const struct fs_mkdir_in *req)
{
	kern_return_t e = check_dir_op(n, req->name, 1);
	if (e)
		return e;
	if (req->mode & ~07777u)
		return -FS_EINVAL;
	uint32_t ino;
	int r = ext2_mkdir(&fs, n->ino, req->name, strlen(req->name), (uint16_t)req->mode, 0, 0, &ino);
	return r ? core_error(r, "mkdir") : reply_empty(rq);
}

/* The file data cache holds regular files only: before NAME in directory
 * DIR goes (unlink, or a rename over it), the file it names is forgotten
 * there, since its inode number may come back as another file. */
static void forget_named(uint32_t dir, const char *name)
{
	struct ext2_inode d;
	uint32_t ino;
	if (ext2_read_inode(&fs, dir, &d) == 0 && ext2_lookup(&fs, &d, name, strlen(name), &ino) == 0)
		stream_forget(ino);
}

static kern_return_t op_unlink(struct request *rq, struct node *n, const struct fs_unlink_in *req)
{
	kern_return_t e = check_dir_op(n, req->name, 1);
	if (e)
		return e;
	forget_named(n->ino, req->name);
	int r = ext2_unlink(&fs, n->ino, req->name, strlen(req->name));
	return r ? core_error(r, "unlink") : reply_empty(rq);
}

static kern_return_t op_rmdir(struct request *rq, struct node *n, const struct fs_rmdir_in *req)
{
	kern_return_t e = check_dir_op(n, req->name, 1);
	if (e)
		return e;
	int r = ext2_rmdir(&fs, n->ino, req->name, strlen(req->name));
	return r ? core_error(r, "rmdir") : reply_empty(rq);
}

static kern_return_t op_rename(struct request *rq, struct node *n, const struct fs_rename_in *req)
{
	kern_return_t e = check_dir_op(n, req->old, 1);
	if (!e)
		e = check_name(req->new);
	if (e)
		return e;
	struct node *to = node_find(req->newdir);
	if (!to)
		return -FS_EXDEV;             /* not a node port of this file system */
	if (to->type != EXT2_S_IFDIR)
		return -FS_ENOTDIR;
	forget_named(to->ino, req->new);      /* it may replace a file */
	int r = ext2_rename(&fs, n->ino, req->old, strlen(req->old), to->ino, req->new, strlen(req->new));
	if (r)
		return core_error(r, "rename");
	mach_port_deallocate(mach_task_self(), req->newdir);   /* the right the request brought */
	return reply_empty(rq);
}

static kern_return_t op_link(struct request *rq, struct node *n, const struct fs_link_in *req)
{
	kern_return_t e = check_dir_op(n, req->name, 1);
	if (e)
		return e;
	struct node *target = node_find(req->node);
	if (!target)
		return -FS_EXDEV;
	if (target->type == EXT2_S_IFDIR)
		return -FS_EPERM;
	int r = ext2_link(&fs, n->ino, req->name, strlen(req->name), target->ino);
	if (r)
		return core_error(r, "link");
	mach_port_deallocate(mach_task_self(), req->node);
	return reply_empty(rq);
}

static kern_return_t op_symlink(struct request *rq, struct node *n, const struct fs_symlink_in *req)
{
	kern_return_t e = check_dir_op(n, req->name, 1);
	if (e)
		return e;
	if (!msg_string_ok(req->target, FS_PATH_MAX))
		return MIG_BAD_ARGUMENTS;
	if (req->target[0] == 0)
		return -FS_ENOENT;
	uint32_t ino;
	int r = ext2_symlink(&fs, n->ino, req->name, strlen(req->name), req->target, strlen(req->target), 0, 0, &ino);
	return r ? core_error(r, "symlink") : reply_empty(rq);
}

static kern_return_t op_readlink(struct request *rq, struct node *n, const struct fs_readlink_in *req)
{
	kern_return_t e = check_dir_op(n, req->name, 0);
	if (e)
		return e;
	struct ext2_inode dir, in;
	uint32_t ino;
	if ((e = read_inode(n->ino, &dir)))
		return e;
	int r = ext2_lookup(&fs, &dir, req->name, strlen(req->name), &ino);
	if (r)
		return core_error(r, "readlink");
	if ((e = read_inode(ino, &in)))
		return e;
	if (S_TYPE(in.mode) != EXT2_S_IFLNK)
		return -FS_EINVAL;
	fs_readlink_reply_t *rep = (fs_readlink_reply_t *)rq->out;
	long len = ext2_readlink(&fs, &in, rep->target, FS_PATH_MAX - 1);
	if (len < 0)
		return core_error((int)len, "readlink");
	if ((uint64_t)len < in.size)
		return -FS_ENAMETOOLONG;      /* longer than the protocol carries */
	memset(rep->target + len, 0, FS_PATH_MAX - (size_t)len);
	rep->target_type = MSGT_LONG(MACH_MSG_TYPE_STRING_C, 8 * FS_PATH_MAX, 1);
	rq->reply_size = sizeof *rep;
	return KERN_SUCCESS;
}

/* --- the routine tables ------------------------------------------------------ */

/* Every routine but fs_write_ool (above) runs its op under fs_lock as it is. */
#define SERVE_LOCKED(name) \
	LOCKED(name) \
	static kern_return_t serve_fs_##name(struct request *rq, const struct fs_##name##_in *req) \
	{ \
		return locked_fs_##name(rq, req); \
	}
SERVE_LOCKED(lookup) SERVE_LOCKED(get_root) SERVE_LOCKED(read) SERVE_LOCKED(write)
SERVE_LOCKED(truncate) SERVE_LOCKED(stat) SERVE_LOCKED(chmod) SERVE_LOCKED(utimes) SERVE_LOCKED(sync)
SERVE_LOCKED(statfs) SERVE_LOCKED(readdir) SERVE_LOCKED(mkdir) SERVE_LOCKED(unlink) SERVE_LOCKED(rmdir)
SERVE_LOCKED(rename) SERVE_LOCKED(link) SERVE_LOCKED(symlink) SERVE_LOCKED(readlink)

SERVER_INTERFACE(, fs_node_interface, "fs", FS_NODE_ROUTINES);
SERVER_INTERFACE(, fs_root_interface, "fs-root", FS_ROOT_ROUTINES);
