/* The server library on the real kernel: a port served by two threads, a
 * no-senders notification when the last send right goes, a dead-name
 * notification when a watched task dies, a request answered while
 * another thread of the server is busy, and replies that cannot be
 * delivered (reply port destroyed, reply queue full) giving back what they
 * carried: a port made for the reply alone, a moved right, memory.
 * Forged notifications sent to a served port change nothing (they are
 * answered MIG_BAD_ID), and a request larger than any the library serves
 * is refused while the server lives on. */
#include "chain/chain.h"
#include "mach/mach.h"
#include "mach/rpc_util.h"
#include "rt/rt.h"
#include "rt/lock.h"
#include "rt/thread.h"
#include "hello_options.h"
#include "forge.h"

static mutex_t lock;
static cond_t changed;
static int no_senders_seen, dead_seen, slow_running;

static void on_no_senders(struct port_info *pi)
{
	(void)pi;
	mutex_lock(&lock);
	no_senders_seen = 1;
	cond_broadcast(&changed);
	mutex_unlock(&lock);
}

static void on_dead(mach_port_t name, void *arg)
{
	(void)arg;
	mach_port_deallocate(mach_task_self(), name);
	mutex_lock(&lock);
	dead_seen = 1;
	cond_broadcast(&changed);
	mutex_unlock(&lock);
}

/* 5000: sleeps until told to stop (id 5001 arrives on another thread). */
static kern_return_t do_slow(struct request *rq)
{
	mutex_lock(&lock);
	slow_running = 1;
	cond_broadcast(&changed);
	while (slow_running == 1)
		cond_wait(&changed, &lock);
	mutex_unlock(&lock);
	rq->reply_size = sizeof(mig_reply_header_t);
	return KERN_SUCCESS;
}

static kern_return_t do_release(struct request *rq)
{
	mutex_lock(&lock);
	slow_running = 2;
	cond_broadcast(&changed);
	mutex_unlock(&lock);
	rq->reply_size = sizeof(mig_reply_header_t);
	return KERN_SUCCESS;
}

static struct server *srv;
static const struct interface *const ifaces[];

/* 5002's reply: a send right to a port made for it alone (as an ext2fs
 * node is), a moved send right, a page given away. */
typedef struct {
	mig_reply_header_t h;
	msg_port_t made, moved;
	msg_ool_t page;
} gifts_reply_t;
MSG_LAYOUT(gifts_reply_t, 64);

static struct {
	int running, go, released;   /* under lock */
	mach_port_t moved, reply;
	vm_offset_t page;
} gifts;

static void on_made_unused(struct port_info *pi)
{
	mutex_lock(&lock);
	gifts.released++;
	cond_broadcast(&changed);
	mutex_unlock(&lock);
	server_remove_port(srv, pi, NULL);
}

/* 5002: waits until told to go on, then answers with the gifts. */
static kern_return_t do_gifts(struct request *rq)
{
	mutex_lock(&lock);
	gifts.running = 1;
	cond_broadcast(&changed);
	while (!gifts.go)
		cond_wait(&changed, &lock);
	gifts.go = gifts.running = 0;
	mutex_unlock(&lock);
	struct port_info *made = server_add_port(srv, ifaces, NULL);
	if (!made || server_request_no_senders(made))
		return KERN_RESOURCE_SHORTAGE;
	made->no_senders = on_made_unused;
	gifts.reply = rq->in->msgh_remote_port;
	mach_port_insert_right(mach_task_self(), gifts.moved, gifts.moved, MACH_MSG_TYPE_MAKE_SEND);
	if (vm_allocate(mach_task_self(), &gifts.page, PAGE_SIZE, 1))
		return KERN_RESOURCE_SHORTAGE;
	gifts_reply_t *rep = (gifts_reply_t *)rq->out;
	rep->made = (msg_port_t){ MSGT_PORT(MACH_MSG_TYPE_MAKE_SEND), made->name };
	rep->moved = (msg_port_t){ MSGT_PORT(MACH_MSG_TYPE_MOVE_SEND), gifts.moved };
	rep->page = w_ool((void *)(uintptr_t)gifts.page, PAGE_SIZE);
	rep->page.type.msgtl_header.msgt_deallocate = 1;
	rq->reply_size = sizeof *rep;
	rq->reply_complex = 1;
	return KERN_SUCCESS;
}

static const struct msg_field none[1];
static const struct routine routines[] = {
	{ 5000, none, 0, do_slow, 0 },
	{ 5001, none, 0, do_release, 0 },
	{ 5002, none, 0, do_gifts, 0 },
};
static const struct interface iface = { "srvtest", routines, sizeof routines / sizeof routines[0] };
static const struct interface *const ifaces[] = { &iface, NULL };

/* A request of 100 KiB inline, more than any request the library serves
 * (MSG_MAX): the server refuses it, so the kernel destroys it and our reply
 * right, and we get the send-once notification instead of an answer; then
 * the port still serves. */
