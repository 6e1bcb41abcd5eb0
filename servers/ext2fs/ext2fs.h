/* ext2fs's pieces: the disk glue (disk.c), open nodes and their ports
 * (node.c) and the file system protocol's handlers (fsserver.c) around the
 * portable ext2 core (lib/ext2, which resolves paths too). */
#ifndef EXT2FS_H
#define EXT2FS_H

#include "ext2/ext2.h"
#include "fs/proto.h"
#include "fs/errno.h"
#include "server/server.h"
#include "rt/lock.h"

/* The mounted file system.  The core is not thread-safe: every call into
 * it, and every look at the node registry, happens under fs_lock. */
extern struct ext2_fs fs;
extern mutex_t fs_lock;
extern int fs_writable;          /* mounted read-write */
extern int fs_mounted;           /* until the shutdown unmounts it */
extern struct server *fs_server;

/* --- disk.c: the disk behind the core ------------------------------------ */

/* Opens device NAME through MASTER for reading and writing or, when the
 * device is read-only, for reading (*WRITABLE says which), and fills DEV
 * with its size and the read, write, flush and clock callbacks. */
/* VIA_BOOTSTRAP: MASTER is our bootstrap port (the disk server), which a
 * restarted disk server replaces: the device is reopened through it; else
 * it is the kernel's device master, read in smaller requests. */
kern_return_t disk_open(mach_port_t master, const char *name, struct ext2_dev *dev, int *writable,
                        int via_bootstrap);
/* Watches the disk server's port from S's dead-name requests. */
void disk_watch(struct server *s);
/* The host's clock, seconds since 1970 (what the core stamps inodes with). */
uint32_t disk_time(void);
/* We gave up on the disk server (it died too often): I/O errors are
 * expected from then on, and were said once. */
int disk_lost(void);

/* "part:N:device:NAME" (Hurd's form) becomes "NAMEsN" (main.c). */
void device_name(const char *arg, char *out, size_t size);

/* The rescue prompt (rescue.c): lists the disks and partitions MASTER
 * serves and asks on the console for a device, left in DEVNAME; an empty
 * line or "halt" halts the machine through the chain and does not return. */
struct chain;
void rescue_ask(struct chain *c, mach_port_t master, char *devname, size_t size);

/* --- node.c: one port per open file or directory ------------------------- */

struct node {
	struct port_info *pi;
	uint32_t ino;
	uint16_t type;               /* EXT2_S_IFMT bits of the mode when opened */
	unsigned flags;              /* FS_O_READ, FS_O_WRITE, FS_O_APPEND */
	int open;                    /* until the no-senders notification */
	struct node *prev, *next;    /* the registry of open nodes */
};

/* A new node port for inode INO (holding it open in the core); the reply
 * carries it with MACH_MSG_TYPE_MAKE_SEND.  0 or a negative errno value. */
int node_open(uint32_t ino, uint16_t type, unsigned flags, struct node **out);
/* The open node whose port is NAME (a send right a client sent us), or NULL
 * when NAME is not one of our node ports. */
struct node *node_find(mach_port_t name);

/* --- stream.c: the file-data cache, read ahead for readers in order ------ */

#define STREAM_NO (-1000)        /* stream_read does not take this read */
/* Sets the cache's size (once, before the first read): the bytes it will
 * hold, BYTES rounded down to whole windows (at least one). */
size_t stream_init(size_t bytes);
/* Reads COUNT bytes at OFFSET of IN into DST (fresh pages) from the cache,
 * filling it when the read follows the file's last one: the bytes read, a
 * negative EXT2_E* code, or STREAM_NO (read it the ordinary way). */
long stream_read(const struct ext2_inode *in, uint64_t offset, void *dst, size_t count);
/* Forgets what the cache holds of inode INO. */
void stream_forget(uint32_t ino);

/* --- fsserver.c: the protocol -------------------------------------------- */

/* On every node port. */
extern const struct interface fs_node_interface;
/* On the chain port handed to the next stage: FS_GET_ROOT. */
extern const struct interface fs_root_interface;

/* The core's failure R (a negative EXT2_E* code) as a handler returns it:
 * the same code, or -FS_EIO for anything that is not an errno value; an I/O
 * error is named on the console with the core's reason. */
int core_error(int r, const char *what);

#endif
