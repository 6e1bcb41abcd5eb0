/* Client stubs for the kernel's task, thread, vm, port, host, gsync and i386
 * interfaces.  Layouts in include/mach/kernel_msgs.h. */
#include "mach/rpc_util.h"

const struct msg_field rpc_reply_ret[1] = { MSGF_INT32 };
const struct msg_field rpc_reply_port[2] = { MSGF_INT32, MSGF_SEND };
const struct msg_field rpc_reply_int[2] = { MSGF_INT32, MSGF_INT32 };
const struct msg_field rpc_reply_name[2] = { MSGF_INT32, MSGF_PORT_NAME };
const struct msg_field rpc_reply_ool[2] = { MSGF_INT32, MSGF_OOL_DATA };
static const struct msg_field reply_once_or_null[2] = {
	MSGF_INT32, { MACH_MSG_TYPE_PORT_SEND_ONCE, 32, MSGF_NULL_OK, 1 } };

#define CALL(m, reply) mach_rpc(&(m).in.head, sizeof (m).in, sizeof (m), reply, \
                                sizeof reply / sizeof reply[0], NULL)

/* A routine with no arguments and no results. */
static kern_return_t call0(mach_port_t dest, mach_msg_id_t id)
{
	union { req0_t in; mig_reply_header_t out; } m;
	rpc_head(&m.in.head, dest, id, 0);
	return CALL(m, rpc_reply_ret);
}

/* A routine with no arguments returning one port. */
static kern_return_t call0_port(mach_port_t dest, mach_msg_id_t id, mach_port_t *port)
{
	union { req0_t in; rep1_t out; } m;
	rpc_head(&m.in.head, dest, id, 0);
	kern_return_t r = CALL(m, rpc_reply_port);
	*port = r ? MACH_PORT_NULL : m.out.a.v;
	return r;
}

kern_return_t task_create(mach_port_t parent, boolean_t inherit, mach_port_t *child)
{
	union { req1_t in; rep1_t out; } m;
	rpc_head(&m.in.head, parent, ID_TASK_CREATE, 0);
	m.in.a = w_bool(inherit);
	kern_return_t r = CALL(m, rpc_reply_port);
	*child = r ? MACH_PORT_NULL : m.out.a.v;
	return r;
}

kern_return_t task_terminate(mach_port_t task) { return call0(task, ID_TASK_TERMINATE); }
kern_return_t task_suspend(mach_port_t task) { return call0(task, ID_TASK_SUSPEND); }
kern_return_t task_resume(mach_port_t task) { return call0(task, ID_TASK_RESUME); }
kern_return_t thread_suspend(mach_port_t thread) { return call0(thread, ID_THREAD_SUSPEND); }
kern_return_t thread_resume(mach_port_t thread) { return call0(thread, ID_THREAD_RESUME); }
kern_return_t thread_abort(mach_port_t thread) { return call0(thread, ID_THREAD_ABORT); }
kern_return_t thread_terminate(mach_port_t thread) { return call0(thread, ID_THREAD_TERMINATE); }
kern_return_t thread_create(mach_port_t task, mach_port_t *thread)
{
	return call0_port(task, ID_THREAD_CREATE, thread);
}

/* task_info, thread_get_state, device_get_status: a flavor and the most we
 * take in; an array of integers back. */
kern_return_t rpc_get_ints(mach_port_t dest, mach_msg_id_t id, int flavor,
                           integer_t *out, natural_t *count)
{
	union { req2_t in; rep_ints_t out; } m;
	struct msg_arg args[2];
	static const struct msg_field reply[2] = {
		MSGF_INT32, { MACH_MSG_TYPE_INTEGER_32, 32, MSGF_VAR, MSG_INT_ARRAY_MAX } };
	rpc_head(&m.in.head, dest, id, 0);
	m.in.a = w_int(flavor);
	m.in.b = w_int(*count < MSG_INT_ARRAY_MAX ? *count : MSG_INT_ARRAY_MAX);
	kern_return_t r = mach_rpc(&m.in.head, sizeof m.in, sizeof m, reply, 2, args);
	if (r)
		return r;
	if (args[1].count > *count)
		return MIG_ARRAY_TOO_LARGE;
	for (natural_t i = 0; i < args[1].count; i++)
		out[i] = ((const integer_t *)args[1].data)[i];
	*count = args[1].count;
	return KERN_SUCCESS;
}

