/* Wire layouts of the kernel RPCs the chain uses (mach, mach_port, mach_host,
 * gnumach and mach_i386 subsystems), as i386 lays them out.  Ids are
 * subsystem base + position in Debian gnumach-dev's .defs, skips counted
 * (tests/unit/defs_ids.sh).  Each routine is defined once below, as
 * include/mach/defs.h describes; the shapes by number of words (req1_t, ...)
 * are for tests that forge messages. */
#ifndef MACH_KERNEL_MSGS_H
#define MACH_KERNEL_MSGS_H

#include "mach/msg.h"
#include "mach/defs.h"

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

/* A variable array of up to 1024 integers: task_info, thread_get_state,
 * device_get_status replies; thread_set_state, device_set_status requests. */
#define MSG_INT_ARRAY_MAX 1024
typedef struct { mig_reply_header_t h; mach_msg_type_t type; integer_t v[MSG_INT_ARRAY_MAX]; } rep_ints_t;
typedef struct { mach_msg_header_t head; msg_word_t flavor; mach_msg_type_t type; integer_t v[MSG_INT_ARRAY_MAX]; } req_flavor_ints_t;
MSG_LAYOUT(rep_ints_t, 36 + 4 * MSG_INT_ARRAY_MAX);
MSG_LAYOUT(req_flavor_ints_t, 36 + 4 * MSG_INT_ARRAY_MAX);

#define TASK_NAME_MAX 64

/* The kernel's routines the project calls (lib/mach). */
#define KERNEL_ROUTINES(R) \
	R(task_create, ID_TASK_CREATE, ROUTINE) \
	R(task_terminate, ID_TASK_TERMINATE, ROUTINE) \
	R(task_threads, ID_TASK_THREADS, ROUTINE) \
	R(task_info, ID_TASK_INFO, ROUTINE) \
	R(task_suspend, ID_TASK_SUSPEND, ROUTINE) \
	R(task_resume, ID_TASK_RESUME, ROUTINE) \
	R(task_get_special_port, ID_TASK_GET_SPECIAL_PORT, ROUTINE) \
	R(task_set_special_port, ID_TASK_SET_SPECIAL_PORT, ROUTINE) \
	R(task_set_name, ID_TASK_SET_NAME, SIMPLE) \
	R(task_set_essential, ID_TASK_SET_ESSENTIAL, SIMPLE) \
	R(thread_create, ID_THREAD_CREATE, ROUTINE) \
	R(thread_terminate, ID_THREAD_TERMINATE, ROUTINE) \
	R(thread_get_state, ID_THREAD_GET_STATE, ROUTINE) \
	R(thread_set_state, ID_THREAD_SET_STATE, ROUTINE) \
	R(thread_suspend, ID_THREAD_SUSPEND, ROUTINE) \
	R(thread_resume, ID_THREAD_RESUME, ROUTINE) \
	R(thread_abort, ID_THREAD_ABORT, ROUTINE) \
	R(vm_allocate, ID_VM_ALLOCATE, ROUTINE) \
	R(vm_deallocate, ID_VM_DEALLOCATE, ROUTINE) \
	R(vm_protect, ID_VM_PROTECT, ROUTINE) \
	R(vm_read, ID_VM_READ, ROUTINE) \
	R(vm_write, ID_VM_WRITE, ROUTINE) \
	R(vm_copy, ID_VM_COPY, ROUTINE) \
	R(vm_region, ID_VM_REGION, ROUTINE) \
	R(vm_statistics, ID_VM_STATISTICS, ROUTINE) \
	R(vm_map, ID_VM_MAP, ROUTINE) \
	R(vm_allocate_contiguous, ID_VM_ALLOCATE_CONTIGUOUS, ROUTINE) \
	R(host_get_time, ID_HOST_GET_TIME, ROUTINE) \
	R(host_reboot, ID_HOST_REBOOT, ROUTINE) \
	R(mach_port_names, ID_MACH_PORT_NAMES, ROUTINE) \
	R(mach_port_type, ID_MACH_PORT_TYPE, ROUTINE) \
	R(mach_port_allocate, ID_MACH_PORT_ALLOCATE, ROUTINE) \
	R(mach_port_destroy, ID_MACH_PORT_DESTROY, ROUTINE) \
	R(mach_port_deallocate, ID_MACH_PORT_DEALLOCATE, ROUTINE) \
	R(mach_port_mod_refs, ID_MACH_PORT_MOD_REFS, ROUTINE) \
	R(mach_port_move_member, ID_MACH_PORT_MOVE_MEMBER, ROUTINE) \
	R(mach_port_request_notification, ID_MACH_PORT_REQUEST_NOTIFICATION, ROUTINE) \
	R(mach_port_insert_right, ID_MACH_PORT_INSERT_RIGHT, ROUTINE) \
	R(mach_port_extract_right, ID_MACH_PORT_EXTRACT_RIGHT, ROUTINE) \
	R(i386_io_perm_create, ID_I386_IO_PERM_CREATE, ROUTINE) \
	R(i386_io_perm_modify, ID_I386_IO_PERM_MODIFY, ROUTINE) \
	R(gsync_wait, ID_GSYNC_WAIT, ROUTINE) \
	R(gsync_wake, ID_GSYNC_WAKE, SIMPLE)

