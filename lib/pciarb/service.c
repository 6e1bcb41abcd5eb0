/* The PCI protocol (include/pci/proto.h): arbiter ports list and open the
 * functions their policy shows; function ports give one function's
 * configuration space and resources, and nothing else, to one owner at a
 * time.  Functions the kernel drives are never opened. */
#include "mach/mach.h"
#include "mach/rpc_util.h"
#include "rt/rt.h"
#include "pciarb/arbiter.h"
#include "pciarb/confspace.h"

struct arbiter arb;

kern_return_t pciarb_start(mach_port_t device_master, mach_port_t host_priv, const char **what)
{
	arb.chain.device_master = device_master;
	arb.chain.host_priv = host_priv;
	*what = "taking the PCI configuration ports 0xcf8-0xcff";
	kern_return_t r = confspace_open(device_master);
	if (r)
		return r;
	unsigned found = pci_enumerate(&confspace, arb.funcs, ARB_MAX_FUNCS);
	arb.nfuncs = found < ARB_MAX_FUNCS ? found : ARB_MAX_FUNCS;
	if (found > ARB_MAX_FUNCS)
		say("%u functions found, serving the first %u", found, ARB_MAX_FUNCS);
	*what = "creating the port set";
	arb.server = server_create();
	return arb.server ? KERN_SUCCESS : KERN_RESOURCE_SHORTAGE;
}

static int visible(const struct arb_view *v, const struct pci_func *f)
{
	return pci_policy_allows(&v->policy, f->vendor, f->device, f->class);
}

static void wire_bar(struct pci_wire_bar *w, const struct pci_bar *b)
{
	w->index_flags = (uint32_t)b->index << 8 | b->flags;
	w->base = b->base;
	w->size = b->size;
}

static void wire_func(struct pci_wire_func *w, const struct pci_func *f)
{
	memset(w, 0, sizeof *w);
	w->bus = f->addr.bus;
	w->dev = f->addr.dev;
	w->fn = f->addr.fn;
	w->header_type = f->header_type;
	w->vendor = f->vendor;
	w->device = f->device;
	w->subvendor = f->subvendor;
	w->subdevice = f->subdevice;
	w->class_rev = f->class << 8 | f->revision;
	w->irq_line = f->irq_line;
	w->irq_pin = f->irq_pin;
	w->nbars = (uint8_t)f->nbars;
	w->ncaps = (uint8_t)(f->ncaps < 16 ? f->ncaps : 16);
	memcpy(w->caps, f->caps, w->ncaps);
	for (unsigned i = 0; i < f->nbars && i < 6; i++)
		wire_bar(&w->bars[i], &f->bars[i]);
	wire_bar(&w->rom, &f->rom);
}

/* --- arbiter ports ------------------------------------------------------- */

static kern_return_t serve_pci_list(struct request *rq, const struct pci_list_in *in)
{
	(void)in;
	const struct arb_view *v = rq->port->obj;
	pci_list_reply_t *rep = (pci_list_reply_t *)rq->out;
	unsigned total = 0, sent = 0;
	for (unsigned i = 0; i < arb.nfuncs; i++) {
		if (!visible(v, &arb.funcs[i]))
			continue;
		if (sent < PCI_LIST_MAX)
			wire_func(&rep->f[sent++], &arb.funcs[i]);
		total++;
	}
	rep->total = w_int(total);
	rep->f_type = MSGT_LONG(MACH_MSG_TYPE_INTEGER_8, 8, sent * sizeof rep->f[0]);
	rq->reply_size = offsetof(pci_list_reply_t, f) + sent * sizeof rep->f[0];
	return KERN_SUCCESS;
}

const char *arbiter_kernel_claim(const struct pci_func *f)
{
	return pci_kernel_claim(f->class, arb.kernel_leaves);
}

/* The owner of function port PI dropped its last send right (or its task
 * died): the device stops mastering the bus, since the DMA memory it was
 * given may go to someone else now, and the function may be opened again. */
