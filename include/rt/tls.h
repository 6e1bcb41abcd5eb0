/* Per-thread data.  Every thread runs on a stack of THREAD_STACK_SIZE bytes
 * aligned to its size (the main thread too: crt0 moves onto one), and the
 * lowest page of that stack holds its struct thread_local, so a thread finds
 * its own data from %esp without kernel help.  The page above it is a guard. */
#ifndef RT_TLS_H
#define RT_TLS_H

#include "mach/abi.h"

#define THREAD_STACK_SIZE (256u * 1024u)
#define THREAD_STACK_LOW  (2u * PAGE_SIZE)   /* local page + guard page */

struct thread_local {
	mach_port_t reply_port;     /* for this thread's RPCs, made on first use */
	mach_port_t thread;         /* this thread's kernel port */
	unsigned rpc_timeout_ms;    /* mach_rpc's send and receive time-out; 0: none */
	void (*fn)(void *);         /* what a new thread runs */
	void *arg;
};

static inline struct thread_local *thread_local(void)
{
	uintptr_t sp;
	__asm__("movl %%esp, %0" : "=r"(sp));
	return (struct thread_local *)(sp & ~(uintptr_t)(THREAD_STACK_SIZE - 1));
}

#endif
