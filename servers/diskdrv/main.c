/* diskdrv: the user-space disk server.  Started by the PCI arbiter, it finds
 * the virtio-blk functions through its bootstrap port, drives them, serves
 * the Mach device protocol for them, and starts the file system with a port
 * that opens disks (not the kernel's device master). */
#include "mach/mach.h"
#include "pci/client.h"
#include "rt/rt.h"
#include "disk.h"
#include "options.h"

struct vblk disks[MAX_DISKS];
unsigned ndisks;
struct server *disk_server;

static void flush_all(struct chain *c)
{
	for (unsigned i = 0; i < ndisks; i++) {
		kern_return_t r = vblk_flush(&disks[i]);
		say("%s: flushed before the halt: %s", disks[i].name, mach_error_name(r));
	}
	(void)c;
}

static void find_disks(struct chain *c)
{
	for (unsigned n = 0; n < MAX_DISKS; n++) {
		mach_port_t fn;
		kern_return_t r = pci_open_match(c->parent, 0x010000, 0xff0000, 0x1af4, 0x1001, n, &fn);
		if (r == D_NO_SUCH_DEVICE)
			break;
		if (r)
			chain_fail(c, "asking the arbiter for virtio-blk functions", r);
		struct vblk *d = &disks[ndisks];
		char name[8];
		snprintf(name, sizeof name, "vd%u", ndisks);
		const char *what;
		r = vblk_init(d, fn, name, &what);
		if (r) {
			say("%s: skipped: %s: %s", name, what, mach_error_name(r));
			continue;
		}
		struct pci_wire_func info;
		pci_get_regions(fn, &info);
		say("%s: virtio-blk at %02x:%02x.%x, %llu sectors (%llu MiB), %s%s, %s", name, info.bus,
		    info.dev, info.fn, (unsigned long long)d->sectors, (unsigned long long)(d->sectors >> 11),
		    d->read_only ? "read-only" : "read-write", d->can_flush ? ", flush" : "",
		    d->polling ? "polled" : "interrupts");
		ndisks++;
	}
}

int main(int argc, char **argv)
{
	static struct chain c;
	chain_start(&c, argc, argv, diskdrv_options, OPTIONS_COUNT(diskdrv_options));
	if (c.parent == MACH_PORT_NULL)
		chain_fail(&c, "finding PCI: no bootstrap port (no arbiter above), and standalone PCI access "
		           "is not built yet", KERN_INVALID_ARGUMENT);
	say("my bootstrap port is the PCI arbiter; asking it for virtio-blk functions");
	find_disks(&c);
	if (ndisks == 0)
		say("no virtio-blk disk found; serving none");
	c.shutdown = flush_all;

	disk_server = server_create();
	static const struct interface *const ifaces[] = { &device_master_interface, &chain_interface, NULL };
	struct port_info *master = disk_server ? server_add_port(disk_server, ifaces, NULL) : NULL;
	if (!master)
		chain_fail(&c, "creating the device master port", KERN_RESOURCE_SHORTAGE);
	kern_return_t r = chain_handoff(&c, master->name);
	if (r)
		chain_fail(&c, "handing over to the file system", r);
	chain_ready(&c);
	server_run(disk_server, 4);
}
