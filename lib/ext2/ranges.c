/* The set of freed blocks as ranges (ranges.h).  Linear scans: the set
 * holds at most E2_RANGES_MAX ranges and is emptied at every sync. */
#include "ranges.h"

static uint32_t find(const struct e2_ranges *s, uint32_t b)
{
	for (uint32_t i = 0; i < s->n; i++)
		if (b - s->start[i] < s->len[i])
			return i;
	return s->n;
}

bool e2_ranges_add(struct e2_ranges *s, uint32_t b)
{
	uint32_t before = s->n, after = s->n;   /* the ranges ending at B, starting after B */
	for (uint32_t i = 0; i < s->n; i++) {
		if (s->start[i] + s->len[i] == b)
			before = i;
		else if (b + 1 == s->start[i])
			after = i;
	}
	if (before < s->n && after < s->n) {    /* B joins two ranges: one goes */
		s->len[before] += 1 + s->len[after];
		s->n--;
		s->start[after] = s->start[s->n];
		s->len[after] = s->len[s->n];
	} else if (before < s->n) {
		s->len[before]++;
	} else if (after < s->n) {
		s->start[after]--;
		s->len[after]++;
	} else {
		if (s->n == E2_RANGES_MAX)
			return false;
		s->start[s->n] = b;
		s->len[s->n++] = 1;
	}
	s->blocks++;
	return true;
}

uint32_t e2_ranges_skip(const struct e2_ranges *s, uint32_t b)
{
	for (uint32_t i; (i = find(s, b)) < s->n;)
		b = s->start[i] + s->len[i];
	return b;
}
