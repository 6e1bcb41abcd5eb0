/* Which configuration-space writes a function's owner may make (pci.h):
 * a driver needs to turn decoding and bus mastering on and off, to mask its
 * legacy interrupt and to note its interrupt line; everything else belongs
 * to the arbiter (BARs, the ROM, bridge windows), to the firmware (ids,
 * header layout) or to no one a client should reach (capabilities such as
 * MSI or power management, device-specific registers). */
#include "rt/rt.h"
#include "pci/pci.h"

struct reg { uint8_t lo, hi; const char *name; };    /* bytes [lo, hi) */

static const struct reg common[] = {
	{ 0x00, 0x04, "the vendor and device ids" },
	{ 0x04, 0x06, "the command register" },
	{ 0x06, 0x08, "the status register" },
	{ 0x08, 0x0c, "the revision and class" },
	{ 0x0c, 0x0d, "the cache line size" },
	{ 0x0d, 0x0e, "the latency timer" },
	{ 0x0e, 0x0f, "the header type" },
	{ 0x0f, 0x10, "the BIST register" },
};
static const struct reg type0[] = {
	{ 0x28, 0x2c, "the CardBus CIS pointer" },
	{ 0x2c, 0x30, "the subsystem ids" },
	{ 0x30, 0x34, "the expansion ROM BAR" },
	{ 0x34, 0x3c, "the capabilities pointer" },
	{ 0x3c, 0x3d, "the interrupt line" },
	{ 0x3d, 0x3e, "the interrupt pin" },
	{ 0x3e, 0x40, "the minimum grant and maximum latency" },
};
static const struct reg type1[] = {
	{ 0x18, 0x1b, "the bridge's bus numbers" },
	{ 0x1b, 0x1c, "the secondary latency timer" },
	{ 0x1c, 0x1e, "the bridge's I/O window" },
	{ 0x1e, 0x20, "the secondary status register" },
	{ 0x20, 0x24, "the bridge's memory window" },
	{ 0x24, 0x30, "the bridge's prefetchable memory window" },
	{ 0x30, 0x34, "the bridge's I/O window" },
	{ 0x34, 0x38, "the capabilities pointer" },
	{ 0x38, 0x3c, "the expansion ROM BAR" },
	{ 0x3c, 0x3d, "the interrupt line" },
	{ 0x3d, 0x3e, "the interrupt pin" },
	{ 0x3e, 0x40, "the bridge control register" },
};

static const char *lookup(const struct reg *r, size_t n, unsigned b)
{
	for (size_t i = 0; i < n; i++)
		if (b >= r[i].lo && b < r[i].hi)
			return r[i].name;
	return NULL;
}

#define LOOKUP(t, b) lookup(t, sizeof t / sizeof t[0], b)

/* Names the register holding byte B of F's configuration space. */
static void name_reg(const struct pci_func *f, unsigned b, char *why, size_t size)
{
	const char *name = LOOKUP(common, b);
	unsigned nbars = f->header_type == 0 ? 6 : f->header_type == 1 ? 2 : 0;
	if (!name && b >= 0x10 && b < 0x10 + 4 * nbars) {
		snprintf(why, size, "BAR%u", (b - 0x10) / 4);
		return;
	}
	if (!name && b < 0x40)
		name = f->header_type == 0 ? LOOKUP(type0, b) : f->header_type == 1 ? LOOKUP(type1, b) : NULL;
	if (name)
		snprintf(why, size, "%s", name);
	else if (b < 0x40)
		snprintf(why, size, "register 0x%02x of a header type %u (a layout not decoded)", b, f->header_type);
	else
		snprintf(why, size, "device-specific register 0x%02x (capabilities live there)", b);
}

/* The bits of byte B that the owner may change. */
static uint8_t owner_bits(const struct pci_func *f, unsigned b)
{
	if (b == 0x04 || b == 0x05)
		return (uint8_t)(PCI_COMMAND_OWNER_BITS >> 8 * (b - 0x04));
	if (b == 0x3c && f->header_type <= 1)
		return 0xff;
	return 0;
}

int pci_write_check(const struct pci_func *f, unsigned off, unsigned width, uint32_t value,
                    uint32_t current, char *why, size_t size)
{
	if ((width != 1 && width != 2 && width != 4) || off % width || off >= 256) {
		snprintf(why, size, "a write of %u bytes at 0x%x (not an aligned 1, 2 or 4)", width, off);
		return -1;
	}
	for (unsigned i = 0; i < width; i++) {
		unsigned b = off + i;
		uint8_t bits = owner_bits(f, b);
		uint8_t changed = (uint8_t)((value ^ current) >> 8 * i);
		if (bits == 0) {
			name_reg(f, b, why, size);
			return -1;
		}
		if (changed & ~bits) {
			snprintf(why, size, "bits 0x%04x of the command register (the owner may change only 0x%04x:"
			         " I/O, memory, bus master, interrupt disable)",
			         (unsigned)(changed & ~bits) << 8 * (b - 0x04), PCI_COMMAND_OWNER_BITS);
			return -1;
		}
	}
	return 0;
}
