/* The disks the drivers report, and moving data to and from them: requests
 * cut to what a driver takes, several in flight, through bounce buffers in
 * DMA memory or straight into the caller's physically contiguous memory. */
#include "mach/mach.h"
#include "pci/client.h"
#include "rt/rt.h"
#include "disk.h"

#define BOUNCE_SIZE  (128u * 1024u)  /* one bounce buffer */
#define BOUNCE_MAX   16u             /* bounce buffers per disk at most */
#define BATCH        16u             /* requests one caller keeps in flight at most */

struct bounce {
	uint8_t *va;
	uint64_t pa;
	struct bounce *next;
};

struct disk disks[MAX_DISKS];
struct part_table tables[MAX_DISKS];
unsigned ndisks;

struct disk *disk_add(const struct disk_driver *drv, mach_port_t fn, void *driver_disk,
                      const struct disk_info *info)
{
	unsigned same = 0;
	for (unsigned i = 0; i < ndisks; i++)
		same += disks[i].driver->prefix == drv->prefix;
	char name[8];
	snprintf(name, sizeof name, "%s%u", drv->prefix, same);
	if (ndisks == MAX_DISKS) {
		say("%s: %s: not served: this server serves %u disks at most", name, info->where, MAX_DISKS);
		return NULL;
	}
	/* bounce buffers: one per request in flight, up to BOUNCE_MAX */
	unsigned nb = info->depth < BOUNCE_MAX ? info->depth : BOUNCE_MAX;
	uint32_t size = info->max_sectors * info->sector_size < BOUNCE_SIZE
	              ? info->max_sectors * info->sector_size : BOUNCE_SIZE;
	struct bounce *b = malloc(nb * sizeof *b);
	vm_offset_t va;
	rpc_phys_addr_t pa;
	kern_return_t r = b ? pci_dma_alloc(fn, (vm_size_t)nb * size, info->dma_limit, &va, &pa) : D_NO_MEMORY;
	if (r) {
		say("%s: %s: not served: no DMA memory for its buffers: %s", name, info->where, mach_error_name(r));
		free(b);
		return NULL;
	}
	struct disk *d = &disks[ndisks];
	*d = (struct disk){ .driver = drv, .driver_disk = driver_disk, .func = fn, .info = *info };
	strlcpy(d->name, name, sizeof d->name);
	for (unsigned i = 0; i < nb; i++) {
		b[i] = (struct bounce){ (uint8_t *)(uintptr_t)(va + i * size), pa + i * size, d->bounce };
		d->bounce = &b[i];
	}
	d->bounce_size = size;
	ndisks++;
	return d;
}

void disk_done(struct disk_request *r, kern_return_t status)
{
	struct disk *d = r->disk;
	mutex_lock(&d->lock);
	r->status = status;
	r->done = 1;
	d->in_flight--;
	cond_broadcast(&d->changed);
	mutex_unlock(&d->lock);
}

/* Whether one more request can start now (lock held). */
static int can_start(struct disk *d, int bounce)
{
	return d->in_flight < d->info.depth && (!bounce || d->bounce);
}

kern_return_t disk_io(struct disk *d, enum disk_op op, uint64_t lba, void *buf, uint64_t phys, size_t bytes)
{
	uint32_t ss = d->info.sector_size;
	size_t piece = (size_t)d->info.max_sectors * ss;
	int bounce = phys == 0;
	if (bounce && piece > d->bounce_size)
		piece = d->bounce_size;
	if (op == DISK_WRITE && d->info.read_only)
		return D_READ_ONLY;
	struct disk_request rq[BATCH];
	struct bounce *used[BATCH];
	kern_return_t err = D_SUCCESS;
	size_t off = 0;
	while (off < bytes && err == D_SUCCESS) {
		unsigned n = 0;
		size_t batch_off = off;
		mutex_lock(&d->lock);
		/* wait for a first request's room; take more only while there is
		 * room, so that callers never wait for each other's leftovers */
		while (off < bytes && n < BATCH && (n == 0 || can_start(d, bounce))) {
			while (!can_start(d, bounce))
				cond_wait(&d->changed, &d->lock);
			size_t len = bytes - off < piece ? bytes - off : piece;
			used[n] = NULL;
			if (bounce) {
				used[n] = d->bounce;
				d->bounce = used[n]->next;
			}
			rq[n] = (struct disk_request){ .disk = d, .op = op, .lba = lba + off / ss,
			                               .sectors = (uint32_t)(len / ss),
			                               .phys = bounce ? used[n]->pa : phys + off };
			d->in_flight++;
			n++;
			off += len;
		}
		mutex_unlock(&d->lock);
		for (unsigned i = 0; i < n; i++) {
			if (bounce && op == DISK_WRITE)
				memcpy(used[i]->va, (char *)buf + batch_off + (size_t)i * piece, (size_t)rq[i].sectors * ss);
			d->driver->submit(&rq[i]);
		}
		mutex_lock(&d->lock);
		for (unsigned i = 0; i < n; i++) {
			while (!rq[i].done)
				cond_wait(&d->changed, &d->lock);
			if (rq[i].status != D_SUCCESS && err == D_SUCCESS)
				err = rq[i].status;
		}
		mutex_unlock(&d->lock);
		for (unsigned i = 0; i < n && bounce && op == DISK_READ && err == D_SUCCESS; i++)
			memcpy((char *)buf + batch_off + (size_t)i * piece, used[i]->va, (size_t)rq[i].sectors * ss);
		if (bounce) {
			mutex_lock(&d->lock);
			for (unsigned i = 0; i < n; i++) {
				used[i]->next = d->bounce;
				d->bounce = used[i];
			}
			cond_broadcast(&d->changed);
			mutex_unlock(&d->lock);
		}
	}
	return err;
}

