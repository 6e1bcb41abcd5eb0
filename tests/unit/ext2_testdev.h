/* The parts of an ext2_dev that the ext2 core's host tests share: an image
 * file as the disk (ctx points at its descriptor), a flush with nothing to
 * do, and a clock that always says the same time. */
#ifndef EXT2_TESTDEV_H
#define EXT2_TESTDEV_H

#include <stdint.h>
#include <unistd.h>

static inline int file_dev_read(void *ctx, uint64_t off, void *buf, size_t n)
{
	return pread(*(int *)ctx, buf, n, (off_t)off) == (ssize_t)n ? 0 : -1;
}

static inline int file_dev_write(void *ctx, uint64_t off, const void *buf, size_t n)
{
	return pwrite(*(int *)ctx, buf, n, (off_t)off) == (ssize_t)n ? 0 : -1;
}

static inline int no_flush(void *ctx)
{
	(void)ctx;
	return 0;
}

static inline uint32_t fixed_now(void *ctx)
{
	(void)ctx;
	return 1700000000;
}

#endif
