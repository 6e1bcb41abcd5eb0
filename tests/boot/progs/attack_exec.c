/* attack_exec: a hostile program, started from the shell like any other
 * (tests/boot/hostile.scenario), that tries to stop exec:
 *   attack_exec exception  forged exception_raise messages on exec's
 *                          exception port (every program can fetch it)
 *                          whose "thread" is a port this program never
 *                          answers, exec's exception port itself, or this
 *                          program's process port; each must be refused at
 *                          once, and this program must live on.
 *   attack_exec stall      a child (attack_exec spawns) asks exec for three
 *                          programs on ports that never answer: one this
 *                          child never reads and one whose queue it keeps
 *                          full; meanwhile this program, another parent,
 *                          must get /bin/true run at once, and the child's
 *                          spawns must fail after exec's time-out.
 *   attack_exec waits      1000 waits for a child whose reply ports die at
 *                          once; then a real wait gets the child's status.
 *   attack_exec pipes      1000 writes sent to a pipe nobody reads without
 *                          waiting for the answers, 100 reads queued on an
 *                          empty one, and pipes made until exec refuses:
 *                          exec holds a bounded amount for each (EBUSY,
 *                          ENFILE), and once this program lets go of its
 *                          pipes, a new pipe carries bytes again.
 * One line per attack, "ok" or "WRONG"; exit status 0 when all held. */
#include "posix/posix.h"
#include "exec/client.h"
#include "pipe/proto.h"
#include "mach/rpc_util.h"
#include "rt/thread.h"

extern mach_port_t posix_proc;

static unsigned now_ms(void)
{
	struct time_value t;
	host_get_time(mach_host_self(), &t);
	return (unsigned)t.seconds * 1000u + (unsigned)t.microseconds / 1000u;
}

static mach_port_t new_port(void)
{
	mach_port_t p = MACH_PORT_NULL;
	mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p);
	return p;
}

/* --- forged exceptions ------------------------------------------------------- */

/* exception_raise to EXC naming our task and THREAD (made from our receive
 * right when MAKE); the answer's code, waiting at most 20 s. */
static kern_return_t raise_forged(mach_port_t exc, mach_port_t thread, int make)
{
	union { exception_raise_request_t in; mig_reply_header_t out; } m;
	rpc_head(&m.in.head, exc, ID_EXCEPTION_RAISE, 1);
	m.in.thread = w_port(thread, make ? MACH_MSG_TYPE_MAKE_SEND : MACH_MSG_TYPE_COPY_SEND);
	m.in.task = w_port(mach_task_self(), MACH_MSG_TYPE_COPY_SEND);
	m.in.exception = w_int(1);          /* EXC_BAD_ACCESS */
	m.in.code = w_int(2);
	m.in.subcode = w_int(0x1000);
	mach_rpc_set_timeout(20000);
	kern_return_t r = mach_rpc(&m.in.head, sizeof m.in, sizeof m, rpc_reply_ret, 1, NULL);
	mach_rpc_set_timeout(0);
	return r;
}

static int exceptions(void)
{
	mach_port_t exc = MACH_PORT_NULL, mine = new_port();
	task_get_special_port(mach_task_self(), TASK_EXCEPTION_PORT, &exc);
	struct { const char *what; mach_port_t port; int make; } t[] = {
		{ "a port I never answer", mine, 1 },
		{ "exec's exception port", exc, 0 },
		{ "my process port", posix_proc, 0 },
	};
	int wrong = 0;
	for (unsigned i = 0; i < sizeof t / sizeof t[0]; i++) {
		unsigned t0 = now_ms();
		kern_return_t r = raise_forged(exc, t[i].port, t[i].make);
		int ok = r != KERN_SUCCESS && r != MACH_RCV_TIMED_OUT && r != MACH_SEND_INVALID_DEST;
		wrong += !ok;
		printf("attack_exec: a forged exception_raise whose thread is %s: %s after %u ms: %s\n", t[i].what,
		       mach_error_name(r), now_ms() - t0, ok ? "ok" : "WRONG");
		fflush(stdout);
	}
	int got, status, how, e = proc_wait(posix_proc, 0, &got, &status, &how);
	printf("attack_exec: exec still serves me afterwards (wait: %s): %s\n", strerror(-e),
	       e == -FS_ECHILD ? "ok" : "WRONG");
	return wrong + (e != -FS_ECHILD);
}

/* --- spawns of ports that never answer --------------------------------------- */

#define STALLS 3

static struct stall {
	mach_port_t program;
	int e;
	unsigned ms;
	volatile int done;
} stalls[STALLS];

static void stall_spawn(void *arg)
{
	struct stall *s = arg;
	static const mach_port_t none[PROC_NPORTS];
	static const struct proc_info info;
	static char *const argv[] = { "silent", NULL }, *const envp[] = { NULL };
	int pid;
	unsigned t0 = now_ms();
	s->e = proc_spawn(posix_proc, s->program, none, &info, argv, envp, &pid);
	s->ms = now_ms() - t0;
	s->done = 1;
}

