/* exectest: /sbin/init of tests/boot/exec.scenario.  Exec starts it as
 * pid 1; it checks what it was started with, then spawns /bin/exechild in
 * its modes and waits for each (exit statuses computed from the arguments,
 * a fault, a task that ends without exiting, the rights a child holds), and
 * files exec must refuse; then halts the machine through exec.  It uses the
 * exec and file system clients directly, not the POSIX runtime. */
#include "exec/client.h"
#include "fs/client.h"
#include "mach/mach.h"
#include "mach/rpc_util.h"
#include "pci/client.h"
#include "rt/rt.h"
#include "rt/thread.h"

static mach_port_t proc, ports[PROC_NPORTS];
static struct proc_info info;
static int checks, failed;

__attribute__((format(printf, 2, 3)))
static void check(int ok, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	checks++;
	if (!ok) {
		failed++;
		say("FAIL: %s", buf);
	}
}

static int spawn(const char *path, char *const argv[], char *const envp[], int *pid)
{
	mach_port_t program;
	int e = fs_lookup(ports[PROC_PORT_ROOT], path, FS_O_READ, 0, &program);
	if (e)
		return e;
	struct proc_info in = info;
	e = proc_spawn(proc, program, ports, &in, argv, envp, pid);
	mach_port_deallocate(mach_task_self(), program);
	return e;
}

static char *env[] = { "EXECTEST=yes", "HOME=/", NULL };

/* Spawns exechild with ARGV, waits for it; checks how it ended. */
static void run(char *const argv[], int want_how, int want_status)
{
	int pid = 0, got = 0, status = -1, how = -1;
	int e = spawn("/bin/exechild", argv, env, &pid);
	check(e == 0 && pid > 1, "spawn exechild %s: %d, pid %d", argv[1], e, pid);
	if (e)
		return;
	e = proc_wait(proc, pid, &got, &status, &how);
	check(e == 0 && got == pid && how == want_how && status == want_status,
	      "exechild %s (pid %d): wait %d, pid %d, how %d, status %d; want how %d, status %d",
	      argv[1], pid, e, got, how, status, want_how, want_status);
}

static void started(int argc, char **argv, char **envp)
{
	mach_port_t boot;
	check(task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &boot) == 0 && boot == proc,
	      "my bootstrap port is my process port");
	check(info.pid == 1 && info.argc == 1 && info.envc == 1, "pid %u, argc %u, envc %u",
	      (unsigned)info.pid, (unsigned)info.argc, (unsigned)info.envc);
	check(argc == 1 && strcmp(argv[0], "init") == 0 && argv[1] == NULL, "argv: %d, %s", argc, argv[0]);
	check(envp[0] && strcmp(envp[0], "PATH=/bin") == 0 && envp[1] == NULL, "envp[0] %s", envp[0]);
	for (int fd = 0; fd < PROC_NFD; fd++)
		check(info.fd_kind[fd] == PROC_FD_CONSOLE && ports[PROC_PORT_FD0 + fd] == ports[PROC_PORT_FD1],
		      "fd %d: kind %u, port %u", fd, (unsigned)info.fd_kind[fd], (unsigned)ports[PROC_PORT_FD0 + fd]);
	struct fs_stat st;
	check(fs_stat(ports[PROC_PORT_ROOT], &st) == 0 && st.ino == 2 && ports[PROC_PORT_CWD] == ports[PROC_PORT_ROOT],
	      "root and working directory: the root directory (inode %u)", (unsigned)st.ino);
	/* the PCI port lists the functions and opens none */
	static struct pci_wire_func f[PCI_LIST_MAX];
	unsigned total = 0;
	mach_port_t fn;
	check(pci_list(ports[PROC_PORT_PCI], f, PCI_LIST_MAX, &total) == 0 && total >= 4,
	      "the PCI port lists %u functions", total);
	check(pci_open_match(ports[PROC_PORT_PCI], 0x010000, 0xff0000, 0x1af4, 0x1001, 0, &fn) == KERN_NO_ACCESS,
	      "the PCI port opens no function");
	say("started as pid %u by exec: argv %s, environment %s, the console on descriptors 0-2",
	    (unsigned)info.pid, argv[0], envp[0]);
}

static volatile int other_pid, other_e, other_got, other_status, other_done;

static void other_wait(void *arg)
{
	int got = 0, status = 0, how;
	(void)arg;
	other_e = proc_wait(proc, other_pid, &got, &status, &how);
	other_got = got;
	other_status = status;
	other_done = 1;
}

