/* The client stubs of lib/mach against the real kernel: each call is made
 * and its result checked against what the kernel must answer, one line per
 * check ("ok" or "WRONG: ..."), then the machine is rebooted. */
#include "rt/rt.h"
#include "mach/mach.h"
#include "rt/ioport.h"
#include "hello_options.h"

static int checks, wrong;

static void check(const char *what, int ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void check(const char *what, int ok, const char *fmt, ...)
{
	char detail[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	checks++;
	if (ok) {
		say("%s ok", what);
	} else {
		wrong++;
		say("%s WRONG: %s", what, detail);
	}
}


static void time_and_names(void)
{
	struct time_value now = { 0, 0 };
	kern_return_t r = host_get_time(mach_host_self(), &now);
	check("host_get_time", r == 0 && now.seconds > 1600000000, "%s, %d s", mach_error_name(r), now.seconds);
	r = task_set_name(mach_task_self(), "kcalls");
	check("task_set_name", r == 0, "%s", mach_error_name(r));
	struct task_basic_info info;
	natural_t n = TASK_BASIC_INFO_COUNT;
	r = task_info(mach_task_self(), TASK_BASIC_INFO, (integer_t *)&info, &n);
	check("task_info", r == 0 && n == TASK_BASIC_INFO_COUNT && info.suspend_count == 0 && info.virtual_size > 0,
	      "%s, count %u, suspend %d", mach_error_name(r), (unsigned)n, info.suspend_count);
}

static void memory(void)
{
	vm_offset_t a = 0, data = 0;
	vm_size_t got = 0;
	/* vm_write takes whole pages, page-aligned (vm_map_copy_overwrite) */
	static char pattern[8192] __attribute__((aligned(4096)));
	for (unsigned i = 0; i < sizeof pattern; i++)
		pattern[i] = (char)(i * 7 + 1);
	kern_return_t r = vm_allocate(mach_task_self(), &a, 3 * PAGE_SIZE, 1);
	check("vm_allocate", r == 0 && a && ((char *)(uintptr_t)a)[5000] == 0, "%s", mach_error_name(r));
	r = vm_write(mach_task_self(), a, pattern, sizeof pattern);
	check("vm_write", r == 0 && memcmp((void *)(uintptr_t)a, pattern, sizeof pattern) == 0, "%s", mach_error_name(r));
	r = vm_read(mach_task_self(), a, sizeof pattern, &data, &got);
	check("vm_read", r == 0 && got == sizeof pattern && data != a
	      && memcmp((void *)(uintptr_t)data, pattern, sizeof pattern) == 0, "%s, %u bytes", mach_error_name(r), (unsigned)got);
	r = vm_protect(mach_task_self(), a, PAGE_SIZE, 0, VM_PROT_READ);
	check("vm_protect", r == 0, "%s", mach_error_name(r));
	r = vm_deallocate(mach_task_self(), a, 3 * PAGE_SIZE);
	check("vm_deallocate", r == 0 && vm_read(mach_task_self(), a, 16, &a, &got) == KERN_INVALID_ADDRESS,
	      "%s", mach_error_name(r));
	vm_deallocate(mach_task_self(), data, got);
}

static void ports(void)
{
	mach_port_t p = 0, prev = 1;
	kern_return_t r = mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p);
	check("mach_port_allocate", r == 0 && MACH_PORT_VALID(p), "%s", mach_error_name(r));
	r = mach_port_insert_right(mach_task_self(), p, p, MACH_MSG_TYPE_MAKE_SEND);
	check("mach_port_insert_right", r == 0, "%s", mach_error_name(r));
	r = mach_port_request_notification(mach_task_self(), p, MACH_NOTIFY_NO_SENDERS, 0, p,
	                                   MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev);
	check("mach_port_request_notification", r == 0 && prev == MACH_PORT_NULL, "%s", mach_error_name(r));
	r = mach_port_deallocate(mach_task_self(), p);      /* the only send right */
	union { mach_msg_header_t h; char buf[64]; } m;
	kern_return_t rr = mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, p, 2000, 0);
	check("mach_port_deallocate", r == 0 && rr == 0 && m.h.msgh_id == MACH_NOTIFY_NO_SENDERS,
	      "%s, then %s id %d", mach_error_name(r), mach_error_name(rr), m.h.msgh_id);
	r = mach_port_mod_refs(mach_task_self(), p, MACH_PORT_RIGHT_RECEIVE, -1);
	check("mach_port_mod_refs", r == 0, "%s", mach_error_name(r));
}

