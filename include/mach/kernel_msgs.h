/* Wire layouts of the kernel RPCs the chain uses (mach, mach_port, mach_host,
 * gnumach and mach_i386 subsystems), as i386 lays them out.  Ids are
 * subsystem base + position in Debian gnumach-dev's .defs, skips counted.
 * Layouts of the same shape are shared and named by shape. */
#ifndef MACH_KERNEL_MSGS_H
#define MACH_KERNEL_MSGS_H

#include "mach/msg.h"

enum {
	ID_TASK_CREATE = 2007, ID_TASK_TERMINATE = 2008, ID_TASK_THREADS = 2011, ID_TASK_INFO = 2012,
	ID_THREAD_TERMINATE = 2016, ID_THREAD_GET_STATE = 2017, ID_THREAD_SET_STATE = 2018,
	ID_VM_ALLOCATE = 2021, ID_VM_DEALLOCATE = 2023, ID_VM_PROTECT = 2024,
	ID_VM_READ = 2026, ID_VM_WRITE = 2027, ID_VM_COPY = 2028, ID_VM_REGION = 2029, ID_VM_STATISTICS = 2030,
	ID_TASK_SUSPEND = 2056, ID_TASK_RESUME = 2057, ID_TASK_GET_SPECIAL_PORT = 2058,
	ID_TASK_SET_SPECIAL_PORT = 2059, ID_THREAD_CREATE = 2061, ID_THREAD_SUSPEND = 2062, ID_THREAD_RESUME = 2063,
	ID_THREAD_ABORT = 2064,
	ID_VM_MAP = 2089, ID_MEMORY_OBJECT_DATA_ERROR = 2090, ID_MEMORY_OBJECT_READY = 2094,
	ID_MEMORY_OBJECT_INIT = 2200, ID_MEMORY_OBJECT_DATA_REQUEST = 2203,
	ID_EXCEPTION_RAISE = 2400,
	ID_HOST_GET_TIME = 2634, ID_HOST_REBOOT = 2635,
	ID_MACH_PORT_NAMES = 3200, ID_MACH_PORT_TYPE = 3201, ID_MACH_PORT_ALLOCATE = 3204, ID_MACH_PORT_DESTROY = 3205, ID_MACH_PORT_DEALLOCATE = 3206,
	ID_MACH_PORT_MOD_REFS = 3208, ID_MACH_PORT_MOVE_MEMBER = 3213,
	ID_MACH_PORT_REQUEST_NOTIFICATION = 3214, ID_MACH_PORT_INSERT_RIGHT = 3215,
	ID_MACH_PORT_EXTRACT_RIGHT = 3216,
	ID_I386_IO_PERM_CREATE = 3805, ID_I386_IO_PERM_MODIFY = 3806,
	ID_TASK_SET_NAME = 4202, ID_GSYNC_WAIT = 4204, ID_GSYNC_WAKE = 4205,
	ID_VM_ALLOCATE_CONTIGUOUS = 4210, ID_TASK_SET_ESSENTIAL = 4211,
};

/* One typed 32-bit argument. */
typedef struct { mach_msg_type_t type; natural_t v; } msg_word_t;
typedef struct { mach_msg_type_t type; rpc_u64 v; } msg_dword_t;
typedef struct { mach_msg_type_t type; mach_port_t name; } msg_port_t;
/* Out-of-line data: long-form descriptor and the region's address. */
typedef struct { mach_msg_type_long_t type; vm_offset_t addr; } msg_ool_t;
MSG_LAYOUT(msg_word_t, 8);
MSG_LAYOUT(msg_dword_t, 12);
MSG_LAYOUT(msg_ool_t, 16);

/* Requests by shape: a header and N typed words (ports count as words). */
typedef struct { mach_msg_header_t head; } req0_t;
typedef struct { mach_msg_header_t head; msg_word_t a; } req1_t;
typedef struct { mach_msg_header_t head; msg_word_t a, b; } req2_t;
typedef struct { mach_msg_header_t head; msg_word_t a, b, c; } req3_t;
typedef struct { mach_msg_header_t head; msg_word_t a, b, c, d; } req4_t;
typedef struct { mach_msg_header_t head; msg_word_t a, b, c, d, e; } req5_t;
MSG_LAYOUT(req0_t, 24); MSG_LAYOUT(req1_t, 32); MSG_LAYOUT(req2_t, 40);
MSG_LAYOUT(req3_t, 48);  MSG_LAYOUT(req4_t, 56); MSG_LAYOUT(req5_t, 64);

