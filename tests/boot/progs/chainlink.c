/* A stage of the chain demonstration: three copies of this program, loaded
 * as modules and chained like the seed's servers, each serving the chain
 * protocol on the port it hands to the next.  argv[0] names the stage. */
#include "chain/chain.h"
#include "chainlink_options.h"
#include "mach/mach.h"
#include "rt/rt.h"

static const struct interface *const ifaces[] = { &chain_interface, NULL };

int main(int argc, char **argv)
{
	struct chain c;
	chain_start(&c, argc, argv, chainlink_options, OPTIONS_COUNT(chainlink_options));
	say("started; %s", c.parent ? "my bootstrap port is the stage above"
	                            : "no bootstrap port: first stage");
	struct server *s = server_create();
	if (!s)
		chain_fail(&c, "creating the port set", KERN_RESOURCE_SHORTAGE);
	struct port_info *pi = server_add_port(s, ifaces, NULL);
	if (!pi)
		chain_fail(&c, "creating the chain port", KERN_RESOURCE_SHORTAGE);
	kern_return_t r = chain_handoff(&c, pi->name);
	if (r)
		chain_fail(&c, "handing over to the next stage", r);
	if (!c.opts.num[SLOT_NO_REPORT])
		chain_ready(&c);
	if (c.opts.num[SLOT_ASK_PATH]) {
		char path[CHAIN_TEXT_MAX];
		if (c.parent == MACH_PORT_NULL)
			say("no stage above to ask for a path");
		else if ((r = chain_path(c.parent, path, sizeof path)))
			say("path request failed: %s", mach_error_name(r));
		else
			say("path to the first stage: %s -> %s", path, c.name);
	}
	if (c.opts.num[SLOT_HALT]) {
		r = c.parent ? chain_halt(c.parent) : KERN_NO_ACCESS;
		say("halt request failed: %s", mach_error_name(r));
	}
	server_run(s, 2);
}
