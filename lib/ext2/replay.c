/* Replay at mount of an ext3 journal that needs recovery (the jbd2 format
 * e2fsprogs and Linux write: docs/journal.md).  The journal is the file of
 * inode s_journal_inum; its first block is the journal superblock, then a
 * ring of blocks from s_first to s_maxlen-1 in which each transaction is a
 * descriptor block (tags naming file system blocks) followed by copies of
 * those blocks, revoke blocks, and a commit block.  Three passes as jbd2's
 * recovery: find the last committed transaction, collect the revokes, then
 * write each logged block unless a later transaction revoked it.  Nothing
 * is written unless the whole committed log checks: a damaged journal is
 * refused by name and the mount fails, never replayed blindly.  All jbd2
 * fields are big-endian. */
#include "ext2_int.h"
#include "jbd2.h"

#define fail e2_fail


static const char *const journal_incompat_names[] = {
	"revoke", "64bit", "async_commit", "csum_v2", "csum_v3", "fast_commit",
};

struct revoke {
	uint32_t blk, seq;
};

struct jnl {
	struct ext2_fs *fs;
	const struct ext2_dev *dev;
	struct ext2_inode inode;
	uint32_t first, maxlen, start, seq, end_seq, tag_bytes;
	bool revoke_ok;
	uint8_t *blk, *data;
	struct revoke *revokes;
	uint32_t nrevokes;
};

/* Reads journal block JB (a block of the journal file) into BUF. */
static int jread(struct jnl *j, uint32_t jb, uint8_t *buf, uint32_t *fsblk)
{
	struct ext2_fs *fs = j->fs;
	uint32_t b;
	int r = e2_bmap(fs, &j->inode, jb, &b);
	if (r)
		return r;
	if (!e2_block_ok(fs, b))
		return fail(fs, -EXT2_EINVAL, "journal: block %u of the journal is %u, outside the fs", jb, b);
	if (fsblk)
		*fsblk = b;
	return e2_disk_read(fs, (uint64_t)b * fs->block_size, buf, fs->block_size, "journal block");
}

/* The mount is read-only (ext2_mount): writes go straight to the device. */
static int jwrite(struct jnl *j, uint64_t off, const void *buf, size_t n)
{
	if (n > j->fs->disk_bytes || off > j->fs->disk_bytes - n || j->dev->write(j->dev->ctx, off, buf, n))
		return fail(j->fs, -EXT2_EIO, "journal replay: cannot write %zu bytes at offset %llu", n, (ull)off);
	return 0;
}

static uint32_t next(struct jnl *j, uint32_t jb)
{
	return jb + 1 >= j->maxlen ? j->first : jb + 1;
}

/* The tags of the descriptor in j->blk: calls FN (or only counts) for each;
 * returns the number of data blocks that follow or a negative code. */
static int tags(struct jnl *j, uint32_t seq, uint32_t jb, int (*fn)(struct jnl *, uint32_t, uint32_t, uint32_t, bool),
		uint32_t *datapos)
{
	struct ext2_fs *fs = j->fs;
	uint32_t bs = fs->block_size, off = 12, n = 0;
	uint8_t *d = j->blk;
	for (;;) {
		if (off + j->tag_bytes > bs)
			return fail(fs, -EXT2_EINVAL, "journal: transaction %u: descriptor at journal block %u runs "
				    "past its block", seq, jb);
		uint32_t target = be32(d + off), flags = be32(d + off + 4) & 0xffff;
		if (j->tag_bytes == 12 && be32(d + off + 8))
			return fail(fs, -EXT2_EINVAL, "journal: transaction %u: block %u above 2^32", seq, target);
		if (!e2_block_ok(fs, target) && target != fs->first_data_block)
			return fail(fs, -EXT2_EINVAL, "journal: transaction %u: a tag names block %u, outside the fs",
				    seq, target);
		if (fn) {
			int r = fn(j, seq, target, *datapos, flags & TAG_ESCAPE);
			if (r)
				return r;
			*datapos = next(j, *datapos);
		}
		n++;
		off += j->tag_bytes + (flags & TAG_SAME_UUID ? 0 : 16);
		if (flags & TAG_LAST)
			return (int)n;
		if (n > bs / 8)
			return fail(fs, -EXT2_EINVAL, "journal: transaction %u: descriptor without a last tag", seq);
	}
}

