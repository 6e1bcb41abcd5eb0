/* The PCI arbiter's state and service (lib/pciarb): the pci-arbiter server
 * runs it as the first stage; diskdrv runs it in-process when no arbiter
 * started it. */
#ifndef ARBITER_H
#define ARBITER_H

#include "chain/chain.h"
#include "pci/pci.h"
#include "pci/proto.h"
#include "rt/lock.h"
#include "pciarb/policy.h"

#define ARB_MAX_FUNCS 64

struct arbiter {
	struct chain chain;
	struct server *server;
	struct pci_func funcs[ARB_MAX_FUNCS];
	unsigned nfuncs;
	unsigned kernel_leaves;              /* pci_kernel_leaves() of the kernel's command line */
	mutex_t lock;                        /* guards what follows */
	/* the port of each function open now: one owner at a time, freed when
	 * the owner's last send right dies */
	struct port_info *fport[ARB_MAX_FUNCS];
	struct port_info *list_port;         /* the one listing port, made on first use */
	mach_port_t mem_dev, irq_dev;        /* opened on first use */
};

extern struct arbiter arb;

/* An arbiter port: what its holder may see. */
struct arb_view {
	struct pci_policy policy;
	int list_only;                       /* lists what the policy shows, opens nothing */
};

extern const struct interface pci_arbiter_interface;   /* on arbiter ports */
extern const struct interface pci_function_interface;  /* on function ports */

/* Makes the arbiter port handed to the next stage, with POLICY; the chain
 * interface is beside it (the next stage's reports and halt requests come
 * in there, and nowhere else). */
struct port_info *arbiter_port(const struct pci_policy *policy);
/* The port that lists every function and opens none (for lspci), one for
 * every caller: the chain's pci_list_port hook of the stage that runs the
 * arbiter.  It answers the listing requests only. */
mach_port_t arbiter_list_port(void);

/* Whether the kernel drives function F (given arb.kernel_leaves): the
 * kernel option that would free it, else NULL. */
const char *arbiter_kernel_claim(const struct pci_func *f);

/* Takes the configuration ports with DEVICE_MASTER and enumerates every
 * function into arb (HOST_PRIV is kept for DMA memory); makes arb.server.
 * Returns 0 or an error, naming the failed step in *WHAT. */
kern_return_t pciarb_start(mach_port_t device_master, mach_port_t host_priv, const char **what);

#endif
