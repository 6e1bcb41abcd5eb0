/* Client calls of the PCI protocol (include/pci/proto.h). */
#ifndef PCI_CLIENT_H
#define PCI_CLIENT_H

#include "mach/mach.h"
#include "pci/proto.h"

/* Up to MAX records of the functions ARBITER shows; *TOTAL is how many it shows. */
kern_return_t pci_list(mach_port_t arbiter, struct pci_wire_func *out, unsigned max, unsigned *total);
kern_return_t pci_open(mach_port_t arbiter, unsigned bus, unsigned dev, unsigned fn, mach_port_t *func);
/* The N-th function (from 0) whose class & MASK == CLASS & MASK and whose
 * vendor and device match (0xffff: any). */
kern_return_t pci_open_match(mach_port_t arbiter, uint32_t class, uint32_t mask, unsigned vendor,
                             unsigned device, unsigned n, mach_port_t *func);

kern_return_t pci_conf_read(mach_port_t func, unsigned off, unsigned width, uint32_t *value);
kern_return_t pci_conf_write(mach_port_t func, unsigned off, unsigned width, uint32_t value);
kern_return_t pci_get_regions(mach_port_t func, struct pci_wire_func *out);
/* An I/O permission port for I/O BAR INDEX: pass it to i386_io_perm_modify. */
kern_return_t pci_io_perm(mach_port_t func, unsigned index, mach_port_t *perm);
/* A memory object for memory BAR INDEX: vm_map it at offset 0. */
kern_return_t pci_map_bar(mach_port_t func, unsigned index, mach_port_t *memobj);
/* SIZE bytes of physically contiguous memory below PMAX in this task. */
kern_return_t pci_dma_alloc(mach_port_t func, vm_size_t size, rpc_phys_addr_t pmax,
                            vm_offset_t *vaddr, rpc_phys_addr_t *paddr);
/* Interrupts of the function arrive on PORT (a receive right of ours). */
kern_return_t pci_intr_register(mach_port_t func, mach_port_t port);
kern_return_t pci_intr_ack(mach_port_t func, mach_port_t port);
/* Sets the function's INTx disable bit (command register bit 10): a driver
 * that polls must not leave a level-triggered line asserted that no one
 * acknowledges (the kernel would take it over and over). */
kern_return_t pci_intx_disable(mach_port_t func);

#endif
