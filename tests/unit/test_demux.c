/* The server library's demultiplexer: requests checked against the routine's
 * layout before a handler runs, error replies for anything malformed or
 * unknown, rights and memory of a rejected request given back. */
#include <string.h>
#include "unit.h"
#include "server/server.h"
#include "mach/kernel_msgs.h"
#include "fs/errno.h"

static int handled, released;
static mach_port_t released_port;

static kern_return_t add(struct request *rq)
{
	const req2_t *m = (const req2_t *)rq->in;
	rep1_t *rep = (rep1_t *)rq->out;
	handled++;
	if (m->a.v == 13)
		return KERN_INVALID_VALUE;
	if (m->a.v == 14)
		return -FS_ENOSPC;      /* handlers give errno values negative */
	rep->a = (msg_word_t){ MSGT_INT32, m->a.v + m->b.v };
	rq->reply_size = sizeof *rep;
	return KERN_SUCCESS;
}

static kern_return_t take_port(struct request *rq)
{
	handled++;
	rq->reply_size = sizeof(mig_reply_header_t);
	return KERN_SUCCESS;
}

static kern_return_t notice(struct request *rq)
{
	(void)rq;
	handled++;
	return KERN_SUCCESS;
}

static void release(mach_msg_header_t *m)
{
	released++;
	const req1_t *r = (const req1_t *)m;
	if ((m->msgh_bits & MACH_MSGH_BITS_COMPLEX) && m->msgh_size >= sizeof *r)
		released_port = r->a.v;
}

static const struct msg_field two_ints[2] = { MSGF_INT32, MSGF_INT32 };
static const struct msg_field one_port[1] = { MSGF_SEND };
static const struct routine routines[] = {
	{ 5000, two_ints, 2, add, 0 },
	{ 5001, one_port, 1, take_port, 0 },
	{ 5002, two_ints, 2, notice, 1 },
};
static const struct interface iface = { "test", routines, sizeof routines / sizeof routines[0] };
static const struct interface *const ifaces[] = { &iface, NULL };
static struct port_info pi = { 77, ifaces, NULL, NULL };

static void head(mach_msg_header_t *h, mach_msg_id_t id, mach_msg_size_t size, int complex)
{
	h->msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, 0) | (complex ? MACH_MSGH_BITS_COMPLEX : 0);
	h->msgh_size = size;
	h->msgh_remote_port = 9;     /* the reply right */
	h->msgh_local_port = 77;
	h->msgh_seqno = 0;
	h->msgh_id = id;
}

static req2_t add_req(natural_t a, natural_t b)
{
	req2_t m;
	head(&m.head, 5000, sizeof m, 0);
	m.a = (msg_word_t){ MSGT_INT32, a };
	m.b = (msg_word_t){ MSGT_INT32, b };
	return m;
}

