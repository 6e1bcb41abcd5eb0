/* The file system protocol (subsystem 48000): what ext2fs answers on the
 * port of every open file or directory, and on its chain port (get-root).
 * docs/fs-protocol.md describes it; this is the one definition of its
 * messages (as include/mach/defs.h describes), used by the server
 * (servers/ext2fs) and the client (lib/fs/fs_client.c).
 *
 * Errors: a reply's return code is 0 or a positive errno value (Linux
 * numbering, fs/errno.h).  Anything else (a mach_msg or MIG code) is a
 * transport failure, which the client library reports as EIO (or EBADF when
 * the port is dead). */
#ifndef FS_PROTO_H
#define FS_PROTO_H

#include "mach/kernel_msgs.h"

enum {
	ID_FS_LOOKUP    = 48000, /* dir: path, flags, mode -> node port */
	ID_FS_READ      = 48001, /* offset, count -> data (inline up to FS_INLINE_MAX, else out of line) */
	ID_FS_WRITE     = 48002, /* offset (FS_APPEND: at the end), inline data -> count, end offset */
	ID_FS_WRITE_OOL = 48003, /* the same with out-of-line data */
	ID_FS_STAT      = 48004, /* -> struct fs_stat */
	ID_FS_READDIR   = 48005, /* dir: cookie -> packed struct fs_dirent records, next cookie */
	ID_FS_MKDIR     = 48006, /* dir: name, mode */
	ID_FS_UNLINK    = 48007, /* dir: name (not a directory) */
	ID_FS_RMDIR     = 48008, /* dir: name (an empty directory) */
	ID_FS_RENAME    = 48009, /* dir: old name, new directory port, new name */
	ID_FS_LINK      = 48010, /* dir: node port (same file system), name */
	ID_FS_SYMLINK   = 48011, /* dir: name, target */
	ID_FS_READLINK  = 48012, /* dir: name -> target */
	ID_FS_TRUNCATE  = 48013, /* size */
	ID_FS_CHMOD     = 48014, /* mode (the permission bits, 07777) */
	ID_FS_UTIMES    = 48015, /* atime, mtime in seconds (FS_TIME_NOW: the server's clock) */
	ID_FS_SYNC      = 48016, /* write everything back, then flush the disk */
	ID_FS_STATFS    = 48017, /* -> struct fs_statfs */
	ID_FS_GET_ROOT  = 48020, /* on the server's chain port: -> the root directory, read-write */
};

/* Lookup flags.  A node port carries the access it was opened with: reads
 * need FS_O_READ, writes, truncate and chmod/utimes need FS_O_WRITE.
 * Directory operations (mkdir, unlink, ...) need a directory port opened
 * with FS_O_READ (every directory port has it).  A directory cannot be
 * opened with FS_O_WRITE (EISDIR), so chmod/utimes are allowed on every
 * directory port. */
#define FS_O_READ      0x0001
#define FS_O_WRITE     0x0002
#define FS_O_CREAT     0x0010   /* create a regular file of MODE when absent */
#define FS_O_EXCL      0x0020   /* with FS_O_CREAT: fail with EEXIST when present */
#define FS_O_TRUNC     0x0040   /* a regular file opened for writing: size 0 */
#define FS_O_APPEND    0x0080   /* recorded on the port: every write goes to the end */
#define FS_O_DIRECTORY 0x0100   /* fail with ENOTDIR unless a directory */
#define FS_O_NOFOLLOW  0x0200   /* do not follow a symlink in the last component: open the link itself */
#define FS_O_ALL       0x03f3

/* Paths: up to FS_PATH_MAX bytes with the NUL; components up to 255 bytes.
 * A path is looked up from the directory port it is sent to; a leading '/'
 * and absolute symlink targets start again at the file system's root; ".."
 * of the root is the root; symlinks are followed up to FS_SYMLINK_MAX times
 * (then ELOOP). */
#define FS_PATH_MAX    1024
#define FS_NAME_MAX    256      /* a single name, with its NUL */
#define FS_SYMLINK_MAX 8        /* EXT2_SYMLINK_MAX: lib/ext2 resolves paths */

