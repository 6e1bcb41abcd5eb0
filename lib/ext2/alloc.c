/* Block and inode allocation over the bitmaps, with the group descriptor
 * and superblock counts kept in step.  Blocks go as close after a goal as
 * there is room (the caller's goal follows the file's last block, or its
 * inode's group); inodes of files go near their directory, new directories
 * to a group with many free inodes and blocks (Linux's find_group_dir), so
 * that the tree spreads over the disk.  The bitmaps decide; a bit that
 * calls a metadata block free is damage, reported and never used.
 *
 * A block freed since the last sync (or, journalled, in the running
 * transaction) is not handed out again before that sync: until then the
 * disk may still hold its old owner pointing at it, and a new owner's data,
 * which goes out first, would land under the old owner's pointers (an old
 * indirect block rewritten as data reads back as a map of random block
 * numbers).  Without a journal the same holds for inodes: the removed
 * entry may still name one on the disk, and would name the new file.
 * Journalled, such a block is skipped (a transaction must stay whole),
 * and once more blocks wait than are free without them the next change
 * commits first (e2_freed_most, e2_journal_full): on a full disk, what a
 * removal gave back is there for the next change (`rm big; cp other new`
 * with no sync between).  A change that needs more than is free then
 * fails with ENOSPC as on any full disk, a write after what it took (its
 * next call commits first if blocks wait again).  Without a journal, the
 * allocator syncs and then takes such a block (a sync in the middle of a
 * change is as safe as any: the order of the writes is kept), so that
 * files are laid out as if nothing waited.  Once a list is half full the
 * next change syncs first (e2_writable). */
#include "ext2_int.h"

#define fail e2_fail

/* The first clear bit of BM in [FROM, TO), or TO. */
static uint32_t find_clear(const uint8_t *bm, uint32_t from, uint32_t to)
{
	uint32_t i = from;
	while (i < to) {
		if (i % 8 == 0 && bm[i / 8] == 0xff) {
			i += 8;
			continue;
		}
		if (!(bm[i / 8] & (1u << (i % 8))))
			return i;
		i++;
	}
	return to;
}

static bool listed(const uint32_t *list, uint32_t n, uint32_t x)
{
	for (uint32_t i = 0; i < n; i++)
		if (list[i] == x)
			return true;
	return false;
}

/* The first clear bit of BM in [FROM, TO) whose block (BASE + bit) was
 * not freed since the last commit, or TO. */
static uint32_t find_clear_committed(struct ext2_rw *rw, const uint8_t *bm, uint32_t base, uint32_t from,
                                     uint32_t to)
{
	uint32_t bit = find_clear(bm, from, to);
	for (uint32_t skip; bit < to && (skip = e2_ranges_skip(&rw->freed, base + bit)) != base + bit;)
		bit = skip - base < to ? find_clear(bm, skip - base, to) : to;
	return bit;
}

bool e2_freed_many(struct ext2_fs *fs)
{
	return fs->rw->freed.n >= E2_RANGES_MAX / 2 || fs->rw->nfreed_ino >= E2_FREED_INO_MAX / 2;
}

bool e2_freed_most(struct ext2_fs *fs)
{
	uint32_t waiting = fs->rw->freed.blocks, free = le32(fs->rw->sb + SB_FREE_BLOCKS);
	return 2 * (uint64_t)waiting > free;
}

/* Takes a free block of group G in [FROM, TO) of its bitmap. */
static int take_block(struct ext2_fs *fs, uint32_t g, uint32_t from, uint32_t to, uint32_t *out)
{
	struct buf *bm;
	int r = e2_bread(fs, le32(e2_gd(fs, g) + GD_BLOCK_BITMAP), BUF_BITMAP, &bm);
	if (r)
		return r;
	uint32_t base = fs->first_data_block + g * fs->blocks_per_group;
	struct ext2_rw *rw = fs->rw;
	uint32_t bit = rw->jnl ? find_clear_committed(rw, bm->data, base, from, to) : find_clear(bm->data, from, to);
	if (bit < to && e2_ranges_has(&rw->freed, base + bit) && (r = ext2_sync(fs))) {
		e2_brelse(bm);
		return r;
	}
	if (bit == to) {
		e2_brelse(bm);
		return 1;
	}
	uint32_t b = base + bit;
	if (!e2_block_ok(fs, b) || e2_is_metadata(fs, b)) {
		e2_brelse(bm);
		return e2_corrupt(fs, 0, b, "group %u: the block bitmap marks metadata block %u free", g, b);
	}
	bm->data[bit / 8] |= (uint8_t)(1u << (bit % 8));
	e2_bdirty(bm);
	e2_brelse(bm);
	e2_gd_add(fs, g, GD_FREE_BLOCKS, -1);
	e2_sb_add(fs, SB_FREE_BLOCKS, -1);
	*out = b;
	return 0;
}

