/* The PCI core (lib/pci) against simulated configuration spaces: a pc-like
 * bus 0 with QEMU's functions, bridges (nested, looping, duplicated), BARs
 * of every kind, ROMs, capability lists that loop or point into the header.
 * The simulation logs every write so that the probe can be held to its
 * promises: every register restored, decoding off while BARs hold ones,
 * nothing written but the command register, BARs and ROM BARs. */
#include <string.h>
#include "unit.h"
#include "pci/pci.h"

/* --- the simulated configuration space ---------------------------------- */

#define SIM_FUNCS 40
#define SIM_LOG 4096

struct simfn {
	struct pci_addr a;
	uint8_t regs[256];
	uint32_t rw[64];          /* writable bits of each dword; the rest keep their value */
};

struct logent {
	struct pci_addr a;
	unsigned off, width;
	uint32_t val;
};

struct sim {
	struct simfn fn[SIM_FUNCS];
	unsigned n;
	struct logent log[SIM_LOG];
	unsigned nlog;
	int bad_access;           /* width or offset outside struct pci_access's rules */
	int absent_writes;        /* writes to functions that are not there */
	int decoding;             /* BAR or ROM writes while the function decodes */
	int stray;                /* writes anywhere but command, BARs, ROM BAR */
	unsigned long accesses;   /* past SIM_BUDGET nothing answers: a loop ends, and fails */
};

#define SIM_BUDGET 1000000ul

static struct sim sim, before;

static bool same_addr(struct pci_addr x, struct pci_addr y)
{
	return x.bus == y.bus && x.dev == y.dev && x.fn == y.fn;
}

static struct simfn *find(struct sim *s, struct pci_addr a)
{
	for (unsigned i = 0; i < s->n; i++)
		if (same_addr(s->fn[i].a, a))
			return &s->fn[i];
	return NULL;
}

static uint32_t get(const struct simfn *f, unsigned off, unsigned width)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < width; i++)
		v |= (uint32_t)f->regs[off + i] << 8 * i;
	return v;
}

static void put(struct simfn *f, unsigned off, unsigned width, uint32_t v)
{
	for (unsigned i = 0; i < width; i++)
		f->regs[off + i] = (uint8_t)(v >> 8 * i);
}

static bool access_ok(unsigned off, unsigned width)
{
	return (width == 1 || width == 2 || width == 4) && off < 256 && off % width == 0;
}

static uint32_t sim_read(void *ctx, struct pci_addr a, unsigned off, unsigned width)
{
	struct sim *s = ctx;
	if (!access_ok(off, width)) {
		s->bad_access++;
		return 0;
	}
	struct simfn *f = ++s->accesses > SIM_BUDGET ? NULL : find(s, a);
	if (!f)
		return width == 4 ? 0xffffffffu : (1u << 8 * width) - 1;
	return get(f, off, width);
}

static unsigned rom_reg(const struct simfn *f)
{
	return (f->regs[0x0e] & 0x7f) == 1 ? 0x38 : 0x30;
}

static bool is_bar(const struct simfn *f, unsigned off)
{
	unsigned end = (f->regs[0x0e] & 0x7f) == 1 ? 0x18 : 0x28;
	return (off >= 0x10 && off < end) || (off & ~3u) == rom_reg(f);
}

/* What the probe may write: the command register (16 bits, so that the
 * status register's write-one-to-clear bits are left alone), whole BARs. */
static void police(struct sim *s, const struct simfn *f, unsigned off, unsigned width)
{
	if (off == 0x04 && width == 2)
		return;
	if (!is_bar(f, off) || width != 4)
		s->stray++;
	else if (get(f, 0x04, 2) & 3)
		s->decoding++;
}

static void sim_write(void *ctx, struct pci_addr a, unsigned off, unsigned width, uint32_t v)
{
	struct sim *s = ctx;
	if (!access_ok(off, width)) {
		s->bad_access++;
		return;
	}
	if (s->nlog < SIM_LOG)
		s->log[s->nlog++] = (struct logent){ a, off, width, v };
	struct simfn *f = find(s, a);
	if (!f) {
		s->absent_writes++;
		return;
	}
	police(s, f, off, width);
	unsigned d = off & ~3u;
	uint32_t old = get(f, d, 4), new = old;
	for (unsigned i = 0; i < width; i++) {
		unsigned sh = 8 * (off - d + i);
		new = (new & ~(0xffu << sh)) | (v >> 8 * i & 0xff) << sh;
	}
	put(f, d, 4, (new & f->rw[d / 4]) | (old & ~f->rw[d / 4]));
}

static const struct pci_access acc = { sim_read, sim_write, &sim };

/* --- building functions -------------------------------------------------- */

static struct simfn *add(unsigned bus, unsigned dev, unsigned fn, uint16_t vendor, uint16_t device,
                         uint32_t class, uint8_t header)
{
	struct simfn *f = &sim.fn[sim.n++];
	memset(f, 0, sizeof *f);
	f->a = (struct pci_addr){ (uint8_t)bus, (uint8_t)dev, (uint8_t)fn };
	put(f, 0x00, 2, vendor);
	put(f, 0x02, 2, device);
	put(f, 0x08, 4, class << 8 | 0x02);
	f->regs[0x0e] = header;
	for (unsigned i = 0; i < 64; i++)
		f->rw[i] = 0xffffffffu;
	for (unsigned off = 0x10; off < 0x40; off += 4)
		if (is_bar(f, off))
			f->rw[off / 4] = 0;           /* unimplemented until bar() says so */
	return f;
}

