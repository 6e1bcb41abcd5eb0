/* lspci: the PCI functions the arbiter lets this process see, one a line:
 * address, class name [class and subclass], vendor:device, and the
 * revision when it is not 0, e.g. "00:04.0 storage: SCSI [0100]: 1af4:1001". */
#include "posix/posix.h"
#include "pci/client.h"
#include "pci/pci.h"

static struct pci_wire_func funcs[PCI_LIST_MAX];

int main(void)
{
	mach_port_t arbiter = pci_port();
	if (arbiter == MACH_PORT_NULL) {
		fprintf(stderr, "lspci: no PCI port was handed down\n");
		return 1;
	}
	unsigned total = 0;
	kern_return_t r = pci_list(arbiter, funcs, PCI_LIST_MAX, &total);
	if (r != KERN_SUCCESS) {
		fprintf(stderr, "lspci: asking the PCI arbiter for its functions: %s\n", mach_error_name(r));
		return 1;
	}
	for (unsigned i = 0; i < total && i < PCI_LIST_MAX; i++) {
		const struct pci_wire_func *f = &funcs[i];
		uint32_t class = f->class_rev >> 8;
		fprintf(stdout, "%02x:%02x.%x %s [%04x]: %04x:%04x", f->bus, f->dev, f->fn, pci_class_name(class),
		        (unsigned)(class >> 8), f->vendor, f->device);
		if (f->class_rev & 0xff)
			fprintf(stdout, " (rev %02x)", (unsigned)(f->class_rev & 0xff));
		fputc('\n', stdout);
	}
	if (total > PCI_LIST_MAX)
		fprintf(stdout, "lspci: %u more functions not shown (the protocol sends %u)\n", total - PCI_LIST_MAX,
		        PCI_LIST_MAX);
	return 0;
}
