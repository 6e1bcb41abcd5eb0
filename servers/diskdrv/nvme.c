/* The NVMe driver (class 01:08:02, any vendor) behind the driver interface
 * (driver.h), on the portable core in lib/nvme.  Per controller: registers
 * in memory BAR0, the admin queue pair and one I/O queue pair in DMA memory
 * from the arbiter, every active namespace a disk, many commands in flight,
 * completions from INTx interrupts delivered as messages (or polling). */
#include "mach/mach.h"
#include "pci/client.h"
#include "rt/rt.h"
#include "rt/thread.h"
#include "nvme/nvme.h"
#include "driver.h"

#define MAX_CONTROLLERS 4
#define MAX_NAMESPACES  8           /* per controller */
#define ADMIN_ENTRIES   16
#define IO_ENTRIES      64          /* at most; CAP.MQES may allow fewer */
#define MAX_BYTES       (2u << 20)  /* one PRP list page covers this from any offset */
#define ADMIN_WAIT_MS   5000

struct slot {                       /* one I/O command's resources */
	struct disk_request *r;
	uint64_t *prp_list;             /* one page */
	uint64_t prp_phys;
	struct slot *next_free;
};

struct ctrl;
struct ns {
	struct ctrl *c;
	uint32_t nsid;
	struct disk *disk;              /* the device server's, once added */
};

struct ctrl {
	mach_port_t func;
	char where[16];                 /* "00:04.0" */
	struct nvme_ctrl hw;
	struct nvme_ctrl_info id;
	mutex_t lock;                   /* the queues, the slots, the waiting list */
	struct nvme_qpair admin, io;
	int admin_done;
	struct nvme_cqe admin_cqe;
	uint8_t *idbuf;                 /* one page for IDENTIFY data */
	uint64_t idbuf_phys;
	struct slot slots[IO_ENTRIES];
	struct slot *free_slots;
	struct disk_request *waiting, *waiting_last;   /* linked through driver_data */
	unsigned io_entries, nslots;    /* the I/O queues' size, the commands in flight at most */
	struct ns ns[MAX_NAMESPACES];
	unsigned nns;
	mach_port_t irq_port;
	int polling;
};

static struct ctrl ctrls[MAX_CONTROLLERS];
static unsigned nctrls;

static void pause_ms(void *ctx, unsigned ms)
{
	(void)ctx;
	sleep_ms(ms);
}

static kern_return_t status_error(uint16_t st)
{
	switch (NVME_SCT(st) << 8 | NVME_SC(st)) {
	case 0x000: return D_SUCCESS;
	case 0x001: case 0x002: return D_INVALID_OPERATION;
	case 0x020: case 0x182: return D_READ_ONLY;
	case 0x080: return D_INVALID_RECNUM;
	default: return D_IO_ERROR;
	}
}

/* Queues R on a free slot (lock held); false when none is free. */
static int start(struct ctrl *c, struct disk_request *r)
{
	struct slot *s = c->free_slots;
	if (!s || !nvme_qp_can_submit(&c->io))
		return 0;
	const struct ns *ns = r->disk->driver_disk;
	struct nvme_sqe cmd;
	if (r->op == DISK_FLUSH)
		nvme_cmd_flush(&cmd, ns->nsid);
	else {
		nvme_cmd_rw(&cmd, r->op == DISK_WRITE ? NVME_CMD_WRITE : NVME_CMD_READ, ns->nsid, r->lba, r->sectors);
		nvme_prp_build(&cmd, r->phys, (size_t)r->sectors * r->disk->info.sector_size, c->hw.page,
		               s->prp_list, s->prp_phys, 1);      /* checked by nvme_submit */
	}
	c->free_slots = s->next_free;
	s->r = r;
	nvme_qp_submit(&c->io, &cmd, s);
	return 1;
}

/* Takes every completion the controller posted (lock held): admin ones for
 * the waiting admin command, I/O ones into DONE (at most N); frees their
 * slots and starts waiting requests on them.  Returns how many are in DONE. */
