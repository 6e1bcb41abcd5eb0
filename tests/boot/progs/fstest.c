/* A client of the file system protocol, started by ext2fs as the next
 * stage: gets the root through its bootstrap port, lists /, prints the
 * POSIX cksum of files (the scenario compares them with cksum on the host)
 * after reading them inline, out of line and across FS_IO_MAX, then
 * creates, writes, renames, links, removes and changes files and checks
 * every result and errno value, checks that nodes opened for lookups whose
 * replies never arrive are released, sends malformed requests, reads from
 * several threads at once, and halts through the chain so that ext2fs
 * unmounts cleanly (the scenario then runs e2fsck and debugfs on the
 * image).  One line per check, "ok" or "WRONG". */
#include "chain/chain.h"
#include "fs/client.h"
#include "mach/mach.h"
#include "mach/rpc_util.h"
#include "rt/rt.h"
#include "rt/cksum.h"
#include "rt/lock.h"
#include "rt/thread.h"
#include "fstest_options.h"

static int wrong;
static mach_port_t root;

static const char *ename(long e)
{
	static const struct { int e; const char *name; } names[] = {
		{ FS_EPERM, "EPERM" }, { FS_ENOENT, "ENOENT" }, { FS_EIO, "EIO" }, { FS_EBADF, "EBADF" },
		{ FS_ENOMEM, "ENOMEM" }, { FS_EEXIST, "EEXIST" }, { FS_EXDEV, "EXDEV" },
		{ FS_ENOTDIR, "ENOTDIR" }, { FS_EISDIR, "EISDIR" }, { FS_EINVAL, "EINVAL" },
		{ FS_EFBIG, "EFBIG" }, { FS_ENOSPC, "ENOSPC" }, { FS_EROFS, "EROFS" },
		{ FS_ERANGE, "ERANGE" }, { FS_ENAMETOOLONG, "ENAMETOOLONG" }, { FS_ENOTEMPTY, "ENOTEMPTY" },
		{ FS_ELOOP, "ELOOP" },
	};
	static char other[16];
	if (e >= 0)
		return "0";
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].e == -e)
			return names[i].name;
	snprintf(other, sizeof other, "-%ld", -e);
	return other;
}

/* A call's result (0, a count, or a negative errno) against the one wanted. */
static void expect(const char *what, long got, long want)
{
	if (got < 0 || want < 0)
		say("%s: %s %s", what, ename(got), got == want ? "ok" : "WRONG");
	else
		say("%s: %ld %s", what, got, got == want ? "ok" : "WRONG");
	wrong += got != want;
}

/* A condition, with what was seen when it does not hold. */
static void check(const char *what, int ok, const char *seen)
{
	say("%s: %s%s%s", what, ok ? "ok" : "WRONG", ok ? "" : ": ", ok ? "" : seen);
	wrong += !ok;
}

static void drop(mach_port_t p)
{
	if (MACH_PORT_VALID(p))
		mach_port_deallocate(mach_task_self(), p);
}

/* Opens PATH from DIR; prints and counts a failure. */
static mach_port_t open_path(mach_port_t dir, const char *path, int flags, unsigned mode)
{
	mach_port_t p;
	int r = fs_lookup(dir, path, flags, mode, &p);
	if (r) {
		say("open %s: %s WRONG", path, ename(r));
		wrong++;
	}
	return p;
}

static uint64_t size_of(mach_port_t node)
{
	struct fs_stat st;
	return fs_stat(node, &st) ? ~0ull : st.size_lo | (uint64_t)st.size_hi << 32;
}

/* --- listing and reading ------------------------------------------------------ */

static void list_root(void)
{
	static char buf[FS_INLINE_MAX];
	uint32_t cookie = 0, third = 0, n = 0;
	char third_name[FS_NAME_MAX] = "";
	while (cookie != FS_DIR_END) {
		long got = fs_readdir(root, &cookie, buf, sizeof buf);
		if (got < 0) {
			expect("readdir /", got, 0);
			return;
		}
		for (long off = 0; off < got; n++) {
			struct fs_dirent *d = (struct fs_dirent *)(buf + off);
			say("  /%s  inode %u, type %u", d->name, (unsigned)d->ino, d->type);
			if (n == 1)
				third = d->cookie;        /* resumes at the third entry */
			if (n == 2)
				strlcpy(third_name, d->name, sizeof third_name);
			off += d->reclen;
		}
	}
	say("/ holds %u entries", (unsigned)n);
	/* resuming at a cookie gives the entry after the one that carried it */
	long got = fs_readdir(root, &third, buf, sizeof buf);
	check("readdir resumed at the third entry", got > 0 && strcmp(((struct fs_dirent *)buf)->name,
	      third_name) == 0, got > 0 ? ((struct fs_dirent *)buf)->name : ename(got));
	uint32_t end = FS_DIR_END;
	expect("readdir at the end", fs_readdir(root, &end, buf, sizeof buf), 0);
	mach_port_t f = open_path(root, "README", FS_O_READ, 0);
	uint32_t c = 0;
	expect("readdir on a file", fs_readdir(f, &c, buf, sizeof buf), -FS_ENOTDIR);
	drop(f);
}

