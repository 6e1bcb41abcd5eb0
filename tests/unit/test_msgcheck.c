/* Message layouts and message checking (include/mach/kernel_msgs.h, device_msgs.h,
 * lib/mach/msgcheck.c).
 *
 * Messages are built word by word with descriptor words encoded here by hand
 * (so the tests do not trust the project's bit-field structs) and also with
 * the project's own layouts.  Every message is checked from a copy that ends
 * exactly at an inaccessible page, so that reading a byte past msgh_size
 * crashes the test instead of passing unnoticed. */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
#include "rt/rt.h"
#include "mach/msgcheck.h"
#include "mach/kernel_msgs.h"
#include "mach/device_msgs.h"
#include "mach/rpc_util.h"
#include "unit.h"

/* --- descriptor words, as the i386 kernel reads them ------------------- */

/* name:8 size:8 number:12 inline:1 longform:1 deallocate:1 unused:1 */
#define T_INLINE   (1u << 28)
#define T_LONGFORM (1u << 29)
#define T_DEALLOC  (1u << 30)
static uint32_t tshort(unsigned name, unsigned bits, unsigned number, int inl)
{
	if (name > 0xff || bits > 0xff || number > 0xfff) {
		printf("FAIL: test bug: short descriptor %u %u %u does not fit\n", name, bits, number);
		_exit(1);
	}
	return name | bits << 8 | number << 16 | (inl ? T_INLINE : 0);
}

static uint32_t word_of(const void *p)
{
	uint32_t w;
	memcpy(&w, p, 4);
	return w;
}

/* --- a message under construction --------------------------------------- */

struct msg {
	union {
		mach_msg_header_t h;
		uint32_t w[1200];
	} u;
	uint32_t len;       /* bytes so far */
};

static void begin(struct msg *m, int complex)
{
	memset(m, 0, sizeof *m);
	/* as received: the reply right in msgh_remote_port */
	m->u.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, MACH_MSG_TYPE_PORT_SEND)
	                   | (complex ? MACH_MSGH_BITS_COMPLEX : 0);
	m->u.h.msgh_remote_port = 0x105;
	m->u.h.msgh_local_port = 0x207;
	m->u.h.msgh_id = 2800;
	m->len = sizeof(mach_msg_header_t);
}

static void word(struct msg *m, uint32_t w)
{
	memcpy((char *)m->u.w + m->len, &w, 4);
	m->len += 4;
}

/* Inline data, padded to 4 bytes. */
static void data(struct msg *m, const void *p, uint32_t n)
{
	memcpy((char *)m->u.w + m->len, p, n);
	m->len += n;
	while (m->len & 3)
		((char *)m->u.w)[m->len++] = 0;
}

static void tlong(struct msg *m, unsigned name, unsigned bits, uint32_t number, int inl)
{
	word(m, T_LONGFORM | (inl ? T_INLINE : 0));
	word(m, name | bits << 16);
	word(m, number);
}

static void int32(struct msg *m, uint32_t v)
{
	word(m, tshort(MACH_MSG_TYPE_INTEGER_32, 32, 1, 1));
	word(m, v);
}

static void port(struct msg *m, unsigned type, mach_port_t name)
{
	word(m, tshort(type, 32, 1, 1));
	word(m, name);
}

static void finish(struct msg *m)
{
	m->u.h.msgh_size = m->len;
}

/* --- checking from a guarded copy ---------------------------------------- */

static char *guard_page;    /* two pages: readable, then PROT_NONE */
static long page;

static void guard_init(void)
{
	page = sysconf(_SC_PAGESIZE);
	guard_page = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (guard_page == MAP_FAILED || mprotect(guard_page + page, page, PROT_NONE) != 0) {
		printf("FAIL: cannot set up a guard page\n");
		_exit(1);
	}
}

/* Copies the first SIZE bytes of M, SIZE becoming its msgh_size, so that
 * they end at the guard page (up to 3 bytes earlier for a SIZE that is not a
 * multiple of 4, to keep the header aligned).  The header is always there
 * whole, as the kernel always delivers it. */
static mach_msg_header_t *guarded(const struct msg *m, uint32_t size)
{
	uint32_t room = (size + 3) & ~3u;
	if (room < sizeof(mach_msg_header_t))
		room = sizeof(mach_msg_header_t);
	char *at = guard_page + page - room;
	memset(guard_page, 0xee, page);
	memcpy(at, m->u.w, room);
	mach_msg_header_t *h = (mach_msg_header_t *)at;
	h->msgh_size = size;
	return h;
}

static struct msg_arg args[8];
static const char *base;    /* where the checked copy starts */

/* msg_parse on a guarded copy of M with its size set to SIZE. */
static int parse_at(const struct msg *m, uint32_t size, const struct msg_field *spec, unsigned n)
{
	memset(args, 0, sizeof args);
	mach_msg_header_t *h = guarded(m, size);
	base = (const char *)h;
	return msg_parse(h, spec, n, args);
}
static int parse(const struct msg *m, const struct msg_field *spec, unsigned n)
{
	return parse_at(m, m->u.h.msgh_size, spec, n);
}
#define N(spec) (sizeof spec / sizeof spec[0])
#define OFF(a) ((long)((const char *)(a).data - base))

/* --- the specs under test ------------------------------------------------ */

