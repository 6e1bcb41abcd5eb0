/* virtio-blk, legacy interface: registers in I/O BAR0, one request queue,
 * behind the driver interface (driver.h).  A request is a chain of three
 * buffers in DMA memory: the header (read by the device), the data, and the
 * status byte (written by the device). */
#include "mach/mach.h"
#include "pci/client.h"
#include "rt/rt.h"
#include "rt/thread.h"
#include "rt/ioport.h"
#include "virtio/ring.h"
#include "driver.h"

enum {  /* legacy register offsets */
	VIO_HOST_FEATURES = 0x00, VIO_GUEST_FEATURES = 0x04, VIO_QUEUE_PFN = 0x08,
	VIO_QUEUE_NUM = 0x0c, VIO_QUEUE_SEL = 0x0e, VIO_QUEUE_NOTIFY = 0x10,
	VIO_STATUS = 0x12, VIO_ISR = 0x13, VIO_CONFIG = 0x14,
};
enum { ST_ACK = 1, ST_DRIVER = 2, ST_DRIVER_OK = 4, ST_FAILED = 0x80 };
enum { F_RO = 1u << 5, F_FLUSH = 1u << 9 };
enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4 };
enum { S_OK = 0, S_IOERR = 1, S_UNSUPP = 2 };

#define VBLK_DEPTH 32                /* requests in flight at most */

/* A request's header (16 bytes) and status byte, in DMA memory. */
struct vblk_slot {
	uint8_t *hdr;
	uint64_t hdr_phys;
	struct disk_request *req;
	struct vblk_slot *next_free;
};

struct vblk {
	mach_port_t func;                /* the arbiter's port for this function */
	uint16_t io;                     /* I/O BAR0 base */
	struct vq q;
	mutex_t lock;                    /* the queue and the slots */
	struct vblk_slot slots[VBLK_DEPTH];
	struct vblk_slot *free_slots;
	mach_port_t irq_port;
	int polling;                     /* no interrupt: the completion thread polls */
};

static kern_return_t status_error(uint8_t st)
{
	return st == S_OK ? D_SUCCESS : st == S_UNSUPP ? D_INVALID_OPERATION : D_IO_ERROR;
}

/* Takes what the device finished and tells the device server; returns
 * how many requests finished. */
static unsigned reap(struct vblk *v)
{
	struct disk_request *done[VBLK_DEPTH];
	kern_return_t status[VBLK_DEPTH];
	unsigned n = 0;
	struct vblk_slot *s;
	mutex_lock(&v->lock);
	while (n < VBLK_DEPTH && (s = vq_get_used(&v->q, NULL))) {
		done[n] = s->req;
		status[n++] = status_error(s->hdr[16]);
		s->next_free = v->free_slots;
		v->free_slots = s;
	}
	mutex_unlock(&v->lock);
	for (unsigned i = 0; i < n; i++)
		disk_done(done[i], status[i]);
	return n;
}

/* Interrupts arrive as messages on irq_port; each is acknowledged after the
 * ISR register is read (which lowers the line).  Without interrupts, or
 * between them, a bounded wait makes this a poll. */
static void completion_thread(void *arg)
{
	struct vblk *v = arg;
	union { mach_msg_header_t h; char buf[128]; } m;
	for (;;) {
		kern_return_t r = mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m,
		                           v->irq_port, v->polling ? 1 : 50, 0);
		(void)inb((uint16_t)(v->io + VIO_ISR));
		/* let the threads just woken reply before the acknowledgement's
		 * round trip through the arbiter */
		if (reap(v))
			swtch();
		if (r == MACH_MSG_SUCCESS && !v->polling)
			pci_intr_ack(v->func, v->irq_port);
	}
}

