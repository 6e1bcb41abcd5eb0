/* Client side of the PCI protocol (include/pci/client.h).  (Named apart from
 * lib/chain/client.c: the archive keeps only base names.) */
#include "pci/client.h"
#include "mach/rpc_util.h"
#include "rt/rt.h"

kern_return_t pci_list(mach_port_t arbiter, struct pci_wire_func *out, unsigned max, unsigned *total)
{
	union { pci_list_request_t in; pci_list_reply_t out; } *m = malloc(sizeof *m);
	struct msg_arg args[3];
	if (!m)
		return KERN_RESOURCE_SHORTAGE;
	kern_return_t r = msg_call(arbiter, &pci_list_routine, &m->in.head, sizeof m->in, sizeof *m, args);
	if (r == KERN_SUCCESS) {
		unsigned n = args[2].count / sizeof(struct pci_wire_func);
		if (args[2].count % sizeof(struct pci_wire_func))
			r = MIG_TYPE_ERROR;
		*total = m->out.total.v;
		memcpy(out, m->out.f, (n < max ? n : max) * sizeof *out);
	}
	free(m);
	return r;
}

kern_return_t pci_open(mach_port_t arbiter, unsigned bus, unsigned dev, unsigned fn, mach_port_t *func)
{
	union { pci_open_request_t in; pci_open_reply_t out; } m;
	m.in.bus = w_int(bus);
	m.in.dev = w_int(dev);
	m.in.fn = w_int(fn);
	kern_return_t r = MSG_CALL(arbiter, pci_open, m, NULL);
	*func = r ? MACH_PORT_NULL : m.out.function.v;
	return r;
}

kern_return_t pci_open_match(mach_port_t arbiter, uint32_t class, uint32_t mask, unsigned vendor,
                             unsigned device, unsigned n, mach_port_t *func)
{
	union { pci_open_match_request_t in; pci_open_match_reply_t out; } m;
	m.in.class = w_int(class);
	m.in.class_mask = w_int(mask);
	m.in.vendor = w_int(vendor);
	m.in.device = w_int(device);
	m.in.n = w_int(n);
	kern_return_t r = MSG_CALL(arbiter, pci_open_match, m, NULL);
	*func = r ? MACH_PORT_NULL : m.out.function.v;
	return r;
}

kern_return_t pci_conf_read(mach_port_t func, unsigned off, unsigned width, uint32_t *value)
{
	union { pci_conf_read_request_t in; pci_conf_read_reply_t out; } m;
	m.in.offset = w_int(off);
	m.in.width = w_int(width);
	kern_return_t r = MSG_CALL(func, pci_conf_read, m, NULL);
	*value = r ? 0 : m.out.value.v;
	return r;
}

kern_return_t pci_conf_write(mach_port_t func, unsigned off, unsigned width, uint32_t value)
{
	union { pci_conf_write_request_t in; pci_conf_write_reply_t out; } m;
	m.in.offset = w_int(off);
	m.in.width = w_int(width);
	m.in.value = w_int(value);
	return MSG_CALL(func, pci_conf_write, m, NULL);
}

kern_return_t pci_get_regions(mach_port_t func, struct pci_wire_func *out)
{
	union { pci_get_regions_request_t in; pci_get_regions_reply_t out; } m;
	kern_return_t r = MSG_CALL(func, pci_get_regions, m, NULL);
	if (r == KERN_SUCCESS)
		*out = m.out.f;
	return r;
}

kern_return_t pci_io_perm(mach_port_t func, unsigned index, mach_port_t *perm)
{
	union { pci_io_perm_request_t in; pci_io_perm_reply_t out; } m;
	m.in.bar = w_int(index);
	kern_return_t r = MSG_CALL(func, pci_io_perm, m, NULL);
	*perm = r ? MACH_PORT_NULL : m.out.perm.v;
	return r;
}

kern_return_t pci_map_bar(mach_port_t func, unsigned index, mach_port_t *memobj)
{
	union { pci_map_bar_request_t in; pci_map_bar_reply_t out; } m;
	m.in.bar = w_int(index);
	kern_return_t r = MSG_CALL(func, pci_map_bar, m, NULL);
	*memobj = r ? MACH_PORT_NULL : m.out.memobj.v;
	return r;
}

kern_return_t pci_dma_alloc(mach_port_t func, vm_size_t size, rpc_phys_addr_t pmax,
                            vm_offset_t *vaddr, rpc_phys_addr_t *paddr)
{
	union { pci_dma_alloc_request_t in; pci_dma_alloc_reply_t out; } m;
	m.in.task = w_port(mach_task_self(), MACH_MSG_TYPE_COPY_SEND);
	m.in.size = w_int(size);
	m.in.pmax = w_u64(pmax);
	kern_return_t r = MSG_CALL(func, pci_dma_alloc, m, NULL);
	if (r == KERN_SUCCESS) {
		*vaddr = m.out.vaddr.v;
		*paddr = m.out.paddr.v;
	}
	return r;
}

kern_return_t pci_intr_register(mach_port_t func, mach_port_t port)
{
	union { pci_intr_register_request_t in; pci_intr_register_reply_t out; } m;
	m.in.port = w_port(port, MACH_MSG_TYPE_MAKE_SEND);
	return MSG_CALL(func, pci_intr_register, m, NULL);
}

kern_return_t pci_intr_ack(mach_port_t func, mach_port_t port)
{
	union { pci_intr_ack_request_t in; pci_intr_ack_reply_t out; } m;
	m.in.port = w_port(port, MACH_MSG_TYPE_MAKE_SEND);
	return MSG_CALL(func, pci_intr_ack, m, NULL);
}

kern_return_t pci_intx_disable(mach_port_t func)
{
	uint32_t cmd;
	kern_return_t r = pci_conf_read(func, 4, 2, &cmd);
	return r ? r : pci_conf_write(func, 4, 2, cmd | 0x400);
}
