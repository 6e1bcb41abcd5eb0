/* The portable core of the ext2 file system, read path: mounting (with a
 * full check of the superblock and the group descriptors), inodes, file
 * data, directories and symbolic links.  The disk is a callback that reads
 * bytes at any offset, so that the same code serves the ext2fs server and
 * the host tests.  Nothing read from the disk is trusted: a damaged image
 * gives a negative EXT2_E* code and a one-line reason in fs->why, never a
 * crash or a hang.  A read-only mount (ext2_mount) has no cache: every
 * call reads what it needs.  A cached mount (ext2_mount_rw) is below. */
#ifndef EXT2_EXT2_H
#define EXT2_EXT2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* errno values (Linux and the Hurd's ext2 numbering as plain constants, so
 * that the host build does not clash with libc's errno.h) */
#define EXT2_EPERM         1
#define EXT2_ENOENT        2
#define EXT2_EIO           5
#define EXT2_ENOMEM       12
#define EXT2_EBUSY        16
#define EXT2_EEXIST       17
#define EXT2_ENOTDIR      20
#define EXT2_EISDIR       21
#define EXT2_EINVAL       22
#define EXT2_EFBIG        27
#define EXT2_ENOSPC       28
#define EXT2_EROFS        30
#define EXT2_EMLINK       31
#define EXT2_ENAMETOOLONG 36
#define EXT2_ENOTEMPTY    39
#define EXT2_ELOOP        40
#define EXT2_ENOTSUP      95

/* i_mode file types, and the directory entry types of the filetype feature */
#define EXT2_S_IFMT   0xf000
#define EXT2_S_IFSOCK 0xc000
#define EXT2_S_IFLNK  0xa000
#define EXT2_S_IFREG  0x8000
#define EXT2_S_IFBLK  0x6000
#define EXT2_S_IFDIR  0x4000
#define EXT2_S_IFCHR  0x2000
#define EXT2_S_IFIFO  0x1000
enum { EXT2_FT_UNKNOWN, EXT2_FT_REG, EXT2_FT_DIR, EXT2_FT_CHR, EXT2_FT_BLK,
       EXT2_FT_FIFO, EXT2_FT_SOCK, EXT2_FT_SYMLINK };

#define EXT2_ROOT_INO 2
#define EXT2_NAME_MAX 255

/* feature bits this core knows */
#define EXT2_INCOMPAT_FILETYPE     0x0002
#define EXT2_COMPAT_HAS_JOURNAL    0x0004  /* ext3: ext2_sync commits a journal transaction */
#define EXT2_RO_COMPAT_SPARSE_SUPER 0x0001
#define EXT2_RO_COMPAT_LARGE_FILE   0x0002

/* Reads COUNT bytes at byte OFFSET of the disk into BUF; returns 0 or -1. */
typedef int (*ext2_read_fn)(void *ctx, uint64_t offset, void *buf, size_t count);

struct ext2_fs {
	ext2_read_fn read;
	void *ctx;
	uint64_t disk_bytes;
	uint32_t block_size;            /* 1024, 2048 or 4096 */
	uint32_t blocks_count, first_data_block, blocks_per_group;
	uint32_t inodes_count, inodes_per_group, inode_size, first_ino;
	uint32_t groups, itable_blocks; /* blocks of one group's inode table */
	uint32_t rev;
	uint32_t compat, incompat, ro_compat;
	bool filetype, sparse_super, large_file;
	/* the reason for the last error, "" before any */
	char why[160];
	/* a cached mount's state (lib/ext2/ext2_int.h); NULL for ext2_mount */
	struct ext2_rw *rw;
	/* ext2_mount_rw: the superblock did not say clean (not unmounted, or
	 * errors recorded): the caller may want to say e2fsck is due.  Also
	 * set by ext2_unmount when damage was found while mounted; either way
	 * ext2_unmount leaves the file system marked not clean. */
	bool not_clean;
	/* ext2_mount_rw: the journal needed recovery (the last mount was
	 * cut), and this mount replayed so many transactions of it (0 when
	 * the cut came between two) */
	bool recovered;
	uint32_t replayed;
	bool recovering;                /* internal: reading the journal to replay it */
};

struct ext2_inode {
	uint32_t ino;
	uint16_t mode, links;
	uint32_t uid, gid;              /* with the high 16 bits of osd2 */
	uint64_t size;                  /* i_size_high counts for regular files */
	uint32_t atime, ctime, mtime, dtime;
	uint32_t blocks;                /* i_blocks: 512-byte units */
	uint32_t flags, generation, file_acl;
	uint32_t block[15];             /* 12 direct, single, double, triple indirect */
};

/* Mounts read-only a file system of DISK_BYTES bytes.  Checks the
 * superblock (magic, revision 0 or 1, block size 1, 2 or 4 KiB, counts
 * consistent with each other and with the disk), refuses incompatible
 * features other than filetype (naming the first one), records the
 * read-only-compatible ones, checks every group descriptor (bitmaps and
 * inode table inside the fs) and that the root is a directory.  Returns 0,
 * or a negative EXT2_E* code with the reason in WHY (and FS->why). */