static void function_released(struct port_info *pi)
{
	const struct pci_func *f = pi->obj;
	uint32_t cmd = confspace_read(f->addr, 0x04, 2);
	if (cmd & PCI_COMMAND_BUS_MASTER) {
		confspace_write(f->addr, 0x04, 2, cmd & ~PCI_COMMAND_BUS_MASTER);
		say("%02x:%02x.%x: its owner let go; bus mastering off until the next owner turns it on",
		    f->addr.bus, f->addr.dev, f->addr.fn);
	}
	mutex_lock(&arb.lock);
	if (arb.fport[f - arb.funcs] == pi)
		arb.fport[f - arb.funcs] = NULL;
	mutex_unlock(&arb.lock);
	server_remove_port(arb.server, pi, NULL);
}

/* Replies with a send right to a new port for function I, unless the
 * kernel drives it or another client has it open. */
static kern_return_t reply_function(struct request *rq, unsigned i)
{
	static const struct interface *const ifaces[] = { &pci_function_interface, NULL };
	const struct pci_func *f = &arb.funcs[i];
	const char *option = arbiter_kernel_claim(f);
	if (option) {
		say("refused to open %02x:%02x.%x (%s): the kernel drives it; %s on the kernel command line would free it",
		    f->addr.bus, f->addr.dev, f->addr.fn, pci_class_name(f->class), option);
		return KERN_NO_ACCESS;
	}
	mutex_lock(&arb.lock);
	struct port_info *pi = NULL;
	kern_return_t r = KERN_SUCCESS;
	if (arb.fport[i])
		r = D_ALREADY_OPEN;
	else if (!(pi = server_add_port(arb.server, ifaces, &arb.funcs[i])))
		r = KERN_RESOURCE_SHORTAGE;
	else {
		pi->no_senders = function_released;
		r = server_request_no_senders(pi);
		if (r)
			server_remove_port(arb.server, pi, NULL);
		else
			arb.fport[i] = pi;
	}
	mutex_unlock(&arb.lock);
	if (r == D_ALREADY_OPEN)
		say("refused to open %02x:%02x.%x a second time: its owner holds it until its port dies",
		    f->addr.bus, f->addr.dev, f->addr.fn);
	if (r)
		return r;
	pci_open_reply_t *rep = (pci_open_reply_t *)rq->out;     /* as pci_open_match's */
	rep->function = w_port(pi->name, MACH_MSG_TYPE_MAKE_SEND);
	rq->reply_size = sizeof *rep;
	rq->reply_complex = 1;
	return KERN_SUCCESS;
}

static kern_return_t serve_pci_open(struct request *rq, const struct pci_open_in *in)
{
	const struct arb_view *v = rq->port->obj;
	if (v->list_only)
		return KERN_NO_ACCESS;
	for (unsigned i = 0; i < arb.nfuncs; i++) {
		const struct pci_func *f = &arb.funcs[i];
		if (f->addr.bus == in->bus && f->addr.dev == in->dev && f->addr.fn == in->fn)
			return visible(v, f) ? reply_function(rq, i) : D_NO_SUCH_DEVICE;
	}
	return D_NO_SUCH_DEVICE;     /* hidden and absent look the same */
}

static kern_return_t serve_pci_open_match(struct request *rq, const struct pci_open_match_in *in)
{
	const struct arb_view *v = rq->port->obj;
	if (v->list_only)
		return KERN_NO_ACCESS;
	natural_t class = in->class, mask = in->class_mask, vendor = in->vendor,
	          device = in->device, n = in->n;
	for (unsigned i = 0; i < arb.nfuncs; i++) {
		const struct pci_func *f = &arb.funcs[i];
		if (visible(v, f) && (f->class & mask) == (class & mask)
		    && (vendor == 0xffff || f->vendor == vendor)
		    && (device == 0xffff || f->device == device) && n-- == 0)
			return reply_function(rq, i);
	}
	return D_NO_SUCH_DEVICE;
}

