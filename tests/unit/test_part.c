/* Partition tables (lib/disk/part.c) against disk images that sfdisk and
 * sgdisk write at test time, judged by what those tools print about them
 * (sfdisk --dump, sgdisk -p and -i); then damaged copies of the images. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "unit.h"
#include "rt/le.h"
#include "disk/part.h"
#include "rt/rt.h"

static char dir[64];

/* --- images ---------------------------------------------------------------- */

/* A disk: a private (copy-on-write) mapping of an image, so that damage done
 * by a test stays in memory; SIZE bytes are readable, SECTORS are claimed. */
struct img {
	uint8_t *data;
	size_t size;
	uint64_t sectors;
	unsigned reads;
};

/* Bound on the reads of one part_read_table call: beyond it, it hangs. */
#define READ_LIMIT 10000

static int img_read(void *ctx, uint64_t lba, unsigned count, void *buf)
{
	struct img *m = ctx;
	if (++m->reads > READ_LIMIT)
		return -1;
	if (lba > m->size / 512 || count > m->size / 512 - lba)
		return -1;
	memcpy(buf, m->data + lba * 512, (size_t)count * 512);
	return 0;
}

static struct img load(const char *name)
{
	struct img m = { 0 };
	char path[160];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	m.data = host_map_image(path, &m.size);
	CHECK(m.data != NULL, "%s maps", path);
	m.sectors = m.size / 512;
	return m;
}

static void unload(struct img *m)
{
	host_unmap_image(m->data, m->size);
}

static enum part_scheme parse(struct img *m, struct part_table *t)
{
	m->reads = 0;
	memset(t, 0x5a, sizeof *t);     /* nothing may depend on the caller clearing it */
	enum part_scheme s = part_read_table(img_read, m, m->sectors, t);
	CHECK(m->reads <= READ_LIMIT, "part_read_table stops reading (%u reads)", m->reads);
	CHECK(s == t->scheme && (s != PART_NONE || t->n == 0), "scheme %d and table agree", s);
	CHECK(memchr(t->why, 0, sizeof t->why), "why is a string");
	return s;
}


/* --- the tools' word ------------------------------------------------------- */

/* "0FC63DAF-8483-4772-8E79-3D69D8477DE4" as GPT stores it: the first three
 * fields little-endian. */
static void guid_parse(const char *s, uint8_t g[16])
{
	static const int at[16] = { 6, 4, 2, 0, 11, 9, 16, 14, 19, 21, 24, 26, 28, 30, 32, 34 };
	for (int i = 0; i < 16; i++) {
		unsigned b = 0;
		sscanf(s + at[i], "%2x", &b);
		g[i] = (uint8_t)b;
	}
}

/* The partitions sfdisk --dump lists, extended ones included. */
static unsigned sfdisk_parts(const char *name, struct part *out, unsigned max)
{
	char cmd[256], line[256];
	snprintf(cmd, sizeof cmd, "sfdisk --dump %s/%s", dir, name);
	FILE *p = popen(cmd, "r");
	unsigned n = 0;
	while (p && fgets(line, sizeof line, p)) {
		/* "DIR/NAME5 : start=        8192, size=        2048, type=83" */
		char *colon = strstr(line, " : start=");
		unsigned long long start, size;
		unsigned type;
		if (!colon || n == max || sscanf(colon, " : start=%llu, size=%llu, type=%x", &start, &size, &type) != 3)
			continue;
		char *num = colon;
		while (num > line && num[-1] >= '0' && num[-1] <= '9')
			num--;
		memset(&out[n], 0, sizeof out[n]);
		out[n].number = (unsigned)atoi(num);
		out[n].start = start;
		out[n].count = size;
		out[n].mbr_type = (uint8_t)type;
		n++;
	}
	CHECK(p && pclose(p) == 0 && n > 0, "sfdisk --dump %s lists partitions", name);
	return n;
}

