/* A client of the Mach device protocol: reads whole devices and prints
 * their POSIX checksums (the test compares them with cksum on the host),
 * writes a pattern the host then finds in the image, and checks that bad
 * requests get errors.  It opens devices through its bootstrap port (the
 * disk server) or, without one, through the kernel's device master: the
 * same code against both.  Ends by asking the chain (or the kernel) to halt. */
#include "chain/chain.h"
#include "mach/mach.h"
#include "mach/rpc_util.h"
#include "mach/device_msgs.h"
#include "rt/rt.h"
#include "rt/cksum.h"
#include "disktest_options.h"

#define CHUNK (1024u * 1024u)
static int wrong;

static void expect(const char *what, kern_return_t got, kern_return_t want)
{
	say("%s: %s %s", what, mach_error_name(got), got == want ? "ok" : "WRONG");
	wrong += got != want;
}

static void read_whole(mach_port_t master, const char *name)
{
	mach_port_t dev;
	kern_return_t r = device_open(master, D_READ, name, &dev);
	if (r) {
		say("%s: device_open: %s", name, mach_error_name(r));
		wrong++;
		return;
	}
	integer_t st[2];
	natural_t n = 2;
	r = device_get_status(dev, DEV_GET_RECORDS, st, &n);
	if (r) {
		say("%s: device_get_status: %s", name, mach_error_name(r));
		wrong++;
		return;
	}
	uint64_t records = (natural_t)st[0];
	struct cksum c;
	cksum_init(&c);
	for (uint64_t rec = 0; rec < records;) {
		vm_size_t want = (records - rec) * 512 < CHUNK ? (vm_size_t)((records - rec) * 512) : CHUNK;
		vm_offset_t data;
		vm_size_t got;
		r = device_read(dev, 0, (natural_t)rec, want, &data, &got);
		if (r || got != want) {
			say("%s: device_read at %llu: %s, %u bytes", name, (unsigned long long)rec,
			    mach_error_name(r), (unsigned)got);
			wrong++;
			return;
		}
		cksum_add(&c, (void *)(uintptr_t)data, got);
		vm_deallocate(mach_task_self(), data, got);
		rec += got / 512;
	}
	say("%s: %llu records, cksum %u %llu", name, (unsigned long long)records, cksum_final(&c),
	    (unsigned long long)(records * 512));

	/* past the end, and sizes that are not whole records */
	vm_offset_t data;
	vm_size_t got;
	/* at the edges: the kernel's disks answer a read at the end with no
	 * data, the disk server refuses it; both cut a read across the end */
	got = 12345;
	r = device_read(dev, 0, (natural_t)records, 512, &data, &got);
	say("read at the end: %s, %u bytes", mach_error_name(r), (unsigned)got);
	got = 12345;
	r = device_read(dev, 0, (natural_t)records - 1, 1024, &data, &got);
	expect("read across the end", r == 0 && got == 512 ? 0 : r ? r : -1, 0);
	got = 12345;
	r = device_read(dev, 0, 0, 100, &data, &got);
	expect("read of 100 bytes", r == 0 && got == 100 ? 0 : r ? r : -1, 0);
	device_close(dev);
}

static void write_pattern(mach_port_t master, const char *name)
{
	static char pattern[65536] __attribute__((aligned(4096)));
	for (unsigned i = 0; i < sizeof pattern; i++)
		pattern[i] = "disktest pattern "[i % 17];
	mach_port_t dev;
	vm_size_t done = 0;
	kern_return_t r = device_open(master, D_READ | D_WRITE, name, &dev);
	if (r == 0)
		r = device_write(dev, 0, 2048, pattern, sizeof pattern, &done);
	expect("write 64 KiB at record 2048", r, done == sizeof pattern ? 0 : -1);
	vm_offset_t data;
	vm_size_t got;
	r = device_read(dev, 0, 2048, sizeof pattern, &data, &got);
	expect("read it back", r == 0 && got == sizeof pattern && memcmp((void *)(uintptr_t)data, pattern, got) == 0
	       ? 0 : r ? r : -1, 0);
	char small[128];
	r = device_write_inband(dev, 0, 4000, "inband write", 12, &done);
	expect("inband write of 12 bytes", r, D_INVALID_SIZE);
	r = device_read_inband(dev, 0, 2048, 17, small, &got);
	expect("inband read of 17 bytes", r == 0 && got == 17 && memcmp(small, pattern, 17) == 0 ? 0 : -1, 0);
	integer_t flush = 0;
	expect("flush", device_set_status(dev, DEV_FLUSH, &flush, 0), 0);
}

