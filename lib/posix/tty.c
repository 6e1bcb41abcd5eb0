/* The terminal: descriptors of kind PROC_FD_CONSOLE name the terminal
 * server's port (servers/term), which answers device_read_inband and
 * device_write_inband as the kernel's console does and edits lines itself
 * (canonical mode, echo, ^C), so a read here is one call and returns what
 * the terminal gives: a line, raw bytes, or 0 at the end of input (^D).
 * Writes turn "\n" into "\r\n" (console_write_to): neither the terminal nor
 * the console does output processing.  Under exec --terminal=none the port
 * is the raw console: bytes as typed, no echo. */
#include "posix_impl.h"
#include "mach/rpc_util.h"
#include "mach/device_msgs.h"
#include "term/proto.h"

ssize_t tty_write(mach_port_t console, const char *buf, size_t n)
{
	if (console_write_to(console, buf, n) < 0) {
		errno = EIO;
		return -1;
	}
	return (ssize_t)n;
}

ssize_t tty_read(mach_port_t console, char *buf, size_t n)
{
	if (n == 0)
		return 0;
	vm_size_t got = 0;
	kern_return_t r = device_read_inband(console, 0, 0, n < DEV_INBAND_MAX ? n : DEV_INBAND_MAX,
	                                     buf, &got);
	if (r != KERN_SUCCESS) {
		errno = EIO;
		return -1;
	}
	return (ssize_t)got;
}

/* The terminal port of FD, or MACH_PORT_NULL with errno. */
static mach_port_t term_of(int fd)
{
	struct ofile *f = fd_get(fd);
	if (!f)
		return MACH_PORT_NULL;
	if (f->kind != PROC_FD_CONSOLE) {
		errno = ENOTTY;
		return MACH_PORT_NULL;
	}
	return f->port;
}

/* One terminal call with a word (or none) in and, with OUT, a word back. */
static int term_call(int fd, mach_msg_id_t id, int nin, natural_t in, natural_t *out)
{
	mach_port_t port = term_of(fd);
	if (port == MACH_PORT_NULL)
		return -1;
	union { req1_t in; rep1_t out; } m;
	rpc_head(&m.in.head, port, id, 0);
	m.in.a = w_int(in);
	kern_return_t r = mach_rpc(&m.in.head, nin ? sizeof(req1_t) : sizeof(req0_t), sizeof m,
	                           out ? rpc_reply_int : rpc_reply_ret, out ? 2 : 1, NULL);
	if (r == MIG_BAD_ID) {
		errno = ENOTTY;         /* the raw console: no terminal */
		return -1;
	}
	if (r)
		return posix_fail(-fs_errno(r));
	if (out)
		*out = m.out.a.v;
	return 0;
}

int tcsetpgrp(int fd, pid_t pgrp)
{
	return term_call(fd, ID_TERM_SET_FOREGROUND, 1, (natural_t)pgrp, NULL);
}

int tty_get_mode(int fd, unsigned *mode)
{
	natural_t m = 0;
	int r = term_call(fd, ID_TERM_GET_MODE, 0, 0, &m);
	*mode = m;
	return r;
}

int tty_set_mode(int fd, unsigned mode)
{
	return term_call(fd, ID_TERM_SET_MODE, 1, mode, NULL);
}