/* Replies by shape: the return code and then one typed word or port. */
typedef struct { mig_reply_header_t h; msg_word_t a; } rep1_t;
typedef struct { mig_reply_header_t h; mach_msg_type_t type; integer_t v[2]; } rep_time_t; /* time_value */
typedef struct { mig_reply_header_t h; msg_ool_t data; } rep_ool_t;
MSG_LAYOUT(rep1_t, 40);
MSG_LAYOUT(rep_ool_t, 48);
MSG_LAYOUT(rep_time_t, 44);
/* vm_statistics_data_t: struct[13] of integer_t */
typedef struct { mig_reply_header_t h; mach_msg_type_t type; integer_t v[VM_STATISTICS_COUNT]; } rep_vm_statistics_t;
MSG_LAYOUT(rep_vm_statistics_t, 88);

/* A variable array of up to 1024 integers: task_info, thread_get_state,
 * device_get_status replies; thread_set_state, device_set_status requests. */
#define MSG_INT_ARRAY_MAX 1024
typedef struct { mig_reply_header_t h; mach_msg_type_t type; integer_t v[MSG_INT_ARRAY_MAX]; } rep_ints_t;
typedef struct { mach_msg_header_t head; msg_word_t flavor; mach_msg_type_t type; integer_t v[MSG_INT_ARRAY_MAX]; } req_flavor_ints_t;
MSG_LAYOUT(rep_ints_t, 36 + 4 * MSG_INT_ARRAY_MAX);
MSG_LAYOUT(req_flavor_ints_t, 36 + 4 * MSG_INT_ARRAY_MAX);

/* task_set_name: a C string of at most 64 bytes, inline. */
#define TASK_NAME_MAX 64
typedef struct { mach_msg_header_t head; mach_msg_type_t type; char name[TASK_NAME_MAX]; } req_task_set_name_t;
MSG_LAYOUT(req_task_set_name_t, 92);

/* vm_map: ten arguments, the sixth a memory object port. */
typedef struct {
	mach_msg_header_t head;
	msg_word_t addr, size, mask, anywhere;
	msg_port_t memobj;
	msg_word_t offset, copy, cur, max, inherit;
} req_vm_map_t;
MSG_LAYOUT(req_vm_map_t, 104);

typedef struct { mach_msg_header_t head; msg_word_t addr; msg_ool_t data; } req_vm_write_t;
MSG_LAYOUT(req_vm_write_t, 48);

typedef struct {
	mach_msg_header_t head;
	msg_port_t task;
	msg_word_t size;
	msg_dword_t pmin, pmax, palign;
} req_vm_allocate_contiguous_t;
typedef struct { mig_reply_header_t h; msg_word_t vaddr; msg_dword_t paddr; } rep_vm_allocate_contiguous_t;
MSG_LAYOUT(req_vm_allocate_contiguous_t, 76);
MSG_LAYOUT(rep_vm_allocate_contiguous_t, 52);

/* The external memory management protocol, as a program that serves a
 * memory object sees it (memory_object.defs; the calls back on the control
 * port are in mach.defs).  The kernel sends memory_object_init when the
 * object is first mapped and memory_object_data_request for each page it
 * needs; the pager answers on the control port.  Only tests use it: a
 * program that pages its own memory to attack the servers it sends it to. */
typedef struct {
	mach_msg_header_t head;
	msg_port_t control, name;                 /* PORT_SEND each */
	msg_word_t page_size;
} memory_object_init_request_t;
MSG_LAYOUT(memory_object_init_request_t, 48);
typedef struct {
	mach_msg_header_t head;
	msg_port_t control;                       /* PORT_SEND */
	msg_word_t offset, length, access;
} memory_object_data_request_t;
MSG_LAYOUT(memory_object_data_request_t, 56);
typedef struct {
	mach_msg_header_t head;
	msg_word_t may_cache, copy_strategy;      /* BOOLEAN, INTEGER_32 */
} memory_object_ready_request_t;
MSG_LAYOUT(memory_object_ready_request_t, 40);
typedef struct {
	mach_msg_header_t head;
	msg_word_t offset, size, error;           /* the pages fail with ERROR */
} memory_object_data_error_request_t;
MSG_LAYOUT(memory_object_data_error_request_t, 48);
#define MEMORY_OBJECT_COPY_DELAY 2

/* exception_raise (exc.defs), which the kernel sends to a task's exception
 * port when one of its threads faults; the reply's return code other than
 * KERN_SUCCESS leaves the thread to the kernel, which ends the task. */
typedef struct {
	mach_msg_header_t head;
	msg_port_t thread, task;                  /* PORT_SEND */
	msg_word_t exception, code, subcode;      /* EXC_*, and machine-dependent detail */
} exception_raise_request_t;
MSG_LAYOUT(exception_raise_request_t, 64);

#endif
