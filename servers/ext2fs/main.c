/* ext2fs: the file system server, third stage of the chain.  Where the disk
 * comes from is the seed's central switch: with a bootstrap port it opens
 * the device through it (the disk server), exactly as it would through the
 * kernel's device master; without one, it uses the device master given on
 * the command line (the kernel's IDE disk, hd0s1).  It mounts read-write
 * (read-only when the disk is), serves the file system protocol on a port
 * per open node and FS_GET_ROOT on the port it hands to the next stage, and
 * unmounts cleanly when a halt comes down the chain. */
#include "chain/chain.h"
#include "mach/mach.h"
#include "rt/rt.h"
#include "rt/thread.h"
#include "server/safe_copy.h"
#include "ext2fs.h"
#include "options.h"

/* The block cache: 16 MiB holds the programs a session runs and the
 * metadata of a small disk; the machine has 256 MiB. */
#define CACHE_BYTES (16u << 20)
/* File data (stream.c) may keep a third of the memory free when we start
 * (what the machine's -m leaves after the kernel and the chain): the
 * kernel has no pager, so the rest stays for programs; without the
 * kernel's count, FILE_CACHE_FALLBACK. */
#define FILE_CACHE_SHARE 3
#define FILE_CACHE_FALLBACK (32u << 20)

static size_t file_cache_bytes(void)
{
	struct vm_statistics st;
	if (vm_statistics(mach_task_self(), &st) != KERN_SUCCESS || st.pagesize <= 0 || st.free_count <= 0)
		return FILE_CACHE_FALLBACK;
	return (size_t)st.free_count * (size_t)st.pagesize / FILE_CACHE_SHARE;
}

struct ext2_fs fs;
mutex_t fs_lock;
int fs_writable, fs_mounted;
struct server *fs_server;
static char devname[64];

void device_name(const char *arg, char *out, size_t size)
{
	uint32_t n;
	const char *colon = arg + 5;
	if (strncmp(arg, "part:", 5) == 0 && (colon = strchr(colon, ':'))
	    && strncmp(colon, ":device:", 8) == 0) {
		char num[12];
		snprintf(num, sizeof num, "%.*s", (int)(colon - arg - 5), arg + 5);
		if (parse_u32(num, &n) == 0) {
			snprintf(out, size, "%ss%u", colon + 8, (unsigned)n);
			return;
		}
	}
	strlcpy(out, arg, size);
}

/* Damage the core found while mounted (recorded in the superblock too). */
static void log_damage(void *ctx, const char *line)
{
	(void)ctx;
	say("%s: damage found, recorded in the superblock (e2fsck is due): %s", devname, line);
}

static int list_entry(void *arg, const char *name, size_t len, uint32_t ino, unsigned type)
{
	(void)arg;
	struct ext2_inode in;
	static const char *types[] = { "?", "file", "dir", "chardev", "blockdev", "fifo", "socket", "symlink" };
	if (ext2_read_inode(&fs, ino, &in) == 0)
		say("  /%.*s  %s, %llu bytes", (int)len, name, types[type < 8 ? type : 0],
		    (unsigned long long)in.size);
	return 0;
}

/* Changes reach the disk at least every SYNC_S seconds, so that a machine
 * that is switched off loses at most that much (Hurd's ext2fs: --sync=30). */
static unsigned sync_s = 30;

static void periodic_sync(void *arg)
{
	(void)arg;
	for (int lost = 0; !lost;) {
		sleep_ms(sync_s * 1000);
		mutex_lock(&fs_lock);
		if (fs_mounted && fs_writable && ext2_sync(&fs)) {
			lost = disk_lost();
			say("periodic sync of %s: %s%s", devname, fs.why,
			    lost ? "; the disk is gone, no more periodic syncs" : "");
		}
		mutex_unlock(&fs_lock);
	}
}

/* The chain's halt: write everything back, mark the file system clean and
 * flush the disk before the request goes up.  Later requests get EIO. */
static void unmount(struct chain *c)
{
	(void)c;
	mutex_lock(&fs_lock);
	if (fs_mounted) {
		fs_mounted = 0;
		if (ext2_unmount(&fs))
			say("unmounting %s: %s", devname, fs.why);
		else if (fs_writable && fs.not_clean)
			say("%s unmounted: written back, left marked not clean (e2fsck is due), flushed", devname);
		else if (fs_writable)
			say("%s unmounted: written back, marked clean, flushed", devname);
		else
			say("%s unmounted", devname);
	}
	mutex_unlock(&fs_lock);
}

