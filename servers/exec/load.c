/* Loading a program into a new task: the ELF checks (lib/elf), the segments
 * built page by page here and written into the task, and a first stack laid
 * out as the kernel lays out the stack of a boot task. */
#include "exec.h"
#include "elf/elf.h"
#include "fs/client.h"
#include "mach/mach.h"
#include "posix/posix.h"
#include "rt/rt.h"

/* The first stack: 128 KiB at the top of user space, as GNU Mach gives a
 * boot task.  crt0 moves onto a stack of its own at once. */
#define STACK_SIZE (128u * 1024u)
#define STACK_TOP  ELF_USER_MAX
#define STACK_BASE (STACK_TOP - STACK_SIZE)

static vm_offset_t trunc_page(vm_offset_t a) { return a & ~(PAGE_SIZE - 1); }
static vm_offset_t round_page(uint64_t a) { return (vm_offset_t)((a + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1)); }

/* A zeroed buffer of whole pages of our own. */
static void *pages(vm_size_t size)
{
	vm_offset_t a = 0;
	return vm_allocate(mach_task_self(), &a, size, 1) ? NULL : (void *)(uintptr_t)a;
}

static void pages_free(void *p, vm_size_t size)
{
	vm_deallocate(mach_task_self(), (vm_offset_t)(uintptr_t)p, size);
}

/* Segments IMG->seg[FIRST..LAST) whose pages touch: one region of the task,
 * allocated at once; the pages that hold file bytes are built here and
 * written, the rest stay the kernel's zero-filled pages.  A page shared by
 * two segments gets the protection of both. */
static int load_region(mach_port_t program, const struct elf_image *img, unsigned first,
                       unsigned last, mach_port_t task, const char *name)
{
	const struct elf_segment *seg = img->seg;
	vm_offset_t start = trunc_page(seg[first].vaddr), end = start, data_end = start;
	for (unsigned i = first; i < last; i++) {
		if (round_page((uint64_t)seg[i].vaddr + seg[i].memsz) > end)
			end = round_page((uint64_t)seg[i].vaddr + seg[i].memsz);
		if (seg[i].filesz && round_page((uint64_t)seg[i].vaddr + seg[i].filesz) > data_end)
			data_end = round_page((uint64_t)seg[i].vaddr + seg[i].filesz);
	}
	vm_offset_t at = start;
	kern_return_t r = vm_allocate(task, &at, end - start, 0);
	if (r) {
		say("cannot run %s: no room for 0x%x-0x%x in the new task: %s", name, start, end, mach_error_name(r));
		return -FS_ENOMEM;
	}
	if (data_end > start) {
		char *buf = pages(data_end - start);
		if (!buf)
			return -FS_ENOMEM;
		for (unsigned i = first; i < last; i++) {
			long n = fs_read(program, seg[i].offset, buf + (seg[i].vaddr - start), seg[i].filesz);
			if (n != (long)seg[i].filesz) {
				say("cannot run %s: reading 0x%x bytes at 0x%x: %s", name, seg[i].filesz, seg[i].offset,
				    n < 0 ? strerror((int)-n) : "the file is shorter than its headers say");
				pages_free(buf, data_end - start);
				return n < 0 ? (int)n : -FS_ENOEXEC;
			}
		}
		r = image_write(task, start, buf, data_end - start);
		if (r) {
			say("cannot run %s: writing 0x%x-0x%x into the new task: %s", name, start, data_end,
			    mach_error_name(r));
			return -FS_ENOMEM;
		}
	}
	/* runs of pages of one protection */
	for (vm_offset_t p = start; p < end; ) {
		int prot = 0;
		vm_offset_t q = p;
		for (; q < end; q += PAGE_SIZE) {
			int pp = 0;
			for (unsigned i = first; i < last; i++)
				if (q + PAGE_SIZE > seg[i].vaddr && q < seg[i].vaddr + seg[i].memsz)
					pp |= seg[i].prot;
			if (q > p && pp != prot)
				break;
			prot = pp;
		}
		r = vm_protect(task, p, q - p, 0, prot);
		if (r) {
			say("cannot run %s: protecting 0x%x-0x%x: %s", name, p, q, mach_error_name(r));
			return -FS_ENOMEM;
		}
		p = q;
	}
	return 0;
}

static int load_segments(mach_port_t program, const struct elf_image *img, mach_port_t task,
                         const char *name)
{
	for (unsigned i = 0; i < img->nseg; ) {
		unsigned j = i + 1;
		vm_offset_t end = round_page((uint64_t)img->seg[i].vaddr + img->seg[i].memsz);
		while (j < img->nseg && trunc_page(img->seg[j].vaddr) < end) {
			end = round_page((uint64_t)img->seg[j].vaddr + img->seg[j].memsz);
			j++;
		}
		int e = load_region(program, img, i, j, task, name);
		if (e)
			return e;
		i = j;
	}
	return 0;
}

/* The stack: argc, the argv pointers, 0, the envp pointers, 0, then the
 * strings; *SP gets the address of argc. */
