/* A set of block numbers kept as ranges of consecutive blocks: the blocks
 * freed since the last sync (alloc.c).  A file's blocks are freed in
 * runs (its data, then the indirect block just before that data), so a
 * removed 64 MiB file is a handful of ranges, not 65536 entries, and the
 * set fills up (forcing a sync) only after many scattered frees.  The
 * count of blocks in it tells how much of the free space waits. */
#ifndef EXT2_RANGES_H
#define EXT2_RANGES_H

#include <stdbool.h>
#include <stdint.h>

#define E2_RANGES_MAX 1024

struct e2_ranges {
	uint32_t start[E2_RANGES_MAX], len[E2_RANGES_MAX];
	uint32_t n;
	uint32_t blocks;                /* in the set: the sum of len */
};

/* Adds block B (not in the set), merging it with the ranges it touches;
 * false when that needs a new range and the set has no room. */
bool e2_ranges_add(struct e2_ranges *s, uint32_t b);
/* The first block at or after B that is not in the set. */
uint32_t e2_ranges_skip(const struct e2_ranges *s, uint32_t b);
static inline void e2_ranges_clear(struct e2_ranges *s)
{
	s->n = s->blocks = 0;
}
static inline bool e2_ranges_has(const struct e2_ranges *s, uint32_t b)
{
	return e2_ranges_skip(s, b) != b;
}

#endif
