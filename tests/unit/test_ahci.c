/* lib/ahci: PRD tables, commands as the HBA reads them (byte offsets of the
 * AHCI and SATA specifications, not the C structures), IDENTIFY DEVICE
 * parsing, and the error line. */
#include <string.h>
#include "unit.h"
#include "ahci/ahci.h"

static uint32_t le32(const void *p)
{
	const uint8_t *b = p;
	return b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void test_prdt(void)
{
	struct ahci_prd p[8];
	memset(p, 0xee, sizeof p);
	CHECK(ahci_fill_prdt(p, 8, 0x12345000, 4096) == 1, "one page, one entry");
	CHECK(le32(&p[0]) == 0x12345000 && le32((char *)&p[0] + 4) == 0 && le32((char *)&p[0] + 12) == 4095,
	      "DBA, DBAU, DBC = bytes - 1 at bytes 0, 4, 12");
	/* 9 MiB from an address above 4 GiB: 4 + 4 + 1 MiB */
	CHECK(ahci_fill_prdt(p, 8, 0x100000000ull + 0x200000, 9u << 20) == 3, "9 MiB in three entries");
	CHECK(p[0].dbau == 1 && p[0].dba == 0x200000 && p[0].dbc == (4u << 20) - 1, "first: 4 MiB");
	CHECK(p[1].dba == 0x600000 && p[1].dbc == (4u << 20) - 1, "second follows the first");
	CHECK(p[2].dba == 0xa00000 && p[2].dbc == (1u << 20) - 1, "third: the rest");
	CHECK(ahci_fill_prdt(p, 2, 0, 9u << 20) == 0, "too few entries: refused");
	CHECK(ahci_fill_prdt(p, 8, 0, 0) == 0, "no bytes: no table");
	CHECK(ahci_fill_prdt(p, 8, 0, 511) == 0, "odd byte count refused");
	CHECK(ahci_fill_prdt(p, 8, 1, 512) == 0, "odd address refused");
	CHECK(ahci_fill_prdt(p, 8, 0, AHCI_PRD_MAX_BYTES) == 1, "exactly 4 MiB: one entry");
}

static void test_command(void)
{
	static union { struct ahci_cmd_table t; uint8_t raw[0x80 + 8 * 16]; } tab;
	struct ahci_cmd_header h;
	memset(&tab, 0xee, sizeof tab);
	memset(&h, 0xee, sizeof h);
	int r = ahci_build_command(&h, &tab.t, 0x7654300080ull, 8, ATA_WRITE_DMA_EXT, 0x0000123456789abcull,
	                           65536, 0x40000000, 32u << 20, 1);
	CHECK(r == 0, "a 32 MiB write builds");
	const uint8_t *f = tab.raw;
	CHECK(f[0] == 0x27 && f[1] == 0x80 && f[2] == 0x35, "H2D register FIS, C bit, command");
	CHECK(f[4] == 0xbc && f[5] == 0x9a && f[6] == 0x78 && f[8] == 0x56 && f[9] == 0x34 && f[10] == 0x12,
	      "LBA bytes 4-6 then 8-10 (low first)");
	CHECK(f[7] == 0x40, "device: LBA mode");
	CHECK(f[12] == 0 && f[13] == 0, "65536 sectors sent as count 0");
	CHECK(f[20] == 0 && f[0x40] == 0, "rest of the FIS and the ATAPI area cleared");
	const uint8_t *hb = (const uint8_t *)&h;
	CHECK((hb[0] & 0x1f) == 5 && (hb[0] & 0x40) && !(hb[0] & 0x20), "CFL 5 dwords, W set, A clear");
	CHECK((hb[2] | hb[3] << 8) == 8, "PRDTL: 32 MiB in 8 entries");
	CHECK(le32(hb + 4) == 0, "PRDBC cleared");
	CHECK(le32(hb + 8) == 0x54300080 && le32(hb + 12) == 0x76, "CTBA and CTBAU");
	CHECK(le32(tab.raw + 0x80) == 0x40000000 && le32(tab.raw + 0x80 + 7 * 16) == 0x41c00000,
	      "PRD table at 0x80, entries 4 MiB apart");

	r = ahci_build_command(&h, &tab.t, 0x1000, 8, ATA_READ_DMA_EXT, 7, 3, 0x2000, 1536, 0);
	CHECK(r == 0 && tab.raw[2] == 0x25 && tab.raw[4] == 7 && tab.raw[12] == 3 && tab.raw[13] == 0,
	      "a read of 3 sectors at 7");
	CHECK(!(hb[0] & 0x40) && (hb[2] | hb[3] << 8) == 1, "a read: W clear, one PRD");
	r = ahci_build_command(&h, &tab.t, 0x1000, 8, ATA_FLUSH_CACHE_EXT, 0, 0, 0, 0, 0);
	CHECK(r == 0 && tab.raw[2] == 0xea && (hb[2] | hb[3] << 8) == 0, "a flush: no PRD");
	CHECK(ahci_build_command(&h, &tab.t, 0x1000, 8, ATA_READ_DMA_EXT, 1ull << 48, 1, 0x2000, 512, 0) == -1,
	      "an LBA beyond 48 bits refused");
	CHECK(ahci_build_command(&h, &tab.t, 0x1000, 8, ATA_READ_DMA_EXT, 0, 65537, 0x2000, 512, 0) == -1,
	      "more than 65536 sectors refused");
	CHECK(ahci_build_command(&h, &tab.t, 0x1000, 1, ATA_READ_DMA_EXT, 0, 16384, 0x2000, 8u << 20, 0) == -1,
	      "data that does not fit the PRD table refused");
}

/* Writes S into IDENTIFY words at W, two characters a word, high byte first,
 * padded with spaces. */
static void put_string(uint16_t *id, unsigned w, unsigned words, const char *s)
{
	for (unsigned i = 0; i < words * 2; i++) {
		uint8_t c = i < strlen(s) ? (uint8_t)s[i] : ' ';
		if (i & 1)
			id[w + i / 2] |= c;
		else
			id[w + i / 2] = (uint16_t)(c << 8);
	}
}

static void checksum(uint16_t *id)
{
	uint8_t sum = 0xa5;
	for (unsigned i = 0; i < 255; i++)
		sum = (uint8_t)(sum + (id[i] & 0xff) + (id[i] >> 8));
	id[255] = (uint16_t)((uint8_t)-sum << 8 | 0xa5);
}

static void test_identify(void)
{
	uint16_t id[256];
	struct ata_identity a;
	char why[80];
	memset(id, 0, sizeof id);
	id[0] = 0x0040;
	id[49] = 1u << 9 | 1u << 8;
	put_string(id, 27, 20, "QEMU HARDDISK");
	put_string(id, 10, 10, "QM00005");
	id[60] = 0xffff;                        /* LBA28 saturated: the 48-bit count counts */
	id[61] = 0x0fff;
	id[75] = 31;
	id[76] = 1u << 8;
	id[82] = 1u << 5;
	id[83] = 0x4000 | 1u << 10 | 1u << 13;
	id[100] = 0x0000;
	id[101] = 0x2000;                       /* 0x1_2000_0000 sectors: beyond 32 bits */
	id[102] = 0x0001;
	checksum(id);
	CHECK(ata_parse_identify(id, &a, why, sizeof why) == 0, "a 48-bit disk parses: %s", why);
	CHECK(strcmp(a.model, "QEMU HARDDISK") == 0, "model unswapped and trimmed: '%s'", a.model);
	CHECK(strcmp(a.serial, "QM00005") == 0, "serial: '%s'", a.serial);
	CHECK(a.lba48 && a.sectors == 0x120000000ull, "48-bit sector count");
	CHECK(a.sector_size == 512, "512-byte sectors by default");
	CHECK(a.flush_ext && a.write_cache, "FLUSH CACHE EXT and a write cache");
	CHECK(a.ncq_depth == 32, "NCQ depth 32");

	id[106] = 0x4000 | 1u << 12;            /* 4096-byte logical sectors: 2048 words */
	id[117] = 2048;
	checksum(id);
	CHECK(ata_parse_identify(id, &a, why, sizeof why) == 0 && a.sector_size == 4096, "4096-byte logical sectors");
	id[117] = 300;
	checksum(id);
	CHECK(ata_parse_identify(id, &a, why, sizeof why) == -1 && strstr(why, "300 words"), "a nonsense sector size");
	id[106] = 0;

	id[83] = 0x4000;                        /* no LBA48: the 28-bit count */
	checksum(id);
	CHECK(ata_parse_identify(id, &a, why, sizeof why) == 0 && !a.lba48 && a.sectors == 0x0fffffff,
	      "28-bit sector count without LBA48");
	id[83] = 0;                             /* an invalid word: nothing it says counts */
	id[82] = 1u << 5;
	checksum(id);
	CHECK(ata_parse_identify(id, &a, why, sizeof why) == 0 && !a.write_cache && !a.flush_ext, "word 83 not valid");

	id[200] ^= 1;                           /* a damaged block */
	CHECK(ata_parse_identify(id, &a, why, sizeof why) == -1 && strstr(why, "checksum"), "bad checksum: %s", why);
	id[255] = 0;                            /* no integrity word: not checked */
	CHECK(ata_parse_identify(id, &a, why, sizeof why) == 0, "no integrity word");
	id[49] = 0;
	CHECK(ata_parse_identify(id, &a, why, sizeof why) == -1 && strstr(why, "LBA"), "no LBA: %s", why);
	id[49] = 1u << 9;
	id[0] = 0x8580;                         /* an ATAPI device's word 0 */
	CHECK(ata_parse_identify(id, &a, why, sizeof why) == -1 && strstr(why, "not an ATA"), "ATAPI: %s", why);
}

static void test_names(void)
{
	char buf[160];
	CHECK(strcmp(ahci_signature_name(0x00000101), "ATA disk") == 0, "ATA signature");
	CHECK(strstr(ahci_signature_name(0xeb140101), "ATAPI") != NULL, "ATAPI signature");
	ahci_describe_error(buf, sizeof buf, PXIS_TFES | PXIS_DHRS, 0x0451, 0);
	CHECK(strcmp(buf, "task-file error: status 0x51 (ERR DSC DRDY), error 0x04 (ABRT)") == 0, "%s", buf);
	ahci_describe_error(buf, sizeof buf, PXIS_IFS, 0x0080, 0x04000000);
	CHECK(strcmp(buf, "interface fatal error: status 0x80 (BSY), error 0x00, SError 0x04000000") == 0, "%s", buf);
	ahci_describe_error(buf, 20, PXIS_TFES | PXIS_HBFS, 0xff7f, 0xffffffff);
	CHECK(strlen(buf) == 19, "cut to the buffer: '%s'", buf);
}

int main(void)
{
	test_prdt();
	test_command();
	test_identify();
	test_names();
	return unit_report();
}
