/* PCI configuration space: enumeration, BAR and ROM sizing, capability
 * lists (pci/pci.h; what a client may write is in confwrite.c).  Everything
 * goes through the caller's accessor; nothing here knows how configuration
 * space is reached. */
#include "rt/rt.h"
#include "pci/pci.h"

enum {
	REG_ID = 0x00, REG_COMMAND = 0x04, REG_STATUS = 0x06, REG_CLASS_REV = 0x08,
	REG_HEADER = 0x0e, REG_BAR0 = 0x10, REG_CARDBUS_CAP_PTR = 0x14, REG_BUSES = 0x18,
	REG_SUBSYS = 0x2c, REG_ROM = 0x30, REG_CAP_PTR = 0x34, REG_BRIDGE_ROM = 0x38,
	REG_INTR = 0x3c,
};
#define CMD_DECODE      0x3u         /* I/O and memory space enable */
#define STATUS_CAPS     0x10u
#define HEADER_MF       0x80u
#define ROM_ADDR_MASK   0xfffff800u
#define ROM_ENABLE      0x1u
#define CAP_FIRST       0x40u        /* capabilities live after the header */

static uint32_t rd(const struct pci_access *acc, struct pci_addr a, unsigned off, unsigned width)
{
	return acc->read(acc->ctx, a, off, width);
}

static void wr(const struct pci_access *acc, struct pci_addr a, unsigned off, unsigned width, uint32_t v)
{
	acc->write(acc->ctx, a, off, width, v);
}

/* Nobody answers with vendor 0xffff (the bus's pull-ups); some bridges
 * return zeros instead, and no vendor has id 0 either. */
static bool absent(uint32_t id)
{
	uint16_t vendor = (uint16_t)id;
	return vendor == 0xffff || vendor == 0;
}

/* Writes V to the dword at OFF and returns what reads back, then puts ORIG back. */
static uint32_t probe(const struct pci_access *acc, struct pci_addr a, unsigned off, uint32_t orig,
                      uint32_t v)
{
	wr(acc, a, off, 4, v);
	uint32_t back = rd(acc, a, off, 4);
	wr(acc, a, off, 4, orig);
	return back;
}

/* A BAR decodes a naturally aligned power of two: its size is the lowest
 * address bit that took a one. */
static uint64_t lowest_bit(uint64_t m)
{
	return m & (~m + 1);
}

static unsigned probe_io_bar(uint32_t orig, uint32_t back, struct pci_bar *b)
{
	b->flags = PCI_BAR_IO;
	b->base = orig & ~3u;
	b->size = lowest_bit(back & ~3u);  /* 16-bit decoders read 0 above bit 15: fine */
	return 1;
}

/* Sizes the BAR at register I of NREGS into *B (size 0: not implemented);
 * returns how many registers it takes (2 for a 64-bit BAR). */
static unsigned probe_bar(const struct pci_access *acc, struct pci_addr a, unsigned i, unsigned nregs,
                          struct pci_bar *b)
{
	unsigned off = REG_BAR0 + 4 * i;
	uint32_t lo = rd(acc, a, off, 4), back = probe(acc, a, off, lo, ~0u);
	b->index = (uint8_t)i;
	if (lo & 1)
		return probe_io_bar(lo, back, b);
	b->flags = PCI_BAR_MEM | (lo & 8 ? PCI_BAR_PREFETCH : 0);
	uint64_t base = lo & ~0xfu, mask = back & ~0xfu;
	/* Type 0b10 is 64-bit; one claimed by the last register is broken, and
	 * we take its low half alone rather than read past the BARs. */
	if ((lo & 6) == 4 && i + 1 < nregs) {
		uint32_t hi = rd(acc, a, off + 4, 4), hiback = probe(acc, a, off + 4, hi, ~0u);
		b->flags |= PCI_BAR_64;
		base |= (uint64_t)hi << 32;
		mask |= (uint64_t)hiback << 32;
	}
	b->base = base;
	b->size = lowest_bit(mask);
	return b->flags & PCI_BAR_64 ? 2 : 1;
}

