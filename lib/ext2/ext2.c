/* The ext2 read path (see ext2/ext2.h): the superblock, inodes, block
 * maps and directory entries.  Everything on disk is little-endian and read
 * into byte buffers, then decoded byte by byte: no struct is laid over disk
 * data.  Every number read from the disk is checked before it is used to
 * address anything, and every loop is bounded by a count that was itself
 * checked, so a damaged image ends in an error with a reason, not in a
 * crash or a hang.  On a cached mount the same code reads through the block
 * cache (cache.c), so that it sees what the write path changed. */
#include <stdarg.h>
#include "ext2_int.h"

int e2_fail(struct ext2_fs *fs, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(fs->why, sizeof fs->why, fmt, ap);
	va_end(ap);
	return err;
}
#define fail e2_fail

static void put_error(uint8_t *sb, int time_at, int ino_at, int block_at, int func_at, int line_at,
		      uint32_t now, uint32_t ino, uint32_t blk, const char *func, int line)
{
	put_le32(sb + time_at, now);
	put_le32(sb + ino_at, ino);
	put_le32(sb + block_at, blk);
	put_le32(sb + block_at + 4, 0);
	memset(sb + func_at, 0, 32);
	memcpy(sb + func_at, func, strnlen(func, 32));
	put_le32(sb + line_at, (uint32_t)line);
}

int e2_corrupt_at(struct ext2_fs *fs, const char *func, int line, uint32_t ino, uint32_t blk,
		  const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(fs->why, sizeof fs->why, fmt, ap);
	va_end(ap);
	struct ext2_rw *rw = fs->rw;
	if (!rw || !rw->writable)
		return -EXT2_EINVAL;
	uint8_t *sb = rw->sb;
	put_le16(sb + SB_STATE, le16(sb + SB_STATE) | STATE_ERROR);
	if (fs->rev >= 1) {
		uint32_t now = rw->dev.now(rw->dev.ctx), n = le32(sb + SB_ERROR_COUNT);
		put_le32(sb + SB_ERROR_COUNT, n + (n != 0xffffffffu));
		if (!le32(sb + SB_FIRST_ERROR_TIME))
			put_error(sb, SB_FIRST_ERROR_TIME, SB_FIRST_ERROR_INO, SB_FIRST_ERROR_BLOCK,
				  SB_FIRST_ERROR_FUNC, SB_FIRST_ERROR_LINE, now, ino, blk, func, line);
		put_error(sb, SB_LAST_ERROR_TIME, SB_LAST_ERROR_INO, SB_LAST_ERROR_BLOCK,
			  SB_LAST_ERROR_FUNC, SB_LAST_ERROR_LINE, now, ino, blk, func, line);
	}
	rw->sb_dirty = true;
	if (rw->dev.log && strcmp(rw->logged, fs->why) != 0) {
		snprintf(rw->logged, sizeof rw->logged, "%s", fs->why);
		rw->dev.log(rw->dev.ctx, fs->why);
	}
	return -EXT2_EINVAL;
}

int e2_disk_read(struct ext2_fs *fs, uint64_t off, void *buf, size_t n, const char *what)
{
	if (off > fs->disk_bytes || n > fs->disk_bytes - off)
		return fail(fs, -EXT2_EIO, "%s: %zu bytes at offset %llu are past the disk (%llu bytes)",
			    what, n, (ull)off, (ull)fs->disk_bytes);
	if (fs->read(fs->ctx, off, buf, n) != 0)
		return fail(fs, -EXT2_EIO, "%s: cannot read %zu bytes at offset %llu", what, n, (ull)off);
	return 0;
}

int e2_meta_read(struct ext2_fs *fs, uint32_t blk, uint32_t off, void *buf, size_t n, const char *what)
{
	if (!fs->rw)
		return e2_disk_read(fs, (uint64_t)blk * fs->block_size + off, buf, n, what);
	struct buf *b;
	int r = e2_bread(fs, blk, BUF_ANY, &b);
	if (r)
		return r;
	memcpy(buf, b->data + off, n);
	e2_brelse(b);
	return 0;
}

