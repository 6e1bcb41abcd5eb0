/* The heap: blocks of power-of-two classes up to 2 KiB carved from 64 KiB
 * chunks and kept on free lists; anything larger gets pages of its own.
 * Every block carries a header naming its class and a magic word, so a bad
 * or double free is caught and reported instead of corrupting the heap.
 * Pages come from rt_pages_alloc (vm_allocate on Mach, mmap on the host). */
#include "rt/rt.h"
#include "rt/lock.h"
#include "rt/heap.h"

#define MAGIC_USED 0x4d414c4cu   /* "MALL" */
#define MAGIC_FREE 0x46524545u   /* "FREE" */
#define MIN_SHIFT  4             /* smallest block: 16 bytes with header */
#define NCLASSES   8             /* 16 .. 2048 */
#define CHUNK      (64u * 1024u)

struct block {
	uint32_t size;    /* class size, or the page-rounded size of a large block */
	uint32_t magic;
	struct block *next;           /* on a free list only (overlaps user data) */
};
#define HDR 8u

static mutex_t heap_lock;
static struct block *free_list[NCLASSES];

static size_t round_pages(size_t n)
{
	return (n + PAGE_SIZE - 1) & ~(size_t)(PAGE_SIZE - 1);
}

static int class_of(size_t total)
{
	for (int c = 0; c < NCLASSES; c++)
		if (total <= (1u << (c + MIN_SHIFT)))
			return c;
	return -1;
}

static int refill(int c)
{
	uint32_t sz = 1u << (c + MIN_SHIFT);
	char *chunk = rt_pages_alloc(CHUNK);
	if (!chunk)
		return -1;
	for (uint32_t off = 0; off + sz <= CHUNK; off += sz) {
		struct block *b = (struct block *)(chunk + off);
		b->size = sz;
		b->magic = MAGIC_FREE;
		b->next = free_list[c];
		free_list[c] = b;
	}
	return 0;
}

void *malloc(size_t n)
{
	if (n > (size_t)0x7fffffff - PAGE_SIZE)
		return NULL;
	size_t total = n + HDR;
	int c = class_of(total);
	struct block *b;
	if (c < 0) {
		size_t sz = round_pages(total);
		b = rt_pages_alloc(sz);
		if (!b)
			return NULL;
		b->size = (uint32_t)sz;
	} else {
		mutex_lock(&heap_lock);
		if (!free_list[c] && refill(c) < 0) {
			mutex_unlock(&heap_lock);
			return NULL;
		}
		b = free_list[c];
		free_list[c] = b->next;
		mutex_unlock(&heap_lock);
	}
	b->magic = MAGIC_USED;
	return (char *)b + HDR;
}

static struct block *block_of(void *p, const char *what)
{
	struct block *b = (struct block *)((char *)p - HDR);
	if (b->magic != MAGIC_USED) {
		rt_heap_error(b->magic == MAGIC_FREE ? "double free" : "free of a pointer malloc never returned", what, p);
		return NULL;
	}
	return b;
}

void free(void *p)
{
	if (!p)
		return;
	struct block *b = block_of(p, "free");
	if (!b)
		return;
	b->magic = MAGIC_FREE;
	int c = class_of(b->size);
	if (c < 0) {
		rt_pages_free(b, b->size);
		return;
	}
	mutex_lock(&heap_lock);
	b->next = free_list[c];
	free_list[c] = b;
	mutex_unlock(&heap_lock);
}

void *calloc(size_t n, size_t size)
{
	if (size && n > ((size_t)-1) / size)
		return NULL;
	void *p = malloc(n * size);
	return p ? memset(p, 0, n * size) : NULL;
}

void *realloc(void *p, size_t n)
{
	if (!p)
		return malloc(n);
	struct block *b = block_of(p, "realloc");
	if (!b)
		return NULL;
	size_t have = b->size - HDR;
	if (n <= have)
		return p;
	void *q = malloc(n);
	if (q) {
		memcpy(q, p, have);
		free(p);
	}
	return q;
}
