/* The device server's side of the disks (driver.h is the drivers' side):
 * the disks found, their partitions, and the transfers devserver.c makes. */
#ifndef DISK_H
#define DISK_H

#include "chain/chain.h"
#include "disk/part.h"
#include "driver.h"

#define MAX_DISKS 16

/* An opened device: a whole disk or one partition of it. */
struct opened {
	struct disk *disk;
	uint64_t start, count;      /* in 512-byte records, whatever the disk's sector size */
	unsigned mode;              /* D_READ, D_WRITE */
};

extern struct disk disks[MAX_DISKS];
extern struct part_table tables[MAX_DISKS];   /* each disk's partitions */
extern unsigned ndisks;
extern struct server *disk_server;

/* The disk's size in the protocol's 512-byte records. */
static inline uint64_t disk_records(const struct disk *d)
{
	return d->info.sectors * (d->info.sector_size / 512);
}

/* Asks the drivers for every function PCI shows and reads the partition
 * tables of the disks they report, with a console line for each. */
void disks_find(mach_port_t pci);
/* Moves BYTES (whole sectors) at sector LBA through BUF, or, when PHYS is
 * not 0, straight to physically contiguous memory at PHYS (reads): cut in
 * pieces the driver takes, several in flight.  D_SUCCESS or a D_* error. */
kern_return_t disk_io(struct disk *d, enum disk_op op, uint64_t lba, void *buf, uint64_t phys, size_t bytes);
/* Reads BYTES at byte OFFSET, neither needing to be whole sectors. */
kern_return_t disk_read_bytes(struct disk *d, uint64_t offset, void *buf, size_t bytes);
kern_return_t disk_flush(struct disk *d);

/* The port the next stage opens devices through (device_open only). */
extern const struct interface device_master_interface;
/* What an opened device answers. */
extern const struct interface device_interface;

/* Fault injection (crash.c): set up from the options, and counted where a
 * read or write request (of BYTES) arrives. */
void crash_setup(const struct chain *c);
void crash_point(int is_write, size_t bytes);

#endif