kern_return_t disk_flush(struct disk *d)
{
	if (!d->info.can_flush)
		return D_SUCCESS;        /* no write cache to flush */
	struct disk_request r = { .disk = d, .op = DISK_FLUSH };
	mutex_lock(&d->lock);
	while (!can_start(d, 0))
		cond_wait(&d->changed, &d->lock);
	d->in_flight++;
	mutex_unlock(&d->lock);
	d->driver->submit(&r);
	mutex_lock(&d->lock);
	while (!r.done)
		cond_wait(&d->changed, &d->lock);
	mutex_unlock(&d->lock);
	return r.status;
}

kern_return_t disk_read_bytes(struct disk *d, uint64_t offset, void *buf, size_t bytes)
{
	uint32_t ss = d->info.sector_size;
	if (offset % ss == 0 && bytes % ss == 0)
		return disk_io(d, DISK_READ, offset / ss, buf, 0, bytes);
	uint64_t first = offset / ss * ss;
	size_t whole = (size_t)((offset + bytes + ss - 1) / ss * ss - first);
	char *tmp = malloc(whole);
	if (!tmp)
		return D_NO_MEMORY;
	kern_return_t r = disk_io(d, DISK_READ, first / ss, tmp, 0, whole);
	if (r == D_SUCCESS)
		memcpy(buf, tmp + (offset - first), bytes);
	free(tmp);
	return r;
}

/* --- finding disks and their partitions ---------------------------------- */

static int read_sectors(void *ctx, uint64_t lba, unsigned count, void *buf)
{
	struct disk *d = ctx;
	return lba + count <= d->info.sectors
	       && disk_io(d, DISK_READ, lba, buf, 0, (size_t)count * d->info.sector_size) == D_SUCCESS ? 0 : -1;
}

/* Reads disk I's partition table and says what it found.  A table counts in
 * the disk's own sectors (4 KiB ones on a 4Kn disk); partitions are kept in
 * the protocol's 512-byte records. */
static void find_partitions(unsigned i)
{
	struct part_table *t = &tables[i];
	uint32_t ss = disks[i].info.sector_size;
	if (part_read_table_sized(read_sectors, &disks[i], disks[i].info.sectors, ss, t) == PART_NONE) {
		say("%s: no partition table (%s): whole-disk access only", disks[i].name, t->why);
		return;
	}
	for (unsigned p = 0; p < t->n; p++) {
		t->parts[p].start *= ss / 512;
		t->parts[p].count *= ss / 512;
	}
	char line[160];
	int k = snprintf(line, sizeof line, "%s: %s,", disks[i].name, t->scheme == PART_MBR ? "MBR" : "GPT");
	for (unsigned p = 0; p < t->n && k < (int)sizeof line; p++) {
		if (k > 100) {
			say("%s", line);
			k = snprintf(line, sizeof line, "%s:", disks[i].name);
		}
		k += snprintf(line + k, sizeof line - k, " %ss%u (%llu+%llu)", disks[i].name, t->parts[p].number,
		              (unsigned long long)t->parts[p].start, (unsigned long long)t->parts[p].count);
	}
	say("%s", line);
	if (t->why[0])
		say("%s: %s", disks[i].name, t->why);
}

static void describe(const struct disk *d)
{
	const struct disk_info *in = &d->info;
	char size[24] = "";
	if (in->sector_size != 512)
		snprintf(size, sizeof size, " of %u bytes", (unsigned)in->sector_size);
	say("%s: %s, %llu sectors%s (%llu MiB), %s%s, %s", d->name, in->where, (unsigned long long)in->sectors,
	    size, (unsigned long long)((in->sectors * in->sector_size) >> 20),
	    in->read_only ? "read-only" : "read-write", in->can_flush ? ", flush" : "",
	    in->polling ? "polled" : "interrupts");
}

/* Gives each driver the functions it matches, then reads the partition
 * tables of the disks they reported. */
void disks_find(mach_port_t pci)
{
	for (unsigned k = 0; disk_drivers[k]; k++) {
		const struct disk_driver *drv = disk_drivers[k];
		for (unsigned n = 0; n < 64; n++) {
			mach_port_t fn;
			/* a rule's "any" is 0xffffffff, the protocol's 0xffff */
			kern_return_t r = pci_open_match(pci, drv->match.class, drv->match.class_mask,
			                                 drv->match.vendor & 0xffff, drv->match.device & 0xffff, n, &fn);
			if (r == D_NO_SUCH_DEVICE)
				break;
			if (r == KERN_NO_ACCESS) {       /* this one is not ours: the arbiter says why */
				say("%s: match %u of those the arbiter shows is refused (%s); the arbiter says why",
				    drv->name, n, mach_error_name(r));
				continue;
			}
			if (r) {
				say("%s: asking the arbiter for function %u: %s", drv->name, n, mach_error_name(r));
				break;
			}
			struct pci_wire_func info = { 0 };
			const char *what = "reading its BARs";
			unsigned before = ndisks;
			if ((r = pci_get_regions(fn, &info)) == KERN_SUCCESS)
				r = drv->probe(fn, &info, &what);
			if (r) {
				say("%s at %02x:%02x.%x: skipped: %s: %s", drv->name, info.bus, info.dev, info.fn,
				    what, mach_error_name(r));
				continue;
			}
			for (unsigned i = before; i < ndisks; i++) {
				describe(&disks[i]);
				find_partitions(i);
			}
		}
	}
}
