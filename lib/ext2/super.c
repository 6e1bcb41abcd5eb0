/* A cached mount: ext2_mount_rw, ext2_sync, ext2_unmount, ext2_statfs.
 * The superblock and the group descriptors stay in memory, as on disk, for
 * the whole mount; the counts in them change with every allocation and go
 * to the disk at sync, after everything they describe. */
#include "ext2_int.h"

#define fail e2_fail

/* The read-only-compatible features by name, for a refusal that says what
 * is missing; this core writes sparse_super and large_file file systems. */
static const char *const ro_compat_names[32] = {
	"sparse_super", "large_file", "btree_dir", "huge_file", "uninit_bg", "dir_nlink",
	"extra_isize", "has_snapshot", "quota", "bigalloc", "metadata_csum", "replica",
	"read-only", "project", "shared_blocks", "verity", "orphan_present",
};
#define RO_COMPAT_KNOWN (EXT2_RO_COMPAT_SPARSE_SUPER | EXT2_RO_COMPAT_LARGE_FILE)

uint8_t *e2_gd(struct ext2_fs *fs, uint32_t g)
{
	return fs->rw->gdt + (size_t)g * DESC_SIZE;
}

/* Counts never wrap: a damaged count stays wrong, but within its field. */
void e2_gd_add(struct ext2_fs *fs, uint32_t g, int field, int delta)
{
	uint8_t *p = e2_gd(fs, g) + field;
	uint16_t v = le16(p);
	if ((delta < 0 && v == 0) || (delta > 0 && v == 0xffff))
		return;
	put_le16(p, (uint16_t)(v + delta));
	fs->rw->gdt_dirty = true;
}

void e2_sb_add(struct ext2_fs *fs, int field, int delta)
{
	uint8_t *p = fs->rw->sb + field;
	uint32_t v = le32(p);
	if ((delta < 0 && v == 0) || (delta > 0 && v == 0xffffffffu))
		return;
	put_le32(p, (uint32_t)(v + delta));
	fs->rw->sb_dirty = true;
}

uint32_t e2_now(struct ext2_fs *fs)
{
	return fs->rw->dev.now(fs->rw->dev.ctx);
}

int e2_writable(struct ext2_fs *fs)
{
	if (!fs->rw || !fs->rw->writable)
		return fail(fs, -EXT2_EROFS, "the file system is mounted read-only");
	/* between changes, never inside one: each transaction whole */
	if (e2_journal_full(fs))
		return e2_journal_commit(fs);
	/* many blocks wait to be handed out again (alloc.c) */
	if (!fs->rw->jnl && e2_freed_many(fs))
		return ext2_sync(fs);
	return 0;
}

uint32_t e2_group_blocks(const struct ext2_fs *fs, uint32_t g)
{
	uint32_t base = fs->first_data_block + g * fs->blocks_per_group;
	uint32_t left = fs->blocks_count - base;
	return left < fs->blocks_per_group ? left : fs->blocks_per_group;
}

static bool power_of(uint32_t g, uint32_t n)
{
	while (g % n == 0)
		g /= n;
	return g == 1;
}

/* Whether group G holds a copy of the superblock and descriptors. */
static bool has_super(struct ext2_fs *fs, uint32_t g)
{
	if (g == 0)
		return true;
	if (fs->compat & COMPAT_SPARSE_SUPER2)
		return g == fs->rw->backup_bgs[0] || g == fs->rw->backup_bgs[1];
	if (!fs->sparse_super || g == 1)
		return true;
	return power_of(g, 3) || power_of(g, 5) || power_of(g, 7);
}

bool e2_is_metadata(struct ext2_fs *fs, uint32_t b)
{
	uint32_t g = (b - fs->first_data_block) / fs->blocks_per_group;
	uint32_t base = fs->first_data_block + g * fs->blocks_per_group;
	const uint8_t *d = e2_gd(fs, g);
	uint32_t it = le32(d + GD_INODE_TABLE);
	if (has_super(fs, g) && b - base < 1 + fs->rw->gdt_blocks + fs->rw->reserved_gdt)
		return true;
	return b == le32(d + GD_BLOCK_BITMAP) || b == le32(d + GD_INODE_BITMAP)
	       || (b >= it && b - it < fs->itable_blocks);
}

