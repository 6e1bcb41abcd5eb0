/* The POSIX cksum CRC (what GNU cksum prints first), computed in pieces. */
#ifndef RT_CKSUM_H
#define RT_CKSUM_H

#include <stddef.h>
#include <stdint.h>

struct cksum { uint32_t crc; uint64_t len; };

void cksum_init(struct cksum *c);
void cksum_add(struct cksum *c, const void *data, size_t n);
/* The final value, after the length has been folded in as POSIX says. */
uint32_t cksum_final(const struct cksum *c);

#endif
