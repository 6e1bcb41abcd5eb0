/* attack_pci: a hostile program, started from the shell like any other
 * (tests/boot/hostile-chain.scenario), that uses the PCI port exec handed
 * it, and every other right it holds, to try what only the chain may do:
 * halt the machine without writing the file system back, print forged
 * failure reports on the arbiter's console, make the arbiter allocate a
 * port per request, open functions and write their configuration space.
 * One line per attack, "ok" (refused) or "WRONG"; then
 * "attack_pci: done: N attacks, M got through". */
#include "posix/posix.h"
#include "pci/client.h"
#include "mach/rpc_util.h"
#include "chainprobe.h"

static int attacks, through;

static void refused(const char *what, kern_return_t got)
{
	attacks++;
	if (got == KERN_SUCCESS)
		through++;
	printf("attack_pci: %s: %s %s\n", what, mach_error_name(got), got == KERN_SUCCESS ? "WRONG" : "ok");
	fflush(stdout);
}

/* Every chain request to every send right this task holds. */
static void chain_everywhere(void)
{
	int rights = 0, obeyed = 0;
	for (mach_port_t name = 1; name < 4096; name++) {
		natural_t type;
		if (mach_port_type(mach_task_self(), name, &type) || !(type & MACH_PORT_TYPE_SEND))
			continue;
		rights++;
		obeyed += chain_requests_obeyed(name, "a right of mine");
	}
	attacks++;
	through += obeyed;
	printf("attack_pci: every chain request to each of my %d send rights: %d obeyed %s\n", rights, obeyed,
	       obeyed ? "WRONG" : "ok");
}

/* chain_get_pci made the arbiter a new port each time, never freed. */
static void flood(mach_port_t pci)
{
	unsigned got = 0;
	kern_return_t last = KERN_SUCCESS;
	for (int i = 0; i < 20000; i++) {
		mach_port_t port;
		last = chain_get_pci(pci, &port);
		if (last == KERN_SUCCESS) {
			got++;
			mach_port_deallocate(mach_task_self(), port);
		}
	}
	attacks++;
	through += got != 0;
	printf("attack_pci: 20000 chain_get_pci on my PCI port: %u answered (last %s) %s\n", got,
	       mach_error_name(last), got ? "WRONG" : "ok");
}

int main(void)
{
	mach_port_t pci = pci_port();
	if (pci == MACH_PORT_NULL) {
		printf("attack_pci: no PCI port was handed down WRONG\n");
		return 1;
	}
	static struct pci_wire_func f[PCI_LIST_MAX];
	unsigned before = 0, after = 0;
	kern_return_t r = pci_list(pci, f, PCI_LIST_MAX, &before);
	printf("attack_pci: my PCI port lists %u functions (%s)\n", before, mach_error_name(r));

	refused("chain_report (a forged failure of ext2fs) to my PCI port",
	        chain_report(pci, CHAIN_FAILED, "ext2fs", "forged report"));
	refused("chain_report (a forged ready) to my PCI port", chain_report(pci, CHAIN_READY, "diskdrv", ""));
	refused("chain_halt to my PCI port", chain_halt(pci));
	chain_everywhere();
	flood(pci);

	mach_port_t fn = MACH_PORT_NULL;
	refused("open the virtio-blk function 00:04.0", pci_open(pci, 0, 4, 0, &fn));
	refused("open the IDE controller 00:01.1", pci_open(pci, 0, 1, 1, &fn));
	refused("open the first storage function by class", pci_open_match(pci, 0x010000, 0xff0000, 0xffff, 0xffff, 0, &fn));
	refused("open the host bridge by class", pci_open_match(pci, 0x060000, 0xff0000, 0xffff, 0xffff, 0, &fn));
	/* the function routines sent to the listing port itself */
	refused("write the command register through my PCI port", pci_conf_write(pci, 0x04, 2, 0x0007));
	refused("write BAR0 through my PCI port", pci_conf_write(pci, 0x10, 4, 0xffffffff));
	refused("write a capability register through my PCI port", pci_conf_write(pci, 0x40, 4, 0));
	mach_port_t perm;
	refused("I/O permission through my PCI port", pci_io_perm(pci, 0, &perm));
	vm_offset_t va;
	rpc_phys_addr_t pa;
	refused("DMA memory through my PCI port", pci_dma_alloc(pci, 4096, 0x100000000ull, &va, &pa));

	r = pci_list(pci, f, PCI_LIST_MAX, &after);
	attacks++;
	if (r != KERN_SUCCESS || after != before || before == 0)
		through++;
	printf("attack_pci: the arbiter still lists %u functions after the attacks (%s) %s\n", after,
	       mach_error_name(r), r == KERN_SUCCESS && after == before && before ? "ok" : "WRONG");
	printf("attack_pci: done: %d attacks, %d got through\n", attacks, through);
	return through != 0;
}
