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

static kern_return_t do_list(struct request *rq)
{
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
	rep->total = (msg_word_t){ MSGT_INT32, total };
	rep->type = MSGT_LONG(MACH_MSG_TYPE_INTEGER_8, 8, sent * sizeof rep->f[0]);
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
	pci_open_reply_t *rep = (pci_open_reply_t *)rq->out;
	rep->a = (msg_word_t){ MSGT_PORT(MACH_MSG_TYPE_MAKE_SEND), pi->name };
	rq->reply_size = sizeof *rep;
	rq->reply_complex = 1;
	return KERN_SUCCESS;
}

static kern_return_t do_open(struct request *rq)
{
	const struct arb_view *v = rq->port->obj;
	if (v->list_only)
		return KERN_NO_ACCESS;
	natural_t bus = rq_word(rq, 0), dev = rq_word(rq, 1), fn = rq_word(rq, 2);
	for (unsigned i = 0; i < arb.nfuncs; i++) {
		const struct pci_func *f = &arb.funcs[i];
		if (f->addr.bus == bus && f->addr.dev == dev && f->addr.fn == fn)
			return visible(v, f) ? reply_function(rq, i) : D_NO_SUCH_DEVICE;
	}
	return D_NO_SUCH_DEVICE;     /* hidden and absent look the same */
}

static kern_return_t do_open_match(struct request *rq)
{
	const struct arb_view *v = rq->port->obj;
	if (v->list_only)
		return KERN_NO_ACCESS;
	natural_t class = rq_word(rq, 0), mask = rq_word(rq, 1), vendor = rq_word(rq, 2),
	          device = rq_word(rq, 3), n = rq_word(rq, 4);
	for (unsigned i = 0; i < arb.nfuncs; i++) {
		const struct pci_func *f = &arb.funcs[i];
		if (visible(v, f) && (f->class & mask) == (class & mask)
		    && (vendor == 0xffff || f->vendor == vendor)
		    && (device == 0xffff || f->device == device) && n-- == 0)
			return reply_function(rq, i);
	}
	return D_NO_SUCH_DEVICE;
}

static const struct msg_field no_args[1];
static const struct msg_field ints3[3] = { MSGF_INT32, MSGF_INT32, MSGF_INT32 };
static const struct msg_field ints5[5] = { MSGF_INT32, MSGF_INT32, MSGF_INT32, MSGF_INT32, MSGF_INT32 };

static const struct routine arbiter_routines[] = {
	{ ID_PCI_LIST, no_args, 0, do_list, 0 },
	{ ID_PCI_OPEN, ints3, 3, do_open, 0 },
	{ ID_PCI_OPEN_MATCH, ints5, 5, do_open_match, 0 },
};
const struct interface pci_arbiter_interface = { "pci", arbiter_routines, 3 };

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

static kern_return_t do_conf_read(struct request *rq)
{
	const struct pci_func *f = rq->port->obj;
	natural_t off = rq_word(rq, 0), width = rq_word(rq, 1);
	if (!conf_range_ok(off, width))
		return KERN_INVALID_ADDRESS;
	pci_conf_read_reply_t *rep = (pci_conf_read_reply_t *)rq->out;
	rep->a = (msg_word_t){ MSGT_INT32, confspace_read(f->addr, off, width) };
	rq->reply_size = sizeof *rep;
	return KERN_SUCCESS;
}

