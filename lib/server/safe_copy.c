/* safe_copy (include/server/safe_copy.h): the copy itself is copy.S; here
 * a copy is listed while it runs, so that the guard (safe_copy_guard.c) can
 * tell a fault or a stall inside it from any other. */
#include "safe_copy_int.h"
#include "rt/rt.h"
#include "rt/tls.h"

mutex_t safe_copy_lock;
struct copy *safe_copy_list;
unsigned safe_copy_running;
int safe_copy_guarded;

int safe_copy_active(void)
{
	return safe_copy_guarded;
}

kern_return_t safe_copy(void *dst, const void *src, size_t n)
{
	if (!safe_copy_guarded) {
		memcpy(dst, src, n);
		return KERN_SUCCESS;
	}
	struct copy c = { NULL, thread_local()->thread, 0, 0 };
	mutex_lock(&safe_copy_lock);
	c.next = safe_copy_list;
	safe_copy_list = &c;
	if (__atomic_fetch_add(&safe_copy_running, 1, __ATOMIC_RELEASE) == 0)
		rt_futex_wake(&safe_copy_running, 0);
	mutex_unlock(&safe_copy_lock);
	kern_return_t r = safe_copy_raw(dst, src, n);
	mutex_lock(&safe_copy_lock);
	struct copy **p = &safe_copy_list;
	while (*p != &c)
		p = &(*p)->next;
	*p = c.next;
	__atomic_fetch_sub(&safe_copy_running, 1, __ATOMIC_RELEASE);
	mutex_unlock(&safe_copy_lock);
	return r;
}