/* Reads all of NODE in pieces of CHUNK bytes into BUF (SIZE bytes). */
static long read_all(mach_port_t node, char *buf, size_t size, size_t chunk)
{
	size_t done = 0;
	for (;;) {
		size_t want = size - done < chunk ? size - done : chunk;
		long n = fs_read(node, done, buf + done, want);
		if (n < 0)
			return n;
		done += (size_t)n;
		if (n == 0 || done == size)
			return (long)done;
	}
}

static uint32_t crc_of(const char *buf, size_t n)
{
	struct cksum c;
	cksum_init(&c);
	cksum_add(&c, buf, n);
	return cksum_final(&c);
}

/* Prints the cksum of PATH read in one call (out of line, split at
 * FS_IO_MAX), and checks that pieces of 64 KiB + 1 (out of line, odd
 * offsets) and of FS_INLINE_MAX (inline) read the same bytes. */
static void cksum_file(const char *path)
{
	mach_port_t f = open_path(root, path, FS_O_READ, 0);
	uint64_t size = size_of(f);
	if (!MACH_PORT_VALID(f) || size > (64u << 20)) {
		say("%s: no size (%llu) WRONG", path, (unsigned long long)size);
		wrong++;
		return;
	}
	char *a = malloc(size + 1), *b = malloc(size + 1);
	long n = read_all(f, a, size + 1, size + 1);
	if (n != (long)size) {
		say("%s: read %s of %llu bytes WRONG", path, ename(n), (unsigned long long)size);
		wrong++;
	} else {
		say("%s: cksum %u %llu", path, crc_of(a, size), (unsigned long long)size);
		long m = read_all(f, b, size, 65537);
		check("  the same in pieces of 64 KiB + 1", m == n && memcmp(a, b, size) == 0, ename(m));
		size_t head = size < (256u << 10) ? size : (256u << 10);
		m = read_all(f, b, head, FS_INLINE_MAX);
		check("  the same inline", m == (long)head && memcmp(a, b, head) == 0, ename(m));
		expect("  a read past the end", fs_read(f, size + 10, b, 100), 0);
	}
	free(a);
	free(b);
	drop(f);
}

/* --- changing the file system ------------------------------------------------- */

#define PATTERN "fstest pattern "
#define PATTERN_SIZE 3000001u         /* written in pieces, inline and out of line */

/* A reader in order at 64 KiB a call into page-aligned memory takes
 * ext2fs's read-ahead window (servers/ext2fs/stream.c): a write between two
 * of its reads must show in the second.  F holds ORIG; it is put back. */
static void stream_change(mach_port_t f, const char *orig)
{
	const size_t chunk = 64u << 10, at = chunk + 1000;
	vm_offset_t buf = 0;
	if (vm_allocate(mach_task_self(), &buf, 2 * chunk, 1)) {
		check("stream: a buffer", 0, "no memory");
		return;
	}
	char *b = (char *)(uintptr_t)buf;
	uint64_t end;
	long r = fs_read(f, 0, b, chunk);
	check("stream: first read", r == (long)chunk && memcmp(b, orig, chunk) == 0, ename(r));
	r = fs_write(f, at, "CHANGED", 7, &end);
	expect("stream: write between the reads", r, 7);
	r = fs_read(f, chunk, b + chunk, chunk);
	check("stream: the second read sees the write",
	      r == (long)chunk && memcmp(b + at, "CHANGED", 7) == 0 &&
	      memcmp(b + chunk, orig + chunk, at - chunk) == 0, ename(r));
	r = fs_write(f, at, orig + at, 7, &end);
	expect("stream: putting the bytes back", r, 7);
	vm_deallocate(mach_task_self(), buf, 2 * chunk);
}

/* ext2fs keeps file data it read in memory (stream.c); an unlinked file's
 * inode number comes back for the next file created, which must read its
 * own bytes, not the old file's (the unlink forgets them, and so does the
 * new file's first write). */
