/* halt: write everything back, then end the machine (exec asks the chain:
 * ext2fs syncs, the disk is flushed, the arbiter halts). */
#include "posix/posix.h"

int main(void)
{
	fprintf(stdout, "halt: the machine is going down\n");
	fflush(stdout);
	sync();
	if (halt_machine() == 0)
		return 0;
	fprintf(stderr, "halt: cannot halt: %s\n", strerror(errno));
	return 1;
}
