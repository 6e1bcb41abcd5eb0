/* File data: reading (with runs of blocks that lie in a row on the disk
 * read in one call, and read-ahead on a cached mount), writing, truncating,
 * symbolic link targets, and the inode attributes a caller may set. */
#include "ext2_int.h"

#define fail e2_fail
#define RUN_MAX 256             /* blocks read straight into the caller's buffer at once */

/* After a read of DONE bytes at OFFSET: when reads of this inode go in
 * order, the blocks after the request that lie in a row on the disk go
 * into the cache in one read, so that the next small read finds them. */
static void read_ahead(struct ext2_fs *fs, const struct ext2_inode *in, uint64_t offset, size_t done)
{
	struct ext2_rw *rw = fs->rw;
	uint32_t bs = fs->block_size, window = rw->stage_blocks, b, next;
	uint64_t end = offset + done, lb = (end + bs - 1) / bs;
	bool in_order = offset == 0 || (rw->ra_ino == in->ino && offset / bs == rw->ra_next);
	rw->ra_ino = in->ino;
	rw->ra_next = end / bs;
	/* large reads go straight to the caller's buffer and need none */
	if (!in_order || done >= (size_t)window * bs || lb * bs >= in->size)
		return;
	if (e2_bmap(fs, in, lb, &b) || b == 0 || e2_cached(fs, b))
		return;
	uint32_t k = 1;
	while (k < window && (lb + k) * bs < in->size && e2_bmap(fs, in, lb + k, &next) == 0 && next == b + k)
		k++;
	e2_prefetch(fs, b, k, BUF_DATA);        /* only a hint: a failure shows at the real read */
}

/* Whether logical block LB starts a new indirect block that lies at AT
 * on the disk, not cached: 1 for that indirect block; 2 when LB is the
 * first block under the double-indirect block and that lies at AT (its
 * first indirect block follows it, as the allocator lays them out, once
 * it says so); 0 otherwise, or when finding out would read the disk. */
static uint32_t indirect_at(struct ext2_fs *fs, const struct ext2_inode *in, uint64_t lb, uint32_t at)
{
	int levels;
	uint32_t idx[4];
	if (e2_block_path(fs, in->ino, lb, &levels, idx) || levels == 0 || idx[levels] != 0)
		return 0;
	uint32_t b = in->block[idx[0]];
	if (levels == 2 && idx[1] == 0)
		return b == at && e2_block_ok(fs, b) && !e2_cached(fs, b) ? 2 : 0;
	for (int k = 1; k < levels && b != 0; k++) {
		uint8_t e[4];
		if (!e2_block_ok(fs, b) || !e2_cached(fs, b) || e2_meta_read(fs, b, idx[k] * 4, e, 4, "indirect block"))
			return 0;
		b = le32(e);
	}
	return b == at && e2_block_ok(fs, b) && !e2_cached(fs, b) ? 1 : 0;
}

