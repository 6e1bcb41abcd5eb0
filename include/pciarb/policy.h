/* Which PCI functions a port may see: a list of rules fixed when the port is
 * made.  Portable, host-tested. */
#ifndef PCI_POLICY_H
#define PCI_POLICY_H

#include <stddef.h>
#include <stdint.h>

#define PCI_POLICY_RULES 8

struct pci_rule {
	uint32_t class, class_mask;   /* class_mask 0: any class */
	uint32_t vendor, device;      /* 0xffffffff: any */
};

struct pci_policy {
	struct pci_rule rules[PCI_POLICY_RULES];
	unsigned n;
};

/* Parses "class=0x01,1af4:1001,8086:*,all" (comma-separated; class=0xCC,
 * 0xCCSS or 0xCCSSPP matches the base class, base and subclass, or all
 * three; VENDOR:DEVICE in hex with * for any device; all matches every
 * function).  Returns 0, or -1 with the reason in ERR. */
int pci_policy_parse(const char *s, struct pci_policy *p, char *err, size_t errlen);
int pci_policy_allows(const struct pci_policy *p, uint16_t vendor, uint16_t device, uint32_t class);
/* The policy as the same text form, for the console. */
void pci_policy_format(const struct pci_policy *p, char *buf, size_t size);

/* What GNU Mach's command line leaves to user space.  The kernel drives IDE
 * controllers unless its command line begins with "noide" or holds
 * " noide", and AHCI controllers likewise unless "noahci"
 * (linux/dev/glue/block.c, linux/src/drivers/block/ide.c): the same test
 * here, so that the arbiter and the kernel never both think a controller
 * is theirs.  A NULL command line (not given) leaves nothing. */
enum { PCI_KERNEL_LEAVES_IDE = 1, PCI_KERNEL_LEAVES_AHCI = 2 };
unsigned pci_kernel_leaves(const char *cmdline);
/* The kernel option that would free a function of CLASS the kernel drives
 * ("noide", "noahci"), or NULL when the kernel leaves it alone given LEFT
 * (pci_kernel_leaves' answer). */
const char *pci_kernel_claim(uint32_t class, unsigned left);

#endif
