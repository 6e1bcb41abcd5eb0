/* The registry of option tables: add a line when adding a program. */
#include <string.h>
#include "programs.h"
#include "../../tests/boot/progs/chainlink_options.h"
#include "../../tests/boot/progs/badclient_options.h"
#include "../../tests/boot/progs/hello_options.h"
#include "../../servers/pci-arbiter/options.h"
#include "../../tests/boot/progs/pcitest_options.h"
#include "../../servers/diskdrv/options.h"
#include "../../tests/boot/progs/disktest_options.h"
#include "../../tests/boot/progs/diskbench_options.h"
#include "../../servers/ext2fs/options.h"
#include "../../servers/exec/options.h"
#include "../../tests/boot/progs/fstest_options.h"
#include "../../tests/boot/progs/fsbench_options.h"

#define PROGRAM(name) { #name, name##_options, OPTIONS_COUNT(name##_options), 0 }
#define SERVER(name)  { #name, name##_options, OPTIONS_COUNT(name##_options), 1 }

static const struct program programs[] = {
	PROGRAM(chainlink),
	PROGRAM(badclient),
	PROGRAM(hello),
	{ "pci-arbiter", pci_arbiter_options, OPTIONS_COUNT(pci_arbiter_options), 1 },
	{ "kcalls", hello_options, OPTIONS_COUNT(hello_options), 0 },
	{ "srvtest", hello_options, OPTIONS_COUNT(hello_options), 0 },
	{ "coninput", hello_options, OPTIONS_COUNT(hello_options), 0 },
	PROGRAM(pcitest),
	SERVER(diskdrv),
	PROGRAM(disktest),
	PROGRAM(diskbench),
	SERVER(ext2fs),
	PROGRAM(exec),
	PROGRAM(fstest),
	PROGRAM(fsbench),
};

const struct program *program_find(const char *name)
{
	for (size_t i = 0; i < OPTIONS_COUNT(programs); i++)
		if (strcmp(programs[i].name, name) == 0)
			return &programs[i];
	return NULL;
}