#define task_create_REQUEST(F)            F(BOOL, 1, inherit_memory)
#define task_create_REPLY(F)              F(SEND, 1, child)
#define task_terminate_REQUEST(F)
#define task_terminate_REPLY(F)
#define task_threads_REQUEST(F)
#define task_threads_REPLY(F)             F(OOL_SENDS, 0x100000, threads)
#define task_info_REQUEST(F)              F(INT32, 1, flavor) F(INT32, 1, count)
#define task_info_REPLY(F)                F(INTS, MSG_INT_ARRAY_MAX, info)
#define task_suspend_REQUEST(F)
#define task_suspend_REPLY(F)
#define task_resume_REQUEST(F)
#define task_resume_REPLY(F)
#define task_get_special_port_REQUEST(F)  F(INT32, 1, which)
#define task_get_special_port_REPLY(F)    F(SEND_OR_NULL, 1, port)
#define task_set_special_port_REQUEST(F)  F(INT32, 1, which) F(SEND_OR_NULL, 1, port)
#define task_set_special_port_REPLY(F)
#define task_set_name_REQUEST(F)          F(CSTRING, TASK_NAME_MAX, name)
#define task_set_name_REPLY(F)
#define task_set_essential_REQUEST(F)     F(BOOL, 1, essential)
#define task_set_essential_REPLY(F)
#define thread_create_REQUEST(F)
#define thread_create_REPLY(F)            F(SEND, 1, thread)
#define thread_terminate_REQUEST(F)
#define thread_terminate_REPLY(F)
#define thread_get_state_REQUEST(F)       F(INT32, 1, flavor) F(INT32, 1, count)
#define thread_get_state_REPLY(F)         F(INTS, MSG_INT_ARRAY_MAX, state)
#define thread_set_state_REQUEST(F)       F(INT32, 1, flavor) F(INTS, MSG_INT_ARRAY_MAX, state)
#define thread_set_state_REPLY(F)
#define thread_suspend_REQUEST(F)
#define thread_suspend_REPLY(F)
#define thread_resume_REQUEST(F)
#define thread_resume_REPLY(F)
#define thread_abort_REQUEST(F)
#define thread_abort_REPLY(F)
#define vm_allocate_REQUEST(F)            F(INT32, 1, addr) F(INT32, 1, size) F(BOOL, 1, anywhere)
#define vm_allocate_REPLY(F)              F(INT32, 1, addr)
#define vm_deallocate_REQUEST(F)          F(INT32, 1, addr) F(INT32, 1, size)
#define vm_deallocate_REPLY(F)
#define vm_protect_REQUEST(F)             F(INT32, 1, addr) F(INT32, 1, size) F(BOOL, 1, set_max) F(INT32, 1, prot)
#define vm_protect_REPLY(F)
#define vm_read_REQUEST(F)                F(INT32, 1, addr) F(INT32, 1, size)
#define vm_read_REPLY(F)                  F(OOL, MSG_OOL_MAX, data)
#define vm_write_REQUEST(F)               F(INT32, 1, addr) F(OOL, MSG_OOL_MAX, data)
#define vm_write_REPLY(F)
#define vm_copy_REQUEST(F)                F(INT32, 1, src) F(INT32, 1, size) F(INT32, 1, dst)
#define vm_copy_REPLY(F)
#define vm_region_REQUEST(F)              F(INT32, 1, addr)
#define vm_region_REPLY(F)                F(INT32, 1, addr) F(INT32, 1, size) F(INT32, 1, prot) \
	F(INT32, 1, max_prot) F(INT32, 1, inherit) F(BOOL, 1, shared) F(SEND_OR_NULL, 1, object) \
	F(INT32, 1, offset)
