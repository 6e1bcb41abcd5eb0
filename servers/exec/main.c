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

static void put_port_right(mach_port_t port)
{
	if (MACH_PORT_VALID(port))
		mach_port_deallocate(mach_task_self(), port);
}

/* A process nobody's child: PATH looked up from ROOT, argv ARGS (ARGSLEN
 * bytes: argv[0] then the environment), given ROOT (twice: root and working
 * directory), CONSOLE three times (a send right is made for each) and PCI
 * (one right given, or null). */
static int start_program(mach_port_t root, mach_port_t pci, mach_port_t console, const char *path,
                         const char *args, size_t argslen, int *pid)
{
	mach_port_t program;
	int e = fs_lookup(root, path, FS_O_READ, 0, &program);
	if (e) {
		say("cannot find %s: %s", path, strerror(-e));
		put_port_right(pci);
		return e;
	}
	struct spawn *sp = calloc(1, sizeof *sp);
	char *copy = malloc(argslen);
	if (!sp || !copy)
		return -FS_ENOMEM;
	memcpy(copy, args, argslen);
	strlcpy(sp->name, path, sizeof sp->name);
	sp->program = program;
	sp->args = copy;
	sp->len = argslen;
	sp->info.argc = 1;
	sp->info.envc = 1;
	/* one send right for each slot: the process gives each back when it ends */
	if (mach_port_mod_refs(mach_task_self(), root, MACH_PORT_RIGHT_SEND, 2) == KERN_SUCCESS) {
		sp->ports[PROC_PORT_ROOT] = sp->ports[PROC_PORT_CWD] = root;
	} else {
		say("no more references to the root directory: %s starts without one", path);
	}
	sp->ports[PROC_PORT_PCI] = pci;
	for (int fd = 0; fd < PROC_NFD; fd++)
		if (console != MACH_PORT_NULL
		    && mach_port_mod_refs(mach_task_self(), console, MACH_PORT_RIGHT_SEND, 1) == KERN_SUCCESS) {
			sp->ports[PROC_PORT_FD0 + fd] = console;
			sp->info.fd_kind[fd] = PROC_FD_CONSOLE;
		}
	e = proc_start(sp, pid);
	if (e == 0)
		say("started %s (pid %d)", path, *pid);
	return e;
}

/* The terminal port init's descriptors name: a receive right exec keeps
 * until the terminal server (started right after init) takes it, so that
 * what init writes before waits in its queue.  MACH_PORT_NULL (init gets
 * the raw console) for --terminal=none or when PATH is not there. */
static mach_port_t terminal_port(mach_port_t root, const char *path)
{
	mach_port_t program, port;
	if (strcmp(path, "none") == 0)
		return MACH_PORT_NULL;
	int e = fs_lookup(root, path, FS_O_READ, 0, &program);
	if (e) {
		say("no terminal server %s (%s): programs get the raw console", path, strerror(-e));
		return MACH_PORT_NULL;
	}
	put_port_right(program);
	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &port) != KERN_SUCCESS
	    || mach_port_insert_right(mach_task_self(), port, port, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS) {
		say("no port for the terminal: programs get the raw console");
		return MACH_PORT_NULL;
	}
	return port;
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
	r = pipe_setup();
	if (r)
		chain_fail(&c, "starting the pipe thread", r);
	/* programs are read through ports clients give: their bytes may be
	 * memory the client pages itself (fs_read copies with safe_copy) */
	r = safe_copy_init();
	if (r)
		chain_fail(&c, "guarding copies of client memory", r);
	const char *term = c.opts.str[SLOT_EXEC_TERMINAL] ? c.opts.str[SLOT_EXEC_TERMINAL] : "/sbin/term";
	mach_port_t tty = terminal_port(root, term);
	static const char init_args[] = "init\0PATH=/bin", term_args[] = "term\0PATH=/bin";
	int pid;
	e = start_program(root, pci, tty != MACH_PORT_NULL ? tty : rt_console, init, init_args,
	                  sizeof init_args, &pid);
	if (e == 0 && tty != MACH_PORT_NULL) {
		/* the terminal owns the console; exec keeps printing its own lines there */
		int te = start_program(root, MACH_PORT_NULL, rt_console, term, term_args, sizeof term_args, &pid);
		if (te)
			say("cannot start the terminal server %s: %s; programs have no console", term, strerror(-te));
		else
			proc_set_terminal(pid, tty);
		mach_port_deallocate(mach_task_self(), tty);     /* the send right: init holds its own */
		if (te)
			mach_port_mod_refs(mach_task_self(), tty, MACH_PORT_RIGHT_RECEIVE, -1);
	}
	if (e) {
		char what[CHAIN_TEXT_MAX - 32];
		snprintf(what, sizeof what, "starting %s (%s)", init, strerror(-e));
		chain_fail(&c, what, KERN_FAILURE);
	}
	chain_ready(&c);
	server_run(s, 1);
}
