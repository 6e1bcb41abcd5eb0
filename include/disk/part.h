/* Partition tables of disks: MBR (with extended partitions) and GPT, read
 * through a callback so that the same code serves the disk server and the
 * host tests.  No allocation: the caller supplies the table. */
#ifndef DISK_PART_H
#define DISK_PART_H

#include <stddef.h>
#include <stdint.h>

#define PART_MAX 64

struct part {
	/* 1-based as Linux and the Hurd name them: MBR primaries 1-4, logical
	 * partitions 5, 6, ...; GPT entry k is partition k (empty entries are
	 * skipped but keep their numbers) */
	unsigned number;
	uint64_t start, count;  /* in the disk's sectors (512 bytes unless read with part_read_table_sized) */
	uint8_t  mbr_type;      /* MBR system id (0 for GPT) */
	uint8_t  gpt_type[16];  /* GPT partition type GUID as on disk (zero for MBR) */
	char     label[72];     /* GPT name as UTF-8 (cut at a character), "" for MBR */
};

enum part_scheme { PART_NONE, PART_MBR, PART_GPT };

/* Reads COUNT sectors (512 bytes, or the size given to
 * part_read_table_sized) at LBA into BUF; returns 0 or -1. */
typedef int (*part_read_fn)(void *ctx, uint64_t lba, unsigned count, void *buf);

struct part_table {
	enum part_scheme scheme;
	struct part parts[PART_MAX];    /* in ascending order of number */
	unsigned n;
	/* PART_NONE: why there is no usable table.  Otherwise "" or a note on
	 * what was left out or worked around (a cut EBR chain, a damaged
	 * primary GPT), worth printing. */
	char why[160];
};

/* Reads the partition table of a disk of DISK_SECTORS sectors.
 *
 * A protective MBR (an entry of type 0xee) means GPT: the primary header at
 * LBA 1 is checked (signature, header size and CRC32, revision 1.x, my_lba,
 * usable area, entry size >= 128 and a multiple of 8, entry array placement
 * and CRC32); if it is unusable the backup header at the last LBA is tried.
 * Otherwise the MBR is read, and extended partitions (0x05, 0x0f, 0x85) are
 * followed as a chain of EBRs: each logical partition's start is relative to
 * its EBR, the link to the next EBR relative to the extended partition's
 * start.  The chain stops at a loop, an unreadable or unsigned EBR, or when
 * PART_MAX partitions are found (with a note in WHY).  Extended partitions
 * themselves are not listed.
 *
 * Partitions outside the disk (or the GPT usable area, or their extended
 * partition), overlapping, or of zero size refuse the whole table.  Returns
 * the scheme found, also in T->scheme; PART_NONE (T->n == 0) with a reason
 * in T->why when there is no usable table. */
enum part_scheme part_read_table(part_read_fn read, void *ctx, uint64_t disk_sectors,
				 struct part_table *t);

/* The same on a disk whose sectors are SECTOR_SIZE bytes (a power of two,
 * 512 to PART_SECTOR_MAX): a table written for such a disk counts in its
 * sectors (fdisk -b 4096, Linux on a 4Kn disk), with the MBR signature
 * still at bytes 510-511 and the GPT header at sector 1.  READ reads those
 * sectors, DISK_SECTORS counts them, and the partitions come out in them. */
#define PART_SECTOR_MAX 4096
enum part_scheme part_read_table_sized(part_read_fn read, void *ctx, uint64_t disk_sectors,
				       unsigned sector_size, struct part_table *t);

/* The standard CRC-32 (reflected 0x04c11db7, as GPT, zlib and Ethernet). */
uint32_t part_crc32(const void *buf, size_t len);

#endif