/* vm_statistics_data_t: 13 integer_t, the first five struct vm_statistics */
#define vm_statistics_REQUEST(F)
#define vm_statistics_REPLY(F)            F(WORDS, VM_STATISTICS_COUNT, stats)
#define vm_map_REQUEST(F)                 F(INT32, 1, addr) F(INT32, 1, size) F(INT32, 1, mask) \
	F(BOOL, 1, anywhere) F(SEND_OR_NULL, 1, memobj) F(INT32, 1, offset) F(BOOL, 1, copy) F(INT32, 1, cur) \
	F(INT32, 1, max) F(INT32, 1, inherit)
#define vm_map_REPLY(F)                   F(INT32, 1, addr)
#define vm_allocate_contiguous_REQUEST(F) F(SEND, 1, task) F(INT32, 1, size) \
	F(INT64, 1, pmin) F(INT64, 1, pmax) F(INT64, 1, palign)
#define vm_allocate_contiguous_REPLY(F)   F(INT32, 1, vaddr) F(INT64, 1, paddr)
#define host_get_time_REQUEST(F)
#define host_get_time_REPLY(F)            F(WORDS, 2, time)
#define host_reboot_REQUEST(F)            F(INT32, 1, options)
#define host_reboot_REPLY(F)
#define mach_port_names_REQUEST(F)
#define mach_port_names_REPLY(F)          F(OOL_NAMES, 0x100000, names) F(OOL_INTS, 0x100000, types)
#define mach_port_type_REQUEST(F)         F(NAME, 1, name)
#define mach_port_type_REPLY(F)           F(INT32, 1, type)
#define mach_port_allocate_REQUEST(F)     F(INT32, 1, right)
#define mach_port_allocate_REPLY(F)       F(NAME, 1, name)
#define mach_port_destroy_REQUEST(F)      F(NAME, 1, name)
#define mach_port_destroy_REPLY(F)
#define mach_port_deallocate_REQUEST(F)   F(NAME, 1, name)
#define mach_port_deallocate_REPLY(F)
#define mach_port_mod_refs_REQUEST(F)     F(NAME, 1, name) F(INT32, 1, right) F(INT32, 1, delta)
#define mach_port_mod_refs_REPLY(F)
#define mach_port_move_member_REQUEST(F)  F(NAME, 1, member) F(NAME, 1, after)
#define mach_port_move_member_REPLY(F)
#define mach_port_request_notification_REQUEST(F) F(NAME, 1, name) F(INT32, 1, id) \
	F(INT32, 1, sync) F(ONCE_OR_NULL, 1, notify)
#define mach_port_request_notification_REPLY(F) F(ONCE_OR_NULL, 1, previous)
#define mach_port_insert_right_REQUEST(F) F(NAME, 1, name) F(POLY, 1, poly)
#define mach_port_insert_right_REPLY(F)
#define mach_port_extract_right_REQUEST(F) F(NAME, 1, name) F(INT32, 1, disp)
#define mach_port_extract_right_REPLY(F)  F(POLY, 1, poly)
#define i386_io_perm_create_REQUEST(F)    F(INT16, 1, from) F(INT16, 1, to)
#define i386_io_perm_create_REPLY(F)      F(SEND, 1, io_perm)
#define i386_io_perm_modify_REQUEST(F)    F(SEND, 1, io_perm) F(BOOL, 1, enable)
#define i386_io_perm_modify_REPLY(F)
#define gsync_wait_REQUEST(F)             F(INT32, 1, addr) F(INT32, 1, val1) F(INT32, 1, val2) \
	F(INT32, 1, msec) F(INT32, 1, flags)