int ext2_mount(struct ext2_fs *fs, ext2_read_fn read, void *ctx, uint64_t disk_bytes,
	       char *why, size_t whylen);

/* Reads inode INO (1..inodes_count).  An inode that is not in use (no links
 * and deleted or without a mode) gives -EXT2_ENOENT. */
int ext2_read_inode(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *out);

/* Reads up to COUNT bytes at OFFSET of the inode's data through the direct
 * and indirect blocks; holes read as zeros, nothing past i_size.  Returns
 * the bytes read (0 at or past the end) or a negative EXT2_E* code. */
long ext2_read(struct ext2_fs *fs, const struct ext2_inode *ino, uint64_t offset, void *buf, size_t count);

/* Calls FN for every entry of directory DIR, "." and ".." included, with
 * the NUL-terminated NAME of LEN bytes, its inode number and its
 * EXT2_FT_* type (EXT2_FT_UNKNOWN without the filetype feature).  Hashed
 * (htree) directories read as linear ones.  Stops when FN returns nonzero
 * and returns that value; otherwise 0 at the end or a negative EXT2_E*
 * code (FN should return positive values to stop). */
typedef int (*ext2_dir_fn)(void *arg, const char *name, size_t len, uint32_t ino, unsigned type);
int ext2_readdir(struct ext2_fs *fs, const struct ext2_inode *dir, ext2_dir_fn fn, void *arg);

/* Finds NAME (LEN bytes, no '/') in directory DIR: 0 and its inode number
 * in *INO, or -EXT2_ENOENT, -EXT2_ENOTDIR, -EXT2_ENAMETOOLONG, ... */
int ext2_lookup(struct ext2_fs *fs, const struct ext2_inode *dir, const char *name, size_t len, uint32_t *ino);

/* The target of symbolic link INO, fast (in i_block) or slow (in a data
 * block): copies at most SIZE bytes to BUF, without a NUL, as readlink(2);
 * returns the bytes copied or a negative EXT2_E* code. */
long ext2_readlink(struct ext2_fs *fs, const struct ext2_inode *ino, char *buf, size_t size);

/* Resolves PATH from directory DIR into *OUT (lib/ext2/path.c): a leading
 * '/' and absolute symlink targets start again at the root, ".." of the
 * root is the root, symlinks are followed up to EXT2_SYMLINK_MAX times
 * (then -EXT2_ELOOP), a path that ends in '/' must name a directory.
 * FLAGS: EXT2_PATH_CREAT creates an absent last component as a regular
 * file with permissions MODE (EXT2_PATH_EXCL: -EXT2_EEXIST when present);
 * EXT2_PATH_NOFOLLOW takes a symlink in the last component as itself.
 * Returns 0 or a negative EXT2_E* code. */
#define EXT2_PATH_CREAT    0x1
#define EXT2_PATH_EXCL     0x2
#define EXT2_PATH_NOFOLLOW 0x4
#define EXT2_SYMLINK_MAX   8
#define EXT2_SYMLINK_TARGET_MAX 4096   /* less than a block */
int ext2_resolve(struct ext2_fs *fs, uint32_t dir, const char *path, unsigned flags, uint16_t mode,
                 struct ext2_inode *out);

/* The EXT2_FT_* type of a directory entry for an inode of mode MODE. */
unsigned ext2_mode_type(uint16_t mode);

/* --- the write path ------------------------------------------------------
 * A read-write mount goes through a block cache (write-back, read-ahead for
 * sequential reads).  Every call below takes inode numbers, never a copy of
 * an inode, so that callers cannot act on stale data.  The core is not
 * thread-safe: the server serialises calls with one lock.  No permission
 * checks (the caller decides).  All return 0 (or a byte count) or a
 * negative EXT2_E* code with the reason in fs->why.
 *
 * On such a mount the read calls above read through the cache too, so they
 * see every change: read the inode (ext2_read_inode) and pass it to
 * ext2_read, ext2_readdir, ext2_lookup or ext2_readlink under the same
 * hold of the lock.  Reads of whole blocks that lie in a row on the disk go
 * straight into the caller's buffer in one dev->read (256 blocks at most,
 * and the indirect block that follows them when it maps what comes next),
 * dirty cached blocks copied over them.
 *
 * The cache holds dev->cache_bytes of blocks (EXT2_CACHE_DEFAULT when 0,
 * never fewer than 32 blocks) plus a 64 KiB staging area for read-ahead
 * and clustered writes, and a few bytes a block for its tables; the
 * superblock and the group descriptors stay in memory besides.  Changes
 * reach the disk when their buffer is evicted, at ext2_sync and at
 * ext2_unmount; call ext2_sync from time to time and when asked to.
 * Writes are of whole blocks or the 1024-byte superblock at byte 1024:
 * offsets and sizes are multiples of 512. */

