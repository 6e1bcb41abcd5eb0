/* The NVMe core (lib/nvme) against a simulated controller written from the
 * specification: registers with CC/CSTS state changes that take time, queues
 * created by admin commands, submission entries fetched up to the tail
 * doorbell, completions posted with phase tags in any order and never into
 * a full completion queue, data moved by its own walk of PRP entries and
 * lists (refusing what the specification refuses), namespaces with 512- and
 * 4096-byte blocks.  "Physical" memory is a host buffer at a fake address. */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "nvme/nvme.h"
#include "rt/le.h"
#include "rt/rt.h"

/* --- physical memory ------------------------------------------------------- */

#define PAGE 4096u
#define RAM_SIZE (12u << 20)
#define PHYS_BASE 0x7ff00000ull       /* crosses 2 GiB: high bits matter */
static uint8_t *ram;
static size_t ram_used;

static void *va(uint64_t phys, size_t len)
{
	if (phys < PHYS_BASE || phys - PHYS_BASE + len > RAM_SIZE)
		return NULL;
	return ram + (phys - PHYS_BASE);
}

static uint64_t pa(const void *p)
{
	return PHYS_BASE + (uint64_t)((const uint8_t *)p - ram);
}

/* Zeroed, page-aligned memory; its physical address. */
static uint64_t ram_alloc(size_t bytes)
{
	bytes = (bytes + PAGE - 1) & ~(size_t)(PAGE - 1);
	if (ram_used + bytes > RAM_SIZE) {
		fprintf(stderr, "test ram exhausted\n");
		exit(2);
	}
	uint64_t p = PHYS_BASE + ram_used;
	memset(ram + ram_used, 0, bytes);
	ram_used += bytes;
	return p;
}

/* --- the simulated controller ------------------------------------------------ */

#define SIM_QUEUES 4
#define SIM_NS 3

struct sim_sq { bool exists; uint64_t base; unsigned entries, head, cqid; };
struct sim_cq { bool exists; uint64_t base; unsigned entries, tail, phase; };
struct pending { unsigned cq; struct nvme_cqe e; };

static struct sim {
	uint32_t bar[0x2000 / 4];
	unsigned dstrd, to, mqes;
	int ready_delay_ms;             /* -1: never becomes ready */
	bool fatal_on_enable;
	unsigned slept_ms, ready_at, en;
	struct sim_sq sq[SIM_QUEUES];
	struct sim_cq cq[SIM_QUEUES];
	struct pending pend[1024];
	unsigned npend;
	unsigned bad_phys, flushes, fetched;
	uint8_t id_ctrl[4096], id_ns[SIM_NS + 1][4096];
	uint8_t *disk[SIM_NS + 1];
	unsigned bsize[SIM_NS + 1];
	uint64_t blocks[SIM_NS + 1];
	uint64_t fail_lba;              /* reads of this block fail (0: none) */
} sim;

static volatile struct nvme_regs *sim_regs(void)
{
	return (volatile struct nvme_regs *)sim.bar;
}

static uint32_t bell(uint32_t off)
{
	return sim.bar[off / 4];
}

/* State changes that follow CC, after the controller's delays. */
static void sim_tick(void)
{
	volatile struct nvme_regs *r = sim_regs();
	unsigned en = r->cc & NVME_CC_EN;
	if (en && !sim.en) {
		sim.ready_at = sim.slept_ms + (unsigned)sim.ready_delay_ms;
		if (sim.fatal_on_enable)
			r->csts |= NVME_CSTS_CFS;
		for (int q = 0; q < SIM_QUEUES; q++)
			sim.sq[q].exists = sim.cq[q].exists = false;
		uint32_t aqa = r->aqa;
		sim.sq[0] = (struct sim_sq){ true, (uint64_t)r->asq_hi << 32 | r->asq_lo, (aqa & 0xfff) + 1, 0, 0 };
		sim.cq[0] = (struct sim_cq){ true, (uint64_t)r->acq_hi << 32 | r->acq_lo, ((aqa >> 16) & 0xfff) + 1, 0, 1 };
	}
	if (!en && sim.en)
		sim.ready_at = sim.slept_ms + 20;
	sim.en = en;
	if (sim.slept_ms >= sim.ready_at) {
		if (en && sim.ready_delay_ms >= 0 && !sim.fatal_on_enable)
			r->csts |= NVME_CSTS_RDY;
		if (!en)
			r->csts &= ~NVME_CSTS_RDY;
	}
	if ((r->cc & NVME_CC_SHN_MASK) && sim.slept_ms >= sim.ready_at)
		r->csts = (r->csts & ~(3u << 2)) | NVME_SHST_COMPLETE << 2;
}