static void too_large(mach_port_t dest)
{
	enum { BIG = 100 * 1024 };
	struct big { mach_msg_header_t head; mach_msg_type_long_t type; char data[BIG]; } *b;
	union { req0_t in; mig_reply_header_t out; } m;
	vm_offset_t a = 0;
	if (vm_allocate(mach_task_self(), &a, sizeof *b + PAGE_SIZE, 1))
		return;
	b = (struct big *)(uintptr_t)a;
	rpc_head(&b->head, dest, 5001, 0);
	b->type = MSGT_LONG(MACH_MSG_TYPE_CHAR, 8, BIG);
	kern_return_t r = mach_rpc(&b->head, sizeof *b, sizeof *b, rpc_reply_ret, 1, NULL);
	vm_deallocate(mach_task_self(), a, sizeof *b + PAGE_SIZE);
	rpc_head(&m.in.head, dest, 5001, 0);
	kern_return_t served = mach_rpc(&m.in.head, sizeof m.in, sizeof m, rpc_reply_ret, 1, NULL);
	say("a %u-byte request: %s, then the port %s: %s", (unsigned)sizeof *b, mach_error_name(r),
	    served == KERN_SUCCESS ? "serves" : mach_error_name(served),
	    r == MIG_REPLY_MISMATCH && served == KERN_SUCCESS ? "ok" : "WRONG");
}

static void serve(void *arg)
{
	(void)arg;
	server_run(srv, 2);
}

static void call_slow(void *arg)
{
	union { req0_t in; mig_reply_header_t out; } m;
	rpc_head(&m.in.head, *(mach_port_t *)arg, 5000, 0);
	kern_return_t r = mach_rpc(&m.in.head, sizeof m.in, sizeof m, rpc_reply_ret, 1, NULL);
	say("the slow request returned: %s", mach_error_name(r));
}

/* Waits until *FLAG reaches WANT, at most 5 s; returns whether it did. */
static int wait_for(volatile int *flag, int want)
{
	for (int i = 0; i < 50 && *flag != want; i++)
		sleep_ms(100);
	return *flag == want;
}

/* Sends 5002 to DEST with REPLY (made as REPLY_DISP) and no wait for the
 * answer; returns once the handler runs. */
static int start_gifts(mach_port_t dest, mach_port_t reply, unsigned reply_disp)
{
	req0_t m;
	m.head = (mach_msg_header_t){ MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, reply_disp), sizeof m,
	                              dest, reply, 0, 5002 };
	if (mach_msg(&m.head, MACH_SEND_MSG, sizeof m, 0, MACH_PORT_NULL, 0, 0))
		return 0;
	return wait_for(&gifts.running, 1);
}

static void let_gifts_go(void)
{
	mutex_lock(&lock);
	gifts.go = 1;
	cond_broadcast(&changed);
	mutex_unlock(&lock);
}

/* Whether the moved send right is back to nothing but our receive right. */
static int moved_given_back(void)
{
	natural_t type = 0;
	return mach_port_type(mach_task_self(), gifts.moved, &type) == 0 && type == MACH_PORT_TYPE_RECEIVE;
}

/* Whether nothing is mapped at the page 5002 gave away. */
static int page_given_back(void)
{
	vm_offset_t a = gifts.page;
	if (vm_allocate(mach_task_self(), &a, PAGE_SIZE, 0))
		return 0;
	vm_deallocate(mach_task_self(), a, PAGE_SIZE);
	return 1;
}

static int reply_name_gone(void)
{
	natural_t type;
	return mach_port_type(mach_task_self(), gifts.reply, &type) == KERN_INVALID_NAME;
}

/* The client destroys its reply port before the server answers: the kernel
 * refuses the reply at once (MACH_SEND_INVALID_DEST) and all of it is the
 * server's to give back. */
static void lost_reply(mach_port_t dest)
{
	mach_port_t reply;
	mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &reply);
	int started = start_gifts(dest, reply, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	mach_port_mod_refs(mach_task_self(), reply, MACH_PORT_RIGHT_RECEIVE, -1);
	let_gifts_go();
	int made = started && wait_for(&gifts.released, 1), moved = 0, page = 0, name = 0;
	for (int i = 0; i < 50 && !(moved && page && name); i++) {
		sleep_ms(i ? 100 : 0);
		moved = moved_given_back(), page = page_given_back(), name = reply_name_gone();
	}
	say("reply to a destroyed port: port made for it %s, moved right %s, page %s, reply name %s: %s",
	    made ? "released" : "KEPT", moved ? "back" : "KEPT", page ? "back" : "KEPT",
	    name ? "back" : "KEPT", made && moved && page && name ? "ok" : "WRONG");
}

/* The client's reply queue is full: the kernel hands the reply back as if
 * received (MACH_SEND_TIMED_OUT) and the server destroys it. */