/* The ROM BAR is probed with its enable bit clear, so that the ROM never
 * decodes at the all-ones address. */
static void probe_rom(const struct pci_access *acc, struct pci_addr a, unsigned off, struct pci_bar *rom)
{
	uint32_t orig = rd(acc, a, off, 4), back = probe(acc, a, off, orig, ~ROM_ENABLE);
	rom->base = orig & ROM_ADDR_MASK;
	rom->size = lowest_bit(back & ROM_ADDR_MASK);
}

/* Sizes F's BARs and ROM with decoding off, so that the device never
 * answers at the all-ones addresses written during the probe.  The command
 * register is written 16 bits wide: the status register above it clears
 * bits written as ones. */
static void probe_regions(const struct pci_access *acc, struct pci_addr a, struct pci_func *f)
{
	unsigned nregs = f->header_type == 0 ? 6 : f->header_type == 1 ? 2 : 0;
	unsigned romoff = f->header_type == 0 ? REG_ROM : f->header_type == 1 ? REG_BRIDGE_ROM : 0;
	uint32_t cmd = rd(acc, a, REG_COMMAND, 2);
	if (cmd & CMD_DECODE)
		wr(acc, a, REG_COMMAND, 2, cmd & ~CMD_DECODE);
	for (unsigned i = 0; i < nregs;) {
		struct pci_bar b = { 0, 0, 0, 0 };
		i += probe_bar(acc, a, i, nregs, &b);
		if (b.size)
			f->bars[f->nbars++] = b;
	}
	if (romoff)
		probe_rom(acc, a, romoff, &f->rom);
	if (cmd & CMD_DECODE)
		wr(acc, a, REG_COMMAND, 2, cmd);
}

/* The fields that depend on the header type. */
static void read_header_fields(const struct pci_access *acc, struct pci_addr a, struct pci_func *f)
{
	if (f->header_type == 0) {
		uint32_t sub = rd(acc, a, REG_SUBSYS, 4);
		f->subvendor = (uint16_t)sub;
		f->subdevice = (uint16_t)(sub >> 16);
	} else if (f->header_type == 1) {
		uint32_t buses = rd(acc, a, REG_BUSES, 4);
		f->secondary_bus = (uint8_t)(buses >> 8);
		f->subordinate_bus = (uint8_t)(buses >> 16);
	}
}

bool pci_read_func(const struct pci_access *acc, struct pci_addr a, struct pci_func *f)
{
	uint32_t id = rd(acc, a, REG_ID, 4);
	if (absent(id))
		return false;
	memset(f, 0, sizeof *f);
	f->addr = a;
	f->vendor = (uint16_t)id;
	f->device = (uint16_t)(id >> 16);
	uint32_t cr = rd(acc, a, REG_CLASS_REV, 4);
	f->revision = (uint8_t)cr;
	f->class = cr >> 8;
	uint32_t ht = rd(acc, a, REG_HEADER, 1);
	f->header_type = (uint8_t)(ht & ~HEADER_MF);
	f->multifunction = (ht & HEADER_MF) != 0;
	uint32_t intr = rd(acc, a, REG_INTR, 2);
	f->irq_line = (uint8_t)intr;
	f->irq_pin = (uint8_t)(intr >> 8);
	read_header_fields(acc, a, f);
	probe_regions(acc, a, f);
	f->ncaps = pci_caps(acc, a, f->caps, NULL, PCI_MAX_CAPS);
	return true;
}

/* --- capabilities -------------------------------------------------------- */

/* Where the capability list starts, or 0 if the function has none. */
static unsigned cap_start(const struct pci_access *acc, struct pci_addr a)
{
	if (!(rd(acc, a, REG_STATUS, 2) & STATUS_CAPS))
		return 0;
	/* CardBus bridges keep the pointer elsewhere; the low two bits are reserved. */
	bool cardbus = (rd(acc, a, REG_HEADER, 1) & ~HEADER_MF) == 2;
	return rd(acc, a, cardbus ? REG_CARDBUS_CAP_PTR : REG_CAP_PTR, 1) & 0xfc;
}

