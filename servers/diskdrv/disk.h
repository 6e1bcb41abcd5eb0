/* The disks this server drives and the devices it serves on them. */
#ifndef DISK_H
#define DISK_H

#include "chain/chain.h"
#include "disk/part.h"
#include "virtio_blk.h"

#define MAX_DISKS 8

/* An opened device: a whole disk or one partition of it. */
struct opened {
	struct vblk *disk;
	uint64_t start, count;      /* in 512-byte records */
	unsigned mode;              /* D_READ, D_WRITE */
};

extern struct vblk disks[MAX_DISKS];
extern struct part_table tables[MAX_DISKS];   /* each disk's partitions */
extern unsigned ndisks;
extern struct server *disk_server;

/* The port the next stage opens devices through (device_open only). */
extern const struct interface device_master_interface;
/* What an opened device answers. */
extern const struct interface device_interface;

/* --crash-after (crash.c): set up from the options, and counted where a
 * read or write request arrives. */
void crash_setup(const struct chain *c);
void crash_point(void);

#endif
