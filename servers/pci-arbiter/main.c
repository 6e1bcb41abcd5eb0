/* pci-arbiter: the first server of the chain.  It takes the PCI
 * configuration ports (only one task may hold them), enumerates every
 * function, hands the next stage a port that sees only what --allow lets it
 * see, and serves the PCI and chain protocols. */
#include "mach/mach.h"
#include "rt/rt.h"
#include "pciarb/arbiter.h"
#include "pciarb/confspace.h"
#include "options.h"
#include "supervise.h"

static void list(const char *why, const struct pci_policy *only)
{
	char line[160];
	for (unsigned i = 0; i < arb.nfuncs && i < ARB_MAX_FUNCS; i++) {
		const struct pci_func *f = &arb.funcs[i];
		if (only && (!pci_policy_allows(only, f->vendor, f->device, f->class) || arbiter_kernel_claim(f)))
			continue;
		pci_format_func(f, line, sizeof line);
		say("%s%s", why, line);
		if (only)
			continue;
		for (unsigned b = 0; b < f->nbars; b++) {
			pci_format_bar(&f->bars[b], 0, line, sizeof line);
			say("%s", line);
		}
		if (f->rom.size) {
			pci_format_bar(&f->rom, 1, line, sizeof line);
			say("%s", line);
		}
	}
}

/* Names the functions the policy shows but the kernel drives. */
static void withheld(const struct pci_policy *policy)
{
	for (unsigned i = 0; i < arb.nfuncs; i++) {
		const struct pci_func *f = &arb.funcs[i];
		const char *option = arbiter_kernel_claim(f);
		if (option && pci_policy_allows(policy, f->vendor, f->device, f->class))
			say("  withheld from the next stage: %02x:%02x.%x %s: the kernel drives it"
			    " (%s on the kernel command line would free it)",
			    f->addr.bus, f->addr.dev, f->addr.fn, pci_class_name(f->class), option);
	}
}

int main(int argc, char **argv)
{
	struct chain *c = &arb.chain;
	chain_start(c, argc, argv, pci_arbiter_options, OPTIONS_COUNT(pci_arbiter_options));
	if (c->device_master == MACH_PORT_NULL)
		chain_fail(c, "taking the PCI configuration ports: no --device-master-port",
		           KERN_INVALID_ARGUMENT);

	struct pci_policy policy;
	char err[160];
	const char *allow = c->opts.str[SLOT_ALLOW] ? c->opts.str[SLOT_ALLOW] : "class=0x01";
	if (pci_policy_parse(allow, &policy, err, sizeof err) < 0) {
		say("bad arguments: --allow: %s", err);
		chain_fail(c, "parsing --allow", KERN_INVALID_ARGUMENT);
	}

	/* without the command line, assume the kernel drives all it can */
	arb.kernel_leaves = pci_kernel_leaves(c->opts.str[SLOT_KERNEL_CMDLINE]);

	const char *what;
	kern_return_t r = pciarb_start(c->device_master, c->host_priv, &what);
	if (r)
		chain_fail(c, what, r);
	c->pci_list_port = arbiter_list_port;
	if (c->opts.num[SLOT_VERBOSE]) {
		const char *cmdline = c->opts.str[SLOT_KERNEL_CMDLINE];
		say("the kernel's command line: %s%s%s", cmdline ? "'" : "", cmdline ? cmdline : "not given",
		    cmdline ? "'" : "");
		list("", NULL);
	}

	struct port_info *next = arbiter_port(&policy);
	if (!next)
		chain_fail(c, "creating the port for the next stage", KERN_RESOURCE_SHORTAGE);

	unsigned usable = 0;
	for (unsigned i = 0; i < arb.nfuncs; i++)
		usable += pci_policy_allows(&policy, arb.funcs[i].vendor, arb.funcs[i].device, arb.funcs[i].class)
		          && !arbiter_kernel_claim(&arb.funcs[i]);
	char shown[160];
	pci_policy_format(&policy, shown, sizeof shown);
	say("%u PCI functions; the next stage may use %u (%s)", arb.nfuncs, usable, shown);
	list("  for the next stage: ", &policy);
	withheld(&policy);

	r = supervise_next(c, &policy, &what);
	if (r)
		chain_fail(c, what, r);
	r = chain_handoff(c, next->name);
	if (r)
		chain_fail(c, "handing over to the next stage", r);
	chain_ready(c);
	server_run(arb.server, 2);
}