static const struct msg_field spec_ints[] = { MSGF_INT32, MSGF_INT32, MSGF_INT32 };
static const struct msg_field spec_open[] = { MSGF_INT32, MSGF_STRING(DEV_NAME_MAX) };
static const struct msg_field spec_port[] = { MSGF_SEND, MSGF_INT32 };
static const struct msg_field spec_port_null[] = { MSGF_SEND_OR_NULL, MSGF_INT32 };
static const struct msg_field spec_inband[] = { MSGF_INT32, MSGF_INT32, MSGF_CHARS(DEV_INBAND_MAX) };
static const struct msg_field spec_write[] = { MSGF_INT32, MSGF_INT32, MSGF_OOL_DATA };
static const struct msg_field spec_ool_short[] = { MSGF_OOL_BYTES(2048) };
static const struct msg_field spec_i16[] = { MSGF_INT16, MSGF_INT16 };
static const struct msg_field spec_str16[] = { MSGF_STRING(16) };
#define MSGF_INT64 MSGK_INT64_SPEC(1)
static const struct msg_field spec_contig[] = { MSGF_SEND, MSGF_INT32, MSGF_INT64, MSGF_INT64, MSGF_INT64 };
static const struct msg_field spec_huge_chars[] = { { MACH_MSG_TYPE_CHAR, 8, MSGF_VAR | MSGF_LONG, 0xffffffffu } };
static const struct msg_field spec_huge_bits[] = { { MACH_MSG_TYPE_INTEGER_8, 0xffff, MSGF_VAR | MSGF_LONG, 0xffffffffu } };

/* --- layouts ---------------------------------------------------------------- */

static void test_layouts(void)
{
	CHECK(sizeof(mach_msg_header_t) == 24 && offsetof(mach_msg_header_t, msgh_id) == 20, "header");
	CHECK(sizeof(mig_reply_header_t) == 32 && offsetof(mig_reply_header_t, ret_type) == 24
	      && offsetof(mig_reply_header_t, ret) == 28, "mig_reply_header_t");
	CHECK(offsetof(mach_msg_type_long_t, msgtl_name) == 4 && offsetof(mach_msg_type_long_t, msgtl_size) == 6
	      && offsetof(mach_msg_type_long_t, msgtl_number) == 8, "long descriptor");
	CHECK(sizeof(msg_dword_t) == 12 && offsetof(msg_dword_t, v) == 4, "64-bit words sit 4 bytes in");
	CHECK(offsetof(msg_ool_t, addr) == 12, "OOL address after the long descriptor");

	CHECK(sizeof(device_open_request_t) == 172, "device_open_request_t is %zu", sizeof(device_open_request_t));
	CHECK(offsetof(device_open_request_t, mode) == 24 && offsetof(device_open_request_t, name_type) == 32
	      && offsetof(device_open_request_t, name) == 44, "device_open_request_t: name at %zu",
	      offsetof(device_open_request_t, name));
	CHECK(sizeof(device_write_inband_request_t) == 172 && offsetof(device_write_inband_request_t, recnum) == 32
	      && offsetof(device_write_inband_request_t, data_type) == 40
	      && offsetof(device_write_inband_request_t, data) == 44, "device_write_inband_request_t");
	CHECK(sizeof(device_write_request_t) == 56 && offsetof(device_write_request_t, data) == 40
	      && offsetof(device_write_request_t, data.addr) == 52, "device_write_request_t");
	CHECK(sizeof(device_read_inband_reply_t) == 164 && offsetof(device_read_inband_reply_t, data_type) == 32
	      && offsetof(device_read_inband_reply_t, data) == 36, "device_read_inband_reply_t");
	CHECK(sizeof(device_read_request_t) == 48 && sizeof(device_read_reply_t) == 48
	      && offsetof(device_read_reply_t, data.addr) == 44, "device_read request and reply");
	CHECK(sizeof(device_open_reply_t) == 40 && offsetof(device_open_reply_t, device.v) == 36, "device_open_reply_t");
	CHECK(sizeof(vm_allocate_contiguous_request_t) == 76, "vm_allocate_contiguous_request_t is %zu",
	      sizeof(vm_allocate_contiguous_request_t));
	CHECK(offsetof(vm_allocate_contiguous_request_t, task) == 24 && offsetof(vm_allocate_contiguous_request_t, size) == 32
	      && offsetof(vm_allocate_contiguous_request_t, pmin) == 40 && offsetof(vm_allocate_contiguous_request_t, pmin.v) == 44
	      && offsetof(vm_allocate_contiguous_request_t, pmax) == 52 && offsetof(vm_allocate_contiguous_request_t, palign) == 64,
	      "vm_allocate_contiguous_request_t offsets");
	CHECK(sizeof(vm_allocate_contiguous_reply_t) == 52 && offsetof(vm_allocate_contiguous_reply_t, vaddr) == 32
	      && offsetof(vm_allocate_contiguous_reply_t, paddr.v) == 44, "vm_allocate_contiguous_reply_t");
	CHECK(sizeof(vm_map_request_t) == 104 && offsetof(vm_map_request_t, memobj) == 56
	      && offsetof(vm_map_request_t, inherit) == 96, "vm_map_request_t");
	CHECK(sizeof(task_set_name_request_t) == 92 && offsetof(task_set_name_request_t, name) == 28, "task_set_name_request_t");
	CHECK(offsetof(rep_ints_t, v) == 36 && offsetof(req_flavor_ints_t, type) == 32
	      && offsetof(req_flavor_ints_t, v) == 36, "integer arrays");
	CHECK(sizeof(vm_write_request_t) == 48 && offsetof(vm_write_request_t, data.addr) == 44, "vm_write_request_t");
	CHECK(sizeof(rep_time_t) == 44 && offsetof(rep_time_t, v) == 36, "rep_time_t");

	/* the bit-field structs encode descriptors as the kernel reads them */
	mach_msg_type_t t = MSGT_INT32;
	CHECK(word_of(&t) == 0x10012002u, "MSGT_INT32 is %#x", word_of(&t));
	CHECK(word_of(&t) == tshort(MACH_MSG_TYPE_INTEGER_32, 32, 1, 1), "tshort agrees");
	t = MSGT_OOL(MACH_MSG_TYPE_INTEGER_8, 8, 100);
	CHECK(word_of(&t) == 0x00640809u, "MSGT_OOL is %#x", word_of(&t));
	t = MSGT_INLINE(MACH_MSG_TYPE_CHAR, 8, 4095);
	CHECK(word_of(&t) == tshort(MACH_MSG_TYPE_CHAR, 8, 4095, 1), "12-bit count");
	t = (mach_msg_type_t){ .msgt_deallocate = 1 };
	CHECK(word_of(&t) == T_DEALLOC, "deallocate bit %#x", word_of(&t));
	mach_msg_type_long_t l = MSGT_LONG(MACH_MSG_TYPE_STRING_C, 1024, 1);
	uint32_t lw[3];
	memcpy(lw, &l, sizeof lw);
	CHECK(lw[0] == (T_INLINE | T_LONGFORM) && lw[1] == (12u | 1024u << 16) && lw[2] == 1,
	      "MSGT_LONG is %#x %#x %#x", lw[0], lw[1], lw[2]);
	msg_ool_t o = w_ool((void *)(uintptr_t)0x1234000, 5000);
	memcpy(lw, &o, sizeof lw);
	CHECK(lw[0] == T_LONGFORM && lw[1] == (9u | 8u << 16) && lw[2] == 5000 && o.addr == 0x1234000,
	      "w_ool: out of line, long form, INTEGER_8");
}

