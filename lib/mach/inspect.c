/* Client stubs for the calls that look into another task: its memory
 * regions, threads and port names, and a copy of one of its send rights
 * (what pci-arbiter needs to keep a pristine image of the disk server,
 * lib/chain/task_image.c).  Layouts from mach.defs and mach_port.defs. */
#include "mach/rpc_util.h"

kern_return_t vm_region(mach_port_t task, vm_offset_t *addr, vm_size_t *size, vm_prot_t *prot,
                        vm_prot_t *max_prot, int *inherit)
{
	union { req1_t in; mig_reply_header_t out; char buf[160]; } m;
	struct msg_arg args[9];
	static const struct msg_field reply[9] = {
		MSGF_INT32, MSGF_INT32, MSGF_INT32, MSGF_INT32, MSGF_INT32, MSGF_INT32,
		{ MACH_MSG_TYPE_BOOLEAN, 32, 0, 1 }, MSGF_SEND_OR_NULL, MSGF_INT32 };
	rpc_head(&m.in.head, task, ID_VM_REGION, 0);
	m.in.a = w_int(*addr);
	kern_return_t r = mach_rpc(&m.in.head, sizeof m.in, sizeof m, reply, 9, args);
	if (r)
		return r;
	mach_port_t object = *(const mach_port_t *)args[7].data;
	if (MACH_PORT_VALID(object))
		mach_port_deallocate(mach_task_self(), object);
	*addr = *(const natural_t *)args[1].data;
	*size = *(const natural_t *)args[2].data;
	*prot = *(const natural_t *)args[3].data;
	*max_prot = *(const natural_t *)args[4].data;
	*inherit = *(const natural_t *)args[5].data;
	return KERN_SUCCESS;
}

/* An out-of-line array of 32-bit elements of type NAME: the caller
 * vm_deallocates *LIST (*COUNT elements). */
static kern_return_t ool_list(mach_port_t dest, mach_msg_id_t id, unsigned name,
                              mach_port_t **list, natural_t *count)
{
	union { req0_t in; mig_reply_header_t out; char buf[96]; } m;
	struct msg_arg args[2];
	const struct msg_field reply[2] = {
		MSGF_INT32, { name, 32, MSGF_OOL | MSGF_LONG | MSGF_VAR, 0x100000 } };
	rpc_head(&m.in.head, dest, id, 0);
	kern_return_t r = mach_rpc(&m.in.head, sizeof m.in, sizeof m, reply, 2, args);
	if (r)
		return r;
	*list = (mach_port_t *)*(const vm_offset_t *)args[1].data;
	*count = args[1].count;
	return KERN_SUCCESS;
}

kern_return_t task_threads(mach_port_t task, mach_port_t **threads, natural_t *count)
{
	return ool_list(task, ID_TASK_THREADS, MACH_MSG_TYPE_PORT_SEND, threads, count);
}

kern_return_t mach_port_names(mach_port_t task, mach_port_t **names, natural_t *nnames,
                              natural_t **types, natural_t *ntypes)
{
	union { req0_t in; mig_reply_header_t out; char buf[128]; } m;
	struct msg_arg args[3];
	static const struct msg_field reply[3] = {
		MSGF_INT32,
		{ MACH_MSG_TYPE_PORT_NAME, 32, MSGF_OOL | MSGF_LONG | MSGF_VAR, 0x100000 },
		{ MACH_MSG_TYPE_INTEGER_32, 32, MSGF_OOL | MSGF_LONG | MSGF_VAR, 0x100000 } };
	rpc_head(&m.in.head, task, ID_MACH_PORT_NAMES, 0);
	kern_return_t r = mach_rpc(&m.in.head, sizeof m.in, sizeof m, reply, 3, args);
	if (r)
		return r;
	*names = (mach_port_t *)*(const vm_offset_t *)args[1].data;
	*nnames = args[1].count;
	*types = (natural_t *)*(const vm_offset_t *)args[2].data;
	*ntypes = args[2].count;
	return KERN_SUCCESS;
}

kern_return_t mach_port_extract_right(mach_port_t task, mach_port_t name, unsigned disp,
                                      mach_port_t *right)
{
	union { req2_t in; rep1_t out; } m;
	rpc_head(&m.in.head, task, ID_MACH_PORT_EXTRACT_RIGHT, 0);
	m.in.a = w_name(name);
	m.in.b = w_int(disp);
	kern_return_t r = mach_rpc(&m.in.head, sizeof m.in, sizeof m, rpc_reply_port, 2, NULL);
	*right = r ? MACH_PORT_NULL : m.out.a.v;
	return r;
}
