/* The pipe protocol: what a pipe's two ports answer (served by exec's pipe
 * thread, servers/exec/pipe.c; made by the exec call proc_pipe).  The data
 * travel with the Mach device protocol's read and write calls
 * (mach/device_msgs.h), as on the terminal, so lib/posix reads and writes a
 * pipe end as it does a terminal; big transfers go out of line.
 * docs/pipe-protocol.md describes it; this is the one definition of its
 * messages and limits.  Return codes are errno values (fs/errno.h). */
#ifndef PIPE_PROTO_H
#define PIPE_PROTO_H

#include "mach/device_msgs.h"

/* A write is answered once fewer than PIPE_CAPACITY bytes wait before it. */
#define PIPE_CAPACITY  (64u * 1024u)
/* The most one device_write (out of line) carries; writers send more in
 * pieces.  POSIX's PIPE_BUF: writes up to this are never interleaved. */
#define PIPE_WRITE_MAX (64u * 1024u)
#define PIPE_BUF_ATOMIC 512u
/* The most one device_read returns (out of line); device_read_inband
 * returns at most DEV_INBAND_MAX. */
#define PIPE_READ_MAX  (64u * 1024u)
/* What exec holds for all clients, whatever they send: at most PIPES_MAX
 * pipes at once (more: ENFILE); on each, writes are answered only while
 * fewer than PIPE_CHUNKS_HELD writes wait before them too (a writer of
 * small pieces blocks like one of big ones), at most PIPE_CHUNKS_MAX
 * writes are queued, answered or not, and PIPE_READS_MAX reads wait
 * (more: EBUSY, which clients that wait for each reply never meet). */
#define PIPES_MAX        1024u
#define PIPE_CHUNKS_HELD 64u
#define PIPE_CHUNKS_MAX  128u
#define PIPE_READS_MAX   16u

/* The read end answers these two (mode and recnum are ignored): */
typedef device_read_request_t pipe_read_request_t;               /* 2804: mode, recnum, bytes wanted */
typedef device_read_reply_t pipe_read_reply_t;                   /* the bytes out of line; 0: the end */
typedef device_read_request_t pipe_read_inband_request_t;        /* 2805 */
typedef device_read_inband_reply_t pipe_read_inband_reply_t;     /* the bytes inline (0..128) */
/* the write end these two: */
typedef device_write_request_t pipe_write_request_t;             /* 2802: the bytes out of line */
typedef device_write_inband_request_t pipe_write_inband_request_t; /* 2803: the bytes inline */
typedef device_write_reply_t pipe_write_reply_t;                 /* bytes written; EPIPE: no reader */
_Static_assert(sizeof(pipe_read_request_t) == 48, "three words");
_Static_assert(sizeof(pipe_read_reply_t) == 48, "return code, out-of-line bytes");
_Static_assert(sizeof(pipe_write_request_t) == 56, "two words, out-of-line bytes");
_Static_assert(sizeof(pipe_write_reply_t) == 40, "return code, one word");

#endif
