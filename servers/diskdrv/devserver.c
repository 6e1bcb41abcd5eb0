/* The Mach device protocol (include/mach/device_msgs.h), answered exactly as
 * the kernel's device master and devices answer it: device_open by name
 * (vd0, wd0, ... whole disks; vd0s1, ... their partitions), then read, write
 * (out of line or inband), get_status (DEV_GET_SIZE, DEV_GET_RECORDS),
 * set_status (flush) and close.  Records are 512 bytes whatever the disk's
 * sector size; which driver moves the data is the disk's business (disks.c). */
#include "mach/mach.h"
#include "mach/rpc_util.h"
#include "mach/device_msgs.h"
#include "rt/rt.h"
#include "rt/lock.h"
#include "pci/client.h"
#include "disk.h"

#define MAX_IO    (64u << 20)      /* the most one read or write moves */
#define DIRECT_MIN (64u << 10)     /* reads this large go straight into DMA memory */
#define PAGES(n)   (((n) + PAGE_SIZE - 1) & ~(vm_size_t)(PAGE_SIZE - 1))

/* --- the master port ----------------------------------------------------- */

/* "vdN" is disk N whole, "vdNsK" its partition K: fills O's disk and
 * extent.  Anything else is no device of ours. */
static int device_named(const char *name, struct opened *o)
{
	for (unsigned i = 0; i < ndisks; i++) {
		size_t len = strlen(disks[i].name);
		if (strncmp(name, disks[i].name, len) != 0)
			continue;
		o->disk = &disks[i];
		if (name[len] == 0) {
			o->start = 0;
			o->count = disk_records(&disks[i]);
			return 1;
		}
		uint32_t k;
		if (name[len] != 's' || parse_u32(name + len + 1, &k) < 0 || name[len + 1] == '0')
			return 0;
		for (unsigned p = 0; p < tables[i].n; p++)
			if (tables[i].parts[p].number == k) {
				o->start = tables[i].parts[p].start;
				o->count = tables[i].parts[p].count;
				return 1;
			}
		return 0;
	}
	return 0;
}

static void free_opened(struct port_info *pi)
{
	free(pi->obj);
}

/* The last send right to an opened device is gone: nobody can use it. */
static void forget(struct port_info *pi)
{
	server_remove_port(disk_server, pi, free_opened);
}

static kern_return_t do_open(struct request *rq)
{
	static const struct interface *const ifaces[] = { &device_interface, NULL };
	const device_open_request_t *m = (const device_open_request_t *)rq->in;
	if (!msg_string_ok(m->name, DEV_NAME_MAX))
		return MIG_BAD_ARGUMENTS;
	struct opened found;
	if (!device_named(m->name, &found))
		return D_NO_SUCH_DEVICE;
	if ((m->mode.v & D_WRITE) && found.disk->info.read_only)
		return D_READ_ONLY;
	struct opened *o = malloc(sizeof *o);
	if (!o)
		return D_NO_MEMORY;
	*o = found;
	o->mode = m->mode.v;
	struct port_info *pi = server_add_port(disk_server, ifaces, o);
	if (!pi) {
		free(o);
		return D_NO_MEMORY;
	}
	device_open_reply_t *rep = (device_open_reply_t *)rq->out;
	rep->a = (msg_word_t){ MSGT_PORT(MACH_MSG_TYPE_MAKE_SEND), pi->name };
	rq->reply_size = sizeof *rep;
	rq->reply_complex = 1;
	pi->no_senders = forget;
	server_request_no_senders(pi);
	return KERN_SUCCESS;
}

static const struct msg_field open_args[2] = { MSGF_INT32, MSGF_STRING(DEV_NAME_MAX) };
static const struct routine master_routines[] = {
	{ ID_DEVICE_OPEN, open_args, 2, do_open, 0 },
};
const struct interface device_master_interface = { "device-master", master_routines, 1 };

/* --- opened devices ------------------------------------------------------ */

/* Checks a transfer of BYTES at record RECNUM of O; returns the bytes to
 * move, cut at the end of the device as the kernel's disks cut it, or sets
 * *ERR.  Unlike the kernel (which answers success and no data), a transfer
 * that starts at or past the end is refused.  Writes move whole records. */
static size_t span(const struct opened *o, natural_t recnum, size_t bytes, int write, kern_return_t *err)
{
	*err = D_SUCCESS;
	if (write && bytes % 512) {
		*err = D_INVALID_SIZE;
		return 0;
	}
	if (recnum >= o->count) {
		*err = D_INVALID_RECNUM;
		return 0;
	}
	uint64_t left = (o->count - recnum) * 512;
	return bytes < left ? bytes : (size_t)left;
}

/* The device port dies (its holders get dead names) and its state goes
 * once no other request is using it. */