static kern_return_t vblk_probe(mach_port_t func, const struct pci_wire_func *info, const char **what)
{
	kern_return_t r;
	if (!(info->bars[0].index_flags & 1) || (info->bars[0].index_flags >> 8) != 0) {
		*what = "BAR0 is not the legacy interface's I/O ports";
		return D_NO_SUCH_DEVICE;
	}
	struct vblk *v = calloc(1, sizeof *v);
	*what = "allocating its state";
	if (!v)
		return D_NO_MEMORY;
	v->func = func;
	v->io = (uint16_t)info->bars[0].base;
	/* I/O decode and bus mastering on: the device reads and writes our memory */
	uint32_t command;
	*what = "enabling I/O and bus mastering";
	if ((r = pci_conf_read(func, 4, 2, &command)) || (r = pci_conf_write(func, 4, 2, command | 5)))
		return r;
	mach_port_t perm;
	*what = "getting I/O access to BAR0";
	if ((r = pci_io_perm(func, 0, &perm)) || (r = i386_io_perm_modify(mach_task_self(), perm, 1)))
		return r;

	struct disk_info d = { .sector_size = 512, .depth = VBLK_DEPTH, .max_sectors = 128,
	                       .dma_limit = 0x100000000ull };
	outb((uint16_t)(v->io + VIO_STATUS), 0);                       /* reset */
	outb((uint16_t)(v->io + VIO_STATUS), ST_ACK | ST_DRIVER);
	uint32_t host = inl((uint16_t)(v->io + VIO_HOST_FEATURES));
	outl((uint16_t)(v->io + VIO_GUEST_FEATURES), host & (F_RO | F_FLUSH));
	d.read_only = (host & F_RO) != 0;
	d.can_flush = (host & F_FLUSH) != 0;
	d.sectors = inl((uint16_t)(v->io + VIO_CONFIG)) | (uint64_t)inl((uint16_t)(v->io + VIO_CONFIG + 4)) << 32;

	outw((uint16_t)(v->io + VIO_QUEUE_SEL), 0);
	uint16_t num = inw((uint16_t)(v->io + VIO_QUEUE_NUM));
	*what = "sizing its queue";
	if (num == 0 || num > VQ_MAX || (num & (num - 1)))
		return D_DEVICE_DOWN;
	if (d.depth > num / 3u)                      /* three descriptors a request */
		d.depth = num / 3u;
	*what = "sizing its queue";
	if (d.depth == 0)
		return D_DEVICE_DOWN;

	/* one DMA region: the ring, then a page of request headers */
	vm_size_t ring = (vq_bytes(num) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	vm_offset_t va;
	rpc_phys_addr_t pa;
	*what = "allocating DMA memory";
	if ((r = pci_dma_alloc(func, ring + PAGE_SIZE, 0x100000000ull, &va, &pa)))
		return r;
	memset((void *)(uintptr_t)va, 0, ring + PAGE_SIZE);
	vq_init(&v->q, num, (void *)(uintptr_t)va);
	for (unsigned i = 0; i < VBLK_DEPTH; i++) {        /* 32 slots x 32 bytes */
		struct vblk_slot *s = &v->slots[i];
		s->hdr = (uint8_t *)(uintptr_t)(va + ring + 32 * i);
		s->hdr_phys = pa + ring + 32 * i;
		s->next_free = v->free_slots;
		v->free_slots = s;
	}
	outl((uint16_t)(v->io + VIO_QUEUE_PFN), (uint32_t)(pa >> 12));
	outb((uint16_t)(v->io + VIO_STATUS), ST_ACK | ST_DRIVER | ST_DRIVER_OK);

	*what = "setting up its interrupt";
	if ((r = mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &v->irq_port)))
		return r;
	v->polling = disk_poll_only || pci_intr_register(func, v->irq_port) != KERN_SUCCESS;
	if (v->polling && (r = pci_intx_disable(func)))
		return r;
	d.polling = v->polling;
	if ((r = thread_spawn(completion_thread, v)))
		return r;
	snprintf(d.where, sizeof d.where, "virtio-blk at %02x:%02x.%x", info->bus, info->dev, info->fn);
	disk_add(&virtio_blk_driver, func, v, &d);
	return KERN_SUCCESS;
}

/* Queues R: header, data, status.  The device server keeps no more than
 * depth requests in flight, so a slot and three descriptors are free. */
static void vblk_submit(struct disk_request *r)
{
	struct vblk *v = r->disk->driver_disk;
	uint32_t type = r->op == DISK_READ ? T_IN : r->op == DISK_WRITE ? T_OUT : T_FLUSH;
	uint32_t len = r->sectors * 512;
	mutex_lock(&v->lock);
	struct vblk_slot *s = v->free_slots;
	v->free_slots = s->next_free;
	s->req = r;
	uint32_t h[4] = { type, 0, (uint32_t)r->lba, (uint32_t)(r->lba >> 32) };
	memcpy(s->hdr, h, 16);
	s->hdr[16] = 0xff;
	struct vq_buf b[3] = {
		{ s->hdr_phys, 16, false },
		{ r->phys, len, type == T_IN },
		{ s->hdr_phys + 16, 1, true },
	};
	if (len == 0)
		b[1] = b[2];
	vq_add(&v->q, b, len ? 3 : 2, s);
	if (!vq_notify_suppressed(&v->q))
		outw((uint16_t)(v->io + VIO_QUEUE_NOTIFY), 0);
	mutex_unlock(&v->lock);
}

const struct disk_driver virtio_blk_driver = {
	.name = "virtio-blk",
	.prefix = "vd",
	.match = { 0x010000, 0xff0000, 0x1af4, 0x1001 },
	.probe = vblk_probe,
	.submit = vblk_submit,
};
