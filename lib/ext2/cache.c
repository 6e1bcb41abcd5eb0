/* The block cache of a cached mount: a fixed set of block buffers, found by
 * a hash of the block number and kept on one list in the order of use, so
 * that the least recently used unpinned buffer is the one reused.  It is
 * write-back: a changed buffer is marked dirty and reaches the disk at
 * ext2_sync or when it is evicted, always in the order of e2_writeback:
 * nothing on the disk ever points at a block that is not yet written.
 * The superblock and the group descriptors are not in the cache: super.c
 * keeps them in memory.  Every write is of whole blocks (or the 1024-byte
 * superblock at byte 1024), so offsets and sizes are multiples of 512. */
#include "ext2_int.h"

#define fail e2_fail
#define CACHE_MIN   32                  /* buffers; more than one call ever pins */
/* The longest run read ahead or written back at once.  Under QEMU each
 * disk request costs far more than its bytes, so a stream reader gets a
 * megabyte at a time (a 64 MiB cksum at 64 KiB a call makes 64 requests,
 * not 1024) and a large cp's write-back goes out a megabyte at a time. */
#define STAGE_BYTES (1u << 20)

int e2_disk_write(struct ext2_fs *fs, uint64_t off, const void *buf, size_t n, const char *what)
{
	if (off % 512 || n % 512 || off > fs->disk_bytes || n > fs->disk_bytes - off)
		return fail(fs, -EXT2_EIO, "%s: %zu bytes at offset %llu are not whole records of the disk",
			    what, n, (ull)off);
	fs->rw->unflushed = true;
	if (fs->rw->dev.write(fs->rw->dev.ctx, off, buf, n) != 0)
		return fail(fs, -EXT2_EIO, "%s: cannot write %zu bytes at offset %llu", what, n, (ull)off);
	return 0;
}

int e2_disk_drain(struct ext2_fs *fs, const char *what)
{
	if (fs->rw->dev.drain && fs->rw->dev.drain(fs->rw->dev.ctx) != 0)
		return fail(fs, -EXT2_EIO, "%s: a write did not complete", what);
	return 0;
}

int e2_cache_init(struct ext2_fs *fs, size_t bytes)
{
	struct ext2_rw *rw = fs->rw;
	uint32_t bs = fs->block_size;
	size_t n = (bytes ? bytes : EXT2_CACHE_DEFAULT) / bs;
	rw->nbufs = n < CACHE_MIN ? CACHE_MIN : n > (1u << 20) ? (1u << 20) : (uint32_t)n;
	for (rw->hash_bits = 4; (1u << rw->hash_bits) < rw->nbufs; rw->hash_bits++)
		;
	rw->stage_blocks = STAGE_BYTES / bs;
	rw->bufs = calloc(rw->nbufs, sizeof *rw->bufs);
	rw->hash = calloc(1u << rw->hash_bits, sizeof *rw->hash);
	rw->sorted = calloc(rw->nbufs, sizeof *rw->sorted);
	rw->mem = malloc((size_t)rw->nbufs * bs);
	rw->stage = malloc(STAGE_BYTES);
	rw->ahead = malloc(STAGE_BYTES);
	if (!rw->bufs || !rw->hash || !rw->sorted || !rw->mem || !rw->stage || !rw->ahead)
		return fail(fs, -EXT2_ENOMEM, "no memory for a cache of %u blocks", rw->nbufs);
	rw->lru.next = rw->lru.prev = &rw->lru;
	for (uint32_t i = 0; i < rw->nbufs; i++) {
		struct buf *b = &rw->bufs[i];
		b->data = rw->mem + (size_t)i * bs;
		b->next = rw->lru.next;
		b->prev = &rw->lru;
		rw->lru.next->prev = b;
		rw->lru.next = b;
	}
	return 0;
}

void e2_cache_free(struct ext2_rw *rw)
{
	free(rw->bufs);
	free(rw->hash);
	free(rw->sorted);
	free(rw->mem);
	free(rw->stage);
	free(rw->ahead);
}

static struct buf **chain_of(struct ext2_rw *rw, uint32_t blk)
{
	return &rw->hash[(blk * 2654435761u) >> (32 - rw->hash_bits)];
}

static struct buf *lookup(struct ext2_rw *rw, uint32_t blk)
{
	struct buf *b = *chain_of(rw, blk);
	while (b && b->blk != blk)
		b = b->hnext;
	return b;
}

