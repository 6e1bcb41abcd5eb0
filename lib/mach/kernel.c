/* Client stubs for the kernel's task, thread, vm, port, host, gsync and i386
 * interfaces.  Definitions in include/mach/kernel_msgs.h. */
#include "mach/rpc_util.h"

/* Reply layouts for messages built by hand (tests that forge requests). */
const struct msg_field rpc_reply_ret[1] = { MSGF_INT32 };
const struct msg_field rpc_reply_port[2] = { MSGF_INT32, MSGF_SEND };
const struct msg_field rpc_reply_int[2] = { MSGF_INT32, MSGF_INT32 };
const struct msg_field rpc_reply_name[2] = { MSGF_INT32, MSGF_PORT_NAME };
const struct msg_field rpc_reply_ool[2] = { MSGF_INT32, MSGF_OOL_DATA };

/* A routine with no arguments and no results. */
static kern_return_t call0(mach_port_t dest, const struct msg_routine *routine)
{
	union { req0_t in; mig_reply_header_t out; } m;
	return msg_call(dest, routine, &m.in.head, sizeof m.in, sizeof m, NULL);
}

kern_return_t task_terminate(mach_port_t task) { return call0(task, &task_terminate_routine); }
kern_return_t task_suspend(mach_port_t task) { return call0(task, &task_suspend_routine); }
kern_return_t task_resume(mach_port_t task) { return call0(task, &task_resume_routine); }
kern_return_t thread_suspend(mach_port_t thread) { return call0(thread, &thread_suspend_routine); }
kern_return_t thread_resume(mach_port_t thread) { return call0(thread, &thread_resume_routine); }
kern_return_t thread_abort(mach_port_t thread) { return call0(thread, &thread_abort_routine); }
kern_return_t thread_terminate(mach_port_t thread) { return call0(thread, &thread_terminate_routine); }

kern_return_t task_create(mach_port_t parent, boolean_t inherit, mach_port_t *child)
{
	union { task_create_request_t in; task_create_reply_t out; } m;
	m.in.inherit_memory = w_bool(inherit);
	kern_return_t r = MSG_CALL(parent, task_create, m, NULL);
	*child = r ? MACH_PORT_NULL : m.out.child.v;
	return r;
}

kern_return_t thread_create(mach_port_t task, mach_port_t *thread)
{
	union { thread_create_request_t in; thread_create_reply_t out; } m;
	kern_return_t r = MSG_CALL(task, thread_create, m, NULL);
	*thread = r ? MACH_PORT_NULL : m.out.thread.v;
	return r;
}

/* task_info, thread_get_state, device_get_status: a flavor and the most we
 * take in; an array of integers back. */
kern_return_t rpc_get_ints(mach_port_t dest, const struct msg_routine *routine, int flavor,
                           integer_t *out, natural_t *count)
{
	union { task_info_request_t in; task_info_reply_t out; } m;
	struct msg_arg args[2];
	m.in.flavor = w_int(flavor);
	m.in.count = w_int(*count < MSG_INT_ARRAY_MAX ? *count : MSG_INT_ARRAY_MAX);
	kern_return_t r = msg_call(dest, routine, &m.in.head, sizeof m.in, sizeof m, args);
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
	return rpc_get_ints(task, &task_info_routine, flavor, info, count);
}

kern_return_t thread_get_state(mach_port_t thread, int flavor, natural_t *state, natural_t *count)
{
	return rpc_get_ints(thread, &thread_get_state_routine, flavor, (integer_t *)state, count);
}

/* thread_set_state, device_set_status: a flavor and an array of integers. */
kern_return_t rpc_set_ints(mach_port_t dest, const struct msg_routine *routine, int flavor,
                           const integer_t *v, natural_t count)
{
	union { thread_set_state_request_t in; thread_set_state_reply_t out; } m;
	if (count > MSG_INT_ARRAY_MAX)
		return MIG_ARRAY_TOO_LARGE;
	m.in.flavor = w_int(flavor);
	m.in.state_type = MSGT_INLINE(MACH_MSG_TYPE_INTEGER_32, 32, count);
	for (natural_t i = 0; i < count; i++)
		m.in.state[i] = v[i];
	return msg_call(dest, routine, &m.in.head, offsetof(thread_set_state_request_t, state) + 4 * count,
	                sizeof m, NULL);
}

