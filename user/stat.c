/* stat PATH...: what the file system says about each path (a symbolic
 * link itself, not what it points to), in GNU stat's layout; times in UTC. */
#include "posix/posix.h"
#include "rt/fileinfo.h"

static const char *type_name(const struct stat *st)
{
	switch (st->st_mode & S_IFMT) {
	case S_IFREG:  return st->st_size ? "regular file" : "regular empty file";
	case S_IFDIR:  return "directory";
	case S_IFLNK:  return "symbolic link";
	case S_IFCHR:  return "character special file";
	case S_IFBLK:  return "block special file";
	case S_IFIFO:  return "fifo";
	case S_IFSOCK: return "socket";
	}
	return "weird file";
}

static void print_time(const char *what, time_t t)
{
	struct utc_time u;
	utc_time(t, &u);
	fprintf(stdout, "%s: %u-%02u-%02u %02u:%02u:%02u +0000\n", what, u.year, u.month, u.day, u.hour,
	        u.min, u.sec);
}

static int show(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		fprintf(stderr, "stat: %s: %s\n", path, strerror(errno));
		return 1;
	}
	char mode[11], target[PATH_MAX];
	mode_string(st.st_mode, mode);
	fprintf(stdout, "  File: %s", path);
	ssize_t n;
	if (S_ISLNK(st.st_mode) && (n = readlink(path, target, sizeof target - 1)) >= 0) {
		target[n] = 0;
		fprintf(stdout, " -> %s", target);
	}
	fprintf(stdout, "\n  Size: %-10llu\tBlocks: %-10u IO Block: %-6u %s\n", (unsigned long long)st.st_size,
	        (unsigned)st.st_blocks, (unsigned)st.st_blksize, type_name(&st));
	fprintf(stdout, "Device: %xh/%ud\tInode: %-10u  Links: %u\n", (unsigned)st.st_dev, (unsigned)st.st_dev,
	        (unsigned)st.st_ino, (unsigned)st.st_nlink);
	fprintf(stdout, "Access: (%04o/%s)  Uid: (%5u)   Gid: (%5u)\n", (unsigned)(st.st_mode & 07777), mode,
	        (unsigned)st.st_uid, (unsigned)st.st_gid);
	print_time("Access", st.st_atime);
	print_time("Modify", st.st_mtime);
	print_time("Change", st.st_ctime);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "stat: missing operand (stat PATH...)\n");
		return 1;
	}
	int status = 0;
	for (int i = 1; i < argc; i++)
		status |= show(argv[i]);
	return status;
}
