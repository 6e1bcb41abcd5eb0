/* Client calls of the exec protocol (exec/proto.h), lib/exec/proc_client.c.
 * Return 0 or a negative errno value, like the file system client. */
#ifndef EXEC_CLIENT_H
#define EXEC_CLIENT_H

#include "exec/proto.h"
#include "fs/errno.h"

/* PORTS gets PROC_NPORTS send rights (or nulls). */
int proc_startup(mach_port_t proc, mach_port_t ports[PROC_NPORTS], struct proc_info *info);
/* Tells exec the program is done; exec ends the task.  Does not return
 * (ends the task itself when exec cannot be reached). */
void proc_exit(mach_port_t proc, int status) __attribute__((noreturn));
/* Starts the program open on PROGRAM with ARGV and ENVP (NULL-terminated)
 * and the ports and descriptor kinds/flags in PORTS and INFO (pid, argc and
 * envc are filled in here); *PID gets the child's id. */
int proc_spawn(mach_port_t proc, mach_port_t program, const mach_port_t ports[PROC_NPORTS],
               const struct proc_info *info, char *const argv[], char *const envp[], int *pid);
/* Waits for child PID (0: any) to end: *STATUS its exit status, *HOW
 * PROC_EXITED or PROC_KILLED. */
int proc_wait(mach_port_t proc, int pid, int *got, int *status, int *how);
int proc_halt(mach_port_t proc);
/* A new pipe (pipe/proto.h): a send right to each end. */
int proc_pipe(mach_port_t proc, mach_port_t *read_end, mach_port_t *write_end);
/* The terminal server's calls (refused, EPERM, from any other process):
 * the receive right of the terminal port exec handed init (once), and the
 * end of every process of process group PGRP. */
int proc_term_open(mach_port_t proc, mach_port_t *term);
int proc_interrupt(mach_port_t proc, int pgrp);

#endif
