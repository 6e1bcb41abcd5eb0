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
 *    39001, 39003) with integer arguments; the rest are subsystem 47010. */
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

/* pci_list: the records travel inline as bytes (long form). */
typedef req0_t pci_list_request_t;
typedef struct {
	mig_reply_header_t h;
	msg_word_t total;            /* visible functions, possibly more than sent */
	mach_msg_type_long_t type;   /* INTEGER_8, 8, count * 176 */
	struct pci_wire_func f[PCI_LIST_MAX];
} pci_list_reply_t;
MSG_LAYOUT(pci_list_reply_t, 32 + 8 + 12 + 176 * PCI_LIST_MAX);

typedef req3_t pci_open_request_t;           /* bus, dev, fn */
typedef req5_t pci_open_match_request_t;     /* class, class mask, vendor, device, n */
typedef rep1_t pci_open_reply_t;             /* the function port: PORT_SEND */

typedef req2_t pci_conf_read_request_t;      /* offset, width (1, 2, 4) */
typedef rep1_t pci_conf_read_reply_t;        /* the value */
typedef req3_t pci_conf_write_request_t;     /* offset, width, value */

typedef req0_t pci_get_regions_request_t;
typedef struct {
	mig_reply_header_t h;
	mach_msg_type_long_t type;   /* INTEGER_8, 8, 176 */
	struct pci_wire_func f;
} pci_get_regions_reply_t;
MSG_LAYOUT(pci_get_regions_reply_t, 32 + 12 + 176);

typedef req1_t pci_io_perm_request_t;        /* BAR index */
typedef rep1_t pci_io_perm_reply_t;          /* PORT_SEND */
typedef req1_t pci_map_bar_request_t;        /* BAR index */
typedef rep1_t pci_map_bar_reply_t;          /* PORT_SEND: the memory object */

typedef struct {
	mach_msg_header_t head;
	msg_port_t task;             /* the task to allocate in: PORT_SEND */
	msg_word_t size;
	msg_dword_t pmax;            /* highest physical address + 1 the device can reach */
} pci_dma_alloc_request_t;
MSG_LAYOUT(pci_dma_alloc_request_t, 24 + 8 + 8 + 12);
typedef rep_vm_allocate_contiguous_t pci_dma_alloc_reply_t;   /* vaddr, paddr */

typedef req1_t pci_intr_request_t;           /* a send right for the interrupt messages */

#endif