/* --- superblock and group descriptors --------------------------------------- */

/* The incompatible features by name, so that a refusal says what is missing. */
static const char *const incompat_names[32] = {
	"compression", "filetype", "needs_recovery", "journal_dev", "meta_bg", NULL,
	"extents", "64bit", "mmp", "flex_bg", "ea_inode", NULL, "dirdata",
	"metadata_csum_seed", "large_dir", "inline_data", "encrypt", "casefold",
};

/* Reads and checks the descriptor of group G; returns its inode table. */
static int group_itable(struct ext2_fs *fs, uint32_t g, uint32_t *itable)
{
	uint8_t d[DESC_SIZE];
	if (fs->rw) {
		memcpy(d, e2_gd(fs, g), sizeof d);
	} else {
		uint64_t off = (uint64_t)(fs->first_data_block + 1) * fs->block_size + (uint64_t)g * DESC_SIZE;
		int r = e2_disk_read(fs, off, d, sizeof d, "group descriptor");
		if (r)
			return r;
	}
	uint32_t bb = le32(d), ib = le32(d + 4), it = le32(d + 8);
	if (!e2_block_ok(fs, bb))
		return fail(fs, -EXT2_EINVAL, "group %u: block bitmap at block %u outside the fs", g, bb);
	if (!e2_block_ok(fs, ib))
		return fail(fs, -EXT2_EINVAL, "group %u: inode bitmap at block %u outside the fs", g, ib);
	if (!e2_block_ok(fs, it) || fs->itable_blocks > fs->blocks_count - it)
		return fail(fs, -EXT2_EINVAL, "group %u: inode table at block %u (%u blocks) outside the fs",
			    g, it, fs->itable_blocks);
	*itable = it;
	return 0;
}

