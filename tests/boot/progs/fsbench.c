/* The file system benchmark (bench/fs.sh), the stage after ext2fs: gets
 * the root from its bootstrap port (ext2fs) and measures, in one boot,
 *   - sequential reads through fs_read of /read-4k, /read-64k and /read-1m
 *     at 4 KiB (inline), 64 KiB and 1 MiB (out of line) a call, each file
 *     twice: cold (its first read since the mount) and warm;
 *   - as many bytes read raw from the partition ext2fs mounted (from 1 MiB
 *     on), through device_read on the very disk server ext2fs uses:
 *     ext2fs's bootstrap port, which the boot script lets us fetch from
 *     ext2fs's task; once copied into the buffer as fs_read does, once
 *     left untouched as diskbench does;
 *   - a new file written at 1 MiB a call, then fs_sync (timed with it);
 *   - small files created in one directory, then looked up;
 *   - for reference, the guest CPU's memcpy and its first touch of fresh
 *     pages, the two costs that separate the rows above;
 *   - null RPCs: a message ext2fs has no routine for (its demux answers
 *     MIG_BAD_ID, no file-system work), beside a raw mach_msg round trip
 *     to an echo loop in a second task.
 * It prints one "result" line per measurement with the POSIX cksum of the
 * bytes read or written, for bench/fs.sh to check against cksum on the
 * host.  Checksums are computed outside the timed loops.  Then it halts
 * through the chain, so that ext2fs writes everything back. */
#include "chain/chain.h"
#include "fs/client.h"
#include "mach/mach.h"
#include "posix/posix.h"
#include "rt/cksum.h"
#include "rt/thread.h"
#include "rt/tls.h"
#include "fsbench_options.h"

#define MIB (1u << 20)

static mach_port_t host, root;
static int failures;

static uint64_t now_us(void)
{
	struct time_value t;
	host_get_time(host, &t);
	return (uint64_t)t.seconds * 1000000u + (uint64_t)t.microseconds;
}

/* The clock advances in steps (GNU Mach: once a tick), so a time is only
 * good to a step: the step, from two consecutive changes. */
static unsigned clock_step_us(void)
{
	uint64_t t0 = now_us(), t1, t2;
	while ((t1 = now_us()) == t0)
		;
	while ((t2 = now_us()) == t1)
		;
	return (unsigned)(t2 - t1);
}

static uint32_t crc_of(const void *buf, size_t n)
{
	struct cksum c;
	cksum_init(&c);
	cksum_add(&c, buf, n);
	return cksum_final(&c);
}

/* One result line: OP WHERE CHUNK-KIB PASS COUNT UNIT seconds rate [cksum].
 * Byte rates are in MB/s (10^6 bytes), as diskbench prints them; the rate
 * is "-" when the clock did not move. */
static void result(const char *op, const char *where, unsigned chunk_kib, const char *pass,
                   uint64_t count, int bytes, uint64_t us, const char *crc)
{
	char rate[24] = "-";
	if (us) {
		uint64_t milli = count * (bytes ? 1000u : 1000000000u) / us;   /* thousandths of the rate */
		snprintf(rate, sizeof rate, "%u.%03u", (unsigned)(milli / 1000), (unsigned)(milli % 1000));
	}
	say("result %s %s %u %s %llu %s %u.%03u s %s %s%s%s", op, where, chunk_kib, pass,
	    (unsigned long long)count, bytes ? "bytes" : "ops", (unsigned)(us / 1000000),
	    (unsigned)(us % 1000000 / 1000), rate, bytes ? "MB/s" : "ops/s", crc ? " cksum " : "",
	    crc ? crc : "");
}

static void result_read(const char *where, unsigned chunk_kib, const char *pass, const char *buf,
                        uint64_t bytes, uint64_t us)
{
	char crc[16];
	snprintf(crc, sizeof crc, "%u", (unsigned)crc_of(buf, (size_t)bytes));
	result("read", where, chunk_kib, pass, bytes, 1, us, crc);
}

static void fs_failed(const char *what, const char *path, long e)
{
	say("%s %s: %s", what, path, strerror((int)-e));
	failures++;
}

static uint64_t file_size(mach_port_t f)
{
	struct fs_stat st;
	if (fs_stat(f, &st))
		return 0;
	return (uint64_t)st.size_hi << 32 | st.size_lo;
}

/* Reads PATH from start to end at CHUNK bytes a call into BUF (CAP bytes),
 * twice; returns its size (0 after a failure). */
