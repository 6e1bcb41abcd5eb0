/* term: the terminal server.  exec starts it right after init, with the
 * kernel's console as its descriptors, and hands it (proc_term_open) the
 * receive right of the terminal port that every program's descriptors 0-2
 * name.  One thread reads the console for ever, so that ^C is seen even
 * when no program reads, runs the line discipline (lib/tty) and echoes; the
 * main thread serves the terminal port: device_read_inband and
 * device_write_inband as the console answers them, and the terminal
 * protocol (term/proto.h): the mode, the foreground process group.  The
 * echo of what is typed while nobody reads waits for the read that takes
 * it, and is dropped when a mode without echo comes first: the shell's
 * prompt (raw mode, its own echo) then shows type-ahead once.  ^C
 * asks exec to end the foreground group (proc_interrupt: exec takes it only
 * from us); with no foreground, the reader at the prompt gets an empty
 * line. */
#include "exec/client.h"
#include "mach/device_msgs.h"
#include "mach/mach.h"
#include "mach/rpc_util.h"
#include "posix/posix.h"
#include "rt/lock.h"
#include "rt/rt.h"
#include "rt/thread.h"
#include "server/server.h"
#include "term/proto.h"
#include "tty/ldisc.h"

#define MSG_BUF 8192

/* A device_read_inband answered once input is there. */
struct reader {
	struct reader *next;
	mach_port_t reply;
	unsigned reply_type;
	size_t want;
};

static mutex_t lock;
static struct ldisc ld;
static struct reader *readers, **readers_end = &readers;
static unsigned foreground;       /* process group ^C ends; 0: none */
/* A ^C came with no foreground and no reader has taken the empty line it
 * made: the shell may be between spawning a program and making it the
 * foreground, so that program is interrupted as soon as it is made so. */
static int intr_pending;
static mach_port_t console, proc;

/* Writes N bytes to the console as they are. */
static void put_raw(const char *s, size_t n)
{
	while (n > 0) {
		vm_size_t chunk = n < DEV_INBAND_MAX ? n : DEV_INBAND_MAX, done;
		if (device_write_inband(console, 0, 0, s, chunk, &done) != KERN_SUCCESS || done == 0)
			return;
		s += done;
		n -= done;
	}
}

/* The echo held so far, to the console now (LOCK held). */
static void flush_echo(void)
{
	put_raw(ld.echo, ld.echo_len);
	ld.echo_len = 0;
}

/* Drops the first reader (LOCK held). */
static void drop_first_reader(void)
{
	struct reader *r = readers;
	readers = r->next;
	if (!readers)
		readers_end = &readers;
	free(r);
}

/* Whether the first reader was killed while it waited (its reply right is
 * dead): then it is dropped before it takes input meant for the next one. */
static int first_reader_dead(void)
{
	natural_t type;
	if (mach_port_type(mach_task_self(), readers->reply, &type) != KERN_SUCCESS
	    || !(type & MACH_PORT_TYPE_DEAD_NAME))
		return 0;
	mach_port_deallocate(mach_task_self(), readers->reply);
	return 1;
}

/* Whether a live reader waits for input (LOCK held). */
static int reader_waiting(void)
{
	while (readers && first_reader_dead())
		drop_first_reader();
	return readers != NULL;
}

/* Answers waiting readers while input is there (LOCK held). */
static void answer_readers(void)
{
	while (reader_waiting()) {
		struct reader *r = readers;
		device_read_inband_reply_t m;
		long got = ldisc_read(&ld, m.data, r->want);
		if (got < 0)
			return;
		m.h.head = (mach_msg_header_t){ MACH_MSGH_BITS(r->reply_type, 0),
			offsetof(device_read_inband_reply_t, data) + MSG_ALIGN((size_t)got), r->reply,
			MACH_PORT_NULL, 0, MSG_REPLY_ID(ID_DEVICE_READ_INBAND) };
		m.h.ret_type = MSGT_INT32;
		m.h.ret = KERN_SUCCESS;
		m.data_type = MSGT_INLINE(MACH_MSG_TYPE_CHAR, 8, (unsigned)got);
		server_send_reply(&m.h.head);
		intr_pending = 0;
		drop_first_reader();
	}
}

/* The console's input, for ever. */
static void console_reader(void *arg)
{
	(void)arg;
	for (;;) {
		char buf[DEV_INBAND_MAX];
		vm_size_t got = 0;
		kern_return_t r = device_read_inband(console, 0, 0, sizeof buf, buf, &got);
		if (r != KERN_SUCCESS) {
			say("reading the console: %s; trying again in a second", mach_error_name(r));
			sleep_ms(1000);
			continue;
		}
		unsigned intr = 0;
		int flush = 0;
		mutex_lock(&lock);
		if (ld.echo_len + 4 * got > sizeof ld.echo)
			flush_echo();               /* too much typed ahead to hold: shown as typed */
		for (vm_size_t i = 0; i < got; i++)
			if (ldisc_input(&ld, (unsigned char)buf[i]) == LDISC_INTR) {
				flush = 1;
				if (foreground) {
					intr = foreground;
				} else {
					ldisc_empty_line(&ld);
					intr_pending = 1;
				}
			}
		/* with nobody reading, the echo waits for the read that takes
		 * the input: a shell that takes it at its prompt shows it itself */
		if (flush || reader_waiting())
			flush_echo();
		answer_readers();
		mutex_unlock(&lock);
		if (intr) {
			int e = proc_interrupt(proc, (int)intr);
			if (e)
				say("asking exec to interrupt process group %u: %s", intr, strerror(-e));
		}
	}
}

