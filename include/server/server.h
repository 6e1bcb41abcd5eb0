/* The server library: ports that carry objects, interfaces of routines with
 * the request layout each expects, a demultiplexer that checks every request
 * against that layout before a handler sees it, and a multi-threaded receive
 * loop.  Malformed or unknown requests get an error reply (MIG_BAD_ARGUMENTS,
 * MIG_BAD_ID) and whatever rights and memory they carried are given back. */
#ifndef SERVER_SERVER_H
#define SERVER_SERVER_H

#include "mach/msgcheck.h"
#include "mach/defs.h"

#define SERVER_MAX_ARGS 12

struct port_info;

/* A request being served.  The handler gets ARGS (checked against the
 * routine's layout) by name from its stub (SERVER_INTERFACE) and, when it returns KERN_SUCCESS, fills OUT after the
 * mig_reply_header_t and sets REPLY_SIZE (and REPLY_COMPLEX when the reply
 * carries rights or out-of-line memory). */
struct request {
	mach_msg_header_t *in;
	struct msg_arg args[SERVER_MAX_ARGS];
	struct port_info *port;
	mach_msg_header_t *out;
	mach_msg_size_t out_max;
	mach_msg_size_t reply_size;
	int reply_complex;
};

/* What a handler returns: KERN_SUCCESS, a Mach code as it is (KERN_*, D_*,
 * MIG_*), or a negative errno value (fs/errno.h), as every function of lib/ext2
 * and the servers does.  The reply carries that errno positive, as the wire
 * protocols say; server_reply_head is the one place that turns it. */

/* Heads R, a reply of SIZE bytes to routine ID, for the right REPLY of
 * REPLY_TYPE, with the return code RET as a handler returns it.  For the
 * demultiplexer and for handlers that answer later (SERVER_NO_REPLY). */
void server_reply_head(mig_reply_header_t *r, mach_msg_size_t size, mach_port_t reply,
                       unsigned reply_type, mach_msg_id_t id, kern_return_t ret);

/* Returned by a handler that answers later, or never (simple routines). */
#define SERVER_NO_REPLY MIG_NO_REPLY

struct routine {
	mach_msg_id_t id;
	const struct msg_field *req;
	unsigned nreq;
	kern_return_t (*handler)(struct request *rq);
	int simple;                    /* a simpleroutine: the sender wants no reply */
};

struct interface {
	const char *name;
	const struct routine *routines;
	unsigned nroutines;
};

/* An interface VAR named LABEL that serves every routine of LIST (a list of
 * include/mach/defs.h): each routine NAME is handled by
 *     kern_return_t serve_NAME(struct request *rq, const struct NAME_in *in)
 * which the file defines before this, and gets its request's fields by name.
 * STORAGE is static or empty. */
#define SERVER_UNPACK(k, n, x) in.x = MSGK_##k##_GET(n, &rq->args[i]); i += MSG_NARGS(k, n);
#define SERVER_STUB(name, id, kind)                                              \
	static kern_return_t name##_stub(struct request *rq)                     \
	{                                                                        \
		struct name##_in in = { 0 };                                     \
		unsigned i = 0;                                                  \
		name##_REQUEST(SERVER_UNPACK)                                    \
		(void)i;                                                         \
		return serve_##name(rq, &in);                                    \
	}
#define SERVER_ENTRY(name, id, kind) \
	{ (id), name##_req_fields, 0 name##_REQUEST(MSG_F_COUNT), name##_stub, MSG_KIND_##kind },
#define SERVER_INTERFACE(storage, var, label, LIST)                              \
	LIST(SERVER_STUB)                                                        \
	static const struct routine var##_routines[] = { LIST(SERVER_ENTRY) };   \
	storage const struct interface var = {                                   \
		label, var##_routines, sizeof var##_routines / sizeof var##_routines[0] }

/* A receive right the server answers on and the object behind it. */
struct port_info {
	mach_port_t name;
	const struct interface *const *ifaces;   /* NULL-terminated */
	void *obj;
	/* called on the kernel's no-senders notification for this port (may be
	 * NULL); a client's forgery sent to the port never calls it */
	void (*no_senders)(struct port_info *pi);
};

/* Demultiplexes one request IN for the object PI into the reply buffer OUT
 * (OUT_MAX bytes).  Returns 1 when OUT holds a reply to send, 0 when there
 * is none.  Portable: no Mach call is made here; RELEASE gives back what a
 * rejected request carried. */
int server_demux(struct port_info *pi, mach_msg_header_t *in, mach_msg_header_t *out,
                 mach_msg_size_t out_max, void (*release)(mach_msg_header_t *m));

/* Whether S is a NUL-terminated string within MAX bytes. */
int msg_string_ok(const char *s, size_t max);

#ifndef RT_HOST
/* The Mach side (lib/server/loop.c). */
struct server;
struct server *server_create(void);
/* Makes a new receive right for OBJ served with IFACES, in the port set. */
struct port_info *server_add_port(struct server *s, const struct interface *const *ifaces, void *obj);
/* Takes PI out of service: no request reaches it any more and its receive
 * right is destroyed.  Once no thread is still serving a request for it,
 * DONE(PI) runs (to free the object; may be NULL) and PI is freed. */
void server_remove_port(struct server *s, struct port_info *pi, void (*done)(struct port_info *pi));
/* Asks the kernel to tell us (PI->no_senders) when the last send right to PI
 * goes away.  The notification comes to a port of PI's own that only the
 * kernel can send to, so no client can forge it. */
kern_return_t server_request_no_senders(struct port_info *pi);
/* Calls FN(NAME, ARG) once the send or send-once right NAME we hold turns
 * into a dead name (at once if it already is one).  The watch ends unseen
 * when we give up or use the right first; a second watch on NAME replaces
 * the first.  FN drops the dead name. */
kern_return_t server_watch_dead_name(struct server *s, mach_port_t name,
                                     void (*fn)(mach_port_t name, void *arg), void *arg);
/* Sends the reply M with a time-out of zero, as the receive loop does with
 * what handlers fill in; a handler that answers later (SERVER_NO_REPLY)
 * sends its reply with it too.  A reply that cannot be delivered (the
 * client destroyed its reply port, or its queue is full) gives back what
 * it carried: moved rights, memory to be deallocated on send, and a
 * MAKE_SEND's port gets its no-senders notification if nobody else holds
 * a send right to it. */
void server_send_reply(mach_msg_header_t *m);
/* Serves for ever on NTHREADS threads (the calling one included). */
void server_run(struct server *s, int nthreads) __attribute__((noreturn));
#endif

#endif
