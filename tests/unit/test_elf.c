/* The ELF checks (lib/elf/elf.c) against what the real tools say: every
 * program the build made (BUILD/bin, next to this test's BUILD/host) and a
 * few shapes gcc and ld make at test time must give the segments and entry
 * point `readelf -lW` prints; files of the kinds exec must refuse (64-bit,
 * dynamically linked, position-independent, relocatable) are refused; then
 * copies of a real program damaged field by field, and at random, are
 * refused with a reason and never read outside the bytes they were given. */
#include <dirent.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "unit.h"
#include "rt/le.h"
#include "elf/elf.h"
#include "mach/abi.h"
#include "rt/rt.h"

static char bindir[4096], tmpdir[64];

/* elf_parse on a copy of the first HEADLEN of the SIZE bytes at DATA, placed
 * right before an unmapped page so that reading past it faults under the
 * test instead of passing unseen. */
static int parse_copy(const uint8_t *data, size_t headlen, uint64_t size, struct elf_image *img)
{
	size_t pages = (headlen + 4095) / 4096 + 1;
	uint8_t *m = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -2;
	mprotect(m + (pages - 1) * 4096, 4096, PROT_NONE);
	uint8_t *p = m + (pages - 1) * 4096 - headlen;
	memcpy(p, data, headlen);
	memset(img, 0x5a, sizeof *img);     /* nothing may depend on the caller clearing it */
	int r = elf_parse(p, headlen, size, img);
	munmap(m, pages * 4096);
	return r;
}

/* What every accepted image must satisfy, whatever the input was. */
static int sane(const struct elf_image *img, uint64_t size)
{
	int exec_entry = 0;
	if (img->nseg == 0 || img->nseg > ELF_MAX_SEGMENTS)
		return 0;
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_segment *s = &img->seg[i];
		uint64_t end = (uint64_t)s->vaddr + s->memsz;
		if (s->memsz == 0 || s->filesz > s->memsz || (uint64_t)s->offset + s->filesz > size
		    || s->vaddr < ELF_USER_MIN || end > ELF_USER_MAX)
			return 0;
		if (i > 0 && s->vaddr < (uint64_t)img->seg[i - 1].vaddr + img->seg[i - 1].memsz)
			return 0;
		if (img->entry - s->vaddr < s->memsz && (s->prot & VM_PROT_EXECUTE))
			exec_entry = 1;
	}
	return exec_entry;
}

/* --- the oracle: readelf -lW ------------------------------------------------ */

struct seen {
	uint32_t entry;
	unsigned n;
	struct elf_segment seg[64];
};

static int readelf(const char *path, struct seen *s)
{
	char cmd[4200], line[512];
	snprintf(cmd, sizeof cmd, "LC_ALL=C readelf -lW '%s' 2>/dev/null", path);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	s->n = 0;
	s->entry = 0;
	while (fgets(line, sizeof line, p)) {
		unsigned off, va, pa, fs, ms;
		char rest[64];
		if (sscanf(line, "Entry point 0x%x", &va) == 1)
			s->entry = va;
		else if (sscanf(line, " LOAD 0x%x 0x%x 0x%x 0x%x 0x%x %63[^\n]", &off, &va, &pa, &fs, &ms, rest) == 6
		         && ms != 0 && s->n < 64) {
			/* the flags are three columns ("R E", "RW "), then the alignment */
			int prot = (rest[0] == 'R' ? VM_PROT_READ : 0) | (rest[1] == 'W' ? VM_PROT_WRITE : 0)
			           | (rest[2] == 'E' ? VM_PROT_EXECUTE : 0);
			s->seg[s->n++] = (struct elf_segment){ va, ms, off, fs, prot };
		}
	}
	return pclose(p) == 0 ? 0 : -1;
}