/* The partitions sgdisk -p lists, with type and name from sgdisk -i. */
static unsigned sgdisk_parts(const char *name, struct part *out, unsigned max)
{
	char cmd[256], line[256];
	snprintf(cmd, sizeof cmd, "sgdisk -p %s/%s", dir, name);
	FILE *p = popen(cmd, "r");
	unsigned n = 0;
	int table = 0;
	while (p && fgets(line, sizeof line, p)) {
		unsigned num;
		unsigned long long start, end;
		if (strncmp(line, "Number", 6) == 0)
			table = 1;
		else if (table && n < max && sscanf(line, "%u %llu %llu", &num, &start, &end) == 3) {
			memset(&out[n], 0, sizeof out[n]);
			out[n].number = num;
			out[n].start = start;
			out[n].count = end - start + 1;
			n++;
		}
	}
	CHECK(p && pclose(p) == 0 && n > 0, "sgdisk -p %s lists partitions", name);
	for (unsigned i = 0; i < n; i++) {
		snprintf(cmd, sizeof cmd, "sgdisk -i %u %s/%s", out[i].number, dir, name);
		p = popen(cmd, "r");
		int got = 0;
		while (p && fgets(line, sizeof line, p)) {
			if (strncmp(line, "Partition GUID code: ", 21) == 0) {
				guid_parse(line + 21, out[i].gpt_type);
				got |= 1;
			} else if (strncmp(line, "Partition name: '", 17) == 0) {
				char *q = strrchr(line, '\'');
				if (q >= line + 17 && (size_t)(q - line - 17) < sizeof out[i].label) {
					memcpy(out[i].label, line + 17, q - line - 17);
					got |= 2;
				}
			}
		}
		CHECK(p && pclose(p) == 0 && got == 3, "sgdisk -i %u %s gives type and name", out[i].number, name);
	}
	return n;
}

/* --- comparisons ----------------------------------------------------------- */

static int same_part(const struct part *a, const struct part *b)
{
	return a->number == b->number && a->start == b->start && a->count == b->count
	       && a->mbr_type == b->mbr_type && !memcmp(a->gpt_type, b->gpt_type, 16)
	       && !strcmp(a->label, b->label);
}

/* GOT has exactly the partitions WANT, in order. */
static void same_parts(const char *what, const struct part *got, unsigned n, const struct part *want, unsigned wn)
{
	CHECK(n == wn, "%s: %u partitions, want %u", what, n, wn);
	for (unsigned i = 0; i < n && i < wn; i++)
		CHECK(same_part(&got[i], &want[i]),
		      "%s: partition %u start %llu count %llu type 0x%02x label '%s', want %u %llu %llu 0x%02x '%s'",
		      what, got[i].number, (unsigned long long)got[i].start, (unsigned long long)got[i].count,
		      got[i].mbr_type, got[i].label, want[i].number, (unsigned long long)want[i].start,
		      (unsigned long long)want[i].count, want[i].mbr_type, want[i].label);
}

/* The oracle's partitions without the extended ones, which the table leaves out. */
static unsigned data_parts(struct part *p, unsigned n)
{
	unsigned m = 0;
	for (unsigned i = 0; i < n; i++)
		if (p[i].mbr_type != 0x05 && p[i].mbr_type != 0x0f && p[i].mbr_type != 0x85)
			p[m++] = p[i];
	return m;
}

/* T was refused with a reason containing WANT. */
static void refused(const char *what, struct img *m, const char *want)
{
	struct part_table t;
	enum part_scheme s = parse(m, &t);
	CHECK(s == PART_NONE && strstr(t.why, want), "%s: refused with '%s' (scheme %d, %u partitions, why '%s')",
	      what, want, s, t.n, t.why);
}

/* T is the table WANT (of WN partitions) of scheme SCHEME, with a note
 * containing NOTE ("" for none). */
static void parsed(const char *what, struct img *m, enum part_scheme scheme, const struct part *want,
		   unsigned wn, const char *note)
{
	struct part_table t;
	enum part_scheme s = parse(m, &t);
	CHECK(s == scheme, "%s: scheme %d, want %d (why '%s')", what, s, scheme, t.why);
	if (s != scheme)
		return;
	same_parts(what, t.parts, t.n, want, wn);
	CHECK(note[0] ? strstr(t.why, note) != NULL : t.why[0] == 0, "%s: note '%s', want '%s'", what, t.why, note);
}

/* --- MBR ------------------------------------------------------------------- */

static uint8_t *mbr_entry(struct img *m, uint64_t sector, int i)
{
	return m->data + sector * 512 + 446 + 16 * i;
}

/* The sector of the K-th EBR (0-based) of the extended partition in slot 2. */
static uint64_t ebr_at(struct img *m, int k)
{
	uint64_t ext = le32(mbr_entry(m, 0, 1) + 8), ebr = ext;
	while (k--)
		ebr = ext + le32(mbr_entry(m, ebr, 1) + 8);
	return ebr;
}

#define SFDISK_HEAD "label: dos\nunit: sectors\n"

