/* Client calls of the exec protocol (include/exec/client.h): one mach_rpc
 * each, every reply checked against its definition, return codes turned into
 * negative errno values as the file system client does. */
#include "exec/client.h"
#include "fs/client.h"
#include "mach/rpc_util.h"
#include "rt/rt.h"

int proc_startup(mach_port_t proc, mach_port_t ports[PROC_NPORTS], struct proc_info *info)
{
	union { proc_startup_request_t in; proc_startup_reply_t out; } m;
	kern_return_t r = MSG_CALL(proc, proc_startup, m, NULL);
	for (int i = 0; i < PROC_NPORTS; i++)
		ports[i] = r ? MACH_PORT_NULL : m.out.port[i].v;
	if (r == KERN_SUCCESS)
		*info = m.out.info;
	return fs_error(r);
}

void proc_exit(mach_port_t proc, int status)
{
	union { proc_exit_request_t in; } m;
	m.in.status = w_int((natural_t)status);
	/* exec ends the task when it has the message; a task that ended itself
	 * first could be taken for one that was killed */
	if (MSG_CALL(proc, proc_exit, m, NULL) == MACH_MSG_SUCCESS)
		sleep_ms(10000);
	for (;;) {
		task_terminate(mach_task_self());
		swtch();
	}
}

/* Appends the strings of V to the LEN bytes at BUF; -1 when they do not fit. */
static int pack(char *buf, size_t *len, char *const v[], uint32_t *n)
{
	*n = 0;
	for (; v && v[*n]; (*n)++) {
		size_t k = strlen(v[*n]) + 1;
		if (k > PROC_ARGS_MAX - *len)
			return -1;
		memcpy(buf + *len, v[*n], k);
		*len += k;
	}
	return 0;
}

int proc_spawn(mach_port_t proc, mach_port_t program, const mach_port_t ports[PROC_NPORTS],
               const struct proc_info *info, char *const argv[], char *const envp[], int *pid)
{
	union { proc_spawn_request_t in; proc_spawn_reply_t out; } m;
	size_t len = 0;
	*pid = 0;
	m.in.info = *info;
	m.in.info.pid = 0;
	if (pack(m.in.args, &len, argv, &m.in.info.argc) || pack(m.in.args, &len, envp, &m.in.info.envc))
		return -FS_E2BIG;
	memset(m.in.args + len, 0, MSG_ALIGN(len) - len);
	m.in.program = w_port(program, MACH_MSG_TYPE_COPY_SEND);
	for (int i = 0; i < PROC_NPORTS; i++)
		m.in.port[i] = w_port(ports[i], MACH_MSG_TYPE_COPY_SEND);
	m.in.info_type = MSGT_INLINE(MACH_MSG_TYPE_INTEGER_32, 32, PROC_INFO_WORDS);
	m.in.args_type = MSGT_LONG(MACH_MSG_TYPE_CHAR, 8, len);
	kern_return_t r = msg_call(proc, &proc_spawn_routine, &m.in.head,
	                           offsetof(proc_spawn_request_t, args) + MSG_ALIGN(len), sizeof m, NULL);
	if (r == KERN_SUCCESS)
		*pid = (int)m.out.pid.v;
	return fs_error(r);
}

int proc_wait(mach_port_t proc, int pid, int *got, int *status, int *how)
{
	union { proc_wait_request_t in; proc_wait_reply_t out; } m;
	m.in.pid = w_int((natural_t)pid);
	kern_return_t r = MSG_CALL(proc, proc_wait, m, NULL);
	if (r == KERN_SUCCESS) {
		*got = (int)m.out.pid.v;
		*status = (int)m.out.status.v;
		*how = (int)m.out.how.v;
	}
	return fs_error(r);
}

int proc_halt(mach_port_t proc)
{
	union { proc_halt_request_t in; proc_halt_reply_t out; } m;
	return fs_error(MSG_CALL(proc, proc_halt, m, NULL));
}

int proc_term_open(mach_port_t proc, mach_port_t *term)
{
	union { proc_term_open_request_t in; proc_term_open_reply_t out; } m;
	kern_return_t r = MSG_CALL(proc, proc_term_open, m, NULL);
	*term = r ? MACH_PORT_NULL : m.out.term.v;
	return fs_error(r);
}

int proc_interrupt(mach_port_t proc, int pgrp)
{
	union { proc_interrupt_request_t in; proc_interrupt_reply_t out; } m;
	m.in.pgrp = w_int((natural_t)pgrp);
	return fs_error(MSG_CALL(proc, proc_interrupt, m, NULL));
}

int proc_pipe(mach_port_t proc, mach_port_t *read_end, mach_port_t *write_end)
{
	union { proc_pipe_request_t in; proc_pipe_reply_t out; } m;
	kern_return_t r = MSG_CALL(proc, proc_pipe, m, NULL);
	*read_end = r ? MACH_PORT_NULL : m.out.read_end.v;
	*write_end = r ? MACH_PORT_NULL : m.out.write_end.v;
	return fs_error(r);
}