/* --- well-formed messages -------------------------------------------------- */

static void test_accept(void)
{
	struct msg m;
	/* three integers (device_read), by hand and with the project's layout */
	begin(&m, 0);
	int32(&m, D_READ);
	int32(&m, 7);
	int32(&m, 4096);
	finish(&m);
	CHECK(m.len == sizeof(device_read_request_t), "hand-built device_read is %u bytes", m.len);
	CHECK(parse(&m, spec_ints, N(spec_ints)) == 0, "three integers");
	CHECK(OFF(args[0]) == 28 && OFF(args[1]) == 36 && OFF(args[2]) == 44 && args[2].count == 1
	      && *(const uint32_t *)args[2].data == 4096, "integer arguments located");

	device_read_request_t rr;
	rpc_head(&rr.head, 5, ID_DEVICE_READ, 0);
	rr.head.msgh_size = sizeof rr;
	rr.mode = w_int(1), rr.recnum = w_int(2), rr.bytes = w_int(3);
	memcpy(m.u.w, &rr, sizeof rr);
	CHECK(parse_at(&m, sizeof rr, spec_ints, N(spec_ints)) == 0, "device_read from the project's layout");

	/* device_open: an integer and a long-form string of 128 bytes */
	device_open_request_t op = { 0 };
	rpc_head(&op.head, 5, ID_DEVICE_OPEN, 0);
	op.head.msgh_size = sizeof op;
	op.mode = w_int(D_READ | D_WRITE);
	op.name_type = MSGT_LONG(MACH_MSG_TYPE_STRING_C, 8 * DEV_NAME_MAX, 1);
	strcpy(op.name, "hd0s1");
	memcpy(m.u.w, &op, sizeof op);
	CHECK(parse_at(&m, sizeof op, spec_open, N(spec_open)) == 0, "device_open request");
	CHECK(OFF(args[1]) == 44 && args[1].count == 1 && strcmp(args[1].data, "hd0s1") == 0,
	      "device name at offset %ld", OFF(args[1]));

	begin(&m, 0);
	int32(&m, 0);
	tlong(&m, MACH_MSG_TYPE_STRING_C, 1024, 1, 1);
	char name[DEV_NAME_MAX] = "vd0";
	data(&m, name, sizeof name);
	finish(&m);
	CHECK(m.len == 172 && parse(&m, spec_open, N(spec_open)) == 0, "hand-built device_open");

	/* a port in a complex message */
	begin(&m, 1);
	port(&m, MACH_MSG_TYPE_PORT_SEND, 0x33);
	int32(&m, 1);
	finish(&m);
	CHECK(parse(&m, spec_port, N(spec_port)) == 0, "a send right and an integer");
	CHECK(args[0].count == 1 && *(const mach_port_t *)args[0].data == 0x33, "the port name");
	CHECK(parse(&m, spec_port_null, N(spec_port_null)) == 0, "a valid port where null is also fine");
	begin(&m, 1);
	port(&m, MACH_MSG_TYPE_PORT_SEND, MACH_PORT_NULL);
	int32(&m, 1);
	finish(&m);
	CHECK(parse(&m, spec_port_null, N(spec_port_null)) == 0, "a null port with MSGF_NULL_OK");

	/* a complex message whose spec has no ports is still fine */
	begin(&m, 1);
	int32(&m, 1), int32(&m, 2), int32(&m, 3);
	finish(&m);
	CHECK(parse(&m, spec_ints, N(spec_ints)) == 0, "complex bit without ports");

	/* a variable CHAR array of every length from 0 to 128 */
	int bad = 0;
	char bytes[DEV_INBAND_MAX + 4];
	for (unsigned i = 0; i < sizeof bytes; i++)
		bytes[i] = (char)('a' + i % 26);
	for (unsigned n = 0; n <= DEV_INBAND_MAX; n++) {
		begin(&m, 0);
		int32(&m, 0);
		int32(&m, 0);
		word(&m, tshort(MACH_MSG_TYPE_CHAR, 8, n, 1));
		data(&m, bytes, n);
		finish(&m);
		if (parse(&m, spec_inband, N(spec_inband)) != 0 || args[2].count != n || OFF(args[2]) != 44
		    || memcmp(args[2].data, bytes, n) != 0)
			bad++;
		if (m.len != 44 + MSG_ALIGN(n))
			bad++;
	}
	CHECK(bad == 0, "inband arrays of 0..128 bytes: %d wrong", bad);

	device_write_inband_request_t wi;
	rpc_head(&wi.head, 5, ID_DEVICE_WRITE_INBAND, 0);
	wi.mode = w_int(0), wi.recnum = w_int(3);
	wi.data_type = MSGT_INLINE(MACH_MSG_TYPE_CHAR, 8, 11);
	memcpy(wi.data, "hello world", 11);
	wi.head.msgh_size = offsetof(device_write_inband_request_t, data) + MSG_ALIGN(11);
	memcpy(m.u.w, &wi, sizeof wi);
	CHECK(parse_at(&m, wi.head.msgh_size, spec_inband, N(spec_inband)) == 0 && args[2].count == 11,
	      "device_write_inband from the project's layout");

	/* an out-of-line region, long form (device_write) */
	begin(&m, 1);
	int32(&m, 0);
	int32(&m, 9);
	tlong(&m, MACH_MSG_TYPE_INTEGER_8, 8, 65536, 0);
	word(&m, 0x40000000u);
	finish(&m);
	CHECK(m.len == sizeof(device_write_request_t), "hand-built device_write is %u bytes", m.len);
	CHECK(parse(&m, spec_write, N(spec_write)) == 0, "an OOL region");
	CHECK(args[2].count == 65536 && OFF(args[2]) == 52 && *(const vm_offset_t *)args[2].data == 0x40000000u,
	      "OOL: count and the body word holding the address");

	device_write_request_t dw;
	rpc_head(&dw.head, 5, ID_DEVICE_WRITE, 1);
	dw.head.msgh_size = sizeof dw;
	dw.mode = w_int(0), dw.recnum = w_int(0);
	dw.data = w_ool((void *)(uintptr_t)0x8000, 512);
	memcpy(m.u.w, &dw, sizeof dw);
	CHECK(parse_at(&m, sizeof dw, spec_write, N(spec_write)) == 0 && args[2].count == 512,
	      "device_write from the project's layout");

	/* a short-form OOL region, with an empty one */
	begin(&m, 1);
	word(&m, tshort(MACH_MSG_TYPE_INTEGER_8, 8, 2048, 0));
	word(&m, 0x1000);
	finish(&m);
	CHECK(parse(&m, spec_ool_short, 1) == 0 && args[0].count == 2048, "short-form OOL of 2048 bytes");
	begin(&m, 1);
	word(&m, tshort(MACH_MSG_TYPE_INTEGER_8, 8, 0, 0));
	word(&m, 0);
	finish(&m);
	CHECK(parse(&m, spec_ool_short, 1) == 0 && args[0].count == 0, "an empty OOL region");

	/* 16-bit integers travel padded to 4 bytes (i386_io_perm_create) */
	begin(&m, 0);
	word(&m, tshort(MACH_MSG_TYPE_INTEGER_16, 16, 1, 1));
	word(&m, 0xcf8);
	word(&m, tshort(MACH_MSG_TYPE_INTEGER_16, 16, 1, 1));
	word(&m, 0xcff);
	finish(&m);
	CHECK(parse(&m, spec_i16, N(spec_i16)) == 0 && *(const uint16_t *)args[1].data == 0xcff, "two INT16");

	/* vm_allocate_contiguous: a port, an integer and three 64-bit integers */
	vm_allocate_contiguous_request_t vc;
	rpc_head(&vc.head, 5, ID_VM_ALLOCATE_CONTIGUOUS, 1);
	vc.head.msgh_size = sizeof vc;
	vc.task = w_port(0x44, MACH_MSG_TYPE_PORT_SEND);
	vc.size = w_int(65536);
	vc.pmin = w_u64(0), vc.pmax = w_u64(0x100000000ull), vc.palign = w_u64(4096);
	memcpy(m.u.w, &vc, sizeof vc);
	CHECK(parse_at(&m, sizeof vc, spec_contig, N(spec_contig)) == 0, "vm_allocate_contiguous request");
	CHECK(OFF(args[3]) == 56 && ((const uint32_t *)args[3].data)[1] == 1, "64-bit pmax located");

	/* nothing expected, nothing given */
	begin(&m, 0);
	finish(&m);
	CHECK(parse(&m, NULL, 0) == 0, "an empty body for an empty spec");
}

