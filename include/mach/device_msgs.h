/* Wire layouts of the Mach device protocol (device.defs, subsystem 2800) as
 * i386 lays them out.  The kernel answers these on its device master port and
 * devices; the project's disk server answers the very same layouts, and the
 * client stubs in lib/mach/device.c send them.  Definitions as
 * include/mach/defs.h describes. */
#ifndef MACH_DEVICE_MSGS_H
#define MACH_DEVICE_MSGS_H

#include "mach/defs.h"

enum {
	ID_DEVICE_OPEN = 2800, ID_DEVICE_CLOSE = 2801, ID_DEVICE_WRITE = 2802,
	ID_DEVICE_WRITE_INBAND = 2803, ID_DEVICE_READ = 2804, ID_DEVICE_READ_INBAND = 2805,
	ID_DEVICE_MAP = 2809, ID_DEVICE_SET_STATUS = 2810, ID_DEVICE_GET_STATUS = 2811,
	ID_DEVICE_INTR_REGISTER = 2813, ID_DEVICE_INTR_ACK = 2814,
};

#define DEV_NAME_MAX    128   /* dev_name_t: STRING_C of 8*128 bits, long form */
#define DEV_INBAND_MAX  128   /* io_buf_ptr_inband_t: array[*:128] of char */

/* device_open, on the device master port */
#define DEVICE_MASTER_ROUTINES(R) \
	R(device_open, ID_DEVICE_OPEN, ROUTINE)
#define device_open_REQUEST(F)  F(INT32, 1, mode) F(STRING, DEV_NAME_MAX, name)
#define device_open_REPLY(F)    F(SEND, 1, device)

/* the calls a terminal answers too (servers/term) */
#define DEVICE_INBAND_ROUTINES(R) \
	R(device_read_inband, ID_DEVICE_READ_INBAND, ROUTINE) \
	R(device_write_inband, ID_DEVICE_WRITE_INBAND, ROUTINE)
#define device_read_inband_REQUEST(F)  F(INT32, 1, mode) F(INT32, 1, recnum) F(INT32, 1, bytes)
#define device_read_inband_REPLY(F)    F(CHARS, DEV_INBAND_MAX, data)
#define device_write_inband_REQUEST(F) F(INT32, 1, mode) F(INT32, 1, recnum) F(CHARS, DEV_INBAND_MAX, data)
#define device_write_inband_REPLY(F)   F(INT32, 1, written)

/* the rest of what an opened disk answers */
#define DEVICE_IO_ROUTINES(R) \
	R(device_close, ID_DEVICE_CLOSE, ROUTINE) \
	R(device_write, ID_DEVICE_WRITE, ROUTINE) \
	R(device_read, ID_DEVICE_READ, ROUTINE) \
	R(device_set_status, ID_DEVICE_SET_STATUS, ROUTINE) \
	R(device_get_status, ID_DEVICE_GET_STATUS, ROUTINE)
#define device_close_REQUEST(F)
#define device_close_REPLY(F)
#define device_write_REQUEST(F)      F(INT32, 1, mode) F(INT32, 1, recnum) F(OOL, MSG_OOL_MAX, data)
#define device_write_REPLY(F)        F(INT32, 1, written)
#define device_read_REQUEST(F)       F(INT32, 1, mode) F(INT32, 1, recnum) F(INT32, 1, bytes)
#define device_read_REPLY(F)         F(OOL, MSG_OOL_MAX, data)
#define device_set_status_REQUEST(F) F(INT32, 1, flavor) F(INTS, MSG_INT_ARRAY_MAX, status)
#define device_set_status_REPLY(F)
#define device_get_status_REQUEST(F) F(INT32, 1, flavor) F(INT32, 1, count)
#define device_get_status_REPLY(F)   F(INTS, MSG_INT_ARRAY_MAX, status)

/* what only the kernel answers: its mem and irq devices */
#define DEVICE_KERNEL_ROUTINES(R) \
	R(device_map, ID_DEVICE_MAP, ROUTINE) \
	R(device_intr_register, ID_DEVICE_INTR_REGISTER, ROUTINE) \
	R(device_intr_ack, ID_DEVICE_INTR_ACK, ROUTINE)
#define device_map_REQUEST(F)  F(INT32, 1, prot) F(INT32, 1, offset) F(INT32, 1, size) F(INT32, 1, unmap)
#define device_map_REPLY(F)    F(SEND, 1, pager)
#define device_intr_register_REQUEST(F) F(INT32, 1, id) F(INT32, 1, flags) F(SEND, 1, receive_port)
#define device_intr_register_REPLY(F)
#define device_intr_ack_REQUEST(F) F(SEND, 1, receive_port)
#define device_intr_ack_REPLY(F)

#define DEVICE_ROUTINES(R) DEVICE_MASTER_ROUTINES(R) DEVICE_INBAND_ROUTINES(R) \
	DEVICE_IO_ROUTINES(R) DEVICE_KERNEL_ROUTINES(R)
MSG_DECLARE(DEVICE_ROUTINES)

MSG_LAYOUT(device_open_request_t, 172);
MSG_LAYOUT(device_read_inband_reply_t, 164);
MSG_LAYOUT(device_write_request_t, 56);
MSG_LAYOUT(device_write_inband_request_t, 172);
MSG_LAYOUT(device_get_status_reply_t, 36 + 4 * MSG_INT_ARRAY_MAX);
MSG_LAYOUT(device_set_status_request_t, 36 + 4 * MSG_INT_ARRAY_MAX);

#endif
