/* Small builders shared by the client stubs in lib/mach: typed words,
 * request headers and the reply layouts they expect. */
#ifndef MACH_RPC_UTIL_H
#define MACH_RPC_UTIL_H

#include "mach/mach.h"
#include "mach/msgcheck.h"
#include "mach/kernel_msgs.h"

static inline void rpc_head(mach_msg_header_t *h, mach_port_t dest, mach_msg_id_t id, int complex)
{
	h->msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0) | (complex ? MACH_MSGH_BITS_COMPLEX : 0);
	h->msgh_remote_port = dest;
	h->msgh_local_port = MACH_PORT_NULL;
	h->msgh_seqno = 0;
	h->msgh_id = id;
}

static inline msg_word_t w_int(natural_t v) { return (msg_word_t){ MSGT_INT32, v }; }
static inline msg_word_t w_i16(natural_t v) { return (msg_word_t){ MSGT_INLINE(MACH_MSG_TYPE_INTEGER_16, 16, 1), v }; }
static inline msg_word_t w_bool(natural_t v) { return (msg_word_t){ MSGT_INLINE(MACH_MSG_TYPE_BOOLEAN, 32, 1), v }; }
static inline msg_word_t w_name(mach_port_t n) { return (msg_word_t){ MSGT_INLINE(MACH_MSG_TYPE_PORT_NAME, 32, 1), n }; }
static inline msg_word_t w_port(mach_port_t p, unsigned disp) { return (msg_word_t){ MSGT_PORT(disp), p }; }
static inline msg_dword_t w_u64(rpc_u64 v) { return (msg_dword_t){ MSGT_INLINE(MACH_MSG_TYPE_INTEGER_64, 64, 1), v }; }
static inline msg_ool_t w_ool(const void *data, vm_size_t size)
{
	msg_ool_t o = { MSGT_LONG(MACH_MSG_TYPE_INTEGER_8, 8, size), (vm_offset_t)(uintptr_t)data };
	o.type.msgtl_header.msgt_inline = 0;   /* MSGT_LONG is inline; this data is out of line */
	return o;
}

/* A routine taking a flavor and the most it may return, and returning an
 * integer array (task_info, thread_get_state, device_get_status). */
kern_return_t rpc_get_ints(mach_port_t dest, const struct msg_routine *routine, int flavor,
                           integer_t *out, natural_t *count);
/* A routine taking a flavor and an integer array (thread_set_state,
 * device_set_status). */
kern_return_t rpc_set_ints(mach_port_t dest, const struct msg_routine *routine, int flavor,
                           const integer_t *v, natural_t count);

/* Reply layouts, the return code first, for messages built by hand (tests
 * that forge requests); the stubs check replies against their routine's
 * definition (mach/defs.h). */
#define MSGF_PORT_NAME { MACH_MSG_TYPE_PORT_NAME, 32, 0, 1 }
#define MSGF_OOL_DATA  { MACH_MSG_TYPE_INTEGER_8, 8, MSGF_OOL | MSGF_LONG | MSGF_VAR, 0xffffffffu }
extern const struct msg_field rpc_reply_ret[1], rpc_reply_port[2], rpc_reply_int[2],
	rpc_reply_name[2], rpc_reply_ool[2];

#endif
