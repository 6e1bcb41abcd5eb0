/* Pipes (pipe/proto.h): two ports each, a read end and a write end, served
 * by one thread of their own so that data moving through pipes never holds
 * up spawns and waits on the process ports.  That thread alone touches a
 * pipe once it is made, so pipes need no lock.
 *
 * A write's bytes stay where the kernel put them (out-of-line pages, or a
 * copy of inline bytes) in a queue of chunks, and the writer is answered
 * once fewer than PIPE_CAPACITY bytes wait before its chunk: a writer runs
 * at most one capacity ahead of its reader.  A read takes from the front;
 * a read that wants a whole out-of-line chunk gets its very pages.  The end
 * of input is the kernel's no-senders notification on the write end (every
 * writer has closed it or ended), a broken pipe the one on the read end. */
#include "exec.h"
#include "mach/mach.h"
#include "mach/rpc_util.h"
#include "pipe/proto.h"
#include "posix/posix.h"
#include "rt/rt.h"
#include "rt/thread.h"

/* The bytes of one write, and its writer while not yet answered. */
struct chunk {
	struct chunk *next;
	char *data;
	size_t len, off;          /* bytes, and how many were read */
	int ool;                  /* DATA is pages the kernel gave us, else malloc'd */
	mach_port_t reply;        /* null once answered */
	unsigned reply_type;
};

/* A read waiting for bytes or for the end. */
struct waiting {
	struct waiting *next;
	mach_port_t reply;
	unsigned reply_type;
	size_t want;
	int inband;
};

struct pipe {
	struct port_info *rd, *wr;
	struct chunk *head, **tail;
	size_t buffered;          /* unread bytes in the chunks */
	struct waiting *readers, **readers_end;
	unsigned nchunks, nreaders;     /* queued, bounded by PIPE_CHUNKS_MAX and PIPE_READS_MAX */
	int no_writers, no_readers;
};

static struct server *pipes;
static unsigned live_pipes;     /* at most PIPES_MAX; made by exec's proc thread, freed by ours */

static void free_chunk(struct chunk *c)
{
	if (c->ool)
		vm_deallocate(mach_task_self(), (vm_offset_t)(uintptr_t)c->data, c->len);
	else
		free(c->data);
	free(c);
}

static int dead(mach_port_t reply)
{
	natural_t type;
	return mach_port_type(mach_task_self(), reply, &type) == KERN_SUCCESS
	       && (type & MACH_PORT_TYPE_DEAD_NAME);
}

static void reply_word(mach_port_t reply, unsigned type, mach_msg_id_t id, kern_return_t ret, natural_t v)
{
	rep1_t m;
	server_reply_head(&m.h, ret ? sizeof m.h : sizeof m, reply, type, id, ret);
	m.a = w_int(v);
	server_send_reply(&m.h.head);
}

/* Answers the writers with fewer than PIPE_CAPACITY bytes and
 * PIPE_CHUNKS_HELD writes before them. */
static void answer_writers(struct pipe *p)
{
	size_t before = 0;
	unsigned n = 0;
	for (struct chunk *c = p->head; c && before < PIPE_CAPACITY && n < PIPE_CHUNKS_HELD; c = c->next, n++) {
		if (c->reply != MACH_PORT_NULL) {
			reply_word(c->reply, c->reply_type, c->ool ? ID_DEVICE_WRITE : ID_DEVICE_WRITE_INBAND,
			           KERN_SUCCESS, (natural_t)c->len);
			c->reply = MACH_PORT_NULL;
		}
		before += c->len - c->off;
	}
}

/* Moves up to N bytes from the front to DST; returns how many. */
static size_t take(struct pipe *p, char *dst, size_t n)
{
	size_t done = 0;
	while (done < n && p->head) {
		struct chunk *c = p->head;
		size_t k = c->len - c->off < n - done ? c->len - c->off : n - done;
		memcpy(dst + done, c->data + c->off, k);
		c->off += k;
		done += k;
		if (c->off == c->len) {
			answer_writers(p);      /* C's writer first, if it still waits */
			p->head = c->next;
			if (!p->head)
				p->tail = &p->head;
			free_chunk(c);
			p->nchunks--;
		}
	}
	p->buffered -= done;
	answer_writers(p);
	return done;
}

