/* The chain protocol (subsystem 46000): what every stage of the boot chain
 * answers on the port it hands to the next stage as that stage's bootstrap
 * port, next to the stage's own service.  docs/chain-protocol.md describes
 * it; this is the one definition of its messages (as include/mach/defs.h
 * describes), used by both sides. */
#ifndef CHAIN_PROTO_H
#define CHAIN_PROTO_H

#include "mach/kernel_msgs.h"

enum {
	ID_CHAIN_GET_CONSOLE = 46000,   /* -> a send right to the console device */
	ID_CHAIN_REPORT      = 46001,   /* status, stage name, text -> ret */
	ID_CHAIN_PATH        = 46002,   /* -> the names of the stages above, root first */
	ID_CHAIN_HALT        = 46003,   /* flush and end the machine -> ret */
	ID_CHAIN_GET_PCI     = 46004,   /* -> a send right that lists PCI functions and opens none */
	ID_CHAIN_INSTANCE    = 46005,   /* -> which start of the asking stage this is: 1, then 2.. on restarts */
};

/* CHAIN_WAITING: the stage waits for a person at the console (a prompt it
 * has printed), which is no stall */
enum { CHAIN_READY = 0, CHAIN_FAILED = 1, CHAIN_WAITING = 2 };

#define CHAIN_NAME_MAX 32
#define CHAIN_TEXT_MAX 256

#define CHAIN_ROUTINES(R) \
	R(chain_get_console, ID_CHAIN_GET_CONSOLE, ROUTINE) \
	R(chain_report, ID_CHAIN_REPORT, ROUTINE) \
	R(chain_path, ID_CHAIN_PATH, ROUTINE) \
	R(chain_halt, ID_CHAIN_HALT, ROUTINE) \
	R(chain_get_pci, ID_CHAIN_GET_PCI, ROUTINE) \
	R(chain_instance, ID_CHAIN_INSTANCE, ROUTINE)
#define chain_get_console_REQUEST(F)
#define chain_get_console_REPLY(F)  F(SEND, 1, console)
#define chain_report_REQUEST(F)     F(INT32, 1, status) F(STRING, CHAIN_NAME_MAX, name) \
	F(STRING, CHAIN_TEXT_MAX, text)
#define chain_report_REPLY(F)
#define chain_path_REQUEST(F)
#define chain_path_REPLY(F)         F(STRING, CHAIN_TEXT_MAX, path)
#define chain_halt_REQUEST(F)
#define chain_halt_REPLY(F)
#define chain_get_pci_REQUEST(F)
#define chain_get_pci_REPLY(F)      F(SEND, 1, pci)
#define chain_instance_REQUEST(F)
#define chain_instance_REPLY(F)     F(INT32, 1, instance)
MSG_DECLARE(CHAIN_ROUTINES)
MSG_LAYOUT(chain_report_request_t, 344);
MSG_LAYOUT(chain_path_reply_t, 300);

#endif