static unsigned reap(struct ctrl *c, struct disk_request **done, uint16_t *status, unsigned n)
{
	struct nvme_cqe e;
	if (nvme_qp_next(&c->admin, &e)) {
		c->admin_cqe = e;
		c->admin_done = 1;
		nvme_qp_done(&c->admin);
	}
	unsigned k = 0;
	struct slot *s;
	while (k < n && (s = nvme_qp_next(&c->io, &e))) {
		done[k] = s->r;
		status[k++] = NVME_STATUS(e.status);
		s->r = NULL;
		s->next_free = c->free_slots;
		c->free_slots = s;
	}
	if (k)
		nvme_qp_done(&c->io);
	while (c->waiting && start(c, c->waiting)) {
		struct disk_request *r = c->waiting;
		c->waiting = r->driver_data;
	}
	return k;
}

static const char *op_name(enum disk_op op)
{
	return op == DISK_READ ? "read" : op == DISK_WRITE ? "write" : "flush";
}

/* Finishes what reap collected (lock not held: disk_done wakes the server). */
static void finish(struct disk_request **done, const uint16_t *status, unsigned k)
{
	for (unsigned i = 0; i < k; i++) {
		struct disk_request *r = done[i];
		if (status[i]) {
			char why[96];
			say("%s: %s of %u sectors at %llu: %s", r->disk->name, op_name(r->op), (unsigned)r->sectors,
			    (unsigned long long)r->lba, nvme_status_str(status[i], why, sizeof why));
		}
		disk_done(r, status_error(status[i]));
	}
}

/* Reaps and finishes everything posted; returns how many I/O commands. */
static unsigned poll_once(struct ctrl *c)
{
	struct disk_request *done[IO_ENTRIES];
	uint16_t status[IO_ENTRIES];
	unsigned k, all = 0;
	do {
		mutex_lock(&c->lock);
		k = reap(c, done, status, IO_ENTRIES);
		mutex_unlock(&c->lock);
		finish(done, status, k);
		all += k;
	} while (k == IO_ENTRIES);
	return all;
}

/* Interrupts arrive as messages on irq_port and are acknowledged once the
 * completion queues' heads are written back (which lowers INTx).  Without
 * an interrupt, or between interrupts, a bounded wait makes this a poll. */
static void completion_thread(void *arg)
{
	struct ctrl *c = arg;
	union { mach_msg_header_t h; char buf[128]; } m;
	for (;;) {
		kern_return_t r = mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, c->irq_port,
		                           c->polling ? 1 : 100, 0);
		/* let the threads just woken reply before the acknowledgement's
		 * round trip through the arbiter */
		if (poll_once(c))
			swtch();
		if (r == MACH_MSG_SUCCESS && !c->polling)
			pci_intr_ack(c->func, c->irq_port);
	}
}

/* Runs one admin command (its data, if any, in idbuf) and polls for it
 * for ADMIN_WAIT_MS sleeps of 1 ms (longer ones only stretch the bound).
 * Returns its status field, NVME_STATUS_TIMEOUT when it did not complete. */
static uint16_t admin(struct ctrl *c, struct nvme_sqe *cmd)
{
	mutex_lock(&c->lock);
	c->admin_done = 0;
	static int token;
	nvme_qp_submit(&c->admin, cmd, &token);
	mutex_unlock(&c->lock);
	for (unsigned waited = 0; waited < ADMIN_WAIT_MS; waited++) {
		poll_once(c);
		if (__atomic_load_n(&c->admin_done, __ATOMIC_ACQUIRE))
			break;
		sleep_ms(1);
	}
	return c->admin_done ? NVME_STATUS(c->admin_cqe.status) : NVME_STATUS_TIMEOUT;
}

static uint16_t identify(struct ctrl *c, unsigned cns, uint32_t nsid)
{
	struct nvme_sqe cmd;
	nvme_cmd_identify(&cmd, cns, nsid);
	cmd.prp1 = c->idbuf_phys;
	return admin(c, &cmd);
}

/* Maps BAR0 at *REGS and switches on memory decoding and bus mastering
 * (INTx not disabled). */
