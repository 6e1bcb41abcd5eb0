/* The user-space C runtime (lib/posix): a POSIX subset on the file system
 * protocol (fs/proto.h) and the exec protocol (exec/proto.h), for the
 * programs exec starts (init, sh, /bin).  Standard names and signatures;
 * errors set errno (the Linux numbers of fs/errno.h) and return -1 (or
 * NULL).  Servers do not use this layer. */
#ifndef POSIX_POSIX_H
#define POSIX_POSIX_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "rt/rt.h"
#include "fs/errno.h"

typedef int ssize_t;
typedef int64_t off_t;
typedef int pid_t;
typedef uint32_t mode_t;
typedef uint32_t time_t;

/* errno */
extern int errno;
#define EPERM FS_EPERM
#define ENOENT FS_ENOENT
#define ESRCH FS_ESRCH
#define EINTR FS_EINTR
#define EIO FS_EIO
#define ENOEXEC FS_ENOEXEC
#define EBADF FS_EBADF
#define ECHILD FS_ECHILD
#define ENOMEM FS_ENOMEM
#define EACCES FS_EACCES
#define EFAULT FS_EFAULT
#define EBUSY FS_EBUSY
#define EEXIST FS_EEXIST
#define EXDEV FS_EXDEV
#define ENOTDIR FS_ENOTDIR
#define EISDIR FS_EISDIR
#define EINVAL FS_EINVAL
#define EMFILE FS_EMFILE
#define ENFILE FS_ENFILE
#define ENOTTY FS_ENOTTY
#define EFBIG FS_EFBIG
#define ENOSPC FS_ENOSPC
#define ESPIPE FS_ESPIPE
#define EROFS FS_EROFS
#define EMLINK FS_EMLINK
#define EPIPE FS_EPIPE
#define ERANGE FS_ERANGE
#define ENAMETOOLONG FS_ENAMETOOLONG
#define ENOSYS FS_ENOSYS
#define ENOTEMPTY FS_ENOTEMPTY
#define ELOOP FS_ELOOP
#define ENOTSUP FS_ENOTSUP
const char *strerror(int err);

/* open(2) flags: the access mode in the low two bits, as POSIX */
#define O_RDONLY    0
#define O_WRONLY    1
#define O_RDWR      2
#define O_ACCMODE   3
#define O_CREAT     0x0040
#define O_EXCL      0x0080
#define O_TRUNC     0x0200
#define O_APPEND    0x0400
#define O_DIRECTORY 0x10000
#define O_NOFOLLOW  0x20000

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

#define STDIN_FILENO  0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2
#define OPEN_MAX 32
#define PATH_MAX 1024

/* mode bits */
#define S_IFMT   0170000
#define S_IFSOCK 0140000
#define S_IFLNK  0120000
#define S_IFREG  0100000
#define S_IFBLK  0060000
#define S_IFDIR  0040000
#define S_IFCHR  0020000
#define S_IFIFO  0010000
#define S_ISDIR(m) (((m) & S_IFMT) == S_IFDIR)
#define S_ISREG(m) (((m) & S_IFMT) == S_IFREG)
#define S_ISLNK(m) (((m) & S_IFMT) == S_IFLNK)
#define S_ISCHR(m) (((m) & S_IFMT) == S_IFCHR)
#define S_ISFIFO(m) (((m) & S_IFMT) == S_IFIFO)

struct stat {
	uint32_t st_dev, st_ino;
	mode_t st_mode;
	uint32_t st_nlink, st_uid, st_gid;
	off_t st_size;
	uint32_t st_blocks, st_blksize;
	time_t st_atime, st_mtime, st_ctime;
};

struct statvfs {
	uint32_t f_bsize, f_frsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree, f_namemax;
};

/* files */
int open(const char *path, int flags, ...);          /* mode_t mode with O_CREAT */
int creat(const char *path, mode_t mode);
int close(int fd);
ssize_t read(int fd, void *buf, size_t n);
ssize_t write(int fd, const void *buf, size_t n);
off_t lseek(int fd, off_t off, int whence);
int dup(int fd);
int dup2(int fd, int to);
int pipe(int fds[2]);                                 /* fds[0] reads what fds[1] writes */
int isatty(int fd);
int fsync(int fd);
int ftruncate(int fd, off_t size);
int truncate(const char *path, off_t size);
int stat(const char *path, struct stat *st);
int lstat(const char *path, struct stat *st);
int fstat(int fd, struct stat *st);
int chmod(const char *path, mode_t mode);
int utime_now(const char *path);                     /* touch: atime and mtime = now */
int mkdir(const char *path, mode_t mode);
int rmdir(const char *path);
int unlink(const char *path);
int rename(const char *from, const char *to);
int link(const char *target, const char *path);
int symlink(const char *target, const char *path);
ssize_t readlink(const char *path, char *buf, size_t size);
int chdir(const char *path);
char *getcwd(char *buf, size_t size);
int statvfs(const char *path, struct statvfs *sf);
void sync(void);