static void unhash(struct ext2_rw *rw, struct buf *b)
{
	struct buf **pp = chain_of(rw, b->blk);
	while (*pp != b)
		pp = &(*pp)->hnext;
	*pp = b->hnext;
	b->blk = 0;
	b->dirty = b->fresh = b->in_log = false;
}

static void unlist(struct buf *b)
{
	b->prev->next = b->next;
	b->next->prev = b->prev;
}

/* Moves B to the front (most recent) or the back (first to go). */
static void list_at(struct ext2_rw *rw, struct buf *b, bool front)
{
	unlist(b);
	struct buf *after = front ? &rw->lru : rw->lru.prev;
	b->prev = after;
	b->next = after->next;
	after->next->prev = b;
	after->next = b;
}

bool e2_cached(struct ext2_fs *fs, uint32_t blk)
{
	return lookup(fs->rw, blk) != NULL;
}

/* Writes N buffers of consecutive blocks in one call, then marks them clean. */
static int write_run(struct ext2_fs *fs, struct buf **run, uint32_t n)
{
	struct ext2_rw *rw = fs->rw;
	uint32_t bs = fs->block_size;
	const uint8_t *src = run[0]->data;
	if (n > 1) {
		for (uint32_t i = 0; i < n; i++)
			memcpy(rw->stage + (size_t)i * bs, run[i]->data, bs);
		src = rw->stage;
	}
	int r = e2_disk_write(fs, (uint64_t)run[0]->blk * bs, src, (size_t)n * bs, "block write-back");
	for (uint32_t i = 0; !r && i < n; i++)
		run[i]->dirty = run[i]->in_log = false;
	return r;
}

static bool dirty_data(struct buf *x)
{
	return x && x->dirty && e2_wb_kind(x) == BUF_DATA;
}

/* File data just written back goes to the end of the list, first to be
 * reused: a writer is done with it (readers keep theirs in ext2fs's own
 * file data cache), and the metadata around it, say the indirect blocks
 * a later removal of the file reads, should outlive it. */
static void written_data(struct ext2_rw *rw, struct buf **run, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (run[i]->kind == BUF_DATA && !run[i]->fresh)
			list_at(rw, run[i], false);
}

/* Writes dirty file data block B with the dirty data blocks around it:
 * nothing waits for file data, so it may go out alone. */
static int write_cluster(struct ext2_fs *fs, struct buf *b)
{
	struct ext2_rw *rw = fs->rw;
	uint32_t lo = b->blk, n = 0;
	struct buf *x;
	while (b->blk - lo + 1 < rw->stage_blocks / 2 && dirty_data(lookup(rw, lo - 1)))
		lo--;
	for (; n < rw->stage_blocks && dirty_data(x = lookup(rw, lo + n)); n++)
		rw->sorted[n] = x;
	int r = write_run(fs, rw->sorted, n);
	if (!r)
		written_data(rw, rw->sorted, n);
	return r;
}

int e2_write_behind(struct ext2_fs *fs, uint32_t blk)
{
	struct ext2_rw *rw = fs->rw;
	/* up to an indirect block's span (and the indirect blocks) behind
	 * the writer: the indirect blocks among what goes out are complete */
	uint32_t s = rw->stage_blocks, lag = fs->block_size / 4 + 2;
	if (blk < lag + s)
		return 0;
	/* from where the last write-behind of this writer ended: its data
	 * skips the metadata at the start of each group */
	uint32_t hi = blk - lag, b = rw->wb_done < hi && hi - rw->wb_done <= 4 * s ? rw->wb_done : hi - s;
	rw->wb_done = hi;
	while (b < hi) {
		uint32_t n = 0;
		struct buf *x;
		while (b + n < hi && n < s && dirty_data(x = lookup(rw, b + n)))
			rw->sorted[n++] = x;
		if (n == 0) {
			b++;
			continue;
		}
		int r = write_run(fs, rw->sorted, n);
		if (r)
			return r;
		written_data(rw, rw->sorted, n);
		b += n;
	}
	return 0;
}