int main(void)
{
	union { rep1_t r; mig_reply_header_t e; char buf[256]; } out;

	/* a good request: handled, full reply to the reply port */
	req2_t m = add_req(2, 3);
	handled = released = 0;
	int send = server_demux(&pi, &m.head, &out.e.head, sizeof out, release);
	CHECK(send == 1 && handled == 1 && released == 0, "good request handled (send %d handled %d)", send, handled);
	CHECK(out.r.h.ret == KERN_SUCCESS && out.r.a.v == 5, "reply carries the sum (%d)", (int)out.r.a.v);
	CHECK(out.e.head.msgh_id == 5100 && out.e.head.msgh_size == sizeof(rep1_t), "reply id %d size %u",
	      out.e.head.msgh_id, out.e.head.msgh_size);
	CHECK(out.e.head.msgh_remote_port == 9
	      && MACH_MSGH_BITS_REMOTE(out.e.head.msgh_bits) == MACH_MSG_TYPE_MOVE_SEND_ONCE,
	      "reply goes to the reply right, moving it");

	/* a handler error: a short error reply, the request given back */
	m = add_req(13, 0);
	handled = released = 0;
	send = server_demux(&pi, &m.head, &out.e.head, sizeof out, release);
	CHECK(send == 1 && out.e.ret == KERN_INVALID_VALUE && out.e.head.msgh_size == 32,
	      "handler error returned as a 32-byte reply (%d)", out.e.ret);
	CHECK(released == 1, "failed request released");

	/* a handler's negative errno goes on the wire positive; Mach codes as they are */
	m = add_req(14, 0);
	send = server_demux(&pi, &m.head, &out.e.head, sizeof out, release);
	CHECK(send == 1 && out.e.ret == FS_ENOSPC && out.e.head.msgh_size == 32,
	      "-ENOSPC from the handler: the reply carries ENOSPC (%d)", out.e.ret);
	mig_reply_header_t late;
	server_reply_head(&late, sizeof late, 9, MACH_MSG_TYPE_PORT_SEND_ONCE, 5000, MIG_BAD_ARGUMENTS);
	CHECK(late.ret == MIG_BAD_ARGUMENTS && late.head.msgh_id == 5100, "a MIG code stays (%d)", late.ret);

	/* unknown id */
	m = add_req(1, 1);
	m.head.msgh_id = 4999;
	handled = released = 0;
	send = server_demux(&pi, &m.head, &out.e.head, sizeof out, release);
	CHECK(send == 1 && out.e.ret == MIG_BAD_ID && handled == 0 && released == 1, "unknown id: MIG_BAD_ID");
	CHECK(out.e.head.msgh_id == 5099, "error reply id is request id + 100");

	/* wrong type descriptor */
	m = add_req(1, 1);
	m.b.type = MSGT_INLINE(MACH_MSG_TYPE_INTEGER_16, 16, 1);
	handled = 0;
	send = server_demux(&pi, &m.head, &out.e.head, sizeof out, release);
	CHECK(send == 1 && out.e.ret == MIG_BAD_ARGUMENTS && handled == 0, "wrong type: MIG_BAD_ARGUMENTS");

	/* short message */
	m = add_req(1, 1);
	m.head.msgh_size = sizeof m - 4;
	handled = 0;
	send = server_demux(&pi, &m.head, &out.e.head, sizeof out, release);
	CHECK(send == 1 && out.e.ret == MIG_BAD_ARGUMENTS && handled == 0, "short message: MIG_BAD_ARGUMENTS");

	/* a port right where an integer belongs: refused and released */
	m = add_req(1, 1);
	m.head.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	m.a = (msg_word_t){ MSGT_PORT(MACH_MSG_TYPE_PORT_SEND), 55 };
	handled = released = 0;
	released_port = 0;
	send = server_demux(&pi, &m.head, &out.e.head, sizeof out, release);
	CHECK(send == 1 && out.e.ret == MIG_BAD_ARGUMENTS && handled == 0 && released == 1 && released_port == 55,
	      "port in place of an integer: refused, right released (port %u)", released_port);

	/* a port routine without the complex bit: the "right" was never translated */
	req1_t p;
	head(&p.head, 5001, sizeof p, 0);
	p.a = (msg_word_t){ MSGT_PORT(MACH_MSG_TYPE_PORT_SEND), 55 };
	handled = 0;
	send = server_demux(&pi, &p.head, &out.e.head, sizeof out, release);
	CHECK(send == 1 && out.e.ret == MIG_BAD_ARGUMENTS && handled == 0, "port without COMPLEX refused");
	head(&p.head, 5001, sizeof p, 1);   /* the error reply took the reply right */
	send = server_demux(&pi, &p.head, &out.e.head, sizeof out, release);
	CHECK(send == 1 && out.e.ret == KERN_SUCCESS && handled == 1, "same request with COMPLEX accepted");

	/* no reply port: nothing to send, the request dropped */
	m = add_req(1, 1);
	m.head.msgh_remote_port = MACH_PORT_NULL;
	handled = released = 0;
	send = server_demux(&pi, &m.head, &out.e.head, sizeof out, release);
	CHECK(send == 0 && handled == 0 && released == 1, "no reply port: dropped");

	/* a simple routine: handled, no reply */
	m = add_req(1, 1);
	m.head.msgh_id = 5002;
	handled = 0;
	send = server_demux(&pi, &m.head, &out.e.head, sizeof out, release);
	CHECK(send == 0 && handled == 1, "simple routine: handled, no reply");

	/* garbage of every length does not crash and always gets an error */
	union { mach_msg_header_t h; unsigned char b[96]; } g;
	unsigned seed = 1;
	int bad = 0;
	for (int i = 0; i < 20000; i++) {
		for (size_t k = 0; k < sizeof g; k++)
			g.b[k] = (unsigned char)((seed = seed * 1103515245u + 12345u) >> 16);
		head(&g.h, 5000 + (int)(seed % 3), 24 + 4 * ((seed >> 8) % 18), (int)(seed & 1));
		handled = 0;
		send = server_demux(&pi, &g.h, &out.e.head, sizeof out, release);
		if (handled && g.h.msgh_id != 5002 && !(g.h.msgh_id == 5000 && g.h.msgh_size == sizeof(req2_t))
		    && !(g.h.msgh_id == 5001 && g.h.msgh_size == sizeof(req1_t)))
			bad++;
	}
	CHECK(bad == 0, "random requests: only well-sized ones reach a handler (%d did not)", bad);
	return unit_report();
}
