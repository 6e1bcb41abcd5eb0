/* AHCI (SATA) behind the driver interface (driver.h): the HBA's registers
 * through its memory BAR (ABAR, BAR5) from the arbiter, one disk per port
 * with a device, READ/WRITE DMA EXT and FLUSH CACHE EXT in as many command
 * slots as the HBA has, completion by interrupt.  The layouts and command
 * building are lib/ahci's. */
#include "mach/mach.h"
#include "pci/client.h"
#include "rt/rt.h"
#include "rt/thread.h"
#include "ahci/ahci.h"
#include "driver.h"

#define MAX_PRDS    8                       /* 8 x 4 MiB: the largest ATA command */
#define TABLE_SIZE  (0x80 + MAX_PRDS * 16)  /* a command table, 128-byte aligned */
/* a port's DMA memory: command list, received FISes, IDENTIFY data, tables */
#define OFF_FIS     1024
#define OFF_ID      1280
#define OFF_TABLES  2048
#define PORT_DMA    (OFF_TABLES + 32 * TABLE_SIZE)

struct hba;

struct port {
	struct hba *hba;
	unsigned no;
	volatile uint32_t *regs;
	struct ahci_cmd_header *list;
	uint8_t *mem;                    /* the port's DMA memory, PORT_DMA bytes */
	uint64_t mem_phys;
	struct ata_identity id;
	uint32_t sector_size;
	struct disk *disk;
	mutex_t lock;                    /* what follows */
	uint32_t free, issued;           /* command slots */
	struct disk_request *req[32];
	/* requests waiting for a slot, and those re-issued after an error
	 * (one at a time, so that one that fails again is the bad one) */
	struct disk_request *queue[32];
	unsigned q_head, q_len, retrying;
};

struct hba {
	mach_port_t func;
	volatile uint8_t *abar;
	uint32_t cap;
	unsigned slots;
	char where[16];                  /* "AHCI at 00:1f.2" */
	struct port *ports[32];
	mach_port_t irq_port;
	int polling;
};

static uint32_t rd(struct port *p, unsigned reg)
{
	return p->regs[reg / 4];
}

static void wr(struct port *p, unsigned reg, uint32_t v)
{
	__sync_synchronize();            /* memory the HBA reads is written first */
	p->regs[reg / 4] = v;
}

static uint32_t hba_rd(struct hba *h, unsigned reg)
{
	return *(volatile uint32_t *)(h->abar + reg);
}

static void hba_wr(struct hba *h, unsigned reg, uint32_t v)
{
	__sync_synchronize();
	*(volatile uint32_t *)(h->abar + reg) = v;
}

static uint64_t now_ms(void)
{
	struct time_value t;
	if (host_get_time(mach_host_self(), &t))
		return 0;
	return (uint64_t)t.seconds * 1000 + (uint64_t)t.microseconds / 1000;
}

/* Waits up to MS milliseconds for (register REG & MASK) == WANT.  Measured
 * on the clock: a sleep of 1 ms lasts a whole kernel tick (10 ms), so
 * counting sleeps made each empty port's 50 ms wait for a link half a
 * second, 2.5 s for QEMU's five empty ports at every start. */
static int port_wait_until(struct port *p, unsigned reg, uint32_t mask, uint32_t want, uint64_t end)
{
	while ((rd(p, reg) & mask) != want) {
		if (now_ms() >= end)
			return -1;
		sleep_ms(1);
	}
	return 0;
}

static int port_wait(struct port *p, unsigned reg, uint32_t mask, uint32_t want, unsigned ms)
{
	return port_wait_until(p, reg, mask, want, now_ms() + ms);
}

/* Stops the port's command engine: ST off, then CR goes off once the HBA
 * has let go of the command list (AHCI 1.3, 10.1.2). */
static int port_stop(struct port *p)
{
	wr(p, PX_CMD, rd(p, PX_CMD) & ~PXCMD_ST);
	return port_wait(p, PX_CMD, PXCMD_CR, 0, 500);
}

