/* AHCI 1.3 and the ATA commands a SATA disk driver sends through it: the
 * HBA's registers, the structures it reads and writes in memory (FISes,
 * command headers and tables, PRDs, the received-FIS area), command
 * building and IDENTIFY DEVICE parsing.  Portable: no Mach call, tested on
 * the host (tests/unit/test_ahci.c). */
#ifndef AHCI_AHCI_H
#define AHCI_AHCI_H

#include <stddef.h>
#include <stdint.h>

/* --- HBA registers (ABAR, BAR5) ------------------------------------------ */

enum {
	HBA_CAP = 0x00, HBA_GHC = 0x04, HBA_IS = 0x08, HBA_PI = 0x0c, HBA_VS = 0x10,
	HBA_CAP2 = 0x24, HBA_BOHC = 0x28,
	HBA_PORTS = 0x100, HBA_PORT_SIZE = 0x80,
};
#define CAP_NP(cap)   (((cap) & 0x1f) + 1)          /* ports */
#define CAP_NCS(cap)  ((((cap) >> 8) & 0x1f) + 1)   /* command slots per port */
enum {
	CAP_SCLO = 1u << 24, CAP_SNCQ = 1u << 30, CAP_S64A = 1u << 31,
	GHC_HR = 1u << 0, GHC_IE = 1u << 1, GHC_AE = 1u << 31,
	CAP2_BOH = 1u << 0, BOHC_BOS = 1u << 0, BOHC_OOS = 1u << 1, BOHC_BB = 1u << 4,
};

/* A port's registers, at HBA_PORTS + port * HBA_PORT_SIZE. */
enum {
	PX_CLB = 0x00, PX_CLBU = 0x04, PX_FB = 0x08, PX_FBU = 0x0c, PX_IS = 0x10, PX_IE = 0x14,
	PX_CMD = 0x18, PX_TFD = 0x20, PX_SIG = 0x24, PX_SSTS = 0x28, PX_SCTL = 0x2c,
	PX_SERR = 0x30, PX_SACT = 0x34, PX_CI = 0x38,
};
enum {
	PXCMD_ST = 1u << 0, PXCMD_SUD = 1u << 1, PXCMD_POD = 1u << 2, PXCMD_CLO = 1u << 3,
	PXCMD_FRE = 1u << 4, PXCMD_FR = 1u << 14, PXCMD_CR = 1u << 15,
};
enum {  /* PxIS and PxIE */
	PXIS_DHRS = 1u << 0, PXIS_PSS = 1u << 1, PXIS_DSS = 1u << 2, PXIS_SDBS = 1u << 3,
	PXIS_UFS = 1u << 4, PXIS_DPS = 1u << 5, PXIS_PCS = 1u << 6, PXIS_PRCS = 1u << 22,
	PXIS_OFS = 1u << 24, PXIS_INFS = 1u << 26, PXIS_IFS = 1u << 27, PXIS_HBDS = 1u << 28,
	PXIS_HBFS = 1u << 29, PXIS_TFES = 1u << 30,
	/* the errors after which the port must be stopped and restarted */
	PXIS_ERRORS = PXIS_UFS | PXIS_OFS | PXIS_INFS | PXIS_IFS | PXIS_HBDS | PXIS_HBFS | PXIS_TFES,
};
#define SSTS_DET(s)   ((s) & 0xf)           /* 3: device present, link up */
#define SSTS_IPM(s)   (((s) >> 8) & 0xf)    /* 1: active */
enum { TFD_ERR = 0x01, TFD_DRQ = 0x08, TFD_BSY = 0x80 };

/* PxSIG after the device's first D2H FIS */
enum {
	SIG_ATA = 0x00000101, SIG_ATAPI = 0xeb140101, SIG_SEMB = 0xc33c0101, SIG_PM = 0x96690101,
};

/* --- FISes ---------------------------------------------------------------- */

enum {
	FIS_REG_H2D = 0x27, FIS_REG_D2H = 0x34, FIS_DMA_ACT = 0x39, FIS_DMA_SETUP = 0x41,
	FIS_DATA = 0x46, FIS_BIST = 0x58, FIS_PIO_SETUP = 0x5f, FIS_SET_DEVICE_BITS = 0xa1,
};