void e2_set_large_file(struct ext2_fs *fs)
{
	struct ext2_rw *rw = fs->rw;
	if (fs->rev == 0) {
		/* what Linux's ext2_update_dynamic_rev writes */
		put_le32(rw->sb + SB_REV, 1);
		put_le32(rw->sb + SB_FIRST_INO, GOOD_OLD_FIRST_INO);
		put_le16(rw->sb + SB_INODE_SIZE, GOOD_OLD_INODE_SIZE);
		fs->rev = 1;
	}
	fs->ro_compat |= EXT2_RO_COMPAT_LARGE_FILE;
	put_le32(rw->sb + SB_RO_COMPAT, fs->ro_compat);
	fs->large_file = true;
	rw->sb_dirty = true;
}

static int write_super(struct ext2_fs *fs)
{
	int r = e2_disk_write(fs, SUPER_OFFSET, fs->rw->sb, SUPER_SIZE, "superblock");
	if (!r)
		fs->rw->sb_dirty = false;
	return r;
}

/* Asks the disk to flush what was written since its last flush: nothing
 * when nothing was (a periodic sync of an idle file system costs no I/O). */
static int flush(struct ext2_fs *fs)
{
	if (!fs->rw->unflushed)
		return 0;
	if (fs->rw->dev.flush(fs->rw->dev.ctx) != 0)
		return fail(fs, -EXT2_EIO, "the disk did not flush its cache");
	fs->rw->unflushed = false;
	return 0;
}

/* Reads the superblock and descriptors into memory and checks what the
 * write path relies on: each group's bitmaps and inode table inside the
 * group, the descriptors (with the reserved ones) inside the first. */
static int load(struct ext2_fs *fs, struct ext2_rw *rw)
{
	uint32_t bs = fs->block_size;
	int r = e2_disk_read(fs, SUPER_OFFSET, rw->sb, SUPER_SIZE, "superblock");
	if (r)
		return r;
	rw->gdt_blocks = (uint32_t)(((uint64_t)fs->groups * DESC_SIZE + bs - 1) / bs);
	if (fs->compat & COMPAT_RESIZE_INODE)
		rw->reserved_gdt = le16(rw->sb + SB_RESERVED_GDT);
	if (1 + rw->gdt_blocks + rw->reserved_gdt > e2_group_blocks(fs, 0))
		return fail(fs, -EXT2_EINVAL, "%u descriptor blocks and %u reserved ones do not fit the first group",
			    rw->gdt_blocks, rw->reserved_gdt);
	rw->backup_bgs[0] = le32(rw->sb + SB_BACKUP_BGS);
	rw->backup_bgs[1] = le32(rw->sb + SB_BACKUP_BGS + 4);
	rw->gdt = malloc((size_t)rw->gdt_blocks * bs);
	if (!rw->gdt)
		return fail(fs, -EXT2_ENOMEM, "no memory for %u descriptor blocks", rw->gdt_blocks);
	r = e2_disk_read(fs, (uint64_t)(fs->first_data_block + 1) * bs, rw->gdt, (size_t)rw->gdt_blocks * bs,
			 "group descriptors");
	for (uint32_t g = 0; !r && g < fs->groups; g++) {
		uint32_t base = fs->first_data_block + g * fs->blocks_per_group, n = e2_group_blocks(fs, g);
		const uint8_t *d = rw->gdt + (size_t)g * DESC_SIZE;
		uint32_t bb = le32(d + GD_BLOCK_BITMAP), ib = le32(d + GD_INODE_BITMAP), it = le32(d + GD_INODE_TABLE);
		if (bb - base >= n || ib - base >= n || it - base >= n || fs->itable_blocks > n - (it - base))
			r = fail(fs, -EXT2_EINVAL, "group %u: bitmaps (%u, %u) or inode table (%u) outside the group "
				 "(blocks %u..%u)", g, bb, ib, it, base, base + n - 1);
	}
	return r;
}

