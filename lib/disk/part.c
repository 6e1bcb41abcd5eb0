/* MBR and GPT partition tables (see disk/part.h).  Everything on disk is
 * little-endian and at any alignment, so fields are decoded byte by byte.
 * A table that is damaged in a way we cannot be sure about is refused as a
 * whole: offering a wrong partition to a file system is worse than offering
 * only the whole disk. */
#include <stdarg.h>
#include <stdbool.h>
#include "disk/part.h"
#include "rt/rt.h"
#include "rt/le.h"

/* Sector buffers hold the largest sector size a table may be read in. */
#define SECTOR_MAX PART_SECTOR_MAX
/* The largest GPT entry array we read: the usual one is 128 entries of 128
 * bytes (16 KiB); a much larger claim is damage, not a table. */
#define GPT_ARRAY_MAX (1024 * 1024)

typedef unsigned long long ull;         /* for printing uint64_t everywhere */

struct disk {
	part_read_fn read;
	void *ctx;
	uint64_t sectors;
	unsigned ss;                    /* sector size: the unit of every LBA in the table */
	struct part_table *t;
};


static uint32_t crc_add(uint32_t crc, const void *buf, size_t len)
{
	/* bit by bit: no table to build or share, and a GPT is a few KiB */
	const uint8_t *p = buf;
	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = crc & 1 ? crc >> 1 ^ 0xedb88320u : crc >> 1;
	}
	return crc;
}

uint32_t part_crc32(const void *buf, size_t len)
{
	return ~crc_add(~0u, buf, len);
}

/* Refuses the table with a reason; returns -1 for the caller to return. */
__attribute__((format(printf, 2, 3)))
static int refuse(struct part_table *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->why, sizeof t->why, fmt, ap);
	va_end(ap);
	t->n = 0;
	t->scheme = PART_NONE;
	return -1;
}