static kern_return_t map_registers(struct ctrl *c, const struct pci_wire_func *info, vm_offset_t *regs,
                                   vm_size_t *size, const char **what)
{
	const struct pci_wire_bar *bar = NULL;
	for (unsigned i = 0; i < 6; i++)
		if (info->bars[i].size && (info->bars[i].index_flags >> 8) == 0 && (info->bars[i].index_flags & 2))
			bar = &info->bars[i];
	*what = "finding its memory BAR0";
	if (!bar)
		return D_NO_SUCH_DEVICE;
	mach_port_t obj;
	kern_return_t r;
	*size = ((vm_size_t)bar->size + PAGE_SIZE - 1) & ~(vm_size_t)(PAGE_SIZE - 1);
	*what = "mapping BAR0";
	if ((r = pci_map_bar(c->func, 0, &obj))
	    || (r = vm_map(mach_task_self(), regs, *size, 0, 1, obj, 0, 0, VM_PROT_READ | VM_PROT_WRITE,
	                   VM_PROT_READ | VM_PROT_WRITE, VM_INHERIT_COPY)))
		return r;
	uint32_t cmd;
	*what = "enabling bus mastering";
	if ((r = pci_conf_read(c->func, 4, 2, &cmd)) || (r = pci_conf_write(c->func, 4, 2, (cmd | 6) & ~0x400u)))
		return r;
	return KERN_SUCCESS;
}

/* Resets and enables the controller with its admin queues in DMA memory
 * (*DMA, *DMA_SIZE bytes, at physical PA), interrupts masked: the page
 * layout is admin SQ, admin CQ, I/O SQ (64 x 64 bytes), I/O CQ, IDENTIFY,
 * then one PRP list page per I/O slot. */
static kern_return_t enable(struct ctrl *c, vm_offset_t regs, vm_offset_t *dma, vm_size_t *dma_size,
                            rpc_phys_addr_t *pa, const char **what)
{
	const char *why;
	kern_return_t r;
	c->hw.sleep_ms = pause_ms;
	*what = "resetting it";
	if (nvme_ctrl_reset(&c->hw, (volatile void *)regs, &why)) {
		*what = why;
		return D_DEVICE_DOWN;
	}
	c->io_entries = c->hw.max_entries < IO_ENTRIES ? c->hw.max_entries : IO_ENTRIES;
	unsigned admin_entries = c->hw.max_entries < ADMIN_ENTRIES ? c->hw.max_entries : ADMIN_ENTRIES;
	c->nslots = c->io_entries - 1;
	*dma_size = (5 + c->nslots) * PAGE_SIZE;
	*what = "allocating DMA memory";
	if ((r = pci_dma_alloc(c->func, *dma_size, 0x100000000ull, dma, pa)))
		return r;
	char *p = (char *)(uintptr_t)*dma;
	memset(p, 0, 5 * PAGE_SIZE);
	*what = "enabling it";
	if (nvme_ctrl_enable(&c->hw, *pa, *pa + PAGE_SIZE, admin_entries, &why)) {
		*what = why;
		return D_DEVICE_DOWN;
	}
	c->hw.regs->intms = 1;           /* no interrupt before its thread runs: admin commands poll */
	nvme_qp_init(&c->admin, 0, p, admin_entries, p + PAGE_SIZE, admin_entries, (volatile void *)regs,
	             c->hw.dstrd);
	c->idbuf = (uint8_t *)p + 4 * PAGE_SIZE;
	c->idbuf_phys = *pa + 4 * PAGE_SIZE;
	for (unsigned i = 0; i < c->nslots; i++) {
		struct slot *s = &c->slots[i];
		s->prp_list = (uint64_t *)(void *)(p + (5 + i) * PAGE_SIZE);
		s->prp_phys = *pa + (5 + i) * PAGE_SIZE;
		s->next_free = c->free_slots;
		c->free_slots = s;
	}
	return KERN_SUCCESS;
}

/* IDENTIFY controller, then one I/O queue pair (its memory at pages 2 and
 * 3 of the DMA memory at P, physical PA). */
