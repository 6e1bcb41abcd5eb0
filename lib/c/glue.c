/* What the portable runtime needs from Mach: pages, futex waits, sleeping. */
#include "rt/rt.h"
#include "rt/heap.h"
#include "rt/lock.h"
#include "mach/mach.h"

void *rt_pages_alloc(size_t size)
{
	vm_offset_t a = 0;
	if (vm_allocate(mach_task_self(), &a, size, 1) != KERN_SUCCESS)
		return NULL;
	return (void *)(uintptr_t)a;
}

void rt_pages_free(void *p, size_t size)
{
	vm_deallocate(mach_task_self(), (vm_offset_t)(uintptr_t)p, size);
}

void sleep_ms(unsigned ms)
{
	/* a receive on a port nobody sends to, bounded by the time-out */
	mach_port_t p;
	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p) != KERN_SUCCESS)
		return;
	mach_msg_header_t m;
	mach_msg(&m, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, p, ms, 0);
	mach_port_mod_refs(mach_task_self(), p, MACH_PORT_RIGHT_RECEIVE, -1);
}

void rt_futex_wait(volatile void *addr, unsigned val)
{
	gsync_wait(mach_task_self(), (vm_offset_t)(uintptr_t)addr, val, 0, 0, 0);
}

void rt_futex_wake(volatile void *addr, int all)
{
	gsync_wake(mach_task_self(), (vm_offset_t)(uintptr_t)addr, 0, all ? GSYNC_BROADCAST : 0);
}
