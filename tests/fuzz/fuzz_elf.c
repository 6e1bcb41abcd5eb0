/* libFuzzer target: an arbitrary file given to the ELF checks, whole and as
 * its first page only (as exec reads it).  Whatever is accepted must keep
 * the promises of elf/elf.h; a refusal must say why. */
#include <string.h>
#include "elf/elf.h"
#include "mach/abi.h"

static void check(const struct elf_image *img, int r, uint64_t size)
{
	if (r != 0) {
		if (r != -1 || img->why[0] == 0 || !memchr(img->why, 0, sizeof img->why))
			__builtin_trap();
		return;
	}
	int entry_ok = 0;
	if (img->nseg == 0 || img->nseg > ELF_MAX_SEGMENTS)
		__builtin_trap();
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_segment *s = &img->seg[i];
		if (s->memsz == 0 || s->filesz > s->memsz || (uint64_t)s->offset + s->filesz > size
		    || s->vaddr < ELF_USER_MIN || (uint64_t)s->vaddr + s->memsz > ELF_USER_MAX
		    || (i > 0 && s->vaddr < img->seg[i - 1].vaddr + img->seg[i - 1].memsz))
			__builtin_trap();
		if (img->entry - s->vaddr < s->memsz && (s->prot & VM_PROT_EXECUTE))
			entry_ok = 1;
	}
	if (!entry_ok)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct elf_image img;
	check(&img, elf_parse(data, size, size, &img), size);
	size_t head = size < 4096 ? size : 4096;
	check(&img, elf_parse(data, head, size, &img), size);
	return 0;
}