/* PATH must be accepted with exactly the segments readelf lists. */
static void agrees(const char *path)
{
	size_t size;
	uint8_t *data = host_map_image(path, &size);
	if (!CHECK(data, "%s maps", path))
		return;
	struct elf_image img;
	struct seen s;
	int r = parse_copy(data, size, size, &img);
	if (CHECK(r == 0, "%s is accepted (%s)", path, r ? img.why : "")
	    && CHECK(readelf(path, &s) == 0, "readelf -lW %s", path)) {
		CHECK(img.entry == s.entry, "%s: entry 0x%x, readelf 0x%x", path, img.entry, s.entry);
		if (CHECK(img.nseg == s.n, "%s: %u segments, readelf %u", path, img.nseg, s.n))
			for (unsigned i = 0; i < s.n; i++) {
				const struct elf_segment *a = &img.seg[i], *b = &s.seg[i];
				CHECK(a->vaddr == b->vaddr && a->memsz == b->memsz && a->offset == b->offset
				      && a->filesz == b->filesz && a->prot == b->prot,
				      "%s segment %u: 0x%x+0x%x from 0x%x+0x%x prot %d; readelf 0x%x+0x%x from 0x%x+0x%x prot %d",
				      path, i, a->vaddr, a->memsz, a->offset, a->filesz, a->prot,
				      b->vaddr, b->memsz, b->offset, b->filesz, b->prot);
			}
		CHECK(sane(&img, size), "%s: the image keeps the invariants", path);
		/* only the headers are needed: the first page suffices for ld's layout */
		size_t head = size < 4096 ? size : 4096;
		CHECK(parse_copy(data, head, size, &img) == 0, "%s accepted from its first %zu bytes", path, head);
	}
	host_unmap_image(data, size);
}

static void refused(const char *path, const char *want)
{
	size_t size;
	uint8_t *data = host_map_image(path, &size);
	if (!CHECK(data, "%s maps", path))
		return;
	struct elf_image img;
	int r = parse_copy(data, size, size, &img);
	CHECK(r == -1 && strstr(img.why, want), "%s refused for '%s': %d, '%s'", path, want, r, r ? img.why : "");
	host_unmap_image(data, size);
}

static void test_build_programs(void)
{
	DIR *d = opendir(bindir);
	if (!CHECK(d, "the build's programs are in %s", bindir))
		return;
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char path[8192];
		snprintf(path, sizeof path, "%s/%s", bindir, e->d_name);
		agrees(path);
		n++;
	}
	closedir(d);
	CHECK(n >= 5, "%d programs checked in %s", n, bindir);
}

/* Shapes of executables made here by gcc and ld. */
static void test_toolchain(void)
{
	char src[128];
	snprintf(src, sizeof src, "%s/t.c", tmpdir);
	FILE *f = fopen(src, "w");
	if (!CHECK(f, "write %s", src))
		return;
	fputs("static char big[3 << 20]; int data = 7; const char ro[] = \"read-only\";\n"
	      "void _start(void) { big[data] = ro[0]; for (;;) ; }\n", f);
	fclose(f);
	const char *cc = "gcc -m32 -O1 -fno-pic -fno-stack-protector -ffreestanding -nostdlib -static -no-pie";
	/* the build's flags; text and data in one segment (-N); another start address */
	if (sh("%s -Wl,--build-id=none -o %s/plain %s", cc, tmpdir, src))
		agrees(strcat(strcpy((char[256]){ 0 }, tmpdir), "/plain"));
	if (sh("%s -Wl,-N -o %s/omagic %s 2>/dev/null", cc, tmpdir, src))
		agrees(strcat(strcpy((char[256]){ 0 }, tmpdir), "/omagic"));
	if (sh("%s -Wl,--build-id=none -Wl,-Ttext-segment=0x400000 -o %s/low %s", cc, tmpdir, src))
		agrees(strcat(strcpy((char[256]){ 0 }, tmpdir), "/low"));
	/* what exec must turn away */
	char path[256];
	if (sh("gcc -m32 -O1 -c -o %s/t.o %s", tmpdir, src)) {
		snprintf(path, sizeof path, "%s/t.o", tmpdir);
		refused(path, "relocatable");
	}
	if (sh("gcc -m32 -O1 -fpie -pie -nostdlib -o %s/pie %s 2>/dev/null", tmpdir, src)) {
		snprintf(path, sizeof path, "%s/pie", tmpdir);
		refused(path, "position-independent");
	}
	snprintf(path, sizeof path, "%s/hello.c", tmpdir);
	f = fopen(path, "w");
	if (f) {
		fputs("#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n", f);
		fclose(f);
		if (sh("gcc -m32 -no-pie -o %s/dyn %s", tmpdir, path)) {
			snprintf(path, sizeof path, "%s/dyn", tmpdir);
			refused(path, "interpreter");
		}
	}
	refused("/bin/sh", "32-bit");       /* the host's own, x86_64 */
	snprintf(path, sizeof path, "%s/t.c", tmpdir);
	refused(path, "not an ELF");
}

/* --- damage ---------------------------------------------------------------- */

static uint8_t *base;
static size_t base_size;
static unsigned phoff, phnum;

static uint8_t *ph(uint8_t *img, unsigned i) { return img + phoff + 32 * i; }