static kern_return_t do_conf_write(struct request *rq)
{
	const struct pci_func *f = rq->port->obj;
	natural_t off = rq_word(rq, 0), width = rq_word(rq, 1), value = rq_word(rq, 2);
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

static kern_return_t do_get_regions(struct request *rq)
{
	const struct pci_func *f = rq->port->obj;
	pci_get_regions_reply_t *rep = (pci_get_regions_reply_t *)rq->out;
	rep->type = MSGT_LONG(MACH_MSG_TYPE_INTEGER_8, 8, sizeof rep->f);
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

/* Replies with RIGHT, moved to the client (we keep no reference). */
static kern_return_t reply_port(struct request *rq, mach_port_t right)
{
	rep1_t *rep = (rep1_t *)rq->out;
	rep->a = (msg_word_t){ MSGT_PORT(MACH_MSG_TYPE_MOVE_SEND), right };
	rq->reply_size = sizeof *rep;
	rq->reply_complex = 1;
	return KERN_SUCCESS;
}

static kern_return_t do_io_perm(struct request *rq)
{
	const struct pci_bar *b = bar_of(rq->port->obj, rq_word(rq, 0));
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

static kern_return_t do_map_bar(struct request *rq)
{
	const struct pci_bar *b = bar_of(rq->port->obj, rq_word(rq, 0));
	if (!b || !(b->flags & PCI_BAR_MEM) || b->base + b->size > 0x100000000ull)
		return KERN_INVALID_ARGUMENT;
	kern_return_t r = open_once(&arb.mem_dev, "mem");
	mach_port_t pager;
	if (r == KERN_SUCCESS)
		r = device_map(arb.mem_dev, VM_PROT_READ | VM_PROT_WRITE, (vm_offset_t)b->base,
		               (vm_size_t)b->size, &pager, 0);
	return r ? r : reply_port(rq, pager);
}

static kern_return_t do_dma_alloc(struct request *rq)
{
	const pci_dma_alloc_request_t *m = (const pci_dma_alloc_request_t *)rq->in;
	pci_dma_alloc_reply_t *rep = (pci_dma_alloc_reply_t *)rq->out;
	vm_offset_t va = 0;
	rpc_phys_addr_t pa = 0;
	if (m->size.v == 0 || m->size.v > 16u << 20)
		return KERN_INVALID_ARGUMENT;
	kern_return_t r = vm_allocate_contiguous(arb.chain.host_priv, m->task.name, &va, &pa,
	                                         m->size.v, 0, m->pmax.v, 0);
	if (r)
		return r;
	mach_port_deallocate(mach_task_self(), m->task.name);   /* ours once we succeed */
	rep->vaddr = w_int(va);
	rep->paddr = w_u64(pa);
	rq->reply_size = sizeof *rep;
	return KERN_SUCCESS;
}

static kern_return_t do_intr_register(struct request *rq)
{
	const struct pci_func *f = rq->port->obj;
	mach_port_t port = rq_word(rq, 0);
	if (f->irq_pin == 0 || f->irq_line == 0 || f->irq_line >= 16)
		return KERN_INVALID_ARGUMENT;
	kern_return_t r = open_once(&arb.irq_dev, "irq");
	if (r == KERN_SUCCESS)
		r = device_intr_register(arb.irq_dev, f->irq_line, 0, port, MACH_MSG_TYPE_MOVE_SEND);
	if (r == KERN_SUCCESS)
		rq->reply_size = sizeof(mig_reply_header_t);
	return r;
}

static kern_return_t do_intr_ack(struct request *rq)
{
	kern_return_t r = arb.irq_dev ? device_intr_ack(arb.irq_dev, rq_word(rq, 0), MACH_MSG_TYPE_MOVE_SEND)
	                              : KERN_INVALID_ARGUMENT;
	if (r == KERN_SUCCESS)
		rq->reply_size = sizeof(mig_reply_header_t);
	return r;
}

static const struct msg_field ints1[1] = { MSGF_INT32 };
static const struct msg_field ints2[2] = { MSGF_INT32, MSGF_INT32 };
static const struct msg_field one_port[1] = { MSGF_SEND };
static const struct msg_field dma_args[3] = { MSGF_SEND, MSGF_INT32, { MACH_MSG_TYPE_INTEGER_64, 64, 0, 1 } };

static const struct routine function_routines[] = {
	{ ID_PCI_CONF_READ, ints2, 2, do_conf_read, 0 },
	{ ID_PCI_CONF_WRITE, ints3, 3, do_conf_write, 0 },
	{ ID_PCI_GET_REGIONS, no_args, 0, do_get_regions, 0 },
	{ ID_PCI_IO_PERM, ints1, 1, do_io_perm, 0 },
	{ ID_PCI_MAP_BAR, ints1, 1, do_map_bar, 0 },
	{ ID_PCI_DMA_ALLOC, dma_args, 3, do_dma_alloc, 0 },
	{ ID_PCI_INTR_REGISTER, one_port, 1, do_intr_register, 0 },
	{ ID_PCI_INTR_ACK, one_port, 1, do_intr_ack, 0 },
};
const struct interface pci_function_interface = { "pci-function", function_routines, 8 };
