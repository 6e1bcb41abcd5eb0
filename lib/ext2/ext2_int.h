/* What the files of lib/ext2 share: on-disk constants, the state of a
 * cached (read-write) mount, and the internal interfaces between
 *   ext2.c   superblock checks, inodes, block maps, directory entries (read)
 *   cache.c  the block cache: buffers, write-back in order, run reads
 *   super.c  ext2_mount_rw, sync, unmount, statfs; superblock and group
 *            descriptor fields; what is metadata
 *   alloc.c  block and inode bitmaps: allocation near a goal, freeing
 *   inode.c  writing inodes, growing and cutting block maps, freeing
 *            inodes, open references
 *   file.c   file data: ext2_read, ext2_write, ext2_truncate, readlink
 *   dir.c    directory entries and the namespace operations
 * Internal names start with e2_. */
#ifndef EXT2_INT_H
#define EXT2_INT_H

#include "ext2/ext2.h"
#include "rt/le.h"
#include "rt/rt.h"
#include "ranges.h"

#define SUPER_OFFSET 1024
#define SUPER_SIZE   1024
#define MAGIC        0xef53
#define GOOD_OLD_INODE_SIZE 128
#define GOOD_OLD_FIRST_INO  11
#define DESC_SIZE    32
#define NDIR         12         /* direct blocks in i_block */
#define FAST_LINK_MAX 60        /* bytes of i_block; fast links are shorter */
/* one read or write call at most; keeps their results positive longs */
#define READ_MAX     (1u << 30)
#define LINK_MAX     65000      /* i_links_count limit, as ext4's */
#define EA_MAGIC     0xea020000u

/* i_flags */
#define INDEX_FL      0x00001000        /* hashed directory */
#define EXTENTS_FL    0x00080000
#define INLINE_DATA_FL 0x10000000

/* superblock fields (byte offsets) */
#define SB_R_BLOCKS     8
#define SB_FREE_BLOCKS 12
#define SB_FREE_INODES 16
#define SB_MTIME       44
#define SB_WTIME       48
#define SB_MNT_COUNT   52
#define SB_STATE       58
#define SB_REV         76
#define SB_FIRST_INO   84
#define SB_INODE_SIZE  88
#define SB_COMPAT      92
#define SB_RO_COMPAT  100
#define SB_RESERVED_GDT 206
#define SB_JOURNAL_INUM 0xe0
#define SB_BACKUP_BGS 0x24c
/* the error record of revision 1 (ext4's layout, which e2fsck and dumpe2fs read) */
#define SB_ERROR_COUNT       0x194
#define SB_FIRST_ERROR_TIME  0x198
#define SB_FIRST_ERROR_INO   0x19c
#define SB_FIRST_ERROR_BLOCK 0x1a0     /* 64 bits */
#define SB_FIRST_ERROR_FUNC  0x1a8     /* 32 bytes */
#define SB_FIRST_ERROR_LINE  0x1c8
#define SB_LAST_ERROR_TIME   0x1cc
#define SB_LAST_ERROR_INO    0x1d0
#define SB_LAST_ERROR_LINE   0x1d4
#define SB_LAST_ERROR_BLOCK  0x1d8     /* 64 bits */
#define SB_LAST_ERROR_FUNC   0x1e0     /* 32 bytes */
#define STATE_VALID     1       /* cleanly unmounted */
#define STATE_ERROR     2

#define INCOMPAT_RECOVER     0x0004
#define COMPAT_RESIZE_INODE  0x0010
#define COMPAT_SPARSE_SUPER2 0x0200

/* group descriptor fields */
#define GD_BLOCK_BITMAP 0
#define GD_INODE_BITMAP 4
#define GD_INODE_TABLE  8
#define GD_FREE_BLOCKS 12
#define GD_FREE_INODES 14
#define GD_USED_DIRS   16

typedef unsigned long long ull;         /* for printing uint64_t everywhere */

/* --- ext2.c ------------------------------------------------------------------ */

