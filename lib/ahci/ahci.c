/* AHCI command building and IDENTIFY DEVICE parsing (ahci/ahci.h). */
#include "rt/rt.h"
#include "ahci/ahci.h"

unsigned ahci_fill_prdt(struct ahci_prd *prdt, unsigned max, uint64_t phys, uint64_t bytes)
{
	if (bytes == 0 || (bytes & 1) || (phys & 1))
		return 0;
	unsigned n = 0;
	while (bytes) {
		if (n == max)
			return 0;
		uint32_t len = bytes < AHCI_PRD_MAX_BYTES ? (uint32_t)bytes : AHCI_PRD_MAX_BYTES;
		prdt[n++] = (struct ahci_prd){ (uint32_t)phys, (uint32_t)(phys >> 32), 0, len - 1 };
		phys += len;
		bytes -= len;
	}
	return n;
}

int ahci_build_command(struct ahci_cmd_header *h, struct ahci_cmd_table *t, uint64_t table_phys,
                       unsigned max_prds, uint8_t command, uint64_t lba, uint32_t count,
                       uint64_t phys, uint32_t bytes, int write)
{
	if (count > ATA_MAX_SECTORS || lba >> 48)
		return -1;
	unsigned n = 0;
	if (bytes && (n = ahci_fill_prdt(t->prdt, max_prds, phys, bytes)) == 0)
		return -1;
	memset(t->cfis, 0, sizeof t->cfis + sizeof t->acmd + sizeof t->reserved);
	struct fis_reg_h2d *f = (struct fis_reg_h2d *)t->cfis;
	f->type = FIS_REG_H2D;
	f->pm_c = 0x80;
	f->command = command;
	f->device = 0x40;                   /* LBA */
	f->lba0 = (uint8_t)lba;
	f->lba1 = (uint8_t)(lba >> 8);
	f->lba2 = (uint8_t)(lba >> 16);
	f->lba3 = (uint8_t)(lba >> 24);
	f->lba4 = (uint8_t)(lba >> 32);
	f->lba5 = (uint8_t)(lba >> 40);
	f->count_lo = (uint8_t)count;       /* 65536 is sent as 0 */
	f->count_hi = (uint8_t)(count >> 8);
	h->flags = (uint16_t)(sizeof *f / 4) | (write ? CMDH_WRITE : 0);
	h->prdtl = (uint16_t)n;
	h->prdbc = 0;
	h->ctba = (uint32_t)table_phys;
	h->ctbau = (uint32_t)(table_phys >> 32);
	return 0;
}

/* Copies an IDENTIFY string of WORDS words (two characters each, the first
 * in the high byte) into OUT without its trailing spaces. */
static void id_string(const uint16_t *id, unsigned words, char *out)
{
	unsigned n = 0;
	for (unsigned i = 0; i < words; i++) {
		out[n++] = (char)(id[i] >> 8);
		out[n++] = (char)id[i];
	}
	while (n && (out[n - 1] == ' ' || out[n - 1] == 0))
		n--;
	out[n] = 0;
	for (unsigned i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] > 0x7e)
			out[i] = '?';
}

/* Whether a word of the command-set area is valid (bits 15:14 are 01). */
static int valid_word(uint16_t w)
{
	return (w & 0xc000) == 0x4000;
}