int main(int argc, char **argv)
{
	static struct chain c;
	chain_start(&c, argc, argv, ext2fs_options, OPTIONS_COUNT(ext2fs_options));
	if (c.opts.npos != 1) {
		say("bad arguments: give the device to mount (vd0s1, hd0s1, part:1:device:vd0)");
		chain_fail(&c, "parsing arguments", KERN_INVALID_ARGUMENT);
	}
	device_name(c.opts.pos[0], devname, sizeof devname);
	mach_port_t master = c.parent ? c.parent : c.device_master;
	const char *via = c.parent ? "my bootstrap port (the disk server)" : "the kernel's device master";
	if (master == MACH_PORT_NULL)
		chain_fail(&c, "finding a disk: no bootstrap port and no --device-master-port", KERN_INVALID_ARGUMENT);

	static struct ext2_dev dev;
	int writable, e;
	kern_return_t r;
	char why[160];
	/* a wrong root asks on the console (rescue.c) instead of ending the boot */
	for (;; rescue_ask(&c, master, devname, sizeof devname)) {
		r = disk_open(master, devname, &dev, &writable, c.parent != MACH_PORT_NULL);
		if (r) {
			say("cannot open the root device %s through %s: %s", devname, via, mach_error_name(r));
			continue;
		}
		e = 0;
		dev.cache_bytes = CACHE_BYTES;
		dev.log = log_damage;
		if (writable && (e = ext2_mount_rw(&fs, &dev, why, sizeof why)) == -EXT2_ENOTSUP) {
			say("cannot mount %s read-write: %s; mounting it read-only", devname, why);
			writable = 0;
		}
		if (!writable) {
			dev.write = NULL;      /* a cached mount that never writes */
			e = ext2_mount_rw(&fs, &dev, why, sizeof why);
		}
		if (!e)
			break;
		say("cannot mount the root device %s: %s", devname, why);
	}
	if (fs.recovered)
		say("%s: replayed %u committed transactions of the journal", devname, (unsigned)fs.replayed);
	if (writable && fs.not_clean)
		say("%s was not unmounted cleanly (or has errors recorded): e2fsck is due", devname);
	fs_writable = writable;
	fs_mounted = 1;
	size_t file_cache = stream_init(file_cache_bytes());
	say("mounted %s %s through %s: %u blocks of %u bytes, %u inodes; %u MiB for file data", devname,
	    writable ? "read-write" : "read-only", via, (unsigned)fs.blocks_count,
	    (unsigned)fs.block_size, (unsigned)fs.inodes_count, (unsigned)(file_cache >> 20));
	if (c.opts.num[SLOT_EXT2_VERBOSE]) {
		struct ext2_inode root;
		if (ext2_read_inode(&fs, EXT2_ROOT_INO, &root) == 0)
			ext2_readdir(&fs, &root, list_entry, NULL);
	}

	fs_server = server_create();
	static const struct interface *const ifaces[] = { &fs_root_interface, &chain_interface, NULL };
	struct port_info *pi = fs_server ? server_add_port(fs_server, ifaces, NULL) : NULL;
	if (!pi)
		chain_fail(&c, "creating its port", KERN_RESOURCE_SHORTAGE);
	disk_watch(fs_server);
	r = safe_copy_init();             /* before any client can send us memory */
	if (r)
		chain_fail(&c, "guarding copies of client memory", r);
	c.shutdown = unmount;
	if (c.opts.given[SLOT_EXT2_SYNC])
		sync_s = c.opts.num[SLOT_EXT2_SYNC];
	/* journalled (ext3), each sync is a transaction: commit as often as Linux */
	if (writable && (fs.compat & EXT2_COMPAT_HAS_JOURNAL))
		sync_s = c.opts.given[SLOT_EXT2_COMMIT] ? c.opts.num[SLOT_EXT2_COMMIT] : 5;
	/* 0: changes reach the disk on sync and halt only, so no write-behind */
	ext2_write_behind(&fs, sync_s != 0);
	if (writable && sync_s && thread_spawn(periodic_sync, NULL))
		say("cannot start the periodic sync: changes reach the disk on sync and halt only");
	r = chain_handoff(&c, pi->name);
	if (r)
		chain_fail(&c, "handing over to the next stage", r);
	chain_ready(&c);
	server_run(fs_server, 4);
}