static void stream_reuse(mach_port_t dir)
{
	const size_t size = 64u << 10;
	vm_offset_t buf = 0;
	if (vm_allocate(mach_task_self(), &buf, size, 1)) {
		check("reuse: a buffer", 0, "no memory");
		return;
	}
	char *b = (char *)(uintptr_t)buf;
	uint32_t ino[2] = { 0, 0 };
	for (int i = 0; i < 2; i++) {
		uint64_t end;
		struct fs_stat st;
		mach_port_t f = open_path(dir, "reuse", FS_O_READ | FS_O_WRITE | FS_O_CREAT | FS_O_EXCL, 0644);
		memset(b, 'A' + i, size);
		expect("reuse: write", fs_write(f, 0, b, size, &end), (long)size);
		memset(b, 0, size);
		long r = fs_read(f, 0, b, size);
		check("reuse: the file reads its own bytes", r == (long)size && b[0] == 'A' + i && b[size - 1] == 'A' + i,
		      ename(r));
		if (fs_stat(f, &st) == 0)
			ino[i] = st.ino;
		drop(f);
		expect("reuse: unlink", fs_unlink(dir, "reuse"), 0);
	}
	say("reuse: inode %u, then %u", (unsigned)ino[0], (unsigned)ino[1]);
	vm_deallocate(mach_task_self(), buf, size);
}

static void write_pattern(mach_port_t dir)
{
	size_t size = PATTERN_SIZE;
	char *p = malloc(size), *back = malloc(size);
	for (size_t i = 0; i < size; i++)
		p[i] = PATTERN[i % (sizeof PATTERN - 1)];
	mach_port_t f = open_path(dir, "pattern", FS_O_READ | FS_O_WRITE | FS_O_CREAT | FS_O_TRUNC, 0644);
	static const size_t pieces[] = { 100, FS_INLINE_MAX, 1u << 20, 3, 777777 };
	size_t done = 0;
	uint64_t end = 0;
	for (unsigned i = 0; done < size; i = (i + 1) % 5) {
		size_t n = size - done < pieces[i] ? size - done : pieces[i];
		long w = fs_write(f, done, p + done, n, &end);
		if (w != (long)n || end != done + n) {
			say("write of %u at %u: %s, end %llu WRONG", (unsigned)n, (unsigned)done, ename(w),
			    (unsigned long long)end);
			wrong++;
			break;
		}
		done += n;
	}
	expect("pattern: size", (long)size_of(f), (long)size);
	long r = read_all(f, back, size, 1u << 20);
	check("pattern: read back", r == (long)size && memcmp(p, back, size) == 0, ename(r));
	stream_change(f, p);
	say("pattern: cksum %u %u", crc_of(p, size), (unsigned)size);
	free(p);
	free(back);
	drop(f);
}

/* --- replies nobody waits for ---------------------------------------------------- */

#define LOST_TRIES 16

static struct {
	mach_port_t file;
	volatile int stop, reads;
	mutex_t lock;
	cond_t done;
	int running;
} busy;

/* Keeps ext2fs busy: reads of 1 MiB from the disk, each holding the file
 * system's lock while ext2fs waits for the disk, so that a lookup sent
 * meanwhile waits in ext2fs until after its reply port is gone. */
static void busy_reader(void *arg)
{
	(void)arg;
	char *buf = malloc(1u << 20);
	for (uint64_t off = 0; buf && !busy.stop; off = (off + (1u << 20)) % (3u << 20)) {
		if (fs_read(busy.file, off, buf, 1u << 20) < 0)
			break;
		busy.reads++;
	}
	free(buf);
	mutex_lock(&busy.lock);
	busy.running = 0;
	cond_broadcast(&busy.done);
	mutex_unlock(&busy.lock);
}

/* Sends a lookup of NAME in DIR and destroys its reply port before the
 * answer can come: ext2fs opens a node for a reply it cannot deliver. */
static void lost_lookup(mach_port_t dir, const char *name)
{
	static fs_lookup_request_t lk;
	mach_port_t reply;
	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &reply))
		return;
	memset(&lk, 0, sizeof lk);
	lk.head = (mach_msg_header_t){ MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE),
	                               sizeof lk, dir, reply, 0, ID_FS_LOOKUP };
	lk.flags = w_int(FS_O_READ);
	lk.mode = w_int(0);
	lk.path_type = MSGT_LONG(MACH_MSG_TYPE_STRING_C, 8 * FS_PATH_MAX, 1);
	strlcpy(lk.path, name, sizeof lk.path);
	if (mach_msg(&lk.head, MACH_SEND_MSG, sizeof lk, 0, MACH_PORT_NULL, 0, 0) == MACH_MSG_SUCCESS)
		swtch();   /* a server thread takes the request and waits for the lock */
	mach_port_mod_refs(mach_task_self(), reply, MACH_PORT_RIGHT_RECEIVE, -1);
}

/* A file whose only opens are lookups whose replies never arrived: once
 * unlinked, its inode must be freed, so ext2fs let go of those nodes. */