/* Brings a stopped port back: errors cleared, a busy device released
 * (command list override or, without it, a COMRESET), ST on. */
static void port_restart(struct port *p)
{
	wr(p, PX_SERR, 0xffffffff);
	wr(p, PX_IS, 0xffffffff);
	if (rd(p, PX_TFD) & (TFD_BSY | TFD_DRQ)) {
		if (p->hba->cap & CAP_SCLO) {
			wr(p, PX_CMD, rd(p, PX_CMD) | PXCMD_CLO);
			port_wait(p, PX_CMD, PXCMD_CLO, 0, 500);
		}
		if (rd(p, PX_TFD) & (TFD_BSY | TFD_DRQ)) {
			wr(p, PX_SCTL, (rd(p, PX_SCTL) & ~0xfu) | 1);     /* COMRESET */
			sleep_ms(2);
			wr(p, PX_SCTL, rd(p, PX_SCTL) & ~0xfu);
			port_wait(p, PX_SSTS, 0xf, 3, 1000);
			wr(p, PX_SERR, 0xffffffff);
			port_wait(p, PX_TFD, TFD_BSY | TFD_DRQ, 0, 1000);
		}
	}
	wr(p, PX_CMD, rd(p, PX_CMD) | PXCMD_ST);
}

static struct ahci_cmd_table *table(struct port *p, unsigned slot)
{
	return (struct ahci_cmd_table *)(p->mem + OFF_TABLES + slot * TABLE_SIZE);
}

/* Builds R's command in a free slot and gives it to the HBA (lock held). */
static void issue(struct port *p, struct disk_request *r)
{
	unsigned slot = (unsigned)__builtin_ctz(p->free);
	uint8_t cmd = r->op == DISK_READ ? ATA_READ_DMA_EXT : r->op == DISK_WRITE ? ATA_WRITE_DMA_EXT
	            : p->id.flush_ext ? ATA_FLUSH_CACHE_EXT : 0xe7;   /* FLUSH CACHE */
	uint32_t bytes = r->sectors * p->sector_size;
	ahci_build_command(&p->list[slot], table(p, slot), p->mem_phys + OFF_TABLES + slot * TABLE_SIZE, MAX_PRDS,
	                   cmd, r->op == DISK_FLUSH ? 0 : r->lba, r->sectors, r->phys, bytes, r->op == DISK_WRITE);
	p->free &= ~(1u << slot);
	p->issued |= 1u << slot;
	p->req[slot] = r;
	wr(p, PX_CI, 1u << slot);
}

/* Issues what waits, as slots allow; while re-issued requests are out,
 * one at a time (lock held). */
static void kick(struct port *p)
{
	while (p->q_len && p->free && (!p->retrying || !p->issued)) {
		struct disk_request *r = p->queue[p->q_head];
		p->q_head = (p->q_head + 1) % 32;
		p->q_len--;
		issue(p, r);
	}
}

static void enqueue(struct port *p, struct disk_request *r, int front)
{
	if (front) {
		p->q_head = (p->q_head + 31) % 32;
		p->queue[p->q_head] = r;
	} else {
		p->queue[(p->q_head + p->q_len) % 32] = r;
	}
	p->q_len++;
}

static void ahci_submit(struct disk_request *r)
{
	struct port *p = r->disk->driver_disk;
	r->driver_data = NULL;           /* not yet re-issued */
	mutex_lock(&p->lock);
	enqueue(p, r, 0);
	kick(p);
	mutex_unlock(&p->lock);
}

struct finished {
	struct disk_request *r[32];
	kern_return_t status[32];
	unsigned n;
};

static void finish(struct port *p, unsigned slot, kern_return_t status, struct finished *f)
{
	struct disk_request *r = p->req[slot];
	if (r->driver_data)
		p->retrying--;
	f->r[f->n] = r;
	f->status[f->n++] = status;
	p->issued &= ~(1u << slot);
	p->free |= 1u << slot;
}