unsigned pci_caps(const struct pci_access *acc, struct pci_addr a, uint8_t *ids, uint8_t *offs,
                  unsigned max)
{
	uint64_t seen = 0;     /* one bit per dword of configuration space */
	unsigned n = 0;
	for (unsigned p = cap_start(acc, a); n < max && p >= CAP_FIRST; n++) {
		if (seen >> (p / 4) & 1)
			break;
		seen |= (uint64_t)1 << (p / 4);
		uint32_t cap = rd(acc, a, p, 2);   /* id, next pointer */
		if ((cap & 0xff) == 0xff)
			break;
		if (ids)
			ids[n] = (uint8_t)cap;
		if (offs)
			offs[n] = (uint8_t)p;
		p = cap >> 8 & 0xfc;
	}
	return n;
}

unsigned pci_find_cap(const struct pci_access *acc, struct pci_addr a, uint8_t id)
{
	/* At most one capability per dword after the header. */
	uint8_t ids[(256 - CAP_FIRST) / 4], offs[(256 - CAP_FIRST) / 4];
	unsigned n = pci_caps(acc, a, ids, offs, sizeof ids);
	for (unsigned i = 0; i < n; i++)
		if (ids[i] == id)
			return offs[i];
	return 0;
}

/* --- enumeration --------------------------------------------------------- */

struct scan {
	const struct pci_access *acc;
	struct pci_func *out;
	unsigned max, n;
	uint8_t stack[256];    /* buses to scan; each bus enters at most once */
	unsigned top;
	uint32_t seen[256 / 32];   /* buses that have entered the stack */
};

static void push_bus(struct scan *s, unsigned bus)
{
	if (s->seen[bus / 32] >> (bus % 32) & 1)
		return;
	s->seen[bus / 32] |= 1u << (bus % 32);
	s->stack[s->top++] = (uint8_t)bus;
}

/* Lists the function at A, if one answers there, following it if it is a
 * bridge.  Function 0 speaks for the whole device: its multi-function bit
 * goes into *MF, and the other functions are listed with it. */
static bool scan_func(struct scan *s, struct pci_addr a, uint8_t *mf)
{
	struct pci_func spare, *f = s->n < s->max ? &s->out[s->n] : &spare;
	if (!pci_read_func(s->acc, a, f))
		return false;
	if (a.fn == 0)
		*mf = f->multifunction;
	f->multifunction = *mf;
	s->n++;
	if (f->header_type == 1)
		push_bus(s, f->secondary_bus);
	return true;
}

/* Functions 1..7 of a single-function device are not scanned: some such
 * devices answer at every function number with the same registers. */
static void scan_dev(struct scan *s, unsigned bus, unsigned dev)
{
	struct pci_addr a = { (uint8_t)bus, (uint8_t)dev, 0 };
	uint8_t mf = 0;
	if (!scan_func(s, a, &mf))
		return;
	for (a.fn = 1; mf && a.fn < 8; a.fn++)
		scan_func(s, a, &mf);
}

static void reverse(uint8_t *p, unsigned n)
{
	for (unsigned i = 0; i < n / 2; i++) {
		uint8_t t = p[i];
		p[i] = p[n - 1 - i];
		p[n - 1 - i] = t;
	}
}

/* The buses behind BUS's bridges go onto the stack in reverse, so that the
 * first bridge's bus comes off first. */
static void scan_bus(struct scan *s, unsigned bus)
{
	unsigned first = s->top;
	for (unsigned dev = 0; dev < 32; dev++)
		scan_dev(s, bus, dev);
	reverse(s->stack + first, s->top - first);
}

unsigned pci_enumerate(const struct pci_access *acc, struct pci_func *out, unsigned max)
{
	struct scan s;
	memset(&s, 0, sizeof s);
	s.acc = acc;
	s.out = out;
	s.max = max;
	push_bus(&s, 0);
	while (s.top)
		scan_bus(&s, s.stack[--s.top]);
	return s.n;
}
