/* PCI functions for people: class names and lspci-like lines (pci/pci.h). */
#include "rt/rt.h"
#include "pci/pci.h"

struct class_name {
	uint32_t class, mask;
	const char *name;
};

#define FULL(c, name) { c, 0xffffff, name }
#define SUB(c, name)  { (uint32_t)(c) << 8, 0xffff00, name }
#define BASE(c, name) { (uint32_t)(c) << 16, 0xff0000, name }

/* The first match wins: the most specific entries come first. */
static const struct class_name names[] = {
	FULL(0x010802, "storage: NVMe"),
	FULL(0x0c0300, "serial bus: USB UHCI"),
	FULL(0x0c0310, "serial bus: USB OHCI"),
	FULL(0x0c0320, "serial bus: USB EHCI"),
	FULL(0x0c0330, "serial bus: USB xHCI"),
	SUB(0x0000, "unclassified: non-VGA"),
	SUB(0x0001, "unclassified: VGA"),
	SUB(0x0100, "storage: SCSI"),
	SUB(0x0101, "storage: IDE"),
	SUB(0x0102, "storage: floppy"),
	SUB(0x0104, "storage: RAID"),
	SUB(0x0105, "storage: ATA"),
	SUB(0x0106, "storage: SATA"),
	SUB(0x0107, "storage: SAS"),
	SUB(0x0108, "storage: NVM"),
	SUB(0x0180, "storage: other"),
	SUB(0x0200, "network: ethernet"),
	SUB(0x0280, "network: other"),
	SUB(0x0300, "display: VGA"),
	SUB(0x0302, "display: 3D"),
	SUB(0x0380, "display: other"),
	SUB(0x0401, "multimedia: audio"),
	SUB(0x0403, "multimedia: HD audio"),
	SUB(0x0500, "memory: RAM"),
	SUB(0x0600, "bridge: host"),
	SUB(0x0601, "bridge: ISA"),
	SUB(0x0602, "bridge: EISA"),
	SUB(0x0604, "bridge: PCI"),
	SUB(0x0607, "bridge: CardBus"),
	SUB(0x0680, "bridge: other"),
	SUB(0x0700, "communication: serial"),
	SUB(0x0701, "communication: parallel"),
	SUB(0x0880, "system: other"),
	SUB(0x0c03, "serial bus: USB"),
	SUB(0x0c05, "serial bus: SMBus"),
	BASE(0x00, "unclassified"),
	BASE(0x01, "mass storage"),
	BASE(0x02, "network"),
	BASE(0x03, "display"),
	BASE(0x04, "multimedia"),
	BASE(0x05, "memory"),
	BASE(0x06, "bridge"),
	BASE(0x07, "communication"),
	BASE(0x08, "system peripheral"),
	BASE(0x09, "input"),
	BASE(0x0a, "docking station"),
	BASE(0x0b, "processor"),
	BASE(0x0c, "serial bus"),
	BASE(0x0d, "wireless"),
	BASE(0x0e, "intelligent I/O"),
	BASE(0x0f, "satellite"),
	BASE(0x10, "encryption"),
	BASE(0x11, "signal processing"),
	BASE(0x12, "accelerator"),
	BASE(0x13, "instrumentation"),
	BASE(0x40, "coprocessor"),
};

/* The name of CLASS, or NULL when we have none. */
static const char *lookup(uint32_t class)
{
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if ((class & names[i].mask) == names[i].class)
			return names[i].name;
	return NULL;
}

const char *pci_class_name(uint32_t class)
{
	static char unknown[sizeof "class 0x000000"];
	const char *name = lookup(class & 0xffffff);
	if (name)
		return name;
	snprintf(unknown, sizeof unknown, "class 0x%06x", (unsigned)(class & 0xffffff));
	return unknown;
}

/* " irq N pin P", or nothing for a function without an interrupt pin. */
static void format_irq(const struct pci_func *f, char *buf, size_t size)
{
	char pin = f->irq_pin <= 4 ? (char)('A' + f->irq_pin - 1) : '?';
	buf[0] = 0;
	if (f->irq_pin == 0)
		return;
	if (f->irq_line == 255)       /* what firmware writes for "not connected" */
		snprintf(buf, size, " irq none pin %c", pin);
	else
		snprintf(buf, size, " irq %u pin %c", f->irq_line, pin);
}

/* The line does not use pci_class_name's static buffer: the arbiter
 * formats from several threads. */
int pci_format_func(const struct pci_func *f, char *buf, size_t size)
{
	char irq[24], buses[16] = "";
	const char *name = lookup(f->class & 0xffffff);
	format_irq(f, irq, sizeof irq);
	if (f->header_type == 1)
		snprintf(buses, sizeof buses, " buses %02x-%02x", f->secondary_bus, f->subordinate_bus);
	return snprintf(buf, size, "%02x:%02x.%x %04x:%04x class %06x %s%s%s",
	                f->addr.bus, f->addr.dev, f->addr.fn, f->vendor, f->device,
	                (unsigned)(f->class & 0xffffff), name ? name : "(unknown)", irq, buses);
}

static const char *bar_kind(const struct pci_bar *b)
{
	if (b->flags & PCI_BAR_IO)
		return "io";
	if (b->flags & PCI_BAR_PREFETCH)
		return b->flags & PCI_BAR_64 ? "mem64 pref" : "mem32 pref";
	return b->flags & PCI_BAR_64 ? "mem64" : "mem32";
}

int pci_format_bar(const struct pci_bar *b, int rom, char *buf, size_t size)
{
	char name[8];
	if (rom)
		snprintf(name, sizeof name, "rom");
	else
		snprintf(name, sizeof name, "bar%u", b->index);
	if (b->size == 0)
		return snprintf(buf, size, "  %s none", name);
	return snprintf(buf, size, "  %s%s%s 0x%llx size 0x%llx", name, rom ? "" : " ",
	                rom ? "" : bar_kind(b), (unsigned long long)b->base,
	                (unsigned long long)b->size);
}