static kern_return_t make_io_queues(struct ctrl *c, char *p, rpc_phys_addr_t pa, const char **what)
{
	*what = "identifying it";
	if (identify(c, NVME_CNS_CTRL, 0))
		return D_IO_ERROR;
	nvme_parse_ctrl(c->idbuf, 4096u << NVME_CAP_MPSMIN(c->hw.cap), &c->id);
	*what = "its queue entry sizes (not 64/16 bytes)";
	if (!c->id.sqes_ok)
		return D_DEVICE_DOWN;
	struct nvme_sqe q;
	*what = "asking for one I/O queue pair";
	nvme_cmd_set_queues(&q, 1, 1);
	if (admin(c, &q))
		return D_IO_ERROR;
	*what = "creating its I/O completion queue";
	nvme_cmd_create_cq(&q, 1, c->io_entries, 0, true);
	q.prp1 = pa + 3 * PAGE_SIZE;
	if (admin(c, &q))
		return D_IO_ERROR;
	*what = "creating its I/O submission queue";
	nvme_cmd_create_sq(&q, 1, c->io_entries, 1);
	q.prp1 = pa + 2 * PAGE_SIZE;
	if (admin(c, &q))
		return D_IO_ERROR;
	mutex_lock(&c->lock);
	nvme_qp_init(&c->io, 1, p + 2 * PAGE_SIZE, c->io_entries, p + 3 * PAGE_SIZE, c->io_entries,
	             c->hw.regs, c->hw.dstrd);
	mutex_unlock(&c->lock);
	return KERN_SUCCESS;
}

/* Interrupts as messages (or polling), the completion thread, then the
 * controller's interrupt unmasked. */
static kern_return_t start_completions(struct ctrl *c, const char **what)
{
	kern_return_t r;
	*what = "setting up its interrupt";
	if ((r = mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &c->irq_port)))
		return r;
	c->polling = disk_poll_only || pci_intr_register(c->func, c->irq_port) != KERN_SUCCESS;
	if (c->polling && (r = pci_intx_disable(c->func)))
		return r;
	if ((r = thread_spawn(completion_thread, c)))
		return r;
	if (!c->polling)
		c->hw.regs->intmc = 1;
	return KERN_SUCCESS;
}

/* Brings controller C up; on failure it is disabled again (no more DMA
 * into memory given back) and nothing of it is kept. */
static kern_return_t set_up(struct ctrl *c, const struct pci_wire_func *info, const char **what)
{
	vm_offset_t regs = 0, dma = 0;
	vm_size_t regs_size = 0, dma_size = 0;
	rpc_phys_addr_t pa = 0;
	kern_return_t r = map_registers(c, info, &regs, &regs_size, what);
	if (r == KERN_SUCCESS && (r = enable(c, regs, &dma, &dma_size, &pa, what)) == KERN_SUCCESS
	    && (r = make_io_queues(c, (char *)(uintptr_t)dma, pa, what)) == KERN_SUCCESS
	    && (r = start_completions(c, what)) == KERN_SUCCESS)
		return KERN_SUCCESS;
	const char *why;
	if (c->hw.regs)
		nvme_ctrl_reset(&c->hw, c->hw.regs, &why);
	if (dma)
		vm_deallocate(mach_task_self(), dma, dma_size);
	if (regs)
		vm_deallocate(mach_task_self(), regs, regs_size);
	return r;
}

/* Identifies namespace NSID and reports it as a disk. */
static void add_namespace(struct ctrl *c, uint32_t nsid)
{
	struct nvme_ns_info ni;
	const char *why;
	uint16_t st = identify(c, NVME_CNS_NS, nsid);
	if (st) {
		char s[96];
		say("nvme %s: namespace %u: IDENTIFY failed: %s", c->where, (unsigned)nsid, nvme_status_str(st, s, sizeof s));
		return;
	}
	if (nvme_parse_ns(c->idbuf, &ni, &why)) {
		say("nvme %s: namespace %u skipped: %s", c->where, (unsigned)nsid, why);
		return;
	}
	if (c->nns == MAX_NAMESPACES) {
		say("nvme %s: namespace %u skipped: %u namespaces per controller at most", c->where, (unsigned)nsid,
		    MAX_NAMESPACES);
		return;
	}
	struct ns *ns = &c->ns[c->nns];
	ns->c = c;
	ns->nsid = nsid;
	uint32_t max = c->id.max_transfer && c->id.max_transfer < MAX_BYTES ? c->id.max_transfer : MAX_BYTES;
	struct disk_info info = {
		.sectors = ni.blocks, .sector_size = ni.block_size, .read_only = 0, .can_flush = c->id.vwc,
		.depth = c->nslots, .max_sectors = max / ni.block_size, .dma_limit = 0x100000000ull,
		.polling = c->polling,
	};
	if (info.max_sectors > 65536)
		info.max_sectors = 65536;
	snprintf(info.where, sizeof info.where, "NVMe at %s, namespace %u (%s)", c->where, (unsigned)nsid, c->id.model);
	ns->disk = disk_add(&nvme_driver, c->func, ns, &info);
	if (ns->disk)
		c->nns++;
}

