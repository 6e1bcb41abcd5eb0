/* Every routine definition (include/mach/defs.h) against the C layout it
 * generates: the wire structures' sizes and each field's place, computed
 * again from the checking table alone the way the kernel lays a message
 * out; ids unique and within their subsystem; simpleroutines without
 * replies; and the server side, through lib/server's demultiplexer, handing
 * a handler the fields of a request by name.
 *   test_defs --list   prints "id name request-bytes reply-bytes" for each
 *                      routine docs/ describes (tests/unit/defs_docs.sh) */
#include "unit.h"
#include "chain/proto.h"
#include "exec/proto.h"
#include "fs/proto.h"
#include "mach/device_msgs.h"
#include "pci/proto.h"
#include "server/server.h"
#include "term/proto.h"
#include "mach/rpc_util.h"

/* The lists the project serves, and those it only calls. */
#define SERVED(R) DEVICE_MASTER_ROUTINES(R) DEVICE_INBAND_ROUTINES(R) DEVICE_IO_ROUTINES(R) \
	PCI_ARBITER_ROUTINES(R) PCI_FUNCTION_ROUTINES(R) CHAIN_ROUTINES(R) FS_NODE_ROUTINES(R) \
	FS_ROOT_ROUTINES(R) PROC_ROUTINES(R) TERM_ROUTINES(R) EXC_ROUTINES(R) MEMORY_OBJECT_ROUTINES(R)
/* The project's own protocols and the device calls it answers: docs/ has a
 * table of each. */
#define DOCUMENTED(R) DEVICE_MASTER_ROUTINES(R) DEVICE_INBAND_ROUTINES(R) DEVICE_IO_ROUTINES(R) \
	PCI_ARBITER_ROUTINES(R) PCI_FUNCTION_ROUTINES(R) CHAIN_ROUTINES(R) FS_NODE_ROUTINES(R) \
	FS_ROOT_ROUTINES(R) PROC_ROUTINES(R) TERM_ROUTINES(R)
#define CALLED(R) DEVICE_KERNEL_ROUTINES(R) KERNEL_ROUTINES(R) MEMORY_CONTROL_ROUTINES(R)
#define ALL(R) SERVED(R) CALLED(R)

/* Where one field lies: its first descriptor and the end of its data. */
struct place {
	uint32_t desc, data, end;
};

/* Lays out NF fields (the arguments of SPEC from index I on) after START
 * bytes, with every variable field at its most, as the kernel reads a
 * message: a descriptor (4 bytes, 12 in long form), then the data inline
 * rounded up to 4 bytes, or the 4-byte address of out-of-line data. */
static uint32_t lay_out(const struct msg_field *spec, unsigned n, uint32_t at, struct place *p)
{
	for (unsigned i = 0; i < n; i++) {
		const struct msg_field *f = &spec[i];
		p[i].desc = at;
		at += (f->flags & MSGF_LONG) ? 12 : 4;
		p[i].data = at;
		if (f->flags & MSGF_OOL)
			at += 4;
		else
			at += MSG_ALIGN((uint32_t)(((uint64_t)f->bits * f->count + 7) / 8));
		p[i].end = at;
	}
	return at;
}

/* A field's member X of T lies where the layout has field I (of NARGS
 * arguments): it starts at the descriptor (msg_word_t and friends carry
 * theirs) or at the data (after a separate x_type), and ends with the data. */
static int placed(size_t off, size_t size, const struct place *p, unsigned i, unsigned nargs)
{
	return (off == p[i].desc || off == p[i].data) && off + size == p[i + nargs - 1].end;
}

#define MEMBER_SIZE(T, x) sizeof(((T *)0)->x)

#define CHECK_REQ_FIELD(k, n, x)                                                         \
	CHECK(placed(offsetof(T_REQ, x), MEMBER_SIZE(T_REQ, x), rq, i, MSG_NARGS(k, n)),     \
	      "%s: request field " #x " at %zu..%zu, the layout has %u..%u", r->name,          \
	      offsetof(T_REQ, x), offsetof(T_REQ, x) + MEMBER_SIZE(T_REQ, x), rq[i].desc,       \
	      rq[i + MSG_NARGS(k, n) - 1].end);                                                \
	i += MSG_NARGS(k, n);
