/* A disk in memory for the ext2 core's power-cut tests: reads come from
 * the bytes CTX points at, and record_write keeps every write in order in
 * wlog[0..nlog), so that a test can cut the disk after any prefix of them. */
#ifndef EXT2_WRITELOG_H
#define EXT2_WRITELOG_H

#include <stdint.h>
#include "rt/rt.h"      /* malloc and realloc, as the tests have them */
#include <stdio.h>
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

/* Makes the file system of type FS (ext2, ext3) with BS-byte blocks over
 * the SIZE bytes at BASE, as on a used disk: BASE goes to PATH, mke2fs
 * (nodiscard: free blocks keep what BASE had there) writes its metadata,
 * and BASE gets the result back.  Needs unit.h's CHECK and sh. */
static inline void mkfs_over(const char *path, uint8_t *base, size_t size, unsigned bs, const char *fs)
{
	FILE *f = fopen(path, "w");
	CHECK(f && fwrite(base, 1, size, f) == size && fclose(f) == 0, "writing %s", path);
	sh("PATH=$PATH:/usr/sbin mke2fs -q -F -t %s -b %u -E nodiscard,lazy_itable_init=0 %s >/dev/null", fs, bs, path);
	f = fopen(path, "r");
	CHECK(f && fread(base, 1, size, f) == size && fclose(f) == 0, "reading %s", path);
}

#endif