static uint64_t read_file(const char *path, vm_size_t chunk, char *buf, uint64_t cap)
{
	mach_port_t f;
	int r = fs_lookup(root, path, FS_O_READ, 0, &f);
	if (r) {
		fs_failed("opening", path, r);
		return 0;
	}
	uint64_t size = file_size(f);
	if (size == 0 || size > cap) {
		say("%s: %llu bytes: not a file to read into my %llu-byte buffer", path,
		    (unsigned long long)size, (unsigned long long)cap);
		failures++;
		size = 0;
	}
	for (int pass = 0; pass < 2 && size; pass++) {
		uint64_t t0 = now_us(), off = 0;
		while (off < size) {
			size_t want = size - off < chunk ? (size_t)(size - off) : chunk;
			long n = fs_read(f, off, buf + off, want);
			if (n <= 0) {
				if (n == 0)
					say("reading %s: it ends at %llu bytes, not at %llu as fs_stat said", path,
					    (unsigned long long)off, (unsigned long long)size);
				else
					fs_failed("reading", path, n);
				failures += n == 0;
				size = 0;
				break;
			}
			off += (uint64_t)n;
		}
		if (size)
			result_read("fs", (unsigned)(chunk / 1024), pass ? "warm" : "cold", buf, size, now_us() - t0);
	}
	mach_port_deallocate(mach_task_self(), f);
	return size;
}

/* Reads BYTES of DEV from RAW_START on at CHUNK bytes a call, twice: into
 * BUF, as fs_read delivers data, then without touching the data, as
 * diskbench does.  RAW_START skips the primary superblock, which the mount
 * has changed, so that the bytes are those of the image on the host. */
#define RAW_START MIB
static void read_raw(mach_port_t dev, const char *name, uint64_t bytes, vm_size_t chunk, char *buf)
{
	for (int copy = 1; copy >= 0; copy--) {
		uint64_t t0 = now_us();
		for (uint64_t off = 0; off < bytes; off += chunk) {
			vm_size_t want = bytes - off < chunk ? (vm_size_t)(bytes - off) : chunk, got;
			vm_offset_t data;
			kern_return_t r = device_read(dev, 0, (natural_t)((RAW_START + off) / 512), want, &data, &got);
			if (r == KERN_SUCCESS && got != want) {
				vm_deallocate(mach_task_self(), data, got);
				r = D_IO_ERROR;
			}
			if (r) {
				say("%s: reading %u bytes at %llu: %s", name, (unsigned)want,
				    (unsigned long long)(RAW_START + off), mach_error_name(r));
				failures++;
				return;
			}
			if (copy)
				memcpy(buf + off, (const void *)(uintptr_t)data, got);
			vm_deallocate(mach_task_self(), data, got);
		}
		uint64_t us = now_us() - t0;
		if (copy)
			result_read("raw", (unsigned)(chunk / 1024), "copy", buf, bytes, us);
		else
			result("read", "raw", (unsigned)(chunk / 1024), "nocopy", bytes, 1, us, NULL);
	}
}

/* What the guest's CPU alone costs, to count the copies and page faults of
 * the rows above by: a memcpy of BYTES into BUF (already touched) at 1 MiB
 * a call, and a first touch of each page of BYTES of fresh memory (a fault
 * that the kernel answers with a zeroed page). */
static void cpu_reference(char *buf, uint64_t bytes)
{
	char *src = malloc(MIB);
	vm_offset_t fresh = 0;
	if (!src || vm_allocate(mach_task_self(), &fresh, (vm_size_t)bytes, 1)) {
		say("no memory for the CPU reference rows");
		failures++;
		free(src);
		return;
	}
	memset(src, 1, MIB);
	uint64_t t0 = now_us();
	for (uint64_t off = 0; off < bytes; off += MIB)
		memcpy(buf + off, src, bytes - off < MIB ? (size_t)(bytes - off) : MIB);
	result("memcpy", "cpu", 1024, "-", bytes, 1, now_us() - t0, NULL);
	t0 = now_us();
	for (uint64_t off = 0; off < bytes; off += PAGE_SIZE)
		((volatile char *)(uintptr_t)fresh)[off] = 1;
	result("touch", "cpu", PAGE_SIZE / 1024, "fresh", bytes, 1, now_us() - t0, NULL);
	vm_deallocate(mach_task_self(), fresh, (vm_size_t)bytes);
	free(src);
}

/* Random-looking data (xorshift), so that no layer can take a shortcut. */
static void fill(uint32_t *p, size_t words)
{
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < words; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = x;
	}
}

