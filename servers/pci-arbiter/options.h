/* pci-arbiter's options: the chain's, the seed's name for the next task,
 * what the next stage may see, and what the kernel drives itself. */
#include "chain/options.h"

enum { SLOT_ALLOW = SLOT_CHAIN_FIRST_FREE, SLOT_VERBOSE, SLOT_KERNEL_CMDLINE };

static const struct opt_spec pci_arbiter_options[] = {
	CHAIN_OPTIONS,
	{ "disk-server-task", OPT_TASK, SLOT_NEXT_TASK, "the disk server's task (the seed's name for --next-task)" },
	{ "allow", OPT_STR, SLOT_ALLOW, "what the next stage may see: class=0xCC[SS[PP]], VENDOR:DEVICE, VENDOR:*, all; comma-separated (default class=0x01, storage)" },
	{ "verbose", OPT_FLAG, SLOT_VERBOSE, "print every function found, lspci-like" },
	{ "kernel-command-line", OPT_STR, SLOT_KERNEL_CMDLINE, "the kernel's command line (${kernel-command-line}): IDE and AHCI controllers are refused unless it says noide, noahci" },
};