static const char *op_name(enum disk_op op)
{
	return op == DISK_READ ? "read" : op == DISK_WRITE ? "write" : "flush";
}

/* After an error the HBA has stopped (or, as QEMU's, gone on).  Commands
 * that the HBA finished and that moved all their bytes succeeded; commands
 * it still holds go on after the restart; the others are re-issued, alone,
 * and fail for good if they fail again (lock held). */
static void recover(struct port *p, uint32_t is, struct finished *f)
{
	uint32_t tfd = rd(p, PX_TFD), serr = rd(p, PX_SERR);
	char what[160];
	ahci_describe_error(what, sizeof what, is, tfd, serr);
	if (port_stop(p))
		say("%s port %u: the command engine does not stop; resetting the link", p->hba->where, p->no);
	uint32_t still = rd(p, PX_CI) & p->issued;     /* HBAs that go on after an error keep these */
	unsigned failed = 0, again = 0;
	for (unsigned slot = 32; slot-- > 0;) {       /* pushed to the front: last first */
		if (!(p->issued & (1u << slot)) || (still & (1u << slot)))
			continue;
		struct disk_request *r = p->req[slot];
		uint32_t bytes = r->sectors * p->sector_size;
		if (bytes && p->list[slot].prdbc == bytes) {
			finish(p, slot, D_SUCCESS, f);
		} else if (r->driver_data) {
			say("%s: %s port %u: %s of %u sectors at %llu failed: %s", p->disk->name, p->hba->where, p->no,
			    op_name(r->op), (unsigned)r->sectors, (unsigned long long)r->lba, what);
			finish(p, slot, D_IO_ERROR, f);
			failed++;
		} else {
			p->issued &= ~(1u << slot);
			p->free |= 1u << slot;
			r->driver_data = r;          /* marks it re-issued */
			p->retrying++;
			enqueue(p, r, 1);
			again++;
		}
	}
	if (again)
		say("%s: %s port %u: %s; re-issuing %u command%s one at a time", p->disk->name, p->hba->where, p->no,
		    what, again, again == 1 ? "" : "s");
	else if (!failed)
		say("%s: %s port %u: %s", p->disk->name, p->hba->where, p->no, what);
	port_restart(p);
}

/* Takes what the port finished (lock not held); errors lead to recover().
 * Returns how many requests finished. */
static unsigned port_service(struct port *p)
{
	struct finished f = { .n = 0 };
	mutex_lock(&p->lock);
	uint32_t is = rd(p, PX_IS);
	wr(p, PX_IS, is);
	if (is & PXIS_ERRORS) {
		recover(p, is, &f);
	} else {
		uint32_t done = p->issued & ~rd(p, PX_CI);
		for (unsigned slot = 0; done; slot++, done >>= 1)
			if (done & 1)
				finish(p, slot, D_SUCCESS, &f);
	}
	kick(p);
	mutex_unlock(&p->lock);
	for (unsigned i = 0; i < f.n; i++)
		disk_done(f.r[i], f.status[i]);
	return f.n;
}

/* Interrupts arrive as messages; between them (or without them) a bounded
 * wait makes this a poll, so that a lost interrupt costs 50 ms, not a hang. */
static void interrupt_thread(void *arg)
{
	struct hba *h = arg;
	union { mach_msg_header_t m; char buf[128]; } msg;
	for (;;) {
		kern_return_t r = mach_msg(&msg.m, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof msg, h->irq_port,
		                           h->polling ? 1 : 50, 0);
		uint32_t is = hba_rd(h, HBA_IS);
		unsigned finished = 0;
		for (unsigned i = 0; i < 32; i++)
			if (h->ports[i] && h->ports[i]->disk && ((is >> i & 1) || r != MACH_MSG_SUCCESS))
				finished += port_service(h->ports[i]);
		hba_wr(h, HBA_IS, is);
		/* let the threads just woken reply before the acknowledgement's
		 * round trip through the arbiter */
		if (finished)
			swtch();
		if (r == MACH_MSG_SUCCESS && !h->polling)
			pci_intr_ack(h->func, h->irq_port);
	}
}

