/* Sequential read and write speed, in one boot, of the disk server's disks
 * (--disks, through the bootstrap port: vd0 virtio-blk, wd0 AHCI, nd0 NVMe)
 * and of hd0 through the kernel's own IDE driver (the device master): the
 * same image attached to each.  Prints one line per measurement for
 * bench/disk.sh to tabulate. */
#include "chain/chain.h"
#include "mach/mach.h"
#include "rt/rt.h"
#include "diskbench_options.h"

static uint64_t now_us(void)
{
	struct time_value t;
	host_get_time(mach_host_self(), &t);
	return (uint64_t)t.seconds * 1000000u + (uint64_t)t.microseconds;
}

static void measure(mach_port_t master, const char *name, int write, unsigned mib, vm_size_t chunk)
{
	mach_port_t dev;
	kern_return_t r = device_open(master, D_READ | D_WRITE, name, &dev);
	if (r) {
		say("%s: device_open: %s", name, mach_error_name(r));
		return;
	}
	vm_offset_t buf = 0;
	vm_allocate(mach_task_self(), &buf, chunk, 1);
	memset((void *)(uintptr_t)buf, 0x5a, chunk);
	uint64_t bytes = (uint64_t)mib << 20, done = 0, t0 = now_us();
	for (natural_t rec = 0; done < bytes; rec += chunk / 512, done += chunk) {
		vm_offset_t data;
		vm_size_t got;
		r = write ? device_write(dev, 0, rec, (void *)(uintptr_t)buf, chunk, &got)
		          : device_read(dev, 0, rec, chunk, &data, &got);
		if (r || got != chunk) {
			say("%s: %s at record %u: %s", name, write ? "write" : "read", (unsigned)rec, mach_error_name(r));
			return;
		}
		if (!write)
			vm_deallocate(mach_task_self(), data, got);
	}
	uint64_t us = now_us() - t0;
	if (us == 0)
		us = 1;
	unsigned kbps = (unsigned)(bytes * 1000000 / us / 1000);
	say("result %s %s %u MiB %u KiB-chunks %u.%03u s %u.%03u MB/s", name, write ? "write" : "read", mib,
	    (unsigned)(chunk / 1024), (unsigned)(us / 1000000), (unsigned)(us % 1000000 / 1000),
	    kbps / 1000, kbps % 1000);
	vm_deallocate(mach_task_self(), buf, chunk);
	device_close(dev);
}

int main(int argc, char **argv)
{
	static struct chain c;
	chain_start(&c, argc, argv, diskbench_options, OPTIONS_COUNT(diskbench_options));
	chain_ready(&c);
	unsigned mib = c.opts.given[SLOT_MIB] ? c.opts.num[SLOT_MIB] : 64;
	vm_size_t chunk = (c.opts.given[SLOT_CHUNK_KIB] ? c.opts.num[SLOT_CHUNK_KIB] : 1024) * 1024;
	char list[64], *names[8];
	unsigned n = 0;
	strlcpy(list, c.opts.str[SLOT_BENCH_DISKS] ? c.opts.str[SLOT_BENCH_DISKS] : "vd0", sizeof list);
	for (char *s = list; s && n < 8;) {
		names[n++] = s;
		if ((s = strchr(s, ',')))
			*s++ = 0;
	}
	/* two rounds of each, the second in the opposite order, so that no disk
	 * is always the one measured while the host writes back the last one's data */
	for (int write = 0; write < 2; write++)
		for (int round = 0; round < 2; round++) {
			for (unsigned k = 0; k < n && c.parent; k++)
				measure(c.parent, names[round ? n - 1 - k : k], write, mib, chunk);
			if (c.device_master)
				measure(c.device_master, "hd0", write, mib, chunk);
		}
	say("done");
	if (c.parent)
		chain_halt(c.parent);
	return 0;
}
