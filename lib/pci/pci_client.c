/* Client side of the PCI protocol (include/pci/client.h).  (Named apart from
 * lib/chain/client.c: the archive keeps only base names.) */
#include "pci/client.h"
#include "mach/rpc_util.h"
#include "rt/rt.h"

kern_return_t pci_list(mach_port_t arbiter, struct pci_wire_func *out, unsigned max, unsigned *total)
{
	union { pci_list_request_t in; pci_list_reply_t out; } *m = malloc(sizeof *m);
	struct msg_arg args[3];
	static const struct msg_field reply[3] = {
		MSGF_INT32, MSGF_INT32,
		{ MACH_MSG_TYPE_INTEGER_8, 8, MSGF_LONG | MSGF_VAR, PCI_LIST_MAX * sizeof(struct pci_wire_func) } };
	if (!m)
		return KERN_RESOURCE_SHORTAGE;
	rpc_head(&m->in.head, arbiter, ID_PCI_LIST, 0);
	kern_return_t r = mach_rpc(&m->in.head, sizeof m->in, sizeof *m, reply, 3, args);
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

static kern_return_t open_call(mach_port_t arbiter, mach_msg_id_t id, const natural_t *v,
                               unsigned n, mach_port_t *func)
{
	union { req5_t in; pci_open_reply_t out; } m;
	msg_word_t *w = &m.in.a;
	rpc_head(&m.in.head, arbiter, id, 0);
	for (unsigned i = 0; i < n; i++)
		w[i] = w_int(v[i]);
	kern_return_t r = mach_rpc(&m.in.head, sizeof m.in.head + n * sizeof *w, sizeof m,
	                           rpc_reply_port, 2, NULL);
	*func = r ? MACH_PORT_NULL : m.out.a.v;
	return r;
}

kern_return_t pci_open(mach_port_t arbiter, unsigned bus, unsigned dev, unsigned fn, mach_port_t *func)
{
	const natural_t v[3] = { bus, dev, fn };
	return open_call(arbiter, ID_PCI_OPEN, v, 3, func);
}

kern_return_t pci_open_match(mach_port_t arbiter, uint32_t class, uint32_t mask, unsigned vendor,
                             unsigned device, unsigned n, mach_port_t *func)
{
	const natural_t v[5] = { class, mask, vendor, device, n };
	return open_call(arbiter, ID_PCI_OPEN_MATCH, v, 5, func);
}

kern_return_t pci_conf_read(mach_port_t func, unsigned off, unsigned width, uint32_t *value)
{
	union { pci_conf_read_request_t in; pci_conf_read_reply_t out; } m;
	rpc_head(&m.in.head, func, ID_PCI_CONF_READ, 0);
	m.in.a = w_int(off);
	m.in.b = w_int(width);
	kern_return_t r = mach_rpc(&m.in.head, sizeof m.in, sizeof m, rpc_reply_int, 2, NULL);
	*value = r ? 0 : m.out.a.v;
	return r;
}

kern_return_t pci_conf_write(mach_port_t func, unsigned off, unsigned width, uint32_t value)
{
	union { pci_conf_write_request_t in; mig_reply_header_t out; } m;
	rpc_head(&m.in.head, func, ID_PCI_CONF_WRITE, 0);
	m.in.a = w_int(off);
	m.in.b = w_int(width);
	m.in.c = w_int(value);
	return mach_rpc(&m.in.head, sizeof m.in, sizeof m, rpc_reply_ret, 1, NULL);
}

kern_return_t pci_get_regions(mach_port_t func, struct pci_wire_func *out)
{
	union { pci_get_regions_request_t in; pci_get_regions_reply_t out; } m;
	static const struct msg_field reply[2] = {
		MSGF_INT32, { MACH_MSG_TYPE_INTEGER_8, 8, MSGF_LONG, sizeof(struct pci_wire_func) } };
	rpc_head(&m.in.head, func, ID_PCI_GET_REGIONS, 0);
	kern_return_t r = mach_rpc(&m.in.head, sizeof m.in, sizeof m, reply, 2, NULL);
	if (r == KERN_SUCCESS)
		*out = m.out.f;
	return r;
}

static kern_return_t port_call(mach_port_t func, mach_msg_id_t id, unsigned index, mach_port_t *port)
{
	union { req1_t in; rep1_t out; } m;
	rpc_head(&m.in.head, func, id, 0);
	m.in.a = w_int(index);
	kern_return_t r = mach_rpc(&m.in.head, sizeof m.in, sizeof m, rpc_reply_port, 2, NULL);
	*port = r ? MACH_PORT_NULL : m.out.a.v;
	return r;
}

kern_return_t pci_io_perm(mach_port_t func, unsigned index, mach_port_t *perm)
{
	return port_call(func, ID_PCI_IO_PERM, index, perm);
}

kern_return_t pci_map_bar(mach_port_t func, unsigned index, mach_port_t *memobj)
{
	return port_call(func, ID_PCI_MAP_BAR, index, memobj);
}

kern_return_t pci_dma_alloc(mach_port_t func, vm_size_t size, rpc_phys_addr_t pmax,
                            vm_offset_t *vaddr, rpc_phys_addr_t *paddr)
{
	union { pci_dma_alloc_request_t in; pci_dma_alloc_reply_t out; } m;
	static const struct msg_field reply[3] = {
		MSGF_INT32, MSGF_INT32, { MACH_MSG_TYPE_INTEGER_64, 64, 0, 1 } };
	rpc_head(&m.in.head, func, ID_PCI_DMA_ALLOC, 1);
	m.in.task = (msg_port_t){ MSGT_PORT(MACH_MSG_TYPE_COPY_SEND), mach_task_self() };
	m.in.size = w_int(size);
	m.in.pmax = w_u64(pmax);
	kern_return_t r = mach_rpc(&m.in.head, sizeof m.in, sizeof m, reply, 3, NULL);
	if (r == KERN_SUCCESS) {
		*vaddr = m.out.vaddr.v;
		*paddr = m.out.paddr.v;
	}
	return r;
}

static kern_return_t intr_call(mach_port_t func, mach_msg_id_t id, mach_port_t port)
{
	union { pci_intr_request_t in; mig_reply_header_t out; } m;
	rpc_head(&m.in.head, func, id, 1);
	m.in.a = w_port(port, MACH_MSG_TYPE_MAKE_SEND);
	return mach_rpc(&m.in.head, sizeof m.in, sizeof m, rpc_reply_ret, 1, NULL);
}

kern_return_t pci_intr_register(mach_port_t func, mach_port_t port)
{
	return intr_call(func, ID_PCI_INTR_REGISTER, port);
}

kern_return_t pci_intr_ack(mach_port_t func, mach_port_t port)
{
	return intr_call(func, ID_PCI_INTR_ACK, port);
}

kern_return_t pci_intx_disable(mach_port_t func)
{
	uint32_t cmd;
	kern_return_t r = pci_conf_read(func, 4, 2, &cmd);
	return r ? r : pci_conf_write(func, 4, 2, cmd | 0x400);
}