/* Runs one command in slot 0 and polls for its end (start-up, before
 * interrupts).  Returns 0, or -1 with the error in WHAT. */
static int run_polled(struct port *p, uint8_t cmd, uint64_t phys, uint32_t bytes, char *what, size_t len)
{
	ahci_build_command(&p->list[0], table(p, 0), p->mem_phys + OFF_TABLES, MAX_PRDS, cmd, 0, 0, phys, bytes, 0);
	wr(p, PX_IS, 0xffffffff);
	wr(p, PX_CI, 1);
	for (unsigned ms = 0; ms < 5000; ms++) {
		uint32_t is = rd(p, PX_IS);
		if (is & PXIS_ERRORS) {
			ahci_describe_error(what, len, is, rd(p, PX_TFD), rd(p, PX_SERR));
			port_stop(p);
			port_restart(p);
			return -1;
		}
		if (!(rd(p, PX_CI) & 1))
			return 0;
		sleep_ms(1);
	}
	snprintf(what, len, "no answer in 5 s");
	port_stop(p);
	port_restart(p);
	return -1;
}

/* Starts port N: engines stopped, memory, FIS reception, spin-up.  Returns
 * 0, or -1 when the port is given up (with a line). */
static int port_start(struct hba *h, unsigned n)
{
	struct port *p = calloc(1, sizeof *p);
	if (!p)
		return -1;
	p->hba = h;
	p->no = n;
	p->regs = (volatile uint32_t *)(h->abar + HBA_PORTS + n * HBA_PORT_SIZE);
	wr(p, PX_CMD, rd(p, PX_CMD) & ~(PXCMD_ST | PXCMD_FRE));
	if (port_wait(p, PX_CMD, PXCMD_CR | PXCMD_FR, 0, 500)) {
		say("%s port %u: not driven: its engines do not stop", h->where, n);
		free(p);
		return -1;
	}
	vm_offset_t va;
	rpc_phys_addr_t pa;
	kern_return_t r = pci_dma_alloc(h->func, PORT_DMA, 0x100000000ull, &va, &pa);
	if (r) {
		say("%s port %u: not driven: no DMA memory: %s", h->where, n, mach_error_name(r));
		free(p);
		return -1;
	}
	p->mem = (uint8_t *)(uintptr_t)va;
	p->mem_phys = pa;
	p->list = (struct ahci_cmd_header *)p->mem;
	memset(p->mem, 0, PORT_DMA);
	wr(p, PX_CLB, (uint32_t)pa);
	wr(p, PX_CLBU, (uint32_t)(pa >> 32));
	wr(p, PX_FB, (uint32_t)(pa + OFF_FIS));
	wr(p, PX_FBU, (uint32_t)((pa + OFF_FIS) >> 32));
	wr(p, PX_CMD, rd(p, PX_CMD) | PXCMD_SUD | PXCMD_POD | PXCMD_FRE);
	h->ports[n] = p;
	return 0;
}

/* Looks at started port N: its link (up by LINK_DEADLINE, or no device),
 * the device's signature; a disk on it gets IDENTIFY DEVICE and is
 * reported.  Returns 0 when there is no device, 1 when a disk was added,
 * -1 when the port is given up (with a line). */
