/* A user program's start: before main (lib/c/start.c calls rt_user_start,
 * which the Makefile links into user programs only), ask exec, through the
 * task's bootstrap port, for the root and working directories, descriptors
 * 0-2 and the PCI port; send printf to standard output; make exit flush
 * stdio and tell exec the status. */
#include "posix_impl.h"

mach_port_t posix_proc, posix_root, posix_cwd, posix_pci;
char **environ;

static int stdout_vprintf(const char *fmt, va_list ap)
{
	return vfprintf(stdout, fmt, ap);
}

static void exit_to_exec(int status)
{
	stdio_flush_all();
	if (posix_proc != MACH_PORT_NULL)
		proc_exit(posix_proc, status);
}

static int open_flags(uint32_t fs_flags)
{
	int acc = (fs_flags & FS_O_READ) && (fs_flags & FS_O_WRITE) ? O_RDWR
	        : (fs_flags & FS_O_WRITE) ? O_WRONLY : O_RDONLY;
	return acc | ((fs_flags & FS_O_APPEND) ? O_APPEND : 0);
}

void rt_user_start(int argc, char **argv, char **envp)
{
	(void)argc;
	(void)argv;
	environ = envp;
	if (task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &posix_proc) != KERN_SUCCESS)
		posix_proc = MACH_PORT_NULL;
	if (posix_proc == MACH_PORT_NULL) {
		stdio_init();
		return;         /* not started by exec (a boot module): no descriptors */
	}
	rt_exit_hook = exit_to_exec;
	mach_port_t ports[PROC_NPORTS];
	struct proc_info info;
	if (proc_startup(posix_proc, ports, &info) < 0) {
		/* a server that links lib/posix by mistake ends here too: say so
		 * where a console exists; the parent sees 126 */
		say("starting: my bootstrap port does not answer as exec does (proc_startup failed)");
		proc_exit(posix_proc, 126);
	}
	posix_root = ports[PROC_PORT_ROOT];
	posix_cwd = ports[PROC_PORT_CWD];
	posix_pci = ports[PROC_PORT_PCI];
	for (int fd = 0; fd < PROC_NFD; fd++) {
		mach_port_t port = ports[PROC_PORT_FD0 + fd];
		int kind = info.fd_kind[fd];
		if (port == MACH_PORT_NULL || (kind != PROC_FD_CONSOLE && kind != PROC_FD_FILE)) {
			put_port(port);
			continue;
		}
		fd_table[fd] = ofile_new(kind, port, kind == PROC_FD_CONSOLE ? O_RDWR : open_flags(info.fd_flags[fd]));
		/* a right of its own for what bypasses stdio, even once fd is closed */
		if (kind == PROC_FD_CONSOLE && fd_table[fd] && rt_console == MACH_PORT_NULL &&
		    mach_port_mod_refs(mach_task_self(), port, MACH_PORT_RIGHT_SEND, 1) == KERN_SUCCESS)
			rt_console = port;
	}
	stdio_init();           /* knows now which descriptors are the console */
	rt_vprintf_hook = stdout_vprintf;
	if (posix_cwd == MACH_PORT_NULL && posix_root != MACH_PORT_NULL &&
	    mach_port_mod_refs(mach_task_self(), posix_root, MACH_PORT_RIGHT_SEND, 1) == KERN_SUCCESS)
		posix_cwd = posix_root;
	/* the parent's spawn passes the working directory's path in PWD */
	const char *pwd = getenv("PWD");
	if (posix_cwd != MACH_PORT_NULL)
		cwd_set_path(posix_cwd, pwd && pwd[0] == '/' ? pwd : "/");
}

char *getenv(const char *name)
{
	size_t n = strlen(name);
	for (char **e = environ; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

int pci_port_available(void)
{
	return posix_pci != MACH_PORT_NULL;
}

mach_port_t pci_port(void)
{
	return posix_pci;
}

time_t time(time_t *t)
{
	static mach_port_t host;
	struct time_value now = { 0, 0 };
	if (host == MACH_PORT_NULL)
		host = mach_host_self();
	if (host_get_time(host, &now) != KERN_SUCCESS)
		now.seconds = 0;
	if (t)
		*t = (time_t)now.seconds;
	return (time_t)now.seconds;
}