/* A revoke block in j->blk: records (or, pass 1, only checks) its blocks. */
static int revokes(struct jnl *j, uint32_t seq, bool record)
{
	struct ext2_fs *fs = j->fs;
	uint32_t count = be32(j->blk + 12), width = j->tag_bytes == 12 ? 8 : 4;
	if (!j->revoke_ok)
		return fail(fs, -EXT2_EINVAL, "journal: revoke block in transaction %u without the revoke feature", seq);
	if (count < 16 || count > fs->block_size || (count - 16) % width)
		return fail(fs, -EXT2_EINVAL, "journal: transaction %u: revoke block of %u bytes", seq, count);
	for (uint32_t off = 16; record && off < count; off += width) {
		uint32_t b = be32(j->blk + off + (width == 8 ? 4 : 0));
		uint32_t i = 0;
		while (i < j->nrevokes && j->revokes[i].blk != b)
			i++;
		if (i == JREVOKES_MAX)
			return fail(fs, -EXT2_ENOMEM, "journal: more than %u revoked blocks", JREVOKES_MAX);
		if (i == j->nrevokes)
			j->nrevokes++;
		j->revokes[i] = (struct revoke){ b, seq };
	}
	return 0;
}

static int replay_tag(struct jnl *j, uint32_t seq, uint32_t target, uint32_t jb, bool escaped)
{
	struct ext2_fs *fs = j->fs;
	for (uint32_t i = 0; i < j->nrevokes; i++)
		if (j->revokes[i].blk == target && (int32_t)(j->revokes[i].seq - seq) >= 0)
			return 0;
	int r = jread(j, jb, j->data, NULL);
	if (r)
		return r;
	if (escaped)
		put_be32(j->data, JMAGIC);
	return jwrite(j, (uint64_t)target * fs->block_size, j->data, fs->block_size);
}

/* One pass over the committed log from s_start: PASS 0 finds its end
 * (j->end_seq), 1 collects revokes, 2 writes the blocks. */
static int pass(struct jnl *j, int which)
{
	struct ext2_fs *fs = j->fs;
	uint32_t jb = j->start, seq = j->seq, steps = 0;
	for (;;) {
		if (which > 0 && seq == j->end_seq)
			return 0;
		if (++steps > j->maxlen)
			return fail(fs, -EXT2_EINVAL, "journal: the log goes round the ring without an end");
		int r = jread(j, jb, j->blk, NULL);
		if (r)
			return r;
		uint32_t type = be32(j->blk + 4);
		if (be32(j->blk) != JMAGIC || be32(j->blk + 8) != seq) {
			if (which == 0)
				break;          /* the end of the log */
			return fail(fs, -EXT2_EINVAL, "journal: journal block %u changed between passes", jb);
		}
		if (type == JT_DESCRIPTOR) {
			uint32_t datapos = next(j, jb);
			int n = tags(j, seq, jb, which == 2 ? replay_tag : NULL, &datapos);
			if (n < 0)
				return n;
			jb = next(j, jb);
			for (int i = 0; i < n; i++)
				jb = next(j, jb);
			steps += (uint32_t)n;
		} else if (type == JT_REVOKE) {
			if ((r = revokes(j, seq, which == 1)))
				return r;
			jb = next(j, jb);
		} else if (type == JT_COMMIT) {
			seq++;
			jb = next(j, jb);
			if (which == 0)
				j->end_seq = seq;
		} else {
			return fail(fs, -EXT2_EINVAL, "journal: block type %u at journal block %u", type, jb);
		}
	}
	return 0;
}

