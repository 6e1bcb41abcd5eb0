/* PCI configuration mechanism #1 through ports 0xcf8-0xcff, which this task
 * holds alone (GNU Mach grants them to one task at a time). */
#ifndef CONFSPACE_H
#define CONFSPACE_H

#include "mach/abi.h"
#include "pci/pci.h"

/* Takes the configuration ports; returns 0 or a kern_return_t. */
int confspace_open(mach_port_t device_master);
extern const struct pci_access confspace;

static inline uint32_t confspace_read(struct pci_addr a, unsigned off, unsigned width)
{
	return confspace.read(confspace.ctx, a, off, width);
}

static inline void confspace_write(struct pci_addr a, unsigned off, unsigned width, uint32_t v)
{
	confspace.write(confspace.ctx, a, off, width, v);
}

#endif
