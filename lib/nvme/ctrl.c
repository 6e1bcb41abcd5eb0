/* Controller bring-up and shutdown (NVM Express 1.4, 7.6): clear CC.EN and
 * wait for CSTS.RDY to follow, point the controller at the admin queues,
 * set CC.EN and wait again; CC.SHN and CSTS.SHST at the end.  Every wait is
 * bounded by CAP.TO, counted in the sleeps this code asks for (a sleep
 * that lasts longer only makes the bound more generous). */
#include "nvme/nvme.h"

#define POLL_MS 10

static uint64_t read_cap(volatile struct nvme_regs *r)
{
	uint32_t lo = r->cap_lo, hi = r->cap_hi;
	return (uint64_t)hi << 32 | lo;
}

/* Waits until CSTS & MASK == WANT; false after CAP.TO, or at once when the
 * controller reports a fatal status while we wait for it to become ready. */
static bool wait_csts(struct nvme_ctrl *c, uint32_t mask, uint32_t want)
{
	for (unsigned waited = 0;; waited += POLL_MS) {
		uint32_t s = c->regs->csts;
		if ((s & mask) == want)
			return true;
		if (s == 0xffffffffu || ((s & NVME_CSTS_CFS) && want == NVME_CSTS_RDY)
		    || waited >= c->timeout_ms)
			return false;
		c->sleep_ms(c->ctx, POLL_MS);
	}
}

int nvme_ctrl_reset(struct nvme_ctrl *c, volatile void *regs, const char **why)
{
	c->regs = regs;
	c->cap = read_cap(c->regs);
	if (c->cap == ~0ull) {
		*why = "its registers read as all ones (no device behind the BAR)";
		return -1;
	}
	c->dstrd = NVME_CAP_DSTRD(c->cap);
	c->max_entries = NVME_CAP_MQES(c->cap);
	/* CAP.TO 0 would be a broken controller; still give it half a second */
	c->timeout_ms = (NVME_CAP_TO(c->cap) ? NVME_CAP_TO(c->cap) : 1) * 500;
	c->page = 4096;
	if (!(NVME_CAP_CSS(c->cap) & 1)) {
		*why = "it does not offer the NVM command set";
		return -1;
	}
	if (NVME_CAP_MPSMIN(c->cap) > 0) {
		*why = "its smallest memory page is larger than 4 KiB";
		return -1;
	}
	if (c->max_entries < 2) {
		*why = "its queues hold fewer than 2 entries";
		return -1;
	}
	c->regs->cc = c->regs->cc & ~(NVME_CC_EN | NVME_CC_SHN_MASK);
	if (!wait_csts(c, NVME_CSTS_RDY, 0)) {
		*why = "it stayed ready after CC.EN was cleared (CAP.TO passed)";
		return -1;
	}
	return 0;
}

int nvme_ctrl_enable(struct nvme_ctrl *c, uint64_t asq, uint64_t acq, unsigned entries, const char **why)
{
	volatile struct nvme_regs *r = c->regs;
	r->aqa = (uint32_t)(entries - 1) << 16 | (entries - 1);
	r->asq_lo = (uint32_t)asq;
	r->asq_hi = (uint32_t)(asq >> 32);
	r->acq_lo = (uint32_t)acq;
	r->acq_hi = (uint32_t)(acq >> 32);
	uint32_t cc = NVME_CC_CSS_NVM | NVME_CC_MPS(12) | NVME_CC_IOSQES(NVME_SQE_LOG2)
	              | NVME_CC_IOCQES(NVME_CQE_LOG2);
	r->cc = cc;
	r->cc = cc | NVME_CC_EN;
	if (!wait_csts(c, NVME_CSTS_RDY, NVME_CSTS_RDY)) {
		*why = (r->csts & NVME_CSTS_CFS) ? "it reported a fatal status (CSTS.CFS) when enabled"
		                                  : "it did not become ready (CAP.TO passed)";
		return -1;
	}
	return 0;
}

int nvme_ctrl_shutdown(struct nvme_ctrl *c, const char **why)
{
	c->regs->cc = (c->regs->cc & ~NVME_CC_SHN_MASK) | NVME_CC_SHN_NORMAL;
	if (!wait_csts(c, 3u << 2, (uint32_t)NVME_SHST_COMPLETE << 2)) {
		*why = "it did not report the shutdown complete (CAP.TO passed)";
		return -1;
	}
	return 0;
}