static void children(void)
{
	run((char *[]){ "exechild", "sum", "12", "30", NULL }, PROC_EXITED, 242);
	/* the child ends before the wait (an answer at once) and after it (an answer later) */
	int pid = 0, got, status, how;
	check(spawn("/bin/exechild", (char *[]){ "exechild", "sum", "7", NULL }, env, &pid) == 0, "spawn sum 7");
	sleep_ms(2000);
	check(proc_wait(proc, pid, &got, &status, &how) == 0 && got == pid && status == 207,
	      "wait for an ended child: pid %d status %d", got, status);
	run((char *[]){ "exechild", "sleep", "1500", "7", NULL }, PROC_EXITED, 7);
	/* any child: two of them, in either order, then none */
	int a = 0, b = 0, seen = 0;
	spawn("/bin/exechild", (char *[]){ "exechild", "sleep", "800", "3", NULL }, env, &a);
	spawn("/bin/exechild", (char *[]){ "exechild", "sum", "5", NULL }, env, &b);
	for (int i = 0; i < 2; i++) {
		int e = proc_wait(proc, 0, &got, &status, &how);
		if (e == 0 && got == a && status == 3)
			seen |= 1;
		else if (e == 0 && got == b && status == 205)
			seen |= 2;
	}
	check(a > 0 && b > 0 && a != b && seen == 3, "wait for any child: pids %d %d, seen %d", a, b, seen);
	check(proc_wait(proc, 0, &got, &status, &how) == -FS_ECHILD, "no children left: ECHILD");
	/* two waits for one child, one from another thread: one gets it, the other ECHILD */
	check(spawn("/bin/exechild", (char *[]){ "exechild", "sleep", "1000", "9", NULL }, env, &pid) == 0,
	      "spawn sleep 1000 9");
	other_pid = pid;
	check(thread_spawn(other_wait, NULL) == 0, "a second thread");
	int e = proc_wait(proc, pid, &got, &status, &how);
	for (int i = 0; i < 100 && !other_done; i++)
		sleep_ms(100);
	check(other_done && ((e == 0 && got == pid && status == 9 && other_e == -FS_ECHILD)
	                     || (e == -FS_ECHILD && other_e == 0 && other_got == pid && other_status == 9)),
	      "two waits for pid %d: %d (pid %d, status %d) and %d (pid %d, status %d)",
	      pid, e, got, status, other_e, other_got, other_status);
	check(proc_wait(proc, 4242, &got, &status, &how) == -FS_ECHILD, "not my child: ECHILD");
	check(proc_wait(proc, 1, &got, &status, &how) == -FS_ECHILD, "myself: ECHILD");
	say("exit statuses and waits: as expected");
}

static void endings(void)
{
	run((char *[]){ "exechild", "fault", NULL }, PROC_KILLED, EXC_BAD_ACCESS);
	run((char *[]){ "exechild", "vanish", NULL }, PROC_KILLED, 0);
	run((char *[]){ "exechild", "authority", NULL }, PROC_EXITED, 0);
}

/* A spawn request built by hand with LEN bytes of ARGS (sent as TYPE), ARGC,
 * ENVC and descriptor 0's KIND: exec must answer WANT. */
static void bad_spawn(const char *what, const char *args, size_t len, unsigned type,
                      unsigned argc, unsigned envc, unsigned kind, kern_return_t want)
{
	static union { proc_spawn_request_t in; proc_spawn_reply_t out; } m;
	mach_port_t program;
	if (fs_lookup(ports[PROC_PORT_ROOT], "/bin/exechild", FS_O_READ, 0, &program))
		program = MACH_PORT_NULL;
	memset(&m, 0, sizeof m);
	rpc_head(&m.in.head, proc, ID_PROC_SPAWN, 1);
	m.in.program = w_port(program, MACH_MSG_TYPE_COPY_SEND);
	for (int i = 0; i < PROC_NPORTS; i++)
		m.in.port[i] = w_port(ports[i], MACH_MSG_TYPE_COPY_SEND);
	m.in.info_type = MSGT_INLINE(MACH_MSG_TYPE_INTEGER_32, 32, PROC_INFO_WORDS);
	m.in.info = info;
	m.in.info.argc = argc;
	m.in.info.envc = envc;
	m.in.info.fd_kind[0] = kind;
	m.in.args_type = MSGT_LONG(type, 8, len);
	memcpy(m.in.args, args, len);
	kern_return_t r = mach_rpc(&m.in.head, offsetof(proc_spawn_request_t, args) + MSG_ALIGN(len),
	                           sizeof m, rpc_reply_int, 2, NULL);
	check(r == want, "%s: %d (%s), want %d", what, r, mach_error_name(r), want);
	mach_port_deallocate(mach_task_self(), program);
}