/* --- malformed messages ------------------------------------------------- */

#define REJECT(m, spec, why) \
	CHECK(parse(m, spec, N(spec)) == MIG_BAD_ARGUMENTS, "accepted: %s", why)
#define REJECT_AT(m, size, spec, why) \
	CHECK(parse_at(m, size, spec, N(spec)) == MIG_BAD_ARGUMENTS, "accepted: %s (size %u)", why, (unsigned)(size))

static void open_msg(struct msg *m, uint32_t type0, uint32_t type1, uint32_t count)
{
	begin(m, 0);
	int32(m, 0);
	word(m, type0);
	word(m, type1);
	word(m, count);
	char name[DEV_NAME_MAX] = "hd0";
	data(m, name, sizeof name);
	finish(m);
}

static void test_reject(void)
{
	struct msg m;
	const uint32_t STR_LONG_W0 = T_LONGFORM | T_INLINE, STR_LONG_W1 = 12u | 1024u << 16;

	/* wrong type name, size, count */
	begin(&m, 0);
	int32(&m, 1);
	word(&m, tshort(MACH_MSG_TYPE_INTEGER_16, 32, 1, 1)), word(&m, 2);
	int32(&m, 3);
	finish(&m);
	REJECT(&m, spec_ints, "INTEGER_16 where INTEGER_32 expected");
	m.u.w[8] = tshort(MACH_MSG_TYPE_INTEGER_32, 16, 1, 1);
	REJECT(&m, spec_ints, "16 bits where 32 expected");
	m.u.w[8] = tshort(MACH_MSG_TYPE_BOOLEAN, 32, 1, 1);
	REJECT(&m, spec_ints, "BOOLEAN where INTEGER_32 expected");
	m.u.w[8] = tshort(MACH_MSG_TYPE_INTEGER_32, 32, 0, 1);
	REJECT(&m, spec_ints, "count 0 for a single integer");
	m.u.w[8] = tshort(MACH_MSG_TYPE_INTEGER_32, 32, 1, 1);
	CHECK(parse(&m, spec_ints, N(spec_ints)) == 0, "the repaired message passes");

	begin(&m, 0);
	int32(&m, 1);
	word(&m, tshort(MACH_MSG_TYPE_INTEGER_32, 32, 2, 1)), word(&m, 2), word(&m, 2);
	finish(&m);
	REJECT(&m, spec_ints, "two integers in one descriptor where one expected");

	open_msg(&m, STR_LONG_W0, 12u | 1024u << 16, 1);
	CHECK(parse(&m, spec_open, N(spec_open)) == 0, "the base device_open passes");
	open_msg(&m, STR_LONG_W0, MACH_MSG_TYPE_CHAR | 1024u << 16, 1);
	REJECT(&m, spec_open, "CHAR where STRING_C expected");
	open_msg(&m, STR_LONG_W0, 12u | 1016u << 16, 1);
	REJECT(&m, spec_open, "a string of 127 bytes where 128 expected");
	open_msg(&m, STR_LONG_W0, 12u | 8u << 16, 128);
	REJECT(&m, spec_open, "128 one-byte strings where one of 128 bytes expected");
	open_msg(&m, STR_LONG_W0, STR_LONG_W1, 0);
	REJECT(&m, spec_open, "count 0");

	/* long form where short expected, and the reverse */
	begin(&m, 0);
	int32(&m, 1);
	tlong(&m, MACH_MSG_TYPE_INTEGER_32, 32, 1, 1), word(&m, 2);
	int32(&m, 3);
	finish(&m);
	REJECT(&m, spec_ints, "a long-form integer");
	begin(&m, 0);
	word(&m, tshort(MACH_MSG_TYPE_STRING_C, 128, 1, 1));
	data(&m, "0123456789abcdef", 16);
	finish(&m);
	REJECT(&m, spec_str16, "a short-form string where long expected");
	begin(&m, 0);
	tlong(&m, MACH_MSG_TYPE_STRING_C, 128, 1, 1);
	data(&m, "0123456789abcdef", 16);
	finish(&m);
	CHECK(parse(&m, spec_str16, 1) == 0, "the long-form string of 16 passes");

	/* inline where out of line expected, and the reverse */
	begin(&m, 1);
	int32(&m, 0), int32(&m, 0);
	tlong(&m, MACH_MSG_TYPE_INTEGER_8, 8, 4, 1);
	word(&m, 0x01020304);
	finish(&m);
	REJECT(&m, spec_write, "inline data where OOL expected");
	begin(&m, 1);
	int32(&m, 0), int32(&m, 0);
	word(&m, tshort(MACH_MSG_TYPE_CHAR, 8, 100, 0));
	word(&m, 0x10000);
	finish(&m);
	REJECT(&m, spec_inband, "OOL data where inline expected");
	open_msg(&m, T_LONGFORM, STR_LONG_W1, 1);
	m.u.h.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	m.len = 32 + 12 + 4;
	finish(&m);
	REJECT(&m, spec_open, "an OOL string where inline expected");

	/* an OOL region without the complex bit: the kernel did not map it */
	begin(&m, 0);
	int32(&m, 0), int32(&m, 0);
	tlong(&m, MACH_MSG_TYPE_INTEGER_8, 8, 100, 0);
	word(&m, 0x10000);
	finish(&m);
	REJECT(&m, spec_write, "OOL data in a message that is not complex");

	/* ports */
	begin(&m, 0);
	port(&m, MACH_MSG_TYPE_PORT_SEND, 0x33);
	int32(&m, 1);
	finish(&m);
	REJECT(&m, spec_port, "a port in a message that is not complex");
	REJECT(&m, spec_port_null, "a port in a message that is not complex (null allowed)");
	begin(&m, 1);
	port(&m, MACH_MSG_TYPE_PORT_SEND, MACH_PORT_NULL);
	int32(&m, 1);
	finish(&m);
	REJECT(&m, spec_port, "a null port without MSGF_NULL_OK");
	m.u.w[7] = MACH_PORT_DEAD;
	REJECT(&m, spec_port, "a dead port without MSGF_NULL_OK");
	m.u.w[7] = 0x33;
	m.u.w[6] = tshort(MACH_MSG_TYPE_PORT_SEND_ONCE, 32, 1, 1);
	REJECT(&m, spec_port, "a send-once right where a send right expected");
	m.u.w[6] = tshort(MACH_MSG_TYPE_INTEGER_32, 32, 1, 1);
	REJECT(&m, spec_port, "an integer where a port expected");
	m.u.w[6] = tshort(MACH_MSG_TYPE_PORT_NAME, 32, 1, 1);
	REJECT(&m, spec_port, "a port name (no right) where a send right expected");

	/* variable arrays */
	begin(&m, 0);
	int32(&m, 0), int32(&m, 0);
	word(&m, tshort(MACH_MSG_TYPE_CHAR, 8, DEV_INBAND_MAX + 1, 1));
	char bytes[DEV_INBAND_MAX + 4] = { 0 };
	data(&m, bytes, DEV_INBAND_MAX + 1);
	finish(&m);
	REJECT(&m, spec_inband, "129 bytes where at most 128");
	begin(&m, 1);
	word(&m, tshort(MACH_MSG_TYPE_INTEGER_8, 8, 2049, 0));
	word(&m, 0x1000);
	finish(&m);
	REJECT(&m, spec_ool_short, "an OOL region over its maximum");

	/* sizes: a count whose data would not fit, or overflow */
	begin(&m, 0);
	tlong(&m, MACH_MSG_TYPE_CHAR, 8, 0xffffffffu, 1);
	data(&m, "abcd", 4);
	finish(&m);
	REJECT(&m, spec_huge_chars, "4 GiB of inline characters in a 40-byte message");
	m.u.w[8] = 0x7ffffffdu;
	REJECT(&m, spec_huge_chars, "2 GiB of inline characters");
	m.u.w[8] = 0x10000000u;
	REJECT(&m, spec_huge_chars, "256 MiB of inline characters");
	begin(&m, 0);
	tlong(&m, MACH_MSG_TYPE_INTEGER_8, 0xffff, 0xffffffffu, 1);
	data(&m, "abcd", 4);
	finish(&m);
	REJECT(&m, spec_huge_bits, "65535 bits times 2^32-1: the size overflows 32 bits");
	m.u.w[8] = 0x20000u;   /* 65535 * 0x20000 / 8 bytes: just under 1 GiB */
	REJECT(&m, spec_huge_bits, "1 GiB of data in a 40-byte message");

	/* truncation: cut the message anywhere before its end */
	open_msg(&m, STR_LONG_W0, STR_LONG_W1, 1);
	int bad = 0;
	for (uint32_t size = 0; size < m.len; size++)
		if (parse_at(&m, size, spec_open, N(spec_open)) != MIG_BAD_ARGUMENTS)
			bad++;
	CHECK(bad == 0, "device_open cut short: %d sizes accepted", bad);
	REJECT_AT(&m, 36, spec_open, "cut inside the long descriptor");
	REJECT_AT(&m, 100, spec_open, "cut inside the string");
	REJECT_AT(&m, 20, spec_open, "smaller than a header");
	REJECT_AT(&m, 0, spec_open, "size 0");

	begin(&m, 1);
	int32(&m, 0), int32(&m, 0);
	tlong(&m, MACH_MSG_TYPE_INTEGER_8, 8, 100, 0);
	word(&m, 0x10000);
	finish(&m);
	bad = 0;
	for (uint32_t size = 24; size < m.len; size++)
		if (parse_at(&m, size, spec_write, N(spec_write)) != MIG_BAD_ARGUMENTS)
			bad++;
	CHECK(bad == 0, "device_write cut short: %d sizes accepted", bad);

	/* size not a multiple of 4, though the data would fit */
	begin(&m, 0);
	int32(&m, 0), int32(&m, 0);
	word(&m, tshort(MACH_MSG_TYPE_CHAR, 8, 5, 1));
	data(&m, "hello", 5);
	finish(&m);
	CHECK(parse(&m, spec_inband, N(spec_inband)) == 0, "5 characters padded to 8 pass");
	REJECT_AT(&m, 49, spec_inband, "5 characters without padding");
	REJECT_AT(&m, m.len + 2, spec_inband, "2 bytes after the padding");

	/* extra bytes after the last argument */
	REJECT_AT(&m, m.len + 4, spec_inband, "a trailing word");
	begin(&m, 0);
	int32(&m, 1), int32(&m, 2), int32(&m, 3), int32(&m, 4);
	finish(&m);
	REJECT(&m, spec_ints, "a fourth integer");
	begin(&m, 0);
	int32(&m, 1), int32(&m, 2);
	finish(&m);
	REJECT(&m, spec_ints, "two integers where three expected");
	begin(&m, 0);
	int32(&m, 1);
	finish(&m);
	CHECK(parse(&m, NULL, 0) == MIG_BAD_ARGUMENTS, "a body where none expected");
}

