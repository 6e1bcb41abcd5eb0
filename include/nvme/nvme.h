/* NVMe (NVM Express 1.4, the NVM command set): the controller's registers,
 * the queue entries, the admin and I/O commands a disk driver needs, the
 * submission/completion rings with their phase tags and doorbells, PRP
 * lists, IDENTIFY parsing and status names.  Portable: the driver supplies
 * the mapped registers, DMA memory and a way to sleep; the host tests play
 * the controller (tests/unit/test_nvme.c). */
#ifndef NVME_NVME_H
#define NVME_NVME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- registers (BAR0), 32-bit accesses only: i386 cannot do 64-bit MMIO --- */

struct nvme_regs {
	uint32_t cap_lo, cap_hi;   /* 0x00 capabilities */
	uint32_t vs;               /* 0x08 version */
	uint32_t intms, intmc;     /* 0x0c interrupt mask set / clear */
	uint32_t cc;               /* 0x14 controller configuration */
	uint32_t reserved;
	uint32_t csts;             /* 0x1c controller status */
	uint32_t nssr;             /* 0x20 subsystem reset */
	uint32_t aqa;              /* 0x24 admin queue attributes */
	uint32_t asq_lo, asq_hi;   /* 0x28 admin submission queue base */
	uint32_t acq_lo, acq_hi;   /* 0x30 admin completion queue base */
};
_Static_assert(offsetof(struct nvme_regs, cc) == 0x14, "CC at 0x14");
_Static_assert(offsetof(struct nvme_regs, csts) == 0x1c, "CSTS at 0x1c");
_Static_assert(offsetof(struct nvme_regs, aqa) == 0x24, "AQA at 0x24");
_Static_assert(offsetof(struct nvme_regs, acq_lo) == 0x30, "ACQ at 0x30");
_Static_assert(sizeof(struct nvme_regs) == 0x38, "registers up to 0x38");

#define NVME_DOORBELLS 0x1000u     /* the first doorbell's offset in BAR0 */

/* CAP fields */
#define NVME_CAP_MQES(c)   ((unsigned)((c) & 0xffff) + 1)    /* entries a queue may have */
#define NVME_CAP_CQR(c)    ((unsigned)((c) >> 16) & 1)       /* queues must be contiguous */
#define NVME_CAP_TO(c)     ((unsigned)((c) >> 24) & 0xff)    /* ready time-out, 500 ms units */
#define NVME_CAP_DSTRD(c)  ((unsigned)((c) >> 32) & 0xf)     /* doorbell stride: 4 << DSTRD bytes */
#define NVME_CAP_CSS(c)    ((unsigned)((c) >> 37) & 0xff)    /* command sets; bit 0 NVM */
#define NVME_CAP_MPSMIN(c) ((unsigned)((c) >> 48) & 0xf)     /* page size 4 KiB << MPSMIN at least */
#define NVME_CAP_MPSMAX(c) ((unsigned)((c) >> 52) & 0xf)

/* CC fields */
#define NVME_CC_EN          1u
#define NVME_CC_CSS_NVM     (0u << 4)
#define NVME_CC_MPS(shift)  ((uint32_t)((shift) - 12) << 7)  /* page size 1 << shift */
#define NVME_CC_SHN_NORMAL  (1u << 14)
#define NVME_CC_SHN_MASK    (3u << 14)
#define NVME_CC_IOSQES(l2)  ((uint32_t)(l2) << 16)
#define NVME_CC_IOCQES(l2)  ((uint32_t)(l2) << 20)

/* CSTS fields */
#define NVME_CSTS_RDY        1u
#define NVME_CSTS_CFS        2u                              /* controller fatal status */
#define NVME_CSTS_SHST(s)    (((s) >> 2) & 3)
#define NVME_SHST_COMPLETE   2

/* --- queue entries ---------------------------------------------------------- */

struct nvme_sqe {
	uint8_t  opcode;
	uint8_t  flags;            /* fused operation, PRP (0) or SGL data */
	uint16_t cid;              /* command identifier, echoed by the completion */
	uint32_t nsid;
	uint32_t cdw2, cdw3;
	uint64_t mptr;             /* metadata pointer (unused: no metadata) */
	uint64_t prp1, prp2;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};
_Static_assert(sizeof(struct nvme_sqe) == 64, "a submission queue entry is 64 bytes");
_Static_assert(offsetof(struct nvme_sqe, prp1) == 24, "PRP1 at byte 24");
_Static_assert(offsetof(struct nvme_sqe, cdw10) == 40, "CDW10 at byte 40");

struct nvme_cqe {
	uint32_t result;           /* command specific (DW0) */
	uint32_t reserved;
	uint16_t sq_head;          /* how far the controller has read the submission queue */
	uint16_t sq_id;
	uint16_t cid;
	uint16_t status;           /* bit 0: phase tag; bits 1-15: the status field */
};
_Static_assert(sizeof(struct nvme_cqe) == 16, "a completion queue entry is 16 bytes");

