/* ext2fs: the file system server, third stage of the chain.  This first
 * version mounts read-only and lists; the file system protocol comes next.
 * Where the disk comes from is the seed's central switch: with a bootstrap
 * port it opens the device through it (the disk server), exactly as it would
 * through the kernel's device master; without one, it uses the device master
 * given on the command line (the kernel's IDE disk, hd0s1). */
#include "chain/chain.h"
#include "ext2/ext2.h"
#include "mach/mach.h"
#include "rt/rt.h"
#include "options.h"

static mach_port_t disk;

/* The file system's reads: whole 512-byte records through device_read. */
static int read_disk(void *ctx, uint64_t offset, void *buf, size_t count)
{
	(void)ctx;
	uint64_t first = offset / 512, last = (offset + count + 511) / 512;
	vm_offset_t data;
	vm_size_t got;
	size_t want = (size_t)(last - first) * 512;
	if (device_read(disk, 0, (natural_t)first, want, &data, &got) || got != want)
		return -1;
	memcpy(buf, (char *)(uintptr_t)data + offset % 512, count);
	vm_deallocate(mach_task_self(), data, got);
	return 0;
}

/* "part:N:device:NAME" (Hurd's form) becomes "NAMEsN". */
static void device_name(const char *arg, char *out, size_t size)
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

static int list_entry(void *arg, const char *name, size_t len, uint32_t ino, unsigned type)
{
	struct ext2_fs *fs = arg;
	struct ext2_inode in;
	static const char *types[] = { "?", "file", "dir", "chardev", "blockdev", "fifo", "socket", "symlink" };
	if (ext2_read_inode(fs, ino, &in) == 0)
		say("  /%.*s  %s, %llu bytes", (int)len, name, types[type < 8 ? type : 0],
		    (unsigned long long)in.size);
	return 0;
}

int main(int argc, char **argv)
{
	static struct chain c;
	chain_start(&c, argc, argv, ext2fs_options, OPTIONS_COUNT(ext2fs_options));
	if (c.opts.npos != 1) {
		say("bad arguments: give the device to mount (vd0s1, hd0s1, part:1:device:vd0)");
		chain_fail(&c, "parsing arguments", KERN_INVALID_ARGUMENT);
	}
	char name[64];
	device_name(c.opts.pos[0], name, sizeof name);
	mach_port_t master = c.parent ? c.parent : c.device_master;
	const char *via = c.parent ? "my bootstrap port (the disk server)" : "the kernel's device master";
	if (master == MACH_PORT_NULL)
		chain_fail(&c, "finding a disk: no bootstrap port and no --device-master-port", KERN_INVALID_ARGUMENT);
	kern_return_t r = device_open(master, D_READ, name, &disk);
	if (r) {
		say("opening %s through %s: %s", name, via, mach_error_name(r));
		chain_fail(&c, "opening the disk", r);
	}
	integer_t st[2];
	natural_t n = 2;
	r = device_get_status(disk, DEV_GET_RECORDS, st, &n);
	if (r)
		chain_fail(&c, "sizing the disk", r);

	static struct ext2_fs fs;
	char why[160];
	int e = ext2_mount(&fs, read_disk, NULL, (uint64_t)(natural_t)st[0] * 512, why, sizeof why);
	if (e) {
		say("cannot mount %s: %s", name, why);
		chain_fail(&c, "mounting", KERN_FAILURE);
	}
	say("mounted %s read-only through %s: %u blocks of %u bytes, %u inodes", name, via,
	    (unsigned)fs.blocks_count, (unsigned)fs.block_size, (unsigned)fs.inodes_count);
	if (c.opts.num[SLOT_EXT2_VERBOSE]) {
		struct ext2_inode root;
		if (ext2_read_inode(&fs, 2, &root) == 0)
			ext2_readdir(&fs, &root, list_entry, &fs);
	}

	struct server *s = server_create();
	static const struct interface *const ifaces[] = { &chain_interface, NULL };
	struct port_info *pi = s ? server_add_port(s, ifaces, NULL) : NULL;
	if (!pi)
		chain_fail(&c, "creating its port", KERN_RESOURCE_SHORTAGE);
	r = chain_handoff(&c, pi->name);
	if (r)
		chain_fail(&c, "handing over to exec", r);
	chain_ready(&c);
	server_run(s, 2);
}
