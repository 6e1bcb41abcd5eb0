/* What the heap (lib/c/malloc.c) needs from its platform. */
#ifndef RT_HEAP_H
#define RT_HEAP_H

#include <stddef.h>

/* Page-aligned, zero-filled memory, or NULL. */
void *rt_pages_alloc(size_t size);
void rt_pages_free(void *p, size_t size);
/* A misuse of the heap: WHAT (free, realloc) was given P. */
void rt_heap_error(const char *problem, const char *what, void *p);

#endif