/* An unpinned buffer to reuse, taken off the hash, written first if dirty. */
static int take(struct ext2_fs *fs, struct buf **out)
{
	struct ext2_rw *rw = fs->rw;
	struct buf *b = rw->lru.prev;
	/* journalled, metadata reaches the disk only through a commit; the
	 * transaction's fresh indirect blocks go out with the data, but stay
	 * cached until it commits (a few per MiB of data: a removal or a
	 * read of the file soon after needs them), each passed over once */
	for (uint32_t kept = 0; b != &rw->lru;) {
		struct buf *older = b->prev;
		if (b->fresh && !b->pins && kept < rw->nbufs) {
			list_at(rw, b, true);
			kept++;
		} else if (!b->pins && !(rw->jnl && b->dirty && e2_wb_kind(b) != BUF_DATA)) {
			break;
		}
		b = older;
	}
	if (b == &rw->lru && rw->jnl) {
		int r = e2_journal_commit(fs);
		if (r)
			return r;
		for (b = rw->lru.prev; b != &rw->lru && b->pins; b = b->prev)
			;
	}
	if (b == &rw->lru)
		return fail(fs, -EXT2_ENOMEM, "block cache: all %u buffers are in use", rw->nbufs);
	if (b->dirty) {
		/* metadata goes out only after everything it may point at */
		int r = e2_wb_kind(b) == BUF_DATA ? write_cluster(fs, b) : e2_writeback(fs, b->kind);
		if (r)
			return r;
	} else if (b->in_log) {
		/* committed: the log has it, so it may go in place now */
		int r = write_run(fs, &b, 1);
		if (r)
			return r;
	}
	if (b->blk)
		unhash(rw, b);
	*out = b;
	return 0;
}

static void install(struct ext2_rw *rw, struct buf *b, uint32_t blk, int kind)
{
	struct buf **pp = chain_of(rw, blk);
	b->blk = blk;
	b->kind = (uint8_t)(kind == BUF_ANY ? BUF_BITMAP : kind);
	b->dirty = b->fresh = b->in_log = false;
	b->hnext = *pp;
	*pp = b;
	list_at(rw, b, true);
}

static int get(struct ext2_fs *fs, uint32_t blk, int kind, bool read, struct buf **out)
{
	struct ext2_rw *rw = fs->rw;
	if (!e2_block_ok(fs, blk))
		return fail(fs, -EXT2_EINVAL, "block %u is outside the fs", blk);
	struct buf *b = lookup(rw, blk);
	if (b) {
		/* a dirty block keeps its kind; a new use (e2_bnew) or a
		 * clean block read for a use sets it */
		if (kind != BUF_ANY && (!read || !b->dirty))
			b->kind = (uint8_t)kind;
		list_at(rw, b, true);
	} else {
		int r = take(fs, &b);
		if (r)
			return r;
		if (read && (r = e2_disk_read(fs, (uint64_t)blk * fs->block_size, b->data, fs->block_size, "block"))) {
			list_at(rw, b, false);
			return r;
		}
		install(rw, b, blk, kind);
	}
	if (!read) {
		/* a new use: what the log holds of its old one is revoked
		 * (journal.c), nothing of it is owed to the disk */
		memset(b->data, 0, fs->block_size);
		b->in_log = false;
	}
	b->pins++;
	*out = b;
	return 0;
}

int e2_bread(struct ext2_fs *fs, uint32_t blk, int kind, struct buf **out)
{
	return get(fs, blk, kind, true, out);
}

int e2_bnew(struct ext2_fs *fs, uint32_t blk, int kind, struct buf **out)
{
	return get(fs, blk, kind, false, out);
}

void e2_bdirty(struct buf *b)
{
	b->dirty = true;
}

int e2_bwrite_now(struct ext2_fs *fs, struct buf *b)
{
	return write_run(fs, &b, 1);
}

void e2_brelse(struct buf *b)
{
	b->pins--;
}

void e2_bforget(struct ext2_fs *fs, uint32_t blk)
{
	struct ext2_rw *rw = fs->rw;
	struct buf *b = lookup(rw, blk);
	if (!b)
		return;
	if (b->pins) {          /* a damaged map that uses the block twice */
		b->dirty = b->in_log = false;
		return;
	}
	unhash(rw, b);
	list_at(rw, b, false);
}

int e2_read_blocks(struct ext2_fs *fs, uint32_t blk, uint32_t n, uint8_t *dst)
{
	struct ext2_rw *rw = fs->rw;
	uint32_t bs = fs->block_size;
	for (uint32_t i = 0; i < n;) {
		struct buf *b = lookup(rw, blk + i);
		if (b) {
			memcpy(dst + (size_t)i * bs, b->data, bs);
			i++;
			continue;
		}
		uint32_t k = 1;
		while (i + k < n && !lookup(rw, blk + i + k))
			k++;
		int r = e2_disk_read(fs, (uint64_t)(blk + i) * bs, dst + (size_t)i * bs, (size_t)k * bs, "file data");
		if (r)
			return r;
		i += k;
	}
	return 0;
}

