/* The options every stage of the chain accepts.  Plain data: the stages
 * parse with these tables and the host tool bootchain checks boot
 * configurations against the very same tables. */
#ifndef CHAIN_OPTIONS_H
#define CHAIN_OPTIONS_H

#include "rt/options.h"

/* Option slots every stage shares; a program's own options use the others. */
enum {
	SLOT_HOST_PRIV, SLOT_DEVICE_MASTER, SLOT_NEXT_TASK, SLOT_STALL_TIMEOUT,
	SLOT_CHAIN_FIRST_FREE
};

/* A program's table starts with these and adds its own, including its
 * seed-specific name for the next task (--disk-server-task,
 * --fs-server-task, --exec-server-task) as an OPT_TASK in SLOT_NEXT_TASK.
 * The last stage (exec) starts no task: its table starts with
 * CHAIN_LAST_OPTIONS, so that a --next-task is refused by name, by
 * bootchain before the boot and by the stage at boot. */
#define CHAIN_LAST_OPTIONS \
	{ "host-priv-port", OPT_PORT, SLOT_HOST_PRIV, "the host privilege port (${host-port})" }, \
	{ "device-master-port", OPT_PORT, SLOT_DEVICE_MASTER, "the kernel's device master port (${device-port})" }
#define CHAIN_OPTIONS \
	CHAIN_LAST_OPTIONS, \
	{ "next-task", OPT_TASK, SLOT_NEXT_TASK, "the task to hand this stage's port to and resume" }, \
	{ "stall-timeout", OPT_NUM, SLOT_STALL_TIMEOUT, "seconds to wait for the next stage's report before naming it (default 5)" }

#define OPTIONS_COUNT(t) (sizeof (t) / sizeof (t)[0])

#endif