int ata_parse_identify(const uint16_t id[256], struct ata_identity *out, char *why, size_t whylen)
{
	memset(out, 0, sizeof *out);
	if ((id[255] & 0xff) == 0xa5) {     /* an integrity word: the bytes sum to 0 */
		uint8_t sum = 0;
		for (unsigned i = 0; i < 256; i++)
			sum = (uint8_t)(sum + (id[i] & 0xff) + (id[i] >> 8));
		if (sum) {
			snprintf(why, whylen, "IDENTIFY data with a bad checksum");
			return -1;
		}
	}
	if (id[0] & 0x8000) {
		snprintf(why, whylen, "IDENTIFY says it is not an ATA device (word 0 0x%04x)", id[0]);
		return -1;
	}
	if (!(id[49] & (1u << 9))) {
		snprintf(why, whylen, "no LBA addressing");
		return -1;
	}
	id_string(id + 27, 20, out->model);
	id_string(id + 10, 10, out->serial);
	uint16_t w83 = id[83], w82 = id[82];
	out->lba48 = valid_word(w83) && (w83 & (1u << 10));
	out->flush_ext = valid_word(w83) && (w83 & (1u << 13));
	out->write_cache = valid_word(w83) && (w82 & (1u << 5));
	if (out->lba48)
		out->sectors = id[100] | (uint64_t)id[101] << 16 | (uint64_t)id[102] << 32 | (uint64_t)id[103] << 48;
	else
		out->sectors = id[60] | (uint32_t)id[61] << 16;
	out->sector_size = 512;
	if (valid_word(id[106]) && (id[106] & (1u << 12))) {
		uint32_t words = id[117] | (uint32_t)id[118] << 16;
		if (words < 256 || (words & (words - 1)) || words > 32768) {
			snprintf(why, whylen, "a logical sector of %u words", (unsigned)words);
			return -1;
		}
		out->sector_size = words * 2;
	}
	if (id[76] != 0 && id[76] != 0xffff && (id[76] & (1u << 8)))
		out->ncq_depth = (id[75] & 0x1f) + 1u;
	if (out->sectors == 0) {
		snprintf(why, whylen, "a size of 0 sectors");
		return -1;
	}
	return 0;
}

const char *ahci_signature_name(uint32_t sig)
{
	switch (sig) {
	case SIG_ATA:   return "ATA disk";
	case SIG_ATAPI: return "ATAPI device (a CD or DVD drive)";
	case SIG_SEMB:  return "enclosure bridge (SEMB)";
	case SIG_PM:    return "port multiplier";
	default:        return "unknown device";
	}
}

/* Appends the names of the bits of V set in NAMES (bit 0 first) to BUF. */
static size_t bit_names(char *buf, size_t len, size_t k, uint32_t v, const char *const *names, unsigned n)
{
	const char *sep = "";
	for (unsigned i = 0; i < n && k < len; i++)
		if ((v >> i) & 1 && names[i]) {
			k += (size_t)snprintf(buf + k, len - k, "%s%s", sep, names[i]);
			sep = " ";
		}
	return k < len ? k : len;
}

void ahci_describe_error(char *buf, size_t len, uint32_t is, uint32_t tfd, uint32_t serr)
{
	static const char *const is_names[32] = {
		[4] = "unknown FIS", [24] = "overflow", [26] = "interface non-fatal error",
		[27] = "interface fatal error", [28] = "host bus data error", [29] = "host bus fatal error",
		[30] = "task-file error",
	};
	static const char *const status_names[8] = { "ERR", "IDX", "CORR", "DRQ", "DSC", "DF", "DRDY", "BSY" };
	static const char *const error_names[8] = { "AMNF", "NM", "ABRT", "MCR", "IDNF", "MC", "UNC", "ICRC" };
	size_t k = 0;
	if (len == 0)
		return;
	buf[0] = 0;
	k = bit_names(buf, len, k, is & PXIS_ERRORS, is_names, 32);
	if (k == 0 && k < len)
		k += (size_t)snprintf(buf + k, len - k, "no error bit");
	uint8_t st = (uint8_t)tfd, er = (uint8_t)(tfd >> 8);
	if (k < len)
		k += (size_t)snprintf(buf + k, len - k, ": status 0x%02x (", st);
	k = k < len ? bit_names(buf, len, k, st, status_names, 8) : len;
	if (k < len)
		k += (size_t)snprintf(buf + k, len - k, "), error 0x%02x", er);
	if (er && k < len) {
		k += (size_t)snprintf(buf + k, len - k, " (");
		k = k < len ? bit_names(buf, len, k, er, error_names, 8) : len;
		if (k < len)
			k += (size_t)snprintf(buf + k, len - k, ")");
	}
	if (serr && k < len)
		snprintf(buf + k, len - k, ", SError 0x%08x", (unsigned)serr);
}
