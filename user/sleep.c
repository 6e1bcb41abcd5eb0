/* sleep SECONDS: waits that long (whole seconds). */
#include "posix/posix.h"

int main(int argc, char **argv)
{
	char *end;
	long s = argc == 2 ? strtol(argv[1], &end, 10) : -1;
	if (argc != 2 || s < 0 || *end || s > 86400) {
		fprintf(stderr, "sleep: usage: sleep SECONDS (0 to 86400)\n");
		return 1;
	}
	sleep_ms((unsigned)s * 1000);
	return 0;
}
