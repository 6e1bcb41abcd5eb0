/* The split virtqueue (lib/virtio/ring.c) against a simulated device that
 * takes requests from the available ring, in any order, and completes them
 * through the used ring. */
#include <string.h>
#include "unit.h"
#include "virtio/ring.h"

static struct vq q;
static uint16_t dev_avail;             /* the device's position in the avail ring */
static uint16_t pending[VQ_MAX];       /* heads taken by the device, not completed */
static unsigned npending;

/* The device takes every new request; checks each chain's shape. */
static int device_take(void)
{
	int bad = 0;
	while (dev_avail != q.avail->idx) {
		uint16_t head = q.avail->ring[dev_avail & (q.num - 1)];
		dev_avail++;
		unsigned len = 0;
		for (uint16_t i = head;; i = q.desc[i].next) {
			len++;
			if (len > q.num) {
				bad++;
				break;
			}
			if (!(q.desc[i].flags & VRING_DESC_F_NEXT))
				break;
		}
		pending[npending++] = head;
	}
	return bad;
}

/* Completes pending request K, writing WRITTEN bytes. */
static void device_complete(unsigned k, uint32_t written)
{
	uint16_t head = pending[k];
	pending[k] = pending[--npending];
	q.used->ring[q.used->idx & (q.num - 1)] = (struct vring_used_elem){ head, written };
	q.used->idx++;
}

int main(void)
{
	CHECK(vq_bytes(128) == 4096 + 6 + 8 * 128, "legacy size for 128 entries: %zu", vq_bytes(128));
	CHECK(vq_bytes(256) == 8192 + 6 + 8 * 256, "legacy size for 256 entries: %zu", vq_bytes(256));

	uint16_t num = 8;
	static char mem[3 * 4096] __attribute__((aligned(4096)));
	CHECK(vq_bytes(num) <= sizeof mem, "ring fits the test's memory");
	vq_init(&q, num, mem);
	CHECK((char *)q.used - (char *)mem == 4096, "used ring at the next 4 KiB boundary");

	/* three-buffer requests: header (read), data (write), status (write) */
	int tokens[16];
	struct vq_buf b[3] = { { 0x1000, 16, false }, { 0x2000, 512, true }, { 0x3000, 1, true } };
	CHECK(vq_add(&q, b, 3, &tokens[0]) && vq_add(&q, b, 3, &tokens[1]), "two requests fit");
	CHECK(!vq_add(&q, b, 3, &tokens[2]), "a third does not (8 descriptors)");
	CHECK(vq_add(&q, b, 2, &tokens[3]), "a two-buffer one does");
	CHECK(q.num_free == 0 && q.avail->idx == 3, "ring full, avail idx 3");
	uint16_t h0 = q.avail->ring[0];
	CHECK(q.desc[h0].addr == 0x1000 && q.desc[h0].flags == VRING_DESC_F_NEXT
	      && q.desc[q.desc[h0].next].flags == (VRING_DESC_F_NEXT | VRING_DESC_F_WRITE),
	      "descriptor flags and chaining");
	CHECK(device_take() == 0 && npending == 3, "device sees 3 well-formed chains");
	CHECK(vq_get_used(&q, NULL) == NULL, "nothing used yet");

	/* out of order completion */
	device_complete(1, 513);
	uint32_t w = 0;
	void *t = vq_get_used(&q, &w);
	CHECK(t == &tokens[1] && w == 513, "second request first (%p, %u)", t, w);
	CHECK(q.num_free == 3, "its descriptors are free again (%u)", q.num_free);
	CHECK(vq_add(&q, b, 3, &tokens[4]), "and reusable");

	/* a device that reports a bogus id is ignored */
	q.used->ring[q.used->idx & (q.num - 1)] = (struct vring_used_elem){ 999, 0 };
	q.used->idx++;
	CHECK(vq_get_used(&q, NULL) == NULL, "bogus used id ignored");

	/* random stress: tokens come back exactly once, nothing leaks */
	memset(mem, 0, vq_bytes(num));
	vq_init(&q, num, mem);
	dev_avail = 0;
	npending = 0;
	unsigned seed = 7, added = 0, done = 0, bad = 0;
	static int outstanding[100000];
	for (int step = 0; step < 100000; step++) {
		seed = seed * 1103515245u + 12345u;
		if ((seed >> 16) % 3) {
			unsigned n = 1 + (seed >> 8) % 3;
			if (vq_add(&q, b, n, &outstanding[added])) {
				outstanding[added] = 1;
				added++;
			}
		} else {
			bad += (unsigned)device_take();
			if (npending)
				device_complete((seed >> 4) % npending, 0);
		}
		int *tok;
		while ((tok = vq_get_used(&q, NULL))) {
			if (*tok != 1)
				bad++;
			*tok = 2;
			done++;
		}
	}
	bad += (unsigned)device_take();
	while (npending)
		device_complete(0, 0);
	for (int *tok; (tok = vq_get_used(&q, NULL)); done++)
		*tok = 2;
	CHECK(bad == 0 && added == done && q.num_free == num, "stress: %u added, %u done, %u free, %u bad",
	      added, done, q.num_free, bad);
	return unit_report();
}
