/* PCI visibility policies (policy.h). */
#include "rt/rt.h"
#include "pciarb/policy.h"

#define ANY 0xffffffffu

/* Parses LEN hex digits at S (no prefix) into *V; -1 unless all are hex. */
static int hex(const char *s, size_t len, uint32_t *v)
{
	if (len == 0 || len > 8)
		return -1;
	*v = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
		           : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
		           : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16u;
		if (d == 16)
			return -1;
		*v = *v << 4 | d;
	}
	return 0;
}

static int parse_rule(const char *s, size_t len, struct pci_rule *r, char *err, size_t errlen)
{
	*r = (struct pci_rule){ 0, 0, ANY, ANY };
	if (len == 3 && strncmp(s, "all", 3) == 0)
		return 0;
	if (len > 6 && strncmp(s, "class=", 6) == 0) {
		const char *d = s + 6;
		size_t n = len - 6;
		if (n > 2 && d[0] == '0' && (d[1] == 'x' || d[1] == 'X'))
			d += 2, n -= 2;
		if ((n == 2 || n == 4 || n == 6) && hex(d, n, &r->class) == 0) {
			r->class <<= 8 * (3 - n / 2);
			r->class_mask = 0xffffffu << 8 * (3 - n / 2) & 0xffffff;
			return 0;
		}
		snprintf(err, errlen, "'%.*s': a class is 0xCC, 0xCCSS or 0xCCSSPP in hex", (int)len, s);
		return -1;
	}
	const char *colon = memchr(s, ':', len);
	if (colon) {
		size_t vl = (size_t)(colon - s), dl = len - vl - 1;
		if (vl == 4 && hex(s, 4, &r->vendor) == 0
		    && ((dl == 1 && colon[1] == '*') || (dl == 4 && hex(colon + 1, 4, &r->device) == 0)))
			return 0;
	}
	snprintf(err, errlen, "'%.*s': a rule is class=0xCC[SS[PP]], VENDOR:DEVICE (hex, DEVICE may be *) or all",
	         (int)len, s);
	return -1;
}

int pci_policy_parse(const char *s, struct pci_policy *p, char *err, size_t errlen)
{
	p->n = 0;
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		if (p->n == PCI_POLICY_RULES) {
			snprintf(err, errlen, "more than %d rules", PCI_POLICY_RULES);
			return -1;
		}
		if (parse_rule(s, len, &p->rules[p->n], err, errlen) < 0)
			return -1;
		p->n++;
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

int pci_policy_allows(const struct pci_policy *p, uint16_t vendor, uint16_t device, uint32_t class)
{
	for (unsigned i = 0; i < p->n; i++) {
		const struct pci_rule *r = &p->rules[i];
		if ((class & r->class_mask) == r->class
		    && (r->vendor == ANY || r->vendor == vendor)
		    && (r->device == ANY || r->device == device))
			return 1;
	}
	return 0;
}

void pci_policy_format(const struct pci_policy *p, char *buf, size_t size)
{
	size_t k = 0;
	buf[0] = 0;
	for (unsigned i = 0; i < p->n && k < size; i++) {
		const struct pci_rule *r = &p->rules[i];
		const char *sep = i ? "," : "";
		int n;
		if (r->class_mask)
			n = snprintf(buf + k, size - k, "%sclass=0x%0*x", sep,
			             r->class_mask == 0xff0000 ? 2 : r->class_mask == 0xffff00 ? 4 : 6,
			             (unsigned)(r->class >> (r->class_mask == 0xff0000 ? 16 : r->class_mask == 0xffff00 ? 8 : 0)));
		else if (r->vendor != ANY && r->device != ANY)
			n = snprintf(buf + k, size - k, "%s%04x:%04x", sep, (unsigned)r->vendor, (unsigned)r->device);
		else if (r->vendor != ANY)
			n = snprintf(buf + k, size - k, "%s%04x:*", sep, (unsigned)r->vendor);
		else
			n = snprintf(buf + k, size - k, "%sall", sep);
		k += (size_t)n;
	}
}

/* The kernel's own test for a word W of its command line: the line begins
 * with W, or W follows a blank somewhere (a prefix match in both cases). */
static int kernel_word(const char *cmdline, const char *w)
{
	size_t n = strlen(w);
	if (strncmp(cmdline, w, n) == 0)
		return 1;
	for (const char *p = strchr(cmdline, ' '); p; p = strchr(p + 1, ' '))
		if (strncmp(p + 1, w, n) == 0)
			return 1;
	return 0;
}

unsigned pci_kernel_leaves(const char *cmdline)
{
	if (!cmdline)
		return 0;
	return (kernel_word(cmdline, "noide") ? PCI_KERNEL_LEAVES_IDE : 0)
	     | (kernel_word(cmdline, "noahci") ? PCI_KERNEL_LEAVES_AHCI : 0);
}

const char *pci_kernel_claim(uint32_t class, unsigned left)
{
	if ((class & 0xffff00) == 0x010100 && !(left & PCI_KERNEL_LEAVES_IDE))
		return "noide";
	if (class == 0x010601 && !(left & PCI_KERNEL_LEAVES_AHCI))
		return "noahci";
	return NULL;
}