static void sim_sleep(void *ctx, unsigned ms)
{
	(void)ctx;
	sim.slept_ms += ms;
	sim_tick();
}

static void sim_reset(unsigned dstrd, unsigned mqes)
{
	for (int n = 1; n <= SIM_NS; n++)
		free(sim.disk[n]);
	memset(&sim, 0, sizeof sim);
	sim.dstrd = dstrd;
	sim.to = 4;                     /* 2 s */
	sim.mqes = mqes;
	sim.ready_delay_ms = 50;
	uint64_t cap = (uint64_t)(mqes - 1) | 1u << 16 | (uint64_t)sim.to << 24 | (uint64_t)dstrd << 32
	               | 1ull << 37 | 4ull << 52;
	sim.bar[0] = (uint32_t)cap;
	sim.bar[1] = (uint32_t)(cap >> 32);
	sim.bar[2] = 0x10400;
	sim.bar[5] = NVME_CC_EN;        /* left enabled by "firmware" */
	sim.bar[7] = NVME_CSTS_RDY;
	sim.en = 1;
	sim.ready_at = ~0u;
}

/* Namespace N of BLOCKS blocks of BSIZE bytes; format index 1 in a list of
 * three (512 with metadata, 512, 4096), as QEMU lists several. */
static void sim_namespace(unsigned n, uint64_t blocks, unsigned bsize)
{
	sim.blocks[n] = blocks;
	sim.bsize[n] = bsize;
	sim.disk[n] = calloc(blocks, bsize);
	uint8_t *id = sim.id_ns[n];
	memset(id, 0, 4096);
	put_le64(id, blocks);
	put_le64(id + 8, blocks);
	id[25] = 2;                     /* three formats */
	id[26] = bsize == 512 ? 1 : 2;
	put_le32(id + 128, 8u | 9u << 16);
	put_le32(id + 132, 9u << 16);
	put_le32(id + 136, 12u << 16);
}

static void sim_controller_id(uint8_t mdts, bool vwc, uint32_t nn)
{
	uint8_t *id = sim.id_ctrl;
	memset(id, ' ', 72);
	put_le16(id, 0x1b36);
	memcpy(id + 4, "seed0", 5);
	memcpy(id + 24, "QEMU NVMe Ctrl", 14);
	memcpy(id + 64, "7.2.0", 5);
	id[77] = mdts;
	put_le32(id + 80, 0x10400);
	id[512] = 0x66;
	id[513] = 0x44;
	put_le32(id + 516, nn);
	id[525] = vwc;
}

/* Walks the PRPs of a LEN-byte transfer as the controller would, calling
 * MOVE for each piece; returns 0 or an NVMe status (PRP offset invalid, data
 * transfer error for memory outside RAM). */
static unsigned sim_prp_walk(uint64_t prp1, uint64_t prp2, size_t len,
                             void (*move)(void *mem, size_t n, void *ctx), void *ctx)
{
	if (prp1 & 3)
		return 0x13;
	size_t first = PAGE - (prp1 & (PAGE - 1));
	if (first > len)
		first = len;
	void *m = va(prp1, first);
	if (!m)
		return 0x04;
	move(m, first, ctx);
	len -= first;
	if (len == 0)
		return 0;
	if (len <= PAGE) {
		if (prp2 & (PAGE - 1))
			return 0x13;
		if (!(m = va(prp2, len)))
			return 0x04;
		move(m, len, ctx);
		return 0;
	}
	if (prp2 & 7)
		return 0x13;
	uint64_t entry = prp2;
	while (len > 0) {
		uint64_t *e = va(entry, 8);
		if (!e)
			return 0x04;
		if ((entry & (PAGE - 1)) == PAGE - 8 && len > PAGE) {
			entry = *e;             /* the last slot chains to the next list page */
			if (entry & 7)
				return 0x13;
			continue;
		}
		if (*e & (PAGE - 1))
			return 0x13;
		size_t n = len < PAGE ? len : PAGE;
		if (!(m = va(*e, n)))
			return 0x04;
		move(m, n, ctx);
		len -= n;
		entry += 8;
	}
	return 0;
}

struct cursor { uint8_t *p; bool to_mem; };

static void move_data(void *mem, size_t n, void *ctx)
{
	struct cursor *c = ctx;
	if (c->to_mem)
		memcpy(mem, c->p, n);
	else
		memcpy(c->p, mem, n);
	c->p += n;
}