/* Register FIS, host to device: a command. */
struct fis_reg_h2d {
	uint8_t type;          /* FIS_REG_H2D */
	uint8_t pm_c;          /* port multiplier port (3:0), C (bit 7): a command */
	uint8_t command;
	uint8_t feature_lo;
	uint8_t lba0, lba1, lba2;
	uint8_t device;        /* bit 6: LBA addressing */
	uint8_t lba3, lba4, lba5;
	uint8_t feature_hi;
	uint8_t count_lo, count_hi;
	uint8_t icc, control;
	uint8_t reserved[4];
};

/* Register FIS, device to host: a command's end status. */
struct fis_reg_d2h {
	uint8_t type;          /* FIS_REG_D2H */
	uint8_t pm_i;          /* bit 6: interrupt */
	uint8_t status, error;
	uint8_t lba0, lba1, lba2, device;
	uint8_t lba3, lba4, lba5, reserved0;
	uint8_t count_lo, count_hi;
	uint8_t reserved1[6];
};

struct fis_set_device_bits {
	uint8_t type;          /* FIS_SET_DEVICE_BITS */
	uint8_t pm_i_n;
	uint8_t status, error;
	uint32_t active;       /* NCQ: the tags that completed */
};

struct fis_pio_setup {
	uint8_t type;          /* FIS_PIO_SETUP */
	uint8_t pm_d_i;
	uint8_t status, error;
	uint8_t lba0, lba1, lba2, device;
	uint8_t lba3, lba4, lba5, reserved0;
	uint8_t count_lo, count_hi;
	uint8_t reserved1, e_status;
	uint16_t transfer_count;
	uint8_t reserved2[2];
};

struct fis_dma_setup {
	uint8_t type;          /* FIS_DMA_SETUP */
	uint8_t pm_d_i_a;
	uint8_t reserved0[2];
	uint64_t buffer_id;
	uint32_t reserved1;
	uint32_t buffer_offset;
	uint32_t transfer_count;
	uint32_t reserved2;
} __attribute__((packed));

/* Where the HBA puts the FISes a port receives (256 bytes, 256-aligned). */
struct ahci_received_fis {
	struct fis_dma_setup dsfis;            /* 0x00 */
	uint8_t pad0[4];
	struct fis_pio_setup psfis;            /* 0x20 */
	uint8_t pad1[12];
	struct fis_reg_d2h rfis;               /* 0x40 */
	uint8_t pad2[4];
	struct fis_set_device_bits sdbfis;     /* 0x58 */
	uint8_t ufis[64];                      /* 0x60 */
	uint8_t reserved[96];                  /* 0xa0 */
};

/* --- commands in memory ---------------------------------------------------- */

/* One of the 32 entries of a port's command list (1 KiB, 1 KiB-aligned). */
struct ahci_cmd_header {
	uint16_t flags;        /* CFL (4:0, FIS length in dwords), A (5), W (6), P (7), R, B, C, PMP */
	uint16_t prdtl;        /* PRD entries in the table */
	volatile uint32_t prdbc;  /* bytes transferred, written by the HBA */
	uint32_t ctba, ctbau;  /* the command table, 128-byte aligned */
	uint32_t reserved[4];
};
enum { CMDH_ATAPI = 1u << 5, CMDH_WRITE = 1u << 6, CMDH_PREFETCH = 1u << 7, CMDH_CLEAR_BUSY = 1u << 10 };

/* A physical region descriptor: one piece of a command's data. */
struct ahci_prd {
	uint32_t dba, dbau;    /* data address; bit 0 must be 0 */
	uint32_t reserved;
	uint32_t dbc;          /* byte count - 1 (21:0, odd: whole words), I (31) */
};
#define AHCI_PRD_MAX_BYTES (4u << 20)

/* A command table (128-byte aligned): the command FIS, the ATAPI command,
 * then the PRD table. */
struct ahci_cmd_table {
	uint8_t cfis[64];
	uint8_t acmd[16];
	uint8_t reserved[48];
	struct ahci_prd prdt[];
};