/* The child: three spawns at once, two on a port it never reads, one on a
 * port whose queue it has filled. */
static int stall_spawns(void)
{
	mach_port_t silent = new_port(), full = new_port();
	mach_port_insert_right(mach_task_self(), silent, silent, MACH_MSG_TYPE_MAKE_SEND);
	mach_port_insert_right(mach_task_self(), full, full, MACH_MSG_TYPE_MAKE_SEND);
	for (int i = 0; i < 64; i++) {
		req0_t m;
		rpc_head(&m.head, full, 1, 0);
		if (mach_msg(&m.head, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof m, 0, MACH_PORT_NULL, 0, 0))
			break;
	}
	for (int i = 0; i < STALLS; i++) {
		stalls[i].program = i == STALLS - 1 ? full : silent;
		if (thread_spawn(stall_spawn, &stalls[i])) {
			printf("attack_exec: cannot start a thread: WRONG\n");
			return 1;
		}
	}
	printf("attack_exec: %d spawns of ports that never answer sent\n", STALLS);
	fflush(stdout);
	int wrong = 0;
	for (int i = 0; i < STALLS; i++) {
		for (int k = 0; k < 1200 && !stalls[i].done; k++)
			sleep_ms(100);
		int ok = stalls[i].done && stalls[i].e < 0;
		wrong += !ok;
		printf("attack_exec: spawn %d of a port that never answers (%s): %s after %u ms: %s\n", i + 1,
		       i == STALLS - 1 ? "its queue full" : "never read", stalls[i].done ? strerror(-stalls[i].e) : "no answer",
		       stalls[i].ms, ok ? "ok" : "WRONG");
		fflush(stdout);
	}
	return wrong;
}

static int stall(void)
{
	static char *const child_argv[] = { "attack_exec", "spawns", NULL }, *const true_argv[] = { "true", NULL };
	pid_t child = spawn("/bin/attack_exec", child_argv, environ);
	if (child < 0) {
		printf("attack_exec: cannot start my child: %s: WRONG\n", strerror(errno));
		return 1;
	}
	sleep_ms(2000);                     /* its spawns are in exec's hands by now */
	unsigned t0 = now_ms();
	pid_t t = spawn("/bin/true", true_argv, environ);
	int status = -1;
	if (t > 0)
		waitpid(t, &status, 0);
	unsigned ms = now_ms() - t0;
	int ok = t > 0 && status == 0 && ms < 8000;
	printf("attack_exec: another parent's /bin/true ran in %u ms while those spawns stall (status %d): %s\n",
	       ms, status, ok ? "ok" : "WRONG");
	fflush(stdout);
	int cs = -1;
	waitpid(child, &cs, 0);
	return !ok + (cs != 0);
}

/* --- waits whose callers go away ---------------------------------------------- */

#define WAITS 1000

static int waits(void)
{
	static char *const argv[] = { "sleep", "3", NULL };
	pid_t child = spawn("/bin/sleep", argv, environ);
	if (child < 0) {
		printf("attack_exec: cannot start /bin/sleep: %s: WRONG\n", strerror(errno));
		return 1;
	}
	/* the waits are queued at exec while their reply ports live (a wait
	 * whose reply port is already dead when exec receives it has nobody to
	 * answer and is dropped at once), then the ports die */
	static mach_port_t reply[WAITS];
	int sent = 0, got0, st0, how0;
	for (int i = 0; i < WAITS; i++) {
		reply[i] = new_port();
		proc_wait_request_t m;
		rpc_head(&m.head, posix_proc, ID_PROC_WAIT, 0);
		m.head.msgh_bits |= MACH_MSGH_BITS(0, MACH_MSG_TYPE_MAKE_SEND_ONCE);
		m.head.msgh_local_port = reply[i];
		m.head.msgh_size = sizeof m;
		m.pid = w_int((natural_t)child);
		sent += mach_msg(&m.head, MACH_SEND_MSG, sizeof m, 0, MACH_PORT_NULL, 0, 0) == MACH_MSG_SUCCESS;
	}
	proc_wait(posix_proc, -1, &got0, &st0, &how0);     /* answered after all of them */
	for (int i = 0; i < WAITS; i++)
		mach_port_mod_refs(mach_task_self(), reply[i], MACH_PORT_RIGHT_RECEIVE, -1);
	int status = -1;
	pid_t got = waitpid(child, &status, 0);
	int ok = sent == WAITS && got == child && status == 0;
	printf("attack_exec: %d waits whose reply ports died, then my wait: pid %d status %d: %s\n", sent,
	       (int)got, status, ok ? "ok" : "WRONG");
	return !ok;
}

/* --- pipes: what exec holds for a client that never waits ------------------- */

#define FLOOD 1000

