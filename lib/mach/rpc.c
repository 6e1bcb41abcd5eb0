/* The message layer: mach_msg with interrupted receives retried, one RPC
 * routine that every client stub goes through, and message destruction. */
#include "mach/mach.h"
#include "mach/msgcheck.h"
#include "mach/defs.h"
#include "rt/rt.h"
#include "rt/tls.h"

mach_port_t mach_task_self_;

mach_msg_return_t mach_msg(mach_msg_header_t *msg, mach_msg_option_t option,
                           mach_msg_size_t send_size, mach_msg_size_t rcv_size,
                           mach_port_t rcv_name, mach_msg_timeout_t timeout,
                           mach_port_t notify)
{
	mach_msg_return_t r = mach_msg_trap(msg, option, send_size, rcv_size,
	                                    rcv_name, timeout, notify);
	/* the send half is done once it got past SEND; only receive again */
	while (r == MACH_RCV_INTERRUPTED || (r == MACH_SEND_INTERRUPTED && (option & MACH_SEND_MSG))) {
		if (r == MACH_RCV_INTERRUPTED)
			option &= ~MACH_SEND_MSG;
		r = mach_msg_trap(msg, option, send_size, rcv_size, rcv_name, timeout, notify);
	}
	return r;
}

/* Until crt0 has moved onto a stack with a thread_local page, RPCs use this. */
mach_port_t rpc_boot_reply_port;

mach_port_t mach_thread_reply_port(void)
{
	if (rpc_boot_reply_port != MACH_PORT_NULL)
		return rpc_boot_reply_port;
	struct thread_local *t = thread_local();
	if (t->reply_port == MACH_PORT_NULL)
		t->reply_port = mach_reply_port();
	return t->reply_port;
}

/* A reply that came late would land on the next RPC: start a fresh port. */
static void reset_reply_port(void)
{
	if (rpc_boot_reply_port != MACH_PORT_NULL) {
		mach_port_mod_refs(mach_task_self(), rpc_boot_reply_port, MACH_PORT_RIGHT_RECEIVE, -1);
		rpc_boot_reply_port = mach_reply_port();
		return;
	}
	struct thread_local *t = thread_local();
	if (t->reply_port != MACH_PORT_NULL)
		mach_port_mod_refs(mach_task_self(), t->reply_port, MACH_PORT_RIGHT_RECEIVE, -1);
	t->reply_port = MACH_PORT_NULL;
}

void mach_rpc_set_timeout(unsigned ms)
{
	thread_local()->rpc_timeout_ms = ms;
}

static unsigned rpc_timeout(void)
{
	return rpc_boot_reply_port != MACH_PORT_NULL ? 0 : thread_local()->rpc_timeout_ms;
}

kern_return_t mach_rpc(mach_msg_header_t *m, mach_msg_size_t send_size,
                       mach_msg_size_t rcv_size, const struct msg_field *reply,
                       unsigned nreply, struct msg_arg *args)
{
	struct msg_arg local[12];   /* the most any reply has (vm_region: 9) */
	mach_msg_id_t id = m->msgh_id;
	mach_port_t rp = mach_thread_reply_port();
	unsigned ms = rpc_timeout();
	mach_msg_option_t timeouts = ms ? MACH_SEND_TIMEOUT | MACH_RCV_TIMEOUT : 0;

	m->msgh_bits |= MACH_MSGH_BITS(0, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m->msgh_local_port = rp;
	m->msgh_size = send_size;
	kern_return_t r = mach_msg(m, MACH_SEND_MSG | MACH_RCV_MSG | timeouts, send_size, rcv_size, rp, ms, 0);
	if (r == MACH_SEND_TIMED_OUT) {
		/* the destination's queue stayed full: the kernel gave the request
		 * back as if we had received it (ipc_kmsg_copyout_pseudo), with a
		 * send-once right to our reply port as its local port */
		if (MACH_PORT_VALID(m->msgh_local_port))
			mach_port_deallocate(mach_task_self(), m->msgh_local_port);
		mach_msg_destroy(m);
		reset_reply_port();      /* and the send-once notification with it */
		return r;
	}
	if (r != MACH_MSG_SUCCESS) {
		if (r >= MACH_RCV_IN_PROGRESS && r <= MACH_RCV_BODY_ERROR)
			reset_reply_port();
		return r;
	}
	if (m->msgh_id != MSG_REPLY_ID(id)) {
		mach_msg_destroy(m);
		return MIG_REPLY_MISMATCH;
	}
	mig_reply_header_t *rh = (mig_reply_header_t *)m;
	if (m->msgh_size == sizeof *rh && !(m->msgh_bits & MACH_MSGH_BITS_COMPLEX)
	    && rh->ret_type.msgt_name == MACH_MSG_TYPE_INTEGER_32 && rh->ret != KERN_SUCCESS)
		return rh->ret;
	if ((!args && nreply > sizeof local / sizeof local[0]) || msg_parse(m, reply, nreply, args ? args : local) != 0) {
		mach_msg_destroy(m);
		return MIG_TYPE_ERROR;
	}
	if (rh->ret != KERN_SUCCESS) {
		mach_msg_destroy(m);
		return rh->ret;
	}
	return KERN_SUCCESS;
}

kern_return_t msg_call(mach_port_t dest, const struct msg_routine *r, mach_msg_header_t *m,
                       mach_msg_size_t send_size, mach_msg_size_t rcv_size, struct msg_arg *args)
{
	int complex = 0;
	for (unsigned i = 0; i < r->nreq; i++)
		complex |= MACH_MSG_TYPE_PORT_ANY(r->req[i].name) || (r->req[i].flags & MSGF_OOL);
	m->msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0) | (complex ? MACH_MSGH_BITS_COMPLEX : 0);
	m->msgh_remote_port = dest;
	m->msgh_local_port = MACH_PORT_NULL;
	m->msgh_seqno = 0;
	m->msgh_id = r->id;
	m->msgh_size = send_size;
	int bad = msg_check_sent(m, r->req, r->nreq);
	if (bad >= 0) {
		say("%s: my request's field %s does not match its definition: not sent", r->name,
		    msg_req_name(r, (unsigned)bad));
		return MIG_BAD_ARGUMENTS;
	}
	if (r->simple)
		return mach_send(m, send_size);
	return mach_rpc(m, send_size, rcv_size, r->rep, r->nrep, args);
}

kern_return_t mach_send(mach_msg_header_t *m, mach_msg_size_t size)
{
	m->msgh_local_port = MACH_PORT_NULL;
	m->msgh_size = size;
	return mach_msg(m, MACH_SEND_MSG, size, 0, MACH_PORT_NULL, 0, 0);
}

static void drop_port(mach_port_t name, unsigned type)
{
	if (type == MACH_MSG_TYPE_PORT_RECEIVE)
		mach_port_mod_refs(mach_task_self(), name, MACH_PORT_RIGHT_RECEIVE, -1);
	else
		mach_port_deallocate(mach_task_self(), name);
}

static void drop_mem(vm_offset_t addr, vm_size_t size)
{
	vm_deallocate(mach_task_self(), addr, size);
}

void mach_msg_destroy(mach_msg_header_t *m)
{
	unsigned remote = MACH_MSGH_BITS_REMOTE(m->msgh_bits);
	if (MACH_PORT_VALID(m->msgh_remote_port) && MACH_MSG_TYPE_PORT_ANY(remote))
		drop_port(m->msgh_remote_port, remote);
	m->msgh_remote_port = MACH_PORT_NULL;
	msg_release(m, drop_port, drop_mem);
}
