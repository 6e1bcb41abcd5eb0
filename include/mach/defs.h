/* Routine definitions: each routine of a protocol is written once, as
 * X-macro lists in its protocol header, and everything else is derived
 * from them here: the wire structures, the layout a received message is
 * checked against (both ways), the arguments a handler gets by name, the
 * routine's descriptor with its id, and the length of every interface.
 * docs/runtime.md says why X-macros rather than a generator.
 *
 * A protocol header writes:
 *
 *   #define DEVICE_IO_ROUTINES(R) \
 *           R(device_read, ID_DEVICE_READ, ROUTINE) ...
 *   #define device_read_REQUEST(F) F(INT32, 1, mode) F(INT32, 1, recnum) F(INT32, 1, bytes)
 *   #define device_read_REPLY(F)   F(OOL, MSG_OOL_MAX, data)
 *   MSG_DECLARE(DEVICE_IO_ROUTINES)
 *
 * Each field is F(KIND, N, NAME): KIND is one of the MSGK_ kinds below (or
 * one a protocol header adds: four macros MSGK_<KIND>_SPEC/_WIRE/_IN/_GET),
 * N its element count or most elements (or, for RECORD, the C type of
 * the record), NAME the field's name in the wire
 * structure and in the handler's arguments.  A field of variable length
 * must be the last of its message.  ROUTINE answers, SIMPLE does not.
 *
 * MSG_DECLARE gives, for routine NAME:
 *   NAME_request_t, NAME_reply_t  the wire structures (the reply after the
 *                                 return code), at their largest
 *   struct NAME_in                the request's fields, typed and named
 *   NAME_routine                  its struct msg_routine */
#ifndef MACH_DEFS_H
#define MACH_DEFS_H

#include "mach/msgcheck.h"

/* A request field's name and the arguments (descriptors) it stands for. */
struct msg_field_name {
	const char *name;
	unsigned nargs;
};

/* A routine as its definition gives it. */
struct msg_routine {
	const char *name;
	mach_msg_id_t id;
	uint8_t simple;                  /* a simpleroutine: no reply */
	uint8_t nreq, nrep;              /* nrep counts the return code */
	const struct msg_field *req;
	const struct msg_field *rep;     /* the return code first */
	uint32_t req_size, rep_size;     /* the wire structures' sizes, at their largest */
	const struct msg_field_name *req_names;   /* to name a field that does not match */
};

/* The name of R's request field that holds argument ARG. */
static inline const char *msg_req_name(const struct msg_routine *r, unsigned arg)
{
	for (const struct msg_field_name *f = r->req_names; f->name; arg -= f->nargs, f++)
		if (arg < f->nargs)
			return f->name;
	return "(the message's end)";
}

/* Variable-length data as a handler or client gets it: inline, where it
 * lies in the message; out of line, where the kernel mapped it. */
struct msg_data {
	const void *data;
	natural_t count;                 /* elements */
};

static inline struct msg_data msg_data_inline(const struct msg_arg *a)
{
	return (struct msg_data){ a->data, a->count };
}

static inline struct msg_data msg_data_ool(const struct msg_arg *a)
{
	return (struct msg_data){ (const void *)(uintptr_t)*(const vm_offset_t *)a->data, a->count };
}

static inline rpc_u64 msg_get_u64(const struct msg_arg *a)
{
	return *(const rpc_u64 *)a->data;
}

#define MSG_OOL_MAX 0xffffffffu

/* --- kinds of field ---------------------------------------------------- */
#define MSGK_SCALAR(type, bits, flags) { (type), (bits), (flags), 1 }

#define MSGK_INT32_SPEC(n)        MSGK_SCALAR(MACH_MSG_TYPE_INTEGER_32, 32, 0)
#define MSGK_INT32_WIRE(n, x)     msg_word_t x;
#define MSGK_INT32_IN(n, x)       natural_t x;
#define MSGK_INT32_GET(n, a)      (*(const natural_t *)(a)->data)

#define MSGK_INT16_SPEC(n)        MSGK_SCALAR(MACH_MSG_TYPE_INTEGER_16, 16, 0)
#define MSGK_INT16_WIRE(n, x)     msg_word_t x;
#define MSGK_INT16_IN(n, x)       natural_t x;
#define MSGK_INT16_GET(n, a)      (*(const uint16_t *)(a)->data)

