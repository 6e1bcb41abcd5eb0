/* A client of the PCI arbiter, started by it as the next stage: lists what
 * its port shows (--list), checks that its storage-only port gives a
 * storage function's resources and refuses everything else (--probe), and
 * that a function has one owner, the kernel's controllers none, and the
 * owner only the configuration writes a driver needs (--own).  One line
 * per check, "ok" or "WRONG"; then it asks the chain to halt. */
#include "chain/chain.h"
#include "pci/client.h"
#include "mach/rpc_util.h"
#include "rt/rt.h"
#include "rt/ioport.h"
#include "pcitest_options.h"
#include "chainprobe.h"

static int checks, wrong;

static void check(const char *what, kern_return_t got, kern_return_t want)
{
	checks++;
	if (got != want)
		wrong++;
	say("%s: %s %s", what, mach_error_name(got), got == want ? "ok" : "WRONG");
}

static const char *bar_kind(uint32_t flags)
{
	return flags & 1 ? "io" : flags & 4 ? "mem64" : "mem32";
}

static void list(mach_port_t arbiter)
{
	static struct pci_wire_func f[PCI_LIST_MAX];
	unsigned total = 0;
	kern_return_t r = pci_list(arbiter, f, PCI_LIST_MAX, &total);
	if (r) {
		say("pci_list: %s", mach_error_name(r));
		return;
	}
	for (unsigned i = 0; i < total && i < PCI_LIST_MAX; i++) {
		say("fn %02x:%02x.%x %04x:%04x class %06x irq %u pin %u", f[i].bus, f[i].dev, f[i].fn,
		    f[i].vendor, f[i].device, (unsigned)(f[i].class_rev >> 8), f[i].irq_line, f[i].irq_pin);
		for (unsigned b = 0; b < f[i].nbars && b < 6; b++) {
			const struct pci_wire_bar *w = &f[i].bars[b];
			say("bar %02x:%02x.%x %u %s%s 0x%llx 0x%llx", f[i].bus, f[i].dev, f[i].fn,
			    (unsigned)(w->index_flags >> 8), bar_kind(w->index_flags),
			    w->index_flags & 8 ? " pref" : "", (unsigned long long)w->base,
			    (unsigned long long)w->size);
		}
	}
	say("%u functions listed", total);
}