#define NVME_SQE_LOG2 6
#define NVME_CQE_LOG2 4

/* The status field (status >> 1): status code, status code type, more, do not retry. */
#define NVME_STATUS(cqe_status)  ((uint16_t)((cqe_status) >> 1))
#define NVME_SC(st)   ((unsigned)(st) & 0xff)
#define NVME_SCT(st)  (((unsigned)(st) >> 8) & 7)
#define NVME_DNR(st)  (((unsigned)(st) >> 14) & 1)
enum { NVME_SCT_GENERIC = 0, NVME_SCT_COMMAND = 1, NVME_SCT_MEDIA = 2, NVME_SCT_PATH = 3,
       NVME_SCT_VENDOR = 7 };
/* The status the driver gives a command the controller never answered. */
#define NVME_STATUS_TIMEOUT  0xffff

/* Names the status ST (the field without the phase tag), e.g.
 * "unrecovered read error (media 0x81)"; BUF holds at least 80 bytes. */
const char *nvme_status_str(uint16_t st, char *buf, size_t size);

/* --- commands ----------------------------------------------------------------- */

enum {  /* admin opcodes */
	NVME_ADMIN_DELETE_SQ = 0x00, NVME_ADMIN_CREATE_SQ = 0x01, NVME_ADMIN_DELETE_CQ = 0x04,
	NVME_ADMIN_CREATE_CQ = 0x05, NVME_ADMIN_IDENTIFY = 0x06, NVME_ADMIN_SET_FEATURES = 0x09,
};
enum { NVME_CMD_FLUSH = 0x00, NVME_CMD_WRITE = 0x01, NVME_CMD_READ = 0x02 };   /* NVM opcodes */
enum { NVME_CNS_NS = 0, NVME_CNS_CTRL = 1, NVME_CNS_ACTIVE_NS = 2 };
#define NVME_FEAT_NUM_QUEUES 0x07
#define NVME_IDENTIFY_BYTES 4096

/* Each clears C and fills in one command (the caller sets the data pointers). */
void nvme_cmd_identify(struct nvme_sqe *c, unsigned cns, uint32_t nsid);
/* A completion queue QID of ENTRIES, interrupts on vector IV when IRQ. */
void nvme_cmd_create_cq(struct nvme_sqe *c, uint16_t qid, unsigned entries, uint16_t iv, bool irq);
void nvme_cmd_create_sq(struct nvme_sqe *c, uint16_t qid, unsigned entries, uint16_t cqid);
void nvme_cmd_delete_queue(struct nvme_sqe *c, uint8_t opcode, uint16_t qid);
/* Number of queues (one submission and one completion queue beyond the admin pair). */
void nvme_cmd_set_queues(struct nvme_sqe *c, unsigned nsq, unsigned ncq);
/* READ or WRITE of BLOCKS (1..65536) logical blocks at LBA of namespace NSID. */
void nvme_cmd_rw(struct nvme_sqe *c, uint8_t opcode, uint32_t nsid, uint64_t lba, unsigned blocks);
void nvme_cmd_flush(struct nvme_sqe *c, uint32_t nsid);

/* --- PRPs ----------------------------------------------------------------------- */

/* Physical region pages describe LEN bytes of physically contiguous memory
 * at PHYS (4-byte aligned, any offset in its page) for a controller whose
 * memory page size is PAGE (a power of 2, 4 KiB or more): PRP1 points at
 * the first byte, PRP2 at the second page when the data spans two pages, or
 * else at a PRP list of the further pages' addresses, whose last entry
 * chains to the next list page when one page of entries is not enough.
 * How many list pages that takes: */
unsigned nvme_prp_list_pages(uint64_t phys, size_t len, unsigned page);
/* Fills C's PRP1 and PRP2, writing the list (if any) into LIST, which is
 * NPAGES page-aligned pages at LIST_PHYS.  Returns 0, or -1 when PHYS is not
 * 4-byte aligned, LEN is 0 or odd-sized (not a multiple of 4), or the list
 * needs more pages than NPAGES. */
int nvme_prp_build(struct nvme_sqe *c, uint64_t phys, size_t len, unsigned page,
                   uint64_t *list, uint64_t list_phys, unsigned npages);

/* --- queues ----------------------------------------------------------------------- */

/* Queue QID's doorbells: submission tail and completion head. */
uint32_t nvme_sq_doorbell(unsigned qid, unsigned dstrd);
uint32_t nvme_cq_doorbell(unsigned qid, unsigned dstrd);

#define NVME_QP_MAX 256            /* commands a queue pair keeps in flight at most */

/* A submission queue and its completion queue, with the commands in flight
 * known by their identifiers (a completion with an identifier not in flight
 * is counted and dropped). */
