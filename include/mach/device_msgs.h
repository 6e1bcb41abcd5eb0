/* Wire layouts of the Mach device protocol (device.defs, subsystem 2800) as
 * i386 lays them out.  The kernel answers these on its device master port and
 * devices; the project's disk server answers the very same layouts, and the
 * client stubs in lib/mach/device.c send them. */
#ifndef MACH_DEVICE_MSGS_H
#define MACH_DEVICE_MSGS_H

#include "mach/kernel_msgs.h"

enum {
	ID_DEVICE_OPEN = 2800, ID_DEVICE_CLOSE = 2801, ID_DEVICE_WRITE = 2802,
	ID_DEVICE_WRITE_INBAND = 2803, ID_DEVICE_READ = 2804, ID_DEVICE_READ_INBAND = 2805,
	ID_DEVICE_MAP = 2809, ID_DEVICE_SET_STATUS = 2810, ID_DEVICE_GET_STATUS = 2811,
	ID_DEVICE_INTR_REGISTER = 2813, ID_DEVICE_INTR_ACK = 2814,
};

#define DEV_NAME_MAX    128   /* dev_name_t: STRING_C of 8*128 bits, long form */
#define DEV_INBAND_MAX  128   /* io_buf_ptr_inband_t: array[*:128] of char */

typedef struct {
	mach_msg_header_t head;
	msg_word_t mode;
	mach_msg_type_long_t name_type;
	char name[DEV_NAME_MAX];
} device_open_request_t;
MSG_LAYOUT(device_open_request_t, 172);
typedef rep1_t device_open_reply_t;          /* the device: PORT_SEND */

/* device_read, device_read_inband: mode, recnum, bytes wanted */
typedef req3_t device_read_request_t;
typedef rep_ool_t device_read_reply_t;
typedef struct {
	mig_reply_header_t h;
	mach_msg_type_t data_type;               /* CHAR, 8, count */
	char data[DEV_INBAND_MAX];
} device_read_inband_reply_t;
MSG_LAYOUT(device_read_inband_reply_t, 164);

typedef struct {
	mach_msg_header_t head;
	msg_word_t mode, recnum;
	msg_ool_t data;
} device_write_request_t;
MSG_LAYOUT(device_write_request_t, 56);
typedef struct {
	mach_msg_header_t head;
	msg_word_t mode, recnum;
	mach_msg_type_t data_type;
	char data[DEV_INBAND_MAX];
} device_write_inband_request_t;
MSG_LAYOUT(device_write_inband_request_t, 172);
typedef rep1_t device_write_reply_t;         /* bytes written: INTEGER_32 */

/* device_get_status: flavor, the most the caller takes; an int array back */
typedef req2_t device_get_status_request_t;
typedef rep_ints_t device_get_status_reply_t;
typedef req_flavor_ints_t device_set_status_request_t;

/* device_map: prot, offset, size, unmap; a memory object back */
typedef req4_t device_map_request_t;
typedef rep1_t device_map_reply_t;

/* device_intr_register: id, flags, a send right for the notifications */
typedef req3_t device_intr_register_request_t;
typedef req1_t device_intr_ack_request_t;

#endif