/* Writes MIBS MiB to F at 1 MiB a call, then syncs; each MiB is the same
 * random block BUF with its number in its first word.  Sets the times at
 * which the writes and the sync ended. */
static int write_and_sync(mach_port_t f, uint32_t *buf, unsigned mibs, uint64_t *t_write, uint64_t *t_sync)
{
	for (unsigned i = 0; i < mibs; i++) {
		buf[0] = i;
		long n = fs_write(f, (uint64_t)i * MIB, buf, MIB, NULL);
		if (n != (long)MIB)
			return n < 0 ? (int)n : -FS_EIO;
	}
	*t_write = now_us();
	int r = fs_sync(f);
	*t_sync = now_us();
	return r;
}

/* Writes a new file PATH of MIBS MiB and reports its speed without and
 * with the sync, and the cksum of what it wrote. */
static void write_file(const char *path, unsigned mibs)
{
	uint32_t *buf = malloc(MIB);
	mach_port_t f = MACH_PORT_NULL;
	int r = buf ? fs_lookup(root, path, FS_O_WRITE | FS_O_CREAT | FS_O_EXCL, 0644, &f) : -FS_ENOMEM;
	uint64_t t0 = 0, t_write = 0, t_sync = 0;
	if (!r) {
		fill(buf, MIB / 4);
		t0 = now_us();
		r = write_and_sync(f, buf, mibs, &t_write, &t_sync);
	}
	if (r) {
		fs_failed("creating, writing and syncing", path, r);
	} else {
		struct cksum c;
		cksum_init(&c);
		for (unsigned i = 0; i < mibs; i++) {
			buf[0] = i;
			cksum_add(&c, buf, MIB);
		}
		char crc[16];
		snprintf(crc, sizeof crc, "%u", (unsigned)cksum_final(&c));
		result("write", "fs", 1024, "nosync", (uint64_t)mibs * MIB, 1, t_write - t0, NULL);
		result("write", "fs", 1024, "+sync", (uint64_t)mibs * MIB, 1, t_sync - t0, crc);
	}
	if (MACH_PORT_VALID(f))
		mach_port_deallocate(mach_task_self(), f);
	free(buf);
}

/* Creates COUNT files in DIR (open with O_CREAT|O_EXCL, write a line,
 * close); returns 0 or the first failure. */
static int create_files(mach_port_t dir, unsigned count)
{
	char name[16], line[16];
	for (unsigned i = 0; i < count; i++) {
		mach_port_t f;
		snprintf(name, sizeof name, "f%04u", i);
		int len = snprintf(line, sizeof line, "file %04u\n", i);
		int r = fs_lookup(dir, name, FS_O_WRITE | FS_O_CREAT | FS_O_EXCL, 0644, &f);
		if (r)
			return r;
		long n = fs_write(f, 0, line, (size_t)len, NULL);
		mach_port_deallocate(mach_task_self(), f);
		if (n != len)
			return n < 0 ? (int)n : -FS_EIO;
	}
	return 0;
}

/* Looks up (opens and closes) the COUNT files of DIR. */
static int look_up_files(mach_port_t dir, unsigned count)
{
	char name[16];
	for (unsigned i = 0; i < count; i++) {
		mach_port_t f;
		snprintf(name, sizeof name, "f%04u", i);
		int r = fs_lookup(dir, name, FS_O_READ, 0, &f);
		if (r)
			return r;
		mach_port_deallocate(mach_task_self(), f);
	}
	return 0;
}

/* Small files in a new directory DIRNAME: COUNT created, then looked up. */
static void small_files(const char *dirname, unsigned count)
{
	mach_port_t dir;
	int r = fs_mkdir(root, dirname, 0755);
	if (!r)
		r = fs_lookup(root, dirname, FS_O_READ | FS_O_DIRECTORY, 0, &dir);
	if (r) {
		fs_failed("making the directory", dirname, r);
		return;
	}
	uint64_t t0 = now_us();
	if ((r = create_files(dir, count))) {
		fs_failed("creating files in", dirname, r);
	} else {
		result("create", "fs", 0, "-", count, 0, now_us() - t0, NULL);
		t0 = now_us();
		if ((r = look_up_files(dir, count)))
			fs_failed("looking up files in", dirname, r);
		else
			result("lookup", "fs", 0, "-", count, 0, now_us() - t0, NULL);
	}
	mach_port_deallocate(mach_task_self(), dir);
}

/* The disk server: ext2fs's bootstrap port, fetched from its task. */
/* --- null RPCs ------------------------------------------------------------- */

#define ID_NULL   48099         /* no fs routine has it: the reply is MIG_BAD_ID */