#define gsync_wait_REPLY(F)
#define gsync_wake_REQUEST(F)             F(INT32, 1, addr) F(INT32, 1, val) F(INT32, 1, flags)
#define gsync_wake_REPLY(F)
MSG_DECLARE(KERNEL_ROUTINES)
MSG_LAYOUT(vm_statistics_reply_t, 88);

MSG_LAYOUT(task_info_reply_t, 36 + 4 * MSG_INT_ARRAY_MAX);
MSG_LAYOUT(thread_set_state_request_t, 36 + 4 * MSG_INT_ARRAY_MAX);
MSG_LAYOUT(task_set_name_request_t, 92);
MSG_LAYOUT(vm_map_request_t, 104);
MSG_LAYOUT(vm_write_request_t, 48);
MSG_LAYOUT(vm_allocate_contiguous_request_t, 76);
MSG_LAYOUT(vm_allocate_contiguous_reply_t, 52);
MSG_LAYOUT(host_get_time_reply_t, 44);

/* The external memory management protocol, as a program that serves a
 * memory object sees it (memory_object.defs; the calls back on the control
 * port are in mach.defs).  The kernel sends memory_object_init when the
 * object is first mapped and memory_object_data_request for each page it
 * needs; the pager answers on the control port.  Only tests use it: a
 * program that pages its own memory to attack the servers it sends it to. */
#define MEMORY_OBJECT_ROUTINES(R) \
	R(memory_object_init, ID_MEMORY_OBJECT_INIT, SIMPLE) \
	R(memory_object_data_request, ID_MEMORY_OBJECT_DATA_REQUEST, SIMPLE)
#define MEMORY_CONTROL_ROUTINES(R) \
	R(memory_object_ready, ID_MEMORY_OBJECT_READY, SIMPLE) \
	R(memory_object_data_error, ID_MEMORY_OBJECT_DATA_ERROR, SIMPLE)
#define memory_object_init_REQUEST(F)  F(SEND, 1, control) F(SEND, 1, name) F(INT32, 1, page_size)
#define memory_object_init_REPLY(F)
#define memory_object_data_request_REQUEST(F) F(SEND, 1, control) F(INT32, 1, offset) \
	F(INT32, 1, length) F(INT32, 1, access)
#define memory_object_data_request_REPLY(F)
#define memory_object_ready_REQUEST(F) F(BOOL, 1, may_cache) F(INT32, 1, copy_strategy)
#define memory_object_ready_REPLY(F)
#define memory_object_data_error_REQUEST(F) F(INT32, 1, offset) F(INT32, 1, size) F(INT32, 1, error)
#define memory_object_data_error_REPLY(F)
MSG_DECLARE(MEMORY_OBJECT_ROUTINES)
MSG_DECLARE(MEMORY_CONTROL_ROUTINES)
MSG_LAYOUT(memory_object_init_request_t, 48);
MSG_LAYOUT(memory_object_data_request_request_t, 56);
MSG_LAYOUT(memory_object_ready_request_t, 40);
MSG_LAYOUT(memory_object_data_error_request_t, 48);
#define MEMORY_OBJECT_COPY_DELAY 2

/* exception_raise (exc.defs), which the kernel sends to a task's exception
 * port when one of its threads faults; the reply's return code other than
 * KERN_SUCCESS leaves the thread to the kernel, which ends the task. */
#define EXC_ROUTINES(R) \
	R(exception_raise, ID_EXCEPTION_RAISE, ROUTINE)
#define exception_raise_REQUEST(F) F(SEND, 1, thread) F(SEND, 1, task) \
	F(INT32, 1, exception) F(INT32, 1, code) F(INT32, 1, subcode)
#define exception_raise_REPLY(F)
MSG_DECLARE(EXC_ROUTINES)
MSG_LAYOUT(exception_raise_request_t, 64);

#endif