static unsigned sim_admin(const struct nvme_sqe *c, uint32_t *result)
{
	switch (c->opcode) {
	case NVME_ADMIN_IDENTIFY: {
		static uint8_t list[4096];
		const uint8_t *src;
		if (c->cdw10 == NVME_CNS_CTRL)
			src = sim.id_ctrl;
		else if (c->cdw10 == NVME_CNS_NS && c->nsid >= 1 && c->nsid <= SIM_NS)
			src = sim.id_ns[c->nsid];
		else if (c->cdw10 == NVME_CNS_ACTIVE_NS) {
			memset(list, 0, sizeof list);
			unsigned k = 0;
			for (unsigned n = 1; n <= SIM_NS; n++)
				if (sim.blocks[n] && n > c->nsid)
					put_le32(list + 4 * k++, n);
			src = list;
		} else
			return 0x0b;
		struct cursor cur = { (uint8_t *)src, true };
		return sim_prp_walk(c->prp1, c->prp2, 4096, move_data, &cur);
	}
	case NVME_ADMIN_CREATE_CQ: {
		unsigned q = c->cdw10 & 0xffff, n = (c->cdw10 >> 16) + 1;
		if (q == 0 || q >= SIM_QUEUES || sim.cq[q].exists)
			return 0x101;
		if (n < 2 || n > sim.mqes)
			return 0x102;
		if (!(c->cdw11 & 1))
			return 0x002;
		sim.cq[q] = (struct sim_cq){ true, c->prp1, n, 0, 1 };
		return 0;
	}
	case NVME_ADMIN_CREATE_SQ: {
		unsigned q = c->cdw10 & 0xffff, n = (c->cdw10 >> 16) + 1, cq = c->cdw11 >> 16;
		if (q == 0 || q >= SIM_QUEUES || sim.sq[q].exists)
			return 0x101;
		if (n < 2 || n > sim.mqes)
			return 0x102;
		if (cq >= SIM_QUEUES || !sim.cq[cq].exists)
			return 0x100;
		sim.sq[q] = (struct sim_sq){ true, c->prp1, n, 0, cq };
		return 0;
	}
	case NVME_ADMIN_SET_FEATURES:
		*result = c->cdw11;
		return 0;
	}
	return 0x001;
}

static unsigned sim_io(const struct nvme_sqe *c)
{
	unsigned n = c->nsid;
	if (n < 1 || n > SIM_NS || !sim.blocks[n])
		return 0x0b;
	if (c->opcode == NVME_CMD_FLUSH) {
		sim.flushes++;
		return 0;
	}
	if (c->opcode != NVME_CMD_READ && c->opcode != NVME_CMD_WRITE)
		return 0x001;
	uint64_t lba = (uint64_t)c->cdw11 << 32 | c->cdw10;
	unsigned count = (c->cdw12 & 0xffff) + 1;
	if (lba + count > sim.blocks[n])
		return 0x080;
	if (c->opcode == NVME_CMD_READ && sim.fail_lba && sim.fail_lba >= lba && sim.fail_lba < lba + count)
		return 0x281 | 1u << 14;
	struct cursor cur = { sim.disk[n] + lba * sim.bsize[n], c->opcode == NVME_CMD_READ };
	return sim_prp_walk(c->prp1, c->prp2, (size_t)count * sim.bsize[n], move_data, &cur);
}

/* Fetches every command up to the tail doorbells and executes it; the
 * completions wait in sim.pend until sim_post. */
static void sim_fetch(void)
{
	for (unsigned q = 0; q < SIM_QUEUES; q++) {
		struct sim_sq *s = &sim.sq[q];
		if (!s->exists)
			continue;
		unsigned tail = bell(nvme_sq_doorbell(q, sim.dstrd));
		while (s->head != tail % s->entries) {
			struct nvme_sqe c;
			memcpy(&c, va(s->base + s->head * 64u, 64), 64);
			s->head = (s->head + 1) % s->entries;
			sim.fetched++;
			uint32_t result = 0;
			unsigned st = q == 0 ? sim_admin(&c, &result) : sim_io(&c);
			struct pending *p = &sim.pend[sim.npend++];
			p->cq = s->cqid;
			p->e = (struct nvme_cqe){ result, 0, (uint16_t)s->head, (uint16_t)q, c.cid, (uint16_t)(st << 1) };
		}
	}
}

/* Posts pending completions, the newest first when REVERSE, into
 * completion queues that have room (the head doorbell says how far the
 * driver has read); returns how many. */
