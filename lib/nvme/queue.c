/* Submission and completion rings (include/nvme/nvme.h).  The controller
 * reads a submission entry once the tail doorbell passes it, and posts a
 * completion by writing an entry whose phase tag differs from the one the
 * slot held before: the tag flips each time the ring wraps, so the driver
 * knows a new entry without any index of the controller's. */
#include "nvme/nvme.h"

uint32_t nvme_sq_doorbell(unsigned qid, unsigned dstrd)
{
	return NVME_DOORBELLS + (2 * qid) * (4u << dstrd);
}

uint32_t nvme_cq_doorbell(unsigned qid, unsigned dstrd)
{
	return NVME_DOORBELLS + (2 * qid + 1) * (4u << dstrd);
}

void nvme_qp_init(struct nvme_qpair *qp, uint16_t qid, void *sq_mem, unsigned sq_entries, void *cq_mem,
                  unsigned cq_entries, volatile void *regs, unsigned dstrd)
{
	qp->qid = qid;
	qp->sq = sq_mem;
	qp->cq = cq_mem;
	qp->sq_entries = sq_entries;
	qp->cq_entries = cq_entries;
	qp->sq_tail = qp->sq_head = qp->cq_head = 0;
	qp->phase = 1;                    /* the zeroed ring holds phase 0 */
	for (unsigned i = 0; i < cq_entries; i++)
		qp->cq[i].status = 0;
	qp->sq_bell = (volatile uint32_t *)((volatile char *)regs + nvme_sq_doorbell(qid, dstrd));
	qp->cq_bell = (volatile uint32_t *)((volatile char *)regs + nvme_cq_doorbell(qid, dstrd));
	qp->in_flight = qp->bogus = 0;
	/* never more in flight than either ring holds: a full completion
	 * queue would stall the controller */
	unsigned n = sq_entries - 1 < cq_entries - 1 ? sq_entries - 1 : cq_entries - 1;
	if (n > NVME_QP_MAX)
		n = NVME_QP_MAX;
	qp->nfree = n;
	for (unsigned i = 0; i < n; i++) {
		qp->free_cid[i] = (uint16_t)(n - 1 - i);
		qp->token[i] = NULL;
	}
}

bool nvme_qp_can_submit(const struct nvme_qpair *qp)
{
	return qp->nfree > 0 && (qp->sq_tail + 1u) % qp->sq_entries != qp->sq_head;
}

bool nvme_qp_submit(struct nvme_qpair *qp, const struct nvme_sqe *cmd, void *token)
{
	if (!nvme_qp_can_submit(qp))
		return false;
	uint16_t cid = qp->free_cid[--qp->nfree];
	qp->token[cid] = token;
	qp->in_flight++;
	volatile struct nvme_sqe *e = &qp->sq[qp->sq_tail];
	*e = *cmd;
	e->cid = cid;
	qp->sq_tail = (uint16_t)((qp->sq_tail + 1u) % qp->sq_entries);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);   /* the entry in memory before the doorbell */
	*qp->sq_bell = qp->sq_tail;
	return true;
}

void *nvme_qp_next(struct nvme_qpair *qp, struct nvme_cqe *out)
{
	/* at most one ring of bogus entries per call: a device that keeps
	 * writing them cannot hold this thread */
	for (unsigned seen = 0; seen < qp->cq_entries; seen++) {
		volatile struct nvme_cqe *e = &qp->cq[qp->cq_head];
		if ((e->status & 1) != qp->phase)
			return NULL;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);   /* the tag before the rest of the entry */
		*out = *e;
		if (++qp->cq_head == qp->cq_entries) {
			qp->cq_head = 0;
			qp->phase ^= 1;
		}
		if (out->sq_head < qp->sq_entries)
			qp->sq_head = out->sq_head;
		void *t = out->cid < NVME_QP_MAX ? qp->token[out->cid] : NULL;
		if (!t) {                 /* no such command in flight: a device that lies */
			qp->bogus++;
			continue;
		}
		qp->token[out->cid] = NULL;
		qp->free_cid[qp->nfree++] = out->cid;
		qp->in_flight--;
		return t;
	}
	return NULL;
}

void nvme_qp_done(struct nvme_qpair *qp)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*qp->cq_bell = qp->cq_head;
}
