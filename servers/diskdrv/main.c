/* diskdrv: the user-space disk server.  Started by the PCI arbiter, it finds
 * the virtio-blk functions through its bootstrap port, drives them, serves
 * the Mach device protocol for them, and starts the file system with a port
 * that opens disks (not the kernel's device master). */
#include "mach/mach.h"
#include "pci/client.h"
#include "rt/rt.h"
#include "rt/thread.h"
#include "pciarb/arbiter.h"
#include "disk.h"
#include "options.h"

struct vblk disks[MAX_DISKS];
struct part_table tables[MAX_DISKS];
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

/* Without an arbiter above, the arbiter's code runs here, on its own thread,
 * and the driver talks to it through a port as it would to the real one. */
static void serve_pci(void *arg)
{
	(void)arg;
	server_run(arb.server, 1);
}

static mach_port_t own_pci(struct chain *c)
{
	if (c->device_master == MACH_PORT_NULL || c->host_priv == MACH_PORT_NULL)
		chain_fail(c, "finding PCI: no bootstrap port, and no --device-master-port and "
		           "--host-priv-port to do it myself", KERN_INVALID_ARGUMENT);
	say("no bootstrap port: finding PCI myself");
	const char *what;
	kern_return_t r = pciarb_start(c->device_master, c->host_priv, &what);
	if (r)
		chain_fail(c, what, r);
	c->pci_list_port = arbiter_list_port;   /* lspci, further down, can list */
	struct pci_policy virtio;
	char err[80];
	pci_policy_parse("1af4:1001", &virtio, err, sizeof err);
	struct port_info *pi = arbiter_port(&virtio);
	if (!pi || mach_port_insert_right(mach_task_self(), pi->name, pi->name, MACH_MSG_TYPE_MAKE_SEND)
	    || thread_spawn(serve_pci, NULL))
		chain_fail(c, "serving PCI to myself", KERN_RESOURCE_SHORTAGE);
	return pi->name;
}

static int read_sectors(void *ctx, uint64_t lba, unsigned count, void *buf)
{
	struct vblk *d = ctx;
	return lba + count <= d->sectors && vblk_io(d, 0, lba, buf, (size_t)count * 512) == D_SUCCESS ? 0 : -1;
}

/* Reads disk I's partition table and says what it found. */
static void find_partitions(unsigned i)
{
	struct part_table *t = &tables[i];
	if (part_read_table(read_sectors, &disks[i], disks[i].sectors, t) == PART_NONE) {
		say("%s: no partition table (%s): whole-disk access only", disks[i].name, t->why);
		return;
	}
	char line[160];
	int k = snprintf(line, sizeof line, "%s: %s,", disks[i].name, t->scheme == PART_MBR ? "MBR" : "GPT");
	for (unsigned p = 0; p < t->n && k < (int)sizeof line; p++) {
		if (k > 100) {
			say("%s", line);
			k = snprintf(line, sizeof line, "%s:", disks[i].name);
		}
		k += snprintf(line + k, sizeof line - k, " %ss%u (%llu+%llu)", disks[i].name, t->parts[p].number,
		              (unsigned long long)t->parts[p].start, (unsigned long long)t->parts[p].count);
	}
	say("%s", line);
	if (t->why[0])
		say("%s: %s", disks[i].name, t->why);
}

static void find_disks(struct chain *c, mach_port_t pci)
{
	for (unsigned n = 0; n < MAX_DISKS; n++) {
		mach_port_t fn;
		kern_return_t r = pci_open_match(pci, 0x010000, 0xff0000, 0x1af4, 0x1001, n, &fn);
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
		find_partitions(ndisks);
		ndisks++;
	}
}

int main(int argc, char **argv)
{
	static struct chain c;
	chain_start(&c, argc, argv, diskdrv_options, OPTIONS_COUNT(diskdrv_options));
	crash_setup(&c);
	mach_port_t pci = c.parent;
	if (pci != MACH_PORT_NULL)
		say("my bootstrap port is the PCI arbiter; asking it for virtio-blk functions");
	else
		pci = own_pci(&c);
	find_disks(&c, pci);
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