static int check_super(struct ext2_fs *fs, const uint8_t *sb)
{
	if (le16(sb + 56) != MAGIC)
		return fail(fs, -EXT2_EINVAL, "bad magic 0x%04x in the superblock (not ext2)", le16(sb + 56));
	fs->rev = le32(sb + SB_REV);
	if (fs->rev > 1)
		return fail(fs, -EXT2_EINVAL, "unknown revision %u", fs->rev);
	uint32_t log = le32(sb + 24);
	if (log > 2)
		return fail(fs, -EXT2_EINVAL, "block size field %u (block size %s)", log,
			    log < 22 ? "over 4 KiB" : "absurd");
	fs->block_size = 1024u << log;
	uint32_t bs = fs->block_size;
	fs->inodes_count = le32(sb);
	fs->blocks_count = le32(sb + 4);
	fs->first_data_block = le32(sb + 20);
	fs->blocks_per_group = le32(sb + 32);
	fs->inodes_per_group = le32(sb + 40);
	if (fs->first_data_block != (bs == 1024))
		return fail(fs, -EXT2_EINVAL, "first data block %u, want %u for %u-byte blocks",
			    fs->first_data_block, bs == 1024, bs);
	if (fs->blocks_count <= fs->first_data_block + 1)
		return fail(fs, -EXT2_EINVAL, "blocks count %u too small", fs->blocks_count);
	if ((uint64_t)fs->blocks_count * bs > fs->disk_bytes)
		return fail(fs, -EXT2_EINVAL, "blocks count %u (%llu bytes) larger than the disk (%llu bytes)",
			    fs->blocks_count, (ull)fs->blocks_count * bs, (ull)fs->disk_bytes);
	/* a group's bitmaps are one block each */
	if (fs->blocks_per_group < 8 || fs->blocks_per_group > 8 * bs || fs->blocks_per_group % 8)
		return fail(fs, -EXT2_EINVAL, "blocks per group %u", fs->blocks_per_group);
	if (fs->inodes_per_group < 1 || fs->inodes_per_group > 8 * bs)
		return fail(fs, -EXT2_EINVAL, "inodes per group %u", fs->inodes_per_group);
	fs->groups = (fs->blocks_count - fs->first_data_block + fs->blocks_per_group - 1) / fs->blocks_per_group;
	if ((uint64_t)fs->groups * fs->inodes_per_group != fs->inodes_count)
		return fail(fs, -EXT2_EINVAL, "inodes count %u is not %u groups of %u", fs->inodes_count,
			    fs->groups, fs->inodes_per_group);
	if (fs->rev == 0) {
		fs->inode_size = GOOD_OLD_INODE_SIZE;
		fs->first_ino = GOOD_OLD_FIRST_INO;
	} else {
		fs->inode_size = le16(sb + SB_INODE_SIZE);
		fs->first_ino = le32(sb + SB_FIRST_INO);
		fs->compat = le32(sb + SB_COMPAT);
		fs->incompat = le32(sb + 96);
		fs->ro_compat = le32(sb + SB_RO_COMPAT);
	}
	uint32_t is = fs->inode_size;
	if (is < GOOD_OLD_INODE_SIZE || is > bs || (is & (is - 1)))
		return fail(fs, -EXT2_EINVAL, "inode size %u", is);
	if (fs->first_ino < GOOD_OLD_FIRST_INO || fs->first_ino > fs->inodes_count)
		return fail(fs, -EXT2_EINVAL, "first inode %u (of %u)", fs->first_ino, fs->inodes_count);
	fs->itable_blocks = (uint32_t)(((uint64_t)fs->inodes_per_group * is + bs - 1) / bs);
	uint32_t unknown = fs->incompat & ~(uint32_t)(EXT2_INCOMPAT_FILETYPE | (fs->recovering ? INCOMPAT_RECOVER : 0));
	if (unknown) {
		int bit = __builtin_ctz(unknown);
		if (incompat_names[bit])
			return fail(fs, -EXT2_ENOTSUP, "incompatible feature %s (0x%x) not supported",
				    incompat_names[bit], 1u << bit);
		return fail(fs, -EXT2_ENOTSUP, "unknown incompatible feature 0x%x", 1u << bit);
	}
	fs->filetype = fs->incompat & EXT2_INCOMPAT_FILETYPE;
	fs->sparse_super = fs->ro_compat & EXT2_RO_COMPAT_SPARSE_SUPER;
	fs->large_file = fs->ro_compat & EXT2_RO_COMPAT_LARGE_FILE;
	/* the descriptors follow the superblock's block, and must fit the
	 * first group (which also holds bitmaps and the inode table) */
	uint64_t gdt_blocks = ((uint64_t)fs->groups * DESC_SIZE + bs - 1) / bs;
	if (gdt_blocks > fs->blocks_per_group - 1 || fs->first_data_block + 1 + gdt_blocks > fs->blocks_count)
		return fail(fs, -EXT2_EINVAL, "%u group descriptors (%llu blocks) do not fit the first group",
			    fs->groups, (ull)gdt_blocks);
	return 0;
}

static int mount(struct ext2_fs *fs, ext2_read_fn read, void *ctx, uint64_t disk_bytes, bool recovering,
		 char *why, size_t whylen);

int ext2_mount(struct ext2_fs *fs, ext2_read_fn read, void *ctx, uint64_t disk_bytes,
	       char *why, size_t whylen)
{
	return mount(fs, read, ctx, disk_bytes, false, why, whylen);
}

int e2_mount_recovering(struct ext2_fs *fs, ext2_read_fn read, void *ctx, uint64_t disk_bytes)
{
	return mount(fs, read, ctx, disk_bytes, true, NULL, 0);
}