kern_return_t task_info(mach_port_t task, int flavor, integer_t *info, natural_t *count)
{
	return rpc_get_ints(task, ID_TASK_INFO, flavor, info, count);
}

kern_return_t thread_get_state(mach_port_t thread, int flavor, natural_t *state, natural_t *count)
{
	return rpc_get_ints(thread, ID_THREAD_GET_STATE, flavor, (integer_t *)state, count);
}

/* thread_set_state, device_set_status: a flavor and an array of integers. */
kern_return_t rpc_set_ints(mach_port_t dest, mach_msg_id_t id, int flavor,
                           const integer_t *v, natural_t count)
{
	union { req_flavor_ints_t in; mig_reply_header_t out; } m;
	if (count > MSG_INT_ARRAY_MAX)
		return MIG_ARRAY_TOO_LARGE;
	rpc_head(&m.in.head, dest, id, 0);
	m.in.flavor = w_int(flavor);
	m.in.type = MSGT_INLINE(MACH_MSG_TYPE_INTEGER_32, 32, count);
	for (natural_t i = 0; i < count; i++)
		m.in.v[i] = v[i];
	return mach_rpc(&m.in.head, offsetof(req_flavor_ints_t, v) + 4 * count, sizeof m,
	                rpc_reply_ret, 1, NULL);
}

kern_return_t thread_set_state(mach_port_t thread, int flavor, const natural_t *state, natural_t count)
{
	return rpc_set_ints(thread, ID_THREAD_SET_STATE, flavor, (const integer_t *)state, count);
}

kern_return_t task_get_special_port(mach_port_t task, int which, mach_port_t *port)
{
	union { req1_t in; rep1_t out; } m;
	static const struct msg_field reply[2] = { MSGF_INT32, MSGF_SEND_OR_NULL };
	rpc_head(&m.in.head, task, ID_TASK_GET_SPECIAL_PORT, 0);
	m.in.a = w_int(which);
	kern_return_t r = CALL(m, reply);
	*port = r ? MACH_PORT_NULL : m.out.a.v;
	return r;
}

kern_return_t task_set_special_port(mach_port_t task, int which, mach_port_t port, unsigned disp)
{
	union { req2_t in; mig_reply_header_t out; } m;
	rpc_head(&m.in.head, task, ID_TASK_SET_SPECIAL_PORT, 1);
	m.in.a = w_int(which);
	m.in.b = w_port(port, disp);
	return CALL(m, rpc_reply_ret);
}

kern_return_t task_set_name(mach_port_t task, const char *name)
{
	req_task_set_name_t m;
	natural_t n = 0;
	while (name[n] && n < TASK_NAME_MAX - 1) {
		m.name[n] = name[n];
		n++;
	}
	m.name[n++] = 0;
	rpc_head(&m.head, task, ID_TASK_SET_NAME, 0);
	m.type = MSGT_INLINE(MACH_MSG_TYPE_STRING_C, 8, n);
	return mach_send(&m.head, offsetof(req_task_set_name_t, name) + MSG_ALIGN(n));
}

kern_return_t task_set_essential(mach_port_t task, boolean_t essential)
{
	req1_t m;                      /* a simpleroutine: no reply comes */
	rpc_head(&m.head, task, ID_TASK_SET_ESSENTIAL, 0);
	m.a = w_bool(essential);
	return mach_send(&m.head, sizeof m);
}

