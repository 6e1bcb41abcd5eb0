/* The rescue prompt: when the root device cannot be opened or mounted,
 * ext2fs lists what it can see and asks on the console for another device
 * (like serverboot's -a, or Linux's "please append a correct root="),
 * instead of failing the chain.  The disks are found by opening the names
 * the device protocol serves (vd0..vd3 through the disk server, hd0..hd3
 * through the kernel); their partition tables are read with lib/disk, and
 * an ext2 superblock is looked for on each partition. */
#include "disk/part.h"
#include "mach/mach.h"
#include "rt/le.h"
#include "rt/rt.h"
#include "chain/chain.h"
#include "ext2fs.h"
#include "term/proto.h"
#include "tty/ldisc.h"

#define RECORD 512u
#define MAX_DISKS 4

/* One line typed at the kernel's console, edited and echoed by the line
 * discipline the terminal server uses (no terminal runs this early, and
 * lib/posix's reader would make ext2fs a user program).  Returns its length
 * without the newline; ^D or a console error gives what was typed so far. */
static size_t console_line(char *out, size_t size)
{
	static struct ldisc ld;
	ldisc_init(&ld, TERM_MODE_CANON | TERM_MODE_ECHO);
	long n;
	while ((n = ldisc_read(&ld, out, size - 1)) < 0) {
		char buf[64];
		vm_size_t got = 0;
		if (device_read_inband(rt_console, 0, 0, sizeof buf, buf, &got) != KERN_SUCCESS)
			break;
		for (vm_size_t i = 0; i < got; i++)
			ldisc_input(&ld, (unsigned char)buf[i]);
		console_write_to(rt_console, ld.echo, ld.echo_len);
		ld.echo_len = 0;
	}
	size_t len = n > 0 ? (size_t)n : 0;
	while (len && (out[len - 1] == '\n' || out[len - 1] == '\r'))
		len--;
	out[len] = 0;
	return len;
}

static int read_sectors(void *ctx, uint64_t lba, unsigned count, void *buf)
{
	mach_port_t port = *(mach_port_t *)ctx;
	vm_offset_t data;
	vm_size_t got;
	if (device_read(port, 0, (natural_t)lba, count * RECORD, &data, &got))
		return -1;
	if (got == count * RECORD)
		memcpy(buf, (void *)(uintptr_t)data, got);
	vm_deallocate(mach_task_self(), data, got);
	return got == count * RECORD ? 0 : -1;
}

/* ", ext2, label 'L', clean" for an ext2 superblock at sector START, else "". */
static void ext2_note(mach_port_t port, uint64_t start, char *out, size_t size)
{
	static unsigned char sb[1024];
	out[0] = 0;
	if (read_sectors(&port, start + 2, 2, sb) || le16(sb + 56) != 0xef53)
		return;
	char label[24] = "no label";
	if (sb[120])
		snprintf(label, sizeof label, "label '%.16s'", (const char *)sb + 120);
	snprintf(out, size, ", ext2, %s, %s", label, le16(sb + 58) & 1 ? "clean" : "not clean");
}

static void list_disk(mach_port_t master, const char *name)
{
	mach_port_t port;
	integer_t st[DEV_GET_RECORDS_COUNT];
	natural_t n = DEV_GET_RECORDS_COUNT;
	if (device_open(master, D_READ, name, &port))
		return;
	if (device_get_status(port, DEV_GET_RECORDS, st, &n) || n < 2 || st[1] != RECORD) {
		device_close(port);
		return;
	}
	uint64_t sectors = (natural_t)st[0];
	static struct part_table t;
	static const char *schemes[] = { "no partition table", "MBR", "GPT" };
	char note[64];
	part_read_table(read_sectors, &port, sectors, &t);
	ext2_note(port, 0, note, sizeof note);
	say("  %s: %llu MiB, %s%s", name, (unsigned long long)(sectors / 2048), schemes[t.scheme], note);
	for (unsigned i = 0; i < t.n; i++) {
		const struct part *p = &t.parts[i];
		char type[24];
		ext2_note(port, p->start, note, sizeof note);
		if (t.scheme == PART_MBR)
			snprintf(type, sizeof type, "type 0x%02x", p->mbr_type);
		else
			snprintf(type, sizeof type, "GPT '%s'", p->label);
		say("  %ss%u: %llu MiB, %s%s", name, p->number,
		    (unsigned long long)(p->count / 2048), type, note);
	}
	device_close(port);
}

/* The disks of the named device's kind (the letters before its number:
 * vd, hd, sd, nvme), and the disk server's virtio disks as well. */
void rescue_ask(struct chain *c, mach_port_t master, char *devname, size_t size)
{
	char family[8];
	size_t k = 0;
	while (k < sizeof family - 1 && devname[k] >= 'a' && devname[k] <= 'z')
		family[k] = devname[k], k++;
	family[k] = 0;
	say("the disks and partitions I can see:");
	for (int f = 0; f < 2; f++) {
		const char *kind = f == 0 ? family : "vd";
		if ((f == 1 && (!c->parent || strcmp(family, "vd") == 0)) || !kind[0])
			continue;
		for (int i = 0; i < MAX_DISKS; i++) {
			char name[16];
			snprintf(name, sizeof name, "%s%d", kind, i);
			list_disk(master, name);
		}
	}
	if (c->parent)          /* a prompt is no stall: the stage above stops its watch */
		chain_report(c->parent, CHAIN_WAITING, c->name, "waiting for a root device on the console");
	say("waiting on the console for the device to mount (vd0s1, part:1:device:vd0); "
	    "an empty line or 'halt' halts the machine");
	char line[64];
	console_write_to(rt_console, "root device? ", 13);
	console_line(line, sizeof line);
	if (line[0] && strcmp(line, "halt") != 0) {
		device_name(line, devname, size);
		return;
	}
	say("no device given: halting the machine through the chain");
	kern_return_t r = c->parent ? chain_halt(c->parent)
	                : c->host_priv ? host_reboot(c->host_priv, 0) : KERN_NO_ACCESS;
	chain_fail(c, "halting after the rescue prompt", r);
}