static void irq(struct simfn *f, uint8_t line, uint8_t pin)
{
	f->regs[0x3c] = line;
	f->regs[0x3d] = pin;
}

static void command(struct simfn *f, uint16_t cmd)
{
	put(f, 0x04, 2, cmd);
}

/* An I/O BAR decoding BITS address bits (16 or 32). */
static void io_bar(struct simfn *f, unsigned i, uint32_t base, uint32_t size, unsigned bits)
{
	uint32_t decoded = bits == 16 ? 0xffffu : 0xffffffffu;
	put(f, 0x10 + 4 * i, 4, base | 1);
	f->rw[4 + i] = ~(size - 1) & ~3u & decoded;
}

static void mem32_bar(struct simfn *f, unsigned i, uint32_t base, uint32_t size, bool pref)
{
	put(f, 0x10 + 4 * i, 4, base | (pref ? 8 : 0));
	f->rw[4 + i] = ~(size - 1) & ~0xfu;
}

static void mem64_bar(struct simfn *f, unsigned i, uint64_t base, uint64_t size, bool pref)
{
	put(f, 0x10 + 4 * i, 4, (uint32_t)base | 4 | (pref ? 8 : 0));
	put(f, 0x14 + 4 * i, 4, (uint32_t)(base >> 32));
	f->rw[4 + i] = (uint32_t)~(size - 1) & ~0xfu;
	f->rw[5 + i] = (uint32_t)(~(size - 1) >> 32);
}

static void rom(struct simfn *f, uint32_t value, uint32_t size)
{
	put(f, rom_reg(f), 4, value);
	f->rw[rom_reg(f) / 4] = (~(size - 1) & 0xfffff800u) | 1;
}

static void buses(struct simfn *f, uint8_t primary, uint8_t secondary, uint8_t subordinate)
{
	put(f, 0x18, 4, 0x20u << 24 | (uint32_t)subordinate << 16 | (uint32_t)secondary << 8 | primary);
	put(f, 0x1c, 2, 0xd0d0);                    /* I/O window 0xd000-0xdfff */
	put(f, 0x20, 4, 0xfe90fe80);                /* memory window */
}

static void cap_list(struct simfn *f, uint8_t ptr)
{
	f->regs[0x06] |= 0x10;
	f->regs[0x34] = ptr;
}

static void cap(struct simfn *f, uint8_t off, uint8_t id, uint8_t next)
{
	f->regs[off] = id;
	f->regs[off + 1] = next;
}

static struct simfn *bridge(unsigned bus, unsigned dev, uint8_t secondary, uint8_t subordinate)
{
	struct simfn *f = add(bus, dev, 0, 0x1b36, 0x0001, 0x060400, 0x01);
	buses(f, (uint8_t)bus, secondary, subordinate);
	return f;
}

/* QEMU's pc machine and then some:
 *  bus 0: host bridge, PIIX (multi-function: ISA, IDE, PM; function 2
 *         absent), VGA, e1000, NVMe, virtio-blk, a single-function device
 *         that answers at every function number, a bridge to buses 1-2, a
 *         bridge back to bus 0, a second bridge to bus 1, a bridge to bus 3,
 *         a CardBus bridge (not followed)
 *  bus 1: virtio-net, a bridge to bus 2
 *  bus 2: an NVMe with a BAR above 4 GiB
 *  bus 3: virtio-blk
 *  bus 4: a function no bridge leads to */