static void drop(struct ext2_fs *fs)
{
	struct ext2_rw *rw = fs->rw;
	if (!rw)
		return;
	e2_cache_free(rw);
	e2_journal_free(rw);
	free(rw->gdt);
	free(rw->held);
	free(rw);
	fs->rw = NULL;
}

/* A journal that needs recovery is replayed before anything else reads
 * the file system (replay.c); a read-only device cannot replay it, and
 * the mount then fails on needs_recovery by name. */
static int recover(struct ext2_fs *fs, const struct ext2_dev *dev, uint32_t *replayed, bool *recovered)
{
	uint8_t sb[SUPER_SIZE];
	*replayed = 0;
	if (!dev->write || dev->bytes < SUPER_OFFSET + SUPER_SIZE || dev->read(dev->ctx, SUPER_OFFSET, sb, sizeof sb)
	    || le16(sb + 56) != MAGIC || !(le32(sb + 96) & INCOMPAT_RECOVER))
		return 0;
	int r = e2_mount_recovering(fs, dev->read, dev->ctx, dev->bytes);
	if (!r)
		r = e2_journal_replay(fs, dev, replayed);
	*recovered = r == 0;
	return r;
}

int ext2_mount_rw(struct ext2_fs *fs, const struct ext2_dev *dev, char *why, size_t whylen)
{
	uint32_t replayed;
	bool recovered = false;
	int r = recover(fs, dev, &replayed, &recovered);
	if (r) {
		if (why && whylen)
			snprintf(why, whylen, "%s", fs->why);
		return r;
	}
	r = ext2_mount(fs, dev->read, dev->ctx, dev->bytes, why, whylen);
	if (r)
		return r;
	fs->replayed = replayed;
	fs->recovered = recovered;
	uint32_t unknown = fs->ro_compat & ~(uint32_t)RO_COMPAT_KNOWN;
	struct ext2_rw *rw = NULL;
	if (dev->write && unknown) {
		int bit = __builtin_ctz(unknown);
		if (ro_compat_names[bit])
			r = fail(fs, -EXT2_ENOTSUP, "read-only-compatible feature %s (0x%x) not supported for writing",
				 ro_compat_names[bit], 1u << bit);
		else
			r = fail(fs, -EXT2_ENOTSUP, "unknown read-only-compatible feature 0x%x", 1u << bit);
	} else if (dev->write && (!dev->flush || !dev->now)) {
		r = fail(fs, -EXT2_EINVAL, "a writable device needs flush and clock callbacks");
	} else if (!(rw = calloc(1, sizeof *rw))) {
		r = fail(fs, -EXT2_ENOMEM, "no memory for the mount");
	}
	if (!r) {
		fs->rw = rw;
		rw->dev = *dev;
		rw->writable = dev->write != NULL;
		r = load(fs, rw);
	}
	if (!r)
		r = e2_cache_init(fs, dev->cache_bytes);
	if (!r && rw->writable && (fs->compat & EXT2_COMPAT_HAS_JOURNAL))
		r = e2_journal_open(fs);
	if (!r && rw->writable) {
		/* counted and marked not clean before anything else is written;
		 * journalled, needs_recovery says a cut is replayed, so a mount
		 * that recovered is as clean as the journal made it */
		uint16_t state = le16(rw->sb + SB_STATE);
		fs->not_clean = (!(state & STATE_VALID) && !recovered) || (state & STATE_ERROR);
		put_le16(rw->sb + SB_STATE, state & ~STATE_VALID);
		if (rw->jnl)
			put_le32(rw->sb + 96, le32(rw->sb + 96) | INCOMPAT_RECOVER);
		put_le16(rw->sb + SB_MNT_COUNT, (uint16_t)(le16(rw->sb + SB_MNT_COUNT) + 1));
		put_le32(rw->sb + SB_MTIME, e2_now(fs));
		rw->generation = e2_now(fs);    /* i_generation differs across mounts */
		r = write_super(fs);
		if (!r)
			r = flush(fs);
	}
	if (r) {
		drop(fs);
		if (why && whylen)
			snprintf(why, whylen, "%s", fs->why);
	}
	return r;
}

