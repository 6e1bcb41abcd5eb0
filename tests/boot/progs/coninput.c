/* What the kernel's console device does with input: the facts the user
 * runtime's line reader is built on (docs/runtime.md).  It shows the tty
 * flags, then reads what the scenario types, each reply as a byte count and
 * hex bytes (so that an echo by the kernel would show up as the typed text
 * itself), and checks that a D_NOWAIT read with nothing typed still waits. */
#include "rt/rt.h"
#include "rt/thread.h"
#include "mach/mach.h"
#include "hello_options.h"

#define TTY_STATUS (('t' << 16) + 1)
#define D_NOWAIT 0x8

static volatile int nowait_returned;

/* One read of up to WANT bytes in MODE. */
static void read_round(int n, unsigned mode, vm_size_t want)
{
	char buf[128], hex[3 * 128 + 1];
	vm_size_t got;
	size_t k = 0;
	say("round %d: reading up to %u bytes, mode %u", n, (unsigned)want, mode);
	kern_return_t r = device_read_inband(rt_console, mode, 0, want, buf, &got);
	for (vm_size_t i = 0; i < got && i < sizeof buf; i++)
		k += snprintf(hex + k, sizeof hex - k, " %02x", (unsigned char)buf[i]);
	hex[k] = 0;
	say("round %d read: %s, %u bytes:%s", n, mach_error_name(r), (unsigned)got, hex);
}

static void watch_nowait(void *arg)
{
	(void)arg;
	sleep_ms(2000);
	say("D_NOWAIT read %s after 2 s", nowait_returned ? "returned" : "still waiting");
}

int main(int argc, char **argv)
{
	struct opt_result o;
	char err[128];
	if (opt_parse(hello_options, OPTIONS_COUNT(hello_options), argc, argv, &o, err, sizeof err) < 0)
		exit(1);
	if (device_open(o.num[SLOT_DEVICE_MASTER], D_READ | D_WRITE, "console", &rt_console))
		exit(2);
	integer_t st[4] = { 0, 0, 0, 0 };
	natural_t count = 4;
	kern_return_t r = device_get_status(rt_console, TTY_STATUS, st, &count);
	say("tty status: %s, flags 0x%x", mach_error_name(r), st[3]);
	read_round(1, 0, 128);      /* the scenario types "qzj" without Enter */
	read_round(2, 0, 128);      /* "\r" */
	read_round(3, 0, 128);      /* "\n" */
	read_round(4, 0, 128);      /* DEL and BS */
	read_round(5, 0, 1);        /* "xy" with 1-byte reads */
	read_round(6, 0, 1);
	thread_spawn(watch_nowait, NULL);
	read_round(7, D_NOWAIT, 128);   /* nothing typed until the watcher spoke */
	nowait_returned = 1;
	say("done");
	host_reboot(o.num[SLOT_HOST_PRIV], 0);
	return 0;
}
