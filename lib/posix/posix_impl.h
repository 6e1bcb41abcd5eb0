/* What the files of lib/posix share: the descriptor table, the process's
 * ports, path resolution and the console line discipline. */
#ifndef POSIX_IMPL_H
#define POSIX_IMPL_H

#include "posix/posix.h"
#include "mach/mach.h"
#include "fs/client.h"
#include "exec/client.h"

/* An open file description: what dup shares (the offset included). */
struct ofile {
	int kind;              /* PROC_FD_CONSOLE, PROC_FD_FILE or PROC_FD_PIPE */
	mach_port_t port;      /* a terminal, an fs node or a pipe end; one send right */
	int flags;             /* O_ACCMODE and O_APPEND bits */
	off_t offset;
	int refs;              /* descriptors naming it */
};

/* fd.c */
extern struct ofile *fd_table[OPEN_MAX];
/* The description of FD, or NULL with errno EBADF. */
struct ofile *fd_get(int fd);
/* A description holding PORT (its right is taken over); NULL with errno
 * ENOMEM (PORT released). */
struct ofile *ofile_new(int kind, mach_port_t port, int flags);
/* A new description holding PORT (its right is taken over), installed at
 * the lowest free descriptor; -1 with errno EMFILE (PORT released). */
int fd_new(int kind, mach_port_t port, int flags);
/* FS_O_* access flags of a description (for lookups and for spawn). */
unsigned fd_fs_flags(const struct ofile *f);
void stat_from_fs(const struct fs_stat *s, struct stat *st);

/* dirent.c: the record at *POS of a readdir reply of LEN bytes, checked (it
 * fits, its name is NUL-terminated within it); *POS moves past it.  NULL at
 * the end, or with errno EIO for a malformed record. */
const struct fs_dirent *dirent_next(const char *buf, long len, long *pos);

/* startup.c: the ports exec handed over */
extern mach_port_t posix_proc, posix_root, posix_cwd, posix_pci;

/* path.c */
/* Sets errno to -R (a negative errno value from the clients) and returns -1. */
int posix_fail(long r);
/* Looks PATH up from the root (absolute) or the working directory:
 * 0 and *NODE, or -1 with errno. */
int path_lookup(const char *path, unsigned fs_flags, unsigned mode, mach_port_t *node);
/* The directory holding PATH's last component (*DIR, a send right) and that
 * component (NAME): 0, or -1 with errno. */
int path_parent(const char *path, mach_port_t *dir, char name[FS_NAME_MAX]);
/* The working directory's path, normalised ("/a/b"); startup.c sets it. */
extern char posix_cwd_path[PATH_MAX];
/* Sets posix_cwd_path for the directory DIR reached through PATH (may be
 * relative to the old one): the lexical result when it names DIR, else
 * the path found by walking "..". */
void cwd_set_path(mach_port_t dir, const char *path);
void put_port(mach_port_t port);

/* tty.c: the console as a terminal.  Reads return one edited line (typed
 * characters echoed, backspace, ^U, ^C, ^D); writes turn "\n" into "\r\n". */
ssize_t tty_read(mach_port_t console, char *buf, size_t n);
ssize_t tty_write(mach_port_t console, const char *buf, size_t n);

/* pipe.c: reads and writes on a pipe end (a write with no reader left
 * ends the program, as SIGPIPE would). */
ssize_t pipe_read(mach_port_t port, char *buf, size_t n);
ssize_t pipe_write(mach_port_t port, const char *buf, size_t n);

/* stdio.c */
void stdio_flush_all(void);
void stdio_init(void);

#endif
