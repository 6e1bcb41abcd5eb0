/* virtio-blk, legacy interface: registers in I/O BAR0, one request queue.
 * A request is a chain of three buffers in DMA memory: the header (read by
 * the device), the data, and the status byte (written by the device). */
#include "mach/mach.h"
#include "pci/client.h"
#include "rt/rt.h"
#include "rt/thread.h"
#include "rt/ioport.h"
#include "virtio_blk.h"

enum {  /* legacy register offsets */
	VIO_HOST_FEATURES = 0x00, VIO_GUEST_FEATURES = 0x04, VIO_QUEUE_PFN = 0x08,
	VIO_QUEUE_NUM = 0x0c, VIO_QUEUE_SEL = 0x0e, VIO_QUEUE_NOTIFY = 0x10,
	VIO_STATUS = 0x12, VIO_ISR = 0x13, VIO_CONFIG = 0x14,
};
enum { ST_ACK = 1, ST_DRIVER = 2, ST_DRIVER_OK = 4, ST_FAILED = 0x80 };
enum { F_RO = 1u << 5, F_FLUSH = 1u << 9 };
enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4 };
enum { S_OK = 0, S_IOERR = 1, S_UNSUPP = 2 };


/* Takes what the device finished and wakes whoever waits for it. */
static void reap(struct vblk *d)
{
	struct vblk_slot *s;
	mutex_lock(&d->lock);
	while ((s = vq_get_used(&d->q, NULL))) {
		s->status = s->hdr[16];
		s->done = 1;
	}
	cond_broadcast(&d->completed);
	mutex_unlock(&d->lock);
}

/* Interrupts arrive as messages on irq_port; each is acknowledged after the
 * ISR register is read (which lowers the line).  Without interrupts, or
 * between them, a bounded wait makes this a poll. */
static void completion_thread(void *arg)
{
	struct vblk *d = arg;
	union { mach_msg_header_t h; char buf[128]; } m;
	for (;;) {
		kern_return_t r = mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m,
		                           d->irq_port, d->polling ? 1 : 50, 0);
		(void)inb((uint16_t)(d->io + VIO_ISR));
		reap(d);
		if (r == MACH_MSG_SUCCESS && !d->polling)
			pci_intr_ack(d->func, d->irq_port);
	}
}

kern_return_t vblk_init(struct vblk *d, mach_port_t func, const char *name, const char **what)
{
	struct pci_wire_func info;
	kern_return_t r;
	d->func = func;
	strlcpy(d->name, name, sizeof d->name);
	*what = "reading its BARs";
	if ((r = pci_get_regions(func, &info)))
		return r;
	if (!(info.bars[0].index_flags & 1) || (info.bars[0].index_flags >> 8) != 0)
		return D_NO_SUCH_DEVICE;           /* not the legacy interface we drive */
	d->io = (uint16_t)info.bars[0].base;
	mach_port_t perm;
	*what = "getting I/O access to BAR0";
	if ((r = pci_io_perm(func, 0, &perm)) || (r = i386_io_perm_modify(mach_task_self(), perm, 1)))
		return r;

	outb((uint16_t)(d->io + VIO_STATUS), 0);                       /* reset */
	outb((uint16_t)(d->io + VIO_STATUS), ST_ACK | ST_DRIVER);
	uint32_t host = inl((uint16_t)(d->io + VIO_HOST_FEATURES));
	outl((uint16_t)(d->io + VIO_GUEST_FEATURES), host & (F_RO | F_FLUSH));
	d->read_only = (host & F_RO) != 0;
	d->can_flush = (host & F_FLUSH) != 0;
	d->sectors = inl((uint16_t)(d->io + VIO_CONFIG)) | (uint64_t)inl((uint16_t)(d->io + VIO_CONFIG + 4)) << 32;

	outw((uint16_t)(d->io + VIO_QUEUE_SEL), 0);
	uint16_t num = inw((uint16_t)(d->io + VIO_QUEUE_NUM));
	*what = "sizing its queue";
	if (num == 0 || num > VQ_MAX || (num & (num - 1)))
		return D_DEVICE_DOWN;

	/* one DMA region: the ring, then per slot a header page share and data */
	vm_size_t ring = (vq_bytes(num) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	vm_size_t hdrs = PAGE_SIZE;                  /* 32 slots x 32 bytes */
	vm_size_t total = ring + hdrs + VBLK_SLOTS * VBLK_SLOT_DATA;
	vm_offset_t va;
	rpc_phys_addr_t pa;
	*what = "allocating DMA memory";
	if ((r = pci_dma_alloc(func, total, 0x100000000ull, &va, &pa)))
		return r;
	memset((void *)(uintptr_t)va, 0, ring + hdrs);
	vq_init(&d->q, num, (void *)(uintptr_t)va);
	for (unsigned i = 0; i < VBLK_SLOTS; i++) {
		struct vblk_slot *s = &d->slots[i];
		s->hdr = (uint8_t *)(uintptr_t)(va + ring + 32 * i);
		s->hdr_phys = pa + ring + 32 * i;
		s->data = (uint8_t *)(uintptr_t)(va + ring + hdrs + VBLK_SLOT_DATA * i);
		s->data_phys = pa + ring + hdrs + VBLK_SLOT_DATA * i;
		s->next_free = d->free_slots;
		d->free_slots = s;
	}
	outl((uint16_t)(d->io + VIO_QUEUE_PFN), (uint32_t)(pa >> 12));
	outb((uint16_t)(d->io + VIO_STATUS), ST_ACK | ST_DRIVER | ST_DRIVER_OK);

	*what = "setting up its interrupt";
	if ((r = mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &d->irq_port)))
		return r;
	d->polling = pci_intr_register(func, d->irq_port) != KERN_SUCCESS;
	if ((r = thread_spawn(completion_thread, d)))
		return r;
	return KERN_SUCCESS;
}