#define MSGK_BOOL_SPEC(n)         MSGK_SCALAR(MACH_MSG_TYPE_BOOLEAN, 32, 0)
#define MSGK_BOOL_WIRE(n, x)      msg_word_t x;
#define MSGK_BOOL_IN(n, x)        natural_t x;
#define MSGK_BOOL_GET(n, a)       (*(const natural_t *)(a)->data)

/* the one spelling of a 64-bit integer on the wire */
#define MSGK_INT64_SPEC(n)        MSGK_SCALAR(MACH_MSG_TYPE_INTEGER_64, 64, 0)
#define MSGK_INT64_WIRE(n, x)     msg_dword_t x;
#define MSGK_INT64_IN(n, x)       rpc_u64 x;
#define MSGK_INT64_GET(n, a)      msg_get_u64(a)

#define MSGK_NAME_SPEC(n)         MSGK_SCALAR(MACH_MSG_TYPE_PORT_NAME, 32, 0)
#define MSGK_NAME_WIRE(n, x)      msg_word_t x;
#define MSGK_NAME_IN(n, x)        mach_port_t x;
#define MSGK_NAME_GET(n, a)       (*(const mach_port_t *)(a)->data)

/* port rights, as received: a COPY_SEND or MAKE_SEND arrives as SEND */
#define MSGK_SEND_SPEC(n)         MSGK_SCALAR(MACH_MSG_TYPE_PORT_SEND, 32, 0)
#define MSGK_SEND_WIRE            MSGK_NAME_WIRE
#define MSGK_SEND_IN              MSGK_NAME_IN
#define MSGK_SEND_GET             MSGK_NAME_GET
#define MSGK_SEND_OR_NULL_SPEC(n) MSGK_SCALAR(MACH_MSG_TYPE_PORT_SEND, 32, MSGF_NULL_OK)
#define MSGK_SEND_OR_NULL_WIRE    MSGK_NAME_WIRE
#define MSGK_SEND_OR_NULL_IN      MSGK_NAME_IN
#define MSGK_SEND_OR_NULL_GET     MSGK_NAME_GET
#define MSGK_ONCE_OR_NULL_SPEC(n) MSGK_SCALAR(MACH_MSG_TYPE_PORT_SEND_ONCE, 32, MSGF_NULL_OK)
#define MSGK_ONCE_OR_NULL_WIRE    MSGK_NAME_WIRE
#define MSGK_ONCE_OR_NULL_IN      MSGK_NAME_IN
#define MSGK_ONCE_OR_NULL_GET     MSGK_NAME_GET
/* a right of whatever kind the sender gives (MIG's mach_port_poly_t) */
#define MSGK_POLY_SPEC(n)         MSGK_SCALAR(MACH_MSG_TYPE_PORT_SEND, 32, MSGF_ANY_RIGHT)
#define MSGK_POLY_WIRE            MSGK_NAME_WIRE
#define MSGK_POLY_IN              MSGK_NAME_IN
#define MSGK_POLY_GET             MSGK_NAME_GET
#define MSGK_RECEIVE_SPEC(n)      MSGK_SCALAR(MACH_MSG_TYPE_PORT_RECEIVE, 32, 0)
#define MSGK_RECEIVE_WIRE         MSGK_NAME_WIRE
#define MSGK_RECEIVE_IN           MSGK_NAME_IN
#define MSGK_RECEIVE_GET          MSGK_NAME_GET

/* a fixed string_t of N bytes: one element of 8*N bits, long form */
#define MSGK_STRING_SPEC(n)       { MACH_MSG_TYPE_STRING_C, 8 * (n), MSGF_LONG, 1 }
#define MSGK_STRING_WIRE(n, x)    mach_msg_type_long_t x##_type; char x[n];
#define MSGK_STRING_IN(n, x)      const char *x;
#define MSGK_STRING_GET(n, a)     ((const char *)(a)->data)

/* a C string of at most N bytes, short form, as many bytes as it has */
#define MSGK_CSTRING_SPEC(n)      { MACH_MSG_TYPE_STRING_C, 8, MSGF_VAR, (n) }
#define MSGK_CSTRING_WIRE(n, x)   mach_msg_type_t x##_type; char x[n];
#define MSGK_CSTRING_IN(n, x)     struct msg_data x;
#define MSGK_CSTRING_GET(n, a)    msg_data_inline(a)