static kern_return_t do_close(struct request *rq)
{
	server_remove_port(disk_server, rq->port, free_opened);
	rq->reply_size = sizeof(mig_reply_header_t);
	return KERN_SUCCESS;
}

/* DMA memory for reads, taken from the arbiter a few MiB at a time and handed
 * out in page-rounded pieces that move to the clients with their replies. */
#define ARENA_SIZE (4u << 20)
static struct {
	mutex_t lock;
	vm_offset_t va;
	rpc_phys_addr_t pa;
	vm_size_t left;
} arena;

static int arena_take(mach_port_t func, vm_size_t size, vm_offset_t *va, rpc_phys_addr_t *pa)
{
	size = (size + PAGE_SIZE - 1) & ~(vm_size_t)(PAGE_SIZE - 1);
	mutex_lock(&arena.lock);
	if (arena.left < size) {
		vm_size_t want = size > ARENA_SIZE ? size : ARENA_SIZE;
		vm_offset_t v;
		rpc_phys_addr_t p;
		if (pci_dma_alloc(func, want, 0x100000000ull, &v, &p) != KERN_SUCCESS) {
			mutex_unlock(&arena.lock);
			return -1;
		}
		if (arena.left)
			vm_deallocate(mach_task_self(), arena.va, arena.left);
		arena.va = v;
		arena.pa = p;
		arena.left = want;
	}
	*va = arena.va;
	*pa = arena.pa;
	arena.va += size;
	arena.pa += size;
	arena.left -= size;
	mutex_unlock(&arena.lock);
	return 0;
}

/* Reads N bytes at record REC of O into fresh pages *BUF (*SIZE bytes, the
 * data at their start).  Whole sectors come from the disk; large reads go
 * straight into DMA memory, whose pages then move to the client with the
 * reply: no copy, and no page faults on fresh memory. */
static kern_return_t read_pages(const struct opened *o, natural_t rec, size_t n, vm_offset_t *buf,
                                vm_size_t *size)
{
	struct disk *d = o->disk;
	uint32_t ss = d->info.sector_size;
	uint64_t from = (o->start + rec) * 512, first = from / ss * ss;
	size_t whole = (size_t)((from + n + ss - 1) / ss * ss - first);
	rpc_phys_addr_t phys;
	kern_return_t err;
	*buf = 0;
	*size = whole;
	if (whole >= DIRECT_MIN && arena_take(d->func, (vm_size_t)whole, buf, &phys) == 0
	    && phys + whole <= d->info.dma_limit) {
		err = disk_io(d, DISK_READ, first / ss, NULL, phys, whole);
	} else {
		if (*buf)
			vm_deallocate(mach_task_self(), *buf, whole);
		*buf = 0;
		if (vm_allocate(mach_task_self(), buf, whole, 1))
			return D_NO_MEMORY;
		err = disk_io(d, DISK_READ, first / ss, (void *)(uintptr_t)*buf, 0, whole);
	}
	if (err == D_SUCCESS && from != first)
		memmove((char *)(uintptr_t)*buf, (char *)(uintptr_t)*buf + (from - first), n);
	if (err)
		vm_deallocate(mach_task_self(), *buf, whole);
	return err;
}

static kern_return_t do_read(struct request *rq)
{
	const struct opened *o = rq->port->obj;
	kern_return_t err;
	crash_point(0, rq_word(rq, 2));
	if (!(o->mode & D_READ))
		return D_INVALID_OPERATION;
	size_t n = span(o, rq_word(rq, 1), rq_word(rq, 2), 0, &err);
	if (err)
		return err;
	if (n > MAX_IO)
		return D_INVALID_SIZE;
	vm_offset_t buf = 0;
	vm_size_t size = 0;
	if (n && (err = read_pages(o, rq_word(rq, 1), n, &buf, &size)))
		return err;
	if (size > PAGES(n))            /* the pages the reply does not carry */
		vm_deallocate(mach_task_self(), buf + PAGES(n), size - PAGES(n));
	device_read_reply_t *rep = (device_read_reply_t *)rq->out;
	rep->data = w_ool((void *)(uintptr_t)buf, (vm_size_t)n);
	rep->data.type.msgtl_header.msgt_deallocate = 1;     /* the pages move to the client */
	rq->reply_size = sizeof *rep;
	rq->reply_complex = 1;
	return KERN_SUCCESS;
}

static kern_return_t do_read_inband(struct request *rq)
{
	const struct opened *o = rq->port->obj;
	kern_return_t err;
	crash_point(0, rq_word(rq, 2));
	if (!(o->mode & D_READ))
		return D_INVALID_OPERATION;
	natural_t want = rq_word(rq, 2);
	size_t n = span(o, rq_word(rq, 1), want > DEV_INBAND_MAX ? DEV_INBAND_MAX : want, 0, &err);
	if (err)
		return err;
	device_read_inband_reply_t *rep = (device_read_inband_reply_t *)rq->out;
	err = disk_read_bytes(o->disk, (o->start + rq_word(rq, 1)) * 512, rep->data, n);
	if (err)
		return err;
	rep->data_type = MSGT_INLINE(MACH_MSG_TYPE_CHAR, 8, n);
	rq->reply_size = offsetof(device_read_inband_reply_t, data) + MSG_ALIGN(n);
	return KERN_SUCCESS;
}