/* directories */
#define DT_UNKNOWN 0
#define DT_FIFO    1
#define DT_CHR     2
#define DT_DIR     4
#define DT_BLK     6
#define DT_REG     8
#define DT_LNK     10
#define DT_SOCK    12
struct dirent {
	uint32_t d_ino;
	uint8_t d_type;
	char d_name[256];
};
typedef struct dir DIR;
DIR *opendir(const char *path);
struct dirent *readdir(DIR *d);
int closedir(DIR *d);

/* processes: spawn a program with the caller's descriptors 0-2, cwd and
^ * root, and wait for it.  PATH without '/' is looked up in /bin. */
pid_t spawn(const char *path, char *const argv[], char *const envp[]);
/* The same with descriptors FDS[0..2] of the caller as the child's 0-2. */
pid_t spawn_fds(const char *path, char *const argv[], char *const envp[], const int fds[3]);
/* The same in process group PGROUP: -1 ours (what spawn_fds does), 0 a new
 * group the child leads (the shell's foreground job), else an existing
 * group of ours or of a running child of ours. */
pid_t spawn_group(const char *path, char *const argv[], char *const envp[], const int fds[3],
                  pid_t pgroup);
/* STATUS gets the exit status in its low byte, or 0x100 | the signal when
 * the child was killed: SIGINT by the terminal's ^C, SIGKILL otherwise
 * (WIFEXITED / WEXITSTATUS / WTERMSIG below). */
pid_t waitpid(pid_t pid, int *status, int options);
#define WIFEXITED(s)   (((s) & 0x100) == 0)
#define WEXITSTATUS(s) ((s) & 0xff)
#define WIFSIGNALED(s) (((s) & 0x100) != 0)
#define WTERMSIG(s)    ((s) & 0x7f)
#define SIGINT  2
#define SIGKILL 9
#define SIGPIPE 13      /* a write to a pipe with no reader ends the program with 128 + 13 */
/* The terminal on FD: its foreground process group (0: none), which its ^C
 * ends; and its mode (TERM_MODE_* of term/proto.h: canonical, echo, ^C).
 * -1 with ENOTTY when FD is no terminal. */
int tcsetpgrp(int fd, pid_t pgrp);
int tty_get_mode(int fd, unsigned *mode);
int tty_set_mode(int fd, unsigned mode);
int halt_machine(void);                               /* sync, flush, end the machine */
extern char **environ;
char *getenv(const char *name);
int pci_port_available(void);
mach_port_t pci_port(void);                          /* MACH_PORT_NULL when none was handed down */

/* stdio */
typedef struct file FILE;
extern FILE *stdin, *stdout, *stderr;
#define EOF (-1)
#define BUFSIZ 4096
FILE *fopen(const char *path, const char *mode);     /* "r", "w", "a" */
int fclose(FILE *f);
size_t fread(void *buf, size_t size, size_t n, FILE *f);
size_t fwrite(const void *buf, size_t size, size_t n, FILE *f);
int fgetc(FILE *f);
char *fgets(char *buf, int n, FILE *f);
int fputc(int c, FILE *f);
int fputs(const char *s, FILE *f);
int puts(const char *s);
int putchar(int c);
int getchar(void);
int fflush(FILE *f);
int fprintf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vfprintf(FILE *f, const char *fmt, va_list ap);
int fileno(FILE *f);
int feof(FILE *f);
int ferror(FILE *f);
void perror(const char *s);

/* misc */
int atoi(const char *s);
long strtol(const char *s, char **end, int base);
char *strcat(char *d, const char *s);
char *strcpy(char *d, const char *s);
char *strncpy(char *d, const char *s, size_t n);
char *strstr(const char *h, const char *n);
int isspace(int c);
int isdigit(int c);
int isalpha(int c);
int isalnum(int c);
time_t time(time_t *t);

#endif