static void lost_replies(mach_port_t dir)
{
	drop(open_path(dir, "lost", FS_O_WRITE | FS_O_CREAT, 0644));
	busy.file = open_path(dir, "pattern", FS_O_READ, 0);
	busy.running = 1;
	if (thread_spawn(busy_reader, NULL))
		busy.running = 0;
	for (int i = 0; i < LOST_TRIES; i++) {
		int r = busy.reads;
		while (busy.running && busy.reads == r)   /* now a read is under way */
			swtch();
		lost_lookup(dir, "lost");
	}
	busy.stop = 1;
	mutex_lock(&busy.lock);
	while (busy.running)
		cond_wait(&busy.done, &busy.lock);
	mutex_unlock(&busy.lock);
	drop(busy.file);
	struct fs_statfs before, after;
	fs_statfs(root, &before);
	expect("unlink lost, opened only by lost lookup replies", fs_unlink(dir, "lost"), 0);
	int waited = 0;
	do
		sleep_ms(waited++ ? 10 : 0);
	while (fs_statfs(root, &after) == 0 && after.ffree == before.ffree && waited < 300);
	expect("  its inode is freed: the nodes made for those replies are gone",
	       (long)(after.ffree - before.ffree), 1);
}

static void errors_and_changes(void)
{
	char buf[256];
	struct fs_stat st, st2;
	expect("mkdir /fstest", fs_mkdir(root, "fstest", 0755), 0);
	expect("mkdir /fstest again", fs_mkdir(root, "fstest", 0755), -FS_EEXIST);
	mach_port_t dir = open_path(root, "/fstest", FS_O_READ | FS_O_DIRECTORY, 0);

	mach_port_t a = open_path(dir, "a", FS_O_READ | FS_O_WRITE | FS_O_CREAT | FS_O_EXCL, 0644), x;
	expect("create a again, exclusive", fs_lookup(dir, "a", FS_O_WRITE | FS_O_CREAT | FS_O_EXCL, 0644, &x),
	       -FS_EEXIST);
	uint64_t end;
	expect("write 'hello, '", fs_write(a, 0, "hello, ", 7, &end), 7);
	mach_port_t ap = open_path(dir, "a", FS_O_WRITE | FS_O_APPEND, 0);
	expect("append through an FS_O_APPEND port", fs_write(ap, 0, "world", 5, &end), 5);
	expect("  ends at", (long)end, 12);
	expect("append with FS_APPEND", fs_write(a, FS_APPEND, "\n", 1, &end), 1);
	memset(buf, 0, sizeof buf);
	expect("read it back", fs_read(a, 0, buf, sizeof buf), 13);
	check("  hello, world", strcmp(buf, "hello, world\n") == 0, buf);
	drop(ap);

	mach_port_t ro = open_path(dir, "a", FS_O_READ, 0);
	expect("write on a read-only port", fs_write(ro, 0, "x", 1, &end), -FS_EBADF);
	expect("truncate on a read-only port", fs_truncate(ro, 0), -FS_EBADF);
	mach_port_t wo = open_path(dir, "a", FS_O_WRITE, 0);
	expect("read on a write-only port", fs_read(wo, 0, buf, 1), -FS_EBADF);
	drop(wo);

	expect("rename a to hello", fs_rename(dir, "a", dir, "hello"), 0);
	expect("a is gone", fs_lookup(dir, "a", FS_O_READ, 0, &x), -FS_ENOENT);
	mach_port_t h = open_path(dir, "hello", FS_O_READ | FS_O_WRITE, 0);
	fs_stat(h, &st);
	fs_stat(ro, &st2);
	check("hello is the file a was", st.ino == st2.ino, "another inode");
	expect("link hello as hello2", fs_link(dir, h, "hello2"), 0);
	fs_stat(h, &st);
	expect("  two links", st.nlink, 2);
	expect("link into a file", fs_link(h, h, "z"), -FS_ENOTDIR);
	expect("link a directory", fs_link(dir, dir, "dirlink"), -FS_EPERM);
	expect("link a port of another server", fs_link(dir, mach_task_self(), "task"), -FS_EXDEV);
	expect("unlink hello2", fs_unlink(dir, "hello2"), 0);
	fs_stat(h, &st);
	expect("  one link", st.nlink, 1);

	expect("symlink s -> hello", fs_symlink(dir, "s", "hello"), 0);
	memset(buf, 0, sizeof buf);
	expect("readlink s", fs_readlink(dir, "s", buf, sizeof buf), 5);
	check("  is hello", strcmp(buf, "hello") == 0, buf);
	expect("readlink into 3 bytes", fs_readlink(dir, "s", buf, 3), -FS_ERANGE);
	expect("readlink of a file", fs_readlink(dir, "hello", buf, sizeof buf), -FS_EINVAL);
	mach_port_t s = open_path(dir, "s", FS_O_READ, 0);
	fs_stat(s, &st2);
	check("s leads to hello", st2.ino == st.ino, "another inode");
	drop(s);
	s = open_path(dir, "s", FS_O_READ | FS_O_NOFOLLOW, 0);
	fs_stat(s, &st2);
	expect("s itself, with FS_O_NOFOLLOW", (long)(st2.mode & 0xf000), 0xa000);
	expect("read of a symlink node", fs_read(s, 0, buf, 1), -FS_EINVAL);
	drop(s);
	expect("symlink abs -> /fstest/hello", fs_symlink(dir, "abs", "/fstest/hello"), 0);
	s = open_path(root, "fstest/abs", FS_O_READ, 0);
	fs_stat(s, &st2);
	check("an absolute target starts at the root", st2.ino == st.ino, "another inode");
	drop(s);
	s = open_path(dir, "../fstest/./hello", FS_O_READ, 0);
	fs_stat(s, &st2);
	check("../fstest/./hello", st2.ino == st.ino, "another inode");
	drop(s);
	s = open_path(dir, "//..//..", FS_O_READ, 0);
	fs_stat(s, &st2);
	expect("// and .. of the root are the root", st2.ino, 2);
	drop(s);
	expect("symlink l1 -> l2", fs_symlink(dir, "l1", "l2"), 0);
	expect("symlink l2 -> l1", fs_symlink(dir, "l2", "l1"), 0);
	expect("open a symlink loop", fs_lookup(dir, "l1", FS_O_READ, 0, &x), -FS_ELOOP);
	expect("symlink dangling -> nowhere", fs_symlink(dir, "dangling", "nowhere"), 0);
	expect("open a dangling symlink", fs_lookup(dir, "dangling", FS_O_READ, 0, &x), -FS_ENOENT);
	mach_port_t nw = open_path(dir, "dangling", FS_O_WRITE | FS_O_CREAT, 0600);
	drop(nw);
	expect("  which created its target", fs_lookup(dir, "nowhere", FS_O_READ, 0, &x), 0);
	drop(x);

	expect("mkdir d", fs_mkdir(dir, "d", 0700), 0);
	mach_port_t f = open_path(dir, "d/x", FS_O_WRITE | FS_O_CREAT, 0600);
	drop(f);
	expect("rmdir a directory that is not empty", fs_rmdir(dir, "d"), -FS_ENOTEMPTY);
	expect("rmdir a file", fs_rmdir(dir, "hello"), -FS_ENOTDIR);
	expect("unlink a directory", fs_unlink(dir, "d"), -FS_EISDIR);
	expect("rename d to d2", fs_rename(dir, "d", dir, "d2"), 0);
	mach_port_t d2 = open_path(dir, "d2", FS_O_READ, 0);
	expect("rename d2 under itself", fs_rename(dir, "d2", d2, "sub"), -FS_EINVAL);
	expect("rename to a name with '/'", fs_rename(dir, "hello", dir, "d2/x2"), -FS_EINVAL);
	expect("rename d2/x to hello3 across directories", fs_rename(d2, "x", dir, "hello3"), 0);
	expect("rmdir d2", fs_rmdir(dir, "d2"), 0);
	expect("stat of a removed directory still open", fs_stat(d2, &st2), 0);
	drop(d2);
	expect("unlink hello3", fs_unlink(dir, "hello3"), 0);

	expect("open hello/x", fs_lookup(dir, "hello/x", FS_O_READ, 0, &x), -FS_ENOTDIR);
	expect("open hello/", fs_lookup(dir, "hello/", FS_O_READ, 0, &x), -FS_ENOTDIR);
	expect("open missing", fs_lookup(dir, "missing", FS_O_READ, 0, &x), -FS_ENOENT);
	expect("open missing/x", fs_lookup(dir, "missing/x", FS_O_READ, 0, &x), -FS_ENOENT);
	expect("open a file as FS_O_DIRECTORY", fs_lookup(dir, "hello", FS_O_READ | FS_O_DIRECTORY, 0, &x),
	       -FS_ENOTDIR);
	expect("open a directory for writing", fs_lookup(root, "fstest", FS_O_WRITE, 0, &x), -FS_EISDIR);
	expect("open an empty path", fs_lookup(dir, "", FS_O_READ, 0, &x), -FS_ENOENT);
	expect("open with unknown flags", fs_lookup(dir, "hello", 0x8000, 0, &x), -FS_EINVAL);
	expect("create with mode bits past 07777", fs_lookup(dir, "m", FS_O_CREAT, 0100644, &x), -FS_EINVAL);
	expect("lookup from a file", fs_lookup(h, "x", FS_O_READ, 0, &x), -FS_ENOTDIR);
	expect("read a directory", fs_read(dir, 0, buf, 10), -FS_EISDIR);
	expect("unlink missing", fs_unlink(dir, "missing"), -FS_ENOENT);
	expect("mkdir with an empty name", fs_mkdir(dir, "", 0755), -FS_ENOENT);
	expect("mkdir with a '/' in the name", fs_mkdir(dir, "a/b", 0755), -FS_EINVAL);
	expect("mkdir ..", fs_mkdir(dir, "..", 0755), -FS_EINVAL);
	expect("mkdir in a file", fs_mkdir(h, "sub", 0755), -FS_ENOTDIR);
	char name[300];
	memset(name, 'n', sizeof name);
	name[299] = 0;
	expect("mkdir with a 299-byte name (the client refuses)", fs_mkdir(dir, name, 0755), -FS_ENAMETOOLONG);
	expect("open a 299-byte component", fs_lookup(dir, name, FS_O_READ, 0, &x), -FS_ENAMETOOLONG);
	name[255] = 0;
	expect("mkdir with a 255-byte name", fs_mkdir(dir, name, 0755), 0);
	expect("rmdir it", fs_rmdir(dir, name), 0);

	/* size, mode, times */
	expect("truncate hello to 5", fs_truncate(h, 5), 0);
	memset(buf, 0, sizeof buf);
	expect("  reads 5 bytes", fs_read(h, 0, buf, sizeof buf), 5);
	check("  hello", strcmp(buf, "hello") == 0, buf);
	expect("truncate hello to 100000", fs_truncate(h, 100000), 0);
	expect("  size", (long)size_of(h), 100000);
	memset(buf, 1, sizeof buf);
	expect("  reads the hole", fs_read(h, 99900, buf, 200), 100);
	int zero = 1;
	for (int i = 0; i < 100; i++)
		zero &= buf[i] == 0;
	check("  as zeros", zero, "not zeros");
	expect("truncate a directory", fs_truncate(dir, 0), -FS_EBADF);
	expect("chmod hello 0600", fs_chmod(h, 0600), 0);
	fs_stat(h, &st);
	expect("  mode", (long)st.mode, 0100600);
	expect("chmod with a type bit", fs_chmod(h, 0100600), -FS_EINVAL);
	expect("chmod a read-only port", fs_chmod(ro, 0644), -FS_EBADF);
	expect("chmod the directory", fs_chmod(dir, 0750), 0);
	expect("utimes hello", fs_utimes(h, 1000000000, 1234567890), 0);
	fs_stat(h, &st);
	check("  atime and mtime", st.atime == 1000000000 && st.mtime == 1234567890, "other times");
	expect("utimes hello now", fs_utimes(h, FS_TIME_NOW, FS_TIME_NOW), 0);
	fs_stat(h, &st);
	check("  the server's clock", st.mtime > 1234567890 && st.atime == st.mtime, "other times");
	mach_port_t t = open_path(dir, "hello", FS_O_WRITE | FS_O_TRUNC, 0);
	expect("FS_O_TRUNC empties hello", (long)size_of(h), 0);
	expect("write hello again", fs_write(t, 0, "hello, world\n", 13, &end), 13);
	drop(t);

	/* an open file outlives its last link until the port goes */
	f = open_path(dir, "doomed", FS_O_READ | FS_O_WRITE | FS_O_CREAT, 0644);
	expect("write doomed", fs_write(f, 0, "still here", 10, &end), 10);
	expect("unlink doomed while open", fs_unlink(dir, "doomed"), 0);
	memset(buf, 0, sizeof buf);
	expect("  still reads", fs_read(f, 0, buf, sizeof buf), 10);
	fs_stat(f, &st);
	expect("  with no link", st.nlink, 0);
	struct fs_statfs before, after;
	fs_statfs(root, &before);
	drop(f);
	/* the no-senders notification reaches ext2fs on its own time */
	int waited = 0;
	do
		sleep_ms(waited++ ? 10 : 0);
	while (fs_statfs(root, &after) == 0 && after.ffree == before.ffree && waited < 300);
	expect("  its inode is freed once its port goes", (long)(after.ffree - before.ffree), 1);

	write_pattern(dir);
	stream_reuse(dir);
	lost_replies(dir);
	struct fs_statfs sf;
	expect("statfs", fs_statfs(root, &sf), 0);
	check("  sizes", sf.bsize == 1024 && sf.blocks > 0 && sf.bfree < sf.blocks && sf.bavail <= sf.bfree
	      && sf.files > 0 && sf.ffree < sf.files && sf.namemax == 255, "not sensible");
	expect("sync", fs_sync(root), 0);
	drop(h);
	drop(ro);
	drop(a);
	drop(dir);
}

