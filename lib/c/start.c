/* From the kernel-built stack to main(), on a stack of our own. */
#include "rt/rt.h"
#include "rt/tls.h"
#include "rt/thread.h"
#include "mach/mach.h"

int main(int argc, char **argv, char **envp);
void rt_switch_stack(uintptr_t top, void (*fn)(void)) __attribute__((noreturn));
extern mach_port_t rpc_boot_reply_port;

static int start_argc;
static char **start_argv, **start_envp;

static void run_main(void)
{
	struct thread_local *t = thread_local();
	t->reply_port = rpc_boot_reply_port;     /* the main thread keeps its port */
	t->thread = mach_thread_self();
	rpc_boot_reply_port = MACH_PORT_NULL;
	if (rt_user_start)        /* a user program: its descriptors, cwd, environment */
		rt_user_start(start_argc, start_argv, start_envp);
	exit(main(start_argc, start_argv, start_envp));
}

void rt_start(uint32_t *sp)
{
	start_argc = (int)sp[0];
	start_argv = (char **)(sp + 1);
	start_envp = start_argv + start_argc + 1;
	if (start_argc > 0 && start_argv[0]) {
		const char *slash = strrchr(start_argv[0], '/');
		rt_progname = slash ? slash + 1 : start_argv[0];
	}
	mach_task_self_ = mach_task_self_trap();
	rpc_boot_reply_port = mach_reply_port();
	uintptr_t base = rt_stack_alloc();
	if (!base)
		exit(1);          /* no memory for a stack: nothing else can run */
	rt_switch_stack(base + THREAD_STACK_SIZE - 16, run_main);
}
