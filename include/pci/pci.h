/* PCI configuration space, decoded: enumeration from bus 0 through
 * PCI-to-PCI bridges, BAR and ROM sizing, capability lists, names and
 * lspci-like lines, and which writes an arbiter must refuse.  Portable: the
 * caller supplies the configuration-space accessor and the arrays, so the
 * same code runs on the target (mechanism #1 ports) and in host tests
 * (simulated configuration spaces). */
#ifndef PCI_PCI_H
#define PCI_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pci_addr { uint8_t bus, dev, fn; };

/* Configuration space access; width 1, 2 or 4; offset < 256, aligned to width. */
struct pci_access {
	uint32_t (*read)(void *ctx, struct pci_addr a, unsigned off, unsigned width);
	void (*write)(void *ctx, struct pci_addr a, unsigned off, unsigned width, uint32_t val);
	void *ctx;
};

enum { PCI_BAR_IO = 1, PCI_BAR_MEM = 2, PCI_BAR_64 = 4, PCI_BAR_PREFETCH = 8 };

/* A BAR (index = its register, 0..5) or the expansion ROM (flags 0).
 * size 0: not implemented. */
struct pci_bar { uint8_t index; uint8_t flags; uint64_t base, size; };

#define PCI_MAX_CAPS 16

struct pci_func {
	struct pci_addr addr;
	uint16_t vendor, device, subvendor, subdevice;  /* subsystem ids: header type 0 only */
	uint32_t class;           /* class << 16 | subclass << 8 | prog-if */
	uint8_t revision;
	uint8_t header_type;      /* 0 or 1 (bridge), without the multi-function bit */
	uint8_t multifunction;    /* 1 when function 0 of the device has the multi-function bit */
	uint8_t irq_line, irq_pin;  /* pin 0: none, 1..4: A..D */
	struct pci_bar bars[6];   /* implemented BARs only, in order; a 64-bit BAR */
	unsigned nbars;           /* counts once (index = its low register) */
	struct pci_bar rom;       /* expansion ROM (flags 0, size 0 if none) */
	uint8_t caps[PCI_MAX_CAPS];  /* capability ids in list order (the first 16) */
	unsigned ncaps;
	uint8_t secondary_bus, subordinate_bus;   /* bridges (header type 1) */
};

/* Enumerates every function reachable from bus 0 through PCI-to-PCI bridges
 * (following each bridge's secondary bus number as the firmware set it;
 * never visiting a bus twice), multi-function devices included.  A bus is
 * listed whole before the buses behind it, which are taken depth first in
 * the order of their bridges, so firmware numbering gives ascending buses.
 * Sizes BARs and the ROM by the standard probe (write all ones, read back,
 * restore the original value; memory and I/O decoding turned off in the
 * command register during the probe and restored after).  Returns the
 * number found (up to MAX stored in OUT, which may be NULL when MAX is 0;
 * the return value may exceed MAX). */
unsigned pci_enumerate(const struct pci_access *acc, struct pci_func *out, unsigned max);

/* Decodes the function at A into *F (probing its BARs and ROM as
 * pci_enumerate does; multifunction from A's own header type).  Returns
 * false, leaving *F alone, when no function answers at A. */
bool pci_read_func(const struct pci_access *acc, struct pci_addr a, struct pci_func *f);

/* Walks the capability list of the function at A (none unless the status
 * register says there is one).  Stores up to MAX capability ids in IDS and
 * their offsets in OFFS (either may be NULL) and returns how many it stored.
 * The walk stops at a pointer into the header (below 0x40), at a capability
 * seen before (a loop), and at id 0xff (a function that stopped answering). */
unsigned pci_caps(const struct pci_access *acc, struct pci_addr a, uint8_t *ids, uint8_t *offs,
                  unsigned max);

/* Offset of the first capability ID of the function at A, or 0 if none. */
unsigned pci_find_cap(const struct pci_access *acc, struct pci_addr a, uint8_t id);

/* Short class name for people: "storage: SCSI", "network: ethernet",
 * "bridge: host", "bridge: ISA", "bridge: PCI", "display: VGA", ...; the base
 * class alone ("mass storage") when the subclass is not known; "class
 * 0xXXXXXX" otherwise, in a static buffer that the next such call reuses. */
const char *pci_class_name(uint32_t class);

/* One lspci-like line into BUF, e.g.
 *   "00:05.0 1af4:1001 class 010000 storage: SCSI irq 11 pin A"
 *   "00:07.0 1b36:0001 class 060400 bridge: PCI irq 10 pin A buses 01-02"
 * (" irq N pin P" only when the function has an interrupt pin, "irq none"
 * for line 255; " buses SS-UU" for bridges).  Returns snprintf's count. */
int pci_format_func(const struct pci_func *f, char *buf, size_t size);

/* One line per BAR (ROM nonzero: the ROM), e.g.
 *   "  bar0 io 0xc000 size 0x40"   "  bar1 mem32 0xfebf1000 size 0x1000"
 *   "  bar4 mem64 pref 0xfe000000 size 0x4000"   "  rom 0xfeb80000 size 0x40000"
 * and "  bar2 none" / "  rom none" for size 0.  Returns snprintf's count. */
int pci_format_bar(const struct pci_bar *b, int rom, char *buf, size_t size);

/* Whether the owner of F may write VALUE (WIDTH bytes at OFF) over CURRENT
 * (what those bytes hold now): only what a driver needs, that is the
 * command register's I/O, memory, bus-master and interrupt-disable bits and
 * the interrupt line.  Every other bit of the command register must be
 * written back as it is; every other register (status, ids, BARs, the ROM,
 * a bridge's bus numbers and windows, capabilities, device-specific
 * registers) is refused, as is an access outside the rules of struct
 * pci_access.  Returns 0, or -1 with the register refused named in WHY
 * ("BAR2", "the status register", "the bridge's memory window", ...). */
int pci_write_check(const struct pci_func *f, unsigned off, unsigned width, uint32_t value,
                    uint32_t current, char *why, size_t size);

/* The command register's bits a function's owner may change. */
#define PCI_COMMAND_OWNER_BITS 0x0407u   /* I/O, memory, bus master, interrupt disable */
#define PCI_COMMAND_BUS_MASTER 0x0004u

#endif
