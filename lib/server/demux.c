/* Request demultiplexing and checking (include/server/server.h). */
#include "server/server.h"
#include "fs/errno.h"

int msg_string_ok(const char *s, size_t max)
{
	for (size_t i = 0; i < max; i++)
		if (s[i] == 0)
			return 1;
	return 0;
}

static const struct routine *find_routine(const struct port_info *pi, mach_msg_id_t id)
{
	for (const struct interface *const *i = pi->ifaces; *i; i++)
		for (unsigned k = 0; k < (*i)->nroutines; k++)
			if ((*i)->routines[k].id == id)
				return &(*i)->routines[k];
	return 0;
}

void server_reply_head(mig_reply_header_t *r, mach_msg_size_t size, mach_port_t reply,
                       unsigned reply_type, mach_msg_id_t id, kern_return_t ret)
{
	r->head = (mach_msg_header_t){ MACH_MSGH_BITS(reply_type, 0), size, reply, MACH_PORT_NULL, 0,
	                               MSG_REPLY_ID(id) };
	r->ret_type = MSGT_INT32;
	/* the one place a negative errno becomes the positive one the wire carries */
	r->ret = ret < 0 && ret >= -FS_ERRNO_MAX ? -ret : ret;
}

static int error_reply(mach_msg_header_t *in, mach_msg_header_t *out, kern_return_t code)
{
	server_reply_head((mig_reply_header_t *)out, sizeof(mig_reply_header_t), in->msgh_remote_port,
	                  MACH_MSGH_BITS_REMOTE(in->msgh_bits), in->msgh_id, code);
	in->msgh_remote_port = MACH_PORT_NULL;   /* the reply consumes the right */
	return 1;
}

int server_demux(struct port_info *pi, mach_msg_header_t *in, mach_msg_header_t *out,
                 mach_msg_size_t out_max, void (*release)(mach_msg_header_t *m))
{
	const struct routine *rt = find_routine(pi, in->msgh_id);
	int can_reply = msg_has_reply_port(in);
	struct request rq = { .in = in, .port = pi, .out = out, .out_max = out_max };

	if (!rt || rt->nreq > SERVER_MAX_ARGS || msg_parse(in, rt->req, rt->nreq, rq.args) != 0) {
		kern_return_t code = rt ? MIG_BAD_ARGUMENTS : MIG_BAD_ID;
		int reply = can_reply && !(rt && rt->simple) ? error_reply(in, out, code) : 0;
		release(in);
		return reply;
	}
	if (!rt->simple && !can_reply) {
		release(in);          /* nobody to answer: drop it, rights and all */
		return 0;
	}
	kern_return_t r = rt->handler(&rq);
	if (rt->simple || r == SERVER_NO_REPLY)
		return 0;
	if (r != KERN_SUCCESS) {
		/* as with MIG: a failed handler took nothing, so give it all back */
		error_reply(in, out, r);
		release(in);
		return 1;
	}
	if (rq.reply_size < sizeof(mig_reply_header_t) || rq.reply_size > out_max)
		return error_reply(in, out, MIG_BAD_ARGUMENTS);
	error_reply(in, out, KERN_SUCCESS);
	out->msgh_size = rq.reply_size;
	if (rq.reply_complex)
		out->msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	return 1;
}