/* The index of the Nth PT_LOAD header of the base program. */
static unsigned load_index(unsigned n)
{
	for (unsigned i = 0; i < phnum; i++)
		if (le32(ph(base, i)) == 1 && n-- == 0)
			return i;
	return 0;
}

/* A copy of the base program changed by FN must be refused for WANT. */
#define DAMAGE(want, ...) do { \
	uint8_t *c = malloc(base_size); \
	memcpy(c, base, base_size); \
	{ __VA_ARGS__; } \
	struct elf_image img; \
	int r = parse_copy(c, base_size, base_size, &img); \
	CHECK(r == -1 && strstr(img.why, want), "line %d: refused for '%s': %d '%s'", __LINE__, want, r, r ? img.why : ""); \
	free(c); \
} while (0)

static void test_damage(void)
{
	struct elf_image img;
	unsigned t = load_index(1), d = load_index(3), g = 0;   /* text, data; GNU_STACK */
	for (unsigned i = 0; i < phnum; i++)
		if (le32(ph(base, i)) == 0x6474e551)
			g = i;
	CHECK(le32(ph(base, t) + 24) == 5 && le32(ph(base, d) + 24) == 6 && g,
	      "the base program has R E text, RW data and GNU_STACK");

	for (size_t n = 0; n < 52; n += 7)
		CHECK(parse_copy(base, n, n, &img) == -1 && strstr(img.why, "too short"), "%zu bytes: '%s'", n, img.why);
	CHECK(parse_copy(base, 51, base_size, &img) == -1 && strstr(img.why, "too short"), "51 bytes read");
	CHECK(parse_copy(base, 60, base_size, &img) == -1 && strstr(img.why, "beyond the first 60 bytes"),
	      "headers past what was read: '%s'", img.why);

	DAMAGE("not an ELF", c[1] = 'F');
	DAMAGE("32-bit", c[4] = 2);
	DAMAGE("little-endian", c[5] = 2);
	DAMAGE("version 0 in the identification", c[6] = 0);
	DAMAGE("relocatable", put_le16(c + 16, 1));
	DAMAGE("position-independent", put_le16(c + 16, 3));
	DAMAGE("core", put_le16(c + 16, 4));
	DAMAGE("unknown type", put_le16(c + 16, 0xfe00));
	DAMAGE("not for i386", put_le16(c + 18, 62));
	DAMAGE("unknown ELF version 2", put_le32(c + 20, 2));
	DAMAGE("ELF header size 64", put_le16(c + 40, 64));
	DAMAGE("program header size 56", put_le16(c + 42, 56));
	DAMAGE("no program headers", put_le16(c + 44, 0));
	DAMAGE("65535 program headers", put_le16(c + 44, 0xffff));
	DAMAGE("run past the end", put_le32(c + 28, base_size - 40));
	DAMAGE("run past the end", put_le32(c + 28, 0xffffffe0));
	DAMAGE("no loaded segment", put_le32(c + 24, 0x1000));
	DAMAGE("no loaded segment", put_le32(c + 24, 0xffffffff));
	DAMAGE("not executable", put_le32(c + 24, le32(ph(c, load_index(0)) + 8)));
	DAMAGE("no loadable segment", for (unsigned i = 0; i < phnum; i++) if (le32(ph(c, i)) == 1) put_le32(ph(c, i), 4));

	DAMAGE("interpreter", put_le32(ph(c, g), 3));
	DAMAGE("PT_DYNAMIC", put_le32(ph(c, g), 2));
	DAMAGE("PT_TLS", put_le32(ph(c, g), 7));
	DAMAGE("exceeds memory size", put_le32(ph(c, d) + 16, le32(ph(c, d) + 20) + 1));
	DAMAGE("past the end of the file", put_le32(ph(c, t) + 16, base_size); put_le32(ph(c, t) + 20, base_size));
	DAMAGE("past the end of the file", put_le32(ph(c, d) + 4, 0xfffff000));
	DAMAGE("outside user space", put_le32(ph(c, load_index(0)) + 8, 0));
	DAMAGE("outside user space", put_le32(ph(c, d) + 8, 0xbffff000); put_le32(ph(c, d) + 20, 0x2000));
	DAMAGE("wraps around", put_le32(ph(c, d) + 8, 0xfffff000); put_le32(ph(c, d) + 20, 0x2000));
	DAMAGE("not a power of two", put_le32(ph(c, t) + 28, 0x1800));
	DAMAGE("differ modulo the alignment", put_le32(ph(c, t) + 4, le32(ph(c, t) + 4) + 4));
	DAMAGE("not in address order", put_le32(ph(c, d) + 8, 0x08000000));
	DAMAGE("overlaps", put_le32(ph(c, d) + 8, le32(ph(c, d - 1) + 8) + 0x10); put_le32(ph(c, d) + 28, 0));
}