#define CHECK_REP_FIELD(k, n, x)                                                         \
	CHECK(placed(offsetof(T_REP, x), MEMBER_SIZE(T_REP, x), rp, i, MSG_NARGS(k, n)),     \
	      "%s: reply field " #x " at %zu, the layout has %u", r->name,                     \
	      offsetof(T_REP, x), rp[i].desc);                                                 \
	i += MSG_NARGS(k, n);

/* One routine: sizes, places, counts and kind. */
#define CHECK_ROUTINE(N, rid, kind)                                                     \
	{                                                                                     \
		const struct msg_routine *r = &N##_routine;                                    \
		struct place rq[SERVER_MAX_ARGS + 1], rp[SERVER_MAX_ARGS + 1];                   \
		CHECK(r->nreq <= SERVER_MAX_ARGS && r->nrep <= SERVER_MAX_ARGS + 1,               \
		      "%s: %u request fields, %u reply fields", r->name, r->nreq, r->nrep);       \
		uint32_t req_end = lay_out(r->req, r->nreq, sizeof(mach_msg_header_t), rq);      \
		uint32_t rep_end = lay_out(r->rep + 1, r->nrep - 1, sizeof(mig_reply_header_t), rp); \
		CHECK(sizeof(N##_request_t) == req_end && r->req_size == req_end,              \
		      "%s: request is %zu bytes, the layout %u", r->name, sizeof(N##_request_t), req_end); \
		CHECK(sizeof(N##_reply_t) == rep_end && r->rep_size == rep_end,                \
		      "%s: reply is %zu bytes, the layout %u", r->name, sizeof(N##_reply_t), rep_end); \
		CHECK(r->rep[0].name == MACH_MSG_TYPE_INTEGER_32 && r->rep[0].count == 1,         \
		      "%s: the reply starts with the return code", r->name);                      \
		CHECK(!r->simple || r->nrep == 1, "%s: a simpleroutine with reply fields", r->name); \
		CHECK(r->id == (rid) && strcmp(r->name, #N) == 0, "%s: id %d", r->name, r->id);  \
		CHECK(id_names(#rid, #N), "%s has the id of %s", #N, #rid);                       \
		unsigned i = 0;                                                                   \
		_Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wunused-local-typedefs\"") \
		{ typedef N##_request_t T_REQ; N##_REQUEST(CHECK_REQ_FIELD) }              \
		CHECK(i == r->nreq, "%s: %u request arguments, the table has %u", r->name, i, r->nreq); \
		i = 0;                                                                            \
		{ typedef N##_reply_t T_REP; N##_REPLY(CHECK_REP_FIELD) }                  \
		_Pragma("GCC diagnostic pop")                                                     \
		CHECK(i + 1 == r->nrep, "%s: %u reply fields, the table has %u", r->name, i, r->nrep - 1); \
		for (unsigned k = 0; k < r->nreq; k++)                                            \
			if (r->req[k].flags & MSGF_VAR)                                           \
				CHECK(k + 1 == r->nreq, "%s: a variable field is not the last", r->name); \
		for (unsigned k = 1; k < r->nrep; k++)                                            \
			if ((r->rep[k].flags & MSGF_VAR) && !(r->rep[k].flags & MSGF_OOL))        \
				CHECK(k + 1 == r->nrep, "%s: a variable reply field is not the last", r->name); \
		routines[nroutines++] = r;                                                        \
	}

/* Whether ID is NAME's constant (ID_DEVICE_OPEN for device_open), so that
 * tests/unit/defs_ids.sh, which compares the constants with the kernel's
 * .defs, holds the definitions too. */
static int id_names(const char *id, const char *name)
{
	if (strncmp(id, "ID_", 3) != 0 || strlen(id + 3) != strlen(name))
		return 0;
	for (size_t i = 0; name[i]; i++)
		if (id[3 + i] != (name[i] >= 'a' && name[i] <= 'z' ? name[i] - 'a' + 'A' : name[i]))
			return 0;
	return 1;
}

#define COUNT_ONE(name, id, kind) + 1
static const struct msg_routine *routines[0 ALL(COUNT_ONE)];
static unsigned nroutines;

/* Ids: unique, and each in a subsystem the project knows. */
static void check_ids(void)
{
	static const struct { int base; const char *what; } subsystems[] = {
		{ 2000, "mach" }, { 2200, "memory_object" }, { 2400, "exc" }, { 2600, "mach_host" },
		{ 2800, "device" }, { 3200, "mach_port" }, { 3800, "mach_i386" }, { 4200, "gnumach" },
		{ 39000, "Hurd pci" }, { 46000, "chain" }, { 47000, "pci arbiter" }, { 47010, "pci function" },
		{ 48000, "fs" }, { 49000, "exec" }, { 50000, "term" },
	};
	for (unsigned i = 0; i < nroutines; i++) {
		int known = 0;
		for (unsigned s = 0; s < sizeof subsystems / sizeof subsystems[0]; s++)
			known |= routines[i]->id >= subsystems[s].base && routines[i]->id < subsystems[s].base + 100;
		CHECK(known, "%s: id %d in no subsystem", routines[i]->name, routines[i]->id);
		for (unsigned k = 0; k < i; k++)
			CHECK(routines[k]->id != routines[i]->id, "%s and %s share id %d",
			      routines[k]->name, routines[i]->name, routines[i]->id);
	}
}

/* --- the server side: a handler gets the fields by name ---------------------- */

static struct { natural_t mode, recnum, bytes; char data[16]; natural_t count; int calls; } seen;

static kern_return_t serve_device_read_inband(struct request *rq, const struct device_read_inband_in *in)
{
	seen.mode = in->mode, seen.recnum = in->recnum, seen.bytes = in->bytes;
	seen.calls++;
	rq->reply_size = sizeof(mig_reply_header_t);
	return KERN_SUCCESS;
}

static kern_return_t serve_device_write_inband(struct request *rq, const struct device_write_inband_in *in)
{
	seen.recnum = in->recnum;
	seen.count = in->data.count;
	memcpy(seen.data, in->data.data, in->data.count < sizeof seen.data ? in->data.count : sizeof seen.data);
	seen.calls++;
	rq->reply_size = sizeof(mig_reply_header_t);
	return KERN_SUCCESS;
}

SERVER_INTERFACE(static, inband_interface, "inband", DEVICE_INBAND_ROUTINES);

static void no_release(mach_msg_header_t *m)
{
	(void)m;
}

static void check_server(void)
{
	static const struct interface *const ifaces[] = { &inband_interface, NULL };
	struct port_info pi = { 5, ifaces, NULL, NULL };
	union { mig_reply_header_t r; char buf[256]; } out;
	CHECK(inband_interface.nroutines == 2, "the interface counts its routines: %u", inband_interface.nroutines);

	device_read_inband_request_t rd;
	rpc_head(&rd.head, 7, ID_DEVICE_READ_INBAND, 0);
	rd.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, 0);   /* as received */
	rd.head.msgh_size = sizeof rd;
	rd.mode = w_int(1), rd.recnum = w_int(2), rd.bytes = w_int(3);
	int sent = server_demux(&pi, &rd.head, &out.r.head, sizeof out, no_release);
	CHECK(sent && out.r.ret == KERN_SUCCESS && seen.calls == 1 && seen.mode == 1 && seen.recnum == 2
	      && seen.bytes == 3, "device_read_inband's handler got mode %u, recnum %u, bytes %u",
	      seen.mode, seen.recnum, seen.bytes);

	device_write_inband_request_t wr;
	rpc_head(&wr.head, 7, ID_DEVICE_WRITE_INBAND, 0);
	wr.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, 0);
	wr.mode = w_int(0), wr.recnum = w_int(9);
	wr.data_type = MSGT_INLINE(MACH_MSG_TYPE_CHAR, 8, 5);
	memcpy(wr.data, "hello", 5);
	wr.head.msgh_size = offsetof(device_write_inband_request_t, data) + MSG_ALIGN(5);
	sent = server_demux(&pi, &wr.head, &out.r.head, sizeof out, no_release);
	CHECK(sent && out.r.ret == KERN_SUCCESS && seen.calls == 2 && seen.recnum == 9 && seen.count == 5
	      && memcmp(seen.data, "hello", 5) == 0, "device_write_inband's handler got %u bytes at record %u",
	      seen.count, seen.recnum);

	/* a request that breaks the definition never reaches a handler */
	rd.recnum = w_i16(2);
	rd.head.msgh_remote_port = 7;                  /* the first reply used it up */
	sent = server_demux(&pi, &rd.head, &out.r.head, sizeof out, no_release);
	CHECK(sent && out.r.ret == MIG_BAD_ARGUMENTS && seen.calls == 2, "a 16-bit recnum: %d", out.r.ret);
}

/* --- the client side: msg_call's check of a request it is about to send ------ */

/* The disposition a sender writes for a right the definition receives as NAME. */
static unsigned sent_as(unsigned name)
{
	return name == MACH_MSG_TYPE_PORT_SEND ? MACH_MSG_TYPE_COPY_SEND
	       : name == MACH_MSG_TYPE_PORT_SEND_ONCE ? MACH_MSG_TYPE_MAKE_SEND_ONCE : name;
}

/* Writes into BUF a request of R built from its definition alone (each
 * variable field at its most, every right a valid name); returns its size
 * and, in DESC, where each argument's descriptor lies. */
static uint32_t build_request(const struct msg_routine *r, uint8_t *buf, uint32_t *desc)
{
	struct place p[SERVER_MAX_ARGS + 1];
	uint32_t end = lay_out(r->req, r->nreq, sizeof(mach_msg_header_t), p);
	memset(buf, 0, end);
	mach_msg_header_t *h = (mach_msg_header_t *)buf;
	int complex = 0;
	for (unsigned i = 0; i < r->nreq; i++) {
		const struct msg_field *f = &r->req[i];
		unsigned name = sent_as(f->name);
		int ool = (f->flags & MSGF_OOL) != 0;
		complex |= ool || MACH_MSG_TYPE_PORT_ANY(f->name);
		if (f->flags & MSGF_LONG) {
			mach_msg_type_long_t t = MSGT_LONG(name, f->bits, f->count);
			t.msgtl_header.msgt_inline = !ool;
			memcpy(buf + p[i].desc, &t, sizeof t);
		} else {
			mach_msg_type_t t = ool ? MSGT_OOL(name, f->bits, f->count) : MSGT_INLINE(name, f->bits, f->count);
			memcpy(buf + p[i].desc, &t, sizeof t);
		}
		if (MACH_MSG_TYPE_PORT_ANY(f->name) && !ool)
			for (uint32_t k = 0; k < f->count; k++)
				memcpy(buf + p[i].data + 4 * k, &(mach_port_t){ 40 + k }, 4);
		desc[i] = p[i].desc;
	}
	rpc_head(h, 7, r->id, complex);
	h->msgh_size = end;
	return end;
}

/* Every field of every routine: a request built from the definition passes,
 * and one with that field's descriptor one bit wider is refused, naming it. */
static void check_sent(void)
{
	static uint8_t buf[16384];
	uint32_t desc[SERVER_MAX_ARGS + 1];
	for (unsigned k = 0; k < nroutines; k++) {
		const struct msg_routine *r = routines[k];
		build_request(r, buf, desc);
		mach_msg_header_t *h = (mach_msg_header_t *)buf;
		int bad = msg_check_sent(h, r->req, r->nreq);
		CHECK(bad == -1, "%s: a request built from its definition refused at %d", r->name, bad);
		for (unsigned i = 0; i < r->nreq; i++) {
			mach_msg_type_t *t = (mach_msg_type_t *)(buf + desc[i]);
			if (t->msgt_longform)
				((mach_msg_type_long_t *)t)->msgtl_size++;
			else
				t->msgt_size++;
			bad = msg_check_sent(h, r->req, r->nreq);
			CHECK(bad == (int)i, "%s: field %u's wrong size found at %d", r->name, i, bad);
			if (t->msgt_longform)
				((mach_msg_type_long_t *)t)->msgtl_size--;
			else
				t->msgt_size--;
		}
	}

	/* the mistakes a client can make, as clients write requests */
	fs_read_request_t rd;
	rpc_head(&rd.head, 7, ID_FS_READ, 0);
	rd.head.msgh_size = sizeof rd;
	rd.offset = w_u64(4096);
	rd.count = w_int(10);
	CHECK(msg_check_sent(&rd.head, fs_read_routine.req, fs_read_routine.nreq) == -1, "fs_read as lib/fs writes it");
	rd.offset.type = MSGT_INT32;      /* the 64-bit offset spelled as a 32-bit integer */
	int bad = msg_check_sent(&rd.head, fs_read_routine.req, fs_read_routine.nreq);
	CHECK(bad == 0 && strcmp(msg_req_name(&fs_read_routine, 0), "offset") == 0,
	      "fs_read with a 32-bit offset: refused at field %s", bad < 0 ? "none" : msg_req_name(&fs_read_routine, bad));

	fs_link_request_t ln;
	rpc_head(&ln.head, 7, ID_FS_LINK, 1);
	ln.head.msgh_size = sizeof ln;
	ln.node = w_port(40, MACH_MSG_TYPE_MAKE_SEND);
	ln.name_type = MSGT_LONG(MACH_MSG_TYPE_STRING_C, 8 * FS_NAME_MAX, 1);
	memset(ln.name, 0, sizeof ln.name);
	CHECK(msg_check_sent(&ln.head, fs_link_routine.req, fs_link_routine.nreq) == -1, "fs_link with MAKE_SEND");
	ln.node = w_port(40, MACH_MSG_TYPE_MOVE_RECEIVE);
	bad = msg_check_sent(&ln.head, fs_link_routine.req, fs_link_routine.nreq);
	CHECK(bad == 0 && strcmp(msg_req_name(&fs_link_routine, (unsigned)bad), "node") == 0,
	      "fs_link giving a receive right for a send right: refused at %d", bad);
	ln.node = w_port(MACH_PORT_NULL, MACH_MSG_TYPE_COPY_SEND);
	CHECK(msg_check_sent(&ln.head, fs_link_routine.req, fs_link_routine.nreq) == 0, "fs_link with no node refused");
	ln.node = w_port(40, MACH_MSG_TYPE_COPY_SEND);
	ln.head.msgh_bits &= ~MACH_MSGH_BITS_COMPLEX;
	CHECK(msg_check_sent(&ln.head, fs_link_routine.req, fs_link_routine.nreq) == 0, "a right without COMPLEX refused");

	/* mach_port_insert_right's right is polymorphic in GNU Mach's .defs:
	 * a receive right moved into another task (fsbench's echo task) is
	 * one, an integer is not */
	mach_port_insert_right_request_t ins;
	rpc_head(&ins.head, 7, ID_MACH_PORT_INSERT_RIGHT, 1);
	ins.head.msgh_size = sizeof ins;
	ins.name = w_name(40);
	const unsigned rights[] = { MACH_MSG_TYPE_MOVE_RECEIVE, MACH_MSG_TYPE_MAKE_SEND, MACH_MSG_TYPE_COPY_SEND,
	                            MACH_MSG_TYPE_MOVE_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE, MACH_MSG_TYPE_MOVE_SEND_ONCE };
	for (unsigned i = 0; i < sizeof rights / sizeof rights[0]; i++) {
		ins.poly = w_port(40, rights[i]);
		CHECK(msg_check_sent(&ins.head, mach_port_insert_right_routine.req, mach_port_insert_right_routine.nreq) == -1,
		      "mach_port_insert_right with disposition %u", rights[i]);
	}
	ins.poly = w_int(40);
	bad = msg_check_sent(&ins.head, mach_port_insert_right_routine.req, mach_port_insert_right_routine.nreq);
	CHECK(bad == 1, "mach_port_insert_right with an integer for the right: refused at %d", bad);

	/* so is mach_port_extract_right's reply: the kernel sends the right the
	 * caller asked for (lib/chain/task_image.c asks for COPY_SEND, which
	 * arrives as a send right) */
	mach_port_extract_right_reply_t ext;
	const struct msg_routine *er = &mach_port_extract_right_routine;
	rpc_head(&ext.h.head, 7, MSG_REPLY_ID(ID_MACH_PORT_EXTRACT_RIGHT), 1);
	ext.h.head.msgh_size = sizeof ext;
	ext.h.ret_type = MSGT_INLINE(MACH_MSG_TYPE_INTEGER_32, 32, 1);
	ext.h.ret = KERN_SUCCESS;
	const unsigned received[] = { MACH_MSG_TYPE_PORT_SEND, MACH_MSG_TYPE_PORT_SEND_ONCE, MACH_MSG_TYPE_PORT_RECEIVE };
	struct msg_arg args[2];
	for (unsigned i = 0; i < sizeof received / sizeof received[0]; i++) {
		ext.poly = w_port(41, received[i]);
		CHECK(msg_parse(&ext.h.head, er->rep, er->nrep, args) == 0 && args[1].data == &ext.poly.v,
		      "mach_port_extract_right's reply with a right of type %u", received[i]);
	}
	ext.poly = w_int(41);
	CHECK(msg_parse(&ext.h.head, er->rep, er->nrep, args) == MIG_BAD_ARGUMENTS,
	      "mach_port_extract_right's reply with an integer for the right: refused");

	/* a run of descriptors is named by its field: proc_spawn's ports */
	build_request(&proc_spawn_routine, buf, desc);
	((mach_msg_type_t *)(buf + desc[3]))->msgt_name = MACH_MSG_TYPE_INTEGER_32;
	bad = msg_check_sent((mach_msg_header_t *)buf, proc_spawn_routine.req, proc_spawn_routine.nreq);
	CHECK(bad == 3 && strcmp(msg_req_name(&proc_spawn_routine, 3), "port") == 0,
	      "proc_spawn's third port refused as field %s",
	      bad < 0 ? "none" : msg_req_name(&proc_spawn_routine, (unsigned)bad));

	device_write_inband_request_t wr;
	rpc_head(&wr.head, 7, ID_DEVICE_WRITE_INBAND, 0);
	wr.mode = w_int(0), wr.recnum = w_int(0);
	wr.data_type = MSGT_INLINE(MACH_MSG_TYPE_CHAR, 8, 5);
	wr.head.msgh_size = offsetof(device_write_inband_request_t, data) + MSG_ALIGN(5);
	CHECK(msg_check_sent(&wr.head, device_write_inband_routine.req, device_write_inband_routine.nreq) == -1,
	      "device_write_inband of 5 bytes as lib/mach writes it");
	wr.head.msgh_size += 4;
	bad = msg_check_sent(&wr.head, device_write_inband_routine.req, device_write_inband_routine.nreq);
	CHECK(bad == 3 && strcmp(msg_req_name(&device_write_inband_routine, 3), "(the message's end)") == 0,
	      "4 bytes too many: refused at the end (%d)", bad);
}

/* --- the documented routines, for tests/unit/defs_docs.sh ------------------- */

#define LIST_ONE(N, rid, kind) \
	printf("%d %s %u %u\n", N##_routine.id, #N, N##_routine.req_size, N##_routine.rep_size);

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--list") == 0) {
		DOCUMENTED(LIST_ONE)
		printf("%d %s %u %u\n", fs_read_routine.id, "fs_read", fs_read_routine.req_size,
		       (unsigned)sizeof(fs_read_ool_reply_t));    /* fs_read's other reply */
		return 0;
	}
	ALL(CHECK_ROUTINE)
	CHECK(nroutines == sizeof routines / sizeof routines[0], "%u routines checked", nroutines);
	check_ids();
	check_server();
	check_sent();
	return unit_report();
}
