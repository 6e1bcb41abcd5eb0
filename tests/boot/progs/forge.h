/* Forged kernel notifications (issue 17, hole 2): what any client that
 * holds a send right to a port can send it.  The kernel sends its
 * notifications only to the ports a server asked it to, which no client
 * holds, so a server must answer these as unknown requests (MIG_BAD_ID
 * when they carry a reply port) and change nothing.  srvtest sends them to
 * its own server's ports; attack_notify to every server port it holds. */
#ifndef FORGE_H
#define FORGE_H

#include "mach/mach.h"
#include "mach/rpc_util.h"

enum { FORGE_NO_SENDERS, FORGE_DEAD_NAME, FORGE_PORT_DESTROYED, FORGE_KINDS };
static const char *const forge_names[FORGE_KINDS] = { "no-senders", "dead-name", "port-destroyed" };

/* Sends forgery KIND to DEST: as the kernel does (no reply port) when ASK
 * is 0, and returns whether it was sent; with a reply port when ASK is 1,
 * and returns the answer's code within 10 s (MACH_RCV_TIMED_OUT if none).
 * The dead-name forgery names NAME; the port-destroyed one moves a fresh
 * receive right, which the server must give back. */
static kern_return_t forge(mach_port_t dest, int kind, int ask, mach_port_t name)
{
	union { req1_t in; mig_reply_header_t out; } m;
	static const mach_msg_id_t ids[FORGE_KINDS] = {
		MACH_NOTIFY_NO_SENDERS, MACH_NOTIFY_DEAD_NAME, MACH_NOTIFY_PORT_DESTROYED };
	rpc_head(&m.in.head, dest, ids[kind], kind == FORGE_PORT_DESTROYED);
	if (kind == FORGE_NO_SENDERS) {
		m.in.a = w_int(1);                  /* the make-send count */
	} else if (kind == FORGE_DEAD_NAME) {
		m.in.a = w_name(name);
	} else {
		mach_port_t right;
		if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &right))
			return KERN_RESOURCE_SHORTAGE;
		m.in.a = w_port(right, MACH_MSG_TYPE_MOVE_RECEIVE);
	}
	if (!ask)
		return mach_send(&m.in.head, sizeof m.in);
	mach_rpc_set_timeout(10000);
	kern_return_t r = mach_rpc(&m.in.head, sizeof m.in, sizeof m, rpc_reply_ret, 1, NULL);
	mach_rpc_set_timeout(0);
	return r;
}

/* Sends every forgery to DEST both ways; returns how many of the asked
 * ones were answered MIG_BAD_ID (FORGE_KINDS when all were). */
static inline int forge_all(mach_port_t dest, mach_port_t name)
{
	int refused = 0;
	for (int k = 0; k < FORGE_KINDS; k++) {
		forge(dest, k, 0, name);
		refused += forge(dest, k, 1, name) == MIG_BAD_ID;
	}
	return refused;
}

#endif
