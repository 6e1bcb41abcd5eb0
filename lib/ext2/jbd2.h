/* The jbd2 journal format as e2fsprogs and Linux write it (docs/journal.md):
 * what replay.c reads and journal.c writes.  Every field is big-endian. */
#ifndef EXT2_JBD2_H
#define EXT2_JBD2_H

#include <stdint.h>

#define JMAGIC         0xc03b3998u
#define JT_DESCRIPTOR  1
#define JT_COMMIT      2
#define JT_SB_V1       3
#define JT_SB_V2       4
#define JT_REVOKE      5
/* journal superblock fields */
#define JS_BLOCKSIZE   0x0c
#define JS_MAXLEN      0x10
#define JS_FIRST       0x14
#define JS_SEQUENCE    0x18
#define JS_START       0x1c
#define JS_COMPAT      0x24
#define JS_INCOMPAT    0x28
#define JS_RO_COMPAT   0x2c
#define JI_REVOKE      0x01
#define JI_64BIT       0x02
/* the most revoked blocks replay.c keeps track of; journal.c empties the
 * log before the blocks it might revoke could reach half of it */
#define JREVOKES_MAX   4096
/* tag flags */
#define TAG_ESCAPE     1
#define TAG_SAME_UUID  2
#define TAG_LAST       8

static inline uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif
