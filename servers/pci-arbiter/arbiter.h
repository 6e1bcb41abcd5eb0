/* The PCI arbiter's state, shared by main.c and service.c. */
#ifndef ARBITER_H
#define ARBITER_H

#include "chain/chain.h"
#include "pci/pci.h"
#include "pci/proto.h"
#include "rt/lock.h"
#include "policy.h"

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
};

extern const struct interface pci_arbiter_interface;   /* on arbiter ports */
extern const struct interface pci_function_interface;  /* on function ports */

/* Makes an arbiter port with POLICY (chain interface beside it). */
struct port_info *arbiter_port(const struct pci_policy *policy);

#endif
