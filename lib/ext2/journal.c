/* Writing the ext3 journal (jbd2, docs/journal.md): on a file system with
 * has_journal, every ext2_sync is one transaction in ordered mode:
 *   1. file data is written in place (nothing the transaction makes
 *      point at it can reach the disk first), and with it the indirect
 *      blocks allocated in this transaction ("fresh": free on the disk as
 *      last committed, so nothing there points at them; written in place
 *      early they change nothing a cut can see, and a 1 KiB-block file's
 *      data and indirect blocks go out as one run, not a data run cut at
 *      every indirect block plus a log block and a checkpoint write each);
 *   2. every other dirty metadata block (indirect blocks, inodes,
 *      directories, bitmaps, the group descriptors, the superblock) is
 *      copied into the log after a descriptor block naming them, with
 *      revoke records (below); flush (which also makes step 1 durable);
 *      then the commit block, flush.  That is all a sync waits for.
 * The checkpoint is lazy, as jbd2's: committed blocks stay in the cache
 * marked in_log and go in place whenever convenient (when evicted, or
 * all at once when the log is a quarter full or at unmount: write them,
 * flush, mark the journal empty, flush).  Meanwhile the log holds several
 * transactions one after the other in its ring, and the journal
 * superblock keeps pointing at the oldest: replay at the next mount
 * (replay.c) writes them all in order, the newest copy of a block last,
 * so a block written in place early (always with committed content,
 * never with a dirty buffer's) is set right again.  What replay must not
 * do is write an old logged copy over a block that was freed since and
 * given a new use: the transaction that frees a block the log holds
 * carries a revoke record for it, and the block is not handed out again
 * before that transaction commits (alloc.c).  Meanwhile the cache never
 * writes dirty metadata in place (cache.c).  A journal superblock of
 * version 1 has no revoke feature: there every commit empties the log. */
#include "ext2_int.h"
#include "jbd2.h"

#define fail e2_fail

struct e2_journal {
	uint32_t *map;                  /* the fs block of each journal block */
	uint32_t first, maxlen, seq, tag_bytes;
	uint32_t tail;                  /* where replay would start (the superblock's start); 0: empty */
	uint32_t head;                  /* where the next transaction goes */
	bool lazy;                      /* revoke records allowed: the checkpoint can wait */
	uint32_t *live, nlive;          /* the fs blocks logged since the log was last empty */
	uint8_t *jsb, *blk;             /* the journal superblock; a block to build in */
	uint8_t *sbblk;                 /* the fs block that holds the superblock */
	uint32_t sbblk_no;
};

static int jwrite(struct ext2_fs *fs, uint32_t jb, const void *buf)
{
	return e2_disk_write(fs, (uint64_t)fs->rw->jnl->map[jb] * fs->block_size, buf, fs->block_size, "journal");
}

static int flush(struct ext2_fs *fs)
{
	if (fs->rw->dev.flush(fs->rw->dev.ctx) != 0)
		return fail(fs, -EXT2_EIO, "the disk did not flush its cache");
	fs->rw->unflushed = false;
	return 0;
}