/* Answers a read of W->want bytes with what is there (0 bytes: the end). */
static void answer_read(struct pipe *p, const struct waiting *w)
{
	if (w->inband) {
		device_read_inband_reply_t m;
		size_t n = take(p, m.data, w->want < DEV_INBAND_MAX ? w->want : DEV_INBAND_MAX);
		server_reply_head(&m.h, offsetof(device_read_inband_reply_t, data) + MSG_ALIGN(n), w->reply,
		                  w->reply_type, ID_DEVICE_READ_INBAND, KERN_SUCCESS);
		m.data_type = MSGT_INLINE(MACH_MSG_TYPE_CHAR, 8, (unsigned)n);
		server_send_reply(&m.h.head);
		return;
	}
	size_t want = w->want < PIPE_READ_MAX ? w->want : PIPE_READ_MAX;
	vm_offset_t buf = 0;
	size_t n = 0;
	struct chunk *c = p->head;
	if (c && c->ool && c->off == 0 && c->len <= want) {
		/* the writer's own pages move on to the reader */
		if (c->reply != MACH_PORT_NULL)
			reply_word(c->reply, c->reply_type, ID_DEVICE_WRITE, KERN_SUCCESS, (natural_t)c->len);
		buf = (vm_offset_t)(uintptr_t)c->data;
		n = c->len;
		p->head = c->next;
		if (!p->head)
			p->tail = &p->head;
		p->buffered -= n;
		free(c);
		p->nchunks--;
		answer_writers(p);
	} else if (p->buffered > 0 && want > 0) {
		size_t k = p->buffered < want ? p->buffered : want;
		if (vm_allocate(mach_task_self(), &buf, k, 1) != KERN_SUCCESS) {
			reply_word(w->reply, w->reply_type, ID_DEVICE_READ, -FS_ENOMEM, 0);
			return;
		}
		n = take(p, (char *)(uintptr_t)buf, k);
	}
	device_read_reply_t m;
	server_reply_head(&m.h, sizeof m, w->reply, w->reply_type, ID_DEVICE_READ, KERN_SUCCESS);
	m.h.head.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	m.data = w_ool((void *)(uintptr_t)buf, n);
	m.data.type.msgtl_header.msgt_deallocate = n > 0;   /* the pages move to the reader */
	server_send_reply(&m.h.head);
}

/* Answers waiting reads while there are bytes, or all of them at the end.
 * A reader that died meanwhile (its reply right is dead) takes nothing. */
static void answer_readers(struct pipe *p)
{
	while (p->readers && (p->buffered > 0 || p->no_writers)) {
		struct waiting *w = p->readers;
		p->readers = w->next;
		p->nreaders--;
		if (!p->readers)
			p->readers_end = &p->readers;
		if (dead(w->reply))
			mach_port_deallocate(mach_task_self(), w->reply);
		else
			answer_read(p, w);
		free(w);
	}
}

static kern_return_t read_common(struct request *rq, natural_t bytes, int inband)
{
	struct pipe *p = rq->port->obj;
	if (p->nreaders >= PIPE_READS_MAX)
		return -FS_EBUSY;
	struct waiting *w = calloc(1, sizeof *w);
	if (!w)
		return -FS_ENOMEM;
	*w = (struct waiting){ NULL, rq->in->msgh_remote_port, MACH_MSGH_BITS_REMOTE(rq->in->msgh_bits),
	                       bytes, inband };
	p->nreaders++;
	*p->readers_end = w;
	p->readers_end = &w->next;
	answer_readers(p);
	return SERVER_NO_REPLY;     /* answered now or once bytes or the end come */
}

static kern_return_t serve_device_read(struct request *rq, const struct device_read_in *in)
{
	return read_common(rq, in->bytes, 0);
}

static kern_return_t serve_device_read_inband(struct request *rq, const struct device_read_inband_in *in)
{
	return read_common(rq, in->bytes, 1);
}

/* Queues LEN bytes at DATA (OOL: pages of ours now) for the readers. */
static kern_return_t write_common(struct request *rq, char *data, size_t len, int ool)
{
	struct pipe *p = rq->port->obj;
	if (p->no_readers)
		return -FS_EPIPE;
	if (p->nchunks >= PIPE_CHUNKS_MAX)
		return -FS_EBUSY;
	struct chunk *c = calloc(1, sizeof *c);
	if (!c)
		return -FS_ENOMEM;
	*c = (struct chunk){ NULL, data, len, 0, ool, rq->in->msgh_remote_port,
	                     MACH_MSGH_BITS_REMOTE(rq->in->msgh_bits) };
	if (len == 0) {
		free(c);
		rep1_t *rep = (rep1_t *)rq->out;
		rep->a = w_int(0);
		rq->reply_size = sizeof *rep;
		return KERN_SUCCESS;
	}
	p->nchunks++;
	*p->tail = c;
	p->tail = &c->next;
	p->buffered += len;
	answer_writers(p);
	answer_readers(p);
	return SERVER_NO_REPLY;
}

static kern_return_t serve_device_write(struct request *rq, const struct device_write_in *in)
{
	size_t len = in->data.count;
	if (len > PIPE_WRITE_MAX)
		return -FS_EINVAL;       /* the demux gives the pages back */
	return write_common(rq, (char *)in->data.data, len, 1);   /* the pages are ours now */
}