kern_return_t thread_set_state(mach_port_t thread, int flavor, const natural_t *state, natural_t count)
{
	return rpc_set_ints(thread, &thread_set_state_routine, flavor, (const integer_t *)state, count);
}

kern_return_t task_get_special_port(mach_port_t task, int which, mach_port_t *port)
{
	union { task_get_special_port_request_t in; task_get_special_port_reply_t out; } m;
	m.in.which = w_int(which);
	kern_return_t r = MSG_CALL(task, task_get_special_port, m, NULL);
	*port = r ? MACH_PORT_NULL : m.out.port.v;
	return r;
}

kern_return_t task_set_special_port(mach_port_t task, int which, mach_port_t port, unsigned disp)
{
	union { task_set_special_port_request_t in; task_set_special_port_reply_t out; } m;
	m.in.which = w_int(which);
	m.in.port = w_port(port, disp);
	return MSG_CALL(task, task_set_special_port, m, NULL);
}

kern_return_t task_set_name(mach_port_t task, const char *name)
{
	union { task_set_name_request_t in; } m;
	natural_t n = 0;
	while (name[n] && n < TASK_NAME_MAX - 1) {
		m.in.name[n] = name[n];
		n++;
	}
	m.in.name[n++] = 0;
	m.in.name_type = MSGT_INLINE(MACH_MSG_TYPE_STRING_C, 8, n);
	return msg_call(task, &task_set_name_routine, &m.in.head,
	                offsetof(task_set_name_request_t, name) + MSG_ALIGN(n), 0, NULL);
}

kern_return_t task_set_essential(mach_port_t task, boolean_t essential)
{
	union { task_set_essential_request_t in; } m;   /* a simpleroutine: no reply comes */
	m.in.essential = w_bool(essential);
	return MSG_CALL(task, task_set_essential, m, NULL);
}

kern_return_t vm_allocate(mach_port_t task, vm_offset_t *addr, vm_size_t size, boolean_t anywhere)
{
	union { vm_allocate_request_t in; vm_allocate_reply_t out; } m;
	m.in.addr = w_int(*addr);
	m.in.size = w_int(size);
	m.in.anywhere = w_bool(anywhere);
	kern_return_t r = MSG_CALL(task, vm_allocate, m, NULL);
	if (r == KERN_SUCCESS)
		*addr = m.out.addr.v;
	return r;
}

kern_return_t vm_deallocate(mach_port_t task, vm_offset_t addr, vm_size_t size)
{
	union { vm_deallocate_request_t in; vm_deallocate_reply_t out; } m;
	m.in.addr = w_int(addr);
	m.in.size = w_int(size);
	return MSG_CALL(task, vm_deallocate, m, NULL);
}

kern_return_t vm_protect(mach_port_t task, vm_offset_t addr, vm_size_t size, boolean_t set_max, vm_prot_t prot)
{
	union { vm_protect_request_t in; vm_protect_reply_t out; } m;
	m.in.addr = w_int(addr);
	m.in.size = w_int(size);
	m.in.set_max = w_bool(set_max);
	m.in.prot = w_int(prot);
	return MSG_CALL(task, vm_protect, m, NULL);
}

kern_return_t vm_map(mach_port_t task, vm_offset_t *addr, vm_size_t size, vm_offset_t mask,
                     boolean_t anywhere, mach_port_t memobj, vm_offset_t offset, boolean_t copy,
                     vm_prot_t cur, vm_prot_t max, int inherit)
{
	union { vm_map_request_t in; vm_map_reply_t out; } m;
	m.in.addr = w_int(*addr);
	m.in.size = w_int(size);
	m.in.mask = w_int(mask);
	m.in.anywhere = w_bool(anywhere);
	m.in.memobj = w_port(memobj, MACH_MSG_TYPE_COPY_SEND);
	m.in.offset = w_int(offset);
	m.in.copy = w_bool(copy);
	m.in.cur = w_int(cur);
	m.in.max = w_int(max);
	m.in.inherit = w_int(inherit);
	kern_return_t r = MSG_CALL(task, vm_map, m, NULL);
	if (r == KERN_SUCCESS)
		*addr = m.out.addr.v;
	return r;
}