_Static_assert(sizeof(struct fis_reg_h2d) == 20, "Register FIS H2D is 5 dwords");
_Static_assert(sizeof(struct fis_reg_d2h) == 20, "Register FIS D2H is 5 dwords");
_Static_assert(sizeof(struct fis_set_device_bits) == 8, "Set Device Bits FIS is 2 dwords");
_Static_assert(sizeof(struct fis_pio_setup) == 20, "PIO Setup FIS is 5 dwords");
_Static_assert(sizeof(struct fis_dma_setup) == 28, "DMA Setup FIS is 7 dwords");
_Static_assert(offsetof(struct ahci_received_fis, psfis) == 0x20, "PSFIS at 0x20");
_Static_assert(offsetof(struct ahci_received_fis, rfis) == 0x40, "RFIS at 0x40");
_Static_assert(offsetof(struct ahci_received_fis, sdbfis) == 0x58, "SDBFIS at 0x58");
_Static_assert(offsetof(struct ahci_received_fis, ufis) == 0x60, "UFIS at 0x60");
_Static_assert(sizeof(struct ahci_received_fis) == 256, "received-FIS area is 256 bytes");
_Static_assert(sizeof(struct ahci_cmd_header) == 32, "command header is 8 dwords");
_Static_assert(sizeof(struct ahci_prd) == 16, "PRD is 4 dwords");
_Static_assert(offsetof(struct ahci_cmd_table, prdt) == 0x80, "PRD table at 0x80");

/* --- ATA commands ----------------------------------------------------------- */

enum {
	ATA_READ_DMA_EXT = 0x25, ATA_WRITE_DMA_EXT = 0x35, ATA_READ_FPDMA = 0x60,
	ATA_WRITE_FPDMA = 0x61, ATA_PACKET = 0xa0, ATA_IDENTIFY_PACKET = 0xa1,
	ATA_IDENTIFY = 0xec, ATA_FLUSH_CACHE_EXT = 0xea,
};
#define ATA_MAX_SECTORS 65536u   /* one 48-bit command: a count of 0 means 65536 */

/* Fills PRDT (room for MAX entries) to cover BYTES of physically contiguous
 * memory at PHYS, in pieces of at most AHCI_PRD_MAX_BYTES.  Returns the
 * entries used, or 0 when BYTES is 0 or odd, PHYS is odd, or MAX is too few. */
unsigned ahci_fill_prdt(struct ahci_prd *prdt, unsigned max, uint64_t phys, uint64_t bytes);

/* Builds in header H and table T (at TABLE_PHYS, with room for MAX_PRDS)
 * the ATA command COMMAND: a 48-bit LBA and sector COUNT (1..65536; 0 for
 * commands that take none), data of BYTES at PHYS (none when BYTES is 0),
 * moved towards the device when WRITE.  Returns 0, or -1 when the data
 * does not fit the PRD table or COUNT is out of range. */
int ahci_build_command(struct ahci_cmd_header *h, struct ahci_cmd_table *t, uint64_t table_phys,
                       unsigned max_prds, uint8_t command, uint64_t lba, uint32_t count,
                       uint64_t phys, uint32_t bytes, int write);

/* What IDENTIFY DEVICE tells of a disk. */
struct ata_identity {
	uint64_t sectors;          /* user-addressable logical sectors */
	uint32_t sector_size;      /* logical sector size in bytes */
	int lba48;                 /* 48-bit commands */
	int write_cache, flush_ext;
	unsigned ncq_depth;        /* 0: no NCQ */
	char model[41], serial[21];
};

/* Parses the 256 words of IDENTIFY DEVICE (little-endian, as the device
 * sent them).  Returns 0, or -1 with the reason in WHY (a disk without LBA,
 * a bad checksum, a nonsense sector size). */
int ata_parse_identify(const uint16_t id[256], struct ata_identity *out, char *why, size_t whylen);

/* Names a PxSIG value: "ATA disk", "ATAPI device (a CD or DVD drive)", ... */
const char *ahci_signature_name(uint32_t sig);
/* Describes an error: which PxIS error bits, the task file's status and
 * error registers, and PxSERR, as one line of text. */
void ahci_describe_error(char *buf, size_t len, uint32_t is, uint32_t tfd, uint32_t serr);

#endif
