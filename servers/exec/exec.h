/* The exec server: what its files share. */
#ifndef EXEC_EXEC_H
#define EXEC_EXEC_H

#include "exec/proto.h"
#include "server/server.h"

/* load.c: a new task holding the program open on PROGRAM (an fs node), its
 * stack built from ARGS (ARGC then ENVC NUL-terminated strings, LEN bytes)
 * as the kernel builds it for boot tasks, and one thread, suspended, about
 * to run the program's entry point.  Returns 0 with *TASK and *THREAD (send
 * rights), or a negative errno value after printing a line that names NAME
 * and the reason (-FS_ENOEXEC: not a program this system runs). */
int load_program(mach_port_t program, const char *name, const char *args, size_t len,
                 unsigned argc, unsigned envc, mach_port_t *task, mach_port_t *thread);

/* image.c: writes SIZE bytes of pages at BUF (a vm_allocate'd buffer,
 * which it takes) at START in TASK; when a region of the same address and
 * bytes was written before, from that region's kept pages instead, so
 * that starts of one program share the pages of its unchanged code. */
kern_return_t image_write(mach_port_t task, vm_offset_t start, void *buf, vm_size_t size);

/* proc.c: the process table and the exec protocol. */
/* What a new process is made of.  Every right here (the program and the
 * ports) belongs to the spawn: handed to the process or released. */
struct spawn {
	struct spawn *next;           /* queued for a loader */
	char name[64];                /* for messages: the path or argv[0] */
	mach_port_t program;
	mach_port_t ports[PROC_NPORTS];
	struct proc_info info;        /* fd kinds and flags; argc, envc */
	char *args;                   /* malloc'd, LEN bytes */
	size_t len;
	int ppid;                     /* 0: nobody's child (init) */
	mach_port_t reply;            /* where the answer goes (null: none) */
	unsigned reply_type;          /* its right, as received */
};
/* Sets up the table on server S; UP is the stage above (the file system),
 * which ends the machine on halt. */
kern_return_t proc_setup(struct server *s, mach_port_t up);
/* Starts the process SP describes and frees SP.  Returns 0 and *PID, or a
 * negative errno value. */
int proc_start(struct spawn *sp, int *pid);
/* Process PID is the terminal server: it may take RECV, the receive right of
 * the terminal port init was given, and interrupt process groups. */
void proc_set_terminal(int pid, mach_port_t recv);

/* pipe.c: pipes, served by a thread of their own (pipe/proto.h). */
kern_return_t pipe_setup(void);
/* A new pipe: receive rights *READ_END and *WRITE_END, which the caller
 * hands out with MAKE_SEND; 0 or a negative errno value. */
int pipe_create(mach_port_t *read_end, mach_port_t *write_end);

#endif
