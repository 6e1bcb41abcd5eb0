/* Smoke test of the runtime on the real kernel: console, heap, a thread,
 * a mutex and condition variable, then the machine is rebooted. */
#include "rt/rt.h"
#include "rt/lock.h"
#include "rt/thread.h"
#include "hello_options.h"
#include "mach/mach.h"

static mutex_t lock;
static cond_t cond;
static int done;

static void worker(void *arg)
{
	say("thread says %s", (const char *)arg);
	mutex_lock(&lock);
	done = 1;
	cond_signal(&cond);
	mutex_unlock(&lock);
}

int main(int argc, char **argv)
{
	struct opt_result o;
	char err[128];
	if (opt_parse(hello_options, OPTIONS_COUNT(hello_options), argc, argv, &o, err, sizeof err) < 0)
		exit(1);
	kern_return_t r = device_open(o.num[SLOT_DEVICE_MASTER], D_READ | D_WRITE, "console", &rt_console);
	if (r)
		exit(2);
	say("hello from %s, %d arguments", argv[0], argc);
	char *p = malloc(100000);
	strlcpy(p, "heap works", 100000);
	say("%s", p);
	free(p);
	r = thread_spawn(worker, "hi");
	say("thread_spawn: %s", mach_error_name(r));
	mutex_lock(&lock);
	while (!done)
		cond_wait(&cond, &lock);
	mutex_unlock(&lock);
	say("joined");
	host_reboot(o.num[SLOT_HOST_PRIV], 0);
	return 0;
}