int e2_cache_put(struct ext2_fs *fs, uint32_t blk, const void *data, int kind)
{
	struct ext2_rw *rw = fs->rw;
	struct buf *b;
	if (lookup(rw, blk))
		return 0;
	int r = take(fs, &b);
	if (r)
		return r;
	memcpy(b->data, data, fs->block_size);
	install(rw, b, blk, kind);
	return 0;
}

int e2_prefetch(struct ext2_fs *fs, uint32_t blk, uint32_t n, int kind)
{
	struct ext2_rw *rw = fs->rw;
	uint32_t bs = fs->block_size, k = 0;
	/* not more than a quarter of the cache, so that a stream does not
	 * push out everything else */
	if (n > rw->stage_blocks)
		n = rw->stage_blocks;
	if (n > rw->nbufs / 4)
		n = rw->nbufs / 4;
	while (k < n && e2_block_ok(fs, blk + k) && !lookup(rw, blk + k))
		k++;
	if (k == 0)
		return 0;
	int r = e2_disk_read(fs, (uint64_t)blk * bs, rw->ahead, (size_t)k * bs, "read-ahead");
	for (uint32_t i = 0; !r && i < k; i++) {
		struct buf *b;
		r = take(fs, &b);
		if (!r) {
			memcpy(b->data, rw->ahead + (size_t)i * bs, bs);
			install(rw, b, blk + i, kind);
		}
	}
	return r;
}

static void sort_by_block(struct buf **a, uint32_t n)
{
	for (uint32_t gap = n / 2; gap > 0; gap /= 2)
		for (uint32_t i = gap; i < n; i++)
			for (uint32_t j = i; j >= gap && a[j - gap]->blk > a[j]->blk; j -= gap) {
				struct buf *t = a[j];
				a[j] = a[j - gap];
				a[j - gap] = t;
			}
}

/* The order of the pointers, what ext2_sync and eviction keep:
 *   BUF_DATA      file data (and new directory blocks, written empty by
 *                 e2_bwrite_now as soon as they are allocated)
 *   BUF_INDIRECT  indirect blocks, those that point at data first, then
 *                 those that point at them, and so on up
 *   BUF_ITABLE    inodes, which point at both
 *   BUF_DIR       directory entries, which name inodes
 *   BUF_BITMAP    bitmaps, which say all of those are in use
 * then (super.c) the group descriptors and the superblock, whose counts
 * summarise the bitmaps, then a flush.  A crash part way leaves blocks
 * written but not referenced, or referenced but still marked free, or
 * counts behind their bitmaps: e2fsck repairs each without a file ever
 * pointing at another file's old contents.  Removals go the same way, so
 * a crash may leave an entry naming a freed inode (e2fsck drops it); the
 * journal closes that window.  (Journalled, the running transaction's
 * fresh indirect blocks count as file data: journal.c.)  Each kind goes
 * out in block order, runs of consecutive blocks in one write, several
 * writes in flight; the next kind is issued only once every write of the
 * kinds before it is done. */
#define BUF_LOGGED (BUF_KINDS + 1)  /* writeback_kind: the in_log buffers */

static bool picked(const struct buf *b, int kind)
{
	return kind == BUF_LOGGED ? b->in_log && !b->dirty : b->dirty && e2_wb_kind(b) == kind;
}

static int writeback_kind(struct ext2_fs *fs, int kind)
{
	struct ext2_rw *rw = fs->rw;
	uint32_t n = 0;
	for (uint32_t i = 0; i < rw->nbufs; i++)
		if (picked(&rw->bufs[i], kind))
			rw->sorted[n++] = &rw->bufs[i];
	sort_by_block(rw->sorted, n);
	for (uint32_t i = 0; i < n;) {
		uint32_t k = 1;
		while (i + k < n && k < rw->stage_blocks && rw->sorted[i + k]->blk == rw->sorted[i]->blk + k)
			k++;
		int r = write_run(fs, rw->sorted + i, k);
		if (r)
			return r;
		if (kind == BUF_DATA)
			written_data(rw, rw->sorted + i, k);
		i += k;
	}
	return 0;
}

int e2_writeback(struct ext2_fs *fs, int kind)
{
	int r = 0;
	for (int k = BUF_DATA; !r && k <= kind; k++) {
		r = writeback_kind(fs, k);
		if (!r)
			r = e2_disk_drain(fs, "block write-back");
	}
	return r;
}

int e2_write_logged(struct ext2_fs *fs)
{
	int r = writeback_kind(fs, BUF_LOGGED);
	return r ? r : e2_disk_drain(fs, "checkpoint");
}
