/* The set of freed blocks kept as ranges (lib/ext2/ranges.c), against a
 * plain bitmap of the same blocks: blocks added in the orders a file's
 * removal frees them (data, then the indirect block before it), in
 * reverse and at random; after each add every block's membership and
 * e2_ranges_skip must agree with the bitmap, the count of blocks with its
 * bits set, and a file's run of blocks must stay a handful of ranges. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "unit.h"
#include "../../lib/ext2/ranges.h"

#define SPAN 1536               /* fewer than 2 * E2_RANGES_MAX: random adds never fill the set */
#define BASE 1000               /* block numbers BASE..BASE+SPAN-1 */

static struct e2_ranges set;
static bool in[SPAN];

static int agrees(void)
{
	uint32_t count = 0;
	for (uint32_t i = 0; i < SPAN; i++)
		count += in[i];
	if (set.blocks != count)
		return 0;
	for (uint32_t i = 0; i < SPAN + 2; i++) {
		uint32_t b = BASE - 1 + i, want = b;
		while (want >= BASE && want < BASE + SPAN && in[want - BASE])
			want++;
		if (e2_ranges_skip(&set, b) != want || e2_ranges_has(&set, b) != (want != b))
			return 0;
	}
	/* ranges are disjoint and none touches another */
	for (uint32_t i = 0; i < set.n; i++)
		for (uint32_t j = 0; j < set.n; j++)
			if (i != j && set.start[j] <= set.start[i] + set.len[i] && set.start[i] <= set.start[j] + set.len[j])
				return 0;
	return 1;
}

static void reset(void)
{
	memset(&set, 0, sizeof set);
	memset(in, 0, sizeof in);
}

static int add(uint32_t b)
{
	in[b - BASE] = true;
	return e2_ranges_add(&set, b);
}

int main(void)
{
	/* a file as a 1 KiB-block ext2 lays it out: 12 data, an indirect
	 * block, 256 data, ...; freed data first, then each indirect block */
	reset();
	int ok = 1;
	for (uint32_t b = 0; b < 12; b++)
		ok &= add(BASE + b);
	for (uint32_t ind = BASE + 12; ind + 257 <= BASE + SPAN; ind += 257) {
		for (uint32_t b = ind + 1; b < ind + 257; b++)
			ok &= add(b);
		ok &= add(ind);
	}
	CHECK(ok && agrees(), "a file freed in removal order");
	CHECK(set.n == 1, "a file freed in removal order is %u ranges, want 1", set.n);

	reset();
	ok = 1;
	for (uint32_t b = BASE + SPAN; b-- > BASE;)
		ok &= add(b);
	CHECK(ok && agrees() && set.n == 1, "freed backwards: %u ranges, want 1", set.n);

	/* random order, checked after every add */
	reset();
	uint32_t x = 12345, bad = 0, adds = 0;
	for (uint32_t k = 0; k < 3 * SPAN; k++) {
		x = x * 1103515245 + 12345;
		uint32_t b = (x >> 8) % SPAN;
		if (in[b])
			continue;
		adds++;
		if (!add(BASE + b) || !agrees())
			bad++;
		if (bad)
			break;
	}
	CHECK(bad == 0, "random adds: %u of %u disagree with the bitmap", bad, adds);

	/* full: a block that needs a new range is refused, one that extends
	 * a range is taken */
	reset();
	ok = 1;
	for (uint32_t i = 0; i < E2_RANGES_MAX; i++)
		ok &= e2_ranges_add(&set, 2 * i + 10);
	CHECK(ok && set.n == E2_RANGES_MAX, "%u separate blocks fill the set", E2_RANGES_MAX);
	CHECK(!e2_ranges_add(&set, 2 * E2_RANGES_MAX + 100) && set.blocks == E2_RANGES_MAX,
	      "a full set refuses a new range, and does not count it");
	CHECK(e2_ranges_add(&set, 11) && set.n == E2_RANGES_MAX - 1 && set.blocks == E2_RANGES_MAX + 1,
	      "a full set takes a block that joins two ranges");
	CHECK(e2_ranges_skip(&set, 10) == 13, "the joined range 10..12 is skipped whole");
	e2_ranges_clear(&set);
	CHECK(set.n == 0 && set.blocks == 0 && !e2_ranges_has(&set, 10), "a cleared set is empty");
	return unit_report();
}