/* Records why the call fails in fs->why; returns ERR, a negative EXT2_E* code. */
int e2_fail(struct ext2_fs *fs, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Damage found on the disk (about inode INO or block BLK, 0 if none): as
 * e2_fail with EXT2_EINVAL, and on a writable mount recorded in the
 * superblock (the error state, and on revision 1 the count and the first
 * and last error) and named through dev->log, each distinct line once. */
int e2_corrupt_at(struct ext2_fs *fs, const char *func, int line, uint32_t ino, uint32_t blk,
		  const char *fmt, ...) __attribute__((format(printf, 6, 7)));
#define e2_corrupt(fs, ino, blk, ...) e2_corrupt_at(fs, __func__, __LINE__, ino, blk, __VA_ARGS__)
int e2_disk_read(struct ext2_fs *fs, uint64_t off, void *buf, size_t n, const char *what);
/* Reads N bytes at OFF of block BLK (one block at most): through the cache
 * on a cached mount, from the disk otherwise. */
int e2_meta_read(struct ext2_fs *fs, uint32_t blk, uint32_t off, void *buf, size_t n, const char *what);
/* Inside the fs and past the superblock's block: data or metadata. */
static inline bool e2_block_ok(const struct ext2_fs *fs, uint32_t b)
{
	return b > fs->first_data_block && b < fs->blocks_count;
}
/* Block and byte offset of inode INO in its inode table. */
int e2_inode_where(struct ext2_fs *fs, uint32_t ino, uint32_t *blk, uint32_t *off);
/* Decodes the 128 first bytes of an on-disk inode. */
void e2_inode_decode(struct ext2_inode *out, uint32_t ino, const uint8_t *d);
/* The path to logical block LB through the block map: LEVELS indirect
 * blocks (0..3); IDX[0] indexes i_block, IDX[1..LEVELS] the indirect
 * blocks on the way. */
int e2_block_path(struct ext2_fs *fs, uint32_t ino, uint64_t lb, int *levels, uint32_t idx[4]);
/* The disk block of logical block LB; 0 for a hole. */
int e2_bmap(struct ext2_fs *fs, const struct ext2_inode *in, uint64_t lb, uint32_t *out);
/* The largest file size the block map can address. */
uint64_t e2_max_size(const struct ext2_fs *fs);
/* A symbolic link whose target is in i_block: it owns no block (an
 * extended attribute block does not count), as Linux decides. */
static inline bool e2_fast_link(const struct ext2_fs *fs, const struct ext2_inode *in)
{
	return (in->mode & EXT2_S_IFMT) == EXT2_S_IFLNK && in->blocks == (in->file_acl ? fs->block_size / 512 : 0);
}

/* One checked directory entry. */
struct e2_dirent {
	uint32_t off, rec, len, ino;
	unsigned type;
	const uint8_t *name;
};
/* Checks the entry at OFF of block LB of directory DIR (BLK holds the
 * block) and fills E. */
int e2_dirent_at(struct ext2_fs *fs, uint32_t dir, uint64_t lb, const uint8_t *blk, uint32_t off,
		 struct e2_dirent *e);
/* The space an entry with a name of LEN bytes needs. */
static inline uint32_t e2_rec_size(uint32_t len) { return (8 + len + 3) & ~3u; }

/* --- cache.c ------------------------------------------------------------------ */

/* Buffer kinds, in the order ext2_sync writes them (see cache.c): what
 * points comes after what it points at.  An indirect block with N levels
 * of indirect blocks under it is BUF_INDIRECT + N.  BUF_ANY reads a block
 * without saying what it is (e2_meta_read); it keeps the buffer's kind. */
enum { BUF_DATA, BUF_INDIRECT, BUF_ITABLE = BUF_INDIRECT + 3, BUF_DIR, BUF_BITMAP, BUF_KINDS,
       BUF_ANY = BUF_KINDS };

struct buf {
	uint32_t blk;                   /* 0: the buffer holds nothing */
	uint8_t kind;
	bool dirty;
	/* journalled: an indirect block allocated in the running transaction.
	 * The disk as last committed has it free and nothing there points at
	 * it, so it goes out in place with the file data it maps (one run)
	 * instead of through the log and the checkpoint. */
	bool fresh;
	/* journalled: the content is committed (in the log) but not yet
	 * written in place; it may go in place any time it is not dirty */
	bool in_log;
	uint16_t pins;                  /* users; a pinned buffer is not evicted */
	struct buf *hnext;              /* hash chain */
	struct buf *prev, *next;        /* the list in order of use, most recent first */
	uint8_t *data;
};

struct e2_held {
	uint32_t ino, count;
};

/* The state of a cached mount (fs->rw). */
#define E2_FREED_INO_MAX 256
struct ext2_rw {
	struct ext2_dev dev;
	bool writable;
	uint8_t sb[SUPER_SIZE];         /* the superblock as on disk, kept current */
	bool sb_dirty;
	uint8_t *gdt;                   /* the group descriptor blocks as on disk */
	uint32_t gdt_blocks, reserved_gdt, backup_bgs[2];
	bool gdt_dirty;
	bool gdt_in_log, sb_in_log;     /* as buf.in_log, for these two */
	bool unflushed;                 /* written to since the disk's last flush */
	char logged[160];               /* the last damage named through dev.log */
	struct e2_journal *jnl;         /* has_journal: the journal written at sync (journal.c) */
	/* blocks freed since the last sync (or commit): the disk may still
	 * have their old owner point at them, so they are not handed out
	 * again before it is written (alloc.c); freed.blocks of them */
	struct e2_ranges freed;
	/* the same for inodes, without a journal: a removed name may still
	 * be on the disk, naming the inode (the journal commits both at once) */
	uint32_t freed_ino[E2_FREED_INO_MAX];
	uint32_t nfreed_ino;
	/* the cache */
	struct buf *bufs, **hash, **sorted, lru;
	uint32_t nbufs, hash_bits;
	uint8_t *mem, *stage;           /* the buffers' data; a staging area for write runs */
	uint8_t *ahead;                 /* read-ahead's own: taking a buffer may write through stage */
	uint32_t stage_blocks;
	/* sequential reads: the inode and the logical block where the last read ended */
	uint32_t ra_ino;
	uint64_t ra_next;
	/* sequential writes: the inode and the byte where the last write
	 * ended, and the blocks written in order since the last write-behind */
	uint32_t wb_ino, wb_blocks;
	uint64_t wb_next;
	uint32_t wb_done;               /* the disk block the last write-behind ended at */
	bool no_write_behind;           /* ext2_write_behind(fs, false) */
	/* open references (ext2_hold) */
	struct e2_held *held;
	uint32_t nheld, held_cap;
	uint32_t generation;
};

int e2_cache_init(struct ext2_fs *fs, size_t bytes);
void e2_cache_free(struct ext2_rw *rw);
/* Block BLK, pinned: read from the disk unless cached. */
int e2_bread(struct ext2_fs *fs, uint32_t blk, int kind, struct buf **out);
/* Block BLK, pinned and zeroed, not read: a block being given a new use. */
int e2_bnew(struct ext2_fs *fs, uint32_t blk, int kind, struct buf **out);
/* The kind B is written back as: file data, or a fresh block (written
 * with it), or its own. */
static inline int e2_wb_kind(const struct buf *b)
{
	return b->fresh ? BUF_DATA : b->kind;
}
void e2_bdirty(struct buf *b);
/* Writes B (pinned) to the disk now: a new directory block, empty, before
 * anything on the disk can point at it. */
int e2_bwrite_now(struct ext2_fs *fs, struct buf *b);
void e2_brelse(struct buf *b);
/* A freed block: its cached copy, if any, is dropped unwritten. */
void e2_bforget(struct ext2_fs *fs, uint32_t blk);
/* Write-behind: a writer in order has dirtied another stage of file data,
 * up to block BLK.  The dirty data up to an indirect block's span behind
 * it goes out now, in runs kept in flight, rather than all at the next
 * sync or when the cache runs out (that far back, the indirect blocks
 * among that data are complete).  A failed write shows at the next sync. */
int e2_write_behind(struct ext2_fs *fs, uint32_t blk);
/* Reads N whole blocks from BLK on into DST: cached ones are copied, runs of
 * others read straight from the disk. */
int e2_read_blocks(struct ext2_fs *fs, uint32_t blk, uint32_t n, uint8_t *dst);
/* Puts block BLK, just read from the disk (DATA), into the cache as a
 * clean buffer of KIND, unless it is cached already. */
int e2_cache_put(struct ext2_fs *fs, uint32_t blk, const void *data, int kind);
/* Reads up to N blocks from BLK on into the cache as clean buffers of
 * KIND, stopping at the first cached one: read-ahead. */
int e2_prefetch(struct ext2_fs *fs, uint32_t blk, uint32_t n, int kind);
bool e2_cached(struct ext2_fs *fs, uint32_t blk);
/* Writes back every dirty buffer of KIND, in block order, after those of
 * every kind before it. */
int e2_writeback(struct ext2_fs *fs, int kind);
/* Journalled: writes every buffer whose committed content is not yet in
 * place (in_log, not dirty since), in block order, and waits for it. */
int e2_write_logged(struct ext2_fs *fs);
int e2_disk_write(struct ext2_fs *fs, uint64_t off, const void *buf, size_t n, const char *what);
/* Waits until every write issued so far is on the disk (the device may
 * keep several in flight: ext2_dev.drain). */
int e2_disk_drain(struct ext2_fs *fs, const char *what);

/* --- super.c ------------------------------------------------------------------ */

uint8_t *e2_gd(struct ext2_fs *fs, uint32_t g);         /* descriptor G (cached mount) */
void e2_gd_add(struct ext2_fs *fs, uint32_t g, int field, int delta);
void e2_sb_add(struct ext2_fs *fs, int field, int delta);
uint32_t e2_now(struct ext2_fs *fs);
/* Whether block B (inside the fs) is a superblock, descriptor, bitmap or
 * inode table block: never handed out, never freed. */
bool e2_is_metadata(struct ext2_fs *fs, uint32_t b);
/* Fails with EROFS unless the mount is writable. */
int e2_writable(struct ext2_fs *fs);
/* Sets the large_file feature (revision 0 becomes revision 1, as Linux does). */
void e2_set_large_file(struct ext2_fs *fs);
uint32_t e2_group_blocks(const struct ext2_fs *fs, uint32_t g);

/* --- replay.c ------------------------------------------------------------------ */

/* Replays the committed transactions of FS's journal onto the disk, then
 * empties the journal and clears needs_recovery; FS is a read-only mount
 * made with ext2_mount_recovering.  *REPLAYED: transactions replayed. */
int e2_journal_replay(struct ext2_fs *fs, const struct ext2_dev *dev, uint32_t *replayed);
/* ext2_mount that accepts needs_recovery, to read the journal. */
int e2_mount_recovering(struct ext2_fs *fs, ext2_read_fn read, void *ctx, uint64_t disk_bytes);

/* --- journal.c ------------------------------------------------------------------ */

/* Reads the (empty) journal of a has_journal file system for writing. */
int e2_journal_open(struct ext2_fs *fs);
void e2_journal_free(struct ext2_rw *rw);
/* One transaction: data in place, metadata through the journal, then in
 * place (ext2_sync on a journalled mount). */
int e2_journal_commit(struct ext2_fs *fs);
/* Empties the log: writes in place what it holds (and any dirty metadata,
 * descriptors and superblock), flushes, then marks the journal empty. */
int e2_journal_checkpoint(struct ext2_fs *fs);
/* The running transaction should commit before the next change. */
bool e2_journal_full(struct ext2_fs *fs);

/* --- alloc.c ------------------------------------------------------------------ */

/* A free block, as close after GOAL as there is one. */
int e2_alloc_block(struct ext2_fs *fs, uint32_t goal, uint32_t *out);
int e2_free_block(struct ext2_fs *fs, uint32_t b, uint32_t owner);
/* So many blocks (or inodes) were freed since the last sync that the next
 * change should sync (commit) first: the list of them is half full. */
bool e2_freed_many(struct ext2_fs *fs);
/* Of the free blocks, more wait for the sync (commit) than not: the next
 * change should commit first, or it may find the disk full. */
bool e2_freed_most(struct ext2_fs *fs);
/* A free inode for a child of directory PARENT. */
int e2_alloc_inode(struct ext2_fs *fs, uint32_t parent, bool dir, uint32_t *out);
int e2_free_inode_bit(struct ext2_fs *fs, uint32_t ino, bool dir);

/* --- inode.c ------------------------------------------------------------------ */

/* Inode INO for a change: in use, and not a reserved inode other than the root. */
int e2_iget(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in);
/* Writes the fields of IN back into its inode table block. */
int e2_iput(struct ext2_fs *fs, const struct ext2_inode *in);
/* Writes a new inode: the whole on-disk inode zeroed, then IN's fields. */
int e2_inew(struct ext2_fs *fs, const struct ext2_inode *in);
/* The disk block of logical block LB, allocating it and the indirect blocks
 * on its way when it is a hole (*FRESH then says so: it holds garbage). */
int e2_bmap_alloc(struct ext2_fs *fs, struct ext2_inode *in, uint64_t lb, uint32_t *out, bool *fresh);
/* Frees every block of IN at logical block FROM and after. */
int e2_free_blocks(struct ext2_fs *fs, struct ext2_inode *in, uint64_t from);
/* Frees inode INO and all it owns. */
int e2_free_inode(struct ext2_fs *fs, uint32_t ino);
bool e2_held(struct ext2_fs *fs, uint32_t ino);
/* Adds DELTA to the links of INO; frees it when none are left and nobody
 * holds it. */
int e2_link_add(struct ext2_fs *fs, uint32_t ino, int delta);
/* Frees the inodes unlinked while held (at unmount). */
int e2_free_orphans(struct ext2_fs *fs);

#endif