static void tasks(void)
{
	mach_port_t child = 0, bp = 0, got = 0;
	kern_return_t r = task_create(mach_task_self(), 0, &child);
	check("task_create", r == 0 && MACH_PORT_VALID(child), "%s", mach_error_name(r));
	mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &bp);
	r = task_set_special_port(child, TASK_BOOTSTRAP_PORT, bp, MACH_MSG_TYPE_MAKE_SEND);
	kern_return_t r2 = task_get_special_port(child, TASK_BOOTSTRAP_PORT, &got);
	check("task_set/get_special_port", r == 0 && r2 == 0 && got == bp, "%s %s, %u vs %u",
	      mach_error_name(r), mach_error_name(r2), (unsigned)got, (unsigned)bp);
	struct task_basic_info info;
	natural_t n = TASK_BASIC_INFO_COUNT;
	r = task_suspend(child);
	task_info(child, TASK_BASIC_INFO, (integer_t *)&info, &n);
	check("task_suspend", r == 0 && info.suspend_count == 1, "%s, count %d", mach_error_name(r), info.suspend_count);
	r = task_resume(child);
	n = TASK_BASIC_INFO_COUNT;
	task_info(child, TASK_BASIC_INFO, (integer_t *)&info, &n);
	check("task_resume", r == 0 && info.suspend_count == 0, "%s, count %d", mach_error_name(r), info.suspend_count);
	r = task_terminate(child);
	n = TASK_BASIC_INFO_COUNT;
	r2 = task_info(child, TASK_BASIC_INFO, (integer_t *)&info, &n);
	check("task_terminate", r == 0 && r2 != 0, "%s, then task_info %s", mach_error_name(r), mach_error_name(r2));
}

static void devices(mach_port_t master, mach_port_t host_priv)
{
	mach_port_t dev = 0, perm = 0, pager = 0;
	kern_return_t r = device_open(master, D_READ, "nosuchdevice", &dev);
	check("device_open of an unknown name", r == D_NO_SUCH_DEVICE, "%s", mach_error_name(r));
	/* PCI configuration mechanism #1: 00:00.0 is QEMU's 8086:1237 host bridge */
	r = i386_io_perm_create(master, 0xcf8, 0xcff, &perm);
	kern_return_t r2 = i386_io_perm_modify(mach_task_self(), perm, 1);
	uint32_t id = 0;
	if (r == 0 && r2 == 0) {
		outl(0xcf8, 0x80000000u);
		id = inl(0xcfc);
	}
	check("i386_io_perm_create/modify", r == 0 && r2 == 0 && id == 0x12378086u, "%s %s, id %08x",
	      mach_error_name(r), mach_error_name(r2), (unsigned)id);
	/* physical memory through the mem device: the BIOS area's last page.
	 * The pager starts at device_map's offset; vm_map's offset is relative. */
	r = device_open(master, D_READ, "mem", &dev);
	r2 = r ? r : device_map(dev, VM_PROT_READ, 0xff000, PAGE_SIZE, &pager, 0);
	vm_offset_t a = 0;
	kern_return_t r3 = r2 ? r2 : vm_map(mach_task_self(), &a, PAGE_SIZE, 0, 1, pager, 0, 0,
	                                    VM_PROT_READ, VM_PROT_READ, VM_INHERIT_COPY);
	check("device_open(mem)/device_map/vm_map", r3 == 0 && a != 0, "%s %s %s", mach_error_name(r),
	      mach_error_name(r2), mach_error_name(r3));
	unsigned char first = r3 ? 0 : ((unsigned char *)(uintptr_t)a)[0xff0];
	check("the reset vector at physical 0xffff0 is a far jump (0xea)", first == 0xea, "byte %02x", first);
	rpc_phys_addr_t pa = 0;
	a = 0;
	r = vm_allocate_contiguous(host_priv, mach_task_self(), &a, &pa, 4 * PAGE_SIZE, 0, 0x40000000, 0);
	if (r == 0)
		memset((void *)(uintptr_t)a, 0x5a, 4 * PAGE_SIZE);
	check("vm_allocate_contiguous", r == 0 && a && pa && (pa & (PAGE_SIZE - 1)) == 0 && pa < 0x40000000,
	      "%s, phys 0x%llx", mach_error_name(r), (unsigned long long)pa);
}

int main(int argc, char **argv)
{
	struct opt_result o;
	char err[128];
	if (opt_parse(hello_options, OPTIONS_COUNT(hello_options), argc, argv, &o, err, sizeof err) < 0
	    || device_open(o.num[SLOT_DEVICE_MASTER], D_READ | D_WRITE, "console", &rt_console) != 0)
		exit(1);
	time_and_names();
	memory();
	ports();
	tasks();
	devices(o.num[SLOT_DEVICE_MASTER], o.num[SLOT_HOST_PRIV]);
	say("%d checks, %d wrong", checks, wrong);
	host_reboot(o.num[SLOT_HOST_PRIV], 0);
	return 0;
}
