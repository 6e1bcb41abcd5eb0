/* Static 32-bit i386 ELF executables, as gcc and ld make them: the checks
 * that decide whether exec may load a file, and the segments to load.
 * Portable (no Mach call, no allocation): the exec server and the host tests
 * and fuzzer run the same code. */
#ifndef ELF_ELF_H
#define ELF_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_PHDRS    64          /* more program headers than this: refused */
#define ELF_MAX_SEGMENTS 16          /* PT_LOAD segments kept */
#define ELF_PAGE         4096u
/* Where a user task's segments may lie on GNU Mach i386: its address space
 * ends at VM_MAX_ADDRESS (0xc0000000); page 0 stays unmapped so that a null
 * pointer faults. */
#define ELF_USER_MIN     0x1000u
#define ELF_USER_MAX     0xc0000000u

struct elf_segment {
	uint32_t vaddr, memsz;    /* where it lies in the task, bss included */
	uint32_t offset, filesz;  /* the bytes of the file that start it */
	int prot;                 /* VM_PROT_READ | _WRITE | _EXECUTE */
};

struct elf_image {
	uint32_t entry;
	unsigned nseg;            /* in ascending address order, not overlapping */
	struct elf_segment seg[ELF_MAX_SEGMENTS];
	char why[160];            /* the reason a file was refused */
};

/* Checks the file whose first HEADLEN bytes are at HEAD and which is FILESIZE
 * bytes long (HEADLEN may be less: the ELF header and the program headers
 * must then lie within HEAD).  Returns 0 with IMG filled in, or -1 with the
 * reason in IMG->why. */
int elf_parse(const void *head, size_t headlen, uint64_t filesize, struct elf_image *img);

#endif
