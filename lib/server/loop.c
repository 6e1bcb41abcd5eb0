/* The Mach side of the server library: a port set, the table from port
 * names to objects, notifications and the multi-threaded receive loop.
 *
 * Notifications come only to ports that nobody but the kernel can send to:
 * dead-name and port-deleted notifications to the server's NOTIFY port, an
 * object's no-senders notification to a port of that object's own (its
 * entry's NOTIFY), made when the notification is first asked for.  We never
 * give out a send right to either; the kernel holds the send-once right
 * each request made.  So a message that looks like a notification but comes
 * in on an object's port is a client's forgery, and the demultiplexer
 * answers it as an unknown request (docs/runtime.md). */
#include "server/server.h"
#include "mach/mach.h"
#include "rt/rt.h"
#include "rt/lock.h"
#include "rt/thread.h"

#define MSG_BUF 8192        /* a larger request is received into the heap */
#define MSG_MAX (64u * 1024u)   /* and one larger than this is refused */

struct dead_watch {
	mach_port_t name;
	void (*fn)(mach_port_t name, void *arg);
	void *arg;
};

/* What the server keeps for each port: the caller's port_info first, then
 * how many holders it has (the table, and each thread serving a request for
 * it) so that a port taken out of service is freed only when the last
 * thread is done with it. */
struct entry {
	struct port_info pi;
	struct server *server;
	mach_port_t notify;              /* its no-senders notifications' port, or null */
	unsigned refs;                   /* under the server's lock */
	int removed;
	void (*done)(struct port_info *pi);
};

/* The table maps both names of an entry, its port and its notify port. */
struct slot {
	mach_port_t name;
	struct entry *e;
};

struct server {
	mach_port_t set;
	mach_port_t notify;              /* dead-name notifications arrive here */
	mutex_t lock;
	struct slot *slots;              /* open hash on the port name */
	unsigned nslots, cap;
	struct dead_watch *watches;
	unsigned nwatches;
};

static unsigned slot_of(const struct server *s, mach_port_t name)
{
	return (name * 2654435761u) & (s->cap - 1);
}

static int table_insert(struct server *s, mach_port_t name, struct entry *e)
{
	if ((s->nslots + 1) * 2 > s->cap) {
		unsigned oldcap = s->cap;
		struct slot *old = s->slots;
		unsigned cap = oldcap ? oldcap * 2 : 64;
		struct slot *t = calloc(cap, sizeof *t);
		if (!t)
			return -1;
		s->slots = t;
		s->cap = cap;
		for (unsigned i = 0; i < oldcap; i++)
			if (old[i].e) {
				unsigned k = slot_of(s, old[i].name);
				while (t[k].e)
					k = (k + 1) & (cap - 1);
				t[k] = old[i];
			}
		free(old);
	}
	unsigned k = slot_of(s, name);
	while (s->slots[k].e)
		k = (k + 1) & (s->cap - 1);
	s->slots[k] = (struct slot){ name, e };
	s->nslots++;
	return 0;
}

/* Takes NAME out of the table; the slots after it in its run move up. */
static void table_remove(struct server *s, mach_port_t name)
{
	unsigned mask = s->cap - 1, k = slot_of(s, name);
	while (s->slots[k].name != name || !s->slots[k].e)
		k = (k + 1) & mask;
	s->slots[k].e = NULL;
	s->nslots--;
	for (k = (k + 1) & mask; s->slots[k].e; k = (k + 1) & mask) {
		struct slot p = s->slots[k];
		s->slots[k].e = NULL;
		unsigned h = slot_of(s, p.name);
		while (s->slots[h].e)
			h = (h + 1) & mask;
		s->slots[h] = p;
	}
}

/* The entry whose port or notify port is NAME, held for the caller until
 * port_put. */
static struct entry *port_get(struct server *s, mach_port_t name)
{
	mutex_lock(&s->lock);
	struct entry *e = NULL;
	if (s->cap)
		for (unsigned k = slot_of(s, name); s->slots[k].e; k = (k + 1) & (s->cap - 1))
			if (s->slots[k].name == name) {
				e = s->slots[k].e;
				e->refs++;
				break;
			}
	mutex_unlock(&s->lock);
	return e;
}

static void port_put(struct server *s, struct entry *e)
{
	mutex_lock(&s->lock);
	int last = --e->refs == 0;
	mutex_unlock(&s->lock);
	if (!last)
		return;
	if (e->done)
		e->done(&e->pi);
	free(e);
}