struct null_msg {
	mach_msg_header_t head;
	mach_msg_type_t ret_type;
	kern_return_t ret;
};

/* The echo task's receive right, named before task_create so that its copy
 * of our memory knows the name. */
static mach_port_t echo_port;

/* The echo task's only thread: answers every message with its header.  It
 * runs on a copy of our memory, so it calls nothing but the trap. */
static void echo_loop(void)
{
	struct null_msg m = { .head.msgh_size = 0 };
	mach_msg_option_t opt = MACH_RCV_MSG;
	for (;;) {
		if (mach_msg(&m.head, opt, m.head.msgh_size, sizeof m, echo_port, 0, 0)) {
			opt = MACH_RCV_MSG;
			continue;
		}
		m.head.msgh_bits = MACH_MSGH_BITS(m.head.msgh_bits & 0xff, 0);
		m.head.msgh_local_port = MACH_PORT_NULL;
		m.head.msgh_size = sizeof m.head;
		m.head.msgh_id += 100;
		opt = MACH_SEND_MSG | MACH_RCV_MSG;
	}
}

/* A second task (a copy of this one) whose thread runs echo_loop; returns
 * the task and leaves a send right to its port in echo_port. */
static kern_return_t start_echo_task(mach_port_t *task)
{
	mach_port_t self = mach_task_self(), thread;
	kern_return_t r = mach_port_allocate(self, MACH_PORT_RIGHT_RECEIVE, &echo_port);
	if (!r)
		r = mach_port_insert_right(self, echo_port, echo_port, MACH_MSG_TYPE_MAKE_SEND);
	uintptr_t stack = rt_stack_alloc();
	if (r || !stack || (r = task_create(self, 1, task)))
		return r ? r : KERN_RESOURCE_SHORTAGE;
	struct i386_thread_state st;
	natural_t count = i386_THREAD_STATE_COUNT;
	if ((r = mach_port_insert_right(*task, echo_port, echo_port, MACH_MSG_TYPE_MOVE_RECEIVE)) ||
	    (r = thread_create(*task, &thread)) ||
	    (r = thread_get_state(thread, i386_THREAD_STATE, (natural_t *)&st, &count)))
		return r;
	st.eip = (natural_t)(uintptr_t)echo_loop;
	st.uesp = (natural_t)(stack + THREAD_STACK_SIZE - 16);
	st.ebp = 0;
	if (!(r = thread_set_state(thread, i386_THREAD_STATE, (natural_t *)&st, i386_THREAD_STATE_COUNT)))
		r = thread_resume(thread);
	mach_port_deallocate(self, thread);
	return r;
}

/* N round trips of a header-only message to DEST; the reply's return code
 * must be WANT.  Sets *US to the microseconds (0 when the clock did not
 * move) and returns 1, or returns 0 after a failure. */
static int round_trips(mach_port_t dest, unsigned n, kern_return_t want, const char *what, uint64_t *us)
{
	mach_port_t reply;
	kern_return_t r = mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &reply);
	if (r) {
		say("a reply port for the null RPCs to %s: %s", what, mach_error_name(r));
		failures++;
		return 0;
	}
	uint64_t t0 = now_us();
	unsigned i = 0;
	for (; i < n; i++) {
		struct null_msg m = { .head = {
			.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE),
			.msgh_size = sizeof m.head, .msgh_remote_port = dest, .msgh_local_port = reply,
			.msgh_id = ID_NULL } };
		r = mach_msg(&m.head, MACH_SEND_MSG | MACH_RCV_MSG, sizeof m.head, sizeof m, reply, 0, 0);
		kern_return_t code = r ? r : m.head.msgh_size >= sizeof m ? m.ret : KERN_SUCCESS;
		if (code != want) {
			say("null RPC %u to %s: %s, not %s", i, what, mach_error_name(code), mach_error_name(want));
			failures++;
			break;
		}
	}
	*us = now_us() - t0;
	mach_port_mod_refs(mach_task_self(), reply, MACH_PORT_RIGHT_RECEIVE, -1);
	return i == n;
}

/* The issue-14 goal: a null RPC to ext2fs within 1.5x of a raw round trip.
 * COUNT of each. */