static int port_setup(struct hba *h, unsigned n, uint64_t link_deadline)
{
	struct port *p = h->ports[n];
	port_wait_until(p, PX_SSTS, 0xf, 3, link_deadline);
	wr(p, PX_SERR, 0xffffffff);
	wr(p, PX_IS, 0xffffffff);
	uint32_t ssts = rd(p, PX_SSTS);
	if (SSTS_DET(ssts) != 3)
		return 0;                                  /* no device: said once for all ports */
	if (port_wait(p, PX_TFD, TFD_BSY | TFD_DRQ, 0, 1000)) {
		say("%s port %u: not driven: the device stays busy (status 0x%02x)", h->where, n,
		    (unsigned)(rd(p, PX_TFD) & 0xff));
		return -1;
	}
	uint32_t sig = rd(p, PX_SIG);
	if (sig != SIG_ATA) {
		say("%s port %u: not driven: an %s (signature 0x%08x), not a disk", h->where, n,
		    ahci_signature_name(sig), (unsigned)sig);
		return -1;
	}
	wr(p, PX_CMD, rd(p, PX_CMD) | PXCMD_ST);
	char what[160];
	if (run_polled(p, ATA_IDENTIFY, p->mem_phys + OFF_ID, 512, what, sizeof what)) {
		say("%s port %u: not driven: IDENTIFY DEVICE failed: %s", h->where, n, what);
		return -1;
	}
	if (ata_parse_identify((const uint16_t *)(p->mem + OFF_ID), &p->id, what, sizeof what)) {
		say("%s port %u: not driven: %s", h->where, n, what);
		return -1;
	}
	if (!p->id.lba48) {
		say("%s port %u: not driven: %s has no 48-bit LBA", h->where, n, p->id.model);
		return -1;
	}
	p->sector_size = p->id.sector_size;
	p->free = h->slots == 32 ? 0xffffffffu : (1u << h->slots) - 1;
	struct disk_info d = {
		.sectors = p->id.sectors, .sector_size = p->sector_size,
		.can_flush = p->id.flush_ext || p->id.write_cache,
		.depth = h->slots, .max_sectors = MAX_PRDS * AHCI_PRD_MAX_BYTES / p->sector_size,
		.dma_limit = h->cap & CAP_S64A ? ~0ull : 0x100000000ull, .polling = h->polling,
	};
	if (d.max_sectors > ATA_MAX_SECTORS)
		d.max_sectors = ATA_MAX_SECTORS;
	snprintf(d.where, sizeof d.where, "%s port %u, %s", h->where, n, p->id.model);
	wr(p, PX_IE, PXIS_DHRS | PXIS_PSS | PXIS_DSS | PXIS_SDBS | PXIS_DPS | PXIS_ERRORS);
	p->disk = disk_add(&ahci_driver, h->func, p, &d);
	return p->disk ? 1 : -1;
}

/* Takes the HBA from the firmware if it asks to be asked (BIOS/OS handoff). */
static void take_from_firmware(struct hba *h)
{
	if (!(hba_rd(h, HBA_CAP2) & CAP2_BOH))
		return;
	hba_wr(h, HBA_BOHC, hba_rd(h, HBA_BOHC) | BOHC_OOS);
	for (unsigned i = 0; i < 25 && (hba_rd(h, HBA_BOHC) & BOHC_BOS); i++)
		sleep_ms(1);
	if (hba_rd(h, HBA_BOHC) & BOHC_BB)
		sleep_ms(2000);                /* the firmware finishes what it was doing */
}