static unsigned sim_post(bool reverse)
{
	unsigned posted = 0;
	for (unsigned k = 0; k < sim.npend;) {
		unsigned i = reverse ? sim.npend - 1 - k : k;
		struct pending *p = &sim.pend[i];
		struct sim_cq *q = &sim.cq[p->cq];
		unsigned head = bell(nvme_cq_doorbell(p->cq, sim.dstrd));
		if ((q->tail + 1) % q->entries == head) {
			k++;                    /* full: it waits */
			continue;
		}
		struct nvme_cqe e = p->e;
		e.status = (uint16_t)(e.status | q->phase);
		memcpy(va(q->base + q->tail * 16u, 16), &e, 16);
		if (++q->tail == q->entries) {
			q->tail = 0;
			q->phase ^= 1;
		}
		memmove(&sim.pend[i], &sim.pend[i + 1], (--sim.npend - i) * sizeof sim.pend[0]);
		posted++;
	}
	return posted;
}

/* --- a small driver over the core, as the disk server uses it --------------- */

static struct nvme_ctrl ctrl;
static struct nvme_qpair admin, io;

/* Runs one admin command to completion; returns its status field. */
static unsigned admin_cmd(struct nvme_sqe *c, uint32_t *result)
{
	int token;
	if (!nvme_qp_submit(&admin, c, &token))
		return 0xfffe;
	sim_fetch();
	sim_post(false);
	struct nvme_cqe e;
	void *t = nvme_qp_next(&admin, &e);
	nvme_qp_done(&admin);
	if (t != &token)
		return 0xfffd;
	if (result)
		*result = e.result;
	return NVME_STATUS(e.status);
}

static int bring_up(unsigned entries, const char **why)
{
	ctrl.sleep_ms = sim_sleep;
	if (nvme_ctrl_reset(&ctrl, sim.bar, why))
		return -1;
	uint64_t asq = ram_alloc(entries * 64), acq = ram_alloc(entries * 16);
	if (nvme_ctrl_enable(&ctrl, asq, acq, entries, why))
		return -1;
	nvme_qp_init(&admin, 0, va(asq, 1), entries, va(acq, 1), entries, sim.bar, ctrl.dstrd);
	return 0;
}

static int make_io_queue(unsigned entries)
{
	uint64_t sq = ram_alloc(entries * 64), cq = ram_alloc(entries * 16);
	struct nvme_sqe c;
	nvme_cmd_create_cq(&c, 1, entries, 0, true);
	c.prp1 = cq;
	if (admin_cmd(&c, NULL))
		return -1;
	nvme_cmd_create_sq(&c, 1, entries, 1);
	c.prp1 = sq;
	if (admin_cmd(&c, NULL))
		return -1;
	nvme_qp_init(&io, 1, va(sq, 1), entries, va(cq, 1), entries, sim.bar, ctrl.dstrd);
	return 0;
}

/* --- the tests ------------------------------------------------------------- */

static void test_doorbells(void)
{
	CHECK(nvme_sq_doorbell(0, 0) == 0x1000 && nvme_cq_doorbell(0, 0) == 0x1004, "admin doorbells, stride 4");
	CHECK(nvme_sq_doorbell(1, 0) == 0x1008 && nvme_cq_doorbell(1, 0) == 0x100c, "queue 1, stride 4");
	CHECK(nvme_sq_doorbell(1, 2) == 0x1020 && nvme_cq_doorbell(1, 2) == 0x1030, "queue 1, stride 16 (DSTRD 2): %#x %#x",
	      nvme_sq_doorbell(1, 2), nvme_cq_doorbell(1, 2));
	CHECK(nvme_cq_doorbell(3, 1) == 0x1000 + 7 * 8, "queue 3's completion doorbell, stride 8");
}

static void test_commands(void)
{
	struct nvme_sqe c;
	nvme_cmd_rw(&c, NVME_CMD_READ, 2, 0x123456789ull, 256);
	uint8_t raw[64];
	memcpy(raw, &c, 64);
	CHECK(raw[0] == 0x02 && le32(raw + 4) == 2, "READ: opcode and namespace in bytes 0 and 4");
	CHECK(le32(raw + 40) == 0x23456789 && le32(raw + 44) == 1 && le32(raw + 48) == 255,
	      "READ: SLBA in CDW10-11, 0-based block count in CDW12");
	nvme_cmd_create_cq(&c, 1, 64, 0, true);
	CHECK(c.cdw10 == (63u << 16 | 1) && c.cdw11 == 3, "CREATE CQ: size-1, qid; interrupts enabled, contiguous");
	nvme_cmd_create_sq(&c, 1, 64, 1);
	CHECK(c.opcode == 1 && c.cdw11 == (1u << 16 | 1), "CREATE SQ: bound to CQ 1, contiguous");
	nvme_cmd_set_queues(&c, 1, 1);
	CHECK(c.cdw10 == 7 && c.cdw11 == 0, "SET FEATURES number of queues: 0-based");
}

