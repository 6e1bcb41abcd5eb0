/* Mach 3 typed messages as the i386 kernel lays them out: the header, type
 * descriptors, option bits and return codes of mach_msg, and the helpers every
 * message layout in include/ is written with. */
#ifndef MACH_MSG_H
#define MACH_MSG_H

#include "mach/abi.h"

typedef natural_t mach_msg_bits_t;
typedef natural_t mach_msg_size_t;
typedef integer_t mach_msg_id_t;
typedef natural_t mach_msg_timeout_t;
typedef natural_t mach_msg_option_t;
typedef kern_return_t mach_msg_return_t;

typedef struct {
	mach_msg_bits_t msgh_bits;
	mach_msg_size_t msgh_size;
	mach_port_t     msgh_remote_port;
	mach_port_t     msgh_local_port;
	natural_t       msgh_seqno;
	mach_msg_id_t   msgh_id;
} mach_msg_header_t;

typedef struct {
	unsigned int msgt_name : 8,
	             msgt_size : 8,
	             msgt_number : 12,
	             msgt_inline : 1,
	             msgt_longform : 1,
	             msgt_deallocate : 1,
	             msgt_unused : 1;
} mach_msg_type_t;

typedef struct {
	mach_msg_type_t msgtl_header;
	unsigned short  msgtl_name;
	unsigned short  msgtl_size;
	natural_t       msgtl_number;
} mach_msg_type_long_t;

_Static_assert(sizeof(mach_msg_header_t) == 24, "i386 message header");
_Static_assert(sizeof(mach_msg_type_t) == 4, "short type descriptor");
_Static_assert(sizeof(mach_msg_type_long_t) == 12, "long type descriptor");

/* Type names.  A right sent as COPY_SEND or MAKE_SEND arrives as PORT_SEND,
 * MAKE_SEND_ONCE or MOVE_SEND_ONCE as PORT_SEND_ONCE, MOVE_RECEIVE as
 * PORT_RECEIVE. */
#define MACH_MSG_TYPE_BOOLEAN        0
#define MACH_MSG_TYPE_INTEGER_16     1
#define MACH_MSG_TYPE_INTEGER_32     2
#define MACH_MSG_TYPE_CHAR           8
#define MACH_MSG_TYPE_INTEGER_8      9
#define MACH_MSG_TYPE_INTEGER_64     11
#define MACH_MSG_TYPE_STRING_C       12
#define MACH_MSG_TYPE_PORT_NAME      15
#define MACH_MSG_TYPE_MOVE_RECEIVE   16
#define MACH_MSG_TYPE_MOVE_SEND      17
#define MACH_MSG_TYPE_MOVE_SEND_ONCE 18
#define MACH_MSG_TYPE_COPY_SEND      19
#define MACH_MSG_TYPE_MAKE_SEND      20
#define MACH_MSG_TYPE_MAKE_SEND_ONCE 21
#define MACH_MSG_TYPE_PORT_RECEIVE   MACH_MSG_TYPE_MOVE_RECEIVE
#define MACH_MSG_TYPE_PORT_SEND      MACH_MSG_TYPE_MOVE_SEND
#define MACH_MSG_TYPE_PORT_SEND_ONCE MACH_MSG_TYPE_MOVE_SEND_ONCE
#define MACH_MSG_TYPE_PORT_ANY(n) ((n) >= MACH_MSG_TYPE_MOVE_RECEIVE && (n) <= MACH_MSG_TYPE_MAKE_SEND_ONCE)

#define MACH_MSGH_BITS(remote, local) ((remote) | ((local) << 8))
#define MACH_MSGH_BITS_REMOTE(b)  ((b) & 0xff)
#define MACH_MSGH_BITS_LOCAL(b)   (((b) >> 8) & 0xff)
#define MACH_MSGH_BITS_COMPLEX    0x80000000u

