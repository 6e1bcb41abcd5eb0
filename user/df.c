/* df [PATH...]: size, use and free space of the file system holding each
 * PATH (default /), in 1024-byte blocks, as GNU df counts them.  There is
 * one file system, mounted on /. */
#include "posix/posix.h"

/* GNU df's Use%: used / (used + available to users), rounded up; -1 when
 * both are 0. */
static int percent(uint64_t used, uint64_t avail)
{
	uint64_t total = used + avail;
	if (total == 0)
		return -1;
	return (int)((used * 100 + total - 1) / total);
}

static int show(const char *path)
{
	struct statvfs sf;
	if (statvfs(path, &sf) < 0) {
		fprintf(stderr, "df: %s: %s\n", path, strerror(errno));
		return 1;
	}
	uint64_t unit = sf.f_frsize ? sf.f_frsize : sf.f_bsize;
	uint64_t used = sf.f_blocks > sf.f_bfree ? sf.f_blocks - sf.f_bfree : 0;
	int pct = percent(used, sf.f_bavail);
	fprintf(stdout, "%9llu %9llu %9llu ", (unsigned long long)(sf.f_blocks * unit / 1024),
	        (unsigned long long)(used * unit / 1024), (unsigned long long)(sf.f_bavail * unit / 1024));
	if (pct < 0)
		fprintf(stdout, "   - /\n");
	else
		fprintf(stdout, "%3d%% /\n", pct);
	return 0;
}

int main(int argc, char **argv)
{
	fprintf(stdout, "1K-blocks      Used Available Use%% Mounted on\n");
	int status = argc < 2 ? show("/") : 0;
	for (int i = 1; i < argc; i++)
		status |= show(argv[i]);
	return status;
}