static void build_pc(void)
{
	memset(&sim, 0, sizeof sim);
	add(0, 0, 0, 0x8086, 0x1237, 0x060000, 0x00);
	add(0, 1, 0, 0x8086, 0x7000, 0x060100, 0x80);

	struct simfn *f = add(0, 1, 1, 0x8086, 0x7010, 0x010180, 0x00);
	io_bar(f, 4, 0xc040, 0x10, 32);
	command(f, 0x0105);

	f = add(0, 1, 3, 0x8086, 0x7113, 0x068000, 0x00);
	f->regs[0x08] = 0x03;
	irq(f, 9, 1);

	f = add(0, 2, 0, 0x1234, 0x1111, 0x030000, 0x00);
	mem32_bar(f, 0, 0xfd000000, 0x1000000, true);
	mem32_bar(f, 2, 0xfebf0000, 0x1000, false);      /* BAR1 unimplemented */
	rom(f, 0xfebe0000, 0x10000);
	command(f, 0x0103);

	f = add(0, 3, 0, 0x8086, 0x100e, 0x020000, 0x00);
	f->regs[0x08] = 0x03;
	mem32_bar(f, 0, 0xfebc0000, 0x20000, false);
	io_bar(f, 1, 0xc000, 0x40, 16);
	rom(f, 0xfeb80001, 0x40000);                      /* enabled */
	f->regs[0x34] = 0xdc;                             /* but no capability list */
	irq(f, 11, 1);
	command(f, 0x0107);

	f = add(0, 4, 0, 0x1b36, 0x0010, 0x010802, 0x00);
	mem64_bar(f, 0, 0xfebf4000, 0x4000, false);
	put(f, 0x2c, 4, 0x11001af4);
	cap_list(f, 0x42);                                /* reserved bits set */
	cap(f, 0x40, 0x11, 0x63);
	cap(f, 0x60, 0x01, 0x80);
	cap(f, 0x80, 0x10, 0x00);
	irq(f, 11, 1);
	command(f, 0x0507);

	f = add(0, 5, 0, 0x1af4, 0x1001, 0x010000, 0x00);
	f->regs[0x08] = 0x00;
	io_bar(f, 0, 0xc080, 0x40, 32);
	mem32_bar(f, 1, 0xfebf5000, 0x1000, false);
	mem64_bar(f, 4, 0xfe000000, 0x4000, true);
	put(f, 0x2c, 4, 0x00021af4);
	cap_list(f, 0x98);
	cap(f, 0x98, 0x11, 0x84);
	cap(f, 0x84, 0x09, 0x70);
	cap(f, 0x70, 0x09, 0x60);
	cap(f, 0x60, 0x09, 0x50);
	cap(f, 0x50, 0x09, 0x40);
	cap(f, 0x40, 0x09, 0x00);
	irq(f, 10, 1);
	command(f, 0x0103);

	for (unsigned fn = 0; fn < 8; fn++) {
		f = add(0, 6, fn, 0x1234, 0x0001, 0x088000, 0x00);
		cap_list(f, 0x40);                        /* 20 capabilities, ids 1..20 */
		for (unsigned k = 0; k < 20; k++)
			cap(f, (uint8_t)(0x40 + 8 * k), (uint8_t)(k + 1), k < 19 ? (uint8_t)(0x48 + 8 * k) : 0);
	}

	f = bridge(0, 7, 1, 2);
	mem64_bar(f, 0, 0xfeb70000, 0x100, false);
	rom(f, 0xfeb60000, 0x8000);
	cap_list(f, 0x40);                                /* a loop */
	cap(f, 0x40, 0x05, 0x48);
	cap(f, 0x48, 0x0d, 0x40);
	irq(f, 10, 1);
	command(f, 0x0107);

	bridge(0, 8, 0, 0);                               /* back to bus 0 */
	bridge(0, 9, 1, 1);                               /* bus 1 again */
	bridge(0, 10, 3, 3);

	f = add(0, 11, 0, 0x1180, 0x0476, 0x060700, 0x02);  /* CardBus: list pointer at 0x14 */
	cap_list(f, 0x80);
	f->regs[0x14] = 0xdc;
	cap(f, 0xdc, 0x01, 0x00);
	cap(f, 0x80, 0x05, 0x00);

	f = add(1, 0, 0, 0x1af4, 0x1000, 0x020000, 0x00);
	io_bar(f, 0, 0xd000, 0x20, 32);
	irq(f, 10, 1);
	cap_list(f, 0x40);                                /* id 0xff: the function went away */
	cap(f, 0x40, 0x11, 0x50);
	cap(f, 0x50, 0xff, 0x60);
	cap(f, 0x60, 0x05, 0x00);
	bridge(1, 1, 2, 2);

	f = add(2, 0, 0, 0x1b36, 0x0010, 0x010802, 0x00);
	mem64_bar(f, 0, 0x800000000ull, 0x100000000ull, false);
	mem32_bar(f, 2, 0xfe900000, 0x100000, false);
	f->rw[9] = ~0xfffu & ~0xfu;                       /* BAR5 claims 64 bits: broken */
	put(f, 0x24, 4, 0xfe9ff004);
	cap_list(f, 0x40);                                /* into the header */
	cap(f, 0x40, 0x01, 0x30);
	command(f, 0x0006);

	add(3, 0, 0, 0x1af4, 0x1001, 0x010000, 0x00);
	add(4, 0, 0, 0x1af4, 0x1001, 0x010000, 0x00);
}

/* --- the tests ----------------------------------------------------------- */

static struct pci_func funcs[64];
static unsigned nfuncs;

static const struct pci_func *func(unsigned bus, unsigned dev, unsigned fn)
{
	struct pci_addr a = { (uint8_t)bus, (uint8_t)dev, (uint8_t)fn };
	for (unsigned i = 0; i < nfuncs && i < 64; i++)
		if (same_addr(funcs[i].addr, a))
			return &funcs[i];
	return NULL;
}

static void test_listing(void)
{
	static const struct pci_addr want[] = {
		{ 0, 0, 0 }, { 0, 1, 0 }, { 0, 1, 1 }, { 0, 1, 3 }, { 0, 2, 0 }, { 0, 3, 0 },
		{ 0, 4, 0 }, { 0, 5, 0 }, { 0, 6, 0 }, { 0, 7, 0 }, { 0, 8, 0 }, { 0, 9, 0 },
		{ 0, 10, 0 }, { 0, 11, 0 }, { 1, 0, 0 }, { 1, 1, 0 }, { 2, 0, 0 }, { 3, 0, 0 },
	};
	unsigned n = sizeof want / sizeof want[0];
	CHECK(nfuncs == n, "found %u functions, want %u", nfuncs, n);
	for (unsigned i = 0; i < n && i < nfuncs; i++)
		CHECK(same_addr(funcs[i].addr, want[i]), "function %u is %02x:%02x.%x, want %02x:%02x.%x", i,
		      funcs[i].addr.bus, funcs[i].addr.dev, funcs[i].addr.fn,
		      want[i].bus, want[i].dev, want[i].fn);
	CHECK(!func(0, 6, 1) && !func(0, 6, 7), "functions 1..7 of a single-function device not listed");
	CHECK(!func(4, 0, 0), "a bus no bridge leads to is not scanned");
	CHECK(sim.accesses < 20000, "%lu configuration accesses", sim.accesses);
}

