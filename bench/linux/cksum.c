/* The Linux side of bench/e2e.sh: user/cksum's loop (64 KiB reads into a
 * static buffer, lib/c/cksum.c's CRC) on glibc, so that Linux and the seed
 * pay the same CPU per byte and differ only in how the bytes arrive.
 * Built static for i386 by bench/e2e.sh. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include "rt/cksum.h"

/* page-aligned, as user/cksum.c's */
static char buf[64 * 1024] __attribute__((aligned(4096)));

static int sum(int fd, const char *name)
{
	struct cksum c;
	cksum_init(&c);
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		cksum_add(&c, buf, n);
	if (n < 0) {
		fprintf(stderr, "cksum: %s: %s\n", name, strerror(errno));
		return 1;
	}
	printf("%u %llu %s\n", (unsigned)cksum_final(&c), (unsigned long long)c.len, name);
	return 0;
}

int main(int argc, char **argv)
{
	int status = 0;
	for (int i = 1; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "cksum: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		status |= sum(fd, argv[i]);
		close(fd);
	}
	return status;
}
