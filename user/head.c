/* head [-n LINES | -c BYTES] [FILE]: the first 10 lines (or LINES lines,
 * or BYTES bytes) of FILE or of standard input, and then it stops reading:
 * a writer into a pipe to it ends then (SIGPIPE's default). */
#include "posix/posix.h"

static char buf[4096];

int main(int argc, char **argv)
{
	long count = 10;
	int bytes = 0, i = 1;
	if (i + 1 < argc && (strcmp(argv[i], "-n") == 0 || strcmp(argv[i], "-c") == 0)) {
		char *end;
		bytes = argv[i][1] == 'c';
		count = strtol(argv[i + 1], &end, 10);
		if (!argv[i + 1][0] || *end || count < 0) {
			fprintf(stderr, "head: %s: not a count\n", argv[i + 1]);
			return 1;
		}
		i += 2;
	}
	if (i + 1 < argc) {
		fprintf(stderr, "head: one FILE at most\n");
		return 1;
	}
	int fd = 0;
	if (i < argc && (fd = open(argv[i], O_RDONLY)) < 0) {
		fprintf(stderr, "head: %s: %s\n", argv[i], strerror(errno));
		return 1;
	}
	while (count > 0) {
		ssize_t n = read(fd, buf, bytes && count < (long)sizeof buf ? (size_t)count : sizeof buf);
		if (n < 0) {
			fprintf(stderr, "head: %s: %s\n", i < argc ? argv[i] : "-", strerror(errno));
			return 1;
		}
		if (n == 0)
			break;
		ssize_t keep = n;
		if (bytes) {
			count -= n;
		} else {
			for (keep = 0; keep < n && count > 0; keep++)
				if (buf[keep] == '\n')
					count--;
		}
		if (write(1, buf, keep) != keep) {
			fprintf(stderr, "head: write error: %s\n", strerror(errno));
			return 1;
		}
	}
	return 0;
}
