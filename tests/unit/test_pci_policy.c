/* PCI visibility policies (lib/pciarb/policy.c). */
#include <string.h>
#include "unit.h"
#include "pciarb/policy.h"

static struct pci_policy parse_ok(const char *s)
{
	struct pci_policy p;
	char err[160] = "";
	CHECK(pci_policy_parse(s, &p, err, sizeof err) == 0, "'%s' parses (%s)", s, err);
	return p;
}

static void refused(const char *s, const char *want)
{
	struct pci_policy p;
	char err[160] = "";
	CHECK(pci_policy_parse(s, &p, err, sizeof err) < 0 && strstr(err, want),
	      "'%s' refused with '%s' (got '%s')", s, want, err);
}

static void leaves(const char *cmdline, unsigned want)
{
	unsigned got = pci_kernel_leaves(cmdline);
	CHECK(got == want, "kernel command line '%s': leaves %u (want %u)", cmdline ? cmdline : "(none)", got, want);
}

/* The kernel's rule (GNU Mach 1.8: the line begins with the word, or the
 * word follows a blank), and which controllers the arbiter refuses. */
static void test_kernel_claims(void)
{
	enum { IDE = PCI_KERNEL_LEAVES_IDE, AHCI = PCI_KERNEL_LEAVES_AHCI };
	leaves(NULL, 0);
	leaves("", 0);
	leaves("/boot/gnumach-1.8-486.gz console=com0", 0);
	leaves("/boot/gnumach-1.8-486.gz console=com0 noide", IDE);
	leaves("/boot/gnumach-1.8-486.gz noahci console=com0", AHCI);
	leaves("/boot/gnumach-1.8-486.gz console=com0 noide noahci", IDE | AHCI);
	leaves("noide", IDE);
	leaves("noahci noide", IDE | AHCI);
	leaves("console=com0 xnoide", 0);           /* not after a blank */
	leaves("console=com0,noide", 0);
	leaves("console=com0\tnoide", 0);          /* the kernel looks for a space only */
	leaves("console=com0 noidea", IDE);         /* a prefix, as the kernel matches it */
	leaves("console=com0 noid", 0);

	/* QEMU's PIIX IDE (010180), an AHCI controller (010601), others */
	CHECK(strcmp(pci_kernel_claim(0x010180, 0) ?: "", "noide") == 0, "IDE: noide frees it");
	CHECK(strcmp(pci_kernel_claim(0x01018a, AHCI) ?: "", "noide") == 0, "IDE with noahci only: still the kernel's");
	CHECK(pci_kernel_claim(0x010180, IDE) == NULL, "IDE with noide: free");
	CHECK(strcmp(pci_kernel_claim(0x010601, IDE) ?: "", "noahci") == 0, "AHCI: noahci frees it");
	CHECK(pci_kernel_claim(0x010601, AHCI) == NULL, "AHCI with noahci: free");
	CHECK(pci_kernel_claim(0x010600, 0) == NULL, "SATA without AHCI (vendor-specific): not the kernel's AHCI");
	CHECK(pci_kernel_claim(0x010000, 0) == NULL, "virtio-blk: never the kernel's");
	CHECK(pci_kernel_claim(0x010802, 0) == NULL, "NVMe: never the kernel's");
	CHECK(pci_kernel_claim(0x020000, 0) == NULL, "e1000: not storage");
}

int main(void)
{
	/* QEMU's pc machine: virtio-blk, NVMe, IDE, e1000, VGA, host bridge */
	struct pci_policy p = parse_ok("class=0x01");
	CHECK(pci_policy_allows(&p, 0x1af4, 0x1001, 0x010000), "storage: virtio-blk seen");
	CHECK(pci_policy_allows(&p, 0x1b36, 0x0010, 0x010802), "storage: NVMe seen");
	CHECK(pci_policy_allows(&p, 0x8086, 0x7010, 0x010180), "storage: IDE seen");
	CHECK(!pci_policy_allows(&p, 0x8086, 0x100e, 0x020000), "storage: e1000 hidden");
	CHECK(!pci_policy_allows(&p, 0x8086, 0x1237, 0x060000), "storage: host bridge hidden");

	p = parse_ok("class=0x0108");
	CHECK(pci_policy_allows(&p, 0x1b36, 0x0010, 0x010802), "class+subclass: NVMe seen");
	CHECK(!pci_policy_allows(&p, 0x1af4, 0x1001, 0x010000), "class+subclass: virtio-blk hidden");
	p = parse_ok("class=010802");
	CHECK(pci_policy_allows(&p, 0x1b36, 0x0010, 0x010802) && !pci_policy_allows(&p, 0, 0, 0x010801),
	      "full class without 0x");

	p = parse_ok("1af4:1001,8086:*");
	CHECK(pci_policy_allows(&p, 0x1af4, 0x1001, 0x010000), "vendor:device seen");
	CHECK(!pci_policy_allows(&p, 0x1af4, 0x1000, 0x020000), "other virtio device hidden");
	CHECK(pci_policy_allows(&p, 0x8086, 0x100e, 0x020000), "vendor:* seen");
	CHECK(!pci_policy_allows(&p, 0x1234, 0x1111, 0x030000), "other vendor hidden");

	p = parse_ok("all");
	CHECK(pci_policy_allows(&p, 0x1234, 0x1111, 0x030000), "all");

	char buf[160];
	p = parse_ok("class=0x01,1af4:1001,8086:*,class=0x0108,class=0x010802,all");
	pci_policy_format(&p, buf, sizeof buf);
	CHECK(strcmp(buf, "class=0x01,1af4:1001,8086:*,class=0x0108,class=0x010802,all") == 0, "format: %s", buf);

	refused("", "a rule is");
	refused("class=", "a rule is");
	refused("class=0x1", "a class is");
	refused("class=0x0g", "a class is");
	refused("1af4", "a rule is");
	refused("1af4:10011", "a rule is");
	refused("zzzz:1001", "a rule is");
	refused("class=0x01,", "a rule is");
	refused("all,all,all,all,all,all,all,all,all", "more than 8 rules");
	test_kernel_claims();
	return unit_report();
}