/* mach_msg options */
#define MACH_MSG_OPTION_NONE 0
#define MACH_SEND_MSG        0x1
#define MACH_RCV_MSG         0x2
#define MACH_SEND_TIMEOUT    0x10
#define MACH_SEND_INTERRUPT  0x40
#define MACH_RCV_TIMEOUT     0x100
#define MACH_RCV_INTERRUPT   0x400
#define MACH_RCV_LARGE       0x800
#define MACH_MSG_TIMEOUT_NONE 0

/* mach_msg return codes */
#define MACH_MSG_SUCCESS            0x00000000
#define MACH_MSG_MASK               0x00003c00   /* extra bits some codes carry */
#define MACH_SEND_IN_PROGRESS       0x10000001
#define MACH_SEND_INVALID_DATA      0x10000002
#define MACH_SEND_INVALID_DEST      0x10000003
#define MACH_SEND_TIMED_OUT         0x10000004
#define MACH_SEND_WILL_NOTIFY       0x10000005
#define MACH_SEND_NOTIFY_IN_PROGRESS 0x10000006
#define MACH_SEND_INTERRUPTED       0x10000007
#define MACH_SEND_MSG_TOO_SMALL     0x10000008
#define MACH_SEND_INVALID_REPLY     0x10000009
#define MACH_SEND_INVALID_RIGHT     0x1000000a
#define MACH_SEND_INVALID_NOTIFY    0x1000000b
#define MACH_SEND_INVALID_MEMORY    0x1000000c
#define MACH_SEND_NO_BUFFER         0x1000000d
#define MACH_SEND_NO_NOTIFY         0x1000000e
#define MACH_SEND_INVALID_TYPE      0x1000000f
#define MACH_SEND_INVALID_HEADER    0x10000010
#define MACH_RCV_IN_PROGRESS        0x10004001
#define MACH_RCV_INVALID_NAME       0x10004002
#define MACH_RCV_TIMED_OUT          0x10004003
#define MACH_RCV_TOO_LARGE          0x10004004
#define MACH_RCV_INTERRUPTED        0x10004005
#define MACH_RCV_PORT_CHANGED       0x10004006
#define MACH_RCV_INVALID_NOTIFY     0x10004007
#define MACH_RCV_INVALID_DATA       0x10004008
#define MACH_RCV_PORT_DIED          0x10004009
#define MACH_RCV_IN_SET             0x1000400a
#define MACH_RCV_HEADER_ERROR       0x1000400b
#define MACH_RCV_BODY_ERROR         0x1000400c

/* Descriptor initialisers.  MSGT_INLINE(name, bits, count) is the short form;
 * MSGT_OOL is data passed out of line (the body holds a 4-byte address);
 * MSGT_LONG is the long form used for strings of 128 and more bytes. */
#define MSGT_INLINE(n, b, c) ((mach_msg_type_t){ .msgt_name = (n), .msgt_size = (b), .msgt_number = (c), .msgt_inline = 1 })
#define MSGT_OOL(n, b, c)    ((mach_msg_type_t){ .msgt_name = (n), .msgt_size = (b), .msgt_number = (c), .msgt_inline = 0 })
#define MSGT_LONG(n, b, c)   ((mach_msg_type_long_t){ .msgtl_header = { .msgt_inline = 1, .msgt_longform = 1 }, .msgtl_name = (n), .msgtl_size = (b), .msgtl_number = (c) })
#define MSGT_INT32   MSGT_INLINE(MACH_MSG_TYPE_INTEGER_32, 32, 1)
#define MSGT_PORT(d) MSGT_INLINE((d), 32, 1)

/* Message layouts are declared with this so that a layout that differs from
 * the i386 wire size fails to build, on the target and on the host alike. */
#define MSG_LAYOUT(type, bytes) _Static_assert(sizeof(type) == (bytes), #type " is " #bytes " bytes on the wire")

/* The reply of any routine starts like this; an error reply is only this. */
typedef struct {
	mach_msg_header_t head;
	mach_msg_type_t   ret_type;
	kern_return_t     ret;
} mig_reply_header_t;
MSG_LAYOUT(mig_reply_header_t, 32);

#define MSG_REPLY_ID(id) ((id) + 100)
#define MSG_ALIGN(n) (((n) + 3u) & ~3u)

#endif