/* Sends one inline write (WRITE) or read of 1 byte to END, answered on REPLY. */
static int send_async(mach_port_t end, mach_port_t reply, int write)
{
	union { device_write_inband_request_t w; device_read_inband_request_t r; } m;
	mach_msg_size_t size = sizeof m.r;
	if (write) {
		rpc_head(&m.w.head, end, ID_DEVICE_WRITE_INBAND, 0);
		m.w.mode = w_int(0);
		m.w.recnum = w_int(0);
		m.w.data_type = MSGT_INLINE(MACH_MSG_TYPE_CHAR, 8, 1);
		m.w.data[0] = 'x';
		size = offsetof(device_write_inband_request_t, data) + MSG_ALIGN(1);
	} else {
		rpc_head(&m.r.head, end, ID_DEVICE_READ_INBAND, 0);
		m.r.mode = w_int(0);
		m.r.recnum = w_int(0);
		m.r.bytes = w_int(1);
	}
	m.w.head.msgh_bits |= MACH_MSGH_BITS(0, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m.w.head.msgh_local_port = reply;
	m.w.head.msgh_size = size;
	return mach_msg(&m.w.head, MACH_SEND_MSG, size, 0, MACH_PORT_NULL, 0, 0) == MACH_MSG_SUCCESS;
}

/* Counts the answers on REPLY until none comes for a second: OK, BUSY. */
static void count_answers(mach_port_t reply, int *ok, int *busy)
{
	*ok = *busy = 0;
	for (;;) {
		union { mig_reply_header_t h; char buf[512]; } m;
		if (mach_msg(&m.h.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, reply, 1000, 0))
			return;
		*ok += m.h.ret == KERN_SUCCESS;
		*busy += m.h.ret == FS_EBUSY;
	}
}

static int pipes(void)
{
	int wrong = 0, ok, busy, sent = 0;
	mach_port_t rd, wr, reply = new_port();
	if (proc_pipe(posix_proc, &rd, &wr)) {
		printf("attack_exec: cannot make a pipe: WRONG\n");
		return 1;
	}
	for (int i = 0; i < FLOOD; i++)
		sent += send_async(wr, reply, 1);
	count_answers(reply, &ok, &busy);
	int held = sent == FLOOD && ok <= (int)PIPE_CHUNKS_HELD && busy >= FLOOD - (int)PIPE_CHUNKS_MAX;
	printf("attack_exec: %d writes to a pipe nobody reads: %d answered, %d refused busy: %s\n", sent, ok,
	       busy, held ? "ok" : "WRONG");
	wrong += !held;
	mach_port_deallocate(mach_task_self(), rd);
	mach_port_deallocate(mach_task_self(), wr);

	mach_port_t rd2, wr2;
	sent = 0;
	if (proc_pipe(posix_proc, &rd2, &wr2) == 0)
		for (int i = 0; i < 100; i++)
			sent += send_async(rd2, reply, 0);
	count_answers(reply, &ok, &busy);
	held = sent == 100 && ok == 0 && busy >= 100 - (int)PIPE_READS_MAX;
	printf("attack_exec: 100 reads of an empty pipe: %d refused busy: %s\n", busy, held ? "ok" : "WRONG");
	wrong += !held;

	static mach_port_t ends[2 * PIPES_MAX + 2];
	int made = 0, e = 0;
	while (made <= (int)PIPES_MAX && (e = proc_pipe(posix_proc, &ends[2 * made], &ends[2 * made + 1])) == 0)
		made++;
	held = made <= (int)PIPES_MAX && e == -ENFILE;
	printf("attack_exec: pipes made until exec refused: %d, then %s: %s\n", made, strerror(-e),
	       held ? "ok" : "WRONG");
	wrong += !held;
	for (int i = 0; i < 2 * made; i++)
		mach_port_deallocate(mach_task_self(), ends[i]);
	mach_port_deallocate(mach_task_self(), rd2);
	mach_port_deallocate(mach_task_self(), wr2);

	/* the no-senders notifications free them; a new pipe works again */
	int fd[2] = { -1, -1 };
	for (int tries = 0; tries < 50 && pipe(fd) != 0; tries++)
		sleep_ms(100);
	char c = 0;
	held = fd[0] >= 0 && write(fd[1], "y", 1) == 1 && read(fd[0], &c, 1) == 1 && c == 'y';
	printf("attack_exec: a new pipe afterwards carries a byte: %s\n", held ? "ok" : "WRONG");
	return wrong + !held;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int wrong;
	if (strcmp(mode, "exception") == 0)
		wrong = exceptions();
	else if (strcmp(mode, "stall") == 0)
		wrong = stall();
	else if (strcmp(mode, "spawns") == 0)
		wrong = stall_spawns();
	else if (strcmp(mode, "waits") == 0)
		wrong = waits();
	else if (strcmp(mode, "pipes") == 0)
		wrong = pipes();
	else {
		printf("usage: attack_exec exception|stall|waits|pipes\n");
		return 2;
	}
	printf("attack_exec: %s: %s\n", mode, wrong ? "WRONG" : "held");
	return wrong != 0;
}
