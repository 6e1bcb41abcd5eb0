/* A pristine image of a task the kernel's boot script made and nobody has
 * resumed yet: its memory, its one thread's state and the send rights the
 * boot script put in its space.  The stage that starts a server takes the
 * image before resuming it, and builds a fresh, identical task from it when
 * the server dies (lib/chain/task_image.c; docs/chain-protocol.md). */
#ifndef CHAIN_TASK_IMAGE_H
#define CHAIN_TASK_IMAGE_H

#include "mach/mach.h"

#define TASK_IMAGE_REGIONS 32
#define TASK_IMAGE_PORTS 16

struct task_image {
	unsigned nregions;
	struct {
		vm_offset_t addr;
		vm_size_t size;
		vm_prot_t prot, max_prot;
		vm_offset_t data;        /* our copy (vm_read), or 0: unreadable, left zero */
	} region[TASK_IMAGE_REGIONS];
	struct i386_thread_state state;
	unsigned nports;
	struct {
		mach_port_t name;        /* its name in the task */
		mach_port_t right;       /* our copy of that send right */
	} port[TASK_IMAGE_PORTS];
};

/* Takes the image of TASK (suspended, one thread, never run).  Returns 0 or
 * an error, naming the failed step in *WHAT. */
kern_return_t task_image_take(mach_port_t task, struct task_image *img, const char **what);

/* Builds a new task from IMG: same memory and protections, the same send
 * rights under the same names, one thread with the image's state, left
 * suspended in *THREAD so that the caller can set special ports first. */
kern_return_t task_image_spawn(const struct task_image *img, mach_port_t *task, mach_port_t *thread,
                               const char **what);

#endif
