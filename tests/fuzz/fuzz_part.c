/* libFuzzer target: an arbitrary disk image given to the partition-table
 * reader (MBR, extended chains, GPT with its backup), read as a disk of
 * 512-byte sectors and as one of 4096-byte sectors. */
#include <string.h>
#include "disk/part.h"

struct disk { const uint8_t *data; size_t size; unsigned ss; };

static int disk_read(void *ctx, uint64_t lba, unsigned count, void *buf)
{
	const struct disk *d = ctx;
	if (lba > d->size / d->ss || count > d->size / d->ss - lba)
		return -1;
	memcpy(buf, d->data + lba * d->ss, (size_t)count * d->ss);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct part_table t;
	struct disk d = { data, size, 512 };
	part_read_table(disk_read, &d, size / 512, &t);
	d.ss = 4096;
	part_read_table_sized(disk_read, &d, size / 4096, 4096, &t);
	return 0;
}
