/* exec: the last stage of the chain.  Its bootstrap port is the file
 * system; it starts user space (/sbin/init as pid 1, with the console as
 * descriptors 0-2 and the root directory) and then serves the exec protocol
 * on every process's port: start-up, spawn, wait, exit, halt.  No process
 * gets host-priv or the device master: exec holds neither, and a new task
 * holds only what its start-up hands over. */
#include "chain/chain.h"
#include "fs/client.h"
#include "mach/mach.h"
#include "posix/posix.h"
#include "rt/rt.h"
#include "server/safe_copy.h"
#include "exec.h"
#include "options.h"

/* The first process: PATH looked up from ROOT, given ROOT (twice: root and
 * working directory), the console three times and PCI, a port that lists
 * the PCI functions and opens none (or null). */
static int start_init(mach_port_t root, mach_port_t pci, const char *path)
{
	static const char args[] = "init\0PATH=/bin";
	mach_port_t program;
	int e = fs_lookup(root, path, FS_O_READ, 0, &program);
	if (e) {
		say("cannot find %s: %s", path, strerror(-e));
		return e;
	}
	struct spawn *sp = calloc(1, sizeof *sp);
	char *copy = malloc(sizeof args);
	if (!sp || !copy)
		return -FS_ENOMEM;
	memcpy(copy, args, sizeof args);
	strlcpy(sp->name, path, sizeof sp->name);
	sp->program = program;
	sp->args = copy;
	sp->len = sizeof args;
	sp->info.argc = 1;
	sp->info.envc = 1;
	/* one send right for each slot: the process gives each back when it ends */
	if (mach_port_mod_refs(mach_task_self(), root, MACH_PORT_RIGHT_SEND, 1) == KERN_SUCCESS) {
		sp->ports[PROC_PORT_ROOT] = sp->ports[PROC_PORT_CWD] = root;
	} else {
		sp->ports[PROC_PORT_ROOT] = root;
		say("no second reference to the root directory: %s starts without a working directory", path);
	}
	sp->ports[PROC_PORT_PCI] = pci;
	for (int fd = 0; fd < PROC_NFD; fd++)
		if (rt_console != MACH_PORT_NULL
		    && mach_port_mod_refs(mach_task_self(), rt_console, MACH_PORT_RIGHT_SEND, 1) == KERN_SUCCESS) {
			sp->ports[PROC_PORT_FD0 + fd] = rt_console;
			sp->info.fd_kind[fd] = PROC_FD_CONSOLE;
		}
	int pid = 0;
	e = proc_start(sp, &pid);
	if (e == 0)
		say("started %s (pid %d)", path, pid);
	return e;
}

int main(int argc, char **argv)
{
	static struct chain c;
	chain_start(&c, argc, argv, exec_options, OPTIONS_COUNT(exec_options));
	if (c.opts.npos != 0) {
		say("bad arguments: '%s' is not an option", c.opts.pos[0]);
		chain_fail(&c, "parsing arguments", KERN_INVALID_ARGUMENT);
	}
	const char *init = c.opts.str[SLOT_EXEC_INIT] ? c.opts.str[SLOT_EXEC_INIT] : "/sbin/init";
	if (c.parent == MACH_PORT_NULL)
		chain_fail(&c, "finding the file system: I have no bootstrap port", KERN_INVALID_ARGUMENT);

	mach_port_t root;
	int e = fs_get_root(c.parent, &root);
	if (e) {
		say("asking my bootstrap port (the file system) for the root directory: %s", strerror(-e));
		chain_fail(&c, "getting the root directory", KERN_FAILURE);
	}
	/* for lspci: a listing port from the stage that owns PCI, if any */
	mach_port_t pci;
	if (chain_get_pci(c.parent, &pci) != KERN_SUCCESS)
		pci = MACH_PORT_NULL;
	struct server *s = server_create();
	kern_return_t r = s ? proc_setup(s, c.parent) : KERN_RESOURCE_SHORTAGE;
	if (r)
		chain_fail(&c, "setting up the process table", r);
	/* programs are read through ports clients give: their bytes may be
	 * memory the client pages itself (fs_read copies with safe_copy) */
	r = safe_copy_init();
	if (r)
		chain_fail(&c, "guarding copies of client memory", r);
	e = start_init(root, pci, init);
	if (e) {
		char what[CHAIN_TEXT_MAX - 32];
		snprintf(what, sizeof what, "starting %s (%s)", init, strerror(-e));
		chain_fail(&c, what, KERN_FAILURE);
	}
	chain_ready(&c);
	server_run(s, 1);
}