struct server *server_create(void)
{
	struct server *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_PORT_SET, &s->set)
	    || mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &s->notify)
	    || mach_port_move_member(mach_task_self(), s->notify, s->set)) {
		free(s);
		return NULL;
	}
	return s;
}

struct port_info *server_add_port(struct server *s, const struct interface *const *ifaces, void *obj)
{
	struct entry *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	struct port_info *pi = &e->pi;
	e->refs = 1;                     /* the table's */
	e->server = s;
	pi->ifaces = ifaces;
	pi->obj = obj;
	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &pi->name))
		goto fail;
	if (mach_port_move_member(mach_task_self(), pi->name, s->set))
		goto fail_port;
	mutex_lock(&s->lock);
	int r = table_insert(s, pi->name, e);
	mutex_unlock(&s->lock);
	if (r == 0)
		return pi;
fail_port:
	mach_port_mod_refs(mach_task_self(), pi->name, MACH_PORT_RIGHT_RECEIVE, -1);
fail:
	free(e);
	return NULL;
}

void server_remove_port(struct server *s, struct port_info *pi, void (*done)(struct port_info *pi))
{
	struct entry *e = (struct entry *)pi;
	mutex_lock(&s->lock);
	int first = !e->removed;
	mach_port_t notify = e->notify;
	if (first) {
		e->removed = 1;
		e->done = done;
		table_remove(s, pi->name);
		if (notify != MACH_PORT_NULL)
			table_remove(s, notify);
	}
	mutex_unlock(&s->lock);
	if (!first)
		return;
	/* out of the table first, so that a new port given the same name is
	 * never taken for this one */
	mach_port_mod_refs(mach_task_self(), pi->name, MACH_PORT_RIGHT_RECEIVE, -1);
	if (notify != MACH_PORT_NULL)
		mach_port_mod_refs(mach_task_self(), notify, MACH_PORT_RIGHT_RECEIVE, -1);
	port_put(s, e);
}

/* The object's private notify port, made on first use; null if none can be. */
static mach_port_t notify_port(struct entry *e)
{
	struct server *s = e->server;
	mach_port_t self = mach_task_self(), n;
	mutex_lock(&s->lock);
	n = e->notify;
	mutex_unlock(&s->lock);
	if (n != MACH_PORT_NULL)
		return n;
	if (mach_port_allocate(self, MACH_PORT_RIGHT_RECEIVE, &n))
		return MACH_PORT_NULL;
	mutex_lock(&s->lock);
	int r = -1;
	if (e->notify == MACH_PORT_NULL && !e->removed && mach_port_move_member(self, n, s->set) == 0
	    && (r = table_insert(s, n, e)) == 0)
		e->notify = n;
	mutex_unlock(&s->lock);
	if (r == 0)
		return n;
	mach_port_mod_refs(self, n, MACH_PORT_RIGHT_RECEIVE, -1);
	mutex_lock(&s->lock);
	n = e->notify;                   /* another thread's, or still none */
	mutex_unlock(&s->lock);
	return n;
}

kern_return_t server_request_no_senders(struct port_info *pi)
{
	mach_port_t notify = notify_port((struct entry *)pi), prev;
	if (notify == MACH_PORT_NULL)
		return KERN_RESOURCE_SHORTAGE;
	kern_return_t r = mach_port_request_notification(mach_task_self(), pi->name,
	        MACH_NOTIFY_NO_SENDERS, 1, notify, MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev);
	if (r == KERN_SUCCESS && prev != MACH_PORT_NULL)
		mach_port_deallocate(mach_task_self(), prev);
	return r;
}

/* Takes the watch on NAME out of the table; whether there was one. */
static int unwatch(struct server *s, mach_port_t name, struct dead_watch *out)
{
	int found = 0;
	mutex_lock(&s->lock);
	for (unsigned i = 0; i < s->nwatches; i++)
		if (s->watches[i].name == name) {
			*out = s->watches[i];
			s->watches[i] = s->watches[--s->nwatches];
			found = 1;
			break;
		}
	mutex_unlock(&s->lock);
	return found;
}

kern_return_t server_watch_dead_name(struct server *s, mach_port_t name,
                                     void (*fn)(mach_port_t name, void *arg), void *arg)
{
	/* one watch per name (the kernel keeps one request per name too) */
	struct dead_watch gone;
	unwatch(s, name, &gone);
	mutex_lock(&s->lock);
	struct dead_watch *w = realloc(s->watches, (s->nwatches + 1) * sizeof *w);
	if (w) {
		s->watches = w;
		s->watches[s->nwatches++] = (struct dead_watch){ name, fn, arg };
	}
	mutex_unlock(&s->lock);
	if (!w)
		return KERN_RESOURCE_SHORTAGE;
	mach_port_t prev;
	kern_return_t r = mach_port_request_notification(mach_task_self(), name,
	        MACH_NOTIFY_DEAD_NAME, 1, s->notify, MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev);
	if (r == KERN_SUCCESS && prev != MACH_PORT_NULL)
		mach_port_deallocate(mach_task_self(), prev);
	if (r)
		unwatch(s, name, &gone);
	return r;
}