static void test_ids(void)
{
	const struct pci_func *f = func(0, 5, 0);
	if (CHECK(f, "virtio-blk found"))
		CHECK(f->vendor == 0x1af4 && f->device == 0x1001 && f->class == 0x010000 && f->revision == 0
		      && f->subvendor == 0x1af4 && f->subdevice == 0x0002 && f->header_type == 0
		      && f->irq_line == 10 && f->irq_pin == 1,
		      "virtio-blk: %04x:%04x class %06x rev %u sub %04x:%04x ht %u irq %u pin %u",
		      f->vendor, f->device, f->class, f->revision, f->subvendor, f->subdevice,
		      f->header_type, f->irq_line, f->irq_pin);
	f = func(0, 1, 3);
	if (CHECK(f, "PIIX PM found"))
		CHECK(f->vendor == 0x8086 && f->device == 0x7113 && f->class == 0x068000 && f->revision == 3,
		      "PM: %04x:%04x class %06x rev %u", f->vendor, f->device, f->class, f->revision);
	const struct pci_func *isa = func(0, 1, 0), *ide = func(0, 1, 1), *other = func(0, 6, 0);
	if (CHECK(isa && ide && other, "ISA, IDE, 00:06.0 found")) {
		CHECK(isa->multifunction && ide->multifunction, "PIIX functions are multi-function");
		CHECK(isa->header_type == 0, "multi-function bit not in header_type (%u)", isa->header_type);
		CHECK(!other->multifunction, "00:06.0 is single-function");
	}
	f = func(0, 7, 0);
	if (CHECK(f, "bridge found"))
		CHECK(f->header_type == 1 && f->secondary_bus == 1 && f->subordinate_bus == 2
		      && f->subvendor == 0 && f->subdevice == 0,
		      "bridge: ht %u buses %u-%u sub %04x:%04x", f->header_type, f->secondary_bus,
		      f->subordinate_bus, f->subvendor, f->subdevice);
}

static void check_bar(const struct pci_func *f, unsigned k, unsigned index, unsigned flags, uint64_t base,
                      uint64_t size)
{
	const struct pci_bar *b = &f->bars[k];
	CHECK(k < f->nbars && b->index == index && b->flags == flags && b->base == base && b->size == size,
	      "%02x:%02x.%x bars[%u] (of %u): index %u flags %#x base %#llx size %#llx, "
	      "want index %u flags %#x base %#llx size %#llx",
	      f->addr.bus, f->addr.dev, f->addr.fn, k, f->nbars, b->index, b->flags,
	      (unsigned long long)b->base, (unsigned long long)b->size, index, flags,
	      (unsigned long long)base, (unsigned long long)size);
}

static void check_rom(const struct pci_func *f, uint64_t base, uint64_t size)
{
	CHECK(f->rom.base == base && f->rom.size == size && f->rom.flags == 0,
	      "%02x:%02x.%x rom %#llx size %#llx flags %#x, want %#llx size %#llx",
	      f->addr.bus, f->addr.dev, f->addr.fn, (unsigned long long)f->rom.base,
	      (unsigned long long)f->rom.size, f->rom.flags, (unsigned long long)base,
	      (unsigned long long)size);
}

static void check_nbars(const struct pci_func *f, unsigned n)
{
	CHECK(f->nbars == n, "%02x:%02x.%x has %u BARs, want %u", f->addr.bus, f->addr.dev, f->addr.fn,
	      f->nbars, n);
}

enum { IO = PCI_BAR_IO, MEM = PCI_BAR_MEM, M64 = PCI_BAR_MEM | PCI_BAR_64, PREF = PCI_BAR_PREFETCH };

