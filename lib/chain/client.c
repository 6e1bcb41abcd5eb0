/* Client side of the chain protocol (include/chain/proto.h). */
#include "chain/chain.h"
#include "mach/rpc_util.h"
#include "rt/rt.h"

static mach_msg_type_long_t string_type(size_t bytes)
{
	return MSGT_LONG(MACH_MSG_TYPE_STRING_C, 8 * bytes, 1);
}

kern_return_t chain_get_console(mach_port_t up, mach_port_t *console)
{
	union { chain_get_console_request_t in; chain_get_console_reply_t out; } m;
	kern_return_t r = MSG_CALL(up, chain_get_console, m, NULL);
	*console = r ? MACH_PORT_NULL : m.out.console.v;
	return r;
}

kern_return_t chain_report(mach_port_t up, int status, const char *name, const char *text)
{
	union { chain_report_request_t in; chain_report_reply_t out; } m;
	memset(&m, 0, sizeof m);
	m.in.status = w_int(status);
	m.in.name_type = string_type(CHAIN_NAME_MAX);
	strlcpy(m.in.name, name, CHAIN_NAME_MAX);
	m.in.text_type = string_type(CHAIN_TEXT_MAX);
	strlcpy(m.in.text, text, CHAIN_TEXT_MAX);
	return MSG_CALL(up, chain_report, m, NULL);
}

kern_return_t chain_path(mach_port_t up, char *path, size_t size)
{
	union { chain_path_request_t in; chain_path_reply_t out; } m;
	kern_return_t r = MSG_CALL(up, chain_path, m, NULL);
	if (r)
		return r;
	if (!msg_string_ok(m.out.path, CHAIN_TEXT_MAX))
		return MIG_TYPE_ERROR;
	strlcpy(path, m.out.path, size);
	return KERN_SUCCESS;
}

kern_return_t chain_get_pci(mach_port_t up, mach_port_t *pci)
{
	union { chain_get_pci_request_t in; chain_get_pci_reply_t out; } m;
	kern_return_t r = MSG_CALL(up, chain_get_pci, m, NULL);
	*pci = r ? MACH_PORT_NULL : m.out.pci.v;
	return r;
}

kern_return_t chain_instance(mach_port_t up, unsigned *instance)
{
	union { chain_instance_request_t in; chain_instance_reply_t out; } m;
	kern_return_t r = MSG_CALL(up, chain_instance, m, NULL);
	*instance = r ? 1 : m.out.instance.v;
	return r;
}

kern_return_t chain_halt(mach_port_t up)
{
	union { chain_halt_request_t in; chain_halt_reply_t out; } m;
	return MSG_CALL(up, chain_halt, m, NULL);
}