static kern_return_t nvme_probe(mach_port_t fn, const struct pci_wire_func *info, const char **what)
{
	*what = "taking another controller";
	if (nctrls == MAX_CONTROLLERS)
		return KERN_RESOURCE_SHORTAGE;
	struct ctrl *c = &ctrls[nctrls];
	memset(c, 0, sizeof *c);
	c->func = fn;
	snprintf(c->where, sizeof c->where, "%02x:%02x.%x", info->bus, info->dev, info->fn);
	kern_return_t r = set_up(c, info, what);
	if (r)
		return r;
	nctrls++;
	uint32_t ids[MAX_NAMESPACES * 4];
	unsigned n = 0;
	if (identify(c, NVME_CNS_ACTIVE_NS, 0) == 0)
		n = nvme_parse_ns_list(c->idbuf, c->id.namespaces, ids, sizeof ids / sizeof ids[0]);
	else   /* NVMe 1.0 has no active list: try every id up to NN */
		for (uint32_t id = 1; id <= c->id.namespaces && n < sizeof ids / sizeof ids[0]; id++)
			ids[n++] = id;
	say("nvme %s: %s, serial %s, firmware %s, NVMe %u.%u, %u namespace%s, %s%s", c->where, c->id.model,
	    c->id.serial, c->id.firmware, (unsigned)(c->id.version >> 16), (unsigned)(c->id.version >> 8 & 0xff),
	    n, n == 1 ? "" : "s", c->id.vwc ? "write cache, " : "", c->polling ? "polled" : "interrupts");
	for (unsigned i = 0; i < n; i++)
		add_namespace(c, ids[i]);
	return KERN_SUCCESS;
}

static void nvme_submit(struct disk_request *r)
{
	struct ctrl *c = ((struct ns *)r->disk->driver_disk)->c;
	size_t bytes = (size_t)r->sectors * r->disk->info.sector_size;
	if (r->op != DISK_FLUSH && ((r->phys & 3) || r->sectors == 0 || r->sectors > r->disk->info.max_sectors
	                            || nvme_prp_list_pages(r->phys, bytes, c->hw.page) > 1)) {
		/* the device server keeps to max_sectors and aligned memory: a
		 * request that does not is a bug of the server's, not the disk's */
		say("%s: %u sectors at physical %#llx do not fit one command: refused", r->disk->name,
		    (unsigned)r->sectors, (unsigned long long)r->phys);
		disk_done(r, D_INVALID_SIZE);
		return;
	}
	mutex_lock(&c->lock);
	if (c->waiting || !start(c, r)) {          /* every slot busy: it waits its turn */
		r->driver_data = NULL;
		if (c->waiting)
			c->waiting_last->driver_data = r;
		else
			c->waiting = r;
		c->waiting_last = r;
	}
	mutex_unlock(&c->lock);
}

/* After the device server's final flushes: the I/O queues deleted and a
 * normal shutdown (CC.SHN), so the controller knows nothing more comes. */
static void nvme_halt(void)
{
	for (unsigned i = 0; i < nctrls; i++) {
		struct ctrl *c = &ctrls[i];
		struct nvme_sqe q;
		nvme_cmd_delete_queue(&q, NVME_ADMIN_DELETE_SQ, 1);
		uint16_t st = admin(c, &q);
		nvme_cmd_delete_queue(&q, NVME_ADMIN_DELETE_CQ, 1);
		if (!st)
			st = admin(c, &q);
		const char *why = NULL;
		int failed = nvme_ctrl_shutdown(&c->hw, &why);
		char s[96];
		say("nvme %s: %s%s%s%s", c->where, failed ? "shutting down: " : "",
		    failed ? why : "shut down (CC.SHN, CSTS.SHST complete)", st ? "; deleting its I/O queues: " : "",
		    st ? nvme_status_str(st, s, sizeof s) : "");
	}
}

const struct disk_driver nvme_driver = {
	.name = "NVMe",
	.prefix = "nd",
	.match = { 0x010802, 0xffffff, 0xffffffff, 0xffffffff },
	.probe = nvme_probe,
	.submit = nvme_submit,
	.halt = nvme_halt,
};