/* A file built here: N PT_LOAD headers of one page each, no file bytes. */
static void test_many_segments(void)
{
	uint8_t f[52 + 32 * 20] = { 0x7f, 'E', 'L', 'F', 1, 1, 1 };
	struct elf_image img;
	put_le16(f + 16, 2);
	put_le16(f + 18, 3);
	put_le32(f + 20, 1);
	put_le32(f + 24, 0x10000);
	put_le32(f + 28, 52);
	put_le16(f + 40, 52);
	put_le16(f + 42, 32);
	for (unsigned i = 0; i < 20; i++) {
		uint8_t *p = f + 52 + 32 * i;
		put_le32(p, 1);
		put_le32(p + 8, 0x10000 * (i + 1));
		put_le32(p + 20, 0x1000);
		put_le32(p + 24, 5);
		put_le32(p + 28, 0x1000);
	}
	for (unsigned n = 1; n <= 20; n++) {
		put_le16(f + 44, n);
		int r = parse_copy(f, 52 + 32 * n, 52 + 32 * n, &img);
		if (n <= ELF_MAX_SEGMENTS)
			CHECK(r == 0 && img.nseg == n && sane(&img, sizeof f), "%u segments accepted: '%s'", n, img.why);
		else
			CHECK(r == -1 && strstr(img.why, "more than 16"), "%u segments refused: '%s'", n, img.why);
	}
	/* two segments on one page, and an empty one between them: accepted, the empty one left out */
	put_le16(f + 44, 3);
	put_le32(f + 52 + 8, 0x10000);
	put_le32(f + 52 + 20, 0x800);
	put_le32(f + 52 + 32 + 8, 0x10900);
	put_le32(f + 52 + 32 + 20, 0);
	put_le32(f + 52 + 64 + 8, 0x10900);
	put_le32(f + 52 + 64 + 20, 0x100);
	put_le32(f + 52 + 64 + 24, 6);
	put_le32(f + 52 + 64 + 28, 4);
	CHECK(elf_parse(f, 52 + 96, 52 + 96, &img) == 0 && img.nseg == 2 && img.seg[1].vaddr == 0x10900
	      && img.seg[1].prot == (VM_PROT_READ | VM_PROT_WRITE), "page-sharing segments: '%s'", img.why);
}

/* Random damage to the headers: refused with a reason, or accepted sane. */
static void test_random(void)
{
	uint8_t *c = malloc(base_size);
	unsigned accepted = 0, bad = 0, noreason = 0, runs = 20000;
	srand(1);
	for (unsigned k = 0; k < runs; k++) {
		memcpy(c, base, base_size);
		unsigned hits = 1 + rand() % 4;
		size_t span = phoff + 32 * phnum;
		for (unsigned i = 0; i < hits; i++)
			c[rand() % span] = (uint8_t)rand();
		size_t head = k % 3 == 0 ? (size_t)(rand() % (span + 8)) : base_size;
		struct elf_image img;
		int r = parse_copy(c, head, base_size, &img);
		if (r == 0) {
			accepted++;
			if (!sane(&img, base_size))
				bad++;
		} else if (r != -1 || img.why[0] == 0 || !memchr(img.why, 0, sizeof img.why)) {
			noreason++;
		}
	}
	free(c);
	CHECK(bad == 0, "%u of %u accepted damaged copies break an invariant", bad, accepted);
	CHECK(noreason == 0, "%u refusals without a reason", noreason);
	CHECK(accepted > 0 && accepted < runs, "%u of %u damaged copies accepted", accepted, runs);
}

int main(int argc, char **argv)
{
	(void)argc;
	char self[4096];
	strncpy(self, argv[0], sizeof self - 1);
	self[sizeof self - 1] = 0;
	snprintf(bindir, sizeof bindir, "%s/../bin", dirname(self));
	strcpy(tmpdir, "/tmp/test_elf.XXXXXX");
	if (!CHECK(mkdtemp(tmpdir), "temporary directory"))
		return unit_report();

	test_build_programs();
	test_toolchain();

	char path[8192];
	snprintf(path, sizeof path, "%s/hello", bindir);
	base = host_map_image(path, &base_size);
	if (CHECK(base, "%s maps", path)) {
		phoff = le32(base + 28);
		phnum = le16(base + 44);
		test_damage();
		test_random();
		host_unmap_image(base, base_size);
	}
	test_many_segments();

	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	system(cmd);
	return unit_report();
}