static int mount(struct ext2_fs *fs, ext2_read_fn read, void *ctx, uint64_t disk_bytes, bool recovering,
		 char *why, size_t whylen)
{
	memset(fs, 0, sizeof *fs);
	fs->recovering = recovering;
	fs->read = read;
	fs->ctx = ctx;
	fs->disk_bytes = disk_bytes;
	uint8_t sb[SUPER_SIZE];
	int r = e2_disk_read(fs, SUPER_OFFSET, sb, sizeof sb, "superblock");
	if (!r)
		r = check_super(fs, sb);
	for (uint32_t g = 0; !r && g < fs->groups; g++) {
		uint32_t it;
		r = group_itable(fs, g, &it);
	}
	struct ext2_inode root;
	if (!r)
		r = ext2_read_inode(fs, EXT2_ROOT_INO, &root);
	if (!r && (root.mode & EXT2_S_IFMT) != EXT2_S_IFDIR)
		r = fail(fs, -EXT2_EINVAL, "root inode is not a directory (mode 0%o)", root.mode);
	if (r && why && whylen)
		snprintf(why, whylen, "%s", fs->why);
	return r;
}

/* --- inodes ------------------------------------------------------------------ */

int e2_inode_where(struct ext2_fs *fs, uint32_t ino, uint32_t *blk, uint32_t *off)
{
	if (ino < 1 || ino > fs->inodes_count)
		return fail(fs, -EXT2_EINVAL, "inode number %u outside 1..%u", ino, fs->inodes_count);
	uint32_t g = (ino - 1) / fs->inodes_per_group, i = (ino - 1) % fs->inodes_per_group, it;
	int r = group_itable(fs, g, &it);
	if (r)
		return r;
	uint64_t byte = (uint64_t)i * fs->inode_size;
	*blk = it + (uint32_t)(byte / fs->block_size);
	*off = (uint32_t)(byte % fs->block_size);
	return 0;
}

void e2_inode_decode(struct ext2_inode *out, uint32_t ino, const uint8_t *d)
{
	memset(out, 0, sizeof *out);
	out->ino = ino;
	out->mode = le16(d);
	out->uid = le16(d + 2) | (uint32_t)le16(d + 120) << 16;
	out->size = le32(d + 4);
	out->atime = le32(d + 8);
	out->ctime = le32(d + 12);
	out->mtime = le32(d + 16);
	out->dtime = le32(d + 20);
	out->gid = le16(d + 24) | (uint32_t)le16(d + 122) << 16;
	out->links = le16(d + 26);
	out->blocks = le32(d + 28);
	out->flags = le32(d + 32);
	for (int k = 0; k < 15; k++)
		out->block[k] = le32(d + 40 + 4 * k);
	out->generation = le32(d + 100);
	out->file_acl = le32(d + 104);
	/* ext2 keeps i_dir_acl where regular files keep the high size bits */
	if ((out->mode & EXT2_S_IFMT) == EXT2_S_IFREG)
		out->size |= (uint64_t)le32(d + 108) << 32;
}

uint64_t e2_max_size(const struct ext2_fs *fs)
{
	uint64_t p = fs->block_size / 4;
	return (NDIR + p + p * p + p * p * p) * fs->block_size;
}

#define ITABLE_AHEAD 16         /* inode table blocks read at once on a cached mount */

int ext2_read_inode(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *out)
{
	uint32_t blk, off;
	uint8_t d[GOOD_OLD_INODE_SIZE];
	int r = e2_inode_where(fs, ino, &blk, &off);
	if (!r && fs->rw && !e2_cached(fs, blk)) {
		/* inode table read-ahead (as ext4's inode_readahead_blks): files
		 * made together have their inodes together, and a tree is
		 * walked in about that order; only a hint */
		uint32_t at = (uint32_t)((uint64_t)((ino - 1) % fs->inodes_per_group) * fs->inode_size / fs->block_size);
		uint32_t left = fs->itable_blocks > at ? fs->itable_blocks - at : 1;
		e2_prefetch(fs, blk, left < ITABLE_AHEAD ? left : ITABLE_AHEAD, BUF_ITABLE);
	}
	if (!r)
		r = e2_meta_read(fs, blk, off, d, sizeof d, "inode");
	if (r)
		return r;
	e2_inode_decode(out, ino, d);
	if (out->links == 0 && (out->mode == 0 || out->dtime))
		return fail(fs, -EXT2_ENOENT, "inode %u is not in use", ino);
	if (out->flags & (EXTENTS_FL | INLINE_DATA_FL))
		return fail(fs, -EXT2_EINVAL, "inode %u has flags 0x%x (extents or inline data) on ext2",
			    ino, out->flags);
	if (out->size > e2_max_size(fs))
		return fail(fs, -EXT2_EFBIG, "inode %u: size %llu larger than the block map", ino, (ull)out->size);
	return 0;
}

