/* Checking a static i386 ELF executable before it is loaded (elf/elf.h).
 * Every field that decides what goes where is checked against the file and
 * the user address space; the first problem found is the reason given. */
#include "elf/elf.h"
#include "mach/abi.h"
#include "rt/le.h"
#include "rt/rt.h"

enum {
	EHDR_SIZE = 52, PHDR_SIZE = 32,
	ET_REL = 1, ET_EXEC = 2, ET_DYN = 3, ET_CORE = 4, EM_386 = 3,
	PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_TLS = 7,
	PF_X = 1, PF_W = 2, PF_R = 4,
};

__attribute__((format(printf, 2, 3)))
static int refuse(struct elf_image *img, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(img->why, sizeof img->why, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *type_name(unsigned type)
{
	switch (type) {
	case ET_REL: return "a relocatable object file";
	case ET_DYN: return "a shared object or position-independent executable";
	case ET_CORE: return "a core dump";
	default: return "of an unknown type";
	}
}

static int prot_of(uint32_t flags)
{
	return (flags & PF_R ? VM_PROT_READ : 0) | (flags & PF_W ? VM_PROT_WRITE : 0)
	       | (flags & PF_X ? VM_PROT_EXECUTE : 0);
}

/* One PT_LOAD header at P, the Ith program header, after the segments kept so far. */
static int load_segment(struct elf_image *img, const uint8_t *p, unsigned i, uint64_t filesize)
{
	uint32_t offset = le32(p + 4), vaddr = le32(p + 8), filesz = le32(p + 16);
	uint32_t memsz = le32(p + 20), flags = le32(p + 24), align = le32(p + 28);
	uint64_t end = (uint64_t)vaddr + memsz;

	if (filesz > memsz)
		return refuse(img, "program header %u: file size 0x%x exceeds memory size 0x%x",
		              i, filesz, memsz);
	if ((uint64_t)offset + filesz > filesize)
		return refuse(img, "program header %u: file bytes 0x%x+0x%x run past the end of the file (%llu bytes)",
		              i, offset, filesz, (unsigned long long)filesize);
	if (memsz == 0)
		return 0;         /* nothing to load */
	if (end > 0xffffffffu)
		return refuse(img, "program header %u: 0x%x+0x%x wraps around the address space", i, vaddr, memsz);
	if (vaddr < ELF_USER_MIN || end > ELF_USER_MAX)
		return refuse(img, "program header %u: 0x%x-0x%llx lies outside user space (0x%x-0x%x)",
		              i, vaddr, (unsigned long long)end, ELF_USER_MIN, ELF_USER_MAX);
	if (align > 1 && (align & (align - 1)))
		return refuse(img, "program header %u: alignment 0x%x is not a power of two", i, align);
	if (align > 1 && offset % align != vaddr % align)
		return refuse(img, "program header %u: offset 0x%x and address 0x%x differ modulo the alignment 0x%x",
		              i, offset, vaddr, align);
	if (img->nseg > 0) {
		const struct elf_segment *prev = &img->seg[img->nseg - 1];
		if (vaddr < prev->vaddr)
			return refuse(img, "program header %u: segment at 0x%x comes after one at 0x%x (not in address order)",
			              i, vaddr, prev->vaddr);
		if (vaddr < prev->vaddr + prev->memsz)
			return refuse(img, "program header %u: segment at 0x%x overlaps the one at 0x%x-0x%x",
			              i, vaddr, prev->vaddr, prev->vaddr + prev->memsz);
	}
	if (img->nseg == ELF_MAX_SEGMENTS)
		return refuse(img, "more than %u loadable segments", ELF_MAX_SEGMENTS);
	img->seg[img->nseg++] = (struct elf_segment){ vaddr, memsz, offset, filesz, prot_of(flags) };
	return 0;
}

int elf_parse(const void *head, size_t headlen, uint64_t filesize, struct elf_image *img)
{
	const uint8_t *h = head;
	img->nseg = 0;
	img->entry = 0;
	img->why[0] = 0;
	if (headlen > filesize)
		headlen = (size_t)filesize;

	if (headlen < EHDR_SIZE)
		return refuse(img, "too short for an ELF header (%llu bytes)", (unsigned long long)filesize);
	if (memcmp(h, "\177ELF", 4) != 0)
		return refuse(img, "not an ELF file (no \\177ELF at the start)");
	if (h[4] != 1)
		return refuse(img, "not a 32-bit ELF file (class %u)", h[4]);
	if (h[5] != 1)
		return refuse(img, "not little-endian (data encoding %u)", h[5]);
	if (h[6] != 1)
		return refuse(img, "unknown ELF version %u in the identification", h[6]);
	unsigned type = le16(h + 16), machine = le16(h + 18);
	if (type != ET_EXEC)
		return refuse(img, "not an executable: %s (type %u); only static executables run", type_name(type), type);
	if (machine != EM_386)
		return refuse(img, "not for i386 (machine %u)", machine);
	if (le32(h + 20) != 1)
		return refuse(img, "unknown ELF version %u", le32(h + 20));
	uint32_t entry = le32(h + 24), phoff = le32(h + 28);
	unsigned ehsize = le16(h + 40), phentsize = le16(h + 42), phnum = le16(h + 44);
	if (ehsize != EHDR_SIZE)
		return refuse(img, "ELF header size %u, not %u", ehsize, EHDR_SIZE);
	if (phentsize != PHDR_SIZE)
		return refuse(img, "program header size %u, not %u", phentsize, PHDR_SIZE);
	if (phnum == 0)
		return refuse(img, "no program headers");
	if (phnum > ELF_MAX_PHDRS)
		return refuse(img, "%u program headers (at most %u)", phnum, ELF_MAX_PHDRS);
	uint64_t phend = (uint64_t)phoff + (uint64_t)phnum * PHDR_SIZE;
	if (phend > filesize)
		return refuse(img, "program headers at 0x%x (%u of them) run past the end of the file (%llu bytes)",
		              phoff, phnum, (unsigned long long)filesize);
	if (phend > headlen)
		return refuse(img, "program headers at 0x%x lie beyond the first %zu bytes", phoff, headlen);

	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *p = h + phoff + i * PHDR_SIZE;
		switch (le32(p)) {
		case PT_INTERP:
			return refuse(img, "program header %u asks for an interpreter (PT_INTERP): only static executables run", i);
		case PT_DYNAMIC:
			return refuse(img, "program header %u is PT_DYNAMIC: only static executables run", i);
		case PT_TLS:
			return refuse(img, "program header %u is PT_TLS: thread-local storage is not set up", i);
		case PT_LOAD:
			if (load_segment(img, p, i, filesize) < 0)
				return -1;
			break;
		}
	}
	if (img->nseg == 0)
		return refuse(img, "no loadable segment");
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_segment *s = &img->seg[i];
		if (entry - s->vaddr < s->memsz) {
			if (!(s->prot & VM_PROT_EXECUTE))
				return refuse(img, "entry point 0x%x lies in a segment that is not executable", entry);
			img->entry = entry;
			return 0;
		}
	}
	return refuse(img, "entry point 0x%x lies in no loaded segment", entry);
}