SERVER_INTERFACE(, pci_arbiter_interface, "pci", PCI_ARBITER_ROUTINES);

struct port_info *arbiter_port(const struct pci_policy *policy)
{
	static const struct interface *const ifaces[] = { &pci_arbiter_interface, &chain_interface, NULL };
	struct arb_view *v = malloc(sizeof *v);
	if (!v)
		return NULL;
	v->policy = *policy;
	v->list_only = 0;
	struct port_info *pi = server_add_port(arb.server, ifaces, v);
	if (!pi)
		free(v);
	return pi;
}

mach_port_t arbiter_list_port(void)
{
	static const struct interface *const ifaces[] = { &pci_arbiter_interface, NULL };
	static struct arb_view all = { .policy = { .rules = { { 0, 0, 0xffffffff, 0xffffffff } }, .n = 1 },
	                               .list_only = 1 };
	mutex_lock(&arb.lock);
	if (!arb.list_port)
		arb.list_port = server_add_port(arb.server, ifaces, &all);
	struct port_info *pi = arb.list_port;
	mutex_unlock(&arb.lock);
	return pi ? pi->name : MACH_PORT_NULL;
}

/* --- function ports ------------------------------------------------------ */

static int conf_range_ok(natural_t off, natural_t width)
{
	return (width == 1 || width == 2 || width == 4) && off < 256 && off % width == 0;
}

static kern_return_t serve_pci_conf_read(struct request *rq, const struct pci_conf_read_in *in)
{
	const struct pci_func *f = rq->port->obj;
	natural_t off = in->offset, width = in->width;
	if (!conf_range_ok(off, width))
		return KERN_INVALID_ADDRESS;
	pci_conf_read_reply_t *rep = (pci_conf_read_reply_t *)rq->out;
	rep->value = w_int(confspace_read(f->addr, off, width));
	rq->reply_size = sizeof *rep;
	return KERN_SUCCESS;
}

static kern_return_t serve_pci_conf_write(struct request *rq, const struct pci_conf_write_in *in)
{
	const struct pci_func *f = rq->port->obj;
	natural_t off = in->offset, width = in->width, value = in->value;
	if (!conf_range_ok(off, width))
		return KERN_INVALID_ADDRESS;
	char why[120];
	if (pci_write_check(f, off, width, value, confspace_read(f->addr, off, width), why, sizeof why) < 0) {
		say("%02x:%02x.%x: refused its owner's %u-byte write of 0x%x to 0x%02x, not the owner's to write: %s",
		    f->addr.bus, f->addr.dev, f->addr.fn, (unsigned)width, (unsigned)value, (unsigned)off, why);
		return KERN_PROTECTION_FAILURE;
	}
	confspace_write(f->addr, off, width, value);
	rq->reply_size = sizeof(mig_reply_header_t);
	return KERN_SUCCESS;
}

static kern_return_t serve_pci_get_regions(struct request *rq, const struct pci_get_regions_in *in)
{
	const struct pci_func *f = rq->port->obj;
	pci_get_regions_reply_t *rep = (pci_get_regions_reply_t *)rq->out;
	(void)in;
	rep->f_type = MSGT_LONG(MACH_MSG_TYPE_INTEGER_8, 8, sizeof rep->f);
	wire_func(&rep->f, f);
	rq->reply_size = sizeof *rep;
	return KERN_SUCCESS;
}

static const struct pci_bar *bar_of(const struct pci_func *f, natural_t index)
{
	for (unsigned i = 0; i < f->nbars; i++)
		if (f->bars[i].index == index && f->bars[i].size)
			return &f->bars[i];
	return NULL;
}

/* Replies with RIGHT, moved to the client (we keep no reference): the
 * replies of pci_io_perm and pci_map_bar are alike. */
static kern_return_t reply_port(struct request *rq, mach_port_t right)
{
	pci_io_perm_reply_t *rep = (pci_io_perm_reply_t *)rq->out;
	rep->perm = w_port(right, MACH_MSG_TYPE_MOVE_SEND);
	rq->reply_size = sizeof *rep;
	rq->reply_complex = 1;
	return KERN_SUCCESS;
}

