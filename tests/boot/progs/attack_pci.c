/* attack_pci: a hostile program, started from the shell like any other
 * (tests/boot/hostile-chain.scenario), that uses the PCI port exec handed
 * it, and every other right it holds, to try what only the chain may do:
 * halt the machine without writing the file system back, print forged
 * failure reports on the arbiter's console, make the arbiter allocate a
 * port per request, open functions and write their configuration space,
 * make the arbiter restart the disk server with forged news of its death.
 * One line per attack, "ok" (refused) or "WRONG"; then
 * "attack_pci: done: N attacks, M got through". */
#include "posix/posix.h"
#include "pci/client.h"
#include "mach/rpc_util.h"
#include "chainprobe.h"
#include "forge.h"

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

/* exception_raise naming my own thread and task, as the kernel sends it
 * when a thread faults; the answer's code within 5 s. */
static kern_return_t forged_fault(mach_port_t dest)
{
	union { exception_raise_request_t in; mig_reply_header_t out; } m;
	rpc_head(&m.in.head, dest, ID_EXCEPTION_RAISE, 1);
	m.in.thread = (msg_port_t){ MSGT_PORT(MACH_MSG_TYPE_COPY_SEND), mach_thread_self() };
	m.in.task = (msg_port_t){ MSGT_PORT(MACH_MSG_TYPE_COPY_SEND), mach_task_self() };
	m.in.exception = w_int(1);          /* EXC_BAD_ACCESS */
	m.in.code = w_int(1);               /* KERN_INVALID_ADDRESS */
	m.in.subcode = w_int(0);
	mach_rpc_set_timeout(5000);
	kern_return_t r = mach_rpc(&m.in.head, sizeof m.in, sizeof m, rpc_reply_ret, 1, NULL);
	mach_rpc_set_timeout(0);
	return r;
}

/* The arbiter restarts the disk server on the kernel's word only: a fault
 * of one of its threads (exception_raise on the exception port the arbiter
 * gave its task) or its task's death (a dead-name notification on a port
 * the arbiter asked the kernel to send it to).  Both, forged, go to every
 * send right this task holds, the dead-name naming each of the names 1..32
 * the driver's task may have in the arbiter; each must be answered
 * MIG_BAD_ID (and the scenario fails on any restart line).  My task's
 * exception port is left out: it is exec's, which may end me for a fault. */
static void forged_death(void)
{
	mach_port_t mine = MACH_PORT_NULL;
	task_get_special_port(mach_task_self(), TASK_EXCEPTION_PORT, &mine);
	int rights = 0, sent = 0, refused = 0;
	kern_return_t other = MIG_BAD_ID;
	for (mach_port_t name = 1; name < 4096; name++) {
		natural_t type;
		if (name == mine || mach_port_type(mach_task_self(), name, &type) || !(type & MACH_PORT_TYPE_SEND))
			continue;
		rights++;
		for (mach_port_t dead = 0; dead <= 32; dead++) {
			kern_return_t r = dead ? forge(name, FORGE_DEAD_NAME, 1, dead) : forged_fault(name);
			sent++;
			refused += r == MIG_BAD_ID;
			if (r != MIG_BAD_ID)
				other = r;
		}
	}
	attacks++;
	through += refused != sent;
	printf("attack_pci: forged faults and deaths of the disk server to each of my %d send rights: "
	       "%d of %d answered MIG_BAD_ID%s%s %s\n", rights, refused, sent, refused != sent ? ", one " : "",
	       refused != sent ? mach_error_name(other) : "", refused == sent ? "ok" : "WRONG");
	fflush(stdout);
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
	forged_death();
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