/* One write of 1 MiB at record 18432, in several requests inside the disk
 * server: a test makes one of them fail and then finds the others on the
 * image. */
static void write_big(mach_port_t master, const char *name)
{
	static char pattern[1u << 20] __attribute__((aligned(4096)));
	for (unsigned i = 0; i < sizeof pattern; i++)
		pattern[i] = "disktest pattern "[i % 17];
	mach_port_t dev;
	vm_size_t done = 0;
	kern_return_t r = device_open(master, D_READ | D_WRITE, name, &dev);
	if (r == 0)
		r = device_write(dev, 0, 18432, pattern, sizeof pattern, &done);
	say("%s: 1 MiB write at 18432: %s", name, mach_error_name(r));
	vm_offset_t data;
	vm_size_t got;
	r = device_read(dev, 0, 2048, 4096, &data, &got);
	expect("a read afterwards", r, KERN_SUCCESS);
}

/* Reads each device of the comma-separated LIST whole through MASTER. */
static void read_list(mach_port_t master, const char *names)
{
	char list[128];
	strlcpy(list, names, sizeof list);
	for (char *s = list, *name; (name = s);) {
		s = strchr(s, ',');
		if (s)
			*s++ = 0;
		read_whole(master, name);
	}
}

int main(int argc, char **argv)
{
	static struct chain c;
	chain_start(&c, argc, argv, disktest_options, OPTIONS_COUNT(disktest_options));
	mach_port_t master = c.parent ? c.parent : c.device_master;
	say("opening devices through %s", c.parent ? "my bootstrap port (the disk server)"
	                                            : "the kernel's device master");
	chain_ready(&c);
	char first[DEV_NAME_MAX];
	strlcpy(first, c.opts.str[SLOT_DISKS] ? c.opts.str[SLOT_DISKS] : "vd0", sizeof first);
	if (strchr(first, ','))
		*strchr(first, ',') = 0;
	read_list(master, c.opts.str[SLOT_DISKS] ? c.opts.str[SLOT_DISKS] : "vd0");
	if (c.opts.str[SLOT_KERNEL_DISKS]) {
		say("and through the kernel's device master");
		read_list(c.device_master, c.opts.str[SLOT_KERNEL_DISKS]);
	}
	mach_port_t dev;
	expect("open an unknown device", device_open(master, D_READ, "vd9s9", &dev), D_NO_SUCH_DEVICE);
	if (c.parent && device_open(master, D_READ, first, &dev) == 0) {
		/* malformed requests to the disk server, then a good one */
		union { device_read_request_t in; char buf[256]; } m;
		rpc_head(&m.in.head, dev, ID_DEVICE_READ, 0);
		m.in.mode = w_int(0);
		m.in.recnum = w_i16(0);
		m.in.bytes = w_int(512);
		expect("device_read with a 16-bit record number", mach_rpc(&m.in.head, sizeof m.in, sizeof m,
		       rpc_reply_ret, 1, NULL), MIG_BAD_ARGUMENTS);
		rpc_head(&m.in.head, dev, ID_DEVICE_READ, 0);
		expect("device_read cut short", mach_rpc(&m.in.head, sizeof m.in - 8, sizeof m,
		       rpc_reply_ret, 1, NULL), MIG_BAD_ARGUMENTS);
		vm_offset_t data;
		vm_size_t got;
		expect("a good read afterwards", device_read(dev, 0, 0, 512, &data, &got), KERN_SUCCESS);
		/* the open was for reading: writing back what is there is refused */
		vm_size_t done;
		expect("write through a read-only open", device_write(dev, 0, 0, (void *)(uintptr_t)data, 512, &done),
		       D_INVALID_OPERATION);
		/* a closed device's port is gone */
		expect("close", device_close(dev), KERN_SUCCESS);
		expect("read after the close", device_read(dev, 0, 0, 512, &data, &got), MACH_SEND_INVALID_DEST);
	}
	if (c.opts.str[SLOT_WRITE])
		write_pattern(master, c.opts.str[SLOT_WRITE]);
	if (c.opts.str[SLOT_BIG_WRITE])
		write_big(master, c.opts.str[SLOT_BIG_WRITE]);
	if (c.opts.str[SLOT_READ_ONLY])
		expect("open a read-only disk for writing", device_open(master, D_READ | D_WRITE,
		       c.opts.str[SLOT_READ_ONLY], &dev), D_READ_ONLY);
	say("done, %d wrong", wrong);
	kern_return_t r = c.parent ? chain_halt(c.parent)
	                : c.host_priv ? host_reboot(c.host_priv, 0) : KERN_NO_ACCESS;
	say("halt: %s", mach_error_name(r));
	return 0;
}
