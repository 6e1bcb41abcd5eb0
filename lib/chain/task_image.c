/* Taking and re-creating a pristine task image (include/chain/task_image.h).
 * The kernel loaded the program into a task of which nobody keeps a copy;
 * what it did (memory, stack with argv, registers, rights named on the
 * command line) is read back here before the task ever runs. */
#include "chain/task_image.h"
#include "rt/rt.h"

static kern_return_t take_memory(mach_port_t task, struct task_image *img)
{
	vm_offset_t addr = 0;
	for (;;) {
		vm_size_t size;
		vm_prot_t prot, max;
		int inherit;
		kern_return_t r = vm_region(task, &addr, &size, &prot, &max, &inherit);
		if (r == KERN_NO_SPACE)
			return KERN_SUCCESS;          /* nothing beyond */
		if (r)
			return r;
		if (img->nregions == TASK_IMAGE_REGIONS)
			return KERN_RESOURCE_SHORTAGE;
		vm_offset_t data = 0;
		vm_size_t got = 0;
		if ((prot & VM_PROT_READ) && vm_read(task, addr, size, &data, &got) != KERN_SUCCESS)
			data = 0;
		img->region[img->nregions++] = (typeof(img->region[0])){ addr, size, prot, max, data };
		addr += size;
		if (addr == 0)
			return KERN_SUCCESS;          /* the region ended the address space */
	}
}

static kern_return_t take_thread(mach_port_t task, struct task_image *img)
{
	mach_port_t *threads;
	natural_t n;
	kern_return_t r = task_threads(task, &threads, &n);
	if (r)
		return r;
	natural_t count = i386_THREAD_STATE_COUNT;
	r = n == 1 ? thread_get_state(threads[0], i386_THREAD_STATE, (natural_t *)&img->state, &count)
	           : KERN_INVALID_ARGUMENT;   /* not a task the boot script made */
	for (natural_t i = 0; i < n; i++)
		mach_port_deallocate(mach_task_self(), threads[i]);
	vm_deallocate(mach_task_self(), (vm_offset_t)(uintptr_t)threads, n * sizeof *threads);
	return r;
}

static kern_return_t take_ports(mach_port_t task, struct task_image *img)
{
	mach_port_t *names;
	natural_t *types, n, nt;
	kern_return_t r = mach_port_names(task, &names, &n, &types, &nt);
	if (r)
		return r;
	for (natural_t i = 0; i < n && i < nt && r == KERN_SUCCESS; i++) {
		if (!(types[i] & MACH_PORT_TYPE_SEND))
			continue;                     /* the boot script gives send rights only */
		if (img->nports == TASK_IMAGE_PORTS) {
			r = KERN_RESOURCE_SHORTAGE;
			break;
		}
		mach_port_t right;
		r = mach_port_extract_right(task, names[i], MACH_MSG_TYPE_COPY_SEND, &right);
		if (r == KERN_SUCCESS)
			img->port[img->nports++] = (typeof(img->port[0])){ names[i], right };
	}
	vm_deallocate(mach_task_self(), (vm_offset_t)(uintptr_t)names, n * sizeof *names);
	vm_deallocate(mach_task_self(), (vm_offset_t)(uintptr_t)types, nt * sizeof *types);
	return r;
}

kern_return_t task_image_take(mach_port_t task, struct task_image *img, const char **what)
{
	memset(img, 0, sizeof *img);
	kern_return_t r;
	if ((r = take_memory(task, img)))
		*what = "reading its memory (vm_region, vm_read)";
	else if ((r = take_thread(task, img)))
		*what = "reading its thread's state (task_threads, thread_get_state)";
	else if ((r = take_ports(task, img)))
		*what = "copying its send rights (mach_port_names, mach_port_extract_right)";
	return r;
}

static kern_return_t build(mach_port_t t, const struct task_image *img, mach_port_t *thread,
                           const char **what)
{
	kern_return_t r = KERN_SUCCESS;
	for (unsigned i = 0; i < img->nregions && !r; i++) {
		vm_offset_t addr = img->region[i].addr;
		vm_size_t size = img->region[i].size;
		*what = "rebuilding its memory (vm_allocate, vm_write, vm_protect)";
		r = vm_allocate(t, &addr, size, 0);
		if (!r && img->region[i].data)
			r = vm_write(t, addr, (const void *)(uintptr_t)img->region[i].data, size);
		if (!r)
			r = vm_protect(t, addr, size, 1, img->region[i].max_prot);
		if (!r)
			r = vm_protect(t, addr, size, 0, img->region[i].prot);
	}
	for (unsigned i = 0; i < img->nports && !r; i++) {
		*what = "giving it its send rights (mach_port_insert_right)";
		r = mach_port_insert_right(t, img->port[i].name, img->port[i].right, MACH_MSG_TYPE_COPY_SEND);
	}
	if (r)
		return r;
	*what = "making its thread (thread_create, thread_set_state)";
	r = thread_create(t, thread);
	if (!r)
		r = thread_set_state(*thread, i386_THREAD_STATE, (const natural_t *)&img->state,
		                     i386_THREAD_STATE_COUNT);
	return r;
}

kern_return_t task_image_spawn(const struct task_image *img, mach_port_t *task, mach_port_t *thread,
                               const char **what)
{
	*what = "creating a task (task_create)";
	*thread = MACH_PORT_NULL;
	kern_return_t r = task_create(mach_task_self(), 0, task);
	if (r)
		return r;
	r = build(*task, img, thread, what);
	if (r) {
		task_terminate(*task);
		mach_port_deallocate(mach_task_self(), *task);
		if (*thread)
			mach_port_deallocate(mach_task_self(), *thread);
		*task = *thread = MACH_PORT_NULL;
	}
	return r;
}