/* --- block maps -------------------------------------------------------------- */

int e2_block_path(struct ext2_fs *fs, uint32_t ino, uint64_t lb, int *levels, uint32_t idx[4])
{
	uint64_t p = fs->block_size / 4;
	if (lb < NDIR) {
		*levels = 0;
		idx[0] = (uint32_t)lb;
		return 0;
	}
	/* find the tree (single, double, triple) and the index within it */
	uint64_t rest = lb - NDIR, span = p;
	int n = 1;
	for (; rest >= span; n++) {
		if (n == 3)
			return fail(fs, -EXT2_EFBIG, "inode %u: block %llu beyond the triple indirect block",
				    ino, (ull)lb);
		rest -= span;
		span *= p;
	}
	*levels = n;
	idx[0] = NDIR + n - 1;
	for (int k = n; k >= 1; k--) {
		idx[k] = (uint32_t)(rest % p);
		rest /= p;
	}
	return 0;
}

int e2_bmap(struct ext2_fs *fs, const struct ext2_inode *in, uint64_t lb, uint32_t *out)
{
	int levels;
	uint32_t idx[4];
	int r = e2_block_path(fs, in->ino, lb, &levels, idx);
	if (r)
		return r;
	uint32_t b = in->block[idx[0]];
	for (int k = 1; k <= levels && b != 0; k++) {
		if (!e2_block_ok(fs, b))
			return e2_corrupt(fs, in->ino, b, "inode %u: indirect block %u outside the fs", in->ino, b);
		uint8_t e[4];
		r = e2_meta_read(fs, b, idx[k] * 4, e, 4, "indirect block");
		if (r)
			return r;
		b = le32(e);
	}
	if (b != 0 && !e2_block_ok(fs, b))
		return e2_corrupt(fs, in->ino, b, "inode %u: data block %u outside the fs", in->ino, b);
	*out = b;
	return 0;
}

/* --- directories ----------------------------------------------------------- */

unsigned ext2_mode_type(uint16_t mode)
{
	switch (mode & EXT2_S_IFMT) {
	case EXT2_S_IFREG: return EXT2_FT_REG;
	case EXT2_S_IFDIR: return EXT2_FT_DIR;
	case EXT2_S_IFCHR: return EXT2_FT_CHR;
	case EXT2_S_IFBLK: return EXT2_FT_BLK;
	case EXT2_S_IFIFO: return EXT2_FT_FIFO;
	case EXT2_S_IFSOCK: return EXT2_FT_SOCK;
	case EXT2_S_IFLNK: return EXT2_FT_SYMLINK;
	}
	return EXT2_FT_UNKNOWN;
}

int e2_dirent_at(struct ext2_fs *fs, uint32_t dir, uint64_t lb, const uint8_t *blk, uint32_t off,
		 struct e2_dirent *e)
{
	uint32_t bs = fs->block_size;
	const uint8_t *p = blk + off;
	if (off >= bs || bs - off < 8)
		return e2_corrupt(fs, dir, 0, "directory %u block %llu offset %u: entry header past the block",
			    dir, (ull)lb, off);
	e->off = off;
	e->ino = le32(p);
	e->rec = le16(p + 4);
	e->len = p[6];
	e->type = fs->filetype ? p[7] : EXT2_FT_UNKNOWN;
	e->name = p + 8;
	if (!fs->filetype)
		e->len |= (uint32_t)p[7] << 8;
	if (e->rec < 12 || e->rec % 4 || e->rec > bs - off || e->len + 8 > e->rec)
		return e2_corrupt(fs, dir, 0,
			    "directory %u block %llu offset %u: rec_len %u name_len %u do not fit the block",
			    dir, (ull)lb, off, e->rec, e->len);
	if (e->ino == 0)
		return 0;
	if (e->ino > fs->inodes_count)
		return e2_corrupt(fs, dir, 0, "directory %u block %llu offset %u: inode %u past s_inodes_count %u",
			    dir, (ull)lb, off, e->ino, fs->inodes_count);
	if (e->len == 0 || e->len > EXT2_NAME_MAX || memchr(e->name, 0, e->len) || memchr(e->name, '/', e->len))
		return e2_corrupt(fs, dir, 0, "directory %u block %llu offset %u: bad name", dir, (ull)lb, off);
	if (e->type > EXT2_FT_SYMLINK)
		return e2_corrupt(fs, dir, 0, "directory %u block %llu offset %u: file type %u",
			    dir, (ull)lb, off, e->type);
	return 0;
}

