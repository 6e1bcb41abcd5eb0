/* A virtio-blk disk through the legacy PCI interface (I/O BAR0), with its
 * requests kept in flight together and completed from interrupts. */
#ifndef VIRTIO_BLK_H
#define VIRTIO_BLK_H

#include "mach/abi.h"
#include "rt/lock.h"
#include "virtio/ring.h"

#define VBLK_SLOTS     32            /* requests in flight at most */
#define VBLK_SLOT_DATA (64u * 1024u) /* bytes one request moves at most */

struct vblk_slot {
	uint8_t *hdr;                    /* 16-byte request header, then the status byte */
	uint64_t hdr_phys;
	uint8_t *data;
	uint64_t data_phys;
	volatile int done;
	uint8_t status;
	struct vblk_slot *next_free;
};

struct vblk {
	mach_port_t func;                /* the arbiter's port for this function */
	uint16_t io;                     /* I/O BAR0 base */
	uint64_t sectors;
	int read_only, can_flush;
	struct vq q;
	mutex_t lock;                    /* the queue and the slots */
	cond_t slot_freed, completed;
	struct vblk_slot slots[VBLK_SLOTS];
	struct vblk_slot *free_slots;
	mach_port_t irq_port;
	int polling;                     /* no interrupt: the completion thread polls */
	char name[8];                    /* vd0, vd1, ... */
};

/* Sets up the function FUNC (a function port from the arbiter) as disk NAME.
 * Returns 0 or an error code; WHAT names the step that failed. */
kern_return_t vblk_init(struct vblk *d, mach_port_t func, const char *name, const char **what);

/* Reads or writes COUNT bytes (a multiple of 512) at SECTOR, through BUF,
 * keeping up to VBLK_SLOTS requests in flight.  Returns D_SUCCESS or a D_*
 * error. */
kern_return_t vblk_io(struct vblk *d, int write, uint64_t sector, void *buf, size_t count);
kern_return_t vblk_flush(struct vblk *d);

/* Reads COUNT bytes (a multiple of 512) at SECTOR straight into physically
 * contiguous memory at PHYS, every piece in flight at once: no copy. */
kern_return_t vblk_read_phys(struct vblk *d, uint64_t sector, uint64_t phys, size_t count);

#endif