static void test_mbr(void)
{
	/* three primaries (the first bootable), an extended one with three logical ones */
	sh("cd %s && truncate -s 16M mbr.img && sfdisk -q mbr.img <<EOF\n" SFDISK_HEAD
	   "start=2048, size=4096, type=83, bootable\n"
	   "start=6144, size=20480, type=5\n"
	   "start=26624, size=4096, type=c\n"
	   "start=8192, size=2048, type=83\n"
	   "start=12288, size=4096, type=82\n"
	   "start=18432, size=8192, type=7\n"
	   "EOF", dir);
	static const struct part asked[] = {
		{ .number = 1, .start = 2048, .count = 4096, .mbr_type = 0x83 },
		{ .number = 3, .start = 26624, .count = 4096, .mbr_type = 0x0c },
		{ .number = 5, .start = 8192, .count = 2048, .mbr_type = 0x83 },
		{ .number = 6, .start = 12288, .count = 4096, .mbr_type = 0x82 },
		{ .number = 7, .start = 18432, .count = 8192, .mbr_type = 0x07 },
	};
	struct part want[PART_MAX];
	unsigned wn = data_parts(want, sfdisk_parts("mbr.img", want, PART_MAX));
	same_parts("sfdisk wrote what was asked", want, wn, asked, 5);

	struct img m = load("mbr.img");
	if (!m.data)
		return;
	parsed("MBR with logical partitions", &m, PART_MBR, want, wn, "");
	CHECK(m.reads == 4, "MBR: one read of the MBR and each EBR (%u)", m.reads);

	uint64_t ebr[3] = { ebr_at(&m, 0), ebr_at(&m, 1), ebr_at(&m, 2) };
	uint8_t save[512];
	/* the other system ids of extended partitions */
	uint8_t *ext = mbr_entry(&m, 0, 1);
	ext[4] = 0x0f;
	parsed("extended type 0x0f", &m, PART_MBR, want, wn, "");
	ext[4] = 0x85;
	parsed("extended type 0x85", &m, PART_MBR, want, wn, "");
	ext[4] = 0x05;

	/* the whole disk claimed smaller than the table */
	m.sectors = 30000;
	refused("disk smaller than partition 3", &m, "partition 3 extends past the end of the disk");
	m.sectors = m.size / 512;
	uint8_t *p1 = mbr_entry(&m, 0, 0), *p3 = mbr_entry(&m, 0, 2);
	put_le32(p1 + 12, 0xfffff000);
	refused("partition 1 past the end", &m, "partition 1 extends past the end of the disk");
	put_le32(p1 + 12, 5000);
	refused("primary over the extended", &m, "partitions 1 and 2 overlap");
	put_le32(p1 + 12, 4096);
	put_le32(p3 + 8, 26000);
	refused("extended over a primary", &m, "partitions 2 and 3 overlap");
	put_le32(p3 + 8, 1000);
	refused("partition 3 before and over 1", &m, "partitions 1 and 3 overlap");
	put_le32(p3 + 8, 26624);
	put_le32(p3 + 12, 0);
	refused("primary of zero size", &m, "partition 3 has zero size");
	put_le32(p3 + 12, 4096);
	put_le32(p3 + 8, 0);
	refused("primary at sector 0", &m, "partition 3 starts at sector 0");
	put_le32(p3 + 8, 26624);
	p1[0] = 0x12;
	refused("boot flag neither 0 nor 0x80", &m, "boot flag 0x12");
	p1[0] = 0x80;
	p3[4] = 0;
	parsed("system id 0 is an empty slot", &m, PART_MBR, (struct part[]){ want[0], want[2], want[3], want[4] }, 4, "");
	p3[4] = 0x0c;

	/* logical partitions */
	uint8_t *l5 = mbr_entry(&m, ebr[0], 0), *l6 = mbr_entry(&m, ebr[1], 0), *l7 = mbr_entry(&m, ebr[2], 0);
	put_le32(l5 + 12, 5000);
	refused("overlapping logical partitions", &m, "partitions 5 and 6 overlap");
	put_le32(l5 + 12, 2048);
	put_le32(l7 + 12, 9000);
	refused("logical past its extended partition", &m, "partition 7 extends past the end of its extended partition");
	put_le32(l7 + 12, 8192);
	put_le32(l6 + 12, 0);
	refused("logical of zero size", &m, "partition 6 has zero size");
	put_le32(l6 + 12, 4096);
	uint32_t off6 = le32(l6 + 8);
	put_le32(l6 + 8, 0);
	refused("logical on its EBR", &m, "partition 6 starts on its own EBR");
	put_le32(l6 + 8, off6);
	uint8_t *link2 = mbr_entry(&m, ebr[1], 1);
	uint32_t link = le32(link2 + 8);
	put_le32(link2 + 8, 30000);
	refused("EBR link outside the extended partition", &m, "links outside its extended partition");

	/* a chain that loops: kept up to the loop */
	put_le32(link2 + 8, (uint32_t)(ebr[1] - ebr[0]));
	parsed("EBR linking to itself", &m, PART_MBR, want, 4, "loops back to sector");
	CHECK(m.reads == 3, "self-linked EBR read once (%u reads)", m.reads);
	put_le32(link2 + 8, link);
	uint8_t *link3 = mbr_entry(&m, ebr[2], 1);
	link3[4] = 0x05;
	put_le32(link3 + 8, 0);
	put_le32(link3 + 12, 2048);
	parsed("EBR chain back to the first", &m, PART_MBR, want, wn, "loops back to sector");

	/* a second extended partition, in slot 4, is followed too (its first
	 * EBR is blank here); the first note stays */
	uint8_t *p4 = mbr_entry(&m, 0, 3);
	p4[4] = 0x0f;
	put_le32(p4 + 8, 30720);
	put_le32(p4 + 12, 2048);
	parsed("two extended partitions, notes on both", &m, PART_MBR, want, wn, "loops back to sector 6144");
	memset(link3, 0, 16);
	parsed("second extended partition", &m, PART_MBR, want, wn, "no signature in the EBR at sector 30720");
	memset(p4, 0, 16);

	/* a damaged EBR ends the chain, keeping what came before */
	m.data[ebr[1] * 512 + 510] = 0;
	parsed("EBR without signature", &m, PART_MBR, want, 3, "no signature in the EBR");
	m.data[ebr[1] * 512 + 510] = 0x55;
	m.size = ebr[2] * 512;
	parsed("image cut before the last EBR", &m, PART_MBR, want, 4, "cannot read the EBR");
	m.size = 512;
	parsed("image of the MBR alone", &m, PART_MBR, want, 2, "cannot read the EBR");
	m.size = 511;
	refused("image shorter than a sector", &m, "cannot read sector 0");
	m.size = 16 << 20;
	parsed("MBR undamaged again", &m, PART_MBR, want, wn, "");

	memcpy(save, m.data + 510, 2);
	m.data[511] = 0;
	refused("no signature", &m, "no MBR signature");
	memcpy(m.data + 510, save, 2);
	unload(&m);

	struct img zero = { .data = (uint8_t[8192]){ 0 }, .size = 8192, .sectors = 16 };
	refused("all zero", &zero, "no MBR signature");
	zero.sectors = 0;
	refused("empty disk", &zero, "empty");
}

