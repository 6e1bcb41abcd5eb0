/* The disk drivers, in the order they are probed: disks are named in this
 * order, and within a driver in PCI order. */
#include "driver.h"

const struct disk_driver *const disk_drivers[] = {
	&virtio_blk_driver,
	&ahci_driver,
	&nvme_driver,
	NULL,
};
