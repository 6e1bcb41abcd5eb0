/* What safe_copy (safe_copy.c, linked into every program that reads file
 * data) shares with its guard (safe_copy_guard.c, only in servers that call
 * safe_copy_init): the copies in progress. */
#ifndef SAFE_COPY_INT_H
#define SAFE_COPY_INT_H

#include "server/safe_copy.h"
#include "rt/lock.h"

/* copy.S */
kern_return_t safe_copy_raw(void *dst, const void *src, size_t n);
extern const char safe_copy_begin[], safe_copy_end[], safe_copy_recover[];

/* A copy in progress, on its thread's stack, listed while it runs. */
struct copy {
	struct copy *next;
	mach_port_t thread;
	unsigned ticks;              /* watchdog ticks it has been seen running */
	int abandoned;               /* the watchdog moved it to the recovery point */
};

extern mutex_t safe_copy_lock;   /* the list, and every change to a copying thread's state */
extern struct copy *safe_copy_list;
extern unsigned safe_copy_running;   /* the watchdog sleeps while it is 0 */
extern int safe_copy_guarded;        /* safe_copy_init has run */

#endif
