/* POSIX cksum (lib/c/cksum.c) against GNU cksum on the host. */
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include "rt/cksum.h"

/* What `cksum` prints for the N bytes of DATA. */
static unsigned long host_cksum(const unsigned char *data, size_t n)
{
	FILE *f = fopen("/tmp/test_cksum.bin", "wb");
	fwrite(data, 1, n, f);
	fclose(f);
	unsigned long crc = 0;
	FILE *p = popen("cksum < /tmp/test_cksum.bin", "r");
	if (!p || fscanf(p, "%lu", &crc) != 1)
		crc = 0xdeadbeef;
	if (p)
		pclose(p);
	return crc;
}

int main(void)
{
	static unsigned char data[300000];
	unsigned seed = 3;
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (unsigned char)((seed = seed * 1103515245u + 12345u) >> 16);
	static const size_t sizes[] = { 0, 1, 2, 255, 256, 257, 65535, 65536, 65537, 300000 };
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		struct cksum c;
		cksum_init(&c);
		/* in uneven pieces, as a reader of a device would */
		for (size_t off = 0; off < sizes[k];) {
			size_t n = sizes[k] - off < 4097 ? sizes[k] - off : 4097;
			cksum_add(&c, data + off, n);
			off += n;
		}
		unsigned long want = host_cksum(data, sizes[k]);
		CHECK(cksum_final(&c) == want, "%zu bytes: %u, cksum says %lu", sizes[k], cksum_final(&c), want);
	}
	remove("/tmp/test_cksum.bin");
	return unit_report();
}
