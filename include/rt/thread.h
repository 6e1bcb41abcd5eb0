/* Threads: each on its own aligned stack (see rt/tls.h). */
#ifndef RT_THREAD_H
#define RT_THREAD_H

#include "mach/abi.h"

/* Starts FN(ARG) in a new thread of this task.  Returns 0 or a kern_return_t. */
int thread_spawn(void (*fn)(void *), void *arg);
/* An aligned stack with its local page set up; returns its base or 0. */
uintptr_t rt_stack_alloc(void);

#endif
