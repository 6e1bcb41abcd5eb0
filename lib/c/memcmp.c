/* memcmp, apart from lib/c/string.c so that the host unit tests build it
 * (tests/unit/test_memcmp.c) while keeping libc's other string functions.
 * exec compares every kept page of a program image with the file's bytes
 * on each start (servers/exec/image.c), so this runs on every start. */
#include "rt/rt.h"

/* As in string.c: i386 allows unaligned words, and aligned(1) makes the
 * compiler load them safely where a target does not; may_alias because the
 * words alias any object. */
typedef uint32_t __attribute__((may_alias, aligned(1))) word_t;

int memcmp(const void *a, const void *b, size_t n)
{
	const word_t *xw = a, *yw = b;
	/* while they are equal, four words a step: one branch for 16 bytes
	 * (under QEMU's TCG each loop pass costs a translated block) */
	for (; n >= 16; n -= 16, xw += 4, yw += 4)
		if ((xw[0] ^ yw[0]) | (xw[1] ^ yw[1]) | (xw[2] ^ yw[2]) | (xw[3] ^ yw[3]))
			break;
	/* the tail, or the 16 bytes that differ: the first differing byte,
	 * compared as unsigned char, decides (C11 7.24.4) */
	const unsigned char *x = (const unsigned char *)xw, *y = (const unsigned char *)yw;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}