/* --- malformed requests ---------------------------------------------------------- */

static kern_return_t raw(void *m, mach_msg_size_t size)
{
	union { char buf[8192]; mig_reply_header_t r; } *reply = malloc(sizeof *reply);
	memcpy(reply->buf, m, size);
	kern_return_t r = mach_rpc(&reply->r.head, size, sizeof *reply, rpc_reply_ret, 1, NULL);
	free(reply);
	return r;
}

/* A raw reply's code: an errno value of the protocol, or a MIG or mach_msg code. */
static void expect_kr(const char *what, kern_return_t got, kern_return_t want)
{
	say("%s: %s %s", what, got > 0 && got <= FS_ERRNO_MAX ? ename(-got) : mach_error_name(got),
	    got == want ? "ok" : "WRONG");
	wrong += got != want;
}

static void malformed(mach_port_t up)
{
	fs_lookup_request_t lk;
	memset(&lk, 0, sizeof lk);
	rpc_head(&lk.head, root, ID_FS_LOOKUP, 0);
	lk.flags = w_int(FS_O_READ);
	lk.mode = w_int(0);
	lk.path_type = MSGT_LONG(MACH_MSG_TYPE_STRING_C, 8 * FS_PATH_MAX, 1);
	strlcpy(lk.path, "README", sizeof lk.path);
	req0_t unknown;
	rpc_head(&unknown.head, root, 48099, 0);
	expect_kr("unknown routine id", raw(&unknown, sizeof unknown), MIG_BAD_ID);
	rpc_head(&unknown.head, root, ID_FS_GET_ROOT, 0);
	expect_kr("get-root on a node port", raw(&unknown, sizeof unknown), MIG_BAD_ID);
	rpc_head(&unknown.head, up, ID_FS_STAT, 0);
	expect_kr("stat on the chain port", raw(&unknown, sizeof unknown), MIG_BAD_ID);
	expect_kr("lookup cut short", raw(&lk, sizeof lk - 512), MIG_BAD_ARGUMENTS);
	lk.flags.type = MSGT_INLINE(MACH_MSG_TYPE_INTEGER_16, 16, 1);
	expect_kr("lookup with 16-bit flags", raw(&lk, sizeof lk), MIG_BAD_ARGUMENTS);
	lk.head.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	lk.flags = w_port(mach_task_self(), MACH_MSG_TYPE_COPY_SEND);
	expect_kr("lookup with a port right for flags", raw(&lk, sizeof lk), MIG_BAD_ARGUMENTS);
	lk.head.msgh_bits &= ~MACH_MSGH_BITS_COMPLEX;
	lk.flags = w_int(FS_O_READ);
	lk.path_type = MSGT_LONG(MACH_MSG_TYPE_STRING_C, 8 * 512, 1);
	expect_kr("lookup with a 512-byte path field", raw(&lk, sizeof lk - 512), MIG_BAD_ARGUMENTS);
	lk.path_type = MSGT_LONG(MACH_MSG_TYPE_STRING_C, 8 * FS_PATH_MAX, 1);
	memset(lk.path, 'x', sizeof lk.path);
	expect_kr("lookup with an unterminated path", raw(&lk, sizeof lk), MIG_BAD_ARGUMENTS);

	fs_mkdir_request_t nm;
	rpc_head(&nm.head, root, ID_FS_MKDIR, 0);
	nm.mode = w_int(0755);
	nm.name_type = MSGT_LONG(MACH_MSG_TYPE_STRING_C, 8 * FS_NAME_MAX, 1);
	memset(nm.name, 'y', sizeof nm.name);
	expect_kr("mkdir with an unterminated name", raw(&nm, sizeof nm), MIG_BAD_ARGUMENTS);

	fs_read_request_t rd;
	mach_port_t f = open_path(root, "README", FS_O_READ, 0);
	rpc_head(&rd.head, f, ID_FS_READ, 0);
	rd.offset = w_u64(0);
	rd.count = w_int(FS_IO_MAX + 1);
	expect_kr("read of more than FS_IO_MAX", raw(&rd, sizeof rd), FS_EINVAL);
	rd.count = w_int(10);
	rd.offset.type = MSGT_INT32;
	expect_kr("read with a 32-bit offset", raw(&rd, sizeof rd), MIG_BAD_ARGUMENTS);

	fs_write_ool_request_t wr;
	rpc_head(&wr.head, f, ID_FS_WRITE_OOL, 0);
	wr.offset = w_u64(0);
	wr.data = w_ool("xyz", 3);
	wr.data.type.msgtl_header.msgt_inline = 1;   /* says inline, in a simple message */
	expect_kr("write_ool with inline data", raw(&wr, sizeof wr), MIG_BAD_ARGUMENTS);
	wr.head.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	wr.data = w_ool("xyz", 3);
	expect_kr("write_ool on a read-only port", raw(&wr, sizeof wr), FS_EBADF);

	struct fs_stat st;
	expect("a good request afterwards", fs_stat(f, &st), 0);
	drop(f);
	mach_port_t dead;
	mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &dead);
	mach_port_insert_right(mach_task_self(), dead, dead, MACH_MSG_TYPE_MAKE_SEND);
	mach_port_mod_refs(mach_task_self(), dead, MACH_PORT_RIGHT_RECEIVE, -1);
	expect("stat through a dead name", fs_stat(dead, &st), -FS_EBADF);
	drop(dead);
}

