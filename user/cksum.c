/* cksum [FILE...]: the POSIX CRC, the size in bytes and the name of each
 * file, as GNU cksum prints them; no FILE is standard input (no name). */
#include "posix/posix.h"
#include "rt/cksum.h"

/* page-aligned: fs_read shares whole pages with it instead of copying */
static char buf[64 * 1024] __attribute__((aligned(4096)));

static int sum(int fd, const char *name)
{
	struct cksum c;
	cksum_init(&c);
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		cksum_add(&c, buf, n);
	if (n < 0) {
		fprintf(stderr, "cksum: %s: %s\n", name ? name : "-", strerror(errno));
		return 1;
	}
	fprintf(stdout, "%u %llu%s%s\n", (unsigned)cksum_final(&c), (unsigned long long)c.len,
	        name ? " " : "", name ? name : "");
	return 0;
}

int main(int argc, char **argv)
{
	int status = 0;
	if (argc < 2)
		status = sum(STDIN_FILENO, NULL);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0) {
			status |= sum(STDIN_FILENO, argv[i]);
			continue;
		}
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