/* A notification on the server's notify port, where only the kernel sends:
 * a watched name died (DEAD_NAME), or went away while still alive because
 * we gave up or used its right (PORT_DELETED: the watch ends unseen).  Both
 * carry the name (PORT_NAME); anything else (a send-once notification) is
 * dropped. */
static void name_notification(struct server *s, mach_msg_header_t *m)
{
	static const struct msg_field layout[1] = { { MACH_MSG_TYPE_PORT_NAME, 32, 0, 1 } };
	struct msg_arg a[1];
	if ((m->msgh_id != MACH_NOTIFY_DEAD_NAME && m->msgh_id != MACH_NOTIFY_PORT_DELETED)
	    || msg_parse(m, layout, 1, a) != 0) {
		mach_msg_destroy(m);
		return;
	}
	mach_port_t name = *(const mach_port_t *)a[0].data;
	struct dead_watch w = { 0, 0, 0 };
	int watched = unwatch(s, name, &w);
	if (m->msgh_id == MACH_NOTIFY_PORT_DELETED)
		return;
	/* the notification added a reference to the dead name: drop it; the
	 * reference the watcher held is its own to drop, in the callback */
	mach_port_deallocate(mach_task_self(), name);
	if (watched && w.fn)
		w.fn(name, w.arg);
}

/* A message on object E's private notify port: only the kernel sends there,
 * so a no-senders notification (header and mscount) is real. */
static void object_notification(struct entry *e, mach_msg_header_t *m)
{
	struct server *s = e->server;
	mutex_lock(&s->lock);
	int real = m->msgh_id == MACH_NOTIFY_NO_SENDERS && m->msgh_size == 32 && !e->removed;
	mutex_unlock(&s->lock);
	mach_msg_destroy(m);
	if (real && e->pi.no_senders)
		e->pi.no_senders(&e->pi);
}

/* Gives back a right that a refused reply still holds as its handler wrote
 * it.  A moved right is still ours.  COPY_SEND and MAKE_SEND_ONCE made
 * nothing.  MAKE_SEND made nothing either, but its port may exist only for
 * this reply (an ext2fs node, freed by its no-senders notification): make
 * the right and drop it, so that an armed no-senders request fires
 * (ipc/ipc_right.c, ipc_right_dealloc: the last send right going sends it)
 * as if the client had got the right and dropped it. */
static void unsent_port(mach_port_t name, unsigned type)
{
	mach_port_t self = mach_task_self();
	if (type == MACH_MSG_TYPE_MOVE_RECEIVE)
		mach_port_mod_refs(self, name, MACH_PORT_RIGHT_RECEIVE, -1);
	else if (type == MACH_MSG_TYPE_MOVE_SEND || type == MACH_MSG_TYPE_MOVE_SEND_ONCE)
		mach_port_deallocate(self, name);
	else if (type == MACH_MSG_TYPE_MAKE_SEND
	         && mach_port_insert_right(self, name, name, MACH_MSG_TYPE_MAKE_SEND) == KERN_SUCCESS)
		mach_port_deallocate(self, name);
}

static void unsent_mem(vm_offset_t addr, vm_size_t size)
{
	vm_deallocate(mach_task_self(), addr, size);
}

/* What GNU Mach does with a message it cannot send (ipc/mach_msg.c,
 * mach_msg_send; ipc/ipc_kmsg.c), and so what is left for us to give back:
 * - MACH_SEND_INVALID_DEST and the other header errors: the header is
 *   copied in atomically or not at all (ipc_kmsg_copyin_header) and the
 *   body is not looked at (ipc_kmsg_copyin), so all the reply carried is
 *   still ours as written.  A client that destroyed its reply port gets
 *   this: ipc_right_copyin finds the send-once right's port dead, turns our
 *   entry into a dead name and refuses it (ipc/ipc_right.c).
 * - MACH_SEND_TIMED_OUT (a reply to a send right whose queue is full; one
 *   to a send-once right never waits, ipc/ipc_mqueue.c, ipc_mqueue_send):
 *   ipc_kmsg_copyout_pseudo puts the message back into our space and
 *   buffer as if we had received it, so destroy it as received.
 * - MACH_SEND_INVALID_RIGHT, _MEMORY, _TYPE, _MSG_TOO_SMALL: the body was
 *   copied in up to the bad descriptor and that part destroyed
 *   (ipc_kmsg_clean_partial); the rest is ours, and which is which cannot
 *   be told from here.  Only a handler's bug makes them: say so.
 * - A reply port that dies after the copyin: the kernel destroys the
 *   message itself and reports success (ipc_mqueue_send). */
