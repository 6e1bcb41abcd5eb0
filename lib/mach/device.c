/* Client stubs for the Mach device protocol (include/mach/device_msgs.h). */
#include "mach/rpc_util.h"
#include "mach/device_msgs.h"


kern_return_t device_open(mach_port_t master, unsigned mode, const char *name, mach_port_t *dev)
{
	union { device_open_request_t in; device_open_reply_t out; } m;
	size_t n = 0;
	rpc_head(&m.in.head, master, ID_DEVICE_OPEN, 0);
	m.in.mode = w_int(mode);
	m.in.name_type = MSGT_LONG(MACH_MSG_TYPE_STRING_C, 8 * DEV_NAME_MAX, 1);
	for (; name[n] && n < DEV_NAME_MAX - 1; n++)
		m.in.name[n] = name[n];
	if (name[n])
		return D_NO_SUCH_DEVICE;        /* longer than any device name can be */
	for (; n < DEV_NAME_MAX; n++)
		m.in.name[n] = 0;
	kern_return_t r = mach_rpc(&m.in.head, sizeof m.in, sizeof m, rpc_reply_port, 2, NULL);
	*dev = r ? MACH_PORT_NULL : m.out.a.v;
	return r;
}

kern_return_t device_close(mach_port_t dev)
{
	union { req0_t in; mig_reply_header_t out; } m;
	rpc_head(&m.in.head, dev, ID_DEVICE_CLOSE, 0);
	return mach_rpc(&m.in.head, sizeof m.in, sizeof m, rpc_reply_ret, 1, NULL);
}

kern_return_t device_write(mach_port_t dev, unsigned mode, natural_t recnum,
                           const void *data, vm_size_t size, vm_size_t *written)
{
	union { device_write_request_t in; device_write_reply_t out; } m;
	rpc_head(&m.in.head, dev, ID_DEVICE_WRITE, 1);
	m.in.mode = w_int(mode);
	m.in.recnum = w_int(recnum);
	m.in.data = w_ool(data, size);
	kern_return_t r = mach_rpc(&m.in.head, sizeof m.in, sizeof m, rpc_reply_int, 2, NULL);
	*written = r ? 0 : m.out.a.v;
	return r;
}

kern_return_t device_write_inband(mach_port_t dev, unsigned mode, natural_t recnum,
                                  const void *data, vm_size_t size, vm_size_t *written)
{
	union { device_write_inband_request_t in; device_write_reply_t out; } m;
	if (size > DEV_INBAND_MAX)
		return MIG_ARRAY_TOO_LARGE;
	rpc_head(&m.in.head, dev, ID_DEVICE_WRITE_INBAND, 0);
	m.in.mode = w_int(mode);
	m.in.recnum = w_int(recnum);
	m.in.data_type = MSGT_INLINE(MACH_MSG_TYPE_CHAR, 8, size);
	for (vm_size_t i = 0; i < size; i++)
		m.in.data[i] = ((const char *)data)[i];
	kern_return_t r = mach_rpc(&m.in.head, offsetof(device_write_inband_request_t, data) + MSG_ALIGN(size),
	                           sizeof m, rpc_reply_int, 2, NULL);
	*written = r ? 0 : m.out.a.v;
	return r;
}

kern_return_t device_read(mach_port_t dev, unsigned mode, natural_t recnum, vm_size_t want,
                          vm_offset_t *data, vm_size_t *got)
{
	union { device_read_request_t in; device_read_reply_t out; } m;
	rpc_head(&m.in.head, dev, ID_DEVICE_READ, 0);
	m.in.a = w_int(mode);
	m.in.b = w_int(recnum);
	m.in.c = w_int(want);
	kern_return_t r = mach_rpc(&m.in.head, sizeof m.in, sizeof m, rpc_reply_ool, 2, NULL);
	*data = r ? 0 : m.out.data.addr;
	*got = r ? 0 : m.out.data.type.msgtl_number;
	return r;
}

kern_return_t device_read_inband(mach_port_t dev, unsigned mode, natural_t recnum, vm_size_t want,
                                 void *buf, vm_size_t *got)
{
	union { device_read_request_t in; device_read_inband_reply_t out; } m;
	struct msg_arg args[2];
	static const struct msg_field reply[2] = { MSGF_INT32, MSGF_CHARS(DEV_INBAND_MAX) };
	rpc_head(&m.in.head, dev, ID_DEVICE_READ_INBAND, 0);
	m.in.a = w_int(mode);
	m.in.b = w_int(recnum);
	m.in.c = w_int(want);
	kern_return_t r = mach_rpc(&m.in.head, sizeof m.in, sizeof m, reply, 2, args);
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
	return rpc_get_ints(dev, ID_DEVICE_GET_STATUS, flavor, status, count);
}

kern_return_t device_set_status(mach_port_t dev, int flavor, const integer_t *status, natural_t count)
{
	return rpc_set_ints(dev, ID_DEVICE_SET_STATUS, flavor, status, count);
}

kern_return_t device_map(mach_port_t dev, vm_prot_t prot, vm_offset_t offset, vm_size_t size,
                         mach_port_t *pager, int unmap)
{
	union { device_map_request_t in; device_map_reply_t out; } m;
	rpc_head(&m.in.head, dev, ID_DEVICE_MAP, 0);
	m.in.a = w_int(prot);
	m.in.b = w_int(offset);
	m.in.c = w_int(size);
	m.in.d = w_int(unmap);
	kern_return_t r = mach_rpc(&m.in.head, sizeof m.in, sizeof m, rpc_reply_port, 2, NULL);
	*pager = r ? MACH_PORT_NULL : m.out.a.v;
	return r;
}

kern_return_t device_intr_register(mach_port_t irqdev, int id, int flags, mach_port_t port, unsigned disp)
{
	union { device_intr_register_request_t in; mig_reply_header_t out; } m;
	rpc_head(&m.in.head, irqdev, ID_DEVICE_INTR_REGISTER, 1);
	m.in.a = w_int(id);
	m.in.b = w_int(flags);
	m.in.c = w_port(port, disp);
	return mach_rpc(&m.in.head, sizeof m.in, sizeof m, rpc_reply_ret, 1, NULL);
}

kern_return_t device_intr_ack(mach_port_t irqdev, mach_port_t port, unsigned disp)
{
	union { device_intr_ack_request_t in; mig_reply_header_t out; } m;
	rpc_head(&m.in.head, irqdev, ID_DEVICE_INTR_ACK, 1);
	m.in.a = w_port(port, disp);
	return mach_rpc(&m.in.head, sizeof m.in, sizeof m, rpc_reply_ret, 1, NULL);
}