static void test_bars(void)
{
	const struct pci_func *host = func(0, 0, 0), *ide = func(0, 1, 1), *vga = func(0, 2, 0),
		*e1000 = func(0, 3, 0), *nvme = func(0, 4, 0), *vblk = func(0, 5, 0),
		*br = func(0, 7, 0), *far = func(2, 0, 0);
	if (!CHECK(host && ide && vga && e1000 && nvme && vblk && br && far, "functions with BARs found"))
		return;
	check_nbars(host, 0);
	check_rom(host, 0, 0);
	check_nbars(ide, 1);
	check_bar(ide, 0, 4, IO, 0xc040, 0x10);
	check_nbars(vga, 2);                                  /* BAR1 between is not implemented */
	check_bar(vga, 0, 0, MEM | PREF, 0xfd000000, 0x1000000);
	check_bar(vga, 1, 2, MEM, 0xfebf0000, 0x1000);
	check_rom(vga, 0xfebe0000, 0x10000);
	check_nbars(e1000, 2);
	check_bar(e1000, 0, 0, MEM, 0xfebc0000, 0x20000);
	check_bar(e1000, 1, 1, IO, 0xc000, 0x40);             /* 16-bit I/O decoder */
	check_rom(e1000, 0xfeb80000, 0x40000);                /* enable bit not in the base */
	check_nbars(nvme, 1);
	check_bar(nvme, 0, 0, M64, 0xfebf4000, 0x4000);
	check_nbars(vblk, 3);
	check_bar(vblk, 0, 0, IO, 0xc080, 0x40);
	check_bar(vblk, 1, 1, MEM, 0xfebf5000, 0x1000);
	check_bar(vblk, 2, 4, M64 | PREF, 0xfe000000, 0x4000);
	check_nbars(br, 1);                                   /* a bridge has two BAR registers */
	check_bar(br, 0, 0, M64, 0xfeb70000, 0x100);
	check_rom(br, 0xfeb60000, 0x8000);                    /* at 0x38 in a bridge */
	check_nbars(far, 3);
	check_bar(far, 0, 0, M64, 0x800000000ull, 0x100000000ull);  /* low half takes no ones */
	check_bar(far, 1, 2, MEM, 0xfe900000, 0x100000);
	check_bar(far, 2, 5, MEM, 0xfe9ff000, 0x1000);        /* 64-bit in the last register */
}

/* The last write to every register the probe touched put back what was
 * there before. */
static void check_log_restores(void)
{
	unsigned wrong = 0, probes = 0;
	for (unsigned i = 0; i < sim.nlog; i++) {
		const struct logent *e = &sim.log[i];
		bool last = true;
		for (unsigned j = i + 1; j < sim.nlog && last; j++)
			if (same_addr(sim.log[j].a, e->a) && sim.log[j].off == e->off)
				last = false;
		struct simfn *old = find(&before, e->a);
		if (last && old && get(old, e->off, e->width) != e->val)
			wrong++;
		probes += e->val == 0xffffffffu || e->val == 0xfffffffeu;
	}
	CHECK(wrong == 0, "%u registers left changed after the probe (log)", wrong);
	CHECK(sim.nlog < SIM_LOG && probes > 0, "log holds the probe (%u writes, %u probes)", sim.nlog, probes);
}

/* The probe wrote ones to each of F's BAR registers FROM..TO, the ROM BAR
 * at ROM (0: none), and turned decoding off when it was on. */
static void check_probed(struct pci_addr a, unsigned from, unsigned to, unsigned rom_off, bool decode_off)
{
	unsigned want = (to - from) / 4 + 1 + (rom_off != 0), got = 0, cmd_off = 0;
	for (unsigned i = 0; i < sim.nlog; i++) {
		const struct logent *e = &sim.log[i];
		if (!same_addr(e->a, a))
			continue;
		if (e->val == 0xffffffffu && e->off >= from && e->off <= to)
			got++;
		if (e->val == 0xfffffffeu && e->off == rom_off)
			got++;
		if (e->off == 0x04 && (e->val & 3) == 0)
			cmd_off++;
	}
	CHECK(got == want, "%02x:%02x.%x: %u registers probed, want %u", a.bus, a.dev, a.fn, got, want);
	CHECK(!decode_off || cmd_off == 1, "%02x:%02x.%x: decoding turned off %u times", a.bus, a.dev, a.fn,
	      cmd_off);
}

static void test_probe_hygiene(void)
{
	unsigned changed = 0;
	for (unsigned i = 0; i < sim.n; i++)
		if (memcmp(sim.fn[i].regs, before.fn[i].regs, 256) != 0)
			changed++;
	CHECK(changed == 0, "%u functions' registers changed by enumeration", changed);
	check_log_restores();
	CHECK(sim.decoding == 0, "%d BAR writes while the function decoded", sim.decoding);
	CHECK(sim.stray == 0, "%d writes outside command, BARs, ROM", sim.stray);
	CHECK(sim.absent_writes == 0, "%d writes to absent functions", sim.absent_writes);
	CHECK(sim.bad_access == 0, "%d accesses with a bad width or offset", sim.bad_access);
	check_probed((struct pci_addr){ 0, 2, 0 }, 0x10, 0x24, 0x30, true);   /* VGA: all six, ROM */
	check_probed((struct pci_addr){ 0, 7, 0 }, 0x10, 0x14, 0x38, true);   /* bridge: two, ROM */
	check_probed((struct pci_addr){ 2, 0, 0 }, 0x10, 0x24, 0x30, true);
	check_probed((struct pci_addr){ 0, 0, 0 }, 0x10, 0x24, 0x30, false);  /* decoding was off */
}

static void check_caps(const struct pci_func *f, const uint8_t *want, unsigned n)
{
	bool ok = f->ncaps == n;
	for (unsigned i = 0; ok && i < n; i++)
		ok = f->caps[i] == want[i];
	CHECK(ok, "%02x:%02x.%x: %u capabilities (first %#x), want %u (first %#x)", f->addr.bus,
	      f->addr.dev, f->addr.fn, f->ncaps, f->ncaps ? f->caps[0] : 0, n, n ? want[0] : 0);
}

