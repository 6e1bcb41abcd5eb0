/* Client stubs for the Mach device protocol (include/mach/device_msgs.h). */
#include "mach/rpc_util.h"
#include "mach/device_msgs.h"


kern_return_t device_open(mach_port_t master, unsigned mode, const char *name, mach_port_t *dev)
{
	union { device_open_request_t in; device_open_reply_t out; } m;
	size_t n = 0;
	m.in.mode = w_int(mode);
	m.in.name_type = MSGT_LONG(MACH_MSG_TYPE_STRING_C, 8 * DEV_NAME_MAX, 1);
	for (; name[n] && n < DEV_NAME_MAX - 1; n++)
		m.in.name[n] = name[n];
	if (name[n])
		return D_NO_SUCH_DEVICE;        /* longer than any device name can be */
	for (; n < DEV_NAME_MAX; n++)
		m.in.name[n] = 0;
	kern_return_t r = MSG_CALL(master, device_open, m, NULL);
	*dev = r ? MACH_PORT_NULL : m.out.device.v;
	return r;
}

kern_return_t device_close(mach_port_t dev)
{
	union { device_close_request_t in; device_close_reply_t out; } m;
	return MSG_CALL(dev, device_close, m, NULL);
}

kern_return_t device_write(mach_port_t dev, unsigned mode, natural_t recnum,
                           const void *data, vm_size_t size, vm_size_t *written)
{
	union { device_write_request_t in; device_write_reply_t out; } m;
	m.in.mode = w_int(mode);
	m.in.recnum = w_int(recnum);
	m.in.data = w_ool(data, size);
	kern_return_t r = MSG_CALL(dev, device_write, m, NULL);
	*written = r ? 0 : m.out.written.v;
	return r;
}

kern_return_t device_write_inband(mach_port_t dev, unsigned mode, natural_t recnum,
                                  const void *data, vm_size_t size, vm_size_t *written)
{
	union { device_write_inband_request_t in; device_write_inband_reply_t out; } m;
	if (size > DEV_INBAND_MAX)
		return MIG_ARRAY_TOO_LARGE;
	m.in.mode = w_int(mode);
	m.in.recnum = w_int(recnum);
	m.in.data_type = MSGT_INLINE(MACH_MSG_TYPE_CHAR, 8, size);
	for (vm_size_t i = 0; i < size; i++)
		m.in.data[i] = ((const char *)data)[i];
	kern_return_t r = msg_call(dev, &device_write_inband_routine, &m.in.head,
	                           offsetof(device_write_inband_request_t, data) + MSG_ALIGN(size),
	                           sizeof m, NULL);
	*written = r ? 0 : m.out.written.v;
	return r;
}

kern_return_t device_read(mach_port_t dev, unsigned mode, natural_t recnum, vm_size_t want,
                          vm_offset_t *data, vm_size_t *got)
{
	union { device_read_request_t in; device_read_reply_t out; } m;
	m.in.mode = w_int(mode);
	m.in.recnum = w_int(recnum);
	m.in.bytes = w_int(want);
	kern_return_t r = MSG_CALL(dev, device_read, m, NULL);
	*data = r ? 0 : m.out.data.addr;
	*got = r ? 0 : m.out.data.type.msgtl_number;
	return r;
}

kern_return_t device_read_inband(mach_port_t dev, unsigned mode, natural_t recnum, vm_size_t want,
                                 void *buf, vm_size_t *got)
{
	union { device_read_inband_request_t in; device_read_inband_reply_t out; } m;
	struct msg_arg args[2];
	m.in.mode = w_int(mode);
	m.in.recnum = w_int(recnum);
	m.in.bytes = w_int(want);
	kern_return_t r = MSG_CALL(dev, device_read_inband, m, args);
	*got = 0;
	if (r)
		return r;
	if (args[1].count > want)
		return MIG_ARRAY_TOO_LARGE;
	for (natural_t i = 0; i < args[1].count; i++)
		((char *)buf)[i] = m.out.data[i];
	*got = args[1].count;
	return KERN_SUCCESS;
}

kern_return_t device_get_status(mach_port_t dev, int flavor, integer_t *status, natural_t *count)
{
	return rpc_get_ints(dev, &device_get_status_routine, flavor, status, count);
}

kern_return_t device_set_status(mach_port_t dev, int flavor, const integer_t *status, natural_t count)
{
	return rpc_set_ints(dev, &device_set_status_routine, flavor, status, count);
}

kern_return_t device_map(mach_port_t dev, vm_prot_t prot, vm_offset_t offset, vm_size_t size,
                         mach_port_t *pager, int unmap)
{
	union { device_map_request_t in; device_map_reply_t out; } m;
	m.in.prot = w_int(prot);
	m.in.offset = w_int(offset);
	m.in.size = w_int(size);
	m.in.unmap = w_int(unmap);
	kern_return_t r = MSG_CALL(dev, device_map, m, NULL);
	*pager = r ? MACH_PORT_NULL : m.out.pager.v;
	return r;
}

kern_return_t device_intr_register(mach_port_t irqdev, int id, int flags, mach_port_t port, unsigned disp)
{
	union { device_intr_register_request_t in; device_intr_register_reply_t out; } m;
	m.in.id = w_int(id);
	m.in.flags = w_int(flags);
	m.in.receive_port = w_port(port, disp);
	return MSG_CALL(irqdev, device_intr_register, m, NULL);
}

kern_return_t device_intr_ack(mach_port_t irqdev, mach_port_t port, unsigned disp)
{
	union { device_intr_ack_request_t in; device_intr_ack_reply_t out; } m;
	m.in.receive_port = w_port(port, disp);
	return MSG_CALL(irqdev, device_intr_ack, m, NULL);
}