/* --- reply ports -------------------------------------------------------- */

static void test_reply_port(void)
{
	static const struct { unsigned bits; mach_port_t port; int want; const char *what; } cases[] = {
		{ MACH_MSG_TYPE_PORT_SEND_ONCE, 0x105, 1, "a send-once reply right" },
		{ MACH_MSG_TYPE_PORT_SEND, 0x105, 1, "a send reply right" },
		{ MACH_MSG_TYPE_PORT_SEND_ONCE | MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND) | MACH_MSGH_BITS_COMPLEX,
		  0x105, 1, "with local bits and the complex bit" },
		{ MACH_MSG_TYPE_PORT_SEND_ONCE, MACH_PORT_NULL, 0, "a null reply port" },
		{ MACH_MSG_TYPE_PORT_SEND_ONCE, MACH_PORT_DEAD, 0, "a dead reply port" },
		{ 0, 0x105, 0, "no disposition" },
		{ MACH_MSG_TYPE_PORT_RECEIVE, 0x105, 0, "a receive right" },
		{ MACH_MSG_TYPE_COPY_SEND, 0x105, 0, "a sender's disposition (never received)" },
		{ MACH_MSG_TYPE_MAKE_SEND_ONCE, 0x105, 0, "a sender's make-send-once (never received)" },
		{ MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND_ONCE), 0x105, 0, "send-once in the local bits only" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		mach_msg_header_t h = { .msgh_bits = cases[i].bits, .msgh_size = 24,
		                        .msgh_remote_port = cases[i].port, .msgh_id = 2800 };
		CHECK(!!msg_has_reply_port(&h) == cases[i].want, "msg_has_reply_port: %s", cases[i].what);
	}
}