/* The longest EBR chain sfdisk writes (60 partitions in all), then longer
 * ones built here from it. */
static void test_mbr_chain(void)
{
	char script[4096];
	int o = snprintf(script, sizeof script, SFDISK_HEAD "start=40, size=8, type=83\n"
			 "start=64, size=1900, type=5\nstart=1980, size=8, type=83\n");
	for (int i = 0; i < 56; i++)
		o += snprintf(script + o, sizeof script - o, "start=%d, size=16, type=83\n", 66 + 24 * i);
	sh("cd %s && truncate -s 1M chain.img && sfdisk -q chain.img <<EOF\n%sEOF", dir, script);
	struct part want[PART_MAX];
	unsigned wn = data_parts(want, sfdisk_parts("chain.img", want, PART_MAX));
	CHECK(wn == 58 && want[wn - 1].number == 60, "sfdisk wrote 58 partitions up to 60 (%u)", wn);
	struct img m = load("chain.img");
	if (!m.data)
		return;
	parsed("56 logical partitions", &m, PART_MBR, want, wn, "");

	/* ten more EBRs after the last one, each with a 16-sector partition */
	uint64_t last = ebr_at(&m, 55);
	for (int j = 0; j < 10; j++) {
		uint64_t ebr = 1410 + 24 * j;
		uint8_t *link = mbr_entry(&m, last, 1), *data = mbr_entry(&m, ebr, 0);
		link[4] = 0x05;
		put_le32(link + 8, (uint32_t)(ebr - 64));
		put_le32(link + 12, 18);
		data[4] = 0x83;
		put_le32(data + 8, 2);
		put_le32(data + 12, 16);
		m.data[ebr * 512 + 510] = 0x55;
		m.data[ebr * 512 + 511] = 0xaa;
		last = ebr;
	}
	for (int j = 0; j < 6; j++) {
		want[wn].number = 61 + j;
		want[wn].start = 1410 + 24 * j + 2;
		want[wn].count = 16;
		want[wn++].mbr_type = 0x83;
	}
	parsed("66 logical partitions", &m, PART_MBR, want, PART_MAX, "more than 64 partitions");
	/* and the same chain without partitions: 66 EBRs */
	for (int k = 0; k < 66; k++)
		memset(mbr_entry(&m, ebr_at(&m, k), 0), 0, 16);
	parsed("66 empty EBRs", &m, PART_MBR, want, 2, "more than 64 EBRs");
	unload(&m);
}

/* --- GPT ------------------------------------------------------------------- */

/* Recomputes the CRCs of the GPT header at LBA and its entry array. */
static void gpt_fix(struct img *m, uint64_t lba)
{
	uint8_t *h = m->data + lba * 512;
	put_le32(h + 88, part_crc32(m->data + le64(h + 72) * 512, (size_t)le32(h + 80) * le32(h + 84)));
	put_le32(h + 16, 0);
	put_le32(h + 16, part_crc32(h, le32(h + 12)));
}