/* Requests that do not follow the protocol: refused, and exec serves on. */
static void malformed(void)
{
	const unsigned chars = MACH_MSG_TYPE_CHAR, bytes = MACH_MSG_TYPE_INTEGER_8;
	bad_spawn("strings without a final NUL", "exechild", 8, chars, 1, 0, PROC_FD_CONSOLE, FS_EINVAL);
	bad_spawn("fewer strings than argc + envc", "exechild", 9, chars, 1, 1, PROC_FD_CONSOLE, FS_EINVAL);
	bad_spawn("more strings than argc + envc", "a\0b", 4, chars, 1, 0, PROC_FD_CONSOLE, FS_EINVAL);
	bad_spawn("an unknown descriptor kind", "exechild", 9, chars, 1, 0, 9, FS_EINVAL);
	bad_spawn("strings as bytes, not characters", "exechild", 9, bytes, 1, 0, PROC_FD_CONSOLE,
	          MIG_BAD_ARGUMENTS);
	union { req1_t in; rep1_t out; } m;
	rpc_head(&m.in.head, proc, ID_PROC_WAIT, 1);
	m.in.a = w_port(ports[PROC_PORT_ROOT], MACH_MSG_TYPE_COPY_SEND);
	kern_return_t r = mach_rpc(&m.in.head, sizeof m.in, sizeof m, rpc_reply_int, 2, NULL);
	check(r == MIG_BAD_ARGUMENTS, "a wait with a port for the pid: %s", mach_error_name(r));
	rpc_head(&m.in.head, proc, ID_PROC_HALT + 50, 0);
	r = mach_rpc(&m.in.head, sizeof m.in.head, sizeof m, rpc_reply_int, 2, NULL);
	check(r == MIG_BAD_ID, "an unknown routine: %s", mach_error_name(r));
	say("malformed requests: refused");
}

static void refusals(void)
{
	int pid = 0, e;
	char *const one[] = { "badelf", NULL };
	e = spawn("/bin/badelf", one, env, &pid);
	check(e == -FS_ENOEXEC, "a damaged ELF file: %d, want ENOEXEC", e);
	e = spawn("/bin/notelf", (char *[]){ "notelf", NULL }, env, &pid);
	check(e == -FS_ENOEXEC, "a text file: %d, want ENOEXEC", e);
	e = spawn("/README", (char *[]){ "README", NULL }, env, &pid);
	check(e == -FS_EACCES, "a file nobody may execute: %d, want EACCES", e);
	e = spawn("/bin", (char *[]){ "bin", NULL }, env, &pid);
	check(e == -FS_EACCES, "a directory: %d, want EACCES", e);
	e = spawn("/bin/exechild", (char *[]){ NULL }, env, &pid);
	check(e == -FS_EINVAL, "no argv[0]: %d, want EINVAL", e);
	/* not a file at all: exec's own port for this process */
	e = proc_spawn(proc, proc, ports, &info, one, env, &pid);
	check(e < 0, "the process port as the program: %d", e);
	static char big[PROC_ARGS_MAX];
	memset(big, 'x', sizeof big - 1);
	e = spawn("/bin/exechild", (char *[]){ "exechild", big, NULL }, env, &pid);
	check(e == -FS_E2BIG, "arguments over %u bytes: %d, want E2BIG", PROC_ARGS_MAX, e);
	say("refusals: as expected");
}

int main(int argc, char **argv, char **envp)
{
	if (task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &proc) || proc == MACH_PORT_NULL)
		return 1;
	if (proc_startup(proc, ports, &info) < 0)
		proc_exit(proc, 2);
	rt_console = ports[PROC_PORT_FD1];
	started(argc, argv, envp);
	children();
	endings();
	refusals();
	malformed();
	run((char *[]){ "exechild", "sum", "1", NULL }, PROC_EXITED, 201);
	if (failed)
		say("%d of %d checks FAILED", failed, checks);
	else
		say("all %d checks passed; halting", checks);
	int e = proc_halt(proc);
	say("FAIL: proc_halt returned %d", e);
	proc_exit(proc, 3);
}
