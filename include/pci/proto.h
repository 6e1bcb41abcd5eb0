/* The PCI protocol of the arbiter: the one definition of its messages, used
 * by the arbiter and by its clients.  docs/pci-protocol.md describes it.
 *
 * Two kinds of port:
 *  - an arbiter port (what the next stage gets as its bootstrap port, with
 *    the chain protocol beside it) carries a policy fixed when it was made:
 *    which functions it may see.  Subsystem 47000.
 *  - a function port, opened through an arbiter port, stands for one
 *    function and gives exactly that function's resources.  Its
 *    configuration-space routines use the ids of Hurd's pci.defs (39000,
 *    39001, 39003) with integer arguments; the rest are subsystem 47010.
 * Routines defined as include/mach/defs.h describes. */
#ifndef PCI_PROTO_H
#define PCI_PROTO_H

#include "mach/kernel_msgs.h"

enum {
	ID_PCI_LIST        = 47000,  /* -> total, the visible functions' records */
	ID_PCI_OPEN        = 47001,  /* bus, dev, fn -> function port */
	ID_PCI_OPEN_MATCH  = 47002,  /* class, class mask, vendor, device, n -> function port */

	ID_PCI_CONF_READ   = 39000,  /* offset, width -> value */
	ID_PCI_CONF_WRITE  = 39001,  /* offset, width, value -> */
	ID_PCI_GET_REGIONS = 39003,  /* -> the function's record (BARs, ROM, irq) */

	ID_PCI_IO_PERM     = 47010,  /* BAR index -> I/O permission port for its range */
	ID_PCI_MAP_BAR     = 47011,  /* BAR index -> memory object of the BAR (offset 0 = BAR start) */
	ID_PCI_DMA_ALLOC   = 47012,  /* task, size, highest physical address -> vaddr, paddr */
	ID_PCI_INTR_REGISTER = 47013,/* send right for the interrupt messages -> */
	ID_PCI_INTR_ACK    = 47014,  /* that right again -> */
};

/* One BAR or the ROM on the wire. */
struct pci_wire_bar {
	uint32_t index_flags;        /* index << 8 | PCI_BAR_* flags; size 0: none */
	rpc_u64  base;
	rpc_u64  size;
};

/* One function on the wire: what pci_list and pci_get_regions return. */
struct pci_wire_func {
	uint8_t  bus, dev, fn, header_type;
	uint16_t vendor, device, subvendor, subdevice;
	uint32_t class_rev;          /* class << 8 | revision */
	uint8_t  irq_line, irq_pin, nbars, ncaps;
	uint8_t  caps[16];
	struct pci_wire_bar bars[6];
	struct pci_wire_bar rom;
};
_Static_assert(sizeof(struct pci_wire_bar) == 20, "wire BAR");
_Static_assert(sizeof(struct pci_wire_func) == 176, "wire function");

#define PCI_LIST_MAX 32

/* The visible functions' records: bytes on the wire (long form), at most N. */
#define MSGK_PCI_FUNCS_SPEC(n)     { MACH_MSG_TYPE_INTEGER_8, 8, MSGF_LONG | MSGF_VAR, (n) * sizeof(struct pci_wire_func) }
#define MSGK_PCI_FUNCS_WIRE(n, x)  mach_msg_type_long_t x##_type; struct pci_wire_func x[n];
#define MSGK_PCI_FUNCS_IN          MSGK_CHARS_IN
#define MSGK_PCI_FUNCS_GET         MSGK_CHARS_GET

/* On an arbiter port. */
#define PCI_ARBITER_ROUTINES(R) \
	R(pci_list, ID_PCI_LIST, ROUTINE) \
	R(pci_open, ID_PCI_OPEN, ROUTINE) \
	R(pci_open_match, ID_PCI_OPEN_MATCH, ROUTINE)
#define pci_list_REQUEST(F)
#define pci_list_REPLY(F)        F(INT32, 1, total) F(PCI_FUNCS, PCI_LIST_MAX, f)
#define pci_open_REQUEST(F)      F(INT32, 1, bus) F(INT32, 1, dev) F(INT32, 1, fn)
#define pci_open_REPLY(F)        F(SEND, 1, function)
#define pci_open_match_REQUEST(F) F(INT32, 1, class) F(INT32, 1, class_mask) \
	F(INT32, 1, vendor) F(INT32, 1, device) F(INT32, 1, n)
#define pci_open_match_REPLY(F)  F(SEND, 1, function)

/* On a function port. */
#define PCI_FUNCTION_ROUTINES(R) \
	R(pci_conf_read, ID_PCI_CONF_READ, ROUTINE) \
	R(pci_conf_write, ID_PCI_CONF_WRITE, ROUTINE) \
	R(pci_get_regions, ID_PCI_GET_REGIONS, ROUTINE) \
	R(pci_io_perm, ID_PCI_IO_PERM, ROUTINE) \
	R(pci_map_bar, ID_PCI_MAP_BAR, ROUTINE) \
	R(pci_dma_alloc, ID_PCI_DMA_ALLOC, ROUTINE) \
	R(pci_intr_register, ID_PCI_INTR_REGISTER, ROUTINE) \
	R(pci_intr_ack, ID_PCI_INTR_ACK, ROUTINE)
#define pci_conf_read_REQUEST(F)   F(INT32, 1, offset) F(INT32, 1, width)
#define pci_conf_read_REPLY(F)     F(INT32, 1, value)
#define pci_conf_write_REQUEST(F)  F(INT32, 1, offset) F(INT32, 1, width) F(INT32, 1, value)
#define pci_conf_write_REPLY(F)
#define pci_get_regions_REQUEST(F)
#define pci_get_regions_REPLY(F)   F(RECORD8, struct pci_wire_func, f)
#define pci_io_perm_REQUEST(F)     F(INT32, 1, bar)
#define pci_io_perm_REPLY(F)       F(SEND, 1, perm)
#define pci_map_bar_REQUEST(F)     F(INT32, 1, bar)
#define pci_map_bar_REPLY(F)       F(SEND, 1, memobj)
/* task: where to allocate; pmax: the highest physical address + 1 the
 * device can reach */
#define pci_dma_alloc_REQUEST(F)   F(SEND, 1, task) F(INT32, 1, size) F(INT64, 1, pmax)
#define pci_dma_alloc_REPLY(F)     F(INT32, 1, vaddr) F(INT64, 1, paddr)
/* a send right for the interrupt messages (the same again to acknowledge) */
#define pci_intr_register_REQUEST(F) F(SEND, 1, port)
#define pci_intr_register_REPLY(F)
#define pci_intr_ack_REQUEST(F)    F(SEND, 1, port)
#define pci_intr_ack_REPLY(F)

MSG_DECLARE(PCI_ARBITER_ROUTINES)
MSG_DECLARE(PCI_FUNCTION_ROUTINES)
MSG_LAYOUT(pci_list_reply_t, 32 + 8 + 12 + 176 * PCI_LIST_MAX);
MSG_LAYOUT(pci_get_regions_reply_t, 32 + 12 + 176);
MSG_LAYOUT(pci_dma_alloc_request_t, 24 + 8 + 8 + 12);
MSG_LAYOUT(pci_dma_alloc_reply_t, 52);

#endif