/* --- giving back what a message carried ----------------------------------- */

#define MAXCALLS 64
static struct call { int kind; uint32_t a, b; } calls[MAXCALLS], want_calls[MAXCALLS];
static int ncalls, nwant;

static void on_port(mach_port_t name, unsigned type)
{
	if (ncalls < MAXCALLS)
		calls[ncalls] = (struct call){ 'p', name, type };
	ncalls++;
}

static void on_mem(vm_offset_t addr, vm_size_t size)
{
	if (ncalls < MAXCALLS)
		calls[ncalls] = (struct call){ 'm', addr, size };
	ncalls++;
}

static void release_at(const struct msg *m, uint32_t size)
{
	ncalls = 0;
	msg_release(guarded(m, size), on_port, on_mem);
}

/* Descriptors of the release test message: where each ends, and how many of
 * the expected calls precede its end. */
static uint32_t desc_end[16];
static int desc_calls[16], ndesc;

static void mark(const struct msg *m)
{
	desc_end[ndesc] = m->len;
	desc_calls[ndesc++] = nwant;
}

static void expect(int kind, uint32_t a, uint32_t b)
{
	want_calls[nwant++] = (struct call){ kind, a, b };
}

static int calls_match(int n)
{
	if (ncalls != n)
		return 0;
	for (int i = 0; i < n; i++)
		if (calls[i].kind != want_calls[i].kind || calls[i].a != want_calls[i].a || calls[i].b != want_calls[i].b)
			return 0;
	return 1;
}