/* --- the terminal port ------------------------------------------------------- */

static kern_return_t serve_device_read_inband(struct request *rq, const struct device_read_inband_in *in)
{
	size_t want = in->bytes;
	struct reader *r = calloc(1, sizeof *r);
	if (!r)
		return KERN_RESOURCE_SHORTAGE;
	r->reply = rq->in->msgh_remote_port;
	r->reply_type = MACH_MSGH_BITS_REMOTE(rq->in->msgh_bits);
	r->want = want < DEV_INBAND_MAX ? want : DEV_INBAND_MAX;
	if (r->want == 0)
		r->want = 1;
	mutex_lock(&lock);
	flush_echo();                   /* what this reader may take is shown first */
	*readers_end = r;
	readers_end = &r->next;
	answer_readers();
	mutex_unlock(&lock);
	return SERVER_NO_REPLY;
}

static kern_return_t serve_device_write_inband(struct request *rq, const struct device_write_inband_in *in)
{
	size_t n = in->data.count;
	put_raw(in->data.data, n);
	device_write_inband_reply_t *rep = (device_write_inband_reply_t *)rq->out;
	rep->written = w_int((natural_t)n);
	rq->reply_size = sizeof *rep;
	return KERN_SUCCESS;
}

static kern_return_t serve_term_get_mode(struct request *rq, const struct term_get_mode_in *in)
{
	term_get_mode_reply_t *rep = (term_get_mode_reply_t *)rq->out;
	(void)in;
	mutex_lock(&lock);
	rep->mode = w_int(ld.mode);
	mutex_unlock(&lock);
	rq->reply_size = sizeof *rep;
	return KERN_SUCCESS;
}

static kern_return_t serve_term_set_mode(struct request *rq, const struct term_set_mode_in *in)
{
	unsigned mode = in->mode;
	if (mode & ~(unsigned)TERM_MODE_ALL)
		return FS_EINVAL;
	mutex_lock(&lock);
	if (!(mode & TERM_MODE_ECHO))
		ld.echo_len = 0;        /* its reader shows the input it takes, or keeps it hidden */
	ldisc_set_mode(&ld, mode);
	answer_readers();
	mutex_unlock(&lock);
	rq->reply_size = sizeof(mig_reply_header_t);
	return KERN_SUCCESS;
}

static kern_return_t serve_term_set_foreground(struct request *rq, const struct term_set_foreground_in *in)
{
	unsigned intr = 0;
	mutex_lock(&lock);
	foreground = in->pgrp;
	if (foreground && intr_pending) {
		intr_pending = 0;
		flush_echo();
		ldisc_input(&ld, 3);            /* drops the empty line the ^C made */
		ld.echo_len = 0;                /* "^C" is on the screen already */
		intr = foreground;
	}
	mutex_unlock(&lock);
	if (intr) {
		int e = proc_interrupt(proc, (int)intr);
		if (e)
			say("asking exec to interrupt process group %u: %s", intr, strerror(-e));
	}
	rq->reply_size = sizeof(mig_reply_header_t);
	return KERN_SUCCESS;
}

/* a terminal's data travel with the device protocol's inband calls */
#define TERM_SERVED(R) DEVICE_INBAND_ROUTINES(R) TERM_ROUTINES(R)
SERVER_INTERFACE(static, term_interface, "term", TERM_SERVED);
static const struct interface *const term_ifaces[] = { &term_interface, NULL };

int main(void)
{
	console = rt_console;
	if (task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &proc) != KERN_SUCCESS
	    || proc == MACH_PORT_NULL || console == MACH_PORT_NULL) {
		say("not started by exec with the console: nothing to serve");
		return 1;
	}
	struct port_info pi = { MACH_PORT_NULL, term_ifaces, NULL, NULL };
	int e = proc_term_open(proc, &pi.name);
	if (e) {
		say("asking exec for the terminal port: %s", strerror(-e));
		return 1;
	}
	ldisc_init(&ld, TERM_MODE_ALL);
	if (thread_spawn(console_reader, NULL)) {
		say("cannot start the console reader");
		return 1;
	}
	mach_msg_header_t *in = malloc(MSG_BUF), *out = malloc(MSG_BUF);
	if (!in || !out) {
		say("no memory for message buffers");
		return 1;
	}
	for (;;) {
		kern_return_t r = mach_msg(in, MACH_RCV_MSG, 0, MSG_BUF, pi.name, 0, 0);
		if (r != MACH_MSG_SUCCESS) {
			say("receive failed: %s", mach_error_name(r));
			continue;
		}
		if (server_demux(&pi, in, out, MSG_BUF, mach_msg_destroy))
			server_send_reply(out);
	}
}
