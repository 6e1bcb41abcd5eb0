/* The server library on the real kernel: a port served by two threads, a
 * no-senders notification when the last send right goes, a dead-name
 * notification when a watched task dies, and a request answered while
 * another thread of the server is busy. */
#include "chain/chain.h"
#include "mach/mach.h"
#include "mach/rpc_util.h"
#include "rt/rt.h"
#include "rt/lock.h"
#include "rt/thread.h"
#include "hello_options.h"

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

static const struct msg_field none[1];
static const struct routine routines[] = {
	{ 5000, none, 0, do_slow, 0 },
	{ 5001, none, 0, do_release, 0 },
};
static const struct interface iface = { "srvtest", routines, 2 };
static const struct interface *const ifaces[] = { &iface, NULL };
static struct server *srv;

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

	/* no senders: ask, then drop our only send right */
	r = server_request_no_senders(pi);
	sleep_ms(300);   /* the slow call's reply has gone out by now */
	mach_port_deallocate(mach_task_self(), send);
	say("no-senders notification: %s %s", mach_error_name(r),
	    r == 0 && wait_for(&no_senders_seen, 1) ? "ok" : "WRONG");

	/* dead name: a child task, watched, then terminated */
	mach_port_t child;
	task_create(mach_task_self(), 0, &child);
	r = server_watch_dead_name(srv, child, on_dead, NULL);
	task_terminate(child);
	say("dead-name notification: %s %s", mach_error_name(r),
	    r == 0 && wait_for(&dead_seen, 1) ? "ok" : "WRONG");
	say("done");
	host_reboot(o.num[SLOT_HOST_PRIV], 0);
	return 0;
}
