/* The GNU Mach 1.8 i386 user ABI: scalar types and constants.
 * Fixed-width so that the same layouts build for the i386 target and for the
 * host, where the portable code is tested.  Values follow Debian's
 * gnumach-dev headers of the same snapshot as the kernel. */
#ifndef MACH_ABI_H
#define MACH_ABI_H

#include <stdint.h>
#include <stddef.h>

typedef uint32_t natural_t;
typedef int32_t  integer_t;
typedef natural_t mach_port_t;
typedef int      kern_return_t;
typedef uint32_t vm_offset_t;    /* an address in some task, on the wire */
typedef uint32_t vm_size_t;
typedef int      vm_prot_t;
typedef int      boolean_t;
/* 64-bit values sit on 4-byte boundaries in i386 messages, also on the host */
typedef uint64_t rpc_u64 __attribute__((aligned(4)));
typedef rpc_u64 rpc_phys_addr_t;

#define MACH_PORT_NULL  0u
#define MACH_PORT_DEAD  (~0u)
#define MACH_PORT_VALID(n) ((n) != MACH_PORT_NULL && (n) != MACH_PORT_DEAD)

/* mach_port_allocate rights */
#define MACH_PORT_RIGHT_SEND       0
#define MACH_PORT_RIGHT_RECEIVE    1
#define MACH_PORT_RIGHT_SEND_ONCE  2
#define MACH_PORT_RIGHT_PORT_SET   3
#define MACH_PORT_RIGHT_DEAD_NAME  4

/* mach_port_type bits: MACH_PORT_TYPE(right) is 1 << (right + 16) */
#define MACH_PORT_TYPE_SEND       0x10000
#define MACH_PORT_TYPE_RECEIVE    0x20000
#define MACH_PORT_TYPE_SEND_ONCE  0x40000
#define MACH_PORT_TYPE_PORT_SET   0x80000
#define MACH_PORT_TYPE_DEAD_NAME  0x100000

/* task special ports */
#define TASK_KERNEL_PORT     1
#define TASK_EXCEPTION_PORT  3
#define TASK_BOOTSTRAP_PORT  4

/* notifications (notify.defs, base 64) */
#define MACH_NOTIFY_PORT_DELETED   65
#define MACH_NOTIFY_PORT_DESTROYED 69
#define MACH_NOTIFY_NO_SENDERS     70
#define MACH_NOTIFY_SEND_ONCE      71
#define MACH_NOTIFY_DEAD_NAME      72

/* exception kinds (exception_raise) */
#define EXC_BAD_ACCESS      1
#define EXC_BAD_INSTRUCTION 2
#define EXC_ARITHMETIC      3
#define EXC_EMULATION       4
#define EXC_SOFTWARE        5
#define EXC_BREAKPOINT      6

/* vm */
#define VM_PROT_NONE    0
#define VM_PROT_READ    1
#define VM_PROT_WRITE   2
#define VM_PROT_EXECUTE 4
#define VM_PROT_ALL     7
#define VM_INHERIT_COPY 1
#define PAGE_SIZE       4096u

/* kern_return_t */
#define KERN_SUCCESS                  0
#define KERN_INVALID_ADDRESS          1
#define KERN_PROTECTION_FAILURE       2
#define KERN_NO_SPACE                 3
#define KERN_INVALID_ARGUMENT         4
#define KERN_FAILURE                  5
#define KERN_RESOURCE_SHORTAGE        6
#define KERN_NOT_RECEIVER             7
#define KERN_NO_ACCESS                8
#define KERN_MEMORY_FAILURE           9
#define KERN_MEMORY_ERROR             10
#define KERN_NOT_IN_SET               12
#define KERN_NAME_EXISTS              13
#define KERN_ABORTED                  14
#define KERN_INVALID_NAME             15
#define KERN_INVALID_TASK             16
#define KERN_INVALID_RIGHT            17
#define KERN_INVALID_VALUE            18
#define KERN_UREFS_OVERFLOW           19
#define KERN_INVALID_CAPABILITY       20
#define KERN_RIGHT_EXISTS             21
#define KERN_INVALID_HOST             22
#define KERN_MEMORY_PRESENT           23
#define KERN_WRITE_PROTECTION_FAILURE 24
#define KERN_TERMINATED               26
#define KERN_TIMEDOUT                 27
#define KERN_INTERRUPTED              28

/* MIG and RPC-layer errors */
#define MIG_TYPE_ERROR        -300
#define MIG_REPLY_MISMATCH    -301
#define MIG_REMOTE_ERROR      -302
#define MIG_BAD_ID            -303
#define MIG_BAD_ARGUMENTS     -304
#define MIG_NO_REPLY          -305
#define MIG_EXCEPTION         -306
#define MIG_ARRAY_TOO_LARGE   -307
#define MIG_SERVER_DIED       -308
#define MIG_DESTROY_REQUEST   -309

/* device errors (device_types.h) */
#define D_SUCCESS           0
#define D_IO_ERROR          2500
#define D_WOULD_BLOCK       2501
#define D_NO_SUCH_DEVICE    2502
#define D_ALREADY_OPEN      2503
#define D_DEVICE_DOWN       2504
#define D_INVALID_OPERATION 2505
#define D_INVALID_RECNUM    2506
#define D_INVALID_SIZE      2507
#define D_NO_MEMORY         2508
#define D_READ_ONLY         2509

/* device modes and status flavors */
#define D_READ   0x1
#define D_WRITE  0x2
#define D_NODELAY 0x4
#define DEV_GET_SIZE        0
#define DEV_GET_SIZE_COUNT  2
#define DEV_GET_RECORDS     1
#define DEV_GET_RECORDS_COUNT 2
/* the disk server's set_status flavor "FLUS": write the disk's cache out
 * (docs/device-protocol.md; the kernel's own disks refuse it) */
#define DEV_FLUSH           0x464c5553

/* task_info flavor TASK_BASIC_INFO, as i386 lays it out */
#define TASK_BASIC_INFO 1
struct time_value { integer_t seconds, microseconds; };
struct task_basic_info {
	integer_t suspend_count, base_priority;
	natural_t virtual_size, resident_size;
	struct time_value user_time, system_time, creation_time;
};
#define TASK_BASIC_INFO_COUNT (sizeof(struct task_basic_info) / 4)

/* vm_statistics: the kernel's page counts (the first five of its 13 words) */
#define VM_STATISTICS_COUNT 13
struct vm_statistics {
	integer_t pagesize, free_count, active_count, inactive_count, wire_count;
};

/* thread state flavor i386_THREAD_STATE */
#define i386_THREAD_STATE 1
struct i386_thread_state {
	natural_t gs, fs, es, ds, edi, esi, ebp, esp, ebx, edx, ecx, eax,
	          eip, cs, efl, uesp, ss;
};
#define i386_THREAD_STATE_COUNT (sizeof(struct i386_thread_state) / 4)

/* gsync flags */
#define GSYNC_SHARED   0x01
#define GSYNC_QUAD     0x02
#define GSYNC_TIMED    0x04
#define GSYNC_BROADCAST 0x08
#define GSYNC_MUTATE   0x10

/* host_reboot options */
#define RB_AUTOBOOT 0
#define RB_HALT     0x8
#define RB_DEBUGGER 0x1000

#endif
