/* init: the first user program exec starts.  Runs /etc/rc with the shell
 * when it exists, then keeps a shell on the console: when it exits, a new
 * one starts.  A shell that cannot start, or ends at once again and again
 * (its console is gone, say), is not restarted in a tight loop: init says
 * why and waits longer each time (up to a minute), so the console stays
 * readable and the machine is not kept busy. */
#include "posix/posix.h"
#include "mach/mach.h"

#define SHELL "/bin/sh"
#define RC "/etc/rc"
#define QUICK_MS 2000           /* a shell that lived less than this ended "at once" */
#define QUICK_LIMIT 3           /* ... so many times in a row: wait before the next */
#define MAX_DELAY_MS 60000

static unsigned long now_ms(void)
{
	struct time_value t = { 0, 0 };
	host_get_time(mach_host_self(), &t);
	return (unsigned long)t.seconds * 1000 + (unsigned long)t.microseconds / 1000;
}

/* Runs ARGV with our descriptors and waits; the exit status, or -1 (said). */
static int run(char *const argv[])
{
	int pid = spawn(argv[0], argv, environ);
	if (pid < 0) {
		printf("init: cannot start %s: %s\n", argv[0], strerror(errno));
		return -1;
	}
	int st;
	if (waitpid(pid, &st, 0) < 0) {
		printf("init: waiting for %s (pid %d): %s\n", argv[0], pid, strerror(errno));
		return -1;
	}
	if (WIFSIGNALED(st)) {
		printf("init: %s (pid %d) was killed\n", argv[0], pid);
		return 128 + 9;
	}
	return WEXITSTATUS(st);
}

int main(void)
{
	struct stat st;
	if (stat(RC, &st) == 0) {
		char *rc[] = { SHELL, RC, NULL };
		int r = run(rc);
		if (r > 0)
			printf("init: %s ended with status %d\n", RC, r);
	} else if (errno != ENOENT) {
		printf("init: %s: %s; not running it\n", RC, strerror(errno));
	}
	unsigned delay = 0, quick = 0;
	for (;;) {
		char *sh[] = { SHELL, NULL };
		unsigned long start = now_ms();
		int r = run(sh);
		quick = r < 0 || now_ms() - start < QUICK_MS ? quick + 1 : 0;
		if (r < 0 || quick >= QUICK_LIMIT) {
			delay = delay ? (delay * 2 > MAX_DELAY_MS ? MAX_DELAY_MS : delay * 2) : 1000;
			if (r < 0)
				printf("init: %s could not run; trying again in %u s\n", SHELL, delay / 1000);
			else
				printf("init: %s exited with status %d, %u times in a row within %u s; "
				       "starting a new one in %u s\n", SHELL, r, quick, QUICK_MS / 1000, delay / 1000);
			fflush(stdout);
			sleep_ms(delay);
		} else {
			delay = 0;
			printf("init: %s exited with status %d; starting a new one\n", SHELL, r);
		}
	}
}