int e2_alloc_block(struct ext2_fs *fs, uint32_t goal, uint32_t *out)
{
	if (!e2_block_ok(fs, goal))
		goal = fs->first_data_block + 1;
	uint32_t g0 = (goal - fs->first_data_block) / fs->blocks_per_group;
	uint32_t start = goal - fs->first_data_block - g0 * fs->blocks_per_group;
	/* the goal's group from the goal on, the other groups in turn, then
	 * the goal's group before the goal */
	for (uint32_t i = 0; i <= fs->groups; i++) {
		uint32_t g = (g0 + i) % fs->groups;
		if (le16(e2_gd(fs, g) + GD_FREE_BLOCKS) == 0 || (i == fs->groups && start == 0))
			continue;
		uint32_t from = i == 0 ? start : 0, to = i == fs->groups ? start : e2_group_blocks(fs, g);
		int r = take_block(fs, g, from, to, out);
		if (r <= 0)
			return r;
	}
	return fail(fs, -EXT2_ENOSPC, "no free block left");
}

int e2_free_block(struct ext2_fs *fs, uint32_t b, uint32_t owner)
{
	if (!e2_block_ok(fs, b) || e2_is_metadata(fs, b))
		return e2_corrupt(fs, owner, b, "inode %u: block %u is outside the fs or metadata", owner, b);
	uint32_t g = (b - fs->first_data_block) / fs->blocks_per_group;
	uint32_t bit = b - fs->first_data_block - g * fs->blocks_per_group;
	struct buf *bm;
	int r = e2_bread(fs, le32(e2_gd(fs, g) + GD_BLOCK_BITMAP), BUF_BITMAP, &bm);
	if (r)
		return r;
	uint8_t mask = (uint8_t)(1u << (bit % 8));
	if (!(bm->data[bit / 8] & mask)) {
		e2_brelse(bm);
		return e2_corrupt(fs, owner, b, "inode %u: block %u is already free", owner, b);
	}
	bm->data[bit / 8] &= (uint8_t)~mask;
	e2_bdirty(bm);
	e2_brelse(bm);
	e2_gd_add(fs, g, GD_FREE_BLOCKS, 1);
	e2_sb_add(fs, SB_FREE_BLOCKS, 1);
	e2_bforget(fs, b);
	/* beyond the list (one change freeing more), the next change syncs
	 * first: nothing is allocated in between */
	e2_ranges_add(&fs->rw->freed, b);
	return 0;
}

