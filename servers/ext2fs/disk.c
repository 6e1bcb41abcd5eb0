/* The disk behind the ext2 core: byte ranges become device_read and
 * device_write calls of whole 512-byte records (out of line, in pieces of
 * at most CHUNK), a flush is device_set_status with the disk server's flush
 * flavor, and the clock is the host's.  The same calls go to the disk
 * server and to the kernel's own disks (docs/device-protocol.md). */
#include "ext2fs.h"
#include "mach/mach.h"
#include "rt/rt.h"

#define RECORD 512u
#define CHUNK  (1u << 20)
/* The kernel's own disk driver reads 64 KiB requests faster than larger
 * ones; the disk server the other way round (bench/e2e.sh, side by side:
 * a 64 MiB cksum through 1 MiB reads 1.9 s on virtio, 2.4 s on IDE;
 * through 64 KiB reads 4.6 s on virtio, 1.8 s on IDE). */
#define KERNEL_READ_CHUNK (64u << 10)

static struct disk {
	mach_port_t port;
	char name[64];
	int flush_unknown;            /* the device refused DEV_FLUSH once: do not ask again */
	size_t read_chunk;            /* the largest device_read */
	mach_port_t host;
} disk;

/* Moves the DATA the device sent (GOT bytes) to DST.  Where both are
 * page-aligned (large file reads land in a reply buffer of fresh
 * pages), whole pages are shared copy-on-write by vm_copy: no bytes are
 * copied and neither side's pages are touched; the rest is copied. */
static void copy_in(char *dst, vm_offset_t data, vm_size_t got)
{
	int aligned = (uintptr_t)dst % PAGE_SIZE == 0 && data % PAGE_SIZE == 0;
	vm_size_t pages = aligned ? got & ~(vm_size_t)(PAGE_SIZE - 1) : 0;
	if (pages && vm_copy(mach_task_self(), data, pages, (vm_offset_t)(uintptr_t)dst))
		pages = 0;
	memcpy(dst + pages, (void *)(uintptr_t)(data + pages), got - pages);
}

/* Reads whole records FIRST.. into BUF (COUNT records). */
static int read_records(uint64_t first, void *buf, size_t count)
{
	for (size_t done = 0; done < count;) {
		size_t n = count - done < disk.read_chunk / RECORD ? count - done : disk.read_chunk / RECORD;
		vm_offset_t data;
		vm_size_t got;
		kern_return_t r = device_read(disk.port, 0, (natural_t)(first + done), n * RECORD, &data, &got);
		if (r == KERN_SUCCESS && got != n * RECORD) {
			vm_deallocate(mach_task_self(), data, got);
			r = D_IO_ERROR;
		}
		if (r) {
			say("%s: reading %u records at %llu: %s", disk.name, (unsigned)n,
			    (unsigned long long)(first + done), mach_error_name(r));
			return -1;
		}
		copy_in((char *)buf + done * RECORD, data, got);
		vm_deallocate(mach_task_self(), data, got);
		done += n;
	}
	return 0;
}

static int write_records(uint64_t first, const void *buf, size_t count)
{
	for (size_t done = 0; done < count;) {
		size_t n = count - done < CHUNK / RECORD ? count - done : CHUNK / RECORD;
		vm_size_t wrote;
		kern_return_t r = device_write(disk.port, 0, (natural_t)(first + done),
		                               (const char *)buf + done * RECORD, n * RECORD, &wrote);
		if (r == KERN_SUCCESS && wrote != n * RECORD)
			r = D_IO_ERROR;
		if (r) {
			say("%s: writing %u records at %llu: %s", disk.name, (unsigned)n,
			    (unsigned long long)(first + done), mach_error_name(r));
			return -1;
		}
		done += n;
	}
	return 0;
}

/* Bytes OFFSET..+COUNT that are not whole records (the device takes only
 * those): the records that hold them are read, then copied out to OUT, or
 * changed with IN and written back. */
static int partial(uint64_t offset, size_t count, void *out, const void *in)
{
	uint64_t first = offset / RECORD, last = (offset + count + RECORD - 1) / RECORD;
	size_t n = (size_t)(last - first);
	char *tmp = malloc(n * RECORD);
	if (!tmp)
		return -1;
	int r = read_records(first, tmp, n);
	if (r == 0 && out)
		memcpy(out, tmp + offset % RECORD, count);
	if (r == 0 && in) {
		memcpy(tmp + offset % RECORD, in, count);
		r = write_records(first, tmp, n);
	}
	free(tmp);
	return r;
}

static int disk_read(void *ctx, uint64_t offset, void *buf, size_t count)
{
	(void)ctx;
	if (offset % RECORD == 0 && count % RECORD == 0)
		return read_records(offset / RECORD, buf, count / RECORD);
	return partial(offset, count, buf, NULL);
}

static int disk_write(void *ctx, uint64_t offset, const void *buf, size_t count)
{
	(void)ctx;
	if (offset % RECORD == 0 && count % RECORD == 0)
		return write_records(offset / RECORD, buf, count / RECORD);
	return partial(offset, count, NULL, buf);
}

static int disk_flush(void *ctx)
{
	(void)ctx;
	if (disk.flush_unknown)
		return 0;
	integer_t none = 0;
	kern_return_t r = device_set_status(disk.port, DEV_FLUSH, &none, 0);
	if (r == D_INVALID_OPERATION) {
		/* the kernel's own disks have no such request; they write through */
		say("%s does not take the flush request (%s): taking its writes as durable",
		    disk.name, mach_error_name(r));
		disk.flush_unknown = 1;
		return 0;
	}
	if (r) {
		say("%s: flush: %s", disk.name, mach_error_name(r));
		return -1;
	}
	return 0;
}

uint32_t disk_time(void)
{
	struct time_value t;
	if (host_get_time(disk.host, &t) != KERN_SUCCESS)
		return 0;
	return (uint32_t)t.seconds;
}

static uint32_t disk_now(void *ctx)
{
	(void)ctx;
	return disk_time();
}

kern_return_t disk_open(mach_port_t master, int kernel, const char *name, struct ext2_dev *dev, int *writable)
{
	strlcpy(disk.name, name, sizeof disk.name);
	disk.read_chunk = kernel ? KERNEL_READ_CHUNK : CHUNK;
	disk.host = mach_host_self();
	*writable = 1;
	kern_return_t r = device_open(master, D_READ | D_WRITE, name, &disk.port);
	if (r == D_READ_ONLY) {
		say("%s is read-only (%s): mounting it read-only", name, mach_error_name(r));
		*writable = 0;
		r = device_open(master, D_READ, name, &disk.port);
	}
	if (r)
		return r;
	integer_t st[DEV_GET_RECORDS_COUNT];
	natural_t n = DEV_GET_RECORDS_COUNT;
	r = device_get_status(disk.port, DEV_GET_RECORDS, st, &n);
	if (r)
		return r;
	if (n < 2 || st[1] != RECORD)
		return D_INVALID_SIZE;
	*dev = (struct ext2_dev){ .read = disk_read, .write = disk_write, .flush = disk_flush,
	                          .now = disk_now, .ctx = &disk,
	                          .bytes = (uint64_t)(natural_t)st[0] * RECORD };
	return KERN_SUCCESS;
}
