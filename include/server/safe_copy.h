/* Copying memory a client sent (out-of-line data) without trusting it.
 * Such memory may be backed by a memory object the client serves itself:
 * its pages may never come (the copying thread would wait in a page fault
 * for ever) or come as an error (the kernel raises EXC_BAD_ACCESS, and a
 * task without an exception handler is terminated).  safe_copy turns both
 * into an error for the one request:
 *  - a fault inside the copy reaches this task's exception port, where a
 *    handler thread moves the faulting thread to the copy's recovery point;
 *  - a copy still running after SAFE_COPY_DEADLINE_MS is stopped by a
 *    watchdog thread (thread_suspend, thread_abort breaks the interruptible
 *    page-fault wait) and moved to the same recovery point.
 * Either way one console line names what happened.  A server copies client
 * memory only with safe_copy, into memory of its own, and holds no lock
 * that other clients need while it copies. */
#ifndef SERVER_SAFE_COPY_H
#define SERVER_SAFE_COPY_H

#include "mach/abi.h"

#define SAFE_COPY_DEADLINE_MS 5000

/* Sets this task's exception port and starts the handler and watchdog
 * threads.  Before it (and in tasks that never call it: user programs,
 * whose faults belong to exec), safe_copy is a plain copy. */
kern_return_t safe_copy_init(void);

/* Whether safe_copy_init has run in this task. */
int safe_copy_active(void);

/* Copies N bytes from SRC (client memory) to DST (ours).  KERN_SUCCESS;
 * KERN_MEMORY_ERROR when a page of SRC faulted; KERN_TIMEDOUT when the copy
 * did not finish within the deadline.  DST may hold part of the data after
 * a failure. */
kern_return_t safe_copy(void *dst, const void *src, size_t n);

#endif