struct nvme_qpair {
	uint16_t qid;
	volatile struct nvme_sqe *sq;
	volatile struct nvme_cqe *cq;
	unsigned sq_entries, cq_entries;
	uint16_t sq_tail, sq_head;        /* sq_head as the controller last reported it */
	uint16_t cq_head;
	uint8_t phase;                    /* the phase tag of entries not yet seen */
	volatile uint32_t *sq_bell, *cq_bell;
	unsigned in_flight, bogus;
	void *token[NVME_QP_MAX];         /* by command identifier */
	uint16_t free_cid[NVME_QP_MAX];
	unsigned nfree;
};

/* Lays out a queue pair in SQ_MEM (SQ_ENTRIES * 64 bytes) and CQ_MEM
 * (CQ_ENTRIES * 16 bytes, zeroed here), with the doorbells of queue QID in
 * the registers REGS. */
void nvme_qp_init(struct nvme_qpair *qp, uint16_t qid, void *sq_mem, unsigned sq_entries, void *cq_mem,
                  unsigned cq_entries, volatile void *regs, unsigned dstrd);
/* Whether another command fits now. */
bool nvme_qp_can_submit(const struct nvme_qpair *qp);
/* Queues CMD (its identifier is chosen here) remembered by TOKEN (not
 * NULL) and rings the doorbell; false when the queue is full. */
bool nvme_qp_submit(struct nvme_qpair *qp, const struct nvme_sqe *cmd, void *token);
/* The next completion (copied to *OUT), as the token of its command, or NULL
 * when the controller has posted nothing new.  Call nvme_qp_done after a
 * batch. */
void *nvme_qp_next(struct nvme_qpair *qp, struct nvme_cqe *out);
/* Tells the controller how far the completions were read (the head
 * doorbell), which also lowers its interrupt. */
void nvme_qp_done(struct nvme_qpair *qp);

/* --- the controller ------------------------------------------------------------------ */

struct nvme_ctrl {
	volatile struct nvme_regs *regs;  /* BAR0, mapped */
	uint64_t cap;
	unsigned dstrd;
	unsigned timeout_ms;              /* CAP.TO */
	unsigned max_entries;             /* CAP.MQES + 1 */
	unsigned page;                    /* memory page size in use */
	void (*sleep_ms)(void *ctx, unsigned ms);
	void *ctx;
};

/* Reads CAP and disables the controller (waiting for CSTS.RDY to clear
 * within CAP.TO).  Returns 0, or -1 with *WHY set. */
int nvme_ctrl_reset(struct nvme_ctrl *c, volatile void *regs, const char **why);
/* Points the controller at the admin queues (ENTRIES each, physically
 * contiguous at ASQ and ACQ), enables it with 4 KiB pages and waits for
 * CSTS.RDY within CAP.TO.  Returns 0, or -1 with *WHY set. */
int nvme_ctrl_enable(struct nvme_ctrl *c, uint64_t asq, uint64_t acq, unsigned entries, const char **why);
/* Normal shutdown (CC.SHN), waiting for CSTS.SHST to say complete within
 * CAP.TO.  Returns 0, or -1 with *WHY set. */
int nvme_ctrl_shutdown(struct nvme_ctrl *c, const char **why);

/* --- IDENTIFY ------------------------------------------------------------------------- */

struct nvme_ctrl_info {
	uint16_t vid;
	char serial[21], model[41], firmware[9];   /* trailing blanks cut */
	uint32_t max_transfer;            /* bytes per command, 0 for no limit (from MDTS) */
	uint32_t version;
	uint32_t namespaces;              /* NN: the highest namespace id */
	bool vwc;                         /* a volatile write cache: FLUSH is worth sending */
	bool sqes_ok;                     /* 64-byte submission and 16-byte completion entries allowed */
};
/* Parses the 4096 bytes of IDENTIFY controller; PAGE_MIN is the minimum
 * memory page size (4 KiB << CAP.MPSMIN), the unit of MDTS. */
void nvme_parse_ctrl(const uint8_t *id, unsigned page_min, struct nvme_ctrl_info *out);

struct nvme_ns_info {
	uint64_t blocks;                  /* NSZE, in logical blocks */
	unsigned block_size;              /* bytes of the format in use */
	unsigned format;                  /* its index */
};
/* Parses IDENTIFY namespace.  Returns 0, or -1 with *WHY set: an inactive
 * namespace (size 0), a format with metadata, a block size outside
 * 512 bytes..64 KiB. */
int nvme_parse_ns(const uint8_t *id, struct nvme_ns_info *out, const char **why);
/* The active namespace list (IDENTIFY CNS 2): up to MAX ids into OUT, in
 * the ascending order the controller must give; ids above NN, repeated or
 * out of order end the list.  Returns how many. */
unsigned nvme_parse_ns_list(const uint8_t *list, uint32_t nn, uint32_t *out, unsigned max);

#endif