int e2_journal_open(struct ext2_fs *fs)
{
	struct ext2_rw *rw = fs->rw;
	uint32_t bs = fs->block_size, inum = le32(rw->sb + SB_JOURNAL_INUM);
	struct ext2_inode in;
	struct e2_journal *j = calloc(1, sizeof *j);
	if (!j)
		return fail(fs, -EXT2_ENOMEM, "no memory for the journal");
	rw->jnl = j;
	j->jsb = malloc(bs);
	j->blk = malloc(bs);
	j->sbblk = malloc(bs);
	if (!j->jsb || !j->blk || !j->sbblk)
		return fail(fs, -EXT2_ENOMEM, "no memory for the journal");
	int r = ext2_read_inode(fs, inum, &in);
	uint32_t b0 = 0;
	if (!r)
		r = e2_bmap(fs, &in, 0, &b0);
	if (!r && !e2_block_ok(fs, b0))
		r = fail(fs, -EXT2_EINVAL, "journal: its first block %u is outside the fs", b0);
	if (!r)
		r = e2_disk_read(fs, (uint64_t)b0 * bs, j->jsb, bs, "journal superblock");
	if (r)
		return r;
	const uint8_t *s = j->jsb;
	uint32_t type = be32(s + 4);
	if (be32(s) != JMAGIC || (type != JT_SB_V1 && type != JT_SB_V2))
		return fail(fs, -EXT2_EINVAL, "journal: no journal superblock (magic 0x%x, type %u)", be32(s), type);
	if (be32(s + JS_BLOCKSIZE) != bs)
		return fail(fs, -EXT2_EINVAL, "journal: block size %u, the fs has %u", be32(s + JS_BLOCKSIZE), bs);
	j->maxlen = be32(s + JS_MAXLEN);
	j->first = be32(s + JS_FIRST);
	j->seq = be32(s + JS_SEQUENCE);
	if (j->maxlen > in.size / bs || j->first == 0 || j->first + 8 > j->maxlen)
		return fail(fs, -EXT2_EINVAL, "journal: ring %u..%u does not fit its %llu blocks", j->first, j->maxlen,
			    (ull)(in.size / bs));
	if (be32(s + JS_START))
		return fail(fs, -EXT2_EINVAL, "journal: not empty after recovery (start %u)", be32(s + JS_START));
	uint32_t incompat = type == JT_SB_V2 ? be32(s + JS_INCOMPAT) : 0;
	if ((type == JT_SB_V2 && be32(s + JS_COMPAT)) || (incompat & ~(uint32_t)(JI_REVOKE | JI_64BIT)))
		return fail(fs, -EXT2_ENOTSUP, "journal features compat 0x%x incompat 0x%x not supported for writing",
			    be32(s + JS_COMPAT), incompat);
	j->tag_bytes = incompat & JI_64BIT ? 12 : 8;
	if (type == JT_SB_V2) {
		/* set on the disk with the first transaction's superblock write,
		 * before any revoke block can count */
		put_be32(j->jsb + JS_INCOMPAT, incompat | JI_REVOKE);
		j->lazy = true;
	}
	j->head = j->first;
	j->map = malloc((size_t)j->maxlen * sizeof *j->map);
	j->live = malloc((size_t)j->maxlen * sizeof *j->live);
	if (!j->map || !j->live)
		return fail(fs, -EXT2_ENOMEM, "no memory for the map of a journal of %u blocks", j->maxlen);
	j->map[0] = b0;
	for (uint32_t i = 1; !r && i < j->maxlen; i++) {
		r = e2_bmap(fs, &in, i, &j->map[i]);
		if (!r && !e2_block_ok(fs, j->map[i]))
			r = fail(fs, -EXT2_EINVAL, "journal: block %u is a hole or outside the fs (%u)", i, j->map[i]);
	}
	/* the block that holds the superblock, journalled whole */
	j->sbblk_no = fs->first_data_block == 0 ? 0 : 1;
	if (!r)
		r = e2_disk_read(fs, (uint64_t)j->sbblk_no * bs, j->sbblk, bs, "superblock block");
	return r;
}

void e2_journal_free(struct ext2_rw *rw)
{
	struct e2_journal *j = rw->jnl;
	if (!j)
		return;
	free(j->map);
	free(j->live);
	free(j->jsb);
	free(j->blk);
	free(j->sbblk);
	free(j);
	rw->jnl = NULL;
}

static uint32_t ring(const struct e2_journal *j)
{
	return j->maxlen - j->first;
}

/* Journal block JB advanced by N around the ring. */
static uint32_t jadd(const struct e2_journal *j, uint32_t jb, uint32_t n)
{
	return j->first + (jb - j->first + n) % ring(j);
}

/* The journal blocks the committed transactions still hold. */
static uint32_t used(const struct e2_journal *j)
{
	return j->tail ? (j->head + ring(j) - j->tail) % ring(j) : 0;
}

/* The bytes of one revoke record (64bit journals: 8); the tags a
 * descriptor block holds, and the records a revoke block holds. */
static uint32_t rev_width(const struct e2_journal *j)
{
	return j->tag_bytes == 12 ? 8 : 4;
}

static uint32_t tags_per(const struct e2_journal *j, uint32_t bs)
{
	return (bs - 12) / j->tag_bytes;
}

static uint32_t revokes_per(const struct e2_journal *j, uint32_t bs)
{
	return (bs - 16) / rev_width(j);
}

/* The journal blocks a transaction of N logged blocks and R revoke
 * records takes: revoke blocks, descriptors, the blocks, the commit. */
static uint32_t tx_size(const struct e2_journal *j, uint32_t bs, uint32_t n, uint32_t r)
{
	uint32_t per = tags_per(j, bs), rper = revokes_per(j, bs);
	return (r + rper - 1) / rper + n + (n + per - 1) / per + 1;
}

