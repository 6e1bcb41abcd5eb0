/* diskdrv: the user-space disk server.  Started by the PCI arbiter, it gives
 * its drivers (drivers.c) the functions they drive through its bootstrap
 * port, serves the Mach device protocol for the disks they find, and starts
 * the file system with a port that opens disks (not the kernel's device
 * master). */
#include "mach/mach.h"
#include "pci/client.h"
#include "rt/rt.h"
#include "rt/thread.h"
#include "pciarb/arbiter.h"
#include "disk.h"
#include "options.h"

struct server *disk_server;
int disk_poll_only;

static void flush_all(struct chain *c)
{
	for (unsigned i = 0; i < ndisks; i++) {
		kern_return_t r = disk_flush(&disks[i]);
		say("%s: flushed before the halt: %s", disks[i].name, mach_error_name(r));
	}
	for (unsigned k = 0; disk_drivers[k]; k++)
		if (disk_drivers[k]->halt)
			disk_drivers[k]->halt();
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
	struct pci_policy mine = { .n = 0 };     /* what my drivers take, nothing else */
	for (unsigned k = 0; disk_drivers[k] && mine.n < PCI_POLICY_RULES; k++)
		mine.rules[mine.n++] = disk_drivers[k]->match;
	struct port_info *pi = arbiter_port(&mine);
	if (!pi || mach_port_insert_right(mach_task_self(), pi->name, pi->name, MACH_MSG_TYPE_MAKE_SEND)
	    || thread_spawn(serve_pci, NULL))
		chain_fail(c, "serving PCI to myself", KERN_RESOURCE_SHORTAGE);
	return pi->name;
}

int main(int argc, char **argv)
{
	static struct chain c;
	chain_start(&c, argc, argv, diskdrv_options, OPTIONS_COUNT(diskdrv_options));
	disk_poll_only = c.opts.num[SLOT_DISK_POLL] != 0;
	mach_port_t pci = c.parent;
	if (pci != MACH_PORT_NULL)
		say("my bootstrap port is the PCI arbiter; asking it for disk controllers");
	else
		pci = own_pci(&c);
	disks_find(pci);
	if (ndisks == 0)
		say("no disk found; serving none");
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