kern_return_t vm_allocate(mach_port_t task, vm_offset_t *addr, vm_size_t size, boolean_t anywhere)
{
	union { req3_t in; rep1_t out; } m;
	rpc_head(&m.in.head, task, ID_VM_ALLOCATE, 0);
	m.in.a = w_int(*addr);
	m.in.b = w_int(size);
	m.in.c = w_bool(anywhere);
	kern_return_t r = CALL(m, rpc_reply_int);
	if (r == KERN_SUCCESS)
		*addr = m.out.a.v;
	return r;
}

kern_return_t vm_deallocate(mach_port_t task, vm_offset_t addr, vm_size_t size)
{
	union { req2_t in; mig_reply_header_t out; } m;
	rpc_head(&m.in.head, task, ID_VM_DEALLOCATE, 0);
	m.in.a = w_int(addr);
	m.in.b = w_int(size);
	return CALL(m, rpc_reply_ret);
}

kern_return_t vm_protect(mach_port_t task, vm_offset_t addr, vm_size_t size, boolean_t set_max, vm_prot_t prot)
{
	union { req4_t in; mig_reply_header_t out; } m;
	rpc_head(&m.in.head, task, ID_VM_PROTECT, 0);
	m.in.a = w_int(addr);
	m.in.b = w_int(size);
	m.in.c = w_bool(set_max);
	m.in.d = w_int(prot);
	return CALL(m, rpc_reply_ret);
}

kern_return_t vm_map(mach_port_t task, vm_offset_t *addr, vm_size_t size, vm_offset_t mask,
                     boolean_t anywhere, mach_port_t memobj, vm_offset_t offset, boolean_t copy,
                     vm_prot_t cur, vm_prot_t max, int inherit)
{
	union { req_vm_map_t in; rep1_t out; } m;
	rpc_head(&m.in.head, task, ID_VM_MAP, 1);
	m.in.addr = w_int(*addr);
	m.in.size = w_int(size);
	m.in.mask = w_int(mask);
	m.in.anywhere = w_bool(anywhere);
	m.in.memobj = (msg_port_t){ MSGT_PORT(MACH_MSG_TYPE_COPY_SEND), memobj };
	m.in.offset = w_int(offset);
	m.in.copy = w_bool(copy);
	m.in.cur = w_int(cur);
	m.in.max = w_int(max);
	m.in.inherit = w_int(inherit);
	kern_return_t r = CALL(m, rpc_reply_int);
	if (r == KERN_SUCCESS)
		*addr = m.out.a.v;
	return r;
}

kern_return_t vm_read(mach_port_t task, vm_offset_t addr, vm_size_t size, vm_offset_t *data, vm_size_t *count)
{
	union { req2_t in; rep_ool_t out; } m;
	rpc_head(&m.in.head, task, ID_VM_READ, 0);
	m.in.a = w_int(addr);
	m.in.b = w_int(size);
	kern_return_t r = CALL(m, rpc_reply_ool);
	if (r == KERN_SUCCESS) {
		*data = m.out.data.addr;
		*count = m.out.data.type.msgtl_number;
	}
	return r;
}

kern_return_t vm_write(mach_port_t task, vm_offset_t addr, const void *data, vm_size_t size)
{
	union { req_vm_write_t in; mig_reply_header_t out; } m;
	rpc_head(&m.in.head, task, ID_VM_WRITE, 1);
	m.in.addr = w_int(addr);
	m.in.data = w_ool(data, size);
	return CALL(m, rpc_reply_ret);
}

kern_return_t vm_copy(mach_port_t task, vm_offset_t src, vm_size_t size, vm_offset_t dst)
{
	union { req3_t in; mig_reply_header_t out; } m;
	rpc_head(&m.in.head, task, ID_VM_COPY, 0);
	m.in.a = w_int(src);
	m.in.b = w_int(size);
	m.in.c = w_int(dst);
	return CALL(m, rpc_reply_ret);
}