/* Notes what a usable table leaves out; the first note stays. */
__attribute__((format(printf, 2, 3)))
static void note(struct part_table *t, const char *fmt, ...)
{
	if (t->why[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->why, sizeof t->why, fmt, ap);
	va_end(ap);
}

static struct part *add(struct part_table *t, unsigned number, uint64_t start, uint64_t count)
{
	struct part *p = &t->parts[t->n++];
	memset(p, 0, sizeof *p);
	p->number = number;
	p->start = start;
	p->count = count;
	return p;
}

/* Two partitions sharing a sector would let two file systems write over
 * each other.  The partitions are known to lie within the disk. */
static int check_overlaps(struct part_table *t)
{
	for (unsigned i = 0; i < t->n; i++)
		for (unsigned j = i + 1; j < t->n; j++) {
			const struct part *a = &t->parts[i], *b = &t->parts[j];
			if (a->start < b->start + b->count && b->start < a->start + a->count)
				return refuse(t, "partitions %u and %u overlap", a->number, b->number);
		}
	return 0;
}

/* --- MBR ------------------------------------------------------------------ */

/* The four 16-byte entries of an MBR or EBR: boot flag at 0, system id at
 * 4, first sector at 8, sector count at 12 (the CHS fields are obsolete). */
static const uint8_t *entry(const uint8_t *sector, int i)
{
	return sector + 446 + 16 * i;
}

static bool is_extended(uint8_t type)
{
	return type == 0x05 || type == 0x0f || type == 0x85;
}

/* Adds the logical partitions of the extended partition of COUNT sectors at
 * START, numbering them from *NUMBER on. */
static int follow_ebrs(struct disk *d, uint64_t start, uint64_t count, unsigned *number)
{
	struct part_table *t = d->t;
	uint64_t seen[PART_MAX];        /* the EBRs visited, to stop at a loop */
	unsigned nseen = 0;
	uint8_t s[SECTOR_MAX];
	uint64_t ebr = start;
	for (;;) {
		for (unsigned i = 0; i < nseen; i++)
			if (seen[i] == ebr) {
				note(t, "the EBR chain loops back to sector %llu; followed no further", (ull)ebr);
				return 0;
			}
		if (nseen == PART_MAX) {
			note(t, "more than %d EBRs in a chain; the rest are ignored", PART_MAX);
			return 0;
		}
		seen[nseen++] = ebr;
		/* the primaries and the logical partitions before are sound:
		 * keep them, say what was cut */
		if (d->read(d->ctx, ebr, 1, s) < 0) {
			note(t, "cannot read the EBR at sector %llu; logical partitions from %u on are ignored",
			     (ull)ebr, *number);
			return 0;
		}
		if (s[510] != 0x55 || s[511] != 0xaa) {
			note(t, "no signature in the EBR at sector %llu; logical partitions from %u on are ignored",
			     (ull)ebr, *number);
			return 0;
		}
		/* DOS and every partitioner since put the logical partition in
		 * the first entry and the link in the second; the other two
		 * sometimes hold garbage (Linux ignores them too) */
		const uint8_t *data = NULL, *link = NULL;
		for (int i = 0; i < 2; i++) {
			const uint8_t *e = entry(s, i);
			if (!e[4])
				continue;
			if (is_extended(e[4])) {
				if (!link)
					link = e;
			} else if (!data)
				data = e;
		}
		if (data) {
			if (t->n == PART_MAX) {
				note(t, "more than %d partitions; the rest are ignored", PART_MAX);
				return 0;
			}
			uint32_t off = le32(data + 8), n = le32(data + 12);
			unsigned num = (*number)++;
			if (!n)
				return refuse(t, "partition %u has zero size", num);
			if (!off)
				return refuse(t, "partition %u starts on its own EBR (sector %llu)", num, (ull)ebr);
			/* EBR + OFF + N < 2^34: no overflow */
			if (ebr + off + n > start + count)
				return refuse(t, "partition %u extends past the end of its extended partition", num);
			add(t, num, ebr + off, n)->mbr_type = data[4];
		}
		if (!link)
			return 0;
		/* link offset 0 is the first EBR again: a loop, caught above */
		uint32_t off = le32(link + 8);
		if (off >= count)
			return refuse(t, "the EBR at sector %llu links outside its extended partition", (ull)ebr);
		ebr = start + off;
	}
}

static int read_mbr(struct disk *d, const uint8_t *mbr)
{
	struct part_table *t = d->t;
	for (int i = 0; i < 4; i++) {
		const uint8_t *e = entry(mbr, i);
		uint32_t start = le32(e + 8), count = le32(e + 12);
		if (!e[4])
			continue;       /* system id 0: an empty slot, whatever else it says */
		if (!count)
			return refuse(t, "partition %d has zero size", i + 1);
		if (!start)
			return refuse(t, "partition %d starts at sector 0, on the MBR", i + 1);
		if (start + (uint64_t)count > d->sectors)
			return refuse(t, "partition %d extends past the end of the disk", i + 1);
		add(t, i + 1, start, count)->mbr_type = e[4];
	}
	/* extended partitions must not overlap the primaries either */
	if (check_overlaps(t) < 0)
		return -1;
	/* but they only hold the logical partitions: take them out of the list
	 * (no one should write over the EBRs) and follow them in slot order,
	 * numbering on as Linux does */
	uint64_t ext_start[4], ext_count[4];
	unsigned next = 0, m = 0;
	for (unsigned i = 0; i < t->n; i++)
		if (is_extended(t->parts[i].mbr_type)) {
			ext_start[next] = t->parts[i].start;
			ext_count[next++] = t->parts[i].count;
		} else
			t->parts[m++] = t->parts[i];
	t->n = m;
	unsigned number = 5;
	for (unsigned i = 0; i < next; i++)
		if (follow_ebrs(d, ext_start[i], ext_count[i], &number) < 0)
			return -1;
	return check_overlaps(t);
}

/* --- GPT ------------------------------------------------------------------ */

/* GPT names are UTF-16LE, NUL-padded.  Converted to UTF-8 as far as whole
 * characters fit; a lone surrogate becomes '?'. */
static void name_to_utf8(char *out, size_t size, const uint8_t *in, unsigned units)
{
	size_t o = 0;
	for (unsigned i = 0; i < units; i++) {
		uint32_t c = le16(in + 2 * i);
		if (!c)
			break;
		if (c >= 0xd800 && c < 0xdc00 && i + 1 < units) {
			uint32_t lo = le16(in + 2 * i + 2);
			if (lo >= 0xdc00 && lo < 0xe000) {
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				i++;
			}
		}
		if (c >= 0xd800 && c < 0xe000)
			c = '?';
		uint8_t b[4];
		size_t n;
		if (c < 0x80) {
			b[0] = c;
			n = 1;
		} else if (c < 0x800) {
			b[0] = 0xc0 | c >> 6;
			b[1] = 0x80 | (c & 0x3f);
			n = 2;
		} else if (c < 0x10000) {
			b[0] = 0xe0 | c >> 12;
			b[1] = 0x80 | (c >> 6 & 0x3f);
			b[2] = 0x80 | (c & 0x3f);
			n = 3;
		} else {
			b[0] = 0xf0 | c >> 18;
			b[1] = 0x80 | (c >> 12 & 0x3f);
			b[2] = 0x80 | (c >> 6 & 0x3f);
			b[3] = 0x80 | (c & 0x3f);
			n = 4;
		}
		if (o + n >= size)
			break;
		memcpy(out + o, b, n);
		o += n;
	}
	out[o] = 0;
}

/* Why a GPT header or its entry array is unusable; returns 1. */
__attribute__((format(printf, 3, 4)))
static int unusable(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
	return 1;
}

/* Takes GPT entry K (1-based) E of a table whose usable sectors are FIRST to
 * LAST.  Returns -1 when it refuses the table, else 0; *DROPPED counts the
 * partitions that find no room. */
static int gpt_entry(struct disk *d, unsigned k, const uint8_t *e, uint64_t first, uint64_t last,
		     unsigned *dropped)
{
	static const uint8_t unused[16];
	struct part_table *t = d->t;
	if (!memcmp(e, unused, 16))
		return 0;
	uint64_t start = le64(e + 32), end = le64(e + 40);     /* END inclusive */
	if (end < start)
		return refuse(t, "partition %u ends before it starts", k);
	if (end >= d->sectors)
		return refuse(t, "partition %u extends past the end of the disk", k);
	/* outside the usable sectors lie the headers and entry arrays */
	if (start < first || end > last)
		return refuse(t, "partition %u lies outside the usable sectors %llu-%llu", k,
			      (ull)first, (ull)last);
	if (t->n == PART_MAX) {
		(*dropped)++;
		return 0;
	}
	struct part *p = add(t, k, start, end - start + 1);
	memcpy(p->gpt_type, e, 16);
	name_to_utf8(p->label, sizeof p->label, e + 56, 36);
	return 0;
}

/* Reads the GPT whose header is at LBA.  Returns 0 with the table in D->t;
 * 1 when the header or its entry array is unusable (the reason in ERR, the
 * caller may try the backup); -1 when the table itself is sound but its
 * partitions are refused (the reason in D->t->why). */
static int read_gpt(struct disk *d, uint64_t lba, char *err, size_t errsize)
{
	struct part_table *t = d->t;
	uint8_t h[SECTOR_MAX];
	if (d->read(d->ctx, lba, 1, h) < 0)
		return unusable(err, errsize, "cannot read the header");
	if (memcmp(h, "EFI PART", 8))
		return unusable(err, errsize, "no GPT signature");
	uint32_t hsize = le32(h + 12);
	if (hsize < 92 || hsize > d->ss)
		return unusable(err, errsize, "header size %u", hsize);
	/* the CRC covers the header with its own CRC field taken as zero */
	static const uint8_t zero[4];
	uint32_t crc = crc_add(~0u, h, 16);
	crc = crc_add(crc, zero, 4);
	if (~crc_add(crc, h + 20, hsize - 20) != le32(h + 16))
		return unusable(err, errsize, "header CRC mismatch");
	/* 1.0 is the only revision so far; a later 1.x may only add fields
	 * after the ones read here */
	uint32_t rev = le32(h + 8);
	if (rev >> 16 != 1)
		return unusable(err, errsize, "revision 0x%08x", rev);
	uint64_t my = le64(h + 24), first = le64(h + 40), last = le64(h + 48), array = le64(h + 72);
	uint32_t nent = le32(h + 80), esize = le32(h + 84);
	if (my != lba)
		return unusable(err, errsize, "header says it is at sector %llu", (ull)my);
	if (first > last || last >= d->sectors)
		return unusable(err, errsize, "usable sectors %llu-%llu not on the disk", (ull)first, (ull)last);
	if (esize < 128 || esize % 8)
		return unusable(err, errsize, "entry size %u", esize);
	uint64_t bytes = (uint64_t)nent * esize;
	if (bytes > GPT_ARRAY_MAX)
		return unusable(err, errsize, "entry array of %llu bytes", (ull)bytes);
	uint64_t nsec = (bytes + d->ss - 1) / d->ss;
	if (nsec && (array == 0 || array >= d->sectors || nsec > d->sectors - array
		     || (array <= lba && lba < array + nsec) || (array <= last && first < array + nsec)))
		return unusable(err, errsize, "entry array at sector %llu misplaced", (ull)array);

	/* Entries may straddle sectors (any multiple of 8 bytes is allowed):
	 * stream the array through the CRC, collecting each entry's first 128
	 * bytes (the rest is reserved).  A refusal counts only once the CRC
	 * says the array is what was written. */
	uint8_t s[SECTOR_MAX], e[128];
	uint32_t k = 0, off = 0;
	unsigned dropped = 0;
	bool refused = false;
	t->n = 0;
	crc = ~0u;
	for (uint64_t i = 0; i < nsec; i++) {
		if (d->read(d->ctx, array + i, 1, s) < 0) {
			t->n = 0;
			t->why[0] = 0;
			return unusable(err, errsize, "cannot read entry array sector %llu", (ull)(array + i));
		}
		size_t n = bytes - i * d->ss < d->ss ? bytes - i * d->ss : d->ss;
		crc = crc_add(crc, s, n);
		for (size_t j = 0; j < n; j++) {
			if (off < sizeof e)
				e[off] = s[j];
			if (++off < esize)
				continue;
			off = 0;
			k++;
			if (!refused && gpt_entry(d, k, e, first, last, &dropped) < 0)
				refused = true;
		}
	}
	if (~crc != le32(h + 88)) {
		t->n = 0;
		t->why[0] = 0;
		return unusable(err, errsize, "entry array CRC mismatch");
	}
	if (refused || check_overlaps(t) < 0)
		return -1;
	if (dropped)
		note(t, "more than %d partitions; %u are ignored", PART_MAX, dropped);
	return 0;
}

enum part_scheme part_read_table(part_read_fn read, void *ctx, uint64_t disk_sectors,
				 struct part_table *t)
{
	return part_read_table_sized(read, ctx, disk_sectors, 512, t);
}

enum part_scheme part_read_table_sized(part_read_fn read, void *ctx, uint64_t disk_sectors,
				       unsigned sector_size, struct part_table *t)
{
	struct disk d = { read, ctx, disk_sectors, sector_size, t };
	uint8_t mbr[SECTOR_MAX];
	t->scheme = PART_NONE;
	t->n = 0;
	t->why[0] = 0;
	if (sector_size < 512 || sector_size > SECTOR_MAX || (sector_size & (sector_size - 1))) {
		refuse(t, "sectors of %u bytes", sector_size);
		return PART_NONE;
	}
	if (!disk_sectors) {
		refuse(t, "the disk is empty");
		return PART_NONE;
	}
	if (read(ctx, 0, 1, mbr) < 0) {
		refuse(t, "cannot read sector 0");
		return PART_NONE;
	}
	if (mbr[510] != 0x55 || mbr[511] != 0xaa) {
		refuse(t, "no MBR signature");
		return PART_NONE;
	}
	bool gpt = false;
	for (int i = 0; i < 4; i++) {
		const uint8_t *e = entry(mbr, i);
		/* a FAT or NTFS boot sector ends in 55 aa too, but seldom has
		 * only 0 and 0x80 where the boot flags would be */
		if (e[0] != 0 && e[0] != 0x80) {
			refuse(t, "no MBR: entry %d has boot flag 0x%02x", i + 1, e[0]);
			return PART_NONE;
		}
		if (e[4] == 0xee)
			gpt = true;     /* protective, or a hybrid MBR: the GPT rules */
	}
	if (!gpt) {
		if (read_mbr(&d, mbr) < 0)
			return PART_NONE;
		t->scheme = PART_MBR;
		return PART_MBR;
	}

	char err1[64], err2[64];
	int r = read_gpt(&d, 1, err1, sizeof err1);
	if (r < 0)
		return PART_NONE;
	if (r > 0) {
		uint64_t backup = disk_sectors - 1;
		r = disk_sectors > 2 ? read_gpt(&d, backup, err2, sizeof err2)
				     : unusable(err2, sizeof err2, "the disk is too small");
		if (r < 0)
			return PART_NONE;
		if (r > 0) {
			refuse(t, "GPT unusable (%s) and backup at sector %llu unusable (%s)",
			       err1, (ull)backup, err2);
			return PART_NONE;
		}
		/* the damaged primary matters more than a note of the backup's */
		char other[sizeof t->why];
		memcpy(other, t->why, sizeof other);
		snprintf(t->why, sizeof t->why, "primary GPT unusable (%s); using the backup at sector %llu%s%s",
			 err1, (ull)backup, other[0] ? "; " : "", other);
	}
	t->scheme = PART_GPT;
	return PART_GPT;
}
