/* Stopping a program: exit, panics and heap misuse, each named on the console. */
#include "rt/rt.h"
#include "rt/heap.h"
#include "mach/mach.h"

void (*rt_exit_hook)(int status);

void exit(int status)
{
	void (*hook)(int) = rt_exit_hook;
	rt_exit_hook = NULL;      /* once: a failure inside it ends the task below */
	if (hook)
		hook(status);
	task_terminate(mach_task_self());
	for (;;)
		swtch();
}

void panic_at(const char *file, int line, const char *fmt, ...)
{
	char buf[384];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	printf("%s: panic at %s:%d: %s\n", rt_progname, file, line, buf);
	/* suspended, not gone: the task stays for the stage above to report */
	task_suspend(mach_task_self());
	exit(1);
}

void rt_heap_error(const char *problem, const char *what, void *p)
{
	panic("%s: %s(%p)", problem, what, p);
}
