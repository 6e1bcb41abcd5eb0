/* Program images kept between starts.  Under QEMU's TCG, code is
 * translated per physical page: a program whose pages are new at every
 * start has its code translated again at every start (about 300 blocks
 * for `true`, most of the time a small program takes).  So the pages
 * built for a region are kept here, never written again, and the next
 * start of a region with the same address and the very same bytes (just
 * read from the file and compared, so nothing is trusted but the bytes)
 * gets these pages, copy-on-write, instead of new ones. */
#include "exec.h"
#include "mach/mach.h"
#include "rt/lock.h"
#include "rt/rt.h"

#define KEPT 8                      /* regions kept */
#define KEPT_MAX (1u << 20)         /* the largest region kept */

struct image {
	vm_offset_t start;
	vm_size_t size;                 /* 0: an empty slot */
	void *pages;
	unsigned long used;             /* when last handed out */
};

static mutex_t lock;
static struct image kept[KEPT];
static unsigned long clock;

/* SLOT's pages given back; the slot is empty (LOCK held). */
static void forget(struct image *slot)
{
	if (slot->size)
		vm_deallocate(mach_task_self(), (vm_offset_t)(uintptr_t)slot->pages, slot->size);
	slot->size = 0;
}

kern_return_t image_write(mach_port_t task, vm_offset_t start, void *buf, vm_size_t size)
{
	mutex_lock(&lock);
	struct image *same = NULL, *oldest = &kept[0];
	for (int i = 0; i < KEPT; i++) {
		struct image *k = &kept[i];
		if (!same && k->size == size && k->start == start && memcmp(k->pages, buf, size) == 0)
			same = k;
		if (k->used < oldest->used)
			oldest = k;
	}
	if (!same && size <= KEPT_MAX) {
		forget(oldest);             /* BUF is kept from now on, never written */
		*oldest = (struct image){ start, size, buf, 0 };
		same = oldest;
		buf = NULL;
	}
	kern_return_t r;
	if (same) {
		same->used = ++clock;
		r = vm_write(task, start, same->pages, size);
	} else {
		r = vm_write(task, start, buf, size);
	}
	mutex_unlock(&lock);
	if (buf)
		vm_deallocate(mach_task_self(), (vm_offset_t)(uintptr_t)buf, size);
	return r;
}