static void test_release(void)
{
	/* out-of-line port names live in a region of our own address space,
	 * whose address must fit the 32-bit body word */
	mach_port_t *ool_names = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	                              MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (!CHECK(ool_names != MAP_FAILED && (uintptr_t)ool_names < 0x100000000ull,
	           "a region below 4 GiB for out-of-line ports"))
		return;
	ool_names[0] = 0x21, ool_names[1] = MACH_PORT_NULL, ool_names[2] = 0x22;

	struct msg m;
	begin(&m, 1);
	nwant = ndesc = 0;
	int32(&m, 42);
	mark(&m);
	port(&m, MACH_MSG_TYPE_PORT_SEND, 0x11);
	expect('p', 0x11, MACH_MSG_TYPE_PORT_SEND);
	mark(&m);
	tlong(&m, MACH_MSG_TYPE_PORT_SEND_ONCE, 32, 3, 1);
	word(&m, 0x12), word(&m, MACH_PORT_NULL), word(&m, 0x13);
	expect('p', 0x12, MACH_MSG_TYPE_PORT_SEND_ONCE);
	expect('p', 0x13, MACH_MSG_TYPE_PORT_SEND_ONCE);
	mark(&m);
	tlong(&m, MACH_MSG_TYPE_INTEGER_8, 8, 100, 0);
	word(&m, 0x50000);
	expect('m', 0x50000, 100);
	mark(&m);
	word(&m, tshort(MACH_MSG_TYPE_INTEGER_8, 8, 0, 0));    /* an empty region: nothing to give back */
	word(&m, 0x60000);
	mark(&m);
	port(&m, MACH_MSG_TYPE_PORT_RECEIVE, 0x14);
	expect('p', 0x14, MACH_MSG_TYPE_PORT_RECEIVE);
	mark(&m);
	port(&m, MACH_MSG_TYPE_PORT_SEND, MACH_PORT_DEAD);     /* a dead name holds no right */
	mark(&m);
	word(&m, tshort(MACH_MSG_TYPE_CHAR, 8, 5, 1));
	data(&m, "abcde", 5);
	mark(&m);
	word(&m, tshort(MACH_MSG_TYPE_PORT_SEND, 32, 3, 0));   /* out-of-line port array */
	word(&m, (uint32_t)(uintptr_t)ool_names);
	expect('p', 0x21, MACH_MSG_TYPE_PORT_SEND);
	expect('p', 0x22, MACH_MSG_TYPE_PORT_SEND);
	expect('m', (uint32_t)(uintptr_t)ool_names, 12);
	mark(&m);
	tlong(&m, MACH_MSG_TYPE_INTEGER_32, 32, 2000, 0);     /* long-form OOL integers */
	word(&m, 0x70000);
	expect('m', 0x70000, 8000);
	mark(&m);
	finish(&m);

	release_at(&m, m.len);
	CHECK(calls_match(nwant), "msg_release of the whole message: %d calls, want %d", ncalls, nwant);

	/* every truncation releases exactly the descriptors that fit whole */
	int bad = 0, first_bad = -1;
	for (uint32_t size = 0; size <= m.len; size++) {
		int n = 0;
		for (int d = 0; d < ndesc; d++)
			if (desc_end[d] <= size)
				n = desc_calls[d];
		release_at(&m, size);
		if (!calls_match(n)) {
			bad++;
			if (first_bad < 0)
				first_bad = (int)size;
		}
	}
	CHECK(bad == 0, "msg_release of truncated messages: %d sizes wrong, first %d", bad, first_bad);

	/* not complex: the kernel translated nothing, there is nothing to give */
	m.u.h.msgh_bits &= ~MACH_MSGH_BITS_COMPLEX;
	release_at(&m, m.len);
	CHECK(ncalls == 0, "a message that is not complex releases nothing (%d calls)", ncalls);

	/* a count that overflows stops the walk after what came before */
	begin(&m, 1);
	port(&m, MACH_MSG_TYPE_PORT_SEND, 0x31);
	tlong(&m, MACH_MSG_TYPE_PORT_SEND, 32, 0x40000000u, 1);
	word(&m, 0x32);
	port(&m, MACH_MSG_TYPE_PORT_SEND, 0x33);
	finish(&m);
	release_at(&m, m.len);
	CHECK(ncalls == 1 && calls[0].a == 0x31, "an overflowing count stops the walk (%d calls)", ncalls);
	m.u.w[10] = 0xffffffffu;
	release_at(&m, m.len);
	CHECK(ncalls == 1 && calls[0].a == 0x31, "a count of 2^32-1 stops the walk (%d calls)", ncalls);

	munmap(ool_names, 4096);
}