/* 0..N bytes inline: CHARS short form, LCHARS and LBYTES long form */
#define MSGK_CHARS_SPEC(n)        { MACH_MSG_TYPE_CHAR, 8, MSGF_VAR, (n) }
#define MSGK_CHARS_WIRE(n, x)     mach_msg_type_t x##_type; char x[n];
#define MSGK_CHARS_IN(n, x)       struct msg_data x;
#define MSGK_CHARS_GET(n, a)      msg_data_inline(a)
#define MSGK_LCHARS_SPEC(n)       { MACH_MSG_TYPE_CHAR, 8, MSGF_LONG | MSGF_VAR, (n) }
#define MSGK_LCHARS_WIRE(n, x)    mach_msg_type_long_t x##_type; char x[n];
#define MSGK_LCHARS_IN            MSGK_CHARS_IN
#define MSGK_LCHARS_GET           MSGK_CHARS_GET
#define MSGK_LBYTES_SPEC(n)       { MACH_MSG_TYPE_INTEGER_8, 8, MSGF_LONG | MSGF_VAR, (n) }
#define MSGK_LBYTES_WIRE          MSGK_LCHARS_WIRE
#define MSGK_LBYTES_IN            MSGK_CHARS_IN
#define MSGK_LBYTES_GET           MSGK_CHARS_GET

/* 0..N bytes out of line (long form, as MIG sends them) */
#define MSGK_OOL_SPEC(n)          { MACH_MSG_TYPE_INTEGER_8, 8, MSGF_OOL | MSGF_LONG | MSGF_VAR, (n) }
#define MSGK_OOL_WIRE(n, x)       msg_ool_t x;
#define MSGK_OOL_IN(n, x)         struct msg_data x;
#define MSGK_OOL_GET(n, a)        msg_data_ool(a)

/* 0..N 32-bit integers inline, short form */
#define MSGK_INTS_SPEC(n)         { MACH_MSG_TYPE_INTEGER_32, 32, MSGF_VAR, (n) }
#define MSGK_INTS_WIRE(n, x)      mach_msg_type_t x##_type; integer_t x[n];
#define MSGK_INTS_IN              MSGK_CHARS_IN
#define MSGK_INTS_GET             MSGK_CHARS_GET
/* exactly N 32-bit integers */
#define MSGK_WORDS_SPEC(n)        { MACH_MSG_TYPE_INTEGER_32, 32, 0, (n) }
#define MSGK_WORDS_WIRE           MSGK_INTS_WIRE
#define MSGK_WORDS_IN(n, x)       const integer_t *x;
#define MSGK_WORDS_GET(n, a)      ((const integer_t *)(a)->data)

/* a record of whole 32-bit words whose C type is N, or of bytes (long form) */
#define MSGK_RECORD_SPEC(n)       { MACH_MSG_TYPE_INTEGER_32, 32, 0, sizeof(n) / 4 }
#define MSGK_RECORD_WIRE(n, x)    mach_msg_type_t x##_type; n x;
#define MSGK_RECORD_IN(n, x)      const n *x;
#define MSGK_RECORD_GET(n, a)     ((const n *)(a)->data)
#define MSGK_RECORD8_SPEC(n)      { MACH_MSG_TYPE_INTEGER_8, 8, MSGF_LONG, sizeof(n) }
#define MSGK_RECORD8_WIRE(n, x)   mach_msg_type_long_t x##_type; n x;
#define MSGK_RECORD8_IN           MSGK_RECORD_IN
#define MSGK_RECORD8_GET          MSGK_RECORD_GET

/* 0..N port names or 32-bit integers out of line */
#define MSGK_OOL_NAMES_SPEC(n)    { MACH_MSG_TYPE_PORT_NAME, 32, MSGF_OOL | MSGF_LONG | MSGF_VAR, (n) }
#define MSGK_OOL_NAMES_WIRE       MSGK_OOL_WIRE
#define MSGK_OOL_NAMES_IN         MSGK_OOL_IN
#define MSGK_OOL_NAMES_GET        MSGK_OOL_GET
#define MSGK_OOL_SENDS_SPEC(n)    { MACH_MSG_TYPE_PORT_SEND, 32, MSGF_OOL | MSGF_LONG | MSGF_VAR, (n) }
#define MSGK_OOL_SENDS_WIRE       MSGK_OOL_WIRE
#define MSGK_OOL_SENDS_IN         MSGK_OOL_IN
#define MSGK_OOL_SENDS_GET        MSGK_OOL_GET
#define MSGK_OOL_INTS_SPEC(n)     { MACH_MSG_TYPE_INTEGER_32, 32, MSGF_OOL | MSGF_LONG | MSGF_VAR, (n) }
#define MSGK_OOL_INTS_WIRE        MSGK_OOL_WIRE
#define MSGK_OOL_INTS_IN          MSGK_OOL_IN
#define MSGK_OOL_INTS_GET         MSGK_OOL_GET