/* --- several clients at once --------------------------------------------------------- */

#define THREADS 4
#define ROUNDS  25
static struct {
	mutex_t lock;
	cond_t done;
	int running, errors;
	uint32_t readme_crc;
	uint64_t readme_size;
} par;

static void reader(void *arg)
{
	(void)arg;
	int errors = 0;
	char *buf = malloc(8192);
	for (int i = 0; i < ROUNDS; i++) {
		mach_port_t f;
		const char *path = i % 2 ? "/README" : "etc/../README";
		if (fs_lookup(root, path, FS_O_READ, 0, &f)) {
			errors++;
			continue;
		}
		long n = fs_read(f, 0, buf, 8192);
		if (n != (long)par.readme_size || crc_of(buf, (size_t)n) != par.readme_crc)
			errors++;
		drop(f);
	}
	free(buf);
	mutex_lock(&par.lock);
	par.errors += errors;
	par.running--;
	cond_broadcast(&par.done);
	mutex_unlock(&par.lock);
}

static void parallel(void)
{
	char buf[8192];
	mach_port_t f = open_path(root, "README", FS_O_READ, 0);
	long n = fs_read(f, 0, buf, sizeof buf);
	drop(f);
	par.readme_size = n > 0 ? (uint64_t)n : 0;
	par.readme_crc = crc_of(buf, par.readme_size);
	par.running = THREADS;
	for (int i = 0; i < THREADS; i++)
		if (thread_spawn(reader, NULL)) {
			par.running--;
			par.errors++;
		}
	mutex_lock(&par.lock);
	while (par.running)
		cond_wait(&par.done, &par.lock);
	mutex_unlock(&par.lock);
	char what[80];
	snprintf(what, sizeof what, "%d threads x %d lookups and reads, errors", THREADS, ROUNDS);
	expect(what, par.errors, 0);
}