/* Writes move whole sectors of the disk (whole records on 512-byte disks). */
static kern_return_t write_common(struct request *rq, const void *data, size_t bytes)
{
	const struct opened *o = rq->port->obj;
	if (!(o->mode & D_WRITE))
		return D_INVALID_OPERATION;
	crash_point(1, bytes);
	kern_return_t err;
	size_t n = span(o, rq_word(rq, 1), bytes, 1, &err);
	if (err)
		return err;
	if (n > MAX_IO)
		return D_INVALID_SIZE;
	uint32_t ss = o->disk->info.sector_size;
	uint64_t at = (o->start + rq_word(rq, 1)) * 512;
	if (at % ss || n % ss)
		return D_INVALID_SIZE;
	err = disk_io(o->disk, DISK_WRITE, at / ss, (void *)data, 0, n);
	if (err)
		return err;
	device_write_reply_t *rep = (device_write_reply_t *)rq->out;
	rep->a = w_int((natural_t)n);
	rq->reply_size = sizeof *rep;
	return KERN_SUCCESS;
}

static kern_return_t do_write(struct request *rq)
{
	vm_offset_t addr = *(const vm_offset_t *)rq->args[2].data;   /* where the kernel put the data */
	size_t bytes = rq->args[2].count;
	kern_return_t r = write_common(rq, (const void *)(uintptr_t)addr, bytes);
	if (r == KERN_SUCCESS && bytes)
		vm_deallocate(mach_task_self(), addr, bytes);   /* on failure the demux gives it back */
	return r;
}

static kern_return_t do_write_inband(struct request *rq)
{
	return write_common(rq, rq->args[2].data, rq->args[2].count);
}

static kern_return_t do_get_status(struct request *rq)
{
	const struct opened *o = rq->port->obj;
	natural_t flavor = rq_word(rq, 0), max = rq_word(rq, 1);
	device_get_status_reply_t *rep = (device_get_status_reply_t *)rq->out;
	if ((flavor != DEV_GET_SIZE && flavor != DEV_GET_RECORDS) || max < 2)
		return D_INVALID_OPERATION;
	uint64_t bytes = o->count * 512;
	rep->v[0] = flavor == DEV_GET_SIZE ? (integer_t)(bytes > 0xffffffffu ? 0xffffffffu : bytes)
	                                   : (integer_t)o->count;
	rep->v[1] = 512;
	rep->type = MSGT_INLINE(MACH_MSG_TYPE_INTEGER_32, 32, 2);
	rq->reply_size = offsetof(device_get_status_reply_t, v) + 8;
	return KERN_SUCCESS;
}

static kern_return_t do_set_status(struct request *rq)
{
	const struct opened *o = rq->port->obj;
	if (rq_word(rq, 0) != DEV_FLUSH)
		return D_INVALID_OPERATION;
	kern_return_t r = disk_flush(o->disk);
	if (r == D_SUCCESS)
		rq->reply_size = sizeof(mig_reply_header_t);
	return r;
}

static const struct msg_field no_args[1];
static const struct msg_field rw_args[3] = { MSGF_INT32, MSGF_INT32, MSGF_INT32 };
static const struct msg_field write_args[3] = { MSGF_INT32, MSGF_INT32, MSGF_OOL_DATA };
static const struct msg_field write_inband_args[3] = { MSGF_INT32, MSGF_INT32, MSGF_CHARS(DEV_INBAND_MAX) };
static const struct msg_field status_args[2] = { MSGF_INT32, MSGF_INT32 };
static const struct msg_field set_status_args[2] = {
	MSGF_INT32, { MACH_MSG_TYPE_INTEGER_32, 32, MSGF_VAR, MSG_INT_ARRAY_MAX } };

static const struct routine device_routines[] = {
	{ ID_DEVICE_CLOSE, no_args, 0, do_close, 0 },
	{ ID_DEVICE_READ, rw_args, 3, do_read, 0 },
	{ ID_DEVICE_READ_INBAND, rw_args, 3, do_read_inband, 0 },
	{ ID_DEVICE_WRITE, write_args, 3, do_write, 0 },
	{ ID_DEVICE_WRITE_INBAND, write_inband_args, 3, do_write_inband, 0 },
	{ ID_DEVICE_GET_STATUS, status_args, 2, do_get_status, 0 },
	{ ID_DEVICE_SET_STATUS, set_status_args, 2, do_set_status, 0 },
};
const struct interface device_interface = { "device", device_routines, 7 };
