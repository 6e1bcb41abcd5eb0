/* Directories on a writable mount: entries found, added, changed and
 * removed, and the namespace operations built on them.  Hashed (htree)
 * directories are treated as linear ones, which they also are; a change
 * clears EXT2_INDEX_FL so that e2fsck does not find a stale index.  Each
 * helper below finds its entry again by name and changes one directory
 * inode, so that the steps of an operation never act on stale offsets or
 * copies.  Every operation makes its one change that may fail for lack of
 * space (a new inode, a new block) before it changes anything else, and
 * gives back what it took when that fails. */
#include "ext2_int.h"

#define fail e2_fail
#define NONE 0xffffffffu
#define ALL_LINKS (-0x10000)

/* Where an entry is: its block, its offset, the offset of the entry before
 * it in the block (NONE for the first). */
struct slot {
	uint32_t blk, off, prev, ino;
};

static int check_name(struct ext2_fs *fs, const char *name, size_t len)
{
	if (len > EXT2_NAME_MAX)
		return fail(fs, -EXT2_ENAMETOOLONG, "name of %zu bytes (%u at most)", len, EXT2_NAME_MAX);
	if (len == 0 || memchr(name, '/', len) || memchr(name, 0, len))
		return fail(fs, -EXT2_EINVAL, "bad name (empty, or with '/' or NUL)");
	if (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')))
		return fail(fs, -EXT2_EINVAL, "'%.*s' cannot be made, removed or renamed", (int)len, name);
	return 0;
}

/* Directory INO, for a change: still linked, of whole blocks. */
static int get_dir(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *d)
{
	int r = e2_iget(fs, ino, d);
	if (r)
		return r;
	if ((d->mode & EXT2_S_IFMT) != EXT2_S_IFDIR)
		return fail(fs, -EXT2_ENOTDIR, "inode %u is not a directory", ino);
	if (d->links == 0)
		return fail(fs, -EXT2_ENOENT, "directory %u was removed", ino);
	if (d->size == 0 || d->size % fs->block_size)
		return fail(fs, -EXT2_EINVAL, "directory %u: size %llu is not a positive number of blocks", ino,
			    (ull)d->size);
	return 0;
}

/* Directory block LB of D, pinned. */
static int dir_block(struct ext2_fs *fs, const struct ext2_inode *d, uint64_t lb, struct buf **out)
{
	uint32_t b;
	int r = e2_bmap(fs, d, lb, &b);
	if (!r && b == 0)
		r = e2_corrupt(fs, d->ino, 0, "directory %u: hole at block %llu", d->ino, (ull)lb);
	return r ? r : e2_bread(fs, b, BUF_DIR, out);
}

/* Finds NAME (any name, "." and ".." too) in D. */
static int find(struct ext2_fs *fs, const struct ext2_inode *d, const char *name, size_t len, struct slot *s)
{
	uint32_t bs = fs->block_size;
	for (uint64_t lb = 0; lb < d->size / bs; lb++) {
		struct buf *b;
		struct e2_dirent e;
		int r = dir_block(fs, d, lb, &b);
		if (r)
			return r;
		for (uint32_t off = 0, prev = NONE; off < bs; prev = off, off += e.rec) {
			if ((r = e2_dirent_at(fs, d->ino, lb, b->data, off, &e))) {
				e2_brelse(b);
				return r;
			}
			if (e.ino && e.len == len && !memcmp(e.name, name, len)) {
				*s = (struct slot){ b->blk, off, prev, e.ino };
				e2_brelse(b);
				return 0;
			}
		}
		e2_brelse(b);
	}
	return fail(fs, -EXT2_ENOENT, "no '%.*s' in directory %u", (int)len, name, d->ino);
}

static void put_entry(struct ext2_fs *fs, uint8_t *p, uint32_t ino, uint32_t rec, const char *name, size_t len,
		      unsigned type)
{
	put_le32(p, ino);
	put_le16(p + 4, (uint16_t)rec);
	p[6] = (uint8_t)len;
	p[7] = fs->filetype ? (uint8_t)type : 0;
	memcpy(p + 8, name, len);
	memset(p + 8 + len, 0, e2_rec_size((uint32_t)len) - 8 - len);
}

/* A directory changed: no longer a valid index, new times. */
static int touch(struct ext2_fs *fs, struct ext2_inode *d)
{
	d->flags &= ~(uint32_t)INDEX_FL;
	d->mtime = d->ctime = e2_now(fs);
	return e2_iput(fs, d);
}

/* Block BLK of directory D was changed: it goes back to the cache dirty, D
 * gets its new times. */
static int block_changed(struct ext2_fs *fs, struct buf *blk, struct ext2_inode *d)
{
	e2_bdirty(blk);
	e2_brelse(blk);
	return touch(fs, d);
}

/* Finds NAME in directory DIR (read into *D) and pins the block that holds
 * its entry. */
static int find_pinned(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, struct ext2_inode *d,
		       struct slot *s, struct buf **blk)
{
	int r = get_dir(fs, dir, d);
	if (!r)
		r = find(fs, d, name, len, s);
	return r ? r : e2_bread(fs, s->blk, BUF_DIR, blk);
}

/* Adds NAME -> INO to directory DIR: in the first gap large enough, or in
 * a new block at the end. */
static int dir_add(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint32_t ino, unsigned type)
{
	struct ext2_inode d;
	uint32_t bs = fs->block_size, need = e2_rec_size((uint32_t)len), b;
	int r = get_dir(fs, dir, &d);
	for (uint64_t lb = 0; !r && lb < d.size / bs; lb++) {
		struct buf *blk;
		struct e2_dirent e;
		if ((r = dir_block(fs, &d, lb, &blk)))
			return r;
		for (uint32_t off = 0; off < bs; off += e.rec) {
			if ((r = e2_dirent_at(fs, dir, lb, blk->data, off, &e)))
				break;
			uint32_t used = e.ino ? e2_rec_size(e.len) : 0;
			if (e.rec - used < need)
				continue;
			if (used)
				put_le16(blk->data + off + 4, (uint16_t)used);
			put_entry(fs, blk->data + off + used, ino, e.rec - used, name, len, type);
			return block_changed(fs, blk, &d);
		}
		e2_brelse(blk);
	}
	if (r)
		return r;
	struct buf *blk;
	bool fresh;
	if ((r = e2_bmap_alloc(fs, &d, d.size / bs, &b, &fresh)))
		return r;
	if ((r = e2_bnew(fs, b, BUF_DIR, &blk))) {
		e2_iput(fs, &d);        /* the block is in the map; e2fsck takes it back */
		return r;
	}
	/* on the disk empty before the directory's inode can point at it,
	 * the new entry after the inode it names (cache.c) */
	put_entry(fs, blk->data, 0, bs, "", 0, 0);
	if ((r = e2_bwrite_now(fs, blk))) {
		e2_brelse(blk);
		e2_iput(fs, &d);
		return r;
	}
	put_entry(fs, blk->data, ino, bs, name, len, type);
	d.size += bs;
	return block_changed(fs, blk, &d);
}

/* Removes NAME from DIR: the entry before it in its block takes its space;
 * the first entry of a block is marked unused instead. */
static int dir_remove(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len)
{
	struct ext2_inode d;
	struct slot s;
	struct buf *blk;
	int r = find_pinned(fs, dir, name, len, &d, &s, &blk);
	if (r)
		return r;
	if (s.prev == NONE) {
		put_le32(blk->data + s.off, 0);
	} else {
		uint8_t *p = blk->data + s.prev + 4;
		put_le16(p, (uint16_t)(le16(p) + le16(blk->data + s.off + 4)));
	}
	return block_changed(fs, blk, &d);
}

/* Points the existing entry NAME of DIR at INO. */
static int dir_set(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint32_t ino, unsigned type)
{
	struct ext2_inode d;
	struct slot s;
	struct buf *blk;
	int r = find_pinned(fs, dir, name, len, &d, &s, &blk);
	if (r)
		return r;
	put_le32(blk->data + s.off, ino);
	blk->data[s.off + 7] = fs->filetype ? (uint8_t)type : 0;
	return block_changed(fs, blk, &d);
}

static int not_dot(void *arg, const char *name, size_t len, uint32_t ino, unsigned type)
{
	(void)arg, (void)ino, (void)type;
	return !(name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')));
}

/* 0 when directory D holds nothing but "." and "..". */
static int empty(struct ext2_fs *fs, const struct ext2_inode *d)
{
	int r = ext2_readdir(fs, d, not_dot, NULL);
	if (r > 0)
		return fail(fs, -EXT2_ENOTEMPTY, "directory %u is not empty", d->ino);
	return r;
}

/* The links of directory DIR, for a child directory's ".." coming or
 * going: never down to 0, which would free a directory still named. */
static int parent_links(struct ext2_fs *fs, uint32_t dir, int delta)
{
	struct ext2_inode d;
	int r = e2_iget(fs, dir, &d);
	if (r)
		return r;
	int links = d.links + delta;
	d.links = (uint16_t)(links < 1 ? 1 : links > 0xffff ? 0xffff : links);
	d.ctime = e2_now(fs);
	return e2_iput(fs, &d);
}

/* --- new inodes --------------------------------------------------------------- */

/* Checks that NAME may be added to DIR (read into *D) and takes an inode
 * for it, filled in but not yet written. */
static int make(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint16_t mode, uint32_t uid,
		uint32_t gid, struct ext2_inode *d, struct ext2_inode *in)
{
	struct slot s;
	int r = e2_writable(fs);
	if (!r)
		r = check_name(fs, name, len);
	if (!r)
		r = get_dir(fs, dir, d);
	if (r)
		return r;
	if ((r = find(fs, d, name, len, &s)) == 0)
		return fail(fs, -EXT2_EEXIST, "'%.*s' exists in directory %u", (int)len, name, dir);
	if (r != -EXT2_ENOENT)
		return r;
	bool isdir = (mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
	if (isdir && d->links >= LINK_MAX)
		return fail(fs, -EXT2_EMLINK, "directory %u has %u links already", dir, d->links);
	memset(in, 0, sizeof *in);
	if ((r = e2_alloc_inode(fs, dir, isdir, &in->ino)))
		return r;
	in->mode = mode;
	in->uid = uid;
	in->gid = gid;
	in->atime = in->ctime = in->mtime = e2_now(fs);
	in->links = isdir ? 2 : 1;
	in->generation = ++fs->rw->generation;
	return 0;
}

/* Gives back the inode and the blocks of a new inode that could not be named. */
static void unmake(struct ext2_fs *fs, struct ext2_inode *in)
{
	char why[sizeof fs->why];
	memcpy(why, fs->why, sizeof why);
	if (!e2_fast_link(fs, in))
		e2_free_blocks(fs, in, 0);
	in->links = 0;
	in->dtime = e2_now(fs);
	e2_inew(fs, in);
	e2_free_inode_bit(fs, in->ino, (in->mode & EXT2_S_IFMT) == EXT2_S_IFDIR);
	memcpy(fs->why, why, sizeof why);
}

/* Writes new inode IN and names it NAME in DIR. */
static int name_it(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, struct ext2_inode *in,
		   uint32_t *ino)
{
	int r = e2_inew(fs, in);
	if (!r)
		r = dir_add(fs, dir, name, len, in->ino, ext2_mode_type(in->mode));
	if (r) {
		unmake(fs, in);
		return r;
	}
	if (ino)
		*ino = in->ino;
	return 0;
}

int ext2_create(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
		uint16_t mode, uint32_t uid, uint32_t gid, uint32_t *ino)
{
	struct ext2_inode d, in;
	unsigned type = ext2_mode_type(mode);
	if (type == EXT2_FT_UNKNOWN || type == EXT2_FT_DIR || type == EXT2_FT_SYMLINK)
		return fail(fs, -EXT2_EINVAL, "mode 0%o: create makes files, devices, fifos and sockets", mode);
	int r = make(fs, dir, name, len, mode, uid, gid, &d, &in);
	return r ? r : name_it(fs, dir, name, len, &in, ino);
}

int ext2_mkdir(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
	       uint16_t perm, uint32_t uid, uint32_t gid, uint32_t *ino)
{
	struct ext2_inode d, in;
	uint32_t bs = fs->block_size, b;
	bool fresh;
	struct buf *blk;
	int r = make(fs, dir, name, len, (uint16_t)(EXT2_S_IFDIR | (perm & 07777)), uid, gid, &d, &in);
	if (r)
		return r;
	if ((r = e2_bmap_alloc(fs, &in, 0, &b, &fresh)) || (r = e2_bnew(fs, b, BUF_DIR, &blk))) {
		unmake(fs, &in);
		return r;
	}
	put_entry(fs, blk->data, in.ino, 12, ".", 1, EXT2_FT_DIR);
	put_entry(fs, blk->data + 12, dir, bs - 12, "..", 2, EXT2_FT_DIR);
	/* on the disk before the new inode can point at it (cache.c) */
	r = e2_bwrite_now(fs, blk);
	e2_brelse(blk);
	if (r) {
		unmake(fs, &in);
		return r;
	}
	in.size = bs;
	r = name_it(fs, dir, name, len, &in, ino);
	return r ? r : parent_links(fs, dir, 1);
}

int ext2_symlink(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
		 const char *target, size_t tlen, uint32_t uid, uint32_t gid, uint32_t *ino)
{
	struct ext2_inode d, in;
	if (tlen == 0)
		return fail(fs, -EXT2_ENOENT, "empty symbolic link target");
	if (tlen >= fs->block_size)
		return fail(fs, -EXT2_ENAMETOOLONG, "symbolic link target of %zu bytes (%u at most)", tlen,
			    fs->block_size - 1);
	if (memchr(target, 0, tlen))
		return fail(fs, -EXT2_EINVAL, "NUL in a symbolic link target");
	int r = make(fs, dir, name, len, EXT2_S_IFLNK | 0777, uid, gid, &d, &in);
	if (r)
		return r;
	in.size = tlen;
	if (tlen < FAST_LINK_MAX) {
		uint8_t t[FAST_LINK_MAX] = { 0 };
		memcpy(t, target, tlen);
		for (int k = 0; k < 15; k++)
			in.block[k] = le32(t + 4 * k);
	} else {
		uint32_t b;
		bool fresh;
		struct buf *blk;
		if ((r = e2_bmap_alloc(fs, &in, 0, &b, &fresh)) || (r = e2_bnew(fs, b, BUF_DATA, &blk))) {
			unmake(fs, &in);
			return r;
		}
		memcpy(blk->data, target, tlen);
		e2_bdirty(blk);
		e2_brelse(blk);
	}
	return name_it(fs, dir, name, len, &in, ino);
}

/* --- names of existing inodes ------------------------------------------------- */

int ext2_link(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint32_t ino)
{
	struct ext2_inode d, in;
	struct slot s;
	int r = e2_writable(fs);
	if (!r)
		r = check_name(fs, name, len);
	if (!r)
		r = e2_iget(fs, ino, &in);
	if (r)
		return r;
	if ((in.mode & EXT2_S_IFMT) == EXT2_S_IFDIR)
		return fail(fs, -EXT2_EPERM, "inode %u is a directory: no hard links to directories", ino);
	if (in.links == 0)
		return fail(fs, -EXT2_ENOENT, "inode %u has no links left", ino);
	if (in.links >= LINK_MAX)
		return fail(fs, -EXT2_EMLINK, "inode %u has %u links already", ino, in.links);
	if ((r = get_dir(fs, dir, &d)))
		return r;
	if ((r = find(fs, &d, name, len, &s)) == 0)
		return fail(fs, -EXT2_EEXIST, "'%.*s' exists in directory %u", (int)len, name, dir);
	if (r != -EXT2_ENOENT)
		return r;
	r = dir_add(fs, dir, name, len, ino, ext2_mode_type(in.mode));
	return r ? r : e2_link_add(fs, ino, 1);
}

/* Finds NAME in DIR for removal: the entry's inode, read into *IN. */
static int victim(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, struct ext2_inode *in)
{
	struct ext2_inode d;
	struct slot s;
	int r = e2_writable(fs);
	if (!r)
		r = check_name(fs, name, len);
	if (!r)
		r = get_dir(fs, dir, &d);
	if (!r)
		r = find(fs, &d, name, len, &s);
	if (!r)
		r = e2_iget(fs, s.ino, in);
	if (!r && s.ino == dir)
		r = fail(fs, -EXT2_EINVAL, "directory %u names itself '%.*s'", dir, (int)len, name);
	return r;
}

int ext2_unlink(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len)
{
	struct ext2_inode in;
	int r = victim(fs, dir, name, len, &in);
	if (!r && (in.mode & EXT2_S_IFMT) == EXT2_S_IFDIR)
		r = fail(fs, -EXT2_EISDIR, "'%.*s' is a directory", (int)len, name);
	if (!r)
		r = dir_remove(fs, dir, name, len);
	return r ? r : e2_link_add(fs, in.ino, -1);
}

int ext2_rmdir(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len)
{
	struct ext2_inode in;
	int r = victim(fs, dir, name, len, &in);
	if (!r && (in.mode & EXT2_S_IFMT) != EXT2_S_IFDIR)
		r = fail(fs, -EXT2_ENOTDIR, "'%.*s' is not a directory", (int)len, name);
	if (!r)
		r = empty(fs, &in);
	if (!r)
		r = dir_remove(fs, dir, name, len);
	if (!r)
		r = parent_links(fs, dir, -1);
	return r ? r : e2_link_add(fs, in.ino, ALL_LINKS);
}

/* Fails when directory DIR is SRC or lies under it: walks up the ".."
 * entries to the root, a bounded number of steps. */
static int not_under(struct ext2_fs *fs, uint32_t dir, uint32_t src)
{
	for (uint32_t steps = 0; dir != EXT2_ROOT_INO; steps++) {
		struct ext2_inode d;
		struct slot s;
		if (dir == src)
			return fail(fs, -EXT2_EINVAL, "cannot move directory %u under itself", src);
		if (steps == 1u << 16)
			return fail(fs, -EXT2_EINVAL, "directory %u: no way up to the root in %u steps", dir, steps);
		int r = ext2_read_inode(fs, dir, &d);
		if (!r)
			r = find(fs, &d, "..", 2, &s);
		if (r)
			return r;
		dir = s.ino;
	}
	return 0;
}

int ext2_rename(struct ext2_fs *fs, uint32_t olddir, const char *oldname, size_t oldlen,
		uint32_t newdir, const char *newname, size_t newlen)
{
	struct ext2_inode od, nd, src, dst;
	struct slot os, ns;
	int r = e2_writable(fs);
	if (!r)
		r = check_name(fs, oldname, oldlen);
	if (!r)
		r = check_name(fs, newname, newlen);
	if (!r)
		r = get_dir(fs, olddir, &od);
	if (!r)
		r = get_dir(fs, newdir, &nd);
	if (!r)
		r = find(fs, &od, oldname, oldlen, &os);
	if (!r)
		r = e2_iget(fs, os.ino, &src);
	if (r)
		return r;
	bool sdir = (src.mode & EXT2_S_IFMT) == EXT2_S_IFDIR, exists = false, tdir = false;
	r = find(fs, &nd, newname, newlen, &ns);
	if (r == 0) {
		if (ns.ino == os.ino)   /* two names of one file: nothing to do */
			return 0;
		exists = true;
		if ((r = e2_iget(fs, ns.ino, &dst)))
			return r;
		tdir = (dst.mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
		if (sdir && !tdir)
			return fail(fs, -EXT2_ENOTDIR, "'%.*s' is not a directory", (int)newlen, newname);
		if (!sdir && tdir)
			return fail(fs, -EXT2_EISDIR, "'%.*s' is a directory", (int)newlen, newname);
		if (tdir && (r = empty(fs, &dst)))
			return r;
	} else if (r != -EXT2_ENOENT) {
		return r;
	}
	bool moving = sdir && olddir != newdir;
	if (moving && (r = not_under(fs, newdir, os.ino)))
		return r;
	if (moving && !exists && nd.links >= LINK_MAX)
		return fail(fs, -EXT2_EMLINK, "directory %u has %u links already", newdir, nd.links);
	/* the new name first: the only step that may need a block */
	unsigned type = ext2_mode_type(src.mode);
	r = exists ? dir_set(fs, newdir, newname, newlen, os.ino, type)
		   : dir_add(fs, newdir, newname, newlen, os.ino, type);
	if (!r)
		r = dir_remove(fs, olddir, oldname, oldlen);
	if (!r && moving)
		r = dir_set(fs, os.ino, "..", 2, newdir, EXT2_FT_DIR);
	if (!r && moving)
		r = parent_links(fs, olddir, -1);
	if (!r && moving)
		r = parent_links(fs, newdir, 1);
	if (!r)
		r = e2_link_add(fs, os.ino, 0);         /* its ctime */
	if (!r && tdir)
		r = parent_links(fs, newdir, -1);
	if (!r && exists)
		r = e2_link_add(fs, ns.ino, tdir ? ALL_LINKS : -1);
	return r;
}
