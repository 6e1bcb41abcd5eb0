/* hello's options (tests/boot/progs/hello.c): it needs the device master for
 * its console and host-priv to end the machine. */
#include "chain/options.h"

static const struct opt_spec hello_options[] = {
	{ "host-priv-port", OPT_PORT, SLOT_HOST_PRIV, "the host privilege port (${host-port})" },
	{ "device-master-port", OPT_PORT, SLOT_DEVICE_MASTER, "the kernel's device master port (${device-port})" },
};