/* --- what a definition expands to -------------------------------------- */
#define MSG_F_SPEC(k, n, x)   MSGK_##k##_SPEC(n),
#define MSG_F_WIRE(k, n, x)   MSGK_##k##_WIRE(n, x)
#define MSG_F_IN(k, n, x)     MSGK_##k##_IN(n, x)
#define MSG_F_COUNT(k, n, x)  + MSG_NARGS(k, n)
#define MSG_F_NAME(k, n, x)   { #x, MSG_NARGS(k, n) },
/* the arguments a field stands for: one, but for a kind that is a run of
 * descriptors (exec's ports) */
#define MSG_NARGS(k, n) \
	(sizeof((const struct msg_field[]){ MSGK_##k##_SPEC(n) }) / sizeof(struct msg_field))

#define MSG_UNUSED __attribute__((unused))
#define MSG_KIND_ROUTINE 0
#define MSG_KIND_SIMPLE  1

#define MSG_DECLARE_ONE(name, id, kind)                                          \
	typedef struct { mach_msg_header_t head; name##_REQUEST(MSG_F_WIRE) } name##_request_t; \
	typedef struct { mig_reply_header_t h; name##_REPLY(MSG_F_WIRE) } name##_reply_t; \
	struct name##_in { name##_REQUEST(MSG_F_IN) char none_; };                     \
	static const struct msg_field name##_req_fields[] MSG_UNUSED = { name##_REQUEST(MSG_F_SPEC) { 0, 0, 0, 0 } }; \
	static const struct msg_field name##_rep_fields[] MSG_UNUSED = { MSGF_INT32, name##_REPLY(MSG_F_SPEC) }; \
	static const struct msg_field_name name##_req_names[] MSG_UNUSED = { name##_REQUEST(MSG_F_NAME) { 0, 0 } }; \
	static const struct msg_routine name##_routine MSG_UNUSED = {                  \
		#name, (id), MSG_KIND_##kind,                                          \
		0 name##_REQUEST(MSG_F_COUNT), 1 name##_REPLY(MSG_F_COUNT),            \
		name##_req_fields, name##_rep_fields,                                  \
		sizeof(name##_request_t), sizeof(name##_reply_t), name##_req_names };

/* A reply of routine ROUTINE in a second shape, defined as NAME_REPLY(F):
 * NAME_reply_t and the fields a client checks it against. */
#define MSG_DECLARE_REPLY(name) \
	typedef struct { mig_reply_header_t h; name##_REPLY(MSG_F_WIRE) } name##_reply_t; \
	static const struct msg_field name##_rep_fields[] MSG_UNUSED = { MSGF_INT32, name##_REPLY(MSG_F_SPEC) };

/* Declares every routine of LIST. */
#define MSG_DECLARE(LIST) LIST(MSG_DECLARE_ONE)

#ifndef RT_HOST
/* The one way a client calls a routine R: heads M (id, destination, the
 * complex bit when the request carries rights or memory), checks each
 * field the client wrote against R's request fields (msg_check_sent: a
 * field that does not match is one console line naming R and the field,
 * and MIG_BAD_ARGUMENTS without sending), sends its first SEND_SIZE bytes and, unless R is a simpleroutine, receives the reply into
 * M (RCV_SIZE bytes) and checks it against R's reply fields, filling ARGS
 * (one per field, the return code first) when it is not NULL. */
kern_return_t msg_call(mach_port_t dest, const struct msg_routine *r, mach_msg_header_t *m,
                       mach_msg_size_t send_size, mach_msg_size_t rcv_size, struct msg_arg *args);
/* The same for M, a union of NAME_request_t IN and the reply OUT. */
#define MSG_CALL(dest, name, m, args) \
	msg_call((dest), &name##_routine, &(m).in.head, sizeof (m).in, sizeof (m), (args))
#endif

#endif
