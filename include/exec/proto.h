/* The exec protocol (subsystem 49000): what the exec server answers on each
 * process's port.  A program started by exec finds that port as its
 * TASK_BOOTSTRAP_PORT; through it the program gets its start-up ports,
 * starts and waits for other programs, exits, and asks for the machine to
 * halt.  docs/exec-protocol.md describes it; this is the one definition of
 * its messages, used by servers/exec and by the user runtime.
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

typedef req0_t proc_startup_request_t;
typedef struct {
	mig_reply_header_t h;
	msg_port_t port[PROC_NPORTS];
	mach_msg_type_t info_type;                /* INTEGER_32 x PROC_INFO_WORDS */
	struct proc_info info;
} proc_startup_reply_t;
MSG_LAYOUT(proc_startup_reply_t, 124);

typedef req1_t proc_exit_request_t;               /* status */

typedef struct {
	mach_msg_header_t head;
	msg_port_t program;                       /* an fs node opened for reading */
	msg_port_t port[PROC_NPORTS];
	mach_msg_type_t info_type;                /* INTEGER_32 x PROC_INFO_WORDS */
	struct proc_info info;
	mach_msg_type_long_t args_type;           /* CHAR, 0..PROC_ARGS_MAX */
	char args[PROC_ARGS_MAX];
} proc_spawn_request_t;
MSG_LAYOUT(proc_spawn_request_t, 136 + PROC_ARGS_MAX);
typedef rep1_t proc_spawn_reply_t;                /* pid */

typedef req1_t proc_wait_request_t;               /* pid, 0 for any child */
typedef struct {
	mig_reply_header_t h;
	msg_word_t pid, status, how;
} proc_wait_reply_t;
MSG_LAYOUT(proc_wait_reply_t, 56);

typedef req0_t proc_halt_request_t;

typedef req0_t proc_term_open_request_t;
typedef struct {
	mig_reply_header_t h;
	msg_port_t term;                          /* PORT_RECEIVE */
} proc_term_open_reply_t;
MSG_LAYOUT(proc_term_open_reply_t, 40);
typedef req1_t proc_interrupt_request_t;          /* process group */

typedef req0_t proc_pipe_request_t;
typedef struct {
	mig_reply_header_t h;
	msg_port_t read_end, write_end;           /* PORT_SEND each */
} proc_pipe_reply_t;
MSG_LAYOUT(proc_pipe_reply_t, 48);

#endif
