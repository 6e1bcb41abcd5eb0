/* cat [FILE...]: the files one after another on standard output; no FILE
 * or "-" is standard input. */
#include "posix/posix.h"

static char buf[64 * 1024];

/* Copies FD to standard output.  Returns 0, 1 when reading NAME failed
 * (said), or exits when standard output cannot take more. */
static int copy(int fd, const char *name)
{
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n == 0)
			return 0;
		if (n < 0) {
			fprintf(stderr, "cat: %s: %s\n", name, strerror(errno));
			return 1;
		}
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(STDOUT_FILENO, buf + done, n - done);
			if (w <= 0) {
				fprintf(stderr, "cat: write error: %s\n", w < 0 ? strerror(errno) : "nothing written");
				exit(1);
			}
			done += w;
		}
	}
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return copy(STDIN_FILENO, "-");
	int status = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0) {
			status |= copy(STDIN_FILENO, "-");
			continue;
		}
		int fd = open(argv[i], O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		status |= copy(fd, argv[i]);
		close(fd);
	}
	return status;
}
