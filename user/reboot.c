/* reboot: write everything back, then end the machine.  The exec protocol
 * has one way to end the machine, the one halt takes; under QEMU with
 * -no-reboot a reboot ends it too. */
#include "posix/posix.h"

int main(void)
{
	fprintf(stdout, "reboot: the machine is going down\n");
	fflush(stdout);
	sync();
	if (halt_machine() == 0)
		return 0;
	fprintf(stderr, "reboot: cannot halt: %s\n", strerror(errno));
	return 1;
}
