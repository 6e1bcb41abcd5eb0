/* Inodes on a writable mount: writing them back, growing and cutting their
 * block maps, freeing them, and the open references that keep an unlinked
 * inode alive.  A caller reads an inode, changes it and writes it back
 * within one step that touches no other inode, so that two copies of one
 * inode (a directory that is also the parent, say) never overwrite each
 * other's changes. */
#include "ext2_int.h"

#define fail e2_fail

int e2_iget(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in)
{
	int r = ext2_read_inode(fs, ino, in);
	if (r)
		return r;
	if (ino < fs->first_ino && ino != EXT2_ROOT_INO)
		return fail(fs, -EXT2_EINVAL, "inode %u is reserved for the file system", ino);
	return 0;
}

/* Encodes IN into the on-disk inode D (the first 128 bytes; the rest, and
 * the fields this core does not know, stay as they are). */
static void encode(struct ext2_fs *fs, const struct ext2_inode *in, uint8_t *d)
{
	put_le16(d, in->mode);
	put_le16(d + 2, (uint16_t)in->uid);
	put_le32(d + 4, (uint32_t)in->size);
	put_le32(d + 8, in->atime);
	put_le32(d + 12, in->ctime);
	put_le32(d + 16, in->mtime);
	put_le32(d + 20, in->dtime);
	put_le16(d + 24, (uint16_t)in->gid);
	put_le16(d + 26, in->links);
	put_le32(d + 28, in->blocks);
	put_le32(d + 32, in->flags);
	for (int k = 0; k < 15; k++)
		put_le32(d + 40 + 4 * k, in->block[k]);
	put_le32(d + 100, in->generation);
	put_le32(d + 104, in->file_acl);
	if ((in->mode & EXT2_S_IFMT) == EXT2_S_IFREG)
		put_le32(d + 108, (uint32_t)(in->size >> 32));
	put_le16(d + 120, (uint16_t)(in->uid >> 16));
	put_le16(d + 122, (uint16_t)(in->gid >> 16));
	/* large inodes: the sub-second parts of the times we set are zero */
	if (fs->inode_size > GOOD_OLD_INODE_SIZE) {
		uint32_t extra = le16(d + 128);
		for (uint32_t at = 132; at <= 140; at += 4)     /* ctime, mtime, atime _extra */
			if (extra >= at + 4 - GOOD_OLD_INODE_SIZE && at + 4 <= fs->inode_size)
				put_le32(d + at, 0);
	}
}

static int store(struct ext2_fs *fs, const struct ext2_inode *in, bool fresh)
{
	uint32_t blk, off;
	struct buf *b;
	int r = e2_inode_where(fs, in->ino, &blk, &off);
	if (!r)
		r = e2_bread(fs, blk, BUF_ITABLE, &b);
	if (r)
		return r;
	if (fresh)
		memset(b->data + off, 0, fs->inode_size);
	encode(fs, in, b->data + off);
	e2_bdirty(b);
	e2_brelse(b);
	return 0;
}

int e2_iput(struct ext2_fs *fs, const struct ext2_inode *in)
{
	return store(fs, in, false);
}

int e2_inew(struct ext2_fs *fs, const struct ext2_inode *in)
{
	return store(fs, in, true);
}

/* --- block maps -------------------------------------------------------------- */

