/* The file system protocol (subsystem 48000): what ext2fs answers on the
 * port of every open file or directory, and on its chain port (get-root).
 * docs/fs-protocol.md describes it; this is the one definition of its
 * messages, used by the server (servers/ext2fs) and the client
 * (lib/fs/fs_client.c).
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
#define FS_SYMLINK_MAX 8

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

typedef struct {
	mach_msg_header_t head;
	msg_word_t flags, mode;
	mach_msg_type_long_t path_type;          /* STRING_C, 8*FS_PATH_MAX bits, 1 */
	char path[FS_PATH_MAX];
} fs_lookup_request_t;
MSG_LAYOUT(fs_lookup_request_t, 1076);
typedef rep1_t fs_lookup_reply_t;                /* the node: PORT_SEND */

typedef struct {
	mach_msg_header_t head;
	msg_dword_t offset;
	msg_word_t count;
} fs_read_request_t;
MSG_LAYOUT(fs_read_request_t, 44);
/* count <= FS_INLINE_MAX: the data inline (CHAR, long form, 0..count) */
typedef struct {
	mig_reply_header_t h;
	mach_msg_type_long_t data_type;
	char data[FS_INLINE_MAX];
} fs_read_reply_t;
MSG_LAYOUT(fs_read_reply_t, 44 + FS_INLINE_MAX);
/* count > FS_INLINE_MAX: the data out of line (INTEGER_8, 0..count) */
typedef rep_ool_t fs_read_ool_reply_t;

typedef struct {
	mach_msg_header_t head;
	msg_dword_t offset;
	mach_msg_type_long_t data_type;          /* CHAR, 8 bits, 0..FS_INLINE_MAX */
	char data[FS_INLINE_MAX];
} fs_write_request_t;
MSG_LAYOUT(fs_write_request_t, 48 + FS_INLINE_MAX);
typedef struct {
	mach_msg_header_t head;
	msg_dword_t offset;
	msg_ool_t data;                          /* INTEGER_8, 0..FS_IO_MAX */
} fs_write_ool_request_t;
MSG_LAYOUT(fs_write_ool_request_t, 52);
typedef struct {
	mig_reply_header_t h;
	msg_word_t count;
	msg_dword_t end;                         /* the offset after the last byte written */
} fs_write_reply_t;
MSG_LAYOUT(fs_write_reply_t, 52);

typedef req0_t fs_stat_request_t;
typedef struct {
	mig_reply_header_t h;
	mach_msg_type_t st_type;                 /* INTEGER_32 x FS_STAT_WORDS */
	struct fs_stat st;
} fs_stat_reply_t;
MSG_LAYOUT(fs_stat_reply_t, 100);

typedef req1_t fs_readdir_request_t;             /* cookie (0: the first entry) */
typedef struct {
	mig_reply_header_t h;
	msg_word_t next;                         /* FS_DIR_END after the last entry */
	mach_msg_type_long_t data_type;          /* INTEGER_8, 0..FS_INLINE_MAX */
	char data[FS_INLINE_MAX];
} fs_readdir_reply_t;
MSG_LAYOUT(fs_readdir_reply_t, 52 + FS_INLINE_MAX);

/* mkdir (mode), unlink and rmdir (mode ignored, sent as 0): a word and a name */
typedef struct {
	mach_msg_header_t head;
	msg_word_t mode;
	mach_msg_type_long_t name_type;          /* STRING_C, 8*FS_NAME_MAX bits, 1 */
	char name[FS_NAME_MAX];
} fs_name_request_t;
MSG_LAYOUT(fs_name_request_t, 300);
typedef fs_name_request_t fs_mkdir_request_t, fs_unlink_request_t, fs_rmdir_request_t,
	fs_readlink_request_t;
typedef struct {
	mig_reply_header_t h;
	mach_msg_type_long_t target_type;        /* STRING_C, 8*FS_PATH_MAX bits, 1 */
	char target[FS_PATH_MAX];
} fs_readlink_reply_t;
MSG_LAYOUT(fs_readlink_reply_t, 44 + FS_PATH_MAX);

typedef struct {
	mach_msg_header_t head;
	mach_msg_type_long_t old_type;           /* STRING_C, FS_NAME_MAX */
	char old[FS_NAME_MAX];
	msg_port_t newdir;                       /* PORT_SEND (copied) */
	mach_msg_type_long_t new_type;           /* STRING_C, FS_NAME_MAX */
	char new[FS_NAME_MAX];
} fs_rename_request_t;
MSG_LAYOUT(fs_rename_request_t, 568);

typedef struct {
	mach_msg_header_t head;
	msg_port_t node;                         /* PORT_SEND (copied) */
	mach_msg_type_long_t name_type;          /* STRING_C, FS_NAME_MAX */
	char name[FS_NAME_MAX];
} fs_link_request_t;
MSG_LAYOUT(fs_link_request_t, 300);

typedef struct {
	mach_msg_header_t head;
	mach_msg_type_long_t name_type;          /* STRING_C, FS_NAME_MAX */
	char name[FS_NAME_MAX];
	mach_msg_type_long_t target_type;        /* STRING_C, FS_PATH_MAX */
	char target[FS_PATH_MAX];
} fs_symlink_request_t;
MSG_LAYOUT(fs_symlink_request_t, 1328);

typedef struct { mach_msg_header_t head; msg_dword_t size; } fs_truncate_request_t;
MSG_LAYOUT(fs_truncate_request_t, 36);
typedef req1_t fs_chmod_request_t;               /* mode */
typedef req2_t fs_utimes_request_t;              /* atime, mtime */
typedef req0_t fs_sync_request_t;
typedef req0_t fs_statfs_request_t;
typedef struct {
	mig_reply_header_t h;
	mach_msg_type_t sf_type;                 /* INTEGER_32 x FS_STATFS_WORDS */
	struct fs_statfs sf;
} fs_statfs_reply_t;
MSG_LAYOUT(fs_statfs_reply_t, 68);

typedef req0_t fs_get_root_request_t;
typedef rep1_t fs_get_root_reply_t;              /* the root directory: PORT_SEND */

#endif
