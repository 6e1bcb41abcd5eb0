/* The heap: blocks of power-of-two classes up to 2 KiB carved from 64 KiB
 * chunks and kept on free lists; anything larger gets pages of its own.
 * Every small block carries a header naming its class and a magic word, and
 * large blocks are kept on a list, so a bad or double free is caught and
 * reported instead of corrupting the heap (or touching pages already given
 * back).  Pages come from rt_pages_alloc (vm_allocate on Mach, mmap on the
 * host). */
#include "rt/rt.h"
#include "rt/lock.h"
#include "rt/heap.h"

#define MAGIC_USED 0x4d414c4cu   /* "MALL" */
#define MAGIC_FREE 0x46524545u   /* "FREE" */
#define MIN_SHIFT  4             /* smallest block: 16 bytes with header */
#define NCLASSES   8             /* 16 .. 2048 */
#define CHUNK      (64u * 1024u)

/* Small blocks: 8-byte header, so their pointers are 8 mod 16.  Large
 * blocks: a header of a multiple of 16 bytes at a page start, so theirs are 0 mod 16; that is
 * how free tells them apart before touching any memory. */
struct block {
	uint32_t size;    /* class size */
	uint32_t magic;
	struct block *next;           /* on a free list only (overlaps user data) */
};
#define HDR 8u

struct large {
	uint32_t size;    /* page-rounded, header included */
	uint32_t magic;
	struct large *next, *prev;
};
#define LARGE_HDR ((sizeof(struct large) + 15) & ~(size_t)15)

static mutex_t heap_lock;
static struct block *free_list[NCLASSES];
static struct large *large_list;

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

static void *large_alloc(size_t n)
{
	size_t sz = round_pages(n + LARGE_HDR);
	struct large *l = rt_pages_alloc(sz);
	if (!l)
		return NULL;
	l->size = (uint32_t)sz;
	l->magic = MAGIC_USED;
	mutex_lock(&heap_lock);
	l->prev = NULL;
	l->next = large_list;
	if (large_list)
		large_list->prev = l;
	large_list = l;
	mutex_unlock(&heap_lock);
	return (char *)l + LARGE_HDR;
}

void *malloc(size_t n)
{
	if (n > (size_t)0x7fffffff - PAGE_SIZE)
		return NULL;
	int c = class_of(n + HDR);
	if (c < 0)
		return large_alloc(n);
	mutex_lock(&heap_lock);
	if (!free_list[c] && refill(c) < 0) {
		mutex_unlock(&heap_lock);
		return NULL;
	}
	struct block *b = free_list[c];
	free_list[c] = b->next;
	mutex_unlock(&heap_lock);
	b->magic = MAGIC_USED;
	return (char *)b + HDR;
}

/* The large block P points into, taken off the list when UNLINK; NULL if P
 * is not the pointer of a live large block.  Touches only listed blocks. */
static struct large *large_of(void *p, int unlink)
{
	struct large *want = (struct large *)((char *)p - LARGE_HDR), *l;
	mutex_lock(&heap_lock);
	for (l = large_list; l && l != want; l = l->next)
		;
	if (l && unlink) {
		if (l->prev)
			l->prev->next = l->next;
		else
			large_list = l->next;
		if (l->next)
			l->next->prev = l->prev;
	}
	mutex_unlock(&heap_lock);
	return l;
}

static int is_large(const void *p)
{
	return ((uintptr_t)p & 15) == 0;
}

/* The usable size of P, or 0 (after reporting) when P is not a live block. */
static size_t usable(void *p, const char *what, int unlink_large)
{
	if (is_large(p)) {
		struct large *l = large_of(p, unlink_large);
		if (!l) {
			rt_heap_error("double free or a pointer malloc never returned", what, p);
			return 0;
		}
		return l->size - LARGE_HDR;
	}
	struct block *b = (struct block *)((char *)p - HDR);
	if (b->magic != MAGIC_USED) {
		rt_heap_error(b->magic == MAGIC_FREE ? "double free" : "free of a pointer malloc never returned", what, p);
		return 0;
	}
	return b->size - HDR;
}

void free(void *p)
{
	if (!p || !usable(p, "free", 1))
		return;
	if (is_large(p)) {
		struct large *l = (struct large *)((char *)p - LARGE_HDR);
		rt_pages_free(l, l->size);
		return;
	}
	struct block *b = (struct block *)((char *)p - HDR);
	b->magic = MAGIC_FREE;
	int c = class_of(b->size);
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
	size_t have = usable(p, "realloc", 0);
	if (!have)
		return NULL;
	if (n <= have)
		return p;
	void *q = malloc(n);
	if (q) {
		memcpy(q, p, have);
		free(p);
	}
	return q;
}
