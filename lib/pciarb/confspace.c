/* Configuration mechanism #1: write the address of a dword to 0xcf8, then
 * read or write 0xcfc..0xcff.  The address register is shared state, so
 * every access holds the lock. */
#include "mach/mach.h"
#include "rt/lock.h"
#include "rt/ioport.h"
#include "pciarb/confspace.h"

static mutex_t lock;


static void select_reg(struct pci_addr a, unsigned off)
{
	outl(0xcf8, 0x80000000u | (uint32_t)a.bus << 16 | (uint32_t)(a.dev & 31) << 11
	            | (uint32_t)(a.fn & 7) << 8 | (off & 0xfc));
}

static uint32_t conf_read(void *ctx, struct pci_addr a, unsigned off, unsigned width)
{
	(void)ctx;
	uint32_t v;
	mutex_lock(&lock);
	select_reg(a, off);
	uint16_t port = (uint16_t)(0xcfc + (off & 3));
	v = width == 1 ? inb(port) : width == 2 ? inw(port) : inl(port);
	mutex_unlock(&lock);
	return v;
}

static void conf_write(void *ctx, struct pci_addr a, unsigned off, unsigned width, uint32_t v)
{
	(void)ctx;
	mutex_lock(&lock);
	select_reg(a, off);
	uint16_t port = (uint16_t)(0xcfc + (off & 3));
	if (width == 1)
		outb(port, (uint8_t)v);
	else if (width == 2)
		outw(port, (uint16_t)v);
	else
		outl(port, v);
	mutex_unlock(&lock);
}

const struct pci_access confspace = { conf_read, conf_write, NULL };

int confspace_open(mach_port_t device_master)
{
	mach_port_t perm;
	kern_return_t r = i386_io_perm_create(device_master, 0xcf8, 0xcff, &perm);
	if (r == KERN_SUCCESS)
		r = i386_io_perm_modify(mach_task_self(), perm, 1);
	return r;
}