/* Entry K (1-based) of the primary array, which sgdisk puts at sector 2. */
static uint8_t *gpt_entry(struct img *m, unsigned k)
{
	return m->data + 2 * 512 + (k - 1) * le32(m->data + 512 + 84);
}

/* Rewrites the primary array (16 KiB at sector 2) with NENT entries of
 * ESIZE bytes, keeping the first 128 bytes of each entry. */
static void gpt_reshape(struct img *m, uint32_t esize, uint32_t nent)
{
	static uint8_t old[128 * 128];
	uint32_t was = le32(m->data + 512 + 84), had = le32(m->data + 512 + 80);
	memcpy(old, m->data + 1024, sizeof old);
	memset(m->data + 1024, 0, sizeof old);
	for (uint32_t k = 0; k < nent && k < had; k++)
		memcpy(m->data + 1024 + k * esize, old + k * was, 128);
	put_le32(m->data + 512 + 80, nent);
	put_le32(m->data + 512 + 84, esize);
	gpt_fix(m, 1);
}

static void test_gpt(void)
{
	sh("cd %s && truncate -s 16M gpt.img && sgdisk -n 1:2048:+4M -t 1:8300 -c 1:root "
	   "-n 2:0:+2M -t 2:8200 -c '2:swap space' -n 4:0:+1M -t 4:ef00 -c 4:données-été "
	   "-n 5:0:+1M -t 5:0700 -c 5:abcdefghijklmnopqrstuvwxyz0123456789 gpt.img >/dev/null", dir);
	struct part asked[4] = {
		{ .number = 1, .start = 2048, .count = 8192, .label = "root" },
		{ .number = 2, .start = 10240, .count = 4096, .label = "swap space" },
		{ .number = 4, .start = 14336, .count = 2048, .label = "données-été" },
		{ .number = 5, .start = 16384, .count = 2048, .label = "abcdefghijklmnopqrstuvwxyz0123456789" },
	};
	guid_parse("0FC63DAF-8483-4772-8E79-3D69D8477DE4", asked[0].gpt_type);
	guid_parse("0657FD6D-A4AB-43C4-84E5-0933C84B4F4F", asked[1].gpt_type);
	guid_parse("C12A7328-F81F-11D2-BA4B-00A0C93EC93B", asked[2].gpt_type);
	guid_parse("EBD0A0A2-B9E5-4433-87C0-68B6B72699C7", asked[3].gpt_type);
	struct part want[PART_MAX];
	unsigned wn = sgdisk_parts("gpt.img", want, PART_MAX);
	same_parts("sgdisk wrote what was asked", want, wn, asked, 4);

	struct img m = load("gpt.img");
	if (!m.data)
		return;
	uint64_t backup = m.sectors - 1;
	parsed("GPT", &m, PART_GPT, want, wn, "");
	CHECK(m.reads == 2 + 32, "GPT: MBR, header and 32 sectors of entries read (%u)", m.reads);

	/* entries of other sizes, also straddling sectors */
	struct img r = load("gpt.img");
	if (r.data) {
		gpt_reshape(&r, 256, 64);
		parsed("GPT entries of 256 bytes", &r, PART_GPT, want, wn, "");
		gpt_reshape(&r, 136, 120);
		parsed("GPT entries of 136 bytes", &r, PART_GPT, want, wn, "");
		put_le32(r.data + 512 + 84, 132);
		gpt_fix(&r, 1);
		parsed("GPT entry size not a multiple of 8", &r, PART_GPT, want, wn, "(entry size 132)");
		put_le32(r.data + 512 + 84, 120);
		gpt_fix(&r, 1);
		parsed("GPT entry size below 128", &r, PART_GPT, want, wn, "(entry size 120)");
		put_le32(r.data + 512 + 84, 128);
		put_le32(r.data + 512 + 80, 0);
		gpt_fix(&r, 1);
		parsed("GPT without entries", &r, PART_GPT, want, 0, "");
		unload(&r);
	}

	/* a damaged primary header or array: the backup serves */
	uint8_t *h = m.data + 512, save[512];
	memcpy(save, h, 512);
	h[60] ^= 1;
	parsed("primary header CRC", &m, PART_GPT, want, wn, "primary GPT unusable (header CRC mismatch); using the backup");
	memcpy(h, save, 512);
	gpt_entry(&m, 1)[60] ^= 1;
	parsed("primary entries CRC", &m, PART_GPT, want, wn, "(entry array CRC mismatch)");
	gpt_entry(&m, 1)[60] ^= 1;
	h[0] = 'e';
	parsed("primary signature", &m, PART_GPT, want, wn, "(no GPT signature)");
	memcpy(h, save, 512);
	put_le32(h + 8, 0x00020000);
	gpt_fix(&m, 1);
	parsed("primary revision 2.0", &m, PART_GPT, want, wn, "(revision 0x00020000)");
	put_le32(h + 8, 0x00010003);
	gpt_fix(&m, 1);
	parsed("primary revision 1.3", &m, PART_GPT, want, wn, "");
	memcpy(h, save, 512);
	put_le32(h + 12, 91);
	parsed("primary header size 91", &m, PART_GPT, want, wn, "(header size 91)");
	put_le32(h + 12, 513);
	parsed("primary header size 513", &m, PART_GPT, want, wn, "(header size 513)");
	memcpy(h, save, 512);
	put_le64(h + 24, 2);
	gpt_fix(&m, 1);
	parsed("primary my_lba", &m, PART_GPT, want, wn, "(header says it is at sector 2)");
	memcpy(h, save, 512);
	put_le64(h + 48, m.sectors);
	gpt_fix(&m, 1);
	parsed("primary usable area past the disk", &m, PART_GPT, want, wn, "not on the disk");
	memcpy(h, save, 512);
	put_le64(h + 72, 1);
	gpt_fix(&m, 1);
	parsed("primary entries on the header", &m, PART_GPT, want, wn, "(entry array at sector 1 misplaced)");
	put_le64(h + 72, 20);
	gpt_fix(&m, 1);
	parsed("primary entries in the usable area", &m, PART_GPT, want, wn, "misplaced");
	memcpy(h, save, 512);
	put_le32(h + 80, 100000);
	gpt_fix(&m, 1);
	parsed("primary entry array too large", &m, PART_GPT, want, wn, "(entry array of 12800000 bytes)");
	memcpy(h, save, 512);

	/* both damaged */
	h[60] ^= 1;
	m.data[backup * 512 + 60] ^= 1;
	refused("both headers", &m, "GPT unusable (header CRC mismatch) and backup at sector 32767 unusable (header CRC mismatch)");
	m.data[backup * 512 + 60] ^= 1;
	m.sectors = 30000;
	refused("disk smaller than the GPT", &m, "backup at sector 29999 unusable (no GPT signature)");
	m.sectors = m.size / 512;
	m.size = 1 << 20;
	refused("primary damaged, backup cut off", &m, "backup at sector 32767 unusable (cannot read the header)");
	memcpy(h, save, 512);
	m.size = 2 * 512;
	refused("image cut after the primary header", &m,
		"GPT unusable (cannot read entry array sector 2) and backup at sector 32767 unusable (cannot read the header)");
	m.size = 16 << 20;
	parsed("GPT undamaged again", &m, PART_GPT, want, wn, "");

	/* sound tables with unacceptable partitions: no use trying the backup */
	uint8_t *e2 = gpt_entry(&m, 2), *e1 = gpt_entry(&m, 1), *e4 = gpt_entry(&m, 4);
	put_le64(e2 + 40, 40000);
	gpt_fix(&m, 1);
	refused("GPT partition past the disk", &m, "partition 2 extends past the end of the disk");
	put_le64(e2 + 40, 32740);
	gpt_fix(&m, 1);
	refused("GPT partition past the usable area", &m, "partition 2 lies outside the usable sectors 34-32734");
	put_le64(e2 + 40, 14335);
	put_le64(e1 + 32, 10);
	gpt_fix(&m, 1);
	refused("GPT partition on the entry array", &m, "partition 1 lies outside the usable sectors");
	put_le64(e1 + 32, 2048);
	put_le64(e2 + 32, 10000);
	gpt_fix(&m, 1);
	refused("overlapping GPT partitions", &m, "partitions 1 and 2 overlap");
	put_le64(e2 + 32, 10240);
	put_le64(e4 + 40, 14335);
	gpt_fix(&m, 1);
	refused("GPT partition ending before it starts", &m, "partition 4 ends before it starts");
	/* ... but only when the CRC vouches for the entries */
	put_le32(m.data + 512 + 88, le32(m.data + 512 + 88) ^ 1);
	put_le32(h + 16, 0);
	put_le32(h + 16, part_crc32(h, 92));
	parsed("bad entry under a bad CRC", &m, PART_GPT, want, wn, "(entry array CRC mismatch)");
	put_le64(e4 + 40, 16383);
	gpt_fix(&m, 1);
	parsed("GPT undamaged once more", &m, PART_GPT, want, wn, "");

	/* the protective MBR decides: without it, the disk is MBR */
	uint8_t *pmbr = mbr_entry(&m, 0, 0);
	pmbr[4] = 0x83;
	struct part whole = { .number = 1, .start = 1, .count = m.sectors - 1, .mbr_type = 0x83 };
	parsed("GPT behind an ordinary MBR", &m, PART_MBR, &whole, 1, "");
	unload(&m);
}

