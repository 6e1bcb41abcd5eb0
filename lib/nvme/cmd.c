/* The admin and NVM commands the disk driver sends (include/nvme/nvme.h). */
#include "nvme/nvme.h"

static void clear(struct nvme_sqe *c, uint8_t opcode)
{
	*c = (struct nvme_sqe){ .opcode = opcode };
}

void nvme_cmd_identify(struct nvme_sqe *c, unsigned cns, uint32_t nsid)
{
	clear(c, NVME_ADMIN_IDENTIFY);
	c->nsid = nsid;
	c->cdw10 = cns;
}

void nvme_cmd_create_cq(struct nvme_sqe *c, uint16_t qid, unsigned entries, uint16_t iv, bool irq)
{
	clear(c, NVME_ADMIN_CREATE_CQ);
	c->cdw10 = (uint32_t)(entries - 1) << 16 | qid;
	c->cdw11 = (uint32_t)iv << 16 | (irq ? 2u : 0u) | 1u;     /* physically contiguous */
}

void nvme_cmd_create_sq(struct nvme_sqe *c, uint16_t qid, unsigned entries, uint16_t cqid)
{
	clear(c, NVME_ADMIN_CREATE_SQ);
	c->cdw10 = (uint32_t)(entries - 1) << 16 | qid;
	c->cdw11 = (uint32_t)cqid << 16 | 1u;                     /* physically contiguous */
}

void nvme_cmd_delete_queue(struct nvme_sqe *c, uint8_t opcode, uint16_t qid)
{
	clear(c, opcode);
	c->cdw10 = qid;
}

void nvme_cmd_set_queues(struct nvme_sqe *c, unsigned nsq, unsigned ncq)
{
	clear(c, NVME_ADMIN_SET_FEATURES);
	c->cdw10 = NVME_FEAT_NUM_QUEUES;
	c->cdw11 = (uint32_t)(ncq - 1) << 16 | (nsq - 1);         /* 0-based counts */
}

void nvme_cmd_rw(struct nvme_sqe *c, uint8_t opcode, uint32_t nsid, uint64_t lba, unsigned blocks)
{
	clear(c, opcode);
	c->nsid = nsid;
	c->cdw10 = (uint32_t)lba;
	c->cdw11 = (uint32_t)(lba >> 32);
	c->cdw12 = (blocks - 1) & 0xffff;                          /* 0-based */
}

void nvme_cmd_flush(struct nvme_sqe *c, uint32_t nsid)
{
	clear(c, NVME_CMD_FLUSH);
	c->nsid = nsid;
}