static void full_reply_queue(mach_port_t dest)
{
	mach_port_t q;
	mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &q);
	int full = 0;
	for (int i = 0; i < 64 && !full; i++) {
		req0_t m;
		m.head = (mach_msg_header_t){ MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0), sizeof m, q,
		                              MACH_PORT_NULL, 0, 1 };
		full = mach_msg(&m.head, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof m, 0, MACH_PORT_NULL, 0, 0)
		       == MACH_SEND_TIMED_OUT;
	}
	int started = full && start_gifts(dest, q, MACH_MSG_TYPE_MAKE_SEND);
	let_gifts_go();
	int made = started && wait_for(&gifts.released, 2), moved = 0;
	for (int i = 0; i < 50 && !moved; i++) {
		sleep_ms(i ? 100 : 0);
		moved = moved_given_back();
	}
	say("reply to a full queue: port made for it %s, moved right %s: %s",
	    made ? "released" : "KEPT", moved ? "back" : "KEPT", made && moved ? "ok" : "WRONG");
	mach_port_mod_refs(mach_task_self(), q, MACH_PORT_RIGHT_RECEIVE, -1);
}

int main(int argc, char **argv)
{
	struct opt_result o;
	char err[128];
	if (opt_parse(hello_options, OPTIONS_COUNT(hello_options), argc, argv, &o, err, sizeof err) < 0
	    || device_open(o.num[SLOT_DEVICE_MASTER], D_READ | D_WRITE, "console", &rt_console))
		exit(1);
	srv = server_create();
	struct port_info *pi = server_add_port(srv, ifaces, NULL);
	pi->no_senders = on_no_senders;
	thread_spawn(serve, NULL);

	/* two requests at once: the second is answered while the first waits */
	mach_port_t send = pi->name;
	mach_port_insert_right(mach_task_self(), send, send, MACH_MSG_TYPE_MAKE_SEND);
	thread_spawn(call_slow, &send);
	say("slow request running: %s", wait_for(&slow_running, 1) ? "ok" : "WRONG");
	union { req0_t in; mig_reply_header_t out; } m;
	rpc_head(&m.in.head, send, 5001, 0);
	kern_return_t r = mach_rpc(&m.in.head, sizeof m.in, sizeof m, rpc_reply_ret, 1, NULL);
	say("second request served beside it: %s %s", mach_error_name(r), r == 0 ? "ok" : "WRONG");

	/* no senders: ask, then forge notifications (they must change
	 * nothing), then drop our only send right */
	r = server_request_no_senders(pi);
	int refused = forge_all(send, send);
	sleep_ms(300);   /* the slow call's reply has gone out by now, the forgeries are in */
	rpc_head(&m.in.head, send, 5001, 0);
	kern_return_t served = mach_rpc(&m.in.head, sizeof m.in, sizeof m, rpc_reply_ret, 1, NULL);
	say("forged no-senders, dead-name and port-destroyed notifications: %d of %d answered MIG_BAD_ID, "
	    "callback %s, port %s: %s", refused, FORGE_KINDS, no_senders_seen ? "RUN" : "not run",
	    served == KERN_SUCCESS ? "serves" : mach_error_name(served),
	    refused == FORGE_KINDS && !no_senders_seen && served == KERN_SUCCESS ? "ok" : "WRONG");
	too_large(send);
	mach_port_deallocate(mach_task_self(), send);
	say("no-senders notification: %s %s", mach_error_name(r),
	    r == 0 && wait_for(&no_senders_seen, 1) ? "ok" : "WRONG");

	/* dead name: a child task, watched, a forgery sent to a served port,
	 * then the task terminated */
	struct port_info *dead_pi = server_add_port(srv, ifaces, NULL);
	mach_port_t send_dead = dead_pi->name;
	mach_port_insert_right(mach_task_self(), send_dead, send_dead, MACH_MSG_TYPE_MAKE_SEND);
	mach_port_t child;
	task_create(mach_task_self(), 0, &child);
	r = server_watch_dead_name(srv, child, on_dead, NULL);
	forge(send_dead, FORGE_DEAD_NAME, 0, child);
	sleep_ms(300);
	say("forged dead-name notification for the watched task: callback %s: %s",
	    dead_seen ? "RUN" : "not run", dead_seen ? "WRONG" : "ok");
	task_terminate(child);
	say("dead-name notification: %s %s", mach_error_name(r),
	    r == 0 && wait_for(&dead_seen, 1) ? "ok" : "WRONG");
	/* replies that cannot be delivered */
	struct port_info *gifts_pi = server_add_port(srv, ifaces, NULL);
	mach_port_insert_right(mach_task_self(), gifts_pi->name, gifts_pi->name, MACH_MSG_TYPE_MAKE_SEND);
	mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &gifts.moved);
	lost_reply(gifts_pi->name);
	full_reply_queue(gifts_pi->name);
	say("done");
	host_reboot(o.num[SLOT_HOST_PRIV], 0);
	return 0;
}
