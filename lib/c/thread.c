/* Threads on Mach: an aligned stack, a kernel thread pointed at it. */
#include "rt/rt.h"
#include "rt/tls.h"
#include "rt/thread.h"
#include "mach/mach.h"

uintptr_t rt_stack_alloc(void)
{
	vm_offset_t a = 0;
	if (vm_map(mach_task_self(), &a, THREAD_STACK_SIZE, THREAD_STACK_SIZE - 1, 1,
	           MACH_PORT_NULL, 0, 0, VM_PROT_READ | VM_PROT_WRITE, VM_PROT_ALL,
	           VM_INHERIT_COPY) != KERN_SUCCESS)
		return 0;
	/* the page above the thread's local page catches a stack that overflows */
	vm_protect(mach_task_self(), a + PAGE_SIZE, PAGE_SIZE, 0, VM_PROT_NONE);
	return a;
}

static void thread_entry(void)
{
	struct thread_local *t = thread_local();
	t->fn(t->arg);
	mach_port_t self = t->thread;
	if (t->reply_port)
		mach_port_mod_refs(mach_task_self(), t->reply_port, MACH_PORT_RIGHT_RECEIVE, -1);
	thread_terminate(self);
}

int thread_spawn(void (*fn)(void *), void *arg)
{
	uintptr_t base = rt_stack_alloc();
	if (!base)
		return KERN_RESOURCE_SHORTAGE;
	struct thread_local *t = (struct thread_local *)base;
	t->fn = fn;
	t->arg = arg;
	kern_return_t r = thread_create(mach_task_self(), &t->thread);
	if (r)
		goto fail;
	struct i386_thread_state st;
	natural_t count = i386_THREAD_STATE_COUNT;
	r = thread_get_state(t->thread, i386_THREAD_STATE, (natural_t *)&st, &count);
	if (r)
		goto fail_thread;
	uint32_t *top = (uint32_t *)(base + THREAD_STACK_SIZE - 16);
	*top = 0;                                   /* thread_entry's return address */
	st.eip = (natural_t)(uintptr_t)thread_entry;
	st.uesp = (natural_t)(uintptr_t)top;
	st.ebp = 0;
	r = thread_set_state(t->thread, i386_THREAD_STATE, (natural_t *)&st, i386_THREAD_STATE_COUNT);
	if (r == KERN_SUCCESS)
		r = thread_resume(t->thread);
	if (r == KERN_SUCCESS)
		return 0;
fail_thread:
	thread_terminate(t->thread);
	mach_port_deallocate(mach_task_self(), t->thread);
fail:
	vm_deallocate(mach_task_self(), base, THREAD_STACK_SIZE);
	return r;
}