static void null_rpcs(unsigned count)
{
	mach_port_t task;
	kern_return_t r = start_echo_task(&task);
	if (r) {
		say("starting the echo task: %s", mach_error_name(r));
		failures++;
		return;
	}
	uint64_t raw, fs;
	int raw_ok = round_trips(echo_port, count, KERN_SUCCESS, "the echo task", &raw);
	int fs_ok = round_trips(root, count, MIG_BAD_ID, "ext2fs", &fs);
	task_terminate(task);
	mach_port_deallocate(mach_task_self(), task);
	mach_port_deallocate(mach_task_self(), echo_port);
	if (raw_ok)
		result("rpc", "raw", 0, "-", count, 0, raw, NULL);
	if (fs_ok)
		result("rpc", "fs", 0, "-", count, 0, fs, NULL);
}

static mach_port_t open_raw(mach_port_t fs_task, const char *name)
{
	mach_port_t disk, dev;
	kern_return_t r = task_get_special_port(fs_task, TASK_BOOTSTRAP_PORT, &disk);
	if (r == KERN_SUCCESS && disk == MACH_PORT_NULL)
		r = KERN_INVALID_ARGUMENT;
	if (r) {
		say("getting ext2fs's bootstrap port (the disk server) from its task: %s", mach_error_name(r));
		failures++;
		return MACH_PORT_NULL;
	}
	r = device_open(disk, D_READ, name, &dev);
	mach_port_deallocate(mach_task_self(), disk);
	if (r) {
		say("opening %s through the disk server: %s", name, mach_error_name(r));
		failures++;
		return MACH_PORT_NULL;
	}
	return dev;
}

int main(int argc, char **argv)
{
	static struct chain c;
	static const struct { const char *path; vm_size_t chunk; } reads[] = {
		{ "/read-4k", 4096 }, { "/read-64k", 64 << 10 }, { "/read-1m", MIB },
	};
	chain_start(&c, argc, argv, fsbench_options, OPTIONS_COUNT(fsbench_options));
	if (c.parent == MACH_PORT_NULL)
		chain_fail(&c, "finding the file system: no bootstrap port", KERN_INVALID_ARGUMENT);
	int r = fs_get_root(c.parent, &root);
	if (r) {
		say("fs_get_root on my bootstrap port: %s", strerror(-r));
		chain_fail(&c, "getting the root directory", KERN_FAILURE);
	}
	chain_ready(&c);
	host = mach_host_self();
	const char *raw_name = c.opts.str[SLOT_RAW_DEVICE] ? c.opts.str[SLOT_RAW_DEVICE] : "vd0s1";
	unsigned write_mib = c.opts.given[SLOT_WRITE_MIB] ? c.opts.num[SLOT_WRITE_MIB] : 32;
	unsigned files = c.opts.given[SLOT_FILES] ? c.opts.num[SLOT_FILES] : 500;
	unsigned rpcs = c.opts.given[SLOT_NULL_RPCS] ? c.opts.num[SLOT_NULL_RPCS] : 20000;
	mach_port_t raw = MACH_PORT_NULL;
	if (c.opts.given[SLOT_FS_TASK])
		raw = open_raw(c.opts.num[SLOT_FS_TASK], raw_name);
	else
		say("no --fs-task: no raw reads to compare with");
	say("clock step %u us", clock_step_us());

	/* one buffer for every read: the largest file, touched before timing */
	uint64_t cap = 0;
	for (unsigned i = 0; i < OPTIONS_COUNT(reads); i++) {
		mach_port_t f;
		if (fs_lookup(root, reads[i].path, FS_O_READ, 0, &f) == 0) {
			uint64_t s = file_size(f);
			cap = s > cap ? s : cap;
			mach_port_deallocate(mach_task_self(), f);
		}
	}
	vm_offset_t buf = 0;
	if (cap == 0 || cap > (1u << 30) || vm_allocate(mach_task_self(), &buf, (vm_size_t)cap, 1)) {
		say("no buffer for files of %llu bytes (are /read-4k, /read-64k, /read-1m there?)",
		    (unsigned long long)cap);
		failures++;
		cap = 0;
	} else {
		memset((void *)(uintptr_t)buf, 0, (size_t)cap);
	}
	for (unsigned i = 0; i < OPTIONS_COUNT(reads) && cap; i++) {
		uint64_t size = read_file(reads[i].path, reads[i].chunk, (char *)(uintptr_t)buf, cap);
		if (size && raw)
			read_raw(raw, raw_name, size, reads[i].chunk, (char *)(uintptr_t)buf);
	}
	if (cap)
		cpu_reference((char *)(uintptr_t)buf, cap);
	null_rpcs(rpcs);
	write_file("/write-test", write_mib);
	small_files("small", files);
	say("done, %d failures", failures);
	kern_return_t k = chain_halt(c.parent);
	say("halt: %s", mach_error_name(k));
	return 1;
}
