/* One stage of the boot chain: how it finds its console and the stage
 * above, parses its options, hands its port to the next stage, reports up,
 * and names a next stage that stays silent. */
#ifndef CHAIN_CHAIN_H
#define CHAIN_CHAIN_H

#include "chain/options.h"
#include "server/server.h"
#include "chain/proto.h"

struct chain {
	const char *name;             /* this stage, as it prints itself */
	mach_port_t parent;           /* the stage above (our bootstrap port), or null */
	mach_port_t host_priv;        /* only where the boot script gave it */
	mach_port_t device_master;
	mach_port_t next_task;
	unsigned stall_ms;
	struct opt_result opts;
	/* run before a halt request is passed up (flush, sync); may be NULL */
	void (*shutdown)(struct chain *c);
	/* the stage that owns PCI: makes a port that lists every function and
	 * opens none (NULL elsewhere: the request goes up the chain) */
	mach_port_t (*pci_list_port)(void);
	/* what the next stage said of itself */
	volatile int next_status;     /* -1 nothing yet, else CHAIN_READY / CHAIN_FAILED */
	char next_name[CHAIN_NAME_MAX];
	/* which start of the next stage runs now (1, then 2.. when the stage
	 * restarts it), told to it by chain_instance */
	volatile unsigned next_instance;
	/* called when the next stage reports (may be NULL) */
	void (*next_reported)(struct chain *c, int status);
	unsigned instance;            /* which start of this stage this is (from the stage above) */
};

/* Starts the stage named by argv[0]: finds the stage above, opens the console (through the
 * stage above, or the device master given on the command line) before
 * parsing anything, then parses the options in SPEC.  On bad arguments it
 * prints them, reports the failure up and exits.  */
void chain_start(struct chain *c, int argc, char **argv,
                 const struct opt_spec *spec, size_t nspec);

/* Prints "NAME: failed: <what>: <error name>", reports it up and exits. */
void chain_fail(struct chain *c, const char *what, kern_return_t err) __attribute__((noreturn));

/* Hands PORT (a receive right of ours) to the next task as its bootstrap
 * port and resumes it; prints one line; starts the stall watch.  A
 * restarted stage (instance > 1) finds the next task running already: it
 * gets the new port, which it asks for again when its old one dies, and
 * is resumed only if it never was.  Without a
 * next task it does nothing and returns 0. */
kern_return_t chain_handoff(struct chain *c, mach_port_t port);

/* Tells the stage above that this one serves. */
void chain_ready(struct chain *c);

/* The chain interface, for a server's port: get-console, report, path, halt. */
extern const struct interface chain_interface;

/* Client calls on the port of the stage above. */
kern_return_t chain_get_console(mach_port_t up, mach_port_t *console);
kern_return_t chain_report(mach_port_t up, int status, const char *name, const char *text);
kern_return_t chain_path(mach_port_t up, char *path, size_t size);
kern_return_t chain_halt(mach_port_t up);
kern_return_t chain_get_pci(mach_port_t up, mach_port_t *pci);
/* Which start of the calling stage this is: 1, or 2.. after restarts
 * (*INSTANCE is 1 when the stage above does not say). */
kern_return_t chain_instance(mach_port_t up, unsigned *instance);

/* Takes PORT (a send right of ours) as the stage above from now on: a
 * restarted stage above handed us its new port. */
void chain_set_parent(mach_port_t port);

#endif