kern_return_t vm_statistics(mach_port_t task, struct vm_statistics *st)
{
	union { req0_t in; rep_vm_statistics_t out; } m;
	static const struct msg_field reply[2] = {
		MSGF_INT32, { MACH_MSG_TYPE_INTEGER_32, 32, 0, VM_STATISTICS_COUNT } };
	rpc_head(&m.in.head, task, ID_VM_STATISTICS, 0);
	kern_return_t r = CALL(m, reply);
	if (r == KERN_SUCCESS) {
		st->pagesize = m.out.v[0];
		st->free_count = m.out.v[1];
		st->active_count = m.out.v[2];
		st->inactive_count = m.out.v[3];
		st->wire_count = m.out.v[4];
	}
	return r;
}

kern_return_t vm_allocate_contiguous(mach_port_t host_priv, mach_port_t task, vm_offset_t *vaddr,
                                     rpc_phys_addr_t *paddr, vm_size_t size, rpc_phys_addr_t pmin,
                                     rpc_phys_addr_t pmax, rpc_phys_addr_t palign)
{
	union { req_vm_allocate_contiguous_t in; rep_vm_allocate_contiguous_t out; } m;
	static const struct msg_field reply[3] = {
		MSGF_INT32, MSGF_INT32, { MACH_MSG_TYPE_INTEGER_64, 64, 0, 1 } };
	rpc_head(&m.in.head, host_priv, ID_VM_ALLOCATE_CONTIGUOUS, 1);
	m.in.task = (msg_port_t){ MSGT_PORT(MACH_MSG_TYPE_COPY_SEND), task };
	m.in.size = w_int(size);
	m.in.pmin = w_u64(pmin);
	m.in.pmax = w_u64(pmax);
	m.in.palign = w_u64(palign);
	kern_return_t r = CALL(m, reply);
	if (r == KERN_SUCCESS) {
		*vaddr = m.out.vaddr.v;
		*paddr = m.out.paddr.v;
	}
	return r;
}

kern_return_t mach_port_allocate(mach_port_t task, int right, mach_port_t *name)
{
	union { req1_t in; rep1_t out; } m;
	rpc_head(&m.in.head, task, ID_MACH_PORT_ALLOCATE, 0);
	m.in.a = w_int(right);
	kern_return_t r = CALL(m, rpc_reply_name);
	*name = r ? MACH_PORT_NULL : m.out.a.v;
	return r;
}

static kern_return_t port_call1(mach_port_t task, mach_msg_id_t id, mach_port_t name)
{
	union { req1_t in; mig_reply_header_t out; } m;
	rpc_head(&m.in.head, task, id, 0);
	m.in.a = w_name(name);
	return CALL(m, rpc_reply_ret);
}

kern_return_t mach_port_destroy(mach_port_t task, mach_port_t name)
{
	return port_call1(task, ID_MACH_PORT_DESTROY, name);
}

kern_return_t mach_port_deallocate(mach_port_t task, mach_port_t name)
{
	return port_call1(task, ID_MACH_PORT_DEALLOCATE, name);
}

kern_return_t mach_port_type(mach_port_t task, mach_port_t name, natural_t *type)
{
	union { req1_t in; rep1_t out; } m;
	rpc_head(&m.in.head, task, ID_MACH_PORT_TYPE, 0);
	m.in.a = w_name(name);
	kern_return_t r = CALL(m, rpc_reply_int);
	*type = r ? 0 : m.out.a.v;
	return r;
}

kern_return_t mach_port_mod_refs(mach_port_t task, mach_port_t name, int right, int delta)
{
	union { req3_t in; mig_reply_header_t out; } m;
	rpc_head(&m.in.head, task, ID_MACH_PORT_MOD_REFS, 0);
	m.in.a = w_name(name);
	m.in.b = w_int(right);
	m.in.c = w_int(delta);
	return CALL(m, rpc_reply_ret);
}

kern_return_t mach_port_insert_right(mach_port_t task, mach_port_t name, mach_port_t right, unsigned disp)
{
	union { req2_t in; mig_reply_header_t out; } m;
	rpc_head(&m.in.head, task, ID_MACH_PORT_INSERT_RIGHT, 1);
	m.in.a = w_name(name);
	m.in.b = w_port(right, disp);
	return CALL(m, rpc_reply_ret);
}