#define FS_INLINE_MAX  4096     /* reads and writes up to this travel inline */
#define FS_IO_MAX      (8u << 20)   /* the most one read or write moves */
#define FS_APPEND      (~(uint64_t)0)
#define FS_TIME_NOW    0xffffffffu
#define FS_DIR_END     0xffffffffu  /* the cookie after a directory's last entry */

/* The node's attributes (FS_STAT reply, 16 words). */
struct fs_stat {
	uint32_t dev, ino, mode, nlink, uid, gid;
	uint32_t size_lo, size_hi;
	uint32_t blocks;        /* 512-byte units */
	uint32_t blksize;
	uint32_t atime, mtime, ctime;
	uint32_t spare[3];
};
_Static_assert(sizeof(struct fs_stat) == 64, "struct fs_stat is 16 words");
#define FS_STAT_WORDS 16

struct fs_statfs {
	uint32_t bsize, blocks, bfree, bavail, files, ffree, namemax, spare;
};
_Static_assert(sizeof(struct fs_statfs) == 32, "struct fs_statfs is 8 words");
#define FS_STATFS_WORDS 8

/* Readdir records, packed one after another, each RECLEN bytes (a multiple
 * of 4) with a NUL-terminated name.  TYPE is the file type's high bits of
 * the mode (mode >> 12: 4 directory, 8 regular, 10 symlink, ...), 0 when
 * unknown.  COOKIE resumes after this entry. */
struct fs_dirent {
	uint32_t ino;
	uint32_t cookie;
	uint16_t reclen;
	uint8_t type;
	uint8_t namelen;
	char name[];
};
#define FS_DIRENT_SIZE(namelen) ((sizeof(struct fs_dirent) + (namelen) + 1 + 3) & ~3u)

/* --- messages ------------------------------------------------------------ */

/* On every node port. */
#define FS_NODE_ROUTINES(R) \
	R(fs_lookup, ID_FS_LOOKUP, ROUTINE) \
	R(fs_read, ID_FS_READ, ROUTINE) \
	R(fs_write, ID_FS_WRITE, ROUTINE) \
	R(fs_write_ool, ID_FS_WRITE_OOL, ROUTINE) \
	R(fs_stat, ID_FS_STAT, ROUTINE) \
	R(fs_readdir, ID_FS_READDIR, ROUTINE) \
	R(fs_mkdir, ID_FS_MKDIR, ROUTINE) \
	R(fs_unlink, ID_FS_UNLINK, ROUTINE) \
	R(fs_rmdir, ID_FS_RMDIR, ROUTINE) \
	R(fs_rename, ID_FS_RENAME, ROUTINE) \
	R(fs_link, ID_FS_LINK, ROUTINE) \
	R(fs_symlink, ID_FS_SYMLINK, ROUTINE) \
	R(fs_readlink, ID_FS_READLINK, ROUTINE) \
	R(fs_truncate, ID_FS_TRUNCATE, ROUTINE) \
	R(fs_chmod, ID_FS_CHMOD, ROUTINE) \
	R(fs_utimes, ID_FS_UTIMES, ROUTINE) \
	R(fs_sync, ID_FS_SYNC, ROUTINE) \
	R(fs_statfs, ID_FS_STATFS, ROUTINE)
/* On the server's chain port. */
#define FS_ROOT_ROUTINES(R) \
	R(fs_get_root, ID_FS_GET_ROOT, ROUTINE)

#define fs_lookup_REQUEST(F)   F(INT32, 1, flags) F(INT32, 1, mode) F(STRING, FS_PATH_MAX, path)
#define fs_lookup_REPLY(F)     F(SEND, 1, node)
/* count <= FS_INLINE_MAX: the data inline (0..count); more: out of line,
 * the reply fs_read_ool */
