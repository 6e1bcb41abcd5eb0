/* The disk behind the ext2 core: byte ranges become device_read and
 * device_write calls of whole 512-byte records (out of line, in pieces of
 * at most CHUNK), a flush is device_set_status with the disk server's flush
 * flavor, and the clock is the host's.  The same calls go to the disk
 * server and to the kernel's own disks (docs/device-protocol.md).
 *
 * Writes do not wait for their reply: up to INFLIGHT device_write requests
 * are out at once, each from a buffer of ours (a copy of the data, so that
 * a request can be sent again to a restarted disk server), their replies
 * collected oldest first.  What must be on the disk before something else
 * is written waits for them all: the core calls disk_drain between the
 * steps of its write order (lib/ext2/cache.c, journal.c), a flush drains
 * first, and a read or a write waits for the writes out to the records
 * it reads or writes.  A write that failed fails the next write, drain or
 * flush.
 *
 * When the disk server dies (its port turns into a dead name: we hear it at
 * once from a dead-name request, or from a call that fails), the stage that
 * started it starts a new one, which hands us its new port as our
 * bootstrap port.  We ask for it there, reopen the device, and re-issue the
 * call that had not completed; the file system above sees a delay.  After
 * RESTART_DEATHS deaths within RESTART_WINDOW_S, or when no new server
 * comes within RESTART_WAIT_MS, we give up: I/O answers EIO from then on. */
#include "ext2fs.h"
#include "chain/chain.h"
#include "mach/device_msgs.h"
#include "mach/mach.h"
#include "mach/rpc_util.h"
#include "rt/lock.h"
#include "rt/rt.h"
#include "rt/thread.h"

#define RESTART_DEATHS 5
#define RESTART_WINDOW_S 30
#define RESTART_WAIT_MS 15000

#define RECORD 512u
#define CHUNK  (1u << 20)
/* The kernel's own disk driver reads 64 KiB requests faster than larger
 * ones; the disk server the other way round (bench/e2e.sh, side by side:
 * a 64 MiB cksum through 1 MiB reads 1.9 s on virtio, 2.4 s on IDE;
 * through 64 KiB reads 4.6 s on virtio, 1.8 s on IDE). */
#define KERNEL_READ_CHUNK (64u << 10)

#define INFLIGHT 4

/* One device_write out at the disk server. */
struct pending {
	mach_port_t reply;            /* its reply port (one each: replies come in any order) */
	vm_offset_t buf;              /* CHUNK bytes of ours, allocated at first use */
	uint64_t first;               /* records FIRST..+COUNT */
	size_t count;
	unsigned generation;          /* of the port it was sent to */
};

static struct disk {
	mach_port_t port;
	char name[64];
	int flush_unknown;            /* the device refused DEV_FLUSH once: do not ask again */
	size_t read_chunk;            /* the largest device_read */
	mach_port_t host;
	/* reconnecting to a restarted disk server */
	int via_bootstrap;            /* the device came through our bootstrap port */
	unsigned mode;                /* D_READ | D_WRITE as opened */
	uint64_t records;
	struct server *server;        /* where the dead-name request is served */
	mutex_t lock;                 /* one reconnection at a time */
	volatile unsigned generation; /* bumped at each new port */
	int gave_up;
	uint32_t deaths[RESTART_DEATHS];
	unsigned ndeaths;
	/* writes in flight: out[(head + i) % INFLIGHT], i < nout, oldest first */
	struct pending out[INFLIGHT];
	unsigned head, nout;
	int write_failed;             /* a write's reply said it failed: said once */
} disk;

static int reconnect(unsigned generation);
static int drain_overlapping(uint64_t first, size_t count);

/* Whether call R on the port of GENERATION failed because the disk server
 * died, and a new one now has the device open: then re-issue it. */