long ext2_read(struct ext2_fs *fs, const struct ext2_inode *ino, uint64_t offset, void *buf, size_t count)
{
	if (offset >= ino->size)
		return 0;
	if (count > ino->size - offset)
		count = (size_t)(ino->size - offset);
	if (count > READ_MAX)
		count = READ_MAX;
	uint32_t bs = fs->block_size;
	uint8_t *p = buf;
	size_t done = 0;
	/* a block or a run of blocks per turn: at most COUNT / block size + 2 turns */
	while (done < count) {
		uint64_t pos = offset + done, lb = pos / bs;
		uint32_t in = (uint32_t)(pos % bs), b, next;
		size_t n = bs - in;
		if (n > count - done)
			n = count - done;
		int r = e2_bmap(fs, ino, lb, &b);
		if (r)
			return r;
		if (b == 0) {
			memset(p + done, 0, n);
		} else if (n == bs) {
			/* a run that ends where the indirect block mapping what
			 * follows lies (a 1 KiB-block file's layout: one every
			 * 256 blocks) reads that block with it, into the cache
			 * (the buffer has room: the next run overwrites it):
			 * one request, not two */
			uint32_t k = 1, tail = 0;
			while ((count - done) / bs > k) {
				if (fs->rw && (tail = indirect_at(fs, ino, lb + k, b + k)) != 0) {
					if ((count - done) / bs >= k + tail)
						break;
					tail = 0;
				}
				if (k == RUN_MAX || e2_bmap(fs, ino, lb + k, &next) || next != b + k)
					break;
				k++;
			}
			r = fs->rw ? e2_read_blocks(fs, b, k + tail, p + done)
				   : e2_disk_read(fs, (uint64_t)b * bs, p + done, (size_t)k * bs, "file data");
			const uint8_t *t = p + done + (size_t)k * bs;
			if (!r && tail)
				r = e2_cache_put(fs, b + k, t, BUF_INDIRECT + (int)tail - 1);
			if (!r && tail == 2 && le32(t) == b + k + 1)
				r = e2_cache_put(fs, b + k + 1, t + bs, BUF_INDIRECT);
			if (r)
				return r;
			n = (size_t)k * bs;
		} else if (fs->rw) {
			struct buf *d;
			if ((r = e2_bread(fs, b, BUF_DATA, &d)))
				return r;
			memcpy(p + done, d->data + in, n);
			e2_brelse(d);
		} else if ((r = e2_disk_read(fs, (uint64_t)b * bs + in, p + done, n, "file data"))) {
			return r;
		}
		done += n;
	}
	if (fs->rw)
		read_ahead(fs, ino, offset, done);
	return (long)done;
}

long ext2_readlink(struct ext2_fs *fs, const struct ext2_inode *ino, char *buf, size_t size)
{
	if ((ino->mode & EXT2_S_IFMT) != EXT2_S_IFLNK)
		return fail(fs, -EXT2_EINVAL, "inode %u is not a symbolic link", ino->ino);
	if (ino->size == 0 || ino->size >= fs->block_size)
		return fail(fs, -EXT2_EINVAL, "symbolic link %u: size %llu", ino->ino, (ull)ino->size);
	size_t n = (size_t)ino->size < size ? (size_t)ino->size : size;
	if (e2_fast_link(fs, ino)) {
		if (ino->size >= FAST_LINK_MAX)
			return fail(fs, -EXT2_EINVAL, "fast symbolic link %u: size %llu", ino->ino, (ull)ino->size);
		uint8_t t[FAST_LINK_MAX];
		for (int k = 0; k < 15; k++)
			put_le32(t + 4 * k, ino->block[k]);
		memcpy(buf, t, n);
		return (long)n;
	}
	return ext2_read(fs, ino, 0, buf, n);
}

/* --- changing files ----------------------------------------------------------- */

/* Inode INO, read to be changed: the mount must be writable. */
static int get_writable(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in)
{
	int r = e2_writable(fs);
	return r ? r : e2_iget(fs, ino, in);
}

/* Regular file INO, read to be changed. */
static int get_regular(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in)
{
	int r = get_writable(fs, ino, in);
	if (r)
		return r;
	switch (in->mode & EXT2_S_IFMT) {
	case EXT2_S_IFREG:
		return 0;
	case EXT2_S_IFDIR:
		return fail(fs, -EXT2_EISDIR, "inode %u is a directory", in->ino);
	}
	return fail(fs, -EXT2_EINVAL, "inode %u is not a regular file (mode 0%o)", in->ino, in->mode);
}

/* Zeroes the last block of a file of SIZE bytes past SIZE: a file that
 * grows must read zeros there, whatever an earlier writer left. */
static int zero_tail(struct ext2_fs *fs, const struct ext2_inode *in, uint64_t size)
{
	uint32_t bs = fs->block_size, b, at = (uint32_t)(size % bs);
	struct buf *d;
	if (at == 0)
		return 0;
	int r = e2_bmap(fs, in, size / bs, &b);
	if (r || b == 0)
		return r;
	if ((r = e2_bread(fs, b, BUF_DATA, &d)))
		return r;
	memset(d->data + at, 0, bs - at);
	e2_bdirty(d);
	e2_brelse(d);
	return 0;
}

/* Checks that a regular file may reach SIZE bytes, setting large_file for
 * sizes past 2 GiB. */
