/* The exec protocol (subsystem 49000): what the exec server answers on each
 * process's port.  A program started by exec finds that port as its
 * TASK_BOOTSTRAP_PORT; through it the program gets its start-up ports,
 * starts and waits for other programs, exits, and asks for the machine to
 * halt.  docs/exec-protocol.md describes it; this is the one definition of
 * its messages (as include/mach/defs.h describes), used by servers/exec
 * and by the user runtime.
 *
 * Errors are errno values (fs/errno.h), as in the file system protocol. */
#ifndef EXEC_PROTO_H
#define EXEC_PROTO_H

#include "mach/kernel_msgs.h"

enum {
	ID_PROC_STARTUP = 49000,  /* -> ports (root, cwd, fds, pci), struct proc_info */
	ID_PROC_EXIT    = 49001,  /* simpleroutine: status; exec ends the task */
	ID_PROC_SPAWN   = 49002,  /* program file port, ports, struct proc_info, argv+envp -> pid */
	ID_PROC_WAIT    = 49003,  /* pid (0: any child) -> pid, status, how */
	ID_PROC_HALT    = 49004,  /* sync, flush and end the machine (through the chain) */
	ID_PROC_PIPE    = 49007,  /* -> a new pipe's read end and write end (pipe/proto.h) */
	/* only from the terminal server exec started (servers/term): */
	ID_PROC_TERM_OPEN = 49005,  /* -> the terminal port's receive right */
	ID_PROC_INTERRUPT = 49006,  /* process group: its processes end, interrupted */
};

#define PROC_NFD 3                /* descriptors 0, 1 and 2 are handed on */
enum { PROC_FD_NONE = 0, PROC_FD_CONSOLE = 1, PROC_FD_FILE = 2, PROC_FD_PIPE = 3 };
/* PROC_INTERRUPTED: ended by the terminal's ^C (status 2, SIGINT's number) */
enum { PROC_EXITED = 0, PROC_KILLED = 1, PROC_INTERRUPTED = 2 };
#define PROC_SIGINT 2
#define PROC_ARGS_MAX 4096        /* argv then envp strings, each NUL-terminated */

/* What travels with start-up and spawn.  fd_kind: PROC_FD_*; fd_flags: the
 * FS_O_* flags a file descriptor was opened with (PROC_FD_FILE; for
 * PROC_FD_PIPE FS_O_READ or FS_O_WRITE, the end it is); pgrp: the
 * process group (in a spawn: 0 the caller's, PROC_PGRP_NEW a new one led by
 * the child, else a group of the caller or of one of its running children). */
struct proc_info {
	uint32_t pid, argc, envc;
	uint32_t fd_kind[PROC_NFD], fd_flags[PROC_NFD];
	uint32_t pgrp;
};
#define PROC_PGRP_NEW 0xffffffffu
_Static_assert(sizeof(struct proc_info) == 40, "struct proc_info is 10 words");
#define PROC_INFO_WORDS 10

/* The ports of a process, in this order in messages; each may be null
 * (PORT_SEND or MACH_PORT_NULL). */
enum { PROC_PORT_ROOT, PROC_PORT_CWD, PROC_PORT_FD0, PROC_PORT_FD1, PROC_PORT_FD2,
       PROC_PORT_PCI, PROC_NPORTS };

/* The PROC_NPORTS ports of a process: one descriptor each, PORT_SEND or
 * null; a handler gets them as the array they lie in. */
#define MSGK_PROC_PORTS_SPEC(n)    MSGK_SEND_OR_NULL_SPEC(1), MSGK_SEND_OR_NULL_SPEC(1), \
	MSGK_SEND_OR_NULL_SPEC(1), MSGK_SEND_OR_NULL_SPEC(1), MSGK_SEND_OR_NULL_SPEC(1), \
	MSGK_SEND_OR_NULL_SPEC(1)
#define MSGK_PROC_PORTS_WIRE(n, x) msg_word_t x[n];
#define MSGK_PROC_PORTS_IN(n, x)   const msg_word_t *x;
#define MSGK_PROC_PORTS_GET(n, a)  ((const msg_word_t *)((const char *)(a)->data - sizeof(mach_msg_type_t)))
_Static_assert(PROC_NPORTS == 6, "MSGK_PROC_PORTS_SPEC lists each port");

#define PROC_ROUTINES(R) \
	R(proc_startup, ID_PROC_STARTUP, ROUTINE) \
	R(proc_exit, ID_PROC_EXIT, SIMPLE) \
	R(proc_spawn, ID_PROC_SPAWN, ROUTINE) \
	R(proc_wait, ID_PROC_WAIT, ROUTINE) \
	R(proc_halt, ID_PROC_HALT, ROUTINE) \
	R(proc_term_open, ID_PROC_TERM_OPEN, ROUTINE) \
	R(proc_interrupt, ID_PROC_INTERRUPT, ROUTINE) \
	R(proc_pipe, ID_PROC_PIPE, ROUTINE)
#define proc_startup_REQUEST(F)
#define proc_startup_REPLY(F)    F(PROC_PORTS, PROC_NPORTS, port) F(RECORD, struct proc_info, info)
#define proc_exit_REQUEST(F)     F(INT32, 1, status)
#define proc_exit_REPLY(F)
/* program: an fs node opened for reading; args: argv then envp */
#define proc_spawn_REQUEST(F)    F(SEND, 1, program) F(PROC_PORTS, PROC_NPORTS, port) \
	F(RECORD, struct proc_info, info) F(LCHARS, PROC_ARGS_MAX, args)
#define proc_spawn_REPLY(F)      F(INT32, 1, pid)
/* pid: a child, 0 for any */
#define proc_wait_REQUEST(F)     F(INT32, 1, pid)
#define proc_wait_REPLY(F)       F(INT32, 1, pid) F(INT32, 1, status) F(INT32, 1, how)
#define proc_halt_REQUEST(F)
#define proc_halt_REPLY(F)
#define proc_term_open_REQUEST(F)
#define proc_term_open_REPLY(F)  F(RECEIVE, 1, term)
#define proc_interrupt_REQUEST(F) F(INT32, 1, pgrp)
#define proc_interrupt_REPLY(F)
/* a new pipe's two ends (pipe/proto.h) */
#define proc_pipe_REQUEST(F)
#define proc_pipe_REPLY(F)       F(SEND, 1, read_end) F(SEND, 1, write_end)
MSG_DECLARE(PROC_ROUTINES)
MSG_LAYOUT(proc_startup_reply_t, 124);
MSG_LAYOUT(proc_spawn_request_t, 136 + PROC_ARGS_MAX);
MSG_LAYOUT(proc_wait_reply_t, 56);
MSG_LAYOUT(proc_term_open_reply_t, 40);

MSG_LAYOUT(proc_pipe_reply_t, 48);

#endif
