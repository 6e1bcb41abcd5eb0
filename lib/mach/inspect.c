/* Client stubs for the calls that look into another task: its memory
 * regions, threads and port names, and a copy of one of its send rights
 * (what pci-arbiter needs to keep a pristine image of the disk server,
 * lib/chain/task_image.c).  Definitions in include/mach/kernel_msgs.h. */
#include "mach/rpc_util.h"

kern_return_t vm_region(mach_port_t task, vm_offset_t *addr, vm_size_t *size, vm_prot_t *prot,
                        vm_prot_t *max_prot, int *inherit)
{
	union { vm_region_request_t in; vm_region_reply_t out; } m;
	m.in.addr = w_int(*addr);
	kern_return_t r = MSG_CALL(task, vm_region, m, NULL);
	if (r)
		return r;
	if (MACH_PORT_VALID(m.out.object.v))
		mach_port_deallocate(mach_task_self(), m.out.object.v);
	*addr = m.out.addr.v;
	*size = m.out.size.v;
	*prot = m.out.prot.v;
	*max_prot = m.out.max_prot.v;
	*inherit = m.out.inherit.v;
	return KERN_SUCCESS;
}

kern_return_t task_threads(mach_port_t task, mach_port_t **threads, natural_t *count)
{
	union { task_threads_request_t in; task_threads_reply_t out; } m;
	kern_return_t r = MSG_CALL(task, task_threads, m, NULL);
	if (r)
		return r;
	*threads = (mach_port_t *)m.out.threads.addr;
	*count = m.out.threads.type.msgtl_number;
	return KERN_SUCCESS;
}

kern_return_t mach_port_names(mach_port_t task, mach_port_t **names, natural_t *nnames,
                              natural_t **types, natural_t *ntypes)
{
	union { mach_port_names_request_t in; mach_port_names_reply_t out; } m;
	kern_return_t r = MSG_CALL(task, mach_port_names, m, NULL);
	if (r)
		return r;
	*names = (mach_port_t *)m.out.names.addr;
	*nnames = m.out.names.type.msgtl_number;
	*types = (natural_t *)m.out.types.addr;
	*ntypes = m.out.types.type.msgtl_number;
	return KERN_SUCCESS;
}

kern_return_t mach_port_extract_right(mach_port_t task, mach_port_t name, unsigned disp,
                                      mach_port_t *right)
{
	union { mach_port_extract_right_request_t in; mach_port_extract_right_reply_t out; } m;
	m.in.name = w_name(name);
	m.in.disp = w_int(disp);
	kern_return_t r = MSG_CALL(task, mach_port_extract_right, m, NULL);
	*right = r ? MACH_PORT_NULL : m.out.poly.v;
	return r;
}