int e2_bmap_alloc(struct ext2_fs *fs, struct ext2_inode *in, uint64_t lb, uint32_t *out, bool *fresh)
{
	int levels;
	uint32_t idx[4];
	int r = e2_block_path(fs, in->ino, lb, &levels, idx);
	if (r)
		return r;
	/* walk down while the branch exists; PARENT holds the pointer at depth D */
	struct buf *parent = NULL;
	uint32_t b = in->block[idx[0]];
	int d = 0;
	for (; b != 0 && d < levels; d++) {
		struct buf *next;
		if (!e2_block_ok(fs, b))
			r = e2_corrupt(fs, in->ino, b, "inode %u: indirect block %u outside the fs", in->ino, b);
		else
			r = e2_bread(fs, b, BUF_INDIRECT + levels - d - 1, &next);
		if (parent)
			e2_brelse(parent);
		if (r)
			return r;
		parent = next;
		b = le32(parent->data + 4 * idx[d + 1]);
	}
	if (b != 0) {
		if (parent)
			e2_brelse(parent);
		if (!e2_block_ok(fs, b))
			return e2_corrupt(fs, in->ino, b, "inode %u: data block %u outside the fs", in->ino, b);
		*out = b;
		*fresh = false;
		return 0;
	}
	/* the missing part of the branch: LEVELS - D indirect blocks and the
	 * data block, allocated one after the other after the goal: the block
	 * before LB, or the parent indirect block, or the inode's group */
	uint32_t n = (uint32_t)(levels - d) + 1, nb[4], goal, prev = 0, got = 0;
	if (lb > 0 && e2_bmap(fs, in, lb - 1, &prev) == 0 && prev)
		goal = prev + 1;
	else if (parent)
		goal = parent->blk + 1;
	else
		goal = fs->first_data_block + (in->ino - 1) / fs->inodes_per_group * fs->blocks_per_group;
	uint32_t units = fs->block_size / 512;
	if ((uint64_t)in->blocks + n * units > 0xffffffffu)
		r = fail(fs, -EXT2_EFBIG, "inode %u: i_blocks would overflow", in->ino);
	for (; !r && got < n; got++) {
		r = e2_alloc_block(fs, goal, &nb[got]);
		if (r)
			break;
		goal = nb[got] + 1;
	}
	/* the new blocks, each in the cache before anything points at it, so
	 * that the cache never writes a pointer to a block it does not hold
	 * (cache.c): the data block zeroed, then the indirect blocks from the
	 * bottom up, each pointing at the next; nothing points at them yet,
	 * so a failure just gives them back */
	struct buf *db;
	if (!r && !(r = e2_bnew(fs, nb[n - 1], BUF_DATA, &db))) {
		e2_bdirty(db);
		e2_brelse(db);
	}
	for (uint32_t k = n - 1; !r && k-- > 0;) {
		struct buf *ib;
		r = e2_bnew(fs, nb[k], BUF_INDIRECT + levels - d - (int)k - 1, &ib);
		if (!r) {
			ib->fresh = fs->rw->jnl != NULL;
			put_le32(ib->data + 4 * idx[d + 1 + k], nb[k + 1]);
			e2_bdirty(ib);
			e2_brelse(ib);
		}
	}
	if (r) {
		for (uint32_t k = 0; k < got; k++)
			e2_free_block(fs, nb[k], in->ino);
		if (parent)
			e2_brelse(parent);
		return r;
	}
	if (parent) {
		put_le32(parent->data + 4 * idx[d], nb[0]);
		e2_bdirty(parent);
		e2_brelse(parent);
	} else {
		in->block[idx[0]] = nb[0];
	}
	in->blocks += n * units;
	*out = nb[n - 1];
	*fresh = true;
	return 0;
}

/* Frees the blocks of the subtree at *SLOT (DEPTH levels of indirect blocks
 * above the data; the subtree's first logical block FIRST) that hold
 * logical blocks FROM and after, and the subtree's own block when nothing
 * in it is kept.  Bounded: three levels of at most block size / 4 entries. */
static int free_branch(struct ext2_fs *fs, struct ext2_inode *in, uint32_t *slot, int depth,
		       uint64_t first, uint64_t from)
{
	uint64_t p = fs->block_size / 4, span = 1;
	for (int k = 0; k < depth; k++)
		span *= p;
	if (*slot == 0 || from >= first + span)
		return 0;
	if (depth > 0) {
		struct buf *ib;
		if (!e2_block_ok(fs, *slot))
			return e2_corrupt(fs, in->ino, *slot, "inode %u: indirect block %u outside the fs", in->ino, *slot);
		int r = e2_bread(fs, *slot, BUF_INDIRECT + depth - 1, &ib);
		if (r)
			return r;
		uint64_t sub = span / p;
		bool kept = false;
		for (uint32_t i = 0; !r && i < p; i++) {
			uint32_t e = le32(ib->data + 4 * i), was = e;
			r = free_branch(fs, in, &e, depth - 1, first + i * sub, from);
			if (e != was) {
				put_le32(ib->data + 4 * i, e);
				e2_bdirty(ib);
			}
			kept |= e != 0;
		}
		e2_brelse(ib);
		if (r || kept)
			return r;
	}
	int r = e2_free_block(fs, *slot, in->ino);
	if (r)
		return r;
	uint32_t units = fs->block_size / 512;
	in->blocks = in->blocks >= units ? in->blocks - units : 0;
	*slot = 0;
	return 0;
}

int e2_free_blocks(struct ext2_fs *fs, struct ext2_inode *in, uint64_t from)
{
	uint64_t p = fs->block_size / 4, first = NDIR;
	int r = 0;
	for (uint32_t k = 0; !r && k < NDIR; k++)
		r = free_branch(fs, in, &in->block[k], 0, k, from);
	for (int depth = 1; !r && depth <= 3; depth++) {
		r = free_branch(fs, in, &in->block[NDIR + depth - 1], depth, first, from);
		uint64_t span = 1;
		for (int k = 0; k < depth; k++)
			span *= p;
		first += span;
	}
	return r;
}