static struct vblk_slot *take_slot(struct vblk *d)
{
	while (!d->free_slots)
		cond_wait(&d->slot_freed, &d->lock);
	struct vblk_slot *s = d->free_slots;
	d->free_slots = s->next_free;
	return s;
}

static void put_slot(struct vblk *d, struct vblk_slot *s)
{
	s->next_free = d->free_slots;
	d->free_slots = s;
	cond_signal(&d->slot_freed);
}

/* Queues one request on slot S (lock held), its data at DATA_PHYS; false
 * when the ring is full. */
static int submit_at(struct vblk *d, struct vblk_slot *s, uint32_t type, uint64_t sector,
                     uint64_t data_phys, uint32_t len)
{
	uint32_t h[4] = { type, 0, (uint32_t)sector, (uint32_t)(sector >> 32) };
	memcpy(s->hdr, h, 16);
	s->hdr[16] = 0xff;
	s->done = 0;
	struct vq_buf b[3] = {
		{ s->hdr_phys, 16, false },
		{ data_phys, len, type == T_IN },
		{ s->hdr_phys + 16, 1, true },
	};
	if (len == 0)
		b[1] = b[2];
	if (!vq_add(&d->q, b, len ? 3 : 2, s))
		return 0;
	if (!vq_notify_suppressed(&d->q))
		outw((uint16_t)(d->io + VIO_QUEUE_NOTIFY), 0);
	return 1;
}

static kern_return_t status_error(uint8_t st)
{
	return st == S_OK ? D_SUCCESS : st == S_UNSUPP ? D_INVALID_OPERATION : D_IO_ERROR;
}

/* Moves COUNT bytes at SECTOR in pieces of a slot's size, as many in flight
 * as slots allow, then waits for them.  The data goes through the slots'
 * own DMA memory and BUF, or, when PHYS is not 0, straight to the
 * physically contiguous memory at PHYS (reads only). */
static kern_return_t transfer(struct vblk *d, int write, uint64_t sector, void *buf, uint64_t phys,
                              size_t count)
{
	struct vblk_slot *mine[VBLK_SLOTS];
	size_t off = 0;
	kern_return_t err = D_SUCCESS;
	if (write && d->read_only)
		return D_READ_ONLY;
	while (off < count && err == D_SUCCESS) {
		unsigned n = 0;
		size_t batch_off = off;
		mutex_lock(&d->lock);
		while (off < count && n < VBLK_SLOTS / 2) {
			uint32_t len = count - off < VBLK_SLOT_DATA ? (uint32_t)(count - off) : VBLK_SLOT_DATA;
			/* wait for a first slot; take more only while some are free, so
			 * that two callers cannot each hold half and wait for the rest */
			struct vblk_slot *s = n ? (d->free_slots ? take_slot(d) : NULL) : take_slot(d);
			if (!s)
				break;
			if (write)
				memcpy(s->data, (char *)buf + off, len);
			while (!submit_at(d, s, write ? T_OUT : T_IN, sector + off / 512,
			                  phys ? phys + off : s->data_phys, len))
				cond_wait(&d->completed, &d->lock);
			mine[n++] = s;
			off += len;
		}
		for (unsigned i = 0; i < n; i++) {
			while (!mine[i]->done)
				cond_wait(&d->completed, &d->lock);
			if (mine[i]->status != S_OK && err == D_SUCCESS)
				err = status_error(mine[i]->status);
		}
		mutex_unlock(&d->lock);
		for (unsigned i = 0; i < n && !write && !phys && err == D_SUCCESS; i++) {
			size_t at = batch_off + (size_t)i * VBLK_SLOT_DATA;
			memcpy((char *)buf + at, mine[i]->data, count - at < VBLK_SLOT_DATA ? count - at : VBLK_SLOT_DATA);
		}
		mutex_lock(&d->lock);
		for (unsigned i = 0; i < n; i++)
			put_slot(d, mine[i]);
		mutex_unlock(&d->lock);
	}
	return err;
}

kern_return_t vblk_io(struct vblk *d, int write, uint64_t sector, void *buf, size_t count)
{
	return transfer(d, write, sector, buf, 0, count);
}

kern_return_t vblk_read_phys(struct vblk *d, uint64_t sector, uint64_t phys, size_t count)
{
	return transfer(d, 0, sector, NULL, phys, count);
}

kern_return_t vblk_flush(struct vblk *d)
{
	if (!d->can_flush)
		return D_SUCCESS;        /* no write cache to flush */
	mutex_lock(&d->lock);
	struct vblk_slot *s = take_slot(d);
	while (!submit_at(d, s, T_FLUSH, 0, 0, 0))
		cond_wait(&d->completed, &d->lock);
	while (!s->done)
		cond_wait(&d->completed, &d->lock);
	kern_return_t err = status_error(s->status);
	put_slot(d, s);
	mutex_unlock(&d->lock);
	return err;
}