kern_return_t mach_port_move_member(mach_port_t task, mach_port_t member, mach_port_t set)
{
	union { req2_t in; mig_reply_header_t out; } m;
	rpc_head(&m.in.head, task, ID_MACH_PORT_MOVE_MEMBER, 0);
	m.in.a = w_name(member);
	m.in.b = w_name(set);
	return CALL(m, rpc_reply_ret);
}

kern_return_t mach_port_request_notification(mach_port_t task, mach_port_t name, int id,
                                             natural_t sync, mach_port_t notify,
                                             unsigned notify_disp, mach_port_t *previous)
{
	union { req4_t in; rep1_t out; } m;
	rpc_head(&m.in.head, task, ID_MACH_PORT_REQUEST_NOTIFICATION, 1);
	m.in.a = w_name(name);
	m.in.b = w_int(id);
	m.in.c = w_int(sync);
	m.in.d = w_port(notify, notify_disp);
	kern_return_t r = CALL(m, reply_once_or_null);
	*previous = r ? MACH_PORT_NULL : m.out.a.v;
	return r;
}

kern_return_t host_get_time(mach_port_t host, struct time_value *now)
{
	union { req0_t in; rep_time_t out; } m;
	static const struct msg_field reply[2] = {
		MSGF_INT32, { MACH_MSG_TYPE_INTEGER_32, 32, 0, 2 } };
	rpc_head(&m.in.head, host, ID_HOST_GET_TIME, 0);
	kern_return_t r = CALL(m, reply);
	if (r == KERN_SUCCESS) {
		now->seconds = m.out.v[0];
		now->microseconds = m.out.v[1];
	}
	return r;
}

kern_return_t host_reboot(mach_port_t host_priv, int options)
{
	union { req1_t in; mig_reply_header_t out; } m;
	rpc_head(&m.in.head, host_priv, ID_HOST_REBOOT, 0);
	m.in.a = w_int(options);
	return CALL(m, rpc_reply_ret);
}

kern_return_t gsync_wait(mach_port_t task, vm_offset_t addr, unsigned val1, unsigned val2,
                         natural_t msec, int flags)
{
	union { req5_t in; mig_reply_header_t out; } m;
	rpc_head(&m.in.head, task, ID_GSYNC_WAIT, 0);
	m.in.a = w_int(addr);
	m.in.b = w_int(val1);
	m.in.c = w_int(val2);
	m.in.d = w_int(msec);
	m.in.e = w_int(flags);
	return CALL(m, rpc_reply_ret);
}

kern_return_t gsync_wake(mach_port_t task, vm_offset_t addr, unsigned val, int flags)
{
	req3_t m;
	rpc_head(&m.head, task, ID_GSYNC_WAKE, 0);
	m.a = w_int(addr);
	m.b = w_int(val);
	m.c = w_int(flags);
	return mach_send(&m.head, sizeof m);
}

kern_return_t i386_io_perm_create(mach_port_t master, unsigned from, unsigned to, mach_port_t *perm)
{
	union { req2_t in; rep1_t out; } m;
	rpc_head(&m.in.head, master, ID_I386_IO_PERM_CREATE, 0);
	m.in.a = w_i16(from);
	m.in.b = w_i16(to);
	kern_return_t r = CALL(m, rpc_reply_port);
	*perm = r ? MACH_PORT_NULL : m.out.a.v;
	return r;
}

kern_return_t i386_io_perm_modify(mach_port_t task, mach_port_t perm, boolean_t enable)
{
	union { req2_t in; mig_reply_header_t out; } m;
	rpc_head(&m.in.head, task, ID_I386_IO_PERM_MODIFY, 1);
	m.in.a = w_port(perm, MACH_MSG_TYPE_COPY_SEND);
	m.in.b = w_bool(enable);
	return CALL(m, rpc_reply_ret);
}