/* Writes COUNT bytes at byte OFFSET of the disk; returns 0 or -1. */
typedef int (*ext2_write_fn)(void *ctx, uint64_t offset, const void *buf, size_t count);
/* Asks the disk to make everything written so far durable; 0 or -1. */
typedef int (*ext2_flush_fn)(void *ctx);
/* The time now, seconds since 1970. */
typedef uint32_t (*ext2_clock_fn)(void *ctx);

struct ext2_dev {
	ext2_read_fn read;
	ext2_write_fn write;
	ext2_flush_fn flush;
	ext2_clock_fn now;
	void *ctx;
	uint64_t bytes;
	/* bytes of block buffers; 0: EXT2_CACHE_DEFAULT (at least 32 blocks) */
	size_t cache_bytes;
	/* optional: names damage found while mounted (one line, no newline;
	 * each distinct line once), which is also recorded in the superblock */
	void (*log)(void *ctx, const char *line);
	/* optional: a write may return before it is done (several in flight);
	 * this waits until every write so far is done, 0 or -1 when one
	 * failed.  The core calls it wherever one write must be on the disk
	 * before the next is issued; flush must do it first too. */
	int (*drain)(void *ctx);
};
#define EXT2_CACHE_DEFAULT (1u << 20)

/* Mounts read-write: everything ext2_mount checks, and refuses (naming it,
 * -EXT2_ENOTSUP) any read-only-compatible feature it does not implement;
 * then counts the mount, stamps its time and marks the superblock not
 * clean on the disk before anything else is written.  With DEV->write NULL
 * it mounts read-only through the cache instead (any feature ext2_mount
 * takes; nothing is ever written; the changing calls give -EXT2_EROFS).
 * Either way ext2_unmount frees the cache. */
int ext2_mount_rw(struct ext2_fs *fs, const struct ext2_dev *dev, char *why, size_t whylen);

/* Write-behind, on after ext2_mount_rw: a writer in order has its file
 * data written a little behind it, in runs kept in flight, so that a sync
 * has little left to write.  Off, changes wait for ext2_sync, unmount or
 * the cache's need for room. */
void ext2_write_behind(struct ext2_fs *fs, bool on);

/* Regular files: writes at OFFSET, allocating blocks (near the inode's
 * group) and growing the size; returns COUNT or a negative code. */
long ext2_write(struct ext2_fs *fs, uint32_t ino, uint64_t offset, const void *buf, size_t count);
/* Sets the size of a regular file: frees blocks past the new end, zeroes the
 * tail of the last block kept; growing leaves a hole. */
int ext2_truncate(struct ext2_fs *fs, uint32_t ino, uint64_t size);
int ext2_chmod(struct ext2_fs *fs, uint32_t ino, uint16_t perm);        /* 07777 */
int ext2_utimes(struct ext2_fs *fs, uint32_t ino, uint32_t atime, uint32_t mtime);

/* Directory operations on directory DIR and one NAME of LEN bytes (no '/',
 * not "." or ".."): new inodes are placed near DIR (directories spread
 * over groups), with the caller's UID/GID and the clock's times. */
int ext2_create(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
		uint16_t mode, uint32_t uid, uint32_t gid, uint32_t *ino);   /* MODE with its type */
int ext2_mkdir(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
	       uint16_t perm, uint32_t uid, uint32_t gid, uint32_t *ino);
int ext2_symlink(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
		 const char *target, size_t tlen, uint32_t uid, uint32_t gid, uint32_t *ino);
int ext2_link(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint32_t ino);
int ext2_unlink(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len);   /* not a directory */
int ext2_rmdir(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len);    /* empty directories */
/* POSIX rename: replaces a target of a compatible type (an empty directory
 * for a directory), refuses to move a directory under itself, keeps ".."
 * and the link counts right. */
int ext2_rename(struct ext2_fs *fs, uint32_t olddir, const char *oldname, size_t oldlen,
		uint32_t newdir, const char *newname, size_t newlen);

/* Open references: an inode whose last link goes while it is held keeps
 * its data until the last release, then is freed. */
int ext2_hold(struct ext2_fs *fs, uint32_t ino);
void ext2_release(struct ext2_fs *fs, uint32_t ino);

struct ext2_statfs {
	uint32_t block_size, blocks, free_blocks, avail_blocks, inodes, free_inodes;
};
void ext2_statfs(struct ext2_fs *fs, struct ext2_statfs *out);

/* Writes every dirty block back (file data first, then inodes and
 * directories, then bitmaps and group descriptors, the superblock last),
 * then asks the disk to flush. */
int ext2_sync(struct ext2_fs *fs);
/* Frees what released orphans left, marks the file system clean unless
 * it was not clean at mount or showed damage since (fs->not_clean), syncs.
 * The mount is over afterwards (a read-only ext2_fs may also be passed:
 * then it only frees the cache). */
int ext2_unmount(struct ext2_fs *fs);

#endif