/* Commits come before a transaction outgrows half the ring: after each
 * commit the committed ones hold at most a quarter (else the log is
 * emptied), so the next always fits.  Before the blocks it could revoke
 * (those logged since the log was last empty) reach replay's limit.  And
 * before most free blocks are ones this transaction freed (alloc.c):
 * they are usable after it. */
bool e2_journal_full(struct ext2_fs *fs)
{
	struct ext2_rw *rw = fs->rw;
	struct e2_journal *j = rw->jnl;
	if (!j)
		return false;
	if (e2_freed_many(fs) || e2_freed_most(fs))
		return true;
	uint32_t n = 0;
	for (uint32_t i = 0; i < rw->nbufs; i++)
		n += rw->bufs[i].dirty && e2_wb_kind(&rw->bufs[i]) != BUF_DATA;
	return tx_size(j, fs->block_size, n + rw->gdt_blocks + 1, j->nlive + n) > ring(j) / 2 || n > rw->nbufs / 2
	       || j->nlive + n + rw->gdt_blocks + 1 >= JREVOKES_MAX;
}

static void put_jsb(struct e2_journal *j, uint32_t start)
{
	put_be32(j->jsb + JS_SEQUENCE, j->seq);
	put_be32(j->jsb + JS_START, start);
}

/* The blocks of one transaction: buffers, descriptor blocks, superblock. */
struct tx {
	struct buf **meta;
	uint32_t nmeta;
	uint32_t n;                     /* fs blocks logged */
};

static uint32_t tx_block(struct ext2_fs *fs, const struct tx *t, uint32_t i, const uint8_t **data)
{
	struct ext2_rw *rw = fs->rw;
	if (i < t->nmeta) {
		*data = t->meta[i]->data;
		return t->meta[i]->blk;
	}
	i -= t->nmeta;
	if (rw->gdt_dirty && i < rw->gdt_blocks) {
		*data = rw->gdt + (size_t)i * fs->block_size;
		return fs->first_data_block + 1 + i;
	}
	*data = rw->jnl->sbblk;
	return rw->jnl->sbblk_no;
}

/* The log goes out in runs: blocks bound for journal blocks that lie in
 * a row on the disk are gathered in the cache's stage (free while a
 * commit writes its log) and written in one request. */
struct run {
	uint32_t jb0, n;                /* journal blocks jb0..+n gathered */
};

static int run_out(struct ext2_fs *fs, struct run *u)
{
	struct ext2_rw *rw = fs->rw;
	int r = u->n ? e2_disk_write(fs, (uint64_t)rw->jnl->map[u->jb0] * fs->block_size, rw->stage,
	                             (size_t)u->n * fs->block_size, "journal") : 0;
	u->n = 0;
	return r;
}

static int run_add(struct ext2_fs *fs, struct run *u, uint32_t jb, const void *data)
{
	struct ext2_rw *rw = fs->rw;
	int r = 0;
	if (u->n && (u->n == rw->stage_blocks || rw->jnl->map[jb] != rw->jnl->map[u->jb0] + u->n))
		r = run_out(fs, u);
	if (u->n == 0)
		u->jb0 = jb;
	memcpy(rw->stage + (size_t)u->n++ * fs->block_size, data, fs->block_size);
	return r;
}

/* The blocks freed in this transaction that the log (or the transaction
 * itself) holds a copy of: each needs a revoke record, or replay could
 * write that copy over the block's next use.  Sorted, each once. */
static int revokes_of(struct ext2_fs *fs, const struct tx *t, uint32_t **out, uint32_t *count)
{
	struct ext2_rw *rw = fs->rw;
	struct e2_journal *j = rw->jnl;
	*out = NULL;
	*count = 0;
	if (rw->freed.n == 0)
		return 0;
	uint32_t *v = malloc(((size_t)j->nlive + t->n) * sizeof *v), n = 0;
	if (!v)
		return fail(fs, -EXT2_ENOMEM, "no memory for the revoke records");
	for (uint32_t i = 0; i < j->nlive + t->n; i++) {
		const uint8_t *data;
		uint32_t b = i < j->nlive ? j->live[i] : tx_block(fs, t, i - j->nlive, &data);
		if (e2_ranges_has(&rw->freed, b))
			v[n++] = b;
	}
	for (uint32_t gap = n / 2; gap > 0; gap /= 2)          /* shell sort */
		for (uint32_t a = gap; a < n; a++)
			for (uint32_t b = a; b >= gap && v[b - gap] > v[b]; b -= gap) {
				uint32_t x = v[b];
				v[b] = v[b - gap];
				v[b - gap] = x;
			}
	uint32_t u = 0;
	for (uint32_t i = 0; i < n; i++)
		if (u == 0 || v[u - 1] != v[i])
			v[u++] = v[i];
	*out = v;
	*count = u;
	return 0;
}