/* Checks that the PRPs of (PHYS, LEN) describe exactly those bytes. */
struct extent { uint64_t next; size_t total; bool gap; };
static void follow(void *mem, size_t n, void *ctx)
{
	struct extent *x = ctx;
	if (pa(mem) != x->next)
		x->gap = true;
	x->next = pa(mem) + n;
	x->total += n;
}

static void prp_case(uint64_t phys, size_t len, unsigned want_pages, const char *what)
{
	static uint64_t list_phys;
	if (!list_phys)
		list_phys = ram_alloc(4 * PAGE);
	uint64_t *list = va(list_phys, 4 * PAGE);
	memset(list, 0xee, 4 * PAGE);
	struct nvme_sqe c;
	unsigned pages = nvme_prp_list_pages(phys, len, PAGE);
	CHECK(pages == want_pages, "%s: %u list pages, want %u", what, pages, want_pages);
	if (!CHECK(nvme_prp_build(&c, phys, len, PAGE, list, list_phys, 4) == 0, "%s: built", what))
		return;
	struct extent x = { phys, 0, false };
	unsigned st = sim_prp_walk(c.prp1, c.prp2, len, follow, &x);
	CHECK(st == 0 && !x.gap && x.total == len, "%s: the controller's walk covers it (status %#x, %zu bytes%s)",
	      what, st, x.total, x.gap ? ", gap" : "");
	if (len <= PAGE - (phys & (PAGE - 1)))
		CHECK(c.prp2 == 0, "%s: one page, PRP2 unused", what);
}

static void test_prp(void)
{
	uint64_t buf = ram_alloc(5u << 20);    /* room for 4 MiB + an offset */
	prp_case(buf, 512, 0, "512 bytes, page-aligned");
	prp_case(buf + 3584, 512, 0, "512 bytes at the end of a page");
	prp_case(buf, 4096, 0, "one whole page");
	prp_case(buf, 8192, 0, "two pages: PRP2 is the second page");
	prp_case(buf + 512, 4096, 0, "4 KiB from offset 512: two pages");
	prp_case(buf + 4, 8192, 1, "8 KiB from a 4-byte offset: three pages, a list");
	prp_case(buf, 12288, 1, "three pages: a list");
	prp_case(buf, 128 << 10, 1, "128 KiB");
	prp_case(buf, 2u << 20, 1, "2 MiB page-aligned: 511 further pages, one list page");
	prp_case(buf, (2u << 20) + 4096, 1, "512 further pages fill one list page exactly");
	prp_case(buf, (2u << 20) + 8192, 2, "513 further pages: the list chains");
	prp_case(buf + 1024, (2u << 20) + 8192, 2, "unaligned start, chained list");
	struct nvme_sqe c;
	uint64_t list[4];
	CHECK(nvme_prp_build(&c, buf + 2, 512, PAGE, list, 0, 1) == -1, "a 2-byte offset is refused");
	CHECK(nvme_prp_build(&c, buf, 0, PAGE, list, 0, 1) == -1, "an empty transfer is refused");
	CHECK(nvme_prp_build(&c, buf, (2u << 20) + 8192, PAGE, list, 0, 1) == -1,
	      "a list that needs two pages does not go into one");
	/* a page of entries: per-1 data entries and a chain pointer, then the rest */
	CHECK(nvme_prp_list_pages(0, PAGE + 511 * PAGE + 512 * PAGE, PAGE) == 2, "1023 further pages: two list pages");
	CHECK(nvme_prp_list_pages(0, PAGE + 511 * PAGE + 513 * PAGE, PAGE) == 3, "1024 further pages: three");
	prp_case(buf, PAGE + 511 * PAGE + 512 * PAGE - 8, 2, "1023 further pages, the last one partly");

	/* random extents against the walk */
	uint32_t x = 12345;
	for (int i = 0; i < 300; i++) {
		x = x * 1103515245 + 12345;
		uint64_t p = buf + ((x >> 8) % 8192) * 4;
		size_t len = (((x >> 3) % 700) + 1) * 4 * ((x & 1) ? 1 : 512);
		char what[64];
		snprintf(what, sizeof what, "random %zu bytes at +%llu", len, (unsigned long long)(p - buf));
		prp_case(p, len, nvme_prp_list_pages(p, len, PAGE), what);
	}
}