static void read_only_checks(void)
{
	mach_port_t x;
	uint64_t end;
	expect("mkdir on a read-only mount", fs_mkdir(root, "fstest", 0755), -FS_EROFS);
	expect("create on a read-only mount", fs_lookup(root, "new", FS_O_WRITE | FS_O_CREAT, 0644, &x),
	       -FS_EROFS);
	expect("open for writing", fs_lookup(root, "README", FS_O_WRITE, 0, &x), -FS_EROFS);
	mach_port_t f = open_path(root, "README", FS_O_READ, 0);
	expect("write", fs_write(f, 0, "x", 1, &end), -FS_EBADF);
	expect("unlink", fs_unlink(root, "README"), -FS_EROFS);
	expect("sync", fs_sync(root), 0);
	drop(f);
}

int main(int argc, char **argv)
{
	static struct chain c;
	chain_start(&c, argc, argv, fstest_options, OPTIONS_COUNT(fstest_options));
	if (c.parent == MACH_PORT_NULL)
		chain_fail(&c, "finding the file system: no bootstrap port", KERN_INVALID_ARGUMENT);
	int r = fs_get_root(c.parent, &root);
	if (r) {
		say("fs_get_root: %s", ename(r));
		chain_fail(&c, "getting the root directory", KERN_FAILURE);
	}
	say("got the root directory from my bootstrap port (the file system)");
	chain_ready(&c);
	list_root();
	if (c.opts.str[SLOT_FSTEST_CKSUM]) {
		char list[256];
		strlcpy(list, c.opts.str[SLOT_FSTEST_CKSUM], sizeof list);
		for (char *s = list, *name; (name = s);) {
			s = strchr(s, ',');
			if (s)
				*s++ = 0;
			cksum_file(name);
		}
	}
	if (c.opts.num[SLOT_FSTEST_RO])
		read_only_checks();
	else
		errors_and_changes();
	malformed(c.parent);
	parallel();
	say("done, %d wrong", wrong);
	kern_return_t k = chain_halt(c.parent);
	say("halt: %s", mach_error_name(k));
	return 1;
}