/* Writes the log of the transaction from journal block START on: its
 * revoke blocks, then descriptor blocks each followed by the blocks it
 * names. */
static int write_log(struct ext2_fs *fs, const struct tx *t, uint32_t start, const uint32_t *rev, uint32_t nrev)
{
	struct e2_journal *j = fs->rw->jnl;
	uint32_t bs = fs->block_size, per = tags_per(j, bs), jb = start;
	uint32_t width = rev_width(j), rper = revokes_per(j, bs);
	struct run u = { 0, 0 };
	int r = 0;
	for (uint32_t i = 0; !r && i < nrev; i += rper) {
		uint32_t k = nrev - i < rper ? nrev - i : rper;
		memset(j->blk, 0, bs);
		put_be32(j->blk, JMAGIC);
		put_be32(j->blk + 4, JT_REVOKE);
		put_be32(j->blk + 8, j->seq);
		put_be32(j->blk + 12, 16 + k * width);
		for (uint32_t x = 0; x < k; x++)
			put_be32(j->blk + 16 + x * width + (width - 4), rev[i + x]);
		r = run_add(fs, &u, jb, j->blk);
		jb = jadd(j, jb, 1);
	}
	for (uint32_t i = 0; !r && i < t->n; i += per) {
		uint32_t k = t->n - i < per ? t->n - i : per;
		memset(j->blk, 0, bs);
		put_be32(j->blk, JMAGIC);
		put_be32(j->blk + 4, JT_DESCRIPTOR);
		put_be32(j->blk + 8, j->seq);
		for (uint32_t x = 0; x < k; x++) {
			const uint8_t *data;
			uint32_t blk = tx_block(fs, t, i + x, &data);
			uint32_t flags = TAG_SAME_UUID | (x + 1 == k ? TAG_LAST : 0) | (be32(data) == JMAGIC ? TAG_ESCAPE : 0);
			uint8_t *tag = j->blk + 12 + x * j->tag_bytes;
			put_be32(tag, blk);
			put_be32(tag + 4, flags);
		}
		r = run_add(fs, &u, jb, j->blk);
		jb = jadd(j, jb, 1);
		for (uint32_t x = 0; !r && x < k; x++) {
			const uint8_t *data;
			tx_block(fs, t, i + x, &data);
			if (be32(data) == JMAGIC) {
				memcpy(j->blk, data, bs);
				put_be32(j->blk, 0);
				data = j->blk;
			}
			r = run_add(fs, &u, jb, data);
			jb = jadd(j, jb, 1);
		}
	}
	int w = run_out(fs, &u);
	return r ? r : w;
}

static int write_jsb(struct ext2_fs *fs, uint32_t start)
{
	struct e2_journal *j = fs->rw->jnl;
	put_jsb(j, start);
	return jwrite(fs, 0, j->jsb);
}

/* The transaction is on the disk: its blocks are committed content the
 * log holds, free to go in place from now on (until changed again). */
static void logged(struct ext2_fs *fs, const struct tx *t)
{
	struct ext2_rw *rw = fs->rw;
	struct e2_journal *j = rw->jnl;
	for (uint32_t i = 0; i < t->n; i++) {
		const uint8_t *data;
		j->live[j->nlive++] = tx_block(fs, t, i, &data);
	}
	for (uint32_t i = 0; i < t->nmeta; i++) {
		t->meta[i]->dirty = false;
		t->meta[i]->in_log = true;
	}
	if (rw->gdt_dirty)
		rw->gdt_in_log = true;
	rw->gdt_dirty = false;
	rw->sb_in_log = true;
	rw->sb_dirty = false;
}

/* The running transaction is on the disk: its fresh blocks are committed
 * ones now, and from here on change through the log like any other; the
 * blocks it freed may be handed out again. */
static void committed(struct ext2_rw *rw)
{
	for (uint32_t i = 0; i < rw->nbufs; i++)
		rw->bufs[i].fresh = false;
	e2_ranges_clear(&rw->freed);
}

