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

/* What a terminal call failed with: ENOTTY from the raw console, which
 * answers no terminal routine. */
static int term_fail(kern_return_t r)
{
	if (r == MIG_BAD_ID) {
		errno = ENOTTY;
		return -1;
	}
	return posix_fail(fs_error(r));
}

int tcsetpgrp(int fd, pid_t pgrp)
{
	mach_port_t port = term_of(fd);
	if (port == MACH_PORT_NULL)
		return -1;
	union { term_set_foreground_request_t in; term_set_foreground_reply_t out; } m;
	m.in.pgrp = w_int((natural_t)pgrp);
	kern_return_t r = MSG_CALL(port, term_set_foreground, m, NULL);
	return r ? term_fail(r) : 0;
}

int tty_get_mode(int fd, unsigned *mode)
{
	*mode = 0;
	mach_port_t port = term_of(fd);
	if (port == MACH_PORT_NULL)
		return -1;
	union { term_get_mode_request_t in; term_get_mode_reply_t out; } m;
	kern_return_t r = MSG_CALL(port, term_get_mode, m, NULL);
	if (r)
		return term_fail(r);
	*mode = m.out.mode.v;
	return 0;
}

int tty_set_mode(int fd, unsigned mode)
{
	mach_port_t port = term_of(fd);
	if (port == MACH_PORT_NULL)
		return -1;
	union { term_set_mode_request_t in; term_set_mode_reply_t out; } m;
	m.in.mode = w_int(mode);
	kern_return_t r = MSG_CALL(port, term_set_mode, m, NULL);
	return r ? term_fail(r) : 0;
}