static void test_caps(void)
{
	const struct pci_func *e1000 = func(0, 3, 0), *nvme = func(0, 4, 0), *vblk = func(0, 5, 0),
		*many = func(0, 6, 0), *br = func(0, 7, 0), *far = func(2, 0, 0),
		*cardbus = func(0, 11, 0), *net = func(1, 0, 0);
	if (!CHECK(e1000 && nvme && vblk && many && br && far && cardbus && net,
	           "functions with capabilities found"))
		return;
	static const uint8_t nvme_caps[] = { 0x11, 0x01, 0x10 }, vblk_caps[] = { 0x11, 9, 9, 9, 9, 9 },
		loop_caps[] = { 0x05, 0x0d }, far_caps[] = { 0x01 }, net_caps[] = { 0x11 },
		many_caps[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	check_caps(e1000, NULL, 0);          /* pointer set, status says no list */
	check_caps(nvme, nvme_caps, 3);      /* reserved pointer bits ignored */
	check_caps(vblk, vblk_caps, 6);
	check_caps(br, loop_caps, 2);        /* a loop */
	check_caps(far, far_caps, 1);        /* a pointer into the header */
	check_caps(many, many_caps, 16);     /* the first 16 */
	check_caps(cardbus, far_caps, 1);    /* CardBus: the pointer at 0x14 */
	check_caps(net, net_caps, 1);        /* id 0xff ends the list */

	uint8_t offs[4];
	unsigned n = pci_caps(&acc, (struct pci_addr){ 0, 4, 0 }, NULL, offs, 4);
	CHECK(n == 3 && offs[0] == 0x40 && offs[1] == 0x60 && offs[2] == 0x80, "NVMe capability offsets");
	n = pci_caps(&acc, (struct pci_addr){ 0, 5, 0 }, NULL, NULL, 2);
	CHECK(n == 2, "capability walk stops at MAX (%u)", n);
	CHECK(pci_find_cap(&acc, (struct pci_addr){ 0, 6, 0 }, 20) == 0xd8, "find the 20th capability");
	CHECK(pci_find_cap(&acc, (struct pci_addr){ 0, 6, 0 }, 21) == 0, "no capability 21");
	CHECK(pci_find_cap(&acc, (struct pci_addr){ 0, 5, 0 }, 0x09) == 0x84, "first vendor capability");
	CHECK(pci_find_cap(&acc, (struct pci_addr){ 0, 7, 0 }, 0x01) == 0, "a loop without the id ends");
	CHECK(pci_find_cap(&acc, (struct pci_addr){ 9, 9, 0 }, 0x01) == 0, "absent function: none");
}

static bool same_bar(const struct pci_bar *x, const struct pci_bar *y)
{
	return x->index == y->index && x->flags == y->flags && x->base == y->base && x->size == y->size;
}

/* Field by field: padding need not match. */
static bool same_func(const struct pci_func *x, const struct pci_func *y)
{
	bool same = same_addr(x->addr, y->addr) && x->vendor == y->vendor && x->device == y->device
		&& x->subvendor == y->subvendor && x->subdevice == y->subdevice && x->class == y->class
		&& x->revision == y->revision && x->header_type == y->header_type
		&& x->multifunction == y->multifunction && x->irq_line == y->irq_line
		&& x->irq_pin == y->irq_pin && x->nbars == y->nbars && same_bar(&x->rom, &y->rom)
		&& x->ncaps == y->ncaps && memcmp(x->caps, y->caps, sizeof x->caps) == 0
		&& x->secondary_bus == y->secondary_bus && x->subordinate_bus == y->subordinate_bus;
	for (unsigned i = 0; same && i < x->nbars && i < 6; i++)
		same = same_bar(&x->bars[i], &y->bars[i]);
	return same;
}

static void test_max(void)
{
	struct pci_func few[6];
	memset(few, 0xa5, sizeof few);
	unsigned n = pci_enumerate(&acc, few, 4);
	CHECK(n == nfuncs, "with max 4: returns %u, want %u", n, nfuncs);
	bool same = true;
	for (unsigned i = 0; i < 4; i++)
		same = same && same_func(&few[i], &funcs[i]);
	CHECK(same, "with max 4: the first 4 as in the full listing");
	unsigned char spill = 0;
	for (size_t i = 0; i < 2 * sizeof few[0]; i++)
		spill |= ((unsigned char *)&few[4])[i] ^ 0xa5;
	CHECK(spill == 0, "with max 4: nothing stored past out[3]");
	CHECK(pci_enumerate(&acc, NULL, 0) == nfuncs, "max 0 with no array counts them all");
}

static void test_small_spaces(void)
{
	memset(&sim, 0, sizeof sim);
	CHECK(pci_enumerate(&acc, funcs, 64) == 0, "an empty bus 0: nothing");
	/* a bridge on bus 0 whose secondary bus is its own: no loop */
	bridge(0, 0, 0, 0);
	bridge(0, 31, 0, 5);
	CHECK(pci_enumerate(&acc, funcs, 64) == 2, "bridges back to bus 0: listed once each");
	struct pci_func f;
	memset(&f, 0x5a, sizeof f);
	CHECK(!pci_read_func(&acc, (struct pci_addr){ 0, 3, 0 }, &f) && f.vendor == 0x5a5a,
	      "pci_read_func of an absent function leaves *F alone");
	/* vendor 0 is absent too (bridges that return zeros) */
	add(0, 5, 0, 0x0000, 0x0000, 0, 0);
	CHECK(pci_enumerate(&acc, funcs, 64) == 2, "vendor 0 is not a function");
}

static void check_name(uint32_t class, const char *want)
{
	const char *got = pci_class_name(class);
	CHECK(strcmp(got, want) == 0, "class %06x: '%s', want '%s'", class, got, want);
}

static void test_names(void)
{
	check_name(0x010000, "storage: SCSI");
	check_name(0x010180, "storage: IDE");
	check_name(0x010802, "storage: NVMe");
	check_name(0x010801, "storage: NVM");
	check_name(0x010601, "storage: SATA");
	check_name(0x01ff00, "mass storage");
	check_name(0x020000, "network: ethernet");
	check_name(0x030000, "display: VGA");
	check_name(0x060000, "bridge: host");
	check_name(0x060100, "bridge: ISA");
	check_name(0x060400, "bridge: PCI");
	check_name(0x068000, "bridge: other");
	check_name(0x0c0330, "serial bus: USB xHCI");
	check_name(0x0c03fe, "serial bus: USB");
	check_name(0x040300, "multimedia: HD audio");
	check_name(0x088000, "system: other");
	check_name(0x120000, "accelerator");
	check_name(0x543210, "class 0x543210");
	check_name(0xff0000, "class 0xff0000");
}

static void check_line(const struct pci_func *f, const char *want)
{
	char buf[160];
	if (!CHECK(f, "function for '%s' found", want))
		return;
	int n = pci_format_func(f, buf, sizeof buf);
	CHECK(strcmp(buf, want) == 0 && n == (int)strlen(want), "line '%s' (%d), want '%s'", buf, n, want);
}

static void check_bar_line(const struct pci_bar *b, int is_rom, const char *want)
{
	char buf[80];
	int n = pci_format_bar(b, is_rom, buf, sizeof buf);
	CHECK(strcmp(buf, want) == 0 && n == (int)strlen(want), "BAR line '%s' (%d), want '%s'", buf, n, want);
}

static void test_format(void)
{
	check_line(func(0, 5, 0), "00:05.0 1af4:1001 class 010000 storage: SCSI irq 10 pin A");
	check_line(func(0, 0, 0), "00:00.0 8086:1237 class 060000 bridge: host");
	check_line(func(0, 1, 1), "00:01.1 8086:7010 class 010180 storage: IDE");
	check_line(func(0, 7, 0), "00:07.0 1b36:0001 class 060400 bridge: PCI irq 10 pin A buses 01-02");
	struct pci_func odd;
	memset(&odd, 0, sizeof odd);
	odd.addr = (struct pci_addr){ 0x0a, 0x1f, 7 };
	odd.vendor = 0xabcd;
	odd.device = 0xef01;
	odd.class = 0xff0000;
	odd.irq_line = 255;
	odd.irq_pin = 2;
	check_line(&odd, "0a:1f.7 abcd:ef01 class ff0000 (unknown) irq none pin B");

	const struct pci_func *vga = func(0, 2, 0), *vblk = func(0, 5, 0), *far = func(2, 0, 0),
		*e1000 = func(0, 3, 0), *host = func(0, 0, 0);
	if (!CHECK(vga && vblk && far && e1000 && host, "functions for BAR lines found"))
		return;
	check_bar_line(&vblk->bars[0], 0, "  bar0 io 0xc080 size 0x40");
	check_bar_line(&vblk->bars[1], 0, "  bar1 mem32 0xfebf5000 size 0x1000");
	check_bar_line(&vblk->bars[2], 0, "  bar4 mem64 pref 0xfe000000 size 0x4000");
	check_bar_line(&vga->bars[0], 0, "  bar0 mem32 pref 0xfd000000 size 0x1000000");
	check_bar_line(&far->bars[0], 0, "  bar0 mem64 0x800000000 size 0x100000000");
	check_bar_line(&e1000->rom, 1, "  rom 0xfeb80000 size 0x40000");
	check_bar_line(&host->rom, 1, "  rom none");
	struct pci_bar none = { 3, 0, 0, 0 };
	check_bar_line(&none, 0, "  bar3 none");

	char small[10];
	int n = pci_format_func(vblk, small, sizeof small);
	CHECK(n == (int)strlen("00:05.0 1af4:1001 class 010000 storage: SCSI irq 10 pin A") && strcmp(small, "00:05.0 1") == 0, "truncated line '%s' (%d)", small, n);
}

/* A write of VALUE over CURRENT: refused with WHY in the reason, or allowed (WHY NULL). */
static void check_write(const struct pci_func *f, unsigned off, unsigned width, uint32_t value,
                        uint32_t current, const char *why)
{
	char got[160] = "";
	int r = pci_write_check(f, off, width, value, current, got, sizeof got);
	if (why)
		CHECK(r < 0 && strstr(got, why), "header type %u: write of %u at %#x refused naming '%s' (got %d '%s')",
		      f->header_type, width, off, why, r, got);
	else
		CHECK(r == 0, "header type %u: write of 0x%x (%u bytes) at %#x over 0x%x allowed (refused: %s)",
		      f->header_type, value, width, off, current, got);
}

/* A write that changes every bit: what a hostile owner would try. */
static void refused(const struct pci_func *f, unsigned off, unsigned width, const char *why)
{
	check_write(f, off, width, 0xffffffff, 0, why);
}

static void test_write_check(void)
{
	struct pci_func dev, br, cardbus;
	memset(&dev, 0, sizeof dev);
	memset(&br, 0, sizeof br);
	memset(&cardbus, 0, sizeof cardbus);
	br.header_type = 1;
	cardbus.header_type = 2;
	/* what a driver needs: decoding, bus mastering, interrupt disable, the interrupt line */
	check_write(&dev, 0x04, 2, 0x0007, 0x0000, NULL);
	check_write(&dev, 0x04, 2, 0x0400, 0x0007, NULL);
	check_write(&dev, 0x04, 1, 0x04, 0x03, NULL);
	check_write(&dev, 0x05, 1, 0x04, 0x00, NULL);
	check_write(&dev, 0x04, 2, 0x0146, 0x0140, NULL);  /* SERR and parity written back as they are */
	check_write(&dev, 0x3c, 1, 0x0b, 0x0a, NULL);
	check_write(&br, 0x04, 2, 0x0007, 0x0000, NULL);
	check_write(&br, 0x3c, 1, 0x0b, 0xff, NULL);
	check_write(&cardbus, 0x04, 2, 0x0006, 0x0000, NULL);
	/* other command bits, and the registers around */
	check_write(&dev, 0x04, 2, 0x0107, 0x0007, "bits 0x0100 of the command register");
	check_write(&dev, 0x04, 1, 0x47, 0x07, "bits 0x0040 of the command register");
	check_write(&dev, 0x05, 1, 0x06, 0x04, "bits 0x0200 of the command register");
	check_write(&dev, 0x04, 4, 0x00000007, 0x00000000, "the status register");
	refused(&dev, 0x06, 2, "the status register");
	refused(&dev, 0x00, 4, "the vendor and device ids");
	refused(&dev, 0x08, 4, "the revision and class");
	refused(&dev, 0x0c, 4, "the cache line size");
	refused(&dev, 0x0d, 1, "the latency timer");
	refused(&dev, 0x0e, 1, "the header type");
	refused(&dev, 0x0f, 1, "BIST");
	/* a device: BARs 0x10..0x27, the ROM BAR, the rest of its header */
	refused(&dev, 0x10, 4, "BAR0");
	refused(&dev, 0x24, 4, "BAR5");
	refused(&dev, 0x27, 1, "BAR5");
	refused(&dev, 0x12, 2, "BAR0");
	refused(&dev, 0x30, 4, "the expansion ROM BAR");
	refused(&dev, 0x33, 1, "the expansion ROM BAR");
	refused(&dev, 0x28, 4, "the CardBus CIS pointer");
	refused(&dev, 0x2c, 4, "the subsystem ids");
	refused(&dev, 0x34, 1, "the capabilities pointer");
	refused(&dev, 0x3d, 1, "the interrupt pin");
	refused(&dev, 0x3c, 2, "the interrupt pin");
	refused(&dev, 0x3c, 4, "the interrupt pin");
	refused(&dev, 0x3e, 1, "the minimum grant");
	/* capabilities (MSI, MSI-X, power management) and device-specific registers */
	refused(&dev, 0x40, 4, "device-specific register 0x40");
	refused(&dev, 0x52, 2, "device-specific register 0x52");
	refused(&dev, 0xff, 1, "device-specific register 0xff");
	check_write(&dev, 0x44, 2, 0x1234, 0x1234, "device-specific register 0x44");  /* even unchanged */
	/* a bridge: BARs, bus numbers, windows, ROM BAR at 0x38, bridge control */
	refused(&br, 0x14, 4, "BAR1");
	refused(&br, 0x18, 1, "the bridge's bus numbers");
	refused(&br, 0x19, 1, "the bridge's bus numbers");
	refused(&br, 0x1a, 1, "the bridge's bus numbers");
	refused(&br, 0x18, 4, "the bridge's bus numbers");
	refused(&br, 0x1b, 1, "the secondary latency timer");
	refused(&br, 0x1c, 1, "the bridge's I/O window");
	refused(&br, 0x1e, 2, "the secondary status register");
	refused(&br, 0x20, 4, "the bridge's memory window");
	refused(&br, 0x24, 4, "the bridge's prefetchable memory window");
	refused(&br, 0x2c, 4, "the bridge's prefetchable memory window");
	refused(&br, 0x30, 2, "the bridge's I/O window");
	refused(&br, 0x38, 4, "the expansion ROM BAR");
	refused(&br, 0x3e, 2, "the bridge control register");
	refused(&br, 0x3c, 4, "the interrupt pin");
	/* a layout not decoded, and accesses outside the rules */
	refused(&cardbus, 0x3c, 1, "a layout not decoded");
	refused(&cardbus, 0x10, 4, "a layout not decoded");
	refused(&dev, 0x100, 1, "not an aligned");
	refused(&dev, 0x05, 2, "not an aligned");
	refused(&dev, 0x04, 3, "not an aligned");
	refused(&dev, 0x04, 0, "not an aligned");
}

int main(void)
{
	build_pc();
	before = sim;
	nfuncs = pci_enumerate(&acc, funcs, 64);
	test_listing();
	test_ids();
	test_bars();
	test_probe_hygiene();
	test_caps();
	test_max();
	test_format();
	test_names();
	test_write_check();
	test_small_spaces();
	return unit_report();
}
