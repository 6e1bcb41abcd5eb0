/* Split virtqueue bookkeeping (include/virtio/ring.h).  The fences order our
 * writes of descriptors before the index the device reads, and the device's
 * used entries before our reading of them. */
#include "virtio/ring.h"

size_t vq_bytes(uint16_t num)
{
	size_t first = sizeof(struct vring_desc) * num + sizeof(uint16_t) * (3 + num);
	first = (first + VRING_ALIGN - 1) & ~(size_t)(VRING_ALIGN - 1);
	return first + sizeof(uint16_t) * 3 + sizeof(struct vring_used_elem) * num;
}

void vq_init(struct vq *q, uint16_t num, void *mem)
{
	q->num = num;
	q->desc = mem;
	q->avail = (struct vring_avail *)((char *)mem + sizeof(struct vring_desc) * num);
	size_t used = sizeof(struct vring_desc) * num + sizeof(uint16_t) * (3 + num);
	used = (used + VRING_ALIGN - 1) & ~(size_t)(VRING_ALIGN - 1);
	q->used = (struct vring_used *)((char *)mem + used);
	for (uint16_t i = 0; i + 1 < num; i++)
		q->desc[i].next = (uint16_t)(i + 1);
	q->free_head = 0;
	q->num_free = num;
	q->last_used = 0;
}

bool vq_add(struct vq *q, const struct vq_buf *bufs, unsigned n, void *token)
{
	if (n == 0 || n > q->num_free)
		return false;
	uint16_t head = q->free_head, i = head, last = head;
	for (unsigned k = 0; k < n; k++) {
		struct vring_desc *d = &q->desc[i];
		d->addr = bufs[k].phys;
		d->len = bufs[k].len;
		d->flags = (uint16_t)((bufs[k].device_writes ? VRING_DESC_F_WRITE : 0)
		                      | (k + 1 < n ? VRING_DESC_F_NEXT : 0));
		last = i;
		i = d->next;
	}
	q->free_head = q->desc[last].next;
	q->num_free = (uint16_t)(q->num_free - n);
	q->token[head] = token;
	q->avail->ring[q->avail->idx & (q->num - 1)] = head;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	q->avail->idx++;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);   /* index out before we read the device's flags */
	return true;
}

bool vq_notify_suppressed(const struct vq *q)
{
	return (__atomic_load_n(&q->used->flags, __ATOMIC_ACQUIRE) & VRING_USED_F_NO_NOTIFY) != 0;
}

void *vq_get_used(struct vq *q, uint32_t *written)
{
	if (q->last_used == __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE))
		return NULL;
	struct vring_used_elem e = q->used->ring[q->last_used & (q->num - 1)];
	q->last_used++;
	if (e.id >= q->num)
		return NULL;             /* a device that lies: ignore the entry */
	uint16_t i = (uint16_t)e.id, n = 1;
	while (q->desc[i].flags & VRING_DESC_F_NEXT) {
		i = q->desc[i].next;
		n++;
	}
	q->desc[i].next = q->free_head;
	q->free_head = (uint16_t)e.id;
	q->num_free = (uint16_t)(q->num_free + n);
	if (written)
		*written = e.len;
	void *t = q->token[e.id];
	q->token[e.id] = NULL;
	return t;
}