void server_send_reply(mach_msg_header_t *m)
{
	kern_return_t r = mach_msg(m, MACH_SEND_MSG | MACH_SEND_TIMEOUT, m->msgh_size, 0,
	                           MACH_PORT_NULL, 0, 0);
	switch (r & ~MACH_MSG_MASK) {
	case MACH_MSG_SUCCESS:
		break;
	case MACH_SEND_TIMED_OUT:
		mach_msg_destroy(m);
		break;
	case MACH_SEND_INVALID_RIGHT:
	case MACH_SEND_INVALID_MEMORY:
	case MACH_SEND_INVALID_TYPE:
	case MACH_SEND_MSG_TOO_SMALL:
		say("reply %d not sent: %s (a handler wrote a bad reply)", (int)m->msgh_id,
		    mach_error_name(r));
		break;
	default:
		if (MACH_PORT_VALID(m->msgh_remote_port))
			unsent_port(m->msgh_remote_port, MACH_MSGH_BITS_REMOTE(m->msgh_bits));
		msg_release_unsent(m, unsent_port, unsent_mem);
	}
}

/* Receives the next request into IN (MSG_BUF bytes) or, when it is larger,
 * into the heap; returns the message (IN or a heap block) or NULL when
 * there is none to serve.  A request larger than MSG_MAX, or one the heap
 * has no room for, is refused: received into IN without MACH_RCV_LARGE,
 * which makes the kernel dequeue and destroy it (its reply right too, so
 * the client learns of it) (ipc/mach_msg.c, mach_msg_receive). */
static mach_msg_header_t *receive(struct server *s, mach_msg_header_t *in)
{
	kern_return_t r = mach_msg(in, MACH_RCV_MSG | MACH_RCV_LARGE, 0, MSG_BUF, s->set, 0, 0);
	mach_msg_header_t *m = in;
	if (r == MACH_RCV_TOO_LARGE) {
		/* the kernel left it queued and told us its size */
		mach_msg_size_t size = in->msgh_size;
		m = size <= MSG_MAX ? malloc(size) : NULL;
		if (m) {
			r = mach_msg(m, MACH_RCV_MSG | MACH_RCV_LARGE, 0, size, s->set, 0, 0);
		} else {
			m = in;
			r = mach_msg(m, MACH_RCV_MSG, 0, MSG_BUF, s->set, 0, 0);
			if (r == MACH_RCV_TOO_LARGE) {
				say("refused a %u-byte request (id %d): %s", (unsigned)size, (int)m->msgh_id,
				    size > MSG_MAX ? "larger than any request I serve" : "no memory for it");
				return NULL;
			}
		}
	}
	if (r == MACH_MSG_SUCCESS)
		return m;
	say("receive failed: %s", mach_error_name(r));
	if (m != in)
		free(m);
	return NULL;
}

static void serve(void *arg)
{
	struct server *s = arg;
	mach_msg_header_t *in = malloc(MSG_BUF), *out = malloc(MSG_BUF);
	if (!in || !out)
		panic("no memory for message buffers");
	for (;;) {
		mach_msg_header_t *m = receive(s, in);
		if (!m)
			continue;
		int send = 0;
		if (m->msgh_local_port == s->notify) {
			name_notification(s, m);
		} else {
			struct entry *e = port_get(s, m->msgh_local_port);
			if (!e)
				mach_msg_destroy(m);
			else if (m->msgh_local_port == e->notify)
				object_notification(e, m);
			else
				send = server_demux(&e->pi, m, out, MSG_BUF, mach_msg_destroy);
			if (e)
				port_put(s, e);
		}
		if (send)
			server_send_reply(out);
		if (m != in)
			free(m);
	}
}

void server_run(struct server *s, int nthreads)
{
	for (int i = 1; i < nthreads; i++) {
		int r = thread_spawn(serve, s);
		if (r)
			say("could not start server thread %d: %s", i, mach_error_name(r));
	}
	serve(s);
	for (;;)
		;
}
