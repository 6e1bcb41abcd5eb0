/* The one interface between the device server and its disk drivers
 * (README.md, "Drivers").  A driver takes PCI functions the arbiter grants,
 * reports the disks it finds on them, and carries out requests on physically
 * contiguous DMA memory, completing them from its interrupt thread.  The
 * device server (names, partitions, bounds, the DMA arena, the chain, the
 * Mach device protocol) calls drivers only through struct disk_driver. */
#ifndef DRIVER_H
#define DRIVER_H

#include "mach/abi.h"
#include "pci/proto.h"
#include "pciarb/policy.h"
#include "rt/lock.h"

enum disk_op { DISK_READ, DISK_WRITE, DISK_FLUSH };

struct disk;

/* One request.  The device server fills the first part and calls the
 * driver's submit(); the driver finishes it with disk_done(), from any
 * thread, at most once. */
struct disk_request {
	struct disk *disk;
	enum disk_op op;
	uint64_t lba;                 /* in the disk's sectors */
	uint32_t sectors;             /* 0 for a flush */
	uint64_t phys;                /* physically contiguous, sectors * sector_size bytes */
	void *driver_data;            /* the driver's, while the request is its own */
	/* the device server's: */
	kern_return_t status;
	volatile int done;
};

/* What a driver says of one disk when it reports it (disk_add). */
struct disk_info {
	uint64_t sectors;
	uint32_t sector_size;         /* 512, 4096, ...: a power of two >= 512 */
	int read_only;
	int can_flush;                /* has a write cache that DISK_FLUSH empties */
	unsigned depth;               /* requests it takes in flight at most (>= 1) */
	uint32_t max_sectors;         /* sectors one request moves at most */
	uint64_t dma_limit;           /* highest physical address + 1 it can reach */
	int polling;                  /* completes by polling, not interrupts */
	char where[64];               /* "virtio-blk at 00:04.0", "AHCI 00:1f.2 port 0 (QEMU HARDDISK)" */
};

struct disk_driver {
	const char *name;             /* "virtio-blk" */
	const char *prefix;           /* its disks are PREFIX0, PREFIX1, ... ("vd") */
	struct pci_rule match;        /* the PCI functions it takes */
	/* Sets up the function FN (info: its record) and reports each disk on
	 * it with disk_add().  Returns KERN_SUCCESS or an error with *WHAT
	 * naming the step that failed (then it has reported no disk). */
	kern_return_t (*probe)(mach_port_t fn, const struct pci_wire_func *info, const char **what);
	/* Starts R on R->disk; never blocks for long and never fails: errors
	 * come back through disk_done().  The device server keeps no more than
	 * info.depth requests in flight on one disk. */
	void (*submit)(struct disk_request *r);
	/* At the halt, after the device server's final flushes: puts the
	 * driver's controllers to rest (NULL: nothing to do). */
	void (*halt)(void);
};

/* A disk as the device server knows it. */
struct disk {
	char name[8];                 /* vd0, wd1, ... */
	const struct disk_driver *driver;
	void *driver_disk;            /* the driver's own state for it */
	mach_port_t func;             /* the PCI function it is on (for DMA memory) */
	struct disk_info info;
	/* the device server's */
	mutex_t lock;
	cond_t changed;               /* a request done, a slot or bounce buffer free */
	unsigned in_flight;
	struct bounce *bounce;        /* free DMA buffers for writes and small reads */
	uint32_t bounce_size;         /* bytes each */
};

/* Called by a driver's probe for each disk it finds: names it and adds it.
 * Returns the disk, or NULL (then the driver forgets it) when the server
 * has no room or no DMA memory for it, with a line saying so. */
struct disk *disk_add(const struct disk_driver *drv, mach_port_t fn, void *driver_disk,
                      const struct disk_info *info);
/* Called by a driver when R has finished with STATUS (D_SUCCESS, D_IO_ERROR,
 * D_INVALID_OPERATION, ...). */
void disk_done(struct disk_request *r, kern_return_t status);

/* --poll: drivers poll for completions instead of asking for interrupts
 * (the fallback when the arbiter cannot register one), to test that path. */
extern int disk_poll_only;

/* The drivers, in the order they are probed (drivers.c). */
extern const struct disk_driver *const disk_drivers[];
extern const struct disk_driver virtio_blk_driver;
extern const struct disk_driver ahci_driver;
extern const struct disk_driver nvme_driver;

#endif
