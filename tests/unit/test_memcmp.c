/* lib/c/memcmp.c against libc's memcmp: the sign of the result for every
 * length 0..300, every alignment of either buffer within a word (and one
 * more word), a difference at every position (random bytes, half of them
 * 0x80 or more, and the pairs where a signed compare turns round), with a
 * later difference of the other sign that must not count.  Each compared
 * region ends its malloc block, so that ASan catches a read past N. */
#include <string.h>
#include "unit.h"
#include "rt/rt.h"

/* libc's malloc, not the project's (rename.h): ASan knows where its blocks end */
#undef malloc
#undef free

#define MAX_LEN 300
#define OFFSETS 8

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static unsigned wrong;
static char first_wrong[200];

/* One comparison of X and Y (N bytes) against libc's. */
static void compare(const unsigned char *x, const unsigned char *y, size_t n, const char *what, size_t pos)
{
	int got = memcmp(x, y, n), want = libc_memcmp(x, y, n);
	if (sign(got) != sign(want) && wrong++ == 0)
		libc_snprintf(first_wrong, sizeof first_wrong, "%zu bytes at %p, %p, %s at %zu "
		              "(%#x vs %#x): %d, libc %d", n, (const void *)x, (const void *)y, what, pos,
		              pos < n ? x[pos] : 0, pos < n ? y[pos] : 0, got, want);
}

int main(void)
{
	static const unsigned char pairs[][2] = { { 0x80, 0x7f }, { 0xff, 0x00 }, { 0x01, 0xff }, { 0x80, 0x81 } };
	uint32_t seed = 1;
	unsigned long calls = 0;
	for (unsigned xo = 0; xo < OFFSETS; xo++)
		for (unsigned yo = 0; yo < OFFSETS; yo++) {
			wrong = 0, calls = 0;
			for (size_t n = 0; n <= MAX_LEN; n++) {
				unsigned char *xb = malloc(xo + n), *yb = malloc(yo + n);
				unsigned char *x = xb + xo, *y = yb + yo;
				unit_fill(x, n, seed++);
				memcpy(y, x, n);
				compare(x, y, n, "equal", n);
				calls++;
				for (size_t p = 0; p < n; p++) {
					unsigned char a, b, r[2];
					unit_fill(r, 2, seed++);
					a = r[0] | (p & 1 ? 0x80 : 0), b = r[1];
					if (a == b)
						b ^= 0x80;
					if (p % 5 == 4)
						a = pairs[p / 5 % 4][p / 20 % 2], b = pairs[p / 5 % 4][1 - p / 20 % 2];
					unsigned char keep_x = x[p], keep_y = y[p];
					x[p] = a, y[p] = b;
					/* a later difference of the other sign, in the same word or beyond */
					size_t q = p + 1 + r[0] % 8;
					if (q < n)
						x[q] = a < b ? 0xff : 0x00, y[q] = a < b ? 0x00 : 0xff;
					compare(x, y, n, "differing", p);
					compare(y, x, n, "differing (swapped)", p);
					calls += 2;
					x[p] = keep_x, y[p] = keep_y;
					if (q < n)
						y[q] = x[q];
				}
				free(xb);
				free(yb);
			}
			CHECK(wrong == 0, "offsets %u and %u: %u of %lu comparisons disagree with libc's sign; the first: %s",
			      xo, yo, wrong, calls, first_wrong);
		}
	return unit_report();
}
