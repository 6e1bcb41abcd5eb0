/* IDENTIFY data (NVM Express 1.4, 5.15.2): the controller, a namespace and
 * the active namespace list, read byte by byte (little-endian). */
#include "nvme/nvme.h"
#include "rt/le.h"
#include "rt/rt.h"

/* An ASCII field of LEN bytes, blank-padded, as a C string without the blanks. */
static void text(char *out, const uint8_t *p, size_t len)
{
	size_t n = len;
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == 0))
		n--;
	for (size_t i = 0; i < n; i++)
		out[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	out[n] = 0;
}

void nvme_parse_ctrl(const uint8_t *id, unsigned page_min, struct nvme_ctrl_info *out)
{
	out->vid = le16(id + 0);
	text(out->serial, id + 4, 20);
	text(out->model, id + 24, 40);
	text(out->firmware, id + 64, 8);
	unsigned mdts = id[77];
	/* 2^MDTS minimum pages; anything that does not fit 32 bits is no limit to us */
	out->max_transfer = mdts == 0 || mdts + __builtin_ctz(page_min) >= 32 ? 0 : (uint32_t)page_min << mdts;
	out->version = le32(id + 80);
	unsigned sqes = id[512], cqes = id[513];
	out->sqes_ok = (sqes & 15) <= NVME_SQE_LOG2 && NVME_SQE_LOG2 <= (sqes >> 4)
	               && (cqes & 15) <= NVME_CQE_LOG2 && NVME_CQE_LOG2 <= (cqes >> 4);
	out->namespaces = le32(id + 516);
	out->vwc = (id[525] & 1) != 0;
}

int nvme_parse_ns(const uint8_t *id, struct nvme_ns_info *out, const char **why)
{
	out->blocks = le64(id + 0);
	if (out->blocks == 0) {
		*why = "inactive (size 0)";
		return -1;
	}
	unsigned nlbaf = id[25] + 1u, flbas = id[26];
	unsigned f = (flbas & 15) | ((flbas >> 5) & 3) << 4;
	out->format = f;
	if (f >= nlbaf || f >= 64) {
		*why = "its LBA format index is past the formats it lists";
		return -1;
	}
	uint32_t lbaf = le32(id + 128 + 4 * f);
	unsigned ms = lbaf & 0xffff, lbads = (lbaf >> 16) & 0xff;
	if (ms != 0) {
		*why = "its LBA format carries metadata, which this driver does not handle";
		return -1;
	}
	if (lbads < 9 || lbads > 16) {
		*why = "its logical block size is outside 512 bytes..64 KiB";
		return -1;
	}
	out->block_size = 1u << lbads;
	return 0;
}

unsigned nvme_parse_ns_list(const uint8_t *list, uint32_t nn, uint32_t *out, unsigned max)
{
	unsigned n = 0;
	uint32_t last = 0;
	for (unsigned i = 0; i < NVME_IDENTIFY_BYTES / 4 && n < max; i++) {
		uint32_t id = le32(list + 4 * i);
		if (id == 0 || id <= last || id > nn)
			break;
		out[n++] = last = id;
	}
	return n;
}
