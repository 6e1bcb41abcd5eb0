/* A virtio split virtqueue, legacy layout (descriptor table, available ring,
 * then the used ring at the next 4 KiB boundary), in memory the device
 * reaches by physical address.  Portable: the driver gives the memory and
 * the physical address of each buffer; host tests play the device. */
#ifndef VIRTIO_RING_H
#define VIRTIO_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VRING_DESC_F_NEXT  1
#define VRING_DESC_F_WRITE 2
#define VRING_USED_F_NO_NOTIFY 1
#define VRING_ALIGN 4096u
#define VQ_MAX 1024

struct vring_desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
struct vring_avail { uint16_t flags, idx; uint16_t ring[]; };
struct vring_used_elem { uint32_t id, len; };
struct vring_used { uint16_t flags, idx; struct vring_used_elem ring[]; };

/* One buffer of a request: its physical address, length, and whether the
 * device writes it (device-readable buffers come first in a request). */
struct vq_buf { uint64_t phys; uint32_t len; bool device_writes; };

struct vq {
	uint16_t num;               /* queue size, a power of 2 */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t free_head, num_free, last_used;
	void *token[VQ_MAX];        /* per head descriptor: the caller's request */
};

/* Bytes of ring memory a queue of NUM entries needs (legacy layout). */
size_t vq_bytes(uint16_t num);
/* Lays the queue out in MEM (vq_bytes(num), 4 KiB aligned, zeroed). */
void vq_init(struct vq *q, uint16_t num, void *mem);
/* Queues one request made of N buffers, remembered by TOKEN; returns false
 * when fewer than N descriptors are free.  The device sees it after the
 * caller notifies it. */
bool vq_add(struct vq *q, const struct vq_buf *bufs, unsigned n, void *token);
/* Whether the device asked not to be notified. */
bool vq_notify_suppressed(const struct vq *q);
/* The next completed request's token (and the bytes the device wrote), or
 * NULL when none is waiting; its descriptors become free again. */
void *vq_get_used(struct vq *q, uint32_t *written);

#endif
