/* How ls and stat show a file (lib/c/fileinfo.c): mode letters against GNU
 * stat's %A for files of every permission pattern and of each type, and
 * UTC dates against libc's gmtime. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "unit.h"
#include "rt/fileinfo.h"
#include "rt/rt.h"

static char dir[64];

/* Files of every permission pattern 0..07777, a directory, a symlink and a
 * fifo; then `stat -c '%f %A'` on all of them, each line compared. */
static void test_modes(void)
{
	snprintf(dir, sizeof dir, "/tmp/test_userutil.%d", (int)getpid());
	if (!CHECK(mkdir(dir, 0700) == 0, "mkdir %s", dir))
		return;
	char path[128];
	for (unsigned m = 0; m < 010000; m++) {
		snprintf(path, sizeof path, "%s/f%04o", dir, m);
		FILE *f = fopen(path, "w");
		if (f)
			fclose(f);
		chmod(path, m);
	}
	snprintf(path, sizeof path, "%s/d", dir);
	mkdir(path, 0755);
	chmod(path, 01777);
	snprintf(path, sizeof path, "%s/l", dir);
	symlink("f0644", path);
	snprintf(path, sizeof path, "%s/p", dir);
	mkfifo(path, 0640);

	char cmd[160];
	snprintf(cmd, sizeof cmd, "stat -c '%%f %%A' %s/*", dir);
	FILE *p = popen(cmd, "r");
	unsigned raw, lines = 0, wrong = 0;
	char want[32], got[11];
	while (p && fscanf(p, "%x %31s", &raw, want) == 2) {
		lines++;
		mode_string(raw, got);
		if (strcmp(got, want) != 0 && wrong++ < 5)
			CHECK(0, "mode %o: %s, stat says %s", raw, got, want);
	}
	if (p)
		pclose(p);
	CHECK(lines == 010000 + 3, "stat listed %u files", lines);
	CHECK(wrong == 0, "%u of %u mode strings differ from stat's", wrong, lines);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0, "%s", cmd);
}

static void check_date(uint32_t t)
{
	time_t tt = t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	struct utc_time u;
	utc_time(t, &u);
	CHECK(u.year == (unsigned)tm.tm_year + 1900 && u.month == (unsigned)tm.tm_mon + 1 &&
	      u.day == (unsigned)tm.tm_mday && u.hour == (unsigned)tm.tm_hour &&
	      u.min == (unsigned)tm.tm_min && u.sec == (unsigned)tm.tm_sec,
	      "%u: %u-%02u-%02u %02u:%02u:%02u, gmtime says %d-%02d-%02d %02d:%02d:%02d", t,
	      u.year, u.month, u.day, u.hour, u.min, u.sec, tm.tm_year + 1900, tm.tm_mon + 1,
	      tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void test_dates(void)
{
	/* the epoch, leap days of 1972, 2000 (a leap century) and 2096, the
	 * non-leap 2100, 2038's 31-bit end and the last second of 32 bits */
	static const uint32_t edges[] = { 0, 59, 86399, 86400, 68169600, 68255999, 951782400,
	                                  951868799, 951868800, 4107456000u, 4107542400u,
	                                  2147483647u, 2147483648u, 4294967295u };
	for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
		check_date(edges[i]);
	uint32_t x = 12345;
	for (int i = 0; i < 100000; i++) {
		x = x * 1664525u + 1013904223u;
		check_date(x);
	}
	for (uint32_t t = 0; t < 4294967295u - 86400; t += 86400 * 7 + 3601)   /* a week and an hour apart */
		check_date(t);
}

int main(void)
{
	test_modes();
	test_dates();
	return unit_report();
}
