/* mv SRC DST, mv SRC... DIR: rename; into DIR (keeping each name) when the
 * last operand is a directory. */
#include "posix/util.h"

static int move(const char *src, const char *dst)
{
	if (rename(src, dst) < 0) {
		fprintf(stderr, "mv: %s -> %s: %s\n", src, dst, strerror(errno));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "mv: missing operand (mv SRC DST, mv SRC... DIR)\n");
		return 1;
	}
	return act_into_last("mv", argv + 1, argc - 2, argv[argc - 1], move);
}
