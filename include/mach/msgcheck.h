/* Checking a received message against the layout a routine expects.
 * Portable: the same code runs in the servers and in the host unit tests. */
#ifndef MACH_MSGCHECK_H
#define MACH_MSGCHECK_H

#include "mach/msg.h"

/* One argument of a request as it must arrive. */
struct msg_field {
	uint8_t  name;   /* type name as received (PORT_SEND, not COPY_SEND) */
	uint16_t bits;   /* size of one element */
	uint16_t flags;
	uint32_t count;  /* exact number of elements, or the most with MSGF_VAR */
};
#define MSGF_OOL     0x01  /* out of line: the body holds the address */
#define MSGF_LONG    0x02  /* long-form descriptor */
#define MSGF_VAR     0x04  /* 0..count elements */
#define MSGF_NULL_OK 0x08  /* a port argument may be MACH_PORT_NULL */
#define MSGF_ANY_RIGHT 0x10 /* a port of any right (MIG's polymorphic type) */

#define MSGF_INT32          { MACH_MSG_TYPE_INTEGER_32, 32, 0, 1 }
#define MSGF_INT16          { MACH_MSG_TYPE_INTEGER_16, 16, 0, 1 }
#define MSGF_SEND           { MACH_MSG_TYPE_PORT_SEND, 32, 0, 1 }
#define MSGF_SEND_OR_NULL   { MACH_MSG_TYPE_PORT_SEND, 32, MSGF_NULL_OK, 1 }
/* a fixed string_t of N bytes travels as one element of 8*N bits, long form */
#define MSGF_STRING(n)      { MACH_MSG_TYPE_STRING_C, 8 * (n), MSGF_LONG, 1 }
#define MSGF_CHARS(max)     { MACH_MSG_TYPE_CHAR, 8, MSGF_VAR, (max) }
#define MSGF_OOL_BYTES(max) { MACH_MSG_TYPE_INTEGER_8, 8, MSGF_OOL | MSGF_VAR, (max) }

/* Where an argument landed in the message. */
struct msg_arg {
	const void *data;    /* inline data, or the body word holding an OOL address */
	uint32_t    count;   /* number of elements received */
};

/* Checks that the body of M holds exactly the fields of SPEC, in order, with
 * nothing left over, and that port rights arrive only in a complex message.
 * Fills ARGS (one per field).  Returns 0, or MIG_BAD_ARGUMENTS naming
 * nothing more: the caller answers with that code. */
int msg_parse(const mach_msg_header_t *m, const struct msg_field *spec,
              unsigned nspec, struct msg_arg *args);

/* Checks M, a message we built, before it is sent, as msg_parse will check
 * it where it arrives, each port disposition taken as the right it becomes
 * (COPY_SEND and MAKE_SEND arrive as SEND, MAKE_SEND_ONCE as SEND_ONCE).
 * Returns -1 when it matches SPEC, else the index of the first argument
 * that does not (NSPEC when its size or its end is wrong). */
int msg_check_sent(const mach_msg_header_t *m, const struct msg_field *spec, unsigned nspec);

/* Whether a request carries a reply right the server can answer on. */
int msg_has_reply_port(const mach_msg_header_t *m);

/* Walks every descriptor of M as it arrived, calling PORT for each received
 * right and MEM for each out-of-line region, so that a rejected request gives
 * back what the kernel put into our space.  Stops at the first descriptor
 * that does not fit in the message. */
void msg_release(const mach_msg_header_t *m,
                 void (*port)(mach_port_t name, unsigned type),
                 void (*mem)(vm_offset_t addr, vm_size_t size));

/* The same walk over a message we built that the kernel refused before it
 * took anything from it: PORT gets each right with the disposition written
 * (MOVE_*, COPY_SEND, MAKE_*: the caller knows which ones were ours to
 * give), MEM only the out-of-line regions marked deallocate (the others
 * were lent, not given). */
void msg_release_unsent(const mach_msg_header_t *m,
                        void (*port)(mach_port_t name, unsigned type),
                        void (*mem)(vm_offset_t addr, vm_size_t size));

#endif