static void probe(mach_port_t arbiter)
{
	mach_port_t fn = 0, net = 0;
	uint32_t v = 0;
	check("open the network function 00:03.0", pci_open(arbiter, 0, 3, 0, &net), D_NO_SUCH_DEVICE);
	check("open the first network function by class", pci_open_match(arbiter, 0x020000, 0xff0000,
	      0xffff, 0xffff, 0, &net), D_NO_SUCH_DEVICE);
	check("open the virtio-blk function", pci_open_match(arbiter, 0x010000, 0xff0000, 0x1af4, 0x1001, 0, &fn),
	      KERN_SUCCESS);
	kern_return_t r = pci_conf_read(fn, 0, 2, &v);
	check(v == 0x1af4 ? "read its vendor id (1af4)" : "read its vendor id (WRONG value)", r, v == 0x1af4 ? 0 : -1);
	check("write its BAR0", pci_conf_write(fn, 0x10, 4, 0xffffffff), KERN_PROTECTION_FAILURE);
	check("write its ROM BAR", pci_conf_write(fn, 0x30, 4, 0), KERN_PROTECTION_FAILURE);
	check("read past the configuration space", pci_conf_read(fn, 256, 4, &v), KERN_INVALID_ADDRESS);
	check("read with width 3", pci_conf_read(fn, 0, 3, &v), KERN_INVALID_ADDRESS);
	check("read misaligned", pci_conf_read(fn, 2, 4, &v), KERN_INVALID_ADDRESS);

	/* a malformed request: the offset sent as a 16-bit integer */
	union { pci_conf_read_request_t in; mig_reply_header_t out; } m;
	rpc_head(&m.in.head, fn, ID_PCI_CONF_READ, 0);
	m.in.offset = w_i16(0);
	m.in.width = w_int(2);
	check("a malformed conf_read", mach_rpc(&m.in.head, sizeof m.in, sizeof m, rpc_reply_ret, 1, NULL),
	      MIG_BAD_ARGUMENTS);
	check("an unknown routine on a function port", ({
		union { req0_t in; mig_reply_header_t out; } u;
		rpc_head(&u.in.head, fn, 39099, 0);
		mach_rpc(&u.in.head, sizeof u.in, sizeof u, rpc_reply_ret, 1, NULL); }), MIG_BAD_ID);

	/* the function's resources */
	struct pci_wire_func info;
	check("get its regions", pci_get_regions(fn, &info), KERN_SUCCESS);
	mach_port_t perm = 0;
	r = pci_io_perm(fn, 0, &perm);
	check("I/O permission for its I/O BAR0", r, KERN_SUCCESS);
	check("enable it in this task", r ? r : i386_io_perm_modify(mach_task_self(), perm, 1), KERN_SUCCESS);
	if (r == KERN_SUCCESS && (info.bars[0].index_flags & 1)) {
		uint32_t features = inl((uint16_t)info.bars[0].base);
		say("virtio host features through BAR0: 0x%08x", (unsigned)features);
	}
	check("I/O permission for a memory BAR", pci_io_perm(fn, 1, &perm), KERN_INVALID_ARGUMENT);
	mach_port_t obj = 0;
	r = pci_map_bar(fn, 1, &obj);
	check("memory object for memory BAR1", r, KERN_SUCCESS);
	vm_offset_t a = 0;
	check("map it", r ? r : vm_map(mach_task_self(), &a, PAGE_SIZE, 0, 1, obj, 0, 0,
	      VM_PROT_READ | VM_PROT_WRITE, VM_PROT_READ | VM_PROT_WRITE, VM_INHERIT_COPY), KERN_SUCCESS);
	vm_offset_t va = 0;
	rpc_phys_addr_t pa = 0;
	r = pci_dma_alloc(fn, 3 * PAGE_SIZE, 0x100000000ull, &va, &pa);
	check("DMA memory", r, KERN_SUCCESS);
	if (r == 0) {
		memset((void *)(uintptr_t)va, 0xa5, 3 * PAGE_SIZE);
		say("DMA memory at 0x%x, physical 0x%llx", (unsigned)va, (unsigned long long)pa);
	}
	mach_port_t irq;
	mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &irq);
	check("register for its interrupt", pci_intr_register(fn, irq), KERN_SUCCESS);

	/* the listing-only port the chain hands down for lspci */
	mach_port_t lister = 0;
	static struct pci_wire_func f[PCI_LIST_MAX];
	unsigned total = 0;
	check("a listing port from the chain", chain_get_pci(arbiter, &lister), KERN_SUCCESS);
	r = pci_list(lister, f, PCI_LIST_MAX, &total);
	check("list through it", r, KERN_SUCCESS);
	say("the listing port shows %u functions", total);
	check("open through it", pci_open(lister, 0, 3, 0, &net), KERN_NO_ACCESS);
	check("open by class through it", pci_open_match(lister, 0x010000, 0xff0000, 0xffff, 0xffff, 0, &net),
	      KERN_NO_ACCESS);
	say("%d checks, %d wrong", checks, wrong);
}

static kern_return_t open_virtio(mach_port_t arbiter, mach_port_t *fn)
{
	return pci_open_match(arbiter, 0x010000, 0xff0000, 0x1af4, 0x1001, 0, fn);
}

/* Ownership: the kernel's controllers (refused unless KERNEL_LEAVES), one
 * owner a function until its port dies, the owner's configuration writes;
 * the one listing port answers no chain request. */