static kern_return_t ahci_probe(mach_port_t func, const struct pci_wire_func *info, const char **what)
{
	const struct pci_wire_bar *abar = NULL;
	for (unsigned i = 0; i < 6; i++)
		if ((info->bars[i].index_flags >> 8) == 5 && (info->bars[i].index_flags & 2))
			abar = &info->bars[i];
	*what = "finding its memory BAR5 (ABAR)";
	if (!abar || abar->size < HBA_PORTS)
		return D_NO_SUCH_DEVICE;
	struct hba *h = calloc(1, sizeof *h);
	*what = "allocating its state";
	if (!h)
		return D_NO_MEMORY;
	h->func = func;
	snprintf(h->where, sizeof h->where, "AHCI at %02x:%02x.%x", info->bus, info->dev, info->fn);
	mach_port_t obj;
	vm_offset_t va = 0;
	kern_return_t r;
	*what = "mapping ABAR";
	if ((r = pci_map_bar(func, 5, &obj))
	    || (r = vm_map(mach_task_self(), &va, (vm_size_t)abar->size, 0, 1, obj, 0, 0,
	                   VM_PROT_READ | VM_PROT_WRITE, VM_PROT_READ | VM_PROT_WRITE, VM_INHERIT_COPY)))
		return r;
	h->abar = (volatile uint8_t *)(uintptr_t)va;
	/* memory space and bus mastering on: the HBA reads and writes our memory */
	uint32_t command;
	*what = "enabling memory and bus mastering";
	if ((r = pci_conf_read(func, 4, 2, &command)) || (r = pci_conf_write(func, 4, 2, command | 6)))
		return r;

	take_from_firmware(h);
	hba_wr(h, HBA_GHC, GHC_AE);
	hba_wr(h, HBA_GHC, GHC_AE | GHC_HR);            /* reset: every port idle, registers cleared */
	for (unsigned i = 0; i < 1000 && (hba_rd(h, HBA_GHC) & GHC_HR); i++)
		sleep_ms(1);
	*what = "resetting it";
	if (hba_rd(h, HBA_GHC) & GHC_HR)
		return D_DEVICE_DOWN;
	hba_wr(h, HBA_GHC, GHC_AE);
	h->cap = hba_rd(h, HBA_CAP);
	h->slots = CAP_NCS(h->cap);
	*what = "setting up its interrupt";
	if ((r = mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &h->irq_port)))
		return r;
	h->polling = disk_poll_only || pci_intr_register(func, h->irq_port) != KERN_SUCCESS;
	if (h->polling && (r = pci_intx_disable(func)))
		return r;

	uint32_t pi = hba_rd(h, HBA_PI), vs = hba_rd(h, HBA_VS);
	char empty[100] = "";
	unsigned k = 0, disks = 0;
	/* every port spun up first, then one wait for their links: the link
	 * comes up soon after spin-up, and an empty port waits out the 50 ms
	 * once for all of them */
	uint32_t started = 0;
	for (unsigned n = 0; n < 32; n++)
		if (pi >> n & 1 && port_start(h, n) == 0)
			started |= 1u << n;
	uint64_t link_deadline = now_ms() + 50;
	for (unsigned n = 0; n < 32; n++) {
		if (!(started >> n & 1))
			continue;
		int got = port_setup(h, n, link_deadline);
		disks += got == 1;
		if (got == 0 && k < sizeof empty)
			k += (unsigned)snprintf(empty + k, sizeof empty - k, "%s%u", k ? ", " : "", n);
	}
	say("%s: AHCI %u.%u, %u ports, %u command slots%s, %s%s%s%s", h->where,
	    (unsigned)(vs >> 16), (unsigned)(vs >> 8 & 0xff), (unsigned)__builtin_popcount(pi), h->slots,
	    h->cap & CAP_S64A ? ", 64-bit" : "", h->polling ? "polled" : "interrupts",
	    k ? "; no device on port" : "", strchr(empty, ',') ? "s " : k ? " " : "", empty);
	*what = "finding a disk on it";
	if (disks == 0)
		return KERN_SUCCESS;             /* nothing to serve: no thread */
	hba_wr(h, HBA_IS, 0xffffffff);
	hba_wr(h, HBA_GHC, GHC_AE | GHC_IE);
	if ((r = thread_spawn(interrupt_thread, h)))
		say("%s: no interrupt thread: %s", h->where, mach_error_name(r));
	return KERN_SUCCESS;
}

const struct disk_driver ahci_driver = {
	.name = "AHCI",
	.prefix = "wd",
	.match = { 0x010601, 0xffffff, 0xffffffff, 0xffffffff },
	.probe = ahci_probe,
	.submit = ahci_submit,
};
