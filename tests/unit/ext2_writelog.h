/* A disk in memory for the ext2 core's power-cut tests: reads come from
 * the bytes CTX points at, and record_write keeps every write in order in
 * wlog[0..nlog), so that a test can cut the disk after any prefix of them. */
#ifndef EXT2_WRITELOG_H
#define EXT2_WRITELOG_H

#include <stdint.h>
#include "rt/rt.h"      /* malloc and realloc, as the tests have them */
#include <string.h>

struct wr {
	uint64_t off;
	uint32_t n;
	uint8_t *data;
};
static struct wr *wlog;
static size_t nlog, caplog;

static inline int mem_dev_read(void *ctx, uint64_t off, void *buf, size_t n)
{
	memcpy(buf, (uint8_t *)ctx + off, n);
	return 0;
}

static inline void record_write(uint64_t off, const void *buf, size_t n)
{
	if (nlog == caplog) {
		caplog = caplog ? 2 * caplog : 256;
		wlog = realloc(wlog, caplog * sizeof *wlog);
	}
	wlog[nlog] = (struct wr){ off, (uint32_t)n, malloc(n) };
	memcpy(wlog[nlog++].data, buf, n);
}

#endif