kern_return_t vm_read(mach_port_t task, vm_offset_t addr, vm_size_t size, vm_offset_t *data, vm_size_t *count)
{
	union { vm_read_request_t in; vm_read_reply_t out; } m;
	m.in.addr = w_int(addr);
	m.in.size = w_int(size);
	kern_return_t r = MSG_CALL(task, vm_read, m, NULL);
	if (r == KERN_SUCCESS) {
		*data = m.out.data.addr;
		*count = m.out.data.type.msgtl_number;
	}
	return r;
}

kern_return_t vm_write(mach_port_t task, vm_offset_t addr, const void *data, vm_size_t size)
{
	union { vm_write_request_t in; vm_write_reply_t out; } m;
	m.in.addr = w_int(addr);
	m.in.data = w_ool(data, size);
	return MSG_CALL(task, vm_write, m, NULL);
}

kern_return_t vm_copy(mach_port_t task, vm_offset_t src, vm_size_t size, vm_offset_t dst)
{
	union { vm_copy_request_t in; vm_copy_reply_t out; } m;
	m.in.src = w_int(src);
	m.in.size = w_int(size);
	m.in.dst = w_int(dst);
	return MSG_CALL(task, vm_copy, m, NULL);
}

kern_return_t vm_statistics(mach_port_t task, struct vm_statistics *st)
{
	union { vm_statistics_request_t in; vm_statistics_reply_t out; } m;
	kern_return_t r = MSG_CALL(task, vm_statistics, m, NULL);
	if (r == KERN_SUCCESS) {
		st->pagesize = m.out.stats[0];
		st->free_count = m.out.stats[1];
		st->active_count = m.out.stats[2];
		st->inactive_count = m.out.stats[3];
		st->wire_count = m.out.stats[4];
	}
	return r;
}

kern_return_t vm_allocate_contiguous(mach_port_t host_priv, mach_port_t task, vm_offset_t *vaddr,
                                     rpc_phys_addr_t *paddr, vm_size_t size, rpc_phys_addr_t pmin,
                                     rpc_phys_addr_t pmax, rpc_phys_addr_t palign)
{
	union { vm_allocate_contiguous_request_t in; vm_allocate_contiguous_reply_t out; } m;
	m.in.task = w_port(task, MACH_MSG_TYPE_COPY_SEND);
	m.in.size = w_int(size);
	m.in.pmin = w_u64(pmin);
	m.in.pmax = w_u64(pmax);
	m.in.palign = w_u64(palign);
	kern_return_t r = MSG_CALL(host_priv, vm_allocate_contiguous, m, NULL);
	if (r == KERN_SUCCESS) {
		*vaddr = m.out.vaddr.v;
		*paddr = m.out.paddr.v;
	}
	return r;
}

kern_return_t mach_port_allocate(mach_port_t task, int right, mach_port_t *name)
{
	union { mach_port_allocate_request_t in; mach_port_allocate_reply_t out; } m;
	m.in.right = w_int(right);
	kern_return_t r = MSG_CALL(task, mach_port_allocate, m, NULL);
	*name = r ? MACH_PORT_NULL : m.out.name.v;
	return r;
}

kern_return_t mach_port_destroy(mach_port_t task, mach_port_t name)
{
	union { mach_port_destroy_request_t in; mach_port_destroy_reply_t out; } m;
	m.in.name = w_name(name);
	return MSG_CALL(task, mach_port_destroy, m, NULL);
}

kern_return_t mach_port_deallocate(mach_port_t task, mach_port_t name)
{
	union { mach_port_deallocate_request_t in; mach_port_deallocate_reply_t out; } m;
	m.in.name = w_name(name);
	return MSG_CALL(task, mach_port_deallocate, m, NULL);
}

kern_return_t mach_port_type(mach_port_t task, mach_port_t name, natural_t *type)
{
	union { mach_port_type_request_t in; mach_port_type_reply_t out; } m;
	m.in.name = w_name(name);
	kern_return_t r = MSG_CALL(task, mach_port_type, m, NULL);
	*type = r ? 0 : m.out.type.v;
	return r;
}

kern_return_t mach_port_mod_refs(mach_port_t task, mach_port_t name, int right, int delta)
{
	union { mach_port_mod_refs_request_t in; mach_port_mod_refs_reply_t out; } m;
	m.in.name = w_name(name);
	m.in.right = w_int(right);
	m.in.delta = w_int(delta);
	return MSG_CALL(task, mach_port_mod_refs, m, NULL);
}

kern_return_t mach_port_insert_right(mach_port_t task, mach_port_t name, mach_port_t right, unsigned disp)
{
	union { mach_port_insert_right_request_t in; mach_port_insert_right_reply_t out; } m;
	m.in.name = w_name(name);
	m.in.poly = w_port(right, disp);
	return MSG_CALL(task, mach_port_insert_right, m, NULL);
}

kern_return_t mach_port_move_member(mach_port_t task, mach_port_t member, mach_port_t set)
{
	union { mach_port_move_member_request_t in; mach_port_move_member_reply_t out; } m;
	m.in.member = w_name(member);
	m.in.after = w_name(set);
	return MSG_CALL(task, mach_port_move_member, m, NULL);
}

kern_return_t mach_port_request_notification(mach_port_t task, mach_port_t name, int id,
                                             natural_t sync, mach_port_t notify,
                                             unsigned notify_disp, mach_port_t *previous)
{
	union { mach_port_request_notification_request_t in; mach_port_request_notification_reply_t out; } m;
	m.in.name = w_name(name);
	m.in.id = w_int(id);
	m.in.sync = w_int(sync);
	m.in.notify = w_port(notify, notify_disp);
	kern_return_t r = MSG_CALL(task, mach_port_request_notification, m, NULL);
	*previous = r ? MACH_PORT_NULL : m.out.previous.v;
	return r;
}

kern_return_t host_get_time(mach_port_t host, struct time_value *now)
{
	union { host_get_time_request_t in; host_get_time_reply_t out; } m;
	kern_return_t r = MSG_CALL(host, host_get_time, m, NULL);
	if (r == KERN_SUCCESS) {
		now->seconds = m.out.time[0];
		now->microseconds = m.out.time[1];
	}
	return r;
}

kern_return_t host_reboot(mach_port_t host_priv, int options)
{
	union { host_reboot_request_t in; host_reboot_reply_t out; } m;
	m.in.options = w_int(options);
	return MSG_CALL(host_priv, host_reboot, m, NULL);
}

kern_return_t gsync_wait(mach_port_t task, vm_offset_t addr, unsigned val1, unsigned val2,
                         natural_t msec, int flags)
{
	union { gsync_wait_request_t in; gsync_wait_reply_t out; } m;
	m.in.addr = w_int(addr);
	m.in.val1 = w_int(val1);
	m.in.val2 = w_int(val2);
	m.in.msec = w_int(msec);
	m.in.flags = w_int(flags);
	return MSG_CALL(task, gsync_wait, m, NULL);
}

kern_return_t gsync_wake(mach_port_t task, vm_offset_t addr, unsigned val, int flags)
{
	union { gsync_wake_request_t in; } m;           /* a simpleroutine */
	m.in.addr = w_int(addr);
	m.in.val = w_int(val);
	m.in.flags = w_int(flags);
	return MSG_CALL(task, gsync_wake, m, NULL);
}

kern_return_t i386_io_perm_create(mach_port_t master, unsigned from, unsigned to, mach_port_t *perm)
{
	union { i386_io_perm_create_request_t in; i386_io_perm_create_reply_t out; } m;
	m.in.from = w_i16(from);
	m.in.to = w_i16(to);
	kern_return_t r = MSG_CALL(master, i386_io_perm_create, m, NULL);
	*perm = r ? MACH_PORT_NULL : m.out.io_perm.v;
	return r;
}

kern_return_t i386_io_perm_modify(mach_port_t task, mach_port_t perm, boolean_t enable)
{
	union { i386_io_perm_modify_request_t in; i386_io_perm_modify_reply_t out; } m;
	m.in.io_perm = w_port(perm, MACH_MSG_TYPE_COPY_SEND);
	m.in.enable = w_bool(enable);
	return MSG_CALL(task, i386_io_perm_modify, m, NULL);
}