#define fs_read_REQUEST(F)     F(INT64, 1, offset) F(INT32, 1, count)
#define fs_read_REPLY(F)       F(LCHARS, FS_INLINE_MAX, data)
#define fs_read_ool_REPLY(F)   F(OOL, FS_IO_MAX, data)
/* offset FS_APPEND: at the end; the reply: bytes written, the offset after them */
#define fs_write_REQUEST(F)    F(INT64, 1, offset) F(LCHARS, FS_INLINE_MAX, data)
#define fs_write_REPLY(F)      F(INT32, 1, count) F(INT64, 1, end)
#define fs_write_ool_REQUEST(F) F(INT64, 1, offset) F(OOL, FS_IO_MAX, data)
#define fs_write_ool_REPLY     fs_write_REPLY
#define fs_stat_REQUEST(F)
#define fs_stat_REPLY(F)       F(RECORD, struct fs_stat, st)
/* cookie 0: the first entry; next: FS_DIR_END after the last entry */
#define fs_readdir_REQUEST(F)  F(INT32, 1, cookie)
#define fs_readdir_REPLY(F)    F(INT32, 1, next) F(LBYTES, FS_INLINE_MAX, data)
/* mkdir's mode; unlink, rmdir and readlink send 0 */
#define fs_mkdir_REQUEST(F)    F(INT32, 1, mode) F(STRING, FS_NAME_MAX, name)
#define fs_mkdir_REPLY(F)
#define fs_unlink_REQUEST      fs_mkdir_REQUEST
#define fs_unlink_REPLY(F)
#define fs_rmdir_REQUEST       fs_mkdir_REQUEST
#define fs_rmdir_REPLY(F)
#define fs_readlink_REQUEST    fs_mkdir_REQUEST
#define fs_readlink_REPLY(F)   F(STRING, FS_PATH_MAX, target)
/* newdir, node: node ports of the same file system (copied) */
#define fs_rename_REQUEST(F)   F(STRING, FS_NAME_MAX, old) F(SEND, 1, newdir) F(STRING, FS_NAME_MAX, new)
#define fs_rename_REPLY(F)
#define fs_link_REQUEST(F)     F(SEND, 1, node) F(STRING, FS_NAME_MAX, name)
#define fs_link_REPLY(F)
#define fs_symlink_REQUEST(F)  F(STRING, FS_NAME_MAX, name) F(STRING, FS_PATH_MAX, target)
#define fs_symlink_REPLY(F)
#define fs_truncate_REQUEST(F) F(INT64, 1, size)
#define fs_truncate_REPLY(F)
#define fs_chmod_REQUEST(F)    F(INT32, 1, mode)
#define fs_chmod_REPLY(F)
#define fs_utimes_REQUEST(F)   F(INT32, 1, atime) F(INT32, 1, mtime)
#define fs_utimes_REPLY(F)
#define fs_sync_REQUEST(F)
#define fs_sync_REPLY(F)
#define fs_statfs_REQUEST(F)
#define fs_statfs_REPLY(F)     F(RECORD, struct fs_statfs, sf)
#define fs_get_root_REQUEST(F)
#define fs_get_root_REPLY(F)   F(SEND, 1, root)

MSG_DECLARE(FS_NODE_ROUTINES)
MSG_DECLARE(FS_ROOT_ROUTINES)
MSG_DECLARE_REPLY(fs_read_ool)
MSG_LAYOUT(fs_lookup_request_t, 1076);
MSG_LAYOUT(fs_read_request_t, 44);
MSG_LAYOUT(fs_read_reply_t, 44 + FS_INLINE_MAX);
MSG_LAYOUT(fs_read_ool_reply_t, 48);
MSG_LAYOUT(fs_write_request_t, 48 + FS_INLINE_MAX);
MSG_LAYOUT(fs_write_ool_request_t, 52);
MSG_LAYOUT(fs_write_reply_t, 52);
MSG_LAYOUT(fs_stat_reply_t, 100);
MSG_LAYOUT(fs_readdir_reply_t, 52 + FS_INLINE_MAX);
MSG_LAYOUT(fs_mkdir_request_t, 300);
MSG_LAYOUT(fs_readlink_reply_t, 44 + FS_PATH_MAX);
MSG_LAYOUT(fs_rename_request_t, 568);
MSG_LAYOUT(fs_link_request_t, 300);
MSG_LAYOUT(fs_symlink_request_t, 1328);
MSG_LAYOUT(fs_truncate_request_t, 36);
MSG_LAYOUT(fs_statfs_reply_t, 68);

#endif
