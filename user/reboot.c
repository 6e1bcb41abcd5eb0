/* reboot: write everything back, then end the machine.  The exec protocol
 * has one way to end the machine, the one halt takes; under QEMU with
 * -no-reboot a reboot ends it too. */
#include "posix/util.h"

int main(void)
{
	return machine_down("reboot");
}
