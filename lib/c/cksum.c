/* POSIX cksum: CRC-32 with polynomial 0x04c11db7, most significant bit
 * first, over the data and then the length (least significant byte first,
 * as few bytes as it needs), complemented. */
#include "rt/cksum.h"

static uint32_t table[256];

static void make_table(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i << 24;
		for (int k = 0; k < 8; k++)
			c = c & 0x80000000u ? c << 1 ^ 0x04c11db7u : c << 1;
		table[i] = c;
	}
}

void cksum_init(struct cksum *c)
{
	if (!table[1])
		make_table();
	c->crc = 0;
	c->len = 0;
}

static uint32_t step(uint32_t crc, uint8_t b)
{
	return crc << 8 ^ table[(crc >> 24 ^ b) & 0xff];
}

void cksum_add(struct cksum *c, const void *data, size_t n)
{
	const uint8_t *p = data;
	for (size_t i = 0; i < n; i++)
		c->crc = step(c->crc, p[i]);
	c->len += n;
}

uint32_t cksum_final(const struct cksum *c)
{
	uint32_t crc = c->crc;
	for (uint64_t len = c->len; len; len >>= 8)
		crc = step(crc, (uint8_t)len);
	return ~crc;
}