/* Checks the journal superblock in j->blk and fills J. */
static int load_super(struct jnl *j)
{
	struct ext2_fs *fs = j->fs;
	const uint8_t *s = j->blk;
	uint32_t type = be32(s + 4), blocks = (uint32_t)(j->inode.size / fs->block_size);
	if (be32(s) != JMAGIC || (type != JT_SB_V1 && type != JT_SB_V2))
		return fail(fs, -EXT2_EINVAL, "journal: no journal superblock (magic 0x%x, type %u)", be32(s), type);
	if (be32(s + JS_BLOCKSIZE) != fs->block_size)
		return fail(fs, -EXT2_EINVAL, "journal: block size %u, the fs has %u", be32(s + JS_BLOCKSIZE),
			    fs->block_size);
	j->maxlen = be32(s + JS_MAXLEN);
	j->first = be32(s + JS_FIRST);
	j->seq = be32(s + JS_SEQUENCE);
	j->start = be32(s + JS_START);
	if (j->maxlen > blocks || j->first == 0 || j->first >= j->maxlen
	    || (j->start && (j->start < j->first || j->start >= j->maxlen)))
		return fail(fs, -EXT2_EINVAL, "journal: ring %u..%u, start %u do not fit its %u blocks", j->first,
			    j->maxlen, j->start, blocks);
	if (type == JT_SB_V2 && be32(s + JS_COMPAT))
		return fail(fs, -EXT2_ENOTSUP, "journal feature %s (compat 0x%x) not supported",
			    be32(s + JS_COMPAT) == 1 ? "checksum" : "unknown", be32(s + JS_COMPAT));
	uint32_t incompat = type == JT_SB_V2 ? be32(s + JS_INCOMPAT) : 0;
	uint32_t unknown = incompat & ~(uint32_t)(JI_REVOKE | JI_64BIT);
	if (unknown) {
		int bit = __builtin_ctz(unknown);
		if (bit < 6)
			return fail(fs, -EXT2_ENOTSUP, "journal feature %s (0x%x) not supported",
				    journal_incompat_names[bit], 1u << bit);
		return fail(fs, -EXT2_ENOTSUP, "unknown journal feature 0x%x", 1u << bit);
	}
	j->revoke_ok = incompat & JI_REVOKE;
	j->tag_bytes = incompat & JI_64BIT ? 12 : 8;
	return 0;
}

int e2_journal_replay(struct ext2_fs *fs, const struct ext2_dev *dev, uint32_t *replayed)
{
	struct jnl j = { .fs = fs, .dev = dev };
	uint8_t sb[SUPER_SIZE];
	uint32_t jsb;
	int r = e2_disk_read(fs, SUPER_OFFSET, sb, sizeof sb, "superblock");
	if (r)
		return r;
	uint32_t inum = le32(sb + SB_JOURNAL_INUM);
	if (!(fs->compat & EXT2_COMPAT_HAS_JOURNAL) || inum == 0)
		return fail(fs, -EXT2_EINVAL, "needs_recovery without a journal inode");
	if ((r = ext2_read_inode(fs, inum, &j.inode)))
		return fail(fs, -EXT2_EINVAL, "journal inode %u: %s", inum, fs->why);
	j.blk = malloc(fs->block_size);
	j.data = malloc(fs->block_size);
	j.revokes = malloc(JREVOKES_MAX * sizeof *j.revokes);
	if (!j.blk || !j.data || !j.revokes)
		r = fail(fs, -EXT2_ENOMEM, "no memory to replay the journal");
	if (!r)
		r = jread(&j, 0, j.blk, &jsb);
	if (!r)
		r = load_super(&j);
	j.end_seq = j.seq;
	/* nothing is written before passes 0 and 1 have checked the whole log */
	for (int p = 0; !r && j.start && p < 3; p++)
		r = pass(&j, p);
	if (!r && dev->flush(dev->ctx))
		r = fail(fs, -EXT2_EIO, "the disk did not flush the replayed blocks");
	/* then the journal is empty, and the file system no longer needs it */
	if (!r) {
		r = jread(&j, 0, j.blk, NULL);
		put_be32(j.blk + JS_SEQUENCE, j.end_seq);
		put_be32(j.blk + JS_START, 0);
		if (!r)
			r = jwrite(&j, (uint64_t)jsb * fs->block_size, j.blk, fs->block_size);
	}
	if (!r)
		r = e2_disk_read(fs, SUPER_OFFSET, sb, sizeof sb, "superblock");
	if (!r) {
		put_le32(sb + 96, le32(sb + 96) & ~(uint32_t)INCOMPAT_RECOVER);
		r = jwrite(&j, SUPER_OFFSET, sb, sizeof sb);
	}
	if (!r && dev->flush(dev->ctx))
		r = fail(fs, -EXT2_EIO, "the disk did not flush the recovered journal");
	*replayed = j.end_seq - j.seq;
	free(j.blk);
	free(j.data);
	free(j.revokes);
	return r;
}