/* Takes a free inode of group G; 1 when it has none. */
static int take_inode(struct ext2_fs *fs, uint32_t g, bool dir, uint32_t *out)
{
	uint32_t ipg = fs->inodes_per_group, first = 0;
	/* the reserved inodes below s_first_ino are never handed out */
	if ((uint64_t)g * ipg + ipg < fs->first_ino)
		return 1;
	if ((uint64_t)g * ipg < fs->first_ino)
		first = fs->first_ino - 1 - g * ipg;
	struct buf *bm;
	int r = e2_bread(fs, le32(e2_gd(fs, g) + GD_INODE_BITMAP), BUF_BITMAP, &bm);
	if (r)
		return r;
	uint32_t bit = find_clear(bm->data, first, ipg);
	if (bit == ipg) {
		e2_brelse(bm);
		return 1;
	}
	uint32_t ino = g * ipg + bit + 1, blk, off;
	if (listed(fs->rw->freed_ino, fs->rw->nfreed_ino, ino) && (r = ext2_sync(fs))) {
		e2_brelse(bm);
		return r;
	}
	/* a free inode must look free: no links, or deleted */
	uint8_t d[28];
	r = e2_inode_where(fs, ino, &blk, &off);
	if (!r)
		r = e2_meta_read(fs, blk, off, d, sizeof d, "inode");
	if (!r && le16(d + 26) != 0 && le32(d + 20) == 0)
		r = e2_corrupt(fs, ino, 0, "group %u: the inode bitmap marks inode %u free, but it has %u links",
			 g, ino, le16(d + 26));
	if (r) {
		e2_brelse(bm);
		return r;
	}
	bm->data[bit / 8] |= (uint8_t)(1u << (bit % 8));
	e2_bdirty(bm);
	e2_brelse(bm);
	e2_gd_add(fs, g, GD_FREE_INODES, -1);
	e2_sb_add(fs, SB_FREE_INODES, -1);
	if (dir)
		e2_gd_add(fs, g, GD_USED_DIRS, 1);
	*out = ino;
	return 0;
}

static uint32_t free_inodes(struct ext2_fs *fs, uint32_t g) { return le16(e2_gd(fs, g) + GD_FREE_INODES); }
static uint32_t free_blocks(struct ext2_fs *fs, uint32_t g) { return le16(e2_gd(fs, g) + GD_FREE_BLOCKS); }

int e2_alloc_inode(struct ext2_fs *fs, uint32_t parent, bool dir, uint32_t *out)
{
	uint32_t ngroups = fs->groups, pg = (parent - 1) / fs->inodes_per_group, first = pg;
	if (dir) {
		/* of the groups with at least the average of free inodes, the one
		 * with the most free blocks */
		uint32_t avg = le32(fs->rw->sb + SB_FREE_INODES) / ngroups;
		bool found = false;
		for (uint32_t g = 0; g < ngroups; g++)
			if (free_inodes(fs, g) && free_inodes(fs, g) >= avg
			    && (!found || free_blocks(fs, g) > free_blocks(fs, first)))
				first = g, found = true;
	} else if (!free_inodes(fs, pg) || !free_blocks(fs, pg)) {
		/* the parent's group is full: hop quadratically for one with
		 * room for the data too (Linux's find_group_other) */
		for (uint32_t j = 1, g = pg; j < ngroups; j <<= 1) {
			g = (g + j) % ngroups;
			if (free_inodes(fs, g) && free_blocks(fs, g)) {
				first = g;
				break;
			}
		}
	}
	/* from the chosen group on, any group with a free inode */
	for (uint32_t i = 0; i < ngroups; i++) {
		uint32_t g = (first + i) % ngroups;
		if (!free_inodes(fs, g))
			continue;
		int r = take_inode(fs, g, dir, out);
		if (r <= 0)
			return r;
	}
	return fail(fs, -EXT2_ENOSPC, "no free inode left");
}

int e2_free_inode_bit(struct ext2_fs *fs, uint32_t ino, bool dir)
{
	uint32_t g = (ino - 1) / fs->inodes_per_group, bit = (ino - 1) % fs->inodes_per_group;
	struct buf *bm;
	int r = e2_bread(fs, le32(e2_gd(fs, g) + GD_INODE_BITMAP), BUF_BITMAP, &bm);
	if (r)
		return r;
	uint8_t mask = (uint8_t)(1u << (bit % 8));
	if (!(bm->data[bit / 8] & mask)) {
		e2_brelse(bm);
		return e2_corrupt(fs, ino, 0, "inode %u is already free in its bitmap", ino);
	}
	bm->data[bit / 8] &= (uint8_t)~mask;
	e2_bdirty(bm);
	e2_brelse(bm);
	e2_gd_add(fs, g, GD_FREE_INODES, 1);
	e2_sb_add(fs, SB_FREE_INODES, 1);
	if (dir)
		e2_gd_add(fs, g, GD_USED_DIRS, -1);
	if (!fs->rw->jnl && fs->rw->nfreed_ino < E2_FREED_INO_MAX)
		fs->rw->freed_ino[fs->rw->nfreed_ino++] = ino;
	return 0;
}
