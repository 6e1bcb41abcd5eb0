/* exechild: the program exectest starts through exec (tests/boot/exec.scenario).
 * Its first argument says what to do:
 *   sum N...    exit with the sum of the numbers plus 100 for each string of
 *               the environment, after checking that the environment holds
 *               EXECTEST=yes (exit 99 if not)
 *   sleep MS N  exit with status N after MS milliseconds
 *   fault       write to address 0
 *   vanish      end the task without telling exec
 *   authority   check that the rights this task holds are only those exec
 *               handed over, and that none of them obeys a chain request
 *               (halt, forged reports, ...); exit 0, or 1 after naming
 *               what is wrong
 * It uses the exec protocol's client directly, not the POSIX runtime. */
#include "exec/client.h"
#include "mach/mach.h"
#include "rt/rt.h"
#include "rt/tls.h"
#include "chainprobe.h"

static mach_port_t proc, ports[PROC_NPORTS];

static int is_expected(mach_port_t name)
{
	if (name == mach_task_self() || name == proc || name == thread_local()->thread)
		return 1;
	for (int i = 0; i < PROC_NPORTS; i++)
		if (name == ports[i])
			return 1;
	return 0;
}

/* Every name of this task's port space, by asking the kernel for the type
 * of each name in turn: send rights only to what exec handed over (and the
 * task's and thread's own ports), none that opens devices or is host-priv,
 * none that answers the chain protocol (only a stage's next stage may). */
static int authority(void)
{
	mach_port_t boot;
	int bad = 0, send = 0, recv = 0, chained = 0;
	if (task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &boot) || boot != proc) {
		say("FAIL: my bootstrap port is %u, not the process port %u", (unsigned)boot, (unsigned)proc);
		bad++;
	}
	for (mach_port_t name = 1; name < 4096; name++) {
		natural_t type;
		kern_return_t r = mach_port_type(mach_task_self(), name, &type);
		if (r == KERN_INVALID_NAME)
			continue;
		if (r) {
			say("FAIL: mach_port_type(%u): %s", (unsigned)name, mach_error_name(r));
			bad++;
			continue;
		}
		if (type & MACH_PORT_TYPE_RECEIVE)
			recv++;            /* reply ports */
		if (type & (MACH_PORT_TYPE_SEND_ONCE | MACH_PORT_TYPE_PORT_SET | MACH_PORT_TYPE_DEAD_NAME)) {
			say("FAIL: name %u has type 0x%x", (unsigned)name, (unsigned)type);
			bad++;
		}
		if (!(type & MACH_PORT_TYPE_SEND))
			continue;
		send++;
		if (!is_expected(name)) {
			say("FAIL: a send right nobody handed over: name %u", (unsigned)name);
			bad++;
		}
		mach_port_t dev;
		if (device_open(name, D_READ, "hd0", &dev) == KERN_SUCCESS) {
			say("FAIL: name %u opens devices: it is a device master", (unsigned)name);
			bad++;
		}
		vm_offset_t va = 0;
		rpc_phys_addr_t pa;
		if (vm_allocate_contiguous(name, mach_task_self(), &va, &pa, PAGE_SIZE, 0, 0, 0) == KERN_SUCCESS) {
			say("FAIL: name %u allocates physical memory: it is host-priv", (unsigned)name);
			vm_deallocate(mach_task_self(), va, PAGE_SIZE);
			bad++;
		}
		chained += chain_requests_obeyed(name, "a right exec handed over");
	}
	bad += chained;
	say("authority: %d send rights (task, thread, process, console, root, PCI), %d receive rights; %s",
	    send, recv, bad ? "WRONG" : "none opens a device or is host-priv");
	if (!chained)
		say("authority: none obeys a chain request (halt, report, path, console, PCI)");
	return bad ? 1 : 0;
}

int main(int argc, char **argv, char **envp)
{
	struct proc_info info;
	if (task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &proc) || proc == MACH_PORT_NULL)
		return 98;
	if (proc_startup(proc, ports, &info) < 0)
		proc_exit(proc, 97);
	rt_console = ports[PROC_PORT_FD1];
	const char *mode = argc > 1 ? argv[1] : "";
	if (strcmp(mode, "sum") == 0) {
		int sum = 0, env = 0, marked = 0;
		for (int i = 2; i < argc; i++) {
			uint32_t n;
			if (parse_u32(argv[i], &n))
				proc_exit(proc, 96);
			sum += (int)n;
		}
		for (; envp[env]; env++)
			marked |= strcmp(envp[env], "EXECTEST=yes") == 0;
		proc_exit(proc, argv[argc] == NULL && marked ? sum + 100 * env : 99);
	}
	if (strcmp(mode, "sleep") == 0 && argc == 4) {
		uint32_t ms, status;
		if (parse_u32(argv[2], &ms) || parse_u32(argv[3], &status))
			proc_exit(proc, 96);
		sleep_ms(ms);
		proc_exit(proc, (int)status);
	}
	if (strcmp(mode, "fault") == 0) {
		static volatile uintptr_t zero;
		*(volatile int *)zero = 1;
		proc_exit(proc, 95);     /* not reached */
	}
	if (strcmp(mode, "vanish") == 0) {
		task_terminate(mach_task_self());
		for (;;)
			swtch();
	}
	if (strcmp(mode, "authority") == 0)
		proc_exit(proc, authority());
	say("unknown mode '%s'", mode);
	proc_exit(proc, 94);
}
