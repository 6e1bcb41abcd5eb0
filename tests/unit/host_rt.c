/* The platform half of the portable runtime, on Linux: pages from mmap,
 * futexes from the futex system call, heap errors recorded for the tests to
 * inspect (never aborting). */
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "rt/heap.h"
#include "rt/lock.h"
#include "unit.h"

int host_heap_errors;
const char *host_heap_problem;
const char *host_heap_what;
void *host_heap_ptr;
long host_pages_allocs, host_pages_frees;
int host_pages_fail;

void *rt_pages_alloc(size_t size)
{
	if (__atomic_load_n(&host_pages_fail, __ATOMIC_RELAXED) || size == 0)
		return NULL;
	/* anonymous mappings are page-aligned and zero-filled */
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	__atomic_fetch_add(&host_pages_allocs, 1, __ATOMIC_RELAXED);
	return p;
}

void rt_pages_free(void *p, size_t size)
{
	if (munmap(p, size) == 0)
		__atomic_fetch_add(&host_pages_frees, 1, __ATOMIC_RELAXED);
}

void rt_heap_error(const char *problem, const char *what, void *p)
{
	__atomic_fetch_add(&host_heap_errors, 1, __ATOMIC_RELAXED);
	host_heap_problem = problem;
	host_heap_what = what;
	host_heap_ptr = p;
}

void host_heap_error_reset(void)
{
	host_heap_errors = 0;
	host_heap_problem = host_heap_what = NULL;
	host_heap_ptr = NULL;
}

void rt_futex_wait(volatile void *addr, unsigned val)
{
	/* returns at once when *ADDR != VAL (EAGAIN), or on EINTR: callers loop */
	syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

void rt_futex_wake(volatile void *addr, int all)
{
	syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, all ? INT_MAX : 1, NULL, NULL, 0);
}

unsigned char *host_map_image(const char *path, size_t *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	void *p = fstat(fd, &st) == 0 && st.st_size > 0
	          ? mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0) : MAP_FAILED;
	close(fd);
	if (p == MAP_FAILED)
		return NULL;
	*size = (size_t)st.st_size;
	return p;
}

void host_unmap_image(unsigned char *data, size_t size)
{
	if (data)
		munmap(data, size);
}