static void test_status(void)
{
	char b[96];
	CHECK(!strcmp(nvme_status_str(0x281 | 1u << 14, b, sizeof b), "unrecovered read error (media 0x81, do not retry)"),
	      "media read error named: %s", b);
	CHECK(!strcmp(nvme_status_str(0x080, b, sizeof b), "LBA out of range (generic 0x80)"), "LBA out of range: %s", b);
	CHECK(!strcmp(nvme_status_str(0x102, b, sizeof b), "invalid queue size (command specific 0x02)"), "%s", b);
	CHECK(!strcmp(nvme_status_str(0x0ff, b, sizeof b), "unknown status (generic 0xff)"), "unknown: %s", b);
	CHECK(!strcmp(nvme_status_str(NVME_STATUS_TIMEOUT, b, sizeof b), "no completion (time-out)"), "%s", b);
	CHECK(!strcmp(nvme_status_str(0x280, b, sizeof b), "write fault (media 0x80)"), "%s", b);
}

static void test_identify(void)
{
	sim_reset(0, 64);
	sim_controller_id(7, true, 3);
	struct nvme_ctrl_info ci;
	nvme_parse_ctrl(sim.id_ctrl, 4096, &ci);
	CHECK(ci.vid == 0x1b36 && !strcmp(ci.serial, "seed0") && !strcmp(ci.model, "QEMU NVMe Ctrl")
	      && !strcmp(ci.firmware, "7.2.0"), "controller strings without their blanks: '%s' '%s' '%s'",
	      ci.serial, ci.model, ci.firmware);
	CHECK(ci.max_transfer == 512u << 10, "MDTS 7 with 4 KiB pages: 512 KiB (%u)", ci.max_transfer);
	CHECK(ci.vwc && ci.namespaces == 3 && ci.sqes_ok && ci.version == 0x10400, "write cache, 3 namespaces, entry sizes");
	sim.id_ctrl[77] = 0;
	sim.id_ctrl[525] = 0;
	sim.id_ctrl[512] = 0x77;
	nvme_parse_ctrl(sim.id_ctrl, 4096, &ci);
	CHECK(ci.max_transfer == 0 && !ci.vwc && !ci.sqes_ok, "MDTS 0: no limit; no cache; 128-byte entries only");

	struct nvme_ns_info ns;
	const char *why = NULL;
	sim_namespace(1, 1000, 512);
	sim_namespace(2, 300, 4096);
	CHECK(nvme_parse_ns(sim.id_ns[1], &ns, &why) == 0 && ns.block_size == 512 && ns.blocks == 1000 && ns.format == 1,
	      "512-byte namespace");
	CHECK(nvme_parse_ns(sim.id_ns[2], &ns, &why) == 0 && ns.block_size == 4096 && ns.blocks == 300,
	      "4096-byte namespace: %u", ns.block_size);
	uint8_t id[4096];
	memcpy(id, sim.id_ns[1], sizeof id);
	id[26] = 0;
	CHECK(nvme_parse_ns(id, &ns, &why) == -1 && strstr(why, "metadata"), "a format with metadata is refused");
	id[26] = 5;
	CHECK(nvme_parse_ns(id, &ns, &why) == -1 && strstr(why, "past"), "a format index past NLBAF is refused");
	id[26] = 1;
	put_le32(id + 132, 8u << 16);
	CHECK(nvme_parse_ns(id, &ns, &why) == -1 && strstr(why, "block size"), "256-byte blocks are refused");
	memset(id, 0, 8);
	CHECK(nvme_parse_ns(id, &ns, &why) == -1 && strstr(why, "inactive"), "size 0: inactive");

	uint8_t list[4096] = { 0 };
	uint32_t ids[8];
	put_le32(list, 1);
	put_le32(list + 4, 2);
	put_le32(list + 8, 5);
	CHECK(nvme_parse_ns_list(list, 8, ids, 8) == 3 && ids[2] == 5, "active list 1, 2, 5");
	CHECK(nvme_parse_ns_list(list, 4, ids, 8) == 2, "an id above NN ends the list");
	put_le32(list + 8, 2);
	CHECK(nvme_parse_ns_list(list, 8, ids, 8) == 2, "a repeated id ends the list");
	CHECK(nvme_parse_ns_list(list, 8, ids, 1) == 1, "at most MAX ids");
}