/* Names beyond ASCII: sgdisk writes them (but its -i prints characters
 * outside the BMP wrongly, so the names asked for are the oracle). */
static void test_gpt_names(void)
{
	sh("cd %s && truncate -s 1M names.img && sgdisk -a 1 -n 1:0:+8 -c 1:a😀b𠀀 -n 2:0:+8 "
	   "-c 2:éééééééééééééééééééééééééééééééééééé names.img >/dev/null", dir);
	struct img m = load("names.img");
	if (!m.data)
		return;
	struct part_table t;
	parse(&m, &t);
	CHECK(t.scheme == PART_GPT && t.n == 2 && !strcmp(t.parts[0].label, "a😀b𠀀"),
	      "surrogate pairs: '%s'", t.n ? t.parts[0].label : "");
	/* 36 two-byte characters do not fit in 71 bytes: cut at a character */
	CHECK(t.n == 2 && !strcmp(t.parts[1].label, "ééééééééééééééééééééééééééééééééééé"),
	      "36 x U+00E9 cut to 35: '%s'", t.n == 2 ? t.parts[1].label : "");
	/* lone surrogates, one in the last unit */
	static const uint16_t name[36] = { 'x', 0xd800, 'y', 0xdc00, 'z', [35] = 0xd83d };
	uint8_t *e = gpt_entry(&m, 1);
	for (int i = 0; i < 36; i++) {
		e[56 + 2 * i] = (uint8_t)name[i];
		e[57 + 2 * i] = (uint8_t)(name[i] >> 8);
	}
	gpt_fix(&m, 1);
	parse(&m, &t);
	CHECK(t.n == 2 && !strcmp(t.parts[0].label, "x?y?z"), "lone surrogates: '%s'", t.n ? t.parts[0].label : "");
	e[56 + 10] = 'w';
	gpt_fix(&m, 1);
	parse(&m, &t);
	/* between 'z' and the last unit are NULs: the name ends at the first */
	CHECK(t.n == 2 && !strcmp(t.parts[0].label, "x?y?zw"), "name ends at NUL: '%s'", t.n ? t.parts[0].label : "");
	for (int i = 6; i < 35; i++)
		e[56 + 2 * i] = '-';
	gpt_fix(&m, 1);
	parse(&m, &t);
	CHECK(t.n == 2 && !strcmp(t.parts[0].label, "x?y?zw-----------------------------?"),
	      "high surrogate in the last unit: '%s'", t.n ? t.parts[0].label : "");
	unload(&m);
}

