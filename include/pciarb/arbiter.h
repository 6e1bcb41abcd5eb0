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
	mutex_t lock;                        /* guards what follows */
	struct port_info *fport[ARB_MAX_FUNCS];  /* function ports, made on first open */
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

/* Makes an arbiter port with POLICY (chain interface beside it). */
struct port_info *arbiter_port(const struct pci_policy *policy);
/* A port that lists every function and opens none (for lspci); the
 * chain's pci_list_port hook of the stage that runs the arbiter. */
mach_port_t arbiter_list_port(void);

/* Takes the configuration ports with DEVICE_MASTER and enumerates every
 * function into arb (HOST_PRIV is kept for DMA memory); makes arb.server.
 * Returns 0 or an error, naming the failed step in *WHAT. */
kern_return_t pciarb_start(mach_port_t device_master, mach_port_t host_priv, const char **what);

#endif