static kern_return_t serve_pci_io_perm(struct request *rq, const struct pci_io_perm_in *in)
{
	const struct pci_bar *b = bar_of(rq->port->obj, in->bar);
	if (!b || !(b->flags & PCI_BAR_IO) || b->base + b->size > 0x10000)
		return KERN_INVALID_ARGUMENT;
	mach_port_t perm;
	kern_return_t r = i386_io_perm_create(arb.chain.device_master, (unsigned)b->base,
	                                      (unsigned)(b->base + b->size - 1), &perm);
	return r ? r : reply_port(rq, perm);
}

static kern_return_t open_once(mach_port_t *dev, const char *name)
{
	kern_return_t r = KERN_SUCCESS;
	mutex_lock(&arb.lock);
	if (*dev == MACH_PORT_NULL)
		r = device_open(arb.chain.device_master, D_READ | D_WRITE, name, dev);
	mutex_unlock(&arb.lock);
	return r;
}

static kern_return_t serve_pci_map_bar(struct request *rq, const struct pci_map_bar_in *in)
{
	const struct pci_bar *b = bar_of(rq->port->obj, in->bar);
	if (!b || !(b->flags & PCI_BAR_MEM) || b->base + b->size > 0x100000000ull)
		return KERN_INVALID_ARGUMENT;
	kern_return_t r = open_once(&arb.mem_dev, "mem");
	mach_port_t pager;
	if (r == KERN_SUCCESS)
		r = device_map(arb.mem_dev, VM_PROT_READ | VM_PROT_WRITE, (vm_offset_t)b->base,
		               (vm_size_t)b->size, &pager, 0);
	return r ? r : reply_port(rq, pager);
}

static kern_return_t serve_pci_dma_alloc(struct request *rq, const struct pci_dma_alloc_in *in)
{
	pci_dma_alloc_reply_t *rep = (pci_dma_alloc_reply_t *)rq->out;
	vm_offset_t va = 0;
	rpc_phys_addr_t pa = 0;
	if (in->size == 0 || in->size > 16u << 20)
		return KERN_INVALID_ARGUMENT;
	kern_return_t r = vm_allocate_contiguous(arb.chain.host_priv, in->task, &va, &pa,
	                                         in->size, 0, in->pmax, 0);
	if (r)
		return r;
	mach_port_deallocate(mach_task_self(), in->task);   /* ours once we succeed */
	rep->vaddr = w_int(va);
	rep->paddr = w_u64(pa);
	rq->reply_size = sizeof *rep;
	return KERN_SUCCESS;
}

static kern_return_t serve_pci_intr_register(struct request *rq, const struct pci_intr_register_in *in)
{
	const struct pci_func *f = rq->port->obj;
	mach_port_t port = in->port;
	if (f->irq_pin == 0 || f->irq_line == 0 || f->irq_line >= 16)
		return KERN_INVALID_ARGUMENT;
	kern_return_t r = open_once(&arb.irq_dev, "irq");
	if (r == KERN_SUCCESS)
		r = device_intr_register(arb.irq_dev, f->irq_line, 0, port, MACH_MSG_TYPE_MOVE_SEND);
	if (r == KERN_SUCCESS)
		rq->reply_size = sizeof(mig_reply_header_t);
	return r;
}

static kern_return_t serve_pci_intr_ack(struct request *rq, const struct pci_intr_ack_in *in)
{
	kern_return_t r = arb.irq_dev ? device_intr_ack(arb.irq_dev, in->port, MACH_MSG_TYPE_MOVE_SEND)
	                              : KERN_INVALID_ARGUMENT;
	if (r == KERN_SUCCESS)
		rq->reply_size = sizeof(mig_reply_header_t);
	return r;
}

SERVER_INTERFACE(, pci_function_interface, "pci-function", PCI_FUNCTION_ROUTINES);