static void test_bring_up(void)
{
	const char *why = NULL;
	sim_reset(2, 64);
	sim_controller_id(5, true, 2);
	sim.ready_delay_ms = 300;
	CHECK(bring_up(8, &why) == 0, "reset and enable: %s", why ? why : "ok");
	CHECK(ctrl.timeout_ms == 2000 && ctrl.dstrd == 2 && ctrl.max_entries == 64, "CAP: TO 2 s, DSTRD 2, MQES 64");
	CHECK(sim.slept_ms >= 300 && sim.slept_ms < 400, "waited for RDY as long as the controller took (%u ms)", sim.slept_ms);
	CHECK(sim.sq[0].entries == 8 && sim.cq[0].entries == 8, "admin queues of 8 entries from AQA");
	CHECK((sim_regs()->cc & 0x00ff0070) == (4u << 20 | 6u << 16), "CC: 64/16-byte entries, NVM (%#x)", sim_regs()->cc);

	/* more admin commands than the admin queue holds: its rings wrap */
	for (int i = 0; i < 20; i++) {
		struct nvme_sqe c;
		uint64_t buf = ram_alloc(PAGE);
		nvme_cmd_identify(&c, NVME_CNS_CTRL, 0);
		c.prp1 = buf;
		unsigned st = admin_cmd(&c, NULL);
		if (!CHECK(st == 0 && !memcmp(va(buf, 4096), sim.id_ctrl, 4096), "identify %d through a wrapping admin queue: %#x", i, st))
			break;
	}
	CHECK(admin.in_flight == 0 && admin.bogus == 0, "nothing left in flight");

	sim_reset(0, 64);
	sim.ready_delay_ms = -1;
	unsigned before = sim.slept_ms;
	CHECK(bring_up(8, &why) == -1 && strstr(why, "did not become ready"), "never ready: %s", why);
	CHECK(sim.slept_ms - before >= 2000 && sim.slept_ms - before < 2100, "gave up after CAP.TO (%u ms)",
	      sim.slept_ms - before);

	sim_reset(0, 64);
	sim.fatal_on_enable = true;
	before = sim.slept_ms;
	CHECK(bring_up(8, &why) == -1 && strstr(why, "fatal"), "fatal status named: %s", why);
	CHECK(sim.slept_ms - before < 200, "and not waited out (%u ms)", sim.slept_ms - before);

	sim_reset(0, 64);
	sim.bar[0] = sim.bar[1] = 0xffffffff;
	CHECK(bring_up(8, &why) == -1 && strstr(why, "all ones"), "no device: %s", why);

	sim_reset(0, 64);
	CHECK(bring_up(4, &why) == 0, "bring-up again");
	CHECK(nvme_ctrl_shutdown(&ctrl, &why) == 0 && NVME_CSTS_SHST(sim_regs()->csts) == NVME_SHST_COMPLETE
	      && (sim_regs()->cc & NVME_CC_SHN_MASK) == NVME_CC_SHN_NORMAL, "normal shutdown completes");
}

/* Many reads and writes in flight on a small I/O queue, completed newest
 * first, through PRP lists, on two namespaces. */