/* More GPT entries than PART_MAX. */
static void test_gpt_many(void)
{
	sh("cd %s && truncate -s 1M many.img && args= && for i in $(seq 1 70); do args=\"$args -n $i:0:+8\"; done "
	   "&& sgdisk -a 1 $args many.img >/dev/null", dir);
	struct part want[80];
	unsigned wn = sgdisk_parts("many.img", want, 80);
	CHECK(wn == 70, "sgdisk wrote 70 partitions (%u)", wn);
	struct img m = load("many.img");
	if (!m.data)
		return;
	parsed("70 GPT partitions", &m, PART_GPT, want, PART_MAX, "more than 64 partitions; 6 are ignored");
	m.data[512 + 60] ^= 1;
	parsed("70 GPT partitions from the backup", &m, PART_GPT, want, PART_MAX,
	       "primary GPT unusable (header CRC mismatch); using the backup at sector 2047; "
	       "more than 64 partitions; 6 are ignored");
	unload(&m);
}

/* --- 4096-byte sectors ------------------------------------------------------ */

static int img_read4k(void *ctx, uint64_t lba, unsigned count, void *buf)
{
	struct img *m = ctx;
	if (++m->reads > READ_LIMIT || lba > m->size / 4096 || count > m->size / 4096 - lba)
		return -1;
	memcpy(buf, m->data + lba * 4096, (size_t)count * 4096);
	return 0;
}

/* The partitions `fdisk -b 4096 -l` lists (start and size in 4 KiB sectors). */
static unsigned fdisk4k_parts(const char *name, struct part *out, unsigned max)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "fdisk -b 4096 -l -o Device,Start,Sectors %s/%s", dir, name);
	FILE *p = popen(cmd, "r");
	char line[256];
	unsigned n = 0;
	size_t len = strlen(name);
	while (p && fgets(line, sizeof line, p))
		if (!strncmp(line, dir, strlen(dir)) && n < max) {
			const char *q = line + strlen(dir) + 1 + len;
			unsigned num;
			unsigned long long start, count;
			if (sscanf(q, "%u %llu %llu", &num, &start, &count) == 3)
				out[n++] = (struct part){ .number = num, .start = start, .count = count };
		}
	CHECK(p && pclose(p) == 0 && n > 0, "fdisk -b 4096 -l %s lists partitions", name);
	return n;
}