/* A reply the kernel refused before taking anything: every right as written
 * (the caller decides what each disposition leaves to give back), and only
 * the regions that were to be deallocated on send. */
static void test_release_unsent(void)
{
	struct msg m;
	begin(&m, 1);
	nwant = 0;
	port(&m, MACH_MSG_TYPE_MOVE_SEND, 0x11);
	expect('p', 0x11, MACH_MSG_TYPE_MOVE_SEND);
	port(&m, MACH_MSG_TYPE_COPY_SEND, 0x12);
	expect('p', 0x12, MACH_MSG_TYPE_COPY_SEND);
	port(&m, MACH_MSG_TYPE_MAKE_SEND, 0x13);
	expect('p', 0x13, MACH_MSG_TYPE_MAKE_SEND);
	port(&m, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL);
	word(&m, tshort(MACH_MSG_TYPE_INTEGER_8, 8, 100, 0) | T_DEALLOC);   /* given away */
	word(&m, 0x50000);
	expect('m', 0x50000, 100);
	word(&m, tshort(MACH_MSG_TYPE_INTEGER_8, 8, 200, 0));               /* only lent */
	word(&m, 0x60000);
	word(&m, T_LONGFORM | T_DEALLOC);                                    /* long form, given */
	word(&m, MACH_MSG_TYPE_INTEGER_32 | 32 << 16);
	word(&m, 2000);
	word(&m, 0x70000);
	expect('m', 0x70000, 8000);
	finish(&m);
	ncalls = 0;
	msg_release_unsent(guarded(&m, m.len), on_port, on_mem);
	CHECK(calls_match(nwant), "msg_release_unsent: %d calls, want %d", ncalls, nwant);

	m.u.h.msgh_bits &= ~MACH_MSGH_BITS_COMPLEX;
	ncalls = 0;
	msg_release_unsent(guarded(&m, m.len), on_port, on_mem);
	CHECK(ncalls == 0, "an unsent message that is not complex carried nothing (%d calls)", ncalls);
}

int main(void)
{
	guard_init();
	test_layouts();
	test_accept();
	test_reject();
	test_reply_port();
	test_release();
	test_release_unsent();
	return unit_report();
}
