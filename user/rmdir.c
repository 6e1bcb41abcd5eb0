/* rmdir DIR...: remove empty directories. */
#include "posix/posix.h"

int main(int argc, char **argv)
{
	int status = 0;
	if (argc < 2) {
		fprintf(stderr, "rmdir: missing operand (rmdir DIR...)\n");
		return 1;
	}
	for (int i = 1; i < argc; i++)
		if (rmdir(argv[i]) < 0) {
			fprintf(stderr, "rmdir: %s: %s\n", argv[i], strerror(errno));
			status = 1;
		}
	return status;
}