static void test_4k(void)
{
	/* an MBR with an extended partition holding a logical one, and a GPT,
	 * both written by fdisk for a disk of 4096-byte sectors */
	sh("cd %s && head -c 16M /dev/zero > mbr4k.img && printf 'o\\nn\\np\\n1\\n256\\n+2M\\nn\\ne\\n2\\n\\n+8M\\n"
	   "n\\nl\\n\\n+2M\\nw\\n' | fdisk -b 4096 mbr4k.img >/dev/null", dir);
	sh("cd %s && head -c 16M /dev/zero > gpt4k.img && printf 'g\\nn\\n1\\n256\\n+2M\\nn\\n2\\n\\n+3M\\nw\\n' "
	   "| fdisk -b 4096 gpt4k.img >/dev/null", dir);
	struct part want[8], drop[8];
	struct part_table t;
	struct img m = load("mbr4k.img");
	unsigned wn = fdisk4k_parts("mbr4k.img", want, 8);
	/* fdisk lists the extended partition (2) too; the reader does not */
	unsigned k = 0;
	for (unsigned i = 0; i < wn; i++)
		if (want[i].number != 2)
			drop[k++] = want[i];
	m.reads = 0;
	enum part_scheme sch = part_read_table_sized(img_read4k, &m, m.size / 4096, 4096, &t);
	CHECK(sch == PART_MBR && t.n == 2 && k == 2, "4Kn MBR: %u partitions (%s)", t.n, t.why);
	for (unsigned i = 0; i < t.n && i < k; i++)
		CHECK(t.parts[i].number == drop[i].number && t.parts[i].start == drop[i].start
		      && t.parts[i].count == drop[i].count, "4Kn MBR partition %u at %llu+%llu, fdisk says %u at %llu+%llu",
		      t.parts[i].number, (unsigned long long)t.parts[i].start, (unsigned long long)t.parts[i].count,
		      drop[i].number, (unsigned long long)drop[i].start, (unsigned long long)drop[i].count);
	unload(&m);

	m = load("gpt4k.img");
	wn = fdisk4k_parts("gpt4k.img", want, 8);
	m.reads = 0;
	sch = part_read_table_sized(img_read4k, &m, m.size / 4096, 4096, &t);
	CHECK(sch == PART_GPT && t.n == wn && wn == 2, "4Kn GPT: %u partitions, fdisk lists %u (%s)", t.n, wn, t.why);
	for (unsigned i = 0; i < t.n && i < wn; i++)
		CHECK(t.parts[i].number == want[i].number && t.parts[i].start == want[i].start
		      && t.parts[i].count == want[i].count, "4Kn GPT partition %u at %llu+%llu", t.parts[i].number,
		      (unsigned long long)t.parts[i].start, (unsigned long long)t.parts[i].count);
	m.reads = 0;
	sch = part_read_table(img_read, &m, m.sectors, &t);
	CHECK(sch == PART_NONE && strstr(t.why, "GPT unusable"), "read in 512-byte sectors the 4Kn GPT is not there: %s",
	      t.why);
	sch = part_read_table_sized(img_read4k, &m, m.size / 4096, 1000, &t);
	CHECK(sch == PART_NONE && strstr(t.why, "1000"), "sectors of 1000 bytes are refused: %s", t.why);
	unload(&m);
}

int main(void)
{
	static const char check[] = "123456789";
	CHECK(part_crc32(check, 9) == 0xcbf43926, "CRC-32 of 123456789: %08x", part_crc32(check, 9));
	CHECK(part_crc32("", 0) == 0, "CRC-32 of nothing");
	CHECK(part_crc32("a", 1) == 0xe8b7be43, "CRC-32 of a: %08x", part_crc32("a", 1));

	/* the tools are in sbin, which not every PATH has */
	const char *path = getenv("PATH");
	char newpath[4096];
	snprintf(newpath, sizeof newpath, "%s:/usr/sbin:/sbin", path ? path : "/usr/bin:/bin");
	setenv("PATH", newpath, 1);
	static const char *tools[] = { "sfdisk", "sgdisk", "truncate" };
	int missing = 0;
	for (int i = 0; i < 3; i++) {
		char cmd[64];
		snprintf(cmd, sizeof cmd, "command -v %s >/dev/null", tools[i]);
		if (!CHECK(system(cmd) == 0, "%s is installed (packages fdisk, gdisk, coreutils)", tools[i]))
			missing = 1;
	}
	strcpy(dir, "/tmp/test_part.XXXXXX");
	if (missing || !CHECK(mkdtemp(dir), "temporary directory"))
		return unit_report();

	test_mbr();
	test_mbr_chain();
	test_gpt();
	test_gpt_names();
	test_gpt_many();
	test_4k();

	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	system(cmd);
	return unit_report();
}