int e2_journal_commit(struct ext2_fs *fs)
{
	struct ext2_rw *rw = fs->rw;
	struct e2_journal *j = rw->jnl;
	/* ordered mode: the data first */
	int r = e2_writeback(fs, BUF_DATA);
	if (r)
		return r;
	struct tx t = { .meta = rw->sorted };
	for (uint32_t i = 0; i < rw->nbufs; i++)
		if (rw->bufs[i].dirty && e2_wb_kind(&rw->bufs[i]) != BUF_DATA)
			t.meta[t.nmeta++] = &rw->bufs[i];
	if (t.nmeta == 0 && !rw->gdt_dirty && !rw->sb_dirty) {
		e2_ranges_clear(&rw->freed);
		return rw->unflushed ? flush(fs) : 0;
	}
	if (rw->sb_dirty)
		put_le32(rw->sb + SB_WTIME, e2_now(fs));
	memcpy(j->sbblk + (j->sbblk_no == 0 ? SUPER_OFFSET : 0), rw->sb, SUPER_SIZE);
	t.n = t.nmeta + (rw->gdt_dirty ? rw->gdt_blocks : 0) + 1;
	uint32_t *rev, nrev;
	if ((r = revokes_of(fs, &t, &rev, &nrev)))
		return r;
	uint32_t need = tx_size(j, fs->block_size, t.n, nrev);
	if (need > ring(j) - used(j)) {
		/* more than the journal holds (e2_journal_full keeps this rare):
		 * written in place in the order of the pointers as on ext2, with
		 * needs_recovery off meanwhile, so that a cut now is seen as
		 * one (not clean, e2fsck due) */
		free(rev);
		uint32_t incompat = le32(rw->sb + 96);
		put_le32(rw->sb + 96, incompat & ~(uint32_t)INCOMPAT_RECOVER);
		r = e2_disk_write(fs, SUPER_OFFSET, rw->sb, SUPER_SIZE, "superblock");
		if (!r)
			r = flush(fs);
		put_le32(rw->sb + 96, incompat);
		rw->sb_dirty = true;
		if (!r)
			r = e2_journal_checkpoint(fs);
		if (!r)
			committed(rw);
		return r;
	}
	/* after the committed transactions; an empty log starts over, and
	 * the journal superblock (written before the flush, so in place
	 * before the commit block) points at this one */
	uint32_t start = j->tail ? j->head : j->first;
	r = write_log(fs, &t, start, rev, nrev);
	free(rev);
	if (!r && !j->tail) {
		r = write_jsb(fs, start);
		if (!r)
			j->tail = start;
	}
	if (!r)
		r = flush(fs);
	if (!r) {
		memset(j->blk, 0, fs->block_size);
		put_be32(j->blk, JMAGIC);
		put_be32(j->blk + 4, JT_COMMIT);
		put_be32(j->blk + 8, j->seq);
		r = jwrite(fs, jadd(j, start, need - 1), j->blk);
	}
	if (!r)
		r = flush(fs);
	if (r)
		return r;
	j->head = jadd(j, start, need);
	j->seq++;
	logged(fs, &t);
	committed(rw);
	/* and before replay could meet more revoked blocks than it keeps
	 * (each revoke names a block logged since the log was last empty) */
	if (!j->lazy || used(j) > ring(j) / 4 || j->nlive > JREVOKES_MAX / 2)
		r = e2_journal_checkpoint(fs);
	return r;
}

int e2_journal_checkpoint(struct ext2_fs *fs)
{
	struct ext2_rw *rw = fs->rw;
	struct e2_journal *j = rw->jnl;
	/* dirty metadata only in the two callers that write it in place
	 * on purpose: a transaction too big for the log, and unmount */
	int r = e2_writeback(fs, BUF_BITMAP);
	if (!r)
		r = e2_write_logged(fs);
	if (!r && (rw->gdt_dirty || rw->gdt_in_log)) {
		r = e2_disk_write(fs, (uint64_t)(fs->first_data_block + 1) * fs->block_size, rw->gdt,
				  (size_t)rw->gdt_blocks * fs->block_size, "group descriptors");
		if (!r)
			rw->gdt_dirty = rw->gdt_in_log = false;
	}
	if (!r && (rw->sb_dirty || rw->sb_in_log)) {
		r = e2_disk_write(fs, SUPER_OFFSET, rw->sb, SUPER_SIZE, "superblock");
		if (!r)
			rw->sb_dirty = rw->sb_in_log = false;
	}
	if (!r)
		r = flush(fs);
	/* everything the log holds is in place: it is empty again */
	if (!r && j->tail) {
		r = write_jsb(fs, 0);
		if (!r)
			r = flush(fs);
		if (!r) {
			j->tail = 0;
			j->head = j->first;
			j->nlive = 0;
		}
	}
	return r;
}