static int reissue(kern_return_t r, unsigned generation)
{
	natural_t type = 0;
	if (!disk.via_bootstrap || disk.gave_up)
		return 0;
	if (r != MACH_SEND_INVALID_DEST
	    && (mach_port_type(mach_task_self(), disk.port, &type) || !(type & MACH_PORT_TYPE_DEAD_NAME))
	    && generation == disk.generation)
		return 0;                 /* an I/O error of a living server */
	return reconnect(generation);
}

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
	if (drain_overlapping(first, count))
		return -1;
	for (size_t done = 0; done < count;) {
		size_t n = count - done < disk.read_chunk / RECORD ? count - done : disk.read_chunk / RECORD;
		vm_offset_t data;
		vm_size_t got;
		unsigned gen = disk.generation;
		kern_return_t r = device_read(disk.port, 0, (natural_t)(first + done), n * RECORD, &data, &got);
		if (r && reissue(r, gen))
			continue;
		if (r == KERN_SUCCESS && got != n * RECORD) {
			vm_deallocate(mach_task_self(), data, got);
			r = D_IO_ERROR;
		}
		if (r && disk.gave_up)
			return -1;                /* said once, when we gave up */
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

/* Sends P's write to the disk server without waiting for the reply. */
static kern_return_t send_write(struct pending *p)
{
	device_write_request_t m;
	rpc_head(&m.head, disk.port, ID_DEVICE_WRITE, 1);
	m.head.msgh_bits |= MACH_MSGH_BITS(0, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m.head.msgh_local_port = p->reply;
	m.head.msgh_size = sizeof m;
	m.mode = w_int(0);
	m.recnum = w_int((natural_t)p->first);
	m.data = w_ool((const void *)p->buf, p->count * RECORD);
	p->generation = disk.generation;
	return mach_msg(&m.head, MACH_SEND_MSG, sizeof m, 0, MACH_PORT_NULL, 0, 0);
}

/* The disk server died with writes out: each gets a fresh reply port (the
 * old one will hear the dead server's send-once notification) and goes to
 * the new server, oldest first.  0, or -1 when there is none. */
static int resend_all(kern_return_t why, unsigned generation)
{
	while (reissue(why, generation)) {
		why = KERN_SUCCESS;
		for (unsigned i = 0; i < disk.nout && !why; i++) {
			struct pending *p = &disk.out[(disk.head + i) % INFLIGHT];
			mach_port_mod_refs(mach_task_self(), p->reply, MACH_PORT_RIGHT_RECEIVE, -1);
			p->reply = mach_reply_port();
			generation = disk.generation;
			why = send_write(p);
		}
		if (!why)
			return 0;
	}
	return -1;
}

/* Waits for the oldest write's reply. */
static int wait_oldest(void)
{
	struct pending *p = &disk.out[disk.head];
	for (;;) {
		union { mach_msg_header_t head; device_write_reply_t ok; } m;
		kern_return_t r = mach_msg(&m.head, MACH_RCV_MSG, 0, sizeof m, p->reply, 0, 0);
		if (r == KERN_SUCCESS && m.head.msgh_id == MACH_NOTIFY_SEND_ONCE) {
			/* the server died holding the request */
			if (resend_all(MACH_SEND_INVALID_DEST, p->generation))
				break;
			continue;
		}
		if (r == KERN_SUCCESS) {
			mig_reply_header_t *rh = &m.ok.h;
			if (m.head.msgh_id != ID_DEVICE_WRITE + 100 || m.head.msgh_size < sizeof *rh)
				r = MIG_REPLY_MISMATCH;
			else if (rh->ret == KERN_SUCCESS
			         && (m.head.msgh_size != sizeof m.ok || m.ok.a.v != p->count * RECORD))
				r = D_IO_ERROR;
			else
				r = rh->ret;
			if (m.head.msgh_bits & MACH_MSGH_BITS_COMPLEX)
				mach_msg_destroy(&m.head);
		}
		if (r && !disk.gave_up && !disk.write_failed)
			say("%s: writing %u records at %llu: %s", disk.name, (unsigned)p->count,
			    (unsigned long long)p->first, mach_error_name(r));
		if (r)
			disk.write_failed = 1;
		break;
	}
	disk.head = (disk.head + 1) % INFLIGHT;
	disk.nout--;
	return disk.write_failed || disk.gave_up ? -1 : 0;
}

/* Waits until every write sent has its reply. */
static int drain(void)
{
	int r = 0;
	while (disk.nout)
		r |= wait_oldest();
	return r || disk.write_failed ? -1 : 0;
}

/* Waits for the writes to records FIRST..+COUNT (a read must see them). */
static int drain_overlapping(uint64_t first, size_t count)
{
	for (unsigned i = 0; i < disk.nout; i++) {
		const struct pending *p = &disk.out[(disk.head + i) % INFLIGHT];
		if (p->first < first + count && first < p->first + p->count)
			return drain();
	}
	return 0;
}

static int write_records(uint64_t first, const void *buf, size_t count)
{
	for (size_t done = 0; done < count;) {
		size_t n = count - done < CHUNK / RECORD ? count - done : CHUNK / RECORD;
		/* two writes of one record out at once could land in either order */
		if (disk.write_failed || disk.gave_up || drain_overlapping(first + done, n)
		    || (disk.nout == INFLIGHT && wait_oldest()))
			return -1;
		struct pending *p = &disk.out[(disk.head + disk.nout) % INFLIGHT];
		if (!p->buf && vm_allocate(mach_task_self(), &p->buf, CHUNK, 1)) {
			p->buf = 0;
			say("%s: no memory to write %u records at %llu", disk.name, (unsigned)n,
			    (unsigned long long)(first + done));
			return -1;
		}
		if (!p->reply)
			p->reply = mach_reply_port();
		memcpy((void *)p->buf, (const char *)buf + done * RECORD, n * RECORD);
		p->first = first + done;
		p->count = n;
		disk.nout++;
		kern_return_t r = send_write(p);
		if (r && resend_all(r, p->generation))
			return -1;
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

static int disk_drain(void *ctx)
{
	(void)ctx;
	return drain();
}

static int disk_flush(void *ctx)
{
	(void)ctx;
	if (drain())
		return -1;
	if (disk.flush_unknown)
		return 0;
	integer_t none = 0;
	unsigned gen;
	kern_return_t r;
	do {
		gen = disk.generation;
		r = device_set_status(disk.port, DEV_FLUSH, &none, 0);
	} while (r && reissue(r, gen));
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

/* Its size in records, which must be RECORD bytes. */
static kern_return_t get_records(mach_port_t port, uint64_t *records)
{
	integer_t st[DEV_GET_RECORDS_COUNT];
	natural_t n = DEV_GET_RECORDS_COUNT;
	kern_return_t r = device_get_status(port, DEV_GET_RECORDS, st, &n);
	if (r)
		return r;
	if (n < 2 || st[1] != RECORD)
		return D_INVALID_SIZE;
	*records = (natural_t)st[0];
	return KERN_SUCCESS;
}

kern_return_t disk_open(mach_port_t master, const char *name, struct ext2_dev *dev, int *writable,
                        int via_bootstrap)
{
	strlcpy(disk.name, name, sizeof disk.name);
	disk.host = mach_host_self();
	disk.via_bootstrap = via_bootstrap;
	disk.read_chunk = via_bootstrap ? CHUNK : KERNEL_READ_CHUNK;
	*writable = 1;
	disk.mode = D_READ | D_WRITE;
	kern_return_t r = device_open(master, disk.mode, name, &disk.port);
	if (r == D_READ_ONLY) {
		say("%s is read-only (%s): mounting it read-only", name, mach_error_name(r));
		*writable = 0;
		disk.mode = D_READ;
		r = device_open(master, disk.mode, name, &disk.port);
	}
	if (r)
		return r;
	r = get_records(disk.port, &disk.records);
	if (r)
		return r;
	*dev = (struct ext2_dev){ .read = disk_read, .write = disk_write, .drain = disk_drain, .flush = disk_flush,
	                          .now = disk_now, .ctx = &disk, .bytes = disk.records * RECORD };
	return KERN_SUCCESS;
}

/* The dead-name request on the device port: the disk server died.  We
 * start waiting for the new one at once, not at the next request. */
static void watch_port(void);

static void reconnect_now(void *arg)
{
	reconnect((unsigned)(uintptr_t)arg);
}

static void port_died(mach_port_t name, void *arg)
{
	(void)name;
	if (thread_spawn(reconnect_now, arg))
		say("%s: cannot start a thread to reconnect: the next request will", disk.name);
}

static void watch_port(void)
{
	if (disk.server && server_watch_dead_name(disk.server, disk.port, port_died,
	                                          (void *)(uintptr_t)disk.generation))
		say("%s: cannot watch the disk server's port: its death is seen at the next request", disk.name);
}

void disk_watch(struct server *s)
{
	disk.server = s;
	if (disk.via_bootstrap)
		watch_port();
}

/* Whether the disk server died RESTART_DEATHS times within the window. */
static int too_many_deaths(uint32_t now)
{
	if (disk.ndeaths == RESTART_DEATHS) {
		memmove(disk.deaths, disk.deaths + 1, (RESTART_DEATHS - 1) * sizeof disk.deaths[0]);
		disk.ndeaths--;
	}
	disk.deaths[disk.ndeaths++] = now;
	return disk.ndeaths == RESTART_DEATHS && now - disk.deaths[0] < RESTART_WINDOW_S;
}

/* The port of GENERATION died: waits for the restarted disk server's port
 * in our bootstrap slot and reopens the device through it.  Returns 1 when
 * a new port is in place. */
static int reconnect(unsigned generation)
{
	mutex_lock(&disk.lock);
	if (disk.generation != generation || disk.gave_up) {
		int ok = !disk.gave_up;
		mutex_unlock(&disk.lock);
		return ok;
	}
	uint32_t start = disk_time();
	if (too_many_deaths(start)) {
		disk.gave_up = 1;
		say("%s: the disk server died %u times within %u s: giving up on it; I/O on %s answers EIO, "
		    "what is cached is still served", disk.name, RESTART_DEATHS, RESTART_WINDOW_S, disk.name);
		mutex_unlock(&disk.lock);
		return 0;
	}
	say("%s: the disk server died; waiting for its new start through my bootstrap port", disk.name);
	unsigned waited = 0;
	for (;; waited += 10) {
		mach_port_t master, port;
		uint64_t records;
		if (task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &master) == KERN_SUCCESS
		    && MACH_PORT_VALID(master)) {
			if (device_open(master, disk.mode, disk.name, &port) == KERN_SUCCESS) {
				if (get_records(port, &records) == KERN_SUCCESS && records == disk.records) {
					/* the dead name stays: another thread may be using it */
					disk.port = port;
					disk.generation++;
					chain_set_parent(master);
					watch_port();
					say("%s: reopened through the new disk server after %u ms; re-issuing what had "
					    "not completed", disk.name, waited);
					mutex_unlock(&disk.lock);
					return 1;
				}
				say("%s: the new disk server's %s is not the disk we had: giving up on it", disk.name,
				    disk.name);
				break;
			}
			mach_port_deallocate(mach_task_self(), master);
		}
		if (waited >= RESTART_WAIT_MS) {
			say("%s: no new disk server came within %u s: giving up on it; I/O on %s answers EIO, "
			    "what is cached is still served", disk.name, RESTART_WAIT_MS / 1000, disk.name);
			break;
		}
		sleep_ms(10);
	}
	disk.gave_up = 1;
	mutex_unlock(&disk.lock);
	return 0;
}

int disk_lost(void)
{
	return disk.gave_up;
}