static kern_return_t serve_device_write_inband(struct request *rq, const struct device_write_inband_in *in)
{
	size_t len = in->data.count;
	char *copy = malloc(len ? len : 1);
	if (!copy)
		return -FS_ENOMEM;
	memcpy(copy, in->data.data, len);
	kern_return_t r = write_common(rq, copy, len, 0);
	if (r != SERVER_NO_REPLY)
		free(copy);
	return r;
}

/* Both ends have no senders: nobody can reach the pipe any more. */
static void maybe_free(struct pipe *p)
{
	if (!p->no_readers || !p->no_writers)
		return;
	server_remove_port(pipes, p->rd, NULL);
	server_remove_port(pipes, p->wr, NULL);
	free(p);
	__atomic_sub_fetch(&live_pipes, 1, __ATOMIC_RELAXED);
}

/* Every writer is gone: readers get what is left, then the end. */
static void writers_gone(struct port_info *pi)
{
	struct pipe *p = pi->obj;
	p->no_writers = 1;
	answer_readers(p);
	maybe_free(p);
}

/* Every reader is gone: waiting writers, and any later, get EPIPE. */
static void readers_gone(struct port_info *pi)
{
	struct pipe *p = pi->obj;
	p->no_readers = 1;
	while (p->head) {
		struct chunk *c = p->head;
		p->head = c->next;
		if (c->reply != MACH_PORT_NULL)
			reply_word(c->reply, c->reply_type, c->ool ? ID_DEVICE_WRITE : ID_DEVICE_WRITE_INBAND,
			           -FS_EPIPE, 0);
		free_chunk(c);
	}
	p->tail = &p->head;
	p->buffered = 0;
	p->nchunks = 0;
	while (p->readers) {            /* a read came in after the last right went: no reply wanted */
		struct waiting *w = p->readers;
		p->readers = w->next;
		mach_port_deallocate(mach_task_self(), w->reply);
		free(w);
	}
	p->readers_end = &p->readers;
	p->nreaders = 0;
	maybe_free(p);
}

/* a read end answers reads, a write end writes: a subset of the device
 * protocol (include/mach/device_msgs.h) each */
#define PIPE_READ_ROUTINES(R) \
	R(device_read, ID_DEVICE_READ, ROUTINE) \
	R(device_read_inband, ID_DEVICE_READ_INBAND, ROUTINE)
#define PIPE_WRITE_ROUTINES(R) \
	R(device_write, ID_DEVICE_WRITE, ROUTINE) \
	R(device_write_inband, ID_DEVICE_WRITE_INBAND, ROUTINE)
SERVER_INTERFACE(static, read_interface, "pipe-read", PIPE_READ_ROUTINES);
SERVER_INTERFACE(static, write_interface, "pipe-write", PIPE_WRITE_ROUTINES);
static const struct interface *const read_ifaces[] = { &read_interface, NULL };
static const struct interface *const write_ifaces[] = { &write_interface, NULL };

int pipe_create(mach_port_t *read_end, mach_port_t *write_end)
{
	if (__atomic_add_fetch(&live_pipes, 1, __ATOMIC_RELAXED) > PIPES_MAX) {
		__atomic_sub_fetch(&live_pipes, 1, __ATOMIC_RELAXED);
		return -FS_ENFILE;
	}
	struct pipe *p = calloc(1, sizeof *p);
	if (!p || !pipes) {
		free(p);
		__atomic_sub_fetch(&live_pipes, 1, __ATOMIC_RELAXED);
		return -FS_ENOMEM;
	}
	p->tail = &p->head;
	p->readers_end = &p->readers;
	p->rd = server_add_port(pipes, read_ifaces, p);
	p->wr = p->rd ? server_add_port(pipes, write_ifaces, p) : NULL;
	if (p->wr) {
		p->rd->no_senders = readers_gone;
		p->wr->no_senders = writers_gone;
	}
	if (!p->wr || server_request_no_senders(p->rd) || server_request_no_senders(p->wr)) {
		if (p->rd)
			server_remove_port(pipes, p->rd, NULL);
		if (p->wr)
			server_remove_port(pipes, p->wr, NULL);
		free(p);
		__atomic_sub_fetch(&live_pipes, 1, __ATOMIC_RELAXED);
		return -FS_ENOMEM;
	}
	*read_end = p->rd->name;
	*write_end = p->wr->name;
	return 0;
}

static void pipe_thread(void *arg)
{
	server_run(arg, 1);
}

kern_return_t pipe_setup(void)
{
	struct server *s = server_create();
	if (!s)
		return KERN_RESOURCE_SHORTAGE;
	kern_return_t r = thread_spawn(pipe_thread, s);
	if (r == KERN_SUCCESS)
		pipes = s;
	return r;
}