static int build_stack(mach_port_t task, const char *args, size_t len, unsigned argc,
                       unsigned envc, vm_offset_t *sp, const char *name)
{
	vm_offset_t base = STACK_BASE;
	kern_return_t r = vm_allocate(task, &base, STACK_SIZE, 0);
	if (r) {
		say("cannot run %s: no room for its stack: %s", name, mach_error_name(r));
		return -FS_ENOMEM;
	}
	size_t words = 1 + argc + 1 + envc + 1;
	size_t size = (words * 4 + len + 15) & ~(size_t)15;
	vm_offset_t at = STACK_TOP - size, first = trunc_page(at);
	char *buf = pages(STACK_TOP - first);
	if (!buf)
		return -FS_ENOMEM;
	uint32_t *w = (uint32_t *)(buf + (at - first));
	vm_offset_t strings = at + words * 4;
	memcpy(buf + (strings - first), args, len);
	*w++ = argc;
	const char *str = args;
	for (unsigned i = 0; i < argc; i++, str += strlen(str) + 1)
		*w++ = strings + (str - args);
	*w++ = 0;
	for (unsigned i = 0; i < envc; i++, str += strlen(str) + 1)
		*w++ = strings + (str - args);
	*w = 0;
	r = vm_write(task, first, buf, STACK_TOP - first);
	pages_free(buf, STACK_TOP - first);
	if (r) {
		say("cannot run %s: writing its stack: %s", name, mach_error_name(r));
		return -FS_ENOMEM;
	}
	*sp = at;
	return 0;
}

/* The file on PROGRAM, checked: a regular file that someone may execute,
 * then its ELF headers (from its first page). */
static int check_program(mach_port_t program, const char *name, struct elf_image *img, uint64_t *size)
{
	struct fs_stat st;
	int e = fs_stat(program, &st);
	if (e) {
		say("cannot run %s: not a file I can read (%s)", name, strerror(-e));
		return e;
	}
	if ((st.mode & S_IFMT) != S_IFREG) {
		say("cannot run %s: not a regular file (mode 0%o)", name, (unsigned)st.mode);
		return -FS_EACCES;
	}
	if (!(st.mode & 0111)) {
		say("cannot run %s: nobody may execute it (mode 0%o)", name, (unsigned)st.mode);
		return -FS_EACCES;
	}
	*size = st.size_lo | (uint64_t)st.size_hi << 32;
	size_t want = *size < ELF_PAGE ? (size_t)*size : ELF_PAGE;
	char *head = malloc(ELF_PAGE);
	if (!head)
		return -FS_ENOMEM;
	long n = fs_read(program, 0, head, want);
	if (n != (long)want) {
		say("cannot run %s: reading its headers: %s", name, n < 0 ? strerror((int)-n) : "short read");
		free(head);
		return n < 0 ? (int)n : -FS_EIO;
	}
	int r = elf_parse(head, want, *size, img);
	free(head);
	if (r) {
		say("cannot run %s: not an executable: %s", name, img->why);
		return -FS_ENOEXEC;
	}
	const struct elf_segment *top = &img->seg[img->nseg - 1];
	if (top->vaddr + top->memsz > STACK_BASE) {
		say("cannot run %s: not an executable: segment 0x%x-0x%x overlaps the stack at 0x%x",
		    name, top->vaddr, top->vaddr + top->memsz, STACK_BASE);
		return -FS_ENOEXEC;
	}
	return 0;
}

int load_program(mach_port_t program, const char *name, const char *args, size_t len,
                 unsigned argc, unsigned envc, mach_port_t *task, mach_port_t *thread)
{
	struct elf_image *img = malloc(sizeof *img);
	uint64_t size;
	if (!img)
		return -FS_ENOMEM;
	int e = check_program(program, name, img, &size);
	if (e) {
		free(img);
		return e;
	}
	/* a task of its own: no memory and no ports inherited from us */
	kern_return_t r = task_create(mach_task_self(), 0, task);
	if (r) {
		say("cannot run %s: task_create: %s", name, mach_error_name(r));
		free(img);
		return -FS_ENOMEM;
	}
	vm_offset_t sp = 0;
	e = load_segments(program, img, *task, name);
	if (!e)
		e = build_stack(*task, args, len, argc, envc, &sp, name);
	if (!e && (r = thread_create(*task, thread)) != KERN_SUCCESS) {
		say("cannot run %s: thread_create: %s", name, mach_error_name(r));
		e = -FS_ENOMEM;
	}
	if (!e) {
		struct i386_thread_state st;
		natural_t count = i386_THREAD_STATE_COUNT;
		r = thread_get_state(*thread, i386_THREAD_STATE, (natural_t *)&st, &count);
		if (r == KERN_SUCCESS) {
			st.eip = img->entry;
			st.uesp = sp;
			st.ebp = 0;
			r = thread_set_state(*thread, i386_THREAD_STATE, (natural_t *)&st, i386_THREAD_STATE_COUNT);
		}
		if (r) {
			say("cannot run %s: setting up its thread: %s", name, mach_error_name(r));
			mach_port_deallocate(mach_task_self(), *thread);
			e = -FS_ENOMEM;
		}
	}
	free(img);
	if (e) {
		task_terminate(*task);
		mach_port_deallocate(mach_task_self(), *task);
		*task = *thread = MACH_PORT_NULL;
	}
	return e;
}