int ext2_sync(struct ext2_fs *fs)
{
	if (!fs->rw || !fs->rw->writable)
		return 0;
	struct ext2_rw *rw = fs->rw;
	if (rw->jnl)
		return e2_journal_commit(fs);
	/* the order and why: e2_writeback in cache.c */
	int r = e2_writeback(fs, BUF_BITMAP);
	if (!r && rw->gdt_dirty) {
		r = e2_disk_write(fs, (uint64_t)(fs->first_data_block + 1) * fs->block_size, rw->gdt,
				  (size_t)rw->gdt_blocks * fs->block_size, "group descriptors");
		if (!r)
			rw->gdt_dirty = false;
	}
	/* the superblock's counts summarise the descriptors': after them */
	if (!r && rw->sb_dirty && !(r = e2_disk_drain(fs, "group descriptors"))) {
		put_le32(rw->sb + SB_WTIME, e2_now(fs));
		r = write_super(fs);
	}
	if (!r)
		r = flush(fs);
	if (!r) {
		e2_ranges_clear(&rw->freed);            /* the frees are on the disk now */
		rw->nfreed_ino = 0;
	}
	return r;
}

int ext2_unmount(struct ext2_fs *fs)
{
	if (!fs->rw)
		return 0;
	struct ext2_rw *rw = fs->rw;
	int r = 0;
	if (rw->writable) {
		r = e2_free_orphans(fs);
		/* clean only if everything before it reached the disk */
		int s = ext2_sync(fs);
		/* journalled, everything the log holds goes in place and the
		 * log is marked empty before the superblock says it is */
		if (!s && rw->jnl)
			s = e2_journal_checkpoint(fs);
		if (!r)
			r = s;
		/* a file system that was not clean at mount, or that showed
		 * damage since, stays not clean (as Linux): e2fsck is due */
		fs->not_clean |= (le16(rw->sb + SB_STATE) & STATE_ERROR) != 0;
		/* journalled, the journal is empty now: the superblock goes in
		 * place, without needs_recovery */
		if (!r && (!fs->not_clean || rw->jnl)) {
			if (!fs->not_clean)
				put_le16(rw->sb + SB_STATE, le16(rw->sb + SB_STATE) | STATE_VALID);
			put_le32(rw->sb + 96, le32(rw->sb + 96) & ~(uint32_t)INCOMPAT_RECOVER);
			rw->sb_dirty = true;
			r = rw->jnl ? e2_journal_checkpoint(fs) : ext2_sync(fs);
		}
	}
	drop(fs);
	return r;
}

void ext2_statfs(struct ext2_fs *fs, struct ext2_statfs *out)
{
	uint8_t disk[SUPER_SIZE];
	const uint8_t *sb = fs->rw ? fs->rw->sb : disk;
	memset(out, 0, sizeof *out);
	if (!fs->rw && e2_disk_read(fs, SUPER_OFFSET, disk, sizeof disk, "superblock"))
		return;
	uint32_t free_blocks = le32(sb + SB_FREE_BLOCKS), reserved = le32(sb + SB_R_BLOCKS);
	out->block_size = fs->block_size;
	out->blocks = fs->blocks_count;
	out->free_blocks = free_blocks;
	out->avail_blocks = free_blocks > reserved ? free_blocks - reserved : 0;
	out->inodes = fs->inodes_count;
	out->free_inodes = le32(sb + SB_FREE_INODES);
}