static void test_io(void)
{
	const char *why = NULL;
	sim_reset(1, 16);
	sim_controller_id(5, true, 2);
	sim_namespace(1, 4096, 512);
	sim_namespace(2, 512, 4096);
	if (!CHECK(bring_up(4, &why) == 0 && make_io_queue(8) == 0, "controller and an I/O queue of 8"))
		return;
	struct nvme_sqe c;
	nvme_cmd_create_sq(&c, 2, 8, 3);
	CHECK(admin_cmd(&c, NULL) == 0x100, "an SQ on a missing CQ: completion queue invalid");

	/* identify the namespaces through the active list */
	uint64_t idbuf = ram_alloc(PAGE);
	nvme_cmd_identify(&c, NVME_CNS_ACTIVE_NS, 0);
	c.prp1 = idbuf;
	uint32_t ids[4];
	CHECK(admin_cmd(&c, NULL) == 0 && nvme_parse_ns_list(va(idbuf, PAGE), 2, ids, 4) == 2 && ids[1] == 2,
	      "two active namespaces");

	enum { N = 40, BYTES = 16384 };
	uint64_t data = ram_alloc((size_t)N * BYTES + PAGE), lists = ram_alloc((size_t)N * PAGE);
	uint8_t *expect = malloc((size_t)N * BYTES);
	unit_fill(expect, (size_t)N * BYTES, 7);
	int tokens[N];
	unsigned submitted = 0, completed = 0, errors = 0, full = 0;
	/* write N pieces of 16 KiB (from a 512-byte offset: 5 pages each, a PRP
	 * list) to alternating namespaces, then read them back */
	for (int pass = 0; pass < 2; pass++) {
		submitted = completed = 0;
		if (pass == 1)
			memset(va(data, (size_t)N * BYTES + PAGE), 0, (size_t)N * BYTES + PAGE);
		for (int rounds = 0; completed < N; rounds++) {
			if (!CHECK(rounds < 1000, "pass %d: %u of %u completions seen", pass, completed, N))
				break;
			while (submitted < N && nvme_qp_can_submit(&io)) {
				unsigned i = submitted, ns = 1 + i % 2, bs = ns == 1 ? 512 : 4096;
				uint64_t buf = data + 512 + (uint64_t)i * BYTES;
				if (pass == 0)
					memcpy(va(buf, BYTES), expect + (size_t)i * BYTES, BYTES);
				nvme_cmd_rw(&c, pass ? NVME_CMD_READ : NVME_CMD_WRITE, ns, (uint64_t)i / 2 * (BYTES / bs), BYTES / bs);
				nvme_prp_build(&c, buf, BYTES, PAGE, va(lists + (uint64_t)i * PAGE, PAGE), lists + (uint64_t)i * PAGE, 1);
				if (!nvme_qp_submit(&io, &c, &tokens[i]))
					break;
				submitted++;
			}
			if (!nvme_qp_can_submit(&io))
				full++;
			sim_fetch();
			sim_post(true);
			struct nvme_cqe e;
			int *t;
			while ((t = nvme_qp_next(&io, &e))) {
				completed++;
				if (NVME_STATUS(e.status))
					errors++;
				(void)t;
			}
			nvme_qp_done(&io);
		}
	}
	CHECK(errors == 0 && full > 0, "%u errors; the queue was full %u times", errors, full);
	CHECK(!memcmp(sim.disk[1], expect, BYTES) && !memcmp(sim.disk[2], expect + BYTES, BYTES),
	      "writes reached both namespaces at their LBAs");
	CHECK(!memcmp(va(data + 512, (size_t)N * BYTES), expect, (size_t)N * BYTES), "reads brought everything back");
	CHECK(io.in_flight == 0 && io.sq_head == io.sq_tail, "all completed, the controller's head caught up");

	/* a failing block, a read past the end, a flush */
	sim.fail_lba = 9;
	nvme_cmd_rw(&c, NVME_CMD_READ, 1, 8, 4);
	nvme_prp_build(&c, data, 2048, PAGE, NULL, 0, 0);
	int tok[3];
	nvme_qp_submit(&io, &c, &tok[0]);
	nvme_cmd_rw(&c, NVME_CMD_READ, 1, 4095, 2);
	nvme_qp_submit(&io, &c, &tok[1]);
	nvme_cmd_flush(&c, 1);
	nvme_qp_submit(&io, &c, &tok[2]);
	sim_fetch();
	sim_post(false);
	struct nvme_cqe e[3];
	unsigned n = 0;
	while (n < 3 && nvme_qp_next(&io, &e[n]))
		n++;
	nvme_qp_done(&io);
	CHECK(n == 3 && NVME_STATUS(e[0].status) == (0x281 | 1u << 14) && NVME_STATUS(e[1].status) == 0x080
	      && NVME_STATUS(e[2].status) == 0 && sim.flushes == 1, "read error, out of range, flush: %#x %#x %#x",
	      NVME_STATUS(e[0].status), NVME_STATUS(e[1].status), NVME_STATUS(e[2].status));

	/* a completion for a command not in flight is dropped and counted */
	struct nvme_cqe fake = { 0, 0, io.sq_tail, 1, 200, (uint16_t)io.phase };
	memcpy((void *)&io.cq[io.cq_head], &fake, 16);
	sim.cq[1].tail = (sim.cq[1].tail + 1) % sim.cq[1].entries;
	if (sim.cq[1].tail == 0)
		sim.cq[1].phase ^= 1;
	CHECK(nvme_qp_next(&io, &e[0]) == NULL && io.bogus == 1, "a bogus completion is counted and dropped");
	nvme_qp_done(&io);
	nvme_cmd_flush(&c, 2);
	nvme_qp_submit(&io, &c, &tok[0]);
	sim_fetch();
	sim_post(false);
	CHECK(nvme_qp_next(&io, &e[0]) == &tok[0] && NVME_STATUS(e[0].status) == 0, "and the queue keeps working");
	nvme_qp_done(&io);
	free(expect);
}

int main(void)
{
	ram = aligned_alloc(PAGE, RAM_SIZE);
	test_doorbells();
	test_commands();
	test_prp();
	test_status();
	test_identify();
	test_bring_up();
	test_io();
	for (int n = 1; n <= SIM_NS; n++)
		free(sim.disk[n]);
	free(ram);
	return unit_report();
}
