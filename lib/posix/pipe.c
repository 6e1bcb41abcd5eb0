/* Pipes: descriptors of kind PROC_FD_PIPE name one end of a pipe that
 * exec's pipe thread serves (pipe/proto.h, docs/pipe-protocol.md).  Reads
 * and writes are the device protocol's calls: out of line above
 * DEV_INBAND_MAX bytes, inline below.  A write to a pipe with no reader
 * ends the program as POSIX's default SIGPIPE does: quietly, with status
 * 128 + SIGPIPE, its stdio buffers not written. */
#include "posix_impl.h"
#include "mach/device_msgs.h"
#include "pipe/proto.h"

int pipe(int fds[2])
{
	mach_port_t rd, wr;
	if (posix_proc == MACH_PORT_NULL) {
		errno = ENOSYS;
		return -1;
	}
	int r = proc_pipe(posix_proc, &rd, &wr);
	if (r < 0)
		return posix_fail(r);
	int a = fd_new(PROC_FD_PIPE, rd, O_RDONLY);
	if (a < 0) {
		put_port(wr);
		return -1;
	}
	int b = fd_new(PROC_FD_PIPE, wr, O_WRONLY);
	if (b < 0) {
		close(a);
		return -1;
	}
	fds[0] = a;
	fds[1] = b;
	return 0;
}

ssize_t pipe_read(mach_port_t port, char *buf, size_t n)
{
	vm_size_t got = 0;
	kern_return_t r;
	if (n == 0)
		return 0;
	if (n <= DEV_INBAND_MAX) {
		r = device_read_inband(port, 0, 0, n, buf, &got);
	} else {
		vm_offset_t data = 0;
		r = device_read(port, 0, 0, n < PIPE_READ_MAX ? n : PIPE_READ_MAX, &data, &got);
		if (r == KERN_SUCCESS && got > 0) {
			if (got <= n)
				memcpy(buf, (const void *)(uintptr_t)data, got);
			else
				r = MIG_ARRAY_TOO_LARGE;        /* a pipe never sends more than asked */
			vm_deallocate(mach_task_self(), data, got);
		}
	}
	if (r != KERN_SUCCESS)
		return posix_fail(fs_error(r));
	return (ssize_t)got;
}

ssize_t pipe_write(mach_port_t port, const char *buf, size_t n)
{
	size_t done = 0;
	while (done < n) {
		size_t k = n - done < PIPE_WRITE_MAX ? n - done : PIPE_WRITE_MAX;
		vm_size_t wrote = 0;
		int e = fs_error(k <= DEV_INBAND_MAX ? device_write_inband(port, 0, 0, buf + done, k, &wrote)
		                                     : device_write(port, 0, 0, buf + done, k, &wrote));
		if (e == -FS_EPIPE)
			proc_exit(posix_proc, 128 + SIGPIPE);       /* SIGPIPE's default */
		if (e)
			return done ? (ssize_t)done : posix_fail(e);
		if (wrote == 0)
			break;
		done += wrote;
	}
	return (ssize_t)done;
}