static void own(mach_port_t arbiter, int kernel_leaves)
{
	mach_port_t fn = 0, other = 0;
	kern_return_t kernel_wants = kernel_leaves ? KERN_SUCCESS : KERN_NO_ACCESS;
	check("open the IDE controller 00:01.1", pci_open(arbiter, 0, 1, 1, &other), kernel_wants);
	check("open the AHCI controller by class", pci_open_match(arbiter, 0x010601, 0xffffff, 0xffff, 0xffff, 0,
	      &other), kernel_wants);

	check("open the virtio-blk function", open_virtio(arbiter, &fn), KERN_SUCCESS);
	struct pci_wire_func info;
	memset(&info, 0, sizeof info);
	pci_get_regions(fn, &info);
	check("open it a second time by class", open_virtio(arbiter, &other), D_ALREADY_OPEN);
	check("open it a second time by address", pci_open(arbiter, info.bus, info.dev, info.fn, &other),
	      D_ALREADY_OPEN);

	/* what a driver needs */
	uint32_t cmd = 0, v = 0, line = 0, cap = 0;
	pci_conf_read(fn, 0x04, 2, &cmd);
	check("turn on I/O, memory and bus mastering", pci_conf_write(fn, 0x04, 2, cmd | 0x7), KERN_SUCCESS);
	check("set interrupt disable", pci_conf_write(fn, 0x04, 2, cmd | 0x407), KERN_SUCCESS);
	pci_conf_read(fn, 0x04, 2, &v);
	check(v & 0x400 ? "it reads back set" : "it reads back clear (WRONG)", v & 0x400 ? 0 : -1, 0);
	check("clear interrupt disable", pci_conf_write(fn, 0x04, 2, cmd | 0x7), KERN_SUCCESS);
	pci_conf_read(fn, 0x3c, 1, &line);
	check("write its interrupt line", pci_conf_write(fn, 0x3c, 1, line), KERN_SUCCESS);
	/* what it does not */
	check("flip SERR enable in the command register", pci_conf_write(fn, 0x04, 2, (cmd | 0x7) ^ 0x100),
	      KERN_PROTECTION_FAILURE);
	check("write command and status as one dword", pci_conf_write(fn, 0x04, 4, cmd | 0x7),
	      KERN_PROTECTION_FAILURE);
	check("write the status register", pci_conf_write(fn, 0x06, 2, 0xffff), KERN_PROTECTION_FAILURE);
	check("write the cache line size", pci_conf_write(fn, 0x0c, 1, 0x10), KERN_PROTECTION_FAILURE);
	check("write the interrupt pin", pci_conf_write(fn, 0x3d, 1, 0), KERN_PROTECTION_FAILURE);
	check("write BAR1", pci_conf_write(fn, 0x14, 4, 0), KERN_PROTECTION_FAILURE);
	pci_conf_read(fn, 0x34, 1, &cap);
	if (cap >= 0x40)
		check("write its first capability's control register", pci_conf_write(fn, cap + 2, 2, 0xffff),
		      KERN_PROTECTION_FAILURE);
	pci_conf_read(fn, 0x04, 2, &v);
	check(v == (cmd | 0x7) ? "the command register holds what was allowed" : "the command register changed (WRONG)",
	      v == (cmd | 0x7) ? 0 : -1, 0);

	/* the owner lets go: the function may be opened again */
	mach_port_deallocate(mach_task_self(), fn);
	kern_return_t r;
	int tries = 0;
	while ((r = open_virtio(arbiter, &fn)) == D_ALREADY_OPEN && ++tries < 300)
		sleep_ms(10);
	check("open it again once the first owner's right is gone", r, KERN_SUCCESS);
	v = 0;
	r = r ? r : pci_conf_read(fn, 0, 2, &v);
	check(v == 0x1af4 ? "read its vendor id through the new port" : "read its vendor id (WRONG value)", r,
	      v == 0x1af4 ? 0 : -1);
	pci_conf_read(fn, 0x04, 2, &v);
	check(v & 0x4 ? "bus mastering still on after the first owner let go (WRONG)"
	              : "bus mastering was turned off when the first owner let go", v & 0x4 ? -1 : 0, 0);
	check("the new owner turns it on", pci_conf_write(fn, 0x04, 2, v | 0x4), KERN_SUCCESS);

	/* one listing port for everyone, and it lists only */
	mach_port_t l1 = 0, l2 = 0;
	check("a listing port from the chain", chain_get_pci(arbiter, &l1), KERN_SUCCESS);
	check("another one", chain_get_pci(arbiter, &l2), KERN_SUCCESS);
	check(l1 == l2 ? "they are the same port" : "they are two ports (WRONG)", l1 == l2 ? 0 : -1, 0);
	unsigned same = 0;
	for (int i = 0; i < 20000; i++)
		if (chain_get_pci(arbiter, &l2) == KERN_SUCCESS && l2 == l1) {
			same++;
			mach_port_deallocate(mach_task_self(), l2);
		}
	say("20000 more listing ports: %u of them the same port", same);
	check(same == 20000 ? "the arbiter made no new port for them" : "the arbiter made new ports (WRONG)",
	      same == 20000 ? 0 : -1, 0);
	check("the listing port obeys no chain request", chain_requests_obeyed(l1, "the listing port") ? -1 : 0, 0);
	say("%d checks, %d wrong", checks, wrong);
}

int main(int argc, char **argv)
{
	struct chain c;
	chain_start(&c, argc, argv, pcitest_options, OPTIONS_COUNT(pcitest_options));
	if (c.parent == MACH_PORT_NULL)
		chain_fail(&c, "finding the arbiter (no bootstrap port)", KERN_INVALID_ARGUMENT);
	chain_ready(&c);
	if (c.opts.num[SLOT_LIST])
		list(c.parent);
	if (c.opts.num[SLOT_PROBE])
		probe(c.parent);
	if (c.opts.num[SLOT_OWN])
		own(c.parent, c.opts.num[SLOT_KERNEL_LEAVES]);
	kern_return_t r = chain_halt(c.parent);
	say("halt: %s", mach_error_name(r));
	return 0;
}