/* Drops the inode's reference to its extended attribute block. */
static int release_ea(struct ext2_fs *fs, struct ext2_inode *in)
{
	struct buf *b;
	int r = e2_bread(fs, in->file_acl, BUF_INDIRECT, &b);
	if (r)
		return r;
	uint32_t refs = le32(b->data + 4);
	if (le32(b->data) != EA_MAGIC || refs == 0) {
		e2_brelse(b);
		return e2_corrupt(fs, in->ino, in->file_acl, "inode %u: block %u is not an extended attribute block",
				  in->ino, in->file_acl);
	}
	if (refs > 1) {
		put_le32(b->data + 4, refs - 1);
		e2_bdirty(b);
	}
	e2_brelse(b);
	if (refs == 1 && (r = e2_free_block(fs, in->file_acl, in->ino)))
		return r;
	uint32_t units = fs->block_size / 512;
	in->blocks = in->blocks >= units ? in->blocks - units : 0;
	in->file_acl = 0;
	return 0;
}

int e2_free_inode(struct ext2_fs *fs, uint32_t ino)
{
	struct ext2_inode in;
	int r = ext2_read_inode(fs, ino, &in);
	if (r)
		return r;
	uint16_t type = in.mode & EXT2_S_IFMT;
	/* devices keep their numbers in i_block, fast links their target */
	if (type == EXT2_S_IFREG || type == EXT2_S_IFDIR || (type == EXT2_S_IFLNK && !e2_fast_link(fs, &in)))
		r = e2_free_blocks(fs, &in, 0);
	if (!r && in.file_acl)
		r = release_ea(fs, &in);
	if (r) {
		e2_iput(fs, &in);       /* what was freed is no longer mapped */
		return r;
	}
	memset(in.block, 0, sizeof in.block);
	in.size = 0;
	in.links = 0;
	in.dtime = e2_now(fs);
	r = e2_iput(fs, &in);
	if (!r)
		r = e2_free_inode_bit(fs, ino, type == EXT2_S_IFDIR);
	return r;
}

/* --- open references ----------------------------------------------------------- */

static struct e2_held *find_held(struct ext2_rw *rw, uint32_t ino)
{
	for (uint32_t i = 0; i < rw->nheld; i++)
		if (rw->held[i].ino == ino)
			return &rw->held[i];
	return NULL;
}

bool e2_held(struct ext2_fs *fs, uint32_t ino)
{
	return find_held(fs->rw, ino) != NULL;
}

int ext2_hold(struct ext2_fs *fs, uint32_t ino)
{
	struct ext2_inode in;
	if (!fs->rw || !fs->rw->writable)
		return 0;               /* nothing is freed on a read-only mount */
	int r = ext2_read_inode(fs, ino, &in);
	if (r)
		return r;
	struct ext2_rw *rw = fs->rw;
	struct e2_held *h = find_held(rw, ino);
	if (h) {
		h->count++;
		return 0;
	}
	if (rw->nheld == rw->held_cap) {
		uint32_t cap = rw->held_cap ? 2 * rw->held_cap : 16;
		struct e2_held *n = realloc(rw->held, cap * sizeof *n);
		if (!n)
			return fail(fs, -EXT2_ENOMEM, "no memory to hold inode %u", ino);
		rw->held = n;
		rw->held_cap = cap;
	}
	rw->held[rw->nheld++] = (struct e2_held){ ino, 1 };
	return 0;
}

/* Frees INO if its last link is gone (and it was not freed already). */
static int free_if_unlinked(struct ext2_fs *fs, uint32_t ino)
{
	struct ext2_inode in;
	if (ext2_read_inode(fs, ino, &in) != 0 || in.links != 0)
		return 0;
	return e2_free_inode(fs, ino);
}

void ext2_release(struct ext2_fs *fs, uint32_t ino)
{
	if (!fs->rw || !fs->rw->writable)
		return;
	struct ext2_rw *rw = fs->rw;
	struct e2_held *h = find_held(rw, ino);
	if (!h || --h->count)
		return;
	*h = rw->held[--rw->nheld];
	free_if_unlinked(fs, ino);
}

int e2_free_orphans(struct ext2_fs *fs)
{
	struct ext2_rw *rw = fs->rw;
	int r = 0;
	while (rw->nheld) {
		uint32_t ino = rw->held[--rw->nheld].ino;
		int e = free_if_unlinked(fs, ino);
		if (!r)
			r = e;
	}
	return r;
}

int e2_link_add(struct ext2_fs *fs, uint32_t ino, int delta)
{
	struct ext2_inode in;
	int r = e2_iget(fs, ino, &in);
	if (r)
		return r;
	int links = in.links + delta;
	in.links = (uint16_t)(links < 0 ? 0 : links > 0xffff ? 0xffff : links);
	in.ctime = e2_now(fs);
	r = e2_iput(fs, &in);
	if (!r && in.links == 0 && !e2_held(fs, ino))
		r = e2_free_inode(fs, ino);
	return r;
}
