/* The chain protocol (subsystem 46000): what every stage of the boot chain
 * answers on the port it hands to the next stage as that stage's bootstrap
 * port, next to the stage's own service.  docs/chain-protocol.md describes
 * it; this is the one definition of its messages, used by both sides. */
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

typedef req0_t chain_get_console_request_t;
typedef rep1_t chain_get_console_reply_t;     /* the console: PORT_SEND */

typedef struct {
	mach_msg_header_t head;
	msg_word_t status;
	mach_msg_type_long_t name_type;           /* STRING_C, 8*32 bits, 1 */
	char name[CHAIN_NAME_MAX];
	mach_msg_type_long_t text_type;           /* STRING_C, 8*256 bits, 1 */
	char text[CHAIN_TEXT_MAX];
} chain_report_request_t;
MSG_LAYOUT(chain_report_request_t, 344);

typedef req0_t chain_path_request_t;
typedef struct {
	mig_reply_header_t h;
	mach_msg_type_long_t path_type;           /* STRING_C, 8*256 bits, 1 */
	char path[CHAIN_TEXT_MAX];
} chain_path_reply_t;
MSG_LAYOUT(chain_path_reply_t, 300);

typedef req0_t chain_halt_request_t;
typedef req0_t chain_get_pci_request_t;
typedef rep1_t chain_get_pci_reply_t;         /* PORT_SEND */
typedef req0_t chain_instance_request_t;
typedef rep1_t chain_instance_reply_t;        /* INTEGER_32 */

#endif
