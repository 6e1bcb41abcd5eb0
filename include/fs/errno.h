/* errno values of the file system and exec protocols: Linux's numbering, as
 * plain constants so that host builds do not clash with libc's errno.h.
 * (lib/ext2's EXT2_E* codes are the same numbers.) */
#ifndef FS_ERRNO_H
#define FS_ERRNO_H

#define FS_EPERM         1
#define FS_ENOENT        2
#define FS_ESRCH         3
#define FS_EINTR         4
#define FS_EIO           5
#define FS_E2BIG         7
#define FS_ENOEXEC       8
#define FS_EBADF         9
#define FS_ECHILD       10
#define FS_ENOMEM       12
#define FS_EACCES       13
#define FS_EFAULT       14
#define FS_EBUSY        16
#define FS_EEXIST       17
#define FS_EXDEV        18
#define FS_ENOTDIR      20
#define FS_EISDIR       21
#define FS_EINVAL       22
#define FS_ENFILE       23
#define FS_EMFILE       24
#define FS_ENOTTY       25
#define FS_EFBIG        27
#define FS_ENOSPC       28
#define FS_ESPIPE       29
#define FS_EROFS        30
#define FS_EMLINK       31
#define FS_EPIPE        32
#define FS_ERANGE       34
#define FS_ENAMETOOLONG 36
#define FS_ENOSYS       38
#define FS_ENOTEMPTY    39
#define FS_ELOOP        40
#define FS_EOVERFLOW    75
#define FS_ENOTSUP      95
#define FS_ERRNO_MAX   133   /* return codes above this are not errno values */

#endif