static int may_reach(struct ext2_fs *fs, const struct ext2_inode *in, uint64_t size)
{
	if (size > e2_max_size(fs))
		return fail(fs, -EXT2_EFBIG, "inode %u: size %llu past the largest file (%llu bytes)", in->ino,
			    (ull)size, (ull)e2_max_size(fs));
	if (size > 0x7fffffff && !fs->large_file)
		e2_set_large_file(fs);
	return 0;
}

void ext2_write_behind(struct ext2_fs *fs, bool on)
{
	if (fs->rw)
		fs->rw->no_write_behind = !on;
}

long ext2_write(struct ext2_fs *fs, uint32_t ino, uint64_t offset, const void *buf, size_t count)
{
	struct ext2_inode in;
	int r = get_regular(fs, ino, &in);
	if (r || count == 0)
		return r;
	if (count > READ_MAX)
		count = READ_MAX;
	if ((r = may_reach(fs, &in, offset > UINT64_MAX - count ? UINT64_MAX : offset + count)))
		return r;
	if (offset > in.size && (r = zero_tail(fs, &in, in.size)))
		return r;
	uint32_t bs = fs->block_size;
	const uint8_t *src = buf;
	size_t done = 0;
	uint32_t last = 0;              /* the disk block written last */
	while (done < count) {
		uint64_t pos = offset + done;
		uint32_t at = (uint32_t)(pos % bs), b;
		size_t n = bs - at < count - done ? bs - at : count - done;
		bool fresh;
		struct buf *d;
		r = e2_bmap_alloc(fs, &in, pos / bs, &b, &fresh);
		if (r)
			break;
		/* a new block or a whole one is not read first */
		r = fresh || n == bs ? e2_bnew(fs, b, BUF_DATA, &d) : e2_bread(fs, b, BUF_DATA, &d);
		if (r)
			break;
		memcpy(d->data + at, src + done, n);
		e2_bdirty(d);
		e2_brelse(d);
		last = b;
		done += n;
		if (pos + n > in.size)
			in.size = pos + n;
	}
	if (done)
		in.mtime = in.ctime = e2_now(fs);
	int w = e2_iput(fs, &in);
	struct ext2_rw *rw = fs->rw;
	if (done && rw->wb_ino == ino && rw->wb_next == offset)
		rw->wb_blocks += (uint32_t)(done / bs);
	else
		rw->wb_blocks = rw->wb_done = 0;
	rw->wb_ino = ino;
	rw->wb_next = offset + done;
	if (rw->wb_blocks >= rw->stage_blocks && !rw->no_write_behind) {
		rw->wb_blocks = 0;
		e2_write_behind(fs, last);
	}
	if (done)
		return (long)done;
	return r ? r : w;
}

int ext2_truncate(struct ext2_fs *fs, uint32_t ino, uint64_t size)
{
	struct ext2_inode in;
	int r = get_regular(fs, ino, &in);
	if (!r)
		r = may_reach(fs, &in, size);
	if (r)
		return r;
	uint32_t bs = fs->block_size;
	r = zero_tail(fs, &in, size < in.size ? size : in.size);
	if (!r && size < in.size)
		r = e2_free_blocks(fs, &in, (size + bs - 1) / bs);
	if (!r)
		in.size = size;
	in.mtime = in.ctime = e2_now(fs);
	int w = e2_iput(fs, &in);
	return r ? r : w;
}

int ext2_chmod(struct ext2_fs *fs, uint32_t ino, uint16_t perm)
{
	struct ext2_inode in;
	int r = get_writable(fs, ino, &in);
	if (r)
		return r;
	in.mode = (uint16_t)((in.mode & EXT2_S_IFMT) | (perm & 07777));
	in.ctime = e2_now(fs);
	return e2_iput(fs, &in);
}

int ext2_utimes(struct ext2_fs *fs, uint32_t ino, uint32_t atime, uint32_t mtime)
{
	struct ext2_inode in;
	int r = get_writable(fs, ino, &in);
	if (r)
		return r;
	in.atime = atime;
	in.mtime = mtime;
	in.ctime = e2_now(fs);
	return e2_iput(fs, &in);
}
