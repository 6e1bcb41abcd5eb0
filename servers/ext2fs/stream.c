/* Read-ahead for a file read in order: an out-of-line read of a page-
 * aligned offset, following the last read of the same file (or at its
 * start), is served from a window of WINDOW bytes that one ext2_read
 * fills.  Pages move, never bytes: the disk's pages go into the window by
 * vm_copy (disk.c's copy_in) and the window's into the reply by vm_copy, so
 * a 64 KiB reader costs one disk request a megabyte and no page faults
 * here.  A write or truncate of the window's file, and any unlink, rmdir
 * or rename (an inode number may come back as another file), forget it.
 * Runs under fs_lock, like every call into the core. */
#include "ext2fs.h"
#include "mach/mach.h"
#include "rt/rt.h"

#define WINDOW (1u << 20)

static struct {
	vm_offset_t buf;             /* WINDOW bytes of pages, allocated once */
	uint32_t ino;                /* 0: the window holds nothing */
	uint64_t start;              /* file offset of buf[0], page-aligned */
	size_t len;                  /* bytes of the file in the window */
	uint32_t last_ino;           /* the last read, to tell a reader in order */
	uint64_t last_end;
} w;

void stream_forget(uint32_t ino)
{
	if (ino == 0 || ino == w.ino)
		w.ino = 0;
}

long stream_read(const struct ext2_inode *in, uint64_t offset, void *dst, size_t count)
{
	bool in_order = offset == 0 || (w.last_ino == in->ino && w.last_end == offset);
	w.last_ino = in->ino;
	w.last_end = offset + count;
	if (!in_order || offset % PAGE_SIZE || (uintptr_t)dst % PAGE_SIZE || count >= WINDOW ||
	    offset >= in->size)
		return STREAM_NO;
	if (w.ino != in->ino || offset < w.start || offset >= w.start + w.len ||
	    (offset + count > w.start + w.len && w.start + w.len < in->size)) {
		if (!w.buf && vm_allocate(mach_task_self(), &w.buf, WINDOW, 1))
			return STREAM_NO;
		w.ino = 0;
		long got = ext2_read(&fs, in, offset, (void *)(uintptr_t)w.buf, WINDOW);
		if (got <= 0)
			return got;
		w.ino = in->ino;
		w.start = offset;
		w.len = (size_t)got;
	}
	size_t n = w.start + w.len - offset < count ? (size_t)(w.start + w.len - offset) : count;
	vm_offset_t src = w.buf + (vm_offset_t)(offset - w.start);
	vm_size_t pages = n & ~(vm_size_t)(PAGE_SIZE - 1);
	if (pages && vm_copy(mach_task_self(), src, pages, (vm_offset_t)(uintptr_t)dst))
		pages = 0;
	memcpy((char *)dst + pages, (const void *)(src + pages), n - pages);
	return (long)n;
}
