/* PRP entries and lists (include/nvme/nvme.h).  Only the first entry may
 * start inside a page; every further one is a page's base address.  PRP2 is
 * the second page itself when the data ends there, else a list; a list page
 * that is not the last one gives its final slot to the next page's address. */
#include "nvme/nvme.h"

/* Pages the data touches after the first one. */
static size_t further_pages(uint64_t phys, size_t len, unsigned page)
{
	size_t first = page - (size_t)(phys & (page - 1));
	return len <= first ? 0 : (len - first + page - 1) / page;
}

unsigned nvme_prp_list_pages(uint64_t phys, size_t len, unsigned page)
{
	size_t n = further_pages(phys, len, page), per = page / 8;
	if (n <= 1)
		return 0;
	/* each full list page holds per - 1 entries and a chain pointer; the
	 * last one holds up to per entries */
	return n <= per ? 1 : (unsigned)(1 + (n - per + (per - 1) - 1) / (per - 1));
}

int nvme_prp_build(struct nvme_sqe *c, uint64_t phys, size_t len, unsigned page,
                   uint64_t *list, uint64_t list_phys, unsigned npages)
{
	if ((phys & 3) || len == 0 || (len & 3))
		return -1;
	size_t n = further_pages(phys, len, page), per = page / 8;
	c->prp1 = phys;
	uint64_t next = (phys & ~(uint64_t)(page - 1)) + page;   /* the second page */
	if (n == 0) {
		c->prp2 = 0;
		return 0;
	}
	if (n == 1) {
		c->prp2 = next;
		return 0;
	}
	if (nvme_prp_list_pages(phys, len, page) > npages)
		return -1;
	c->prp2 = list_phys;
	size_t slot = 0;          /* index into LIST, page after page */
	for (size_t k = 0; k < n; k++, next += page) {
		if (slot % per == per - 1 && n - k > 1) {
			/* the last slot of a list page, and more than one entry left */
			list[slot] = list_phys + (slot + 1) * 8;
			slot++;
		}
		list[slot++] = next;
	}
	return 0;
}