/* Hands the entries of one directory block to FN. */
static int dir_block(struct ext2_fs *fs, const struct ext2_inode *dir, uint64_t lb, const uint8_t *blk,
		     ext2_dir_fn fn, void *arg)
{
	char name[EXT2_NAME_MAX + 1];
	struct e2_dirent e;
	/* each turn advances by at least 12 bytes, within the block */
	for (uint32_t off = 0; off < fs->block_size; off += e.rec) {
		int r = e2_dirent_at(fs, dir->ino, lb, blk, off, &e);
		if (r)
			return r;
		if (e.ino == 0)
			continue;
		memcpy(name, e.name, e.len);
		name[e.len] = 0;
		r = fn(arg, name, e.len, e.ino, e.type);
		if (r)
			return r;
	}
	return 0;
}

int ext2_readdir(struct ext2_fs *fs, const struct ext2_inode *dir, ext2_dir_fn fn, void *arg)
{
	uint32_t bs = fs->block_size;
	if ((dir->mode & EXT2_S_IFMT) != EXT2_S_IFDIR)
		return fail(fs, -EXT2_ENOTDIR, "inode %u is not a directory", dir->ino);
	if (dir->size == 0 || dir->size % bs)
		return fail(fs, -EXT2_EINVAL, "directory %u: size %llu is not a positive number of blocks",
			    dir->ino, (ull)dir->size);
	/* a private copy of each block: FN may call back into the core */
	uint8_t *blk = malloc(bs);
	if (!blk)
		return fail(fs, -EXT2_ENOMEM, "no memory for a directory block");
	int r = 0;
	for (uint64_t lb = 0; !r && lb < dir->size / bs; lb++) {
		uint32_t b;
		r = e2_bmap(fs, dir, lb, &b);
		if (!r && b == 0)
			r = e2_corrupt(fs, dir->ino, 0, "directory %u: hole at block %llu", dir->ino, (ull)lb);
		if (!r)
			r = e2_meta_read(fs, b, 0, blk, bs, "directory block");
		if (!r)
			r = dir_block(fs, dir, lb, blk, fn, arg);
	}
	free(blk);
	return r;
}

struct find {
	const char *name;
	size_t len;
	uint32_t ino;
};

static int find_fn(void *arg, const char *name, size_t len, uint32_t ino, unsigned type)
{
	struct find *f = arg;
	(void)type;
	if (len != f->len || memcmp(name, f->name, len))
		return 0;
	f->ino = ino;
	return 1;
}

int ext2_lookup(struct ext2_fs *fs, const struct ext2_inode *dir, const char *name, size_t len, uint32_t *ino)
{
	if (len > EXT2_NAME_MAX)
		return fail(fs, -EXT2_ENAMETOOLONG, "name of %zu bytes", len);
	if (len == 0 || memchr(name, '/', len) || memchr(name, 0, len))
		return fail(fs, -EXT2_ENOENT, "no such name (empty, or with '/' or NUL)");
	struct find f = { name, len, 0 };
	int r = ext2_readdir(fs, dir, find_fn, &f);
	if (r < 0)
		return r;
	if (r == 0)
		return fail(fs, -EXT2_ENOENT, "no '%.*s' in directory %u", (int)len, name, dir->ino);
	*ino = f.ino;
	return 0;
}
