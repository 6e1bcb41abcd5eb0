/* halt: write everything back, then end the machine (exec asks the chain:
 * ext2fs syncs, the disk is flushed, the arbiter halts). */
#include "posix/util.h"

int main(void)
{
	return machine_down("halt");
}
