/* The terminal protocol (subsystem 50000): what the terminal server (servers/term)
 * answers on the terminal port that every program finds as descriptors 0-2.
 * Data travel with the Mach device protocol's device_read_inband and
 * device_write_inband (mach/device_msgs.h), the very calls the kernel's
 * console answers, so a program reads and writes a terminal as it would the
 * console; these routines add what a terminal has beyond that.
 * docs/term-protocol.md describes it; this is the one definition of its
 * messages (as include/mach/defs.h describes).  Return codes are errno
 * values (fs/errno.h). */
#ifndef TERM_PROTO_H
#define TERM_PROTO_H

#include "mach/kernel_msgs.h"

enum {
	ID_TERM_GET_MODE       = 50000,   /* -> mode (TERM_MODE_*) */
	ID_TERM_SET_MODE       = 50001,   /* mode -> nothing */
	ID_TERM_SET_FOREGROUND = 50002,   /* process group (0: none) -> nothing */
};

/* Mode bits, as termios's c_lflag would have them. */
enum {
	TERM_MODE_CANON = 1,    /* input by edited lines; else byte by byte */
	TERM_MODE_ECHO  = 2,    /* typed characters are echoed */
	TERM_MODE_ISIG  = 4,    /* ^C interrupts the foreground process group */
	TERM_MODE_ALL   = 7,
};

#define TERM_ROUTINES(R) \
	R(term_get_mode, ID_TERM_GET_MODE, ROUTINE) \
	R(term_set_mode, ID_TERM_SET_MODE, ROUTINE) \
	R(term_set_foreground, ID_TERM_SET_FOREGROUND, ROUTINE)
#define term_get_mode_REQUEST(F)
#define term_get_mode_REPLY(F)        F(INT32, 1, mode)
#define term_set_mode_REQUEST(F)      F(INT32, 1, mode)
#define term_set_mode_REPLY(F)
/* pgrp: the process group, 0 for none */
#define term_set_foreground_REQUEST(F) F(INT32, 1, pgrp)
#define term_set_foreground_REPLY(F)
MSG_DECLARE(TERM_ROUTINES)
_Static_assert(sizeof(term_get_mode_request_t) == 24, "a bare request");
_Static_assert(sizeof(term_get_mode_reply_t) == 40, "return code and one word");
_Static_assert(sizeof(term_set_mode_request_t) == 32, "one word");

#endif
