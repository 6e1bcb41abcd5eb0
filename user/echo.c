/* echo [-n] ARG...: the arguments separated by blanks, then a newline
 * unless -n comes first. */
#include "posix/posix.h"

int main(int argc, char **argv)
{
	int newline = 1, i = 1;
	if (i < argc && strcmp(argv[i], "-n") == 0) {
		newline = 0;
		i++;
	}
	for (int first = i; i < argc; i++) {
		if (i > first)
			fputc(' ', stdout);
		fputs(argv[i], stdout);
	}
	if (newline)
		fputc('\n', stdout);
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "echo: write error: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
