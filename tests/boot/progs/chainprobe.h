/* For the test programs that attack the chain (exechild, attack_pci,
 * pcitest): every chain request sent to one port, which must refuse them
 * all.  The halt goes last, so that on a port that wrongly obeys it the
 * other requests have already been tried. */
#ifndef CHAINPROBE_H
#define CHAINPROBE_H

#include "chain/chain.h"
#include "rt/rt.h"

/* Sends the six chain requests to PORT (WHAT names it) and returns how
 * many were obeyed, each named on the console with FAIL. */
static inline int chain_requests_obeyed(mach_port_t port, const char *what)
{
	int obeyed = 0;
	char path[CHAIN_TEXT_MAX];
	mach_port_t got = MACH_PORT_NULL;
	kern_return_t r[6];
	unsigned instance;
	r[0] = chain_get_console(port, &got);
	r[1] = chain_report(port, CHAIN_FAILED, "ext2fs", "forged report");
	r[2] = chain_path(port, path, sizeof path);
	r[3] = chain_get_pci(port, &got);
	r[4] = chain_instance(port, &instance);
	r[5] = chain_halt(port);
	static const char *const names[6] = { "chain_get_console", "chain_report", "chain_path",
	                                      "chain_get_pci", "chain_instance", "chain_halt" };
	for (int i = 0; i < 6; i++)
		if (r[i] == KERN_SUCCESS) {
			say("FAIL: %s (name %u) obeys %s", what, (unsigned)port, names[i]);
			obeyed++;
		}
	return obeyed;
}

#endif
