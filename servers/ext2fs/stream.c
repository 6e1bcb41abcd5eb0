/* The file-data cache: windows of WINDOW bytes of a file (at multiples of
 * WINDOW in it), each a region of pages of ours, found by inode and
 * offset and reused least recently used first.  An out-of-line read at a
 * page-aligned offset into page-aligned memory is served from the windows
 * that hold it; a reader in order (the read follows the file's last one,
 * or starts it) that finds no window fills one with a single ext2_read,
 * so it is read ahead a megabyte at a time, and a second reader of the
 * same file (cksum, then cp) finds it in memory.  Pages move, never
 * bytes: the disk's pages go into a window by vm_copy (disk.c's copy_in)
 * and the window's into the reply by vm_copy, copy-on-write.
 *
 * The windows hold what the core would read: a write or truncate of a
 * file forgets its windows, and so does an unlink of it or a rename over
 * it (its inode number may come back as another file).  How many windows
 * there are is set once from the machine's free memory (main.c): the
 * kernel has no pager to give pages back to, so the cache never grows
 * past that.  Runs under fs_lock, like every call into the core. */
#include "ext2fs.h"
#include "mach/mach.h"
#include "rt/rt.h"

#define WINDOW (1u << 20)

struct window {
	vm_offset_t buf;             /* WINDOW bytes of pages, 0 until used */
	uint32_t ino;                /* 0: the window holds nothing */
	uint64_t start;              /* file offset of buf[0], a multiple of WINDOW */
	size_t len;                  /* bytes of the file in the window */
	unsigned used;               /* the clock at its last use */
};

static struct window *wins;
static unsigned nwins, clock;
static uint32_t last_ino;        /* the last read, to tell a reader in order */
static uint64_t last_end;

size_t stream_init(size_t bytes)
{
	nwins = bytes / WINDOW ? (unsigned)(bytes / WINDOW) : 1;
	wins = calloc(nwins, sizeof *wins);
	if (!wins)
		nwins = 0;
	return (size_t)nwins * WINDOW;
}

/* Gives the window's pages back: a forgotten file's data is not kept. */
static void drop(struct window *x)
{
	if (x->buf)
		vm_deallocate(mach_task_self(), x->buf, WINDOW);
	x->buf = 0;
	x->ino = 0;
}

void stream_forget(uint32_t ino)
{
	for (unsigned i = 0; i < nwins; i++)
		if (wins[i].ino == ino)
			drop(&wins[i]);
}

static struct window *find(uint32_t ino, uint64_t start)
{
	for (unsigned i = 0; i < nwins; i++)
		if (wins[i].ino == ino && wins[i].start == start)
			return &wins[i];
	return NULL;
}

/* Fills the least recently used window (an empty one first) with the
 * WINDOW bytes of IN at START: 0, or a negative EXT2_E* code. */
static int fill(const struct ext2_inode *in, uint64_t start, struct window **out)
{
	struct window *x = &wins[0];
	for (unsigned i = 1; i < nwins && x->ino; i++)
		if (!wins[i].ino || wins[i].used < x->used)
			x = &wins[i];
	x->ino = 0;
	if (!x->buf && vm_allocate(mach_task_self(), &x->buf, WINDOW, 1)) {
		x->buf = 0;
		return -EXT2_ENOMEM;
	}
	long got = ext2_read(&fs, in, start, (void *)(uintptr_t)x->buf, WINDOW);
	if (got <= 0)
		return got ? (int)got : -EXT2_EIO;
	x->ino = in->ino;
	x->start = start;
	x->len = (size_t)got;
	*out = x;
	return 0;
}

long stream_read(const struct ext2_inode *in, uint64_t offset, void *dst, size_t count)
{
	bool in_order = offset == 0 || (last_ino == in->ino && last_end == offset);
	last_ino = in->ino;
	last_end = offset + count;
	if (!nwins || offset % PAGE_SIZE || (uintptr_t)dst % PAGE_SIZE || count > WINDOW || offset >= in->size)
		return STREAM_NO;
	size_t done = 0;
	while (done < count && offset + done < in->size) {
		uint64_t pos = offset + done, start = pos & ~(uint64_t)(WINDOW - 1);
		struct window *x = find(in->ino, start);
		if (!x && !in_order)
			break;
		int r = x ? 0 : fill(in, start, &x);
		if (r)
			return done ? (long)done : r;
		if (pos >= start + x->len)
			break;
		x->used = ++clock;
		size_t n = start + x->len - pos < count - done ? (size_t)(start + x->len - pos) : count - done;
		vm_offset_t src = x->buf + (vm_offset_t)(pos - start), to = (vm_offset_t)(uintptr_t)dst + done;
		vm_size_t pages = n & ~(vm_size_t)(PAGE_SIZE - 1);
		if (pages && vm_copy(mach_task_self(), src, pages, to))
			pages = 0;
		memcpy((char *)to + pages, (const void *)(src + pages), n - pages);
		done += n;
	}
	return done ? (long)done : STREAM_NO;
}
