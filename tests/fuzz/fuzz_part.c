/* libFuzzer target: an arbitrary disk image given to the partition-table
 * reader (MBR, extended chains, GPT with its backup). */
#include <string.h>
#include "disk/part.h"

struct disk { const uint8_t *data; size_t size; };

static int disk_read(void *ctx, uint64_t lba, unsigned count, void *buf)
{
	const struct disk *d = ctx;
	if (lba > d->size / 512 || count > d->size / 512 - lba)
		return -1;
	memcpy(buf, d->data + lba * 512, (size_t)count * 512);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct part_table t;
	struct disk d = { data, size };
	part_read_table(disk_read, &d, size / 512, &t);
	return 0;
}
