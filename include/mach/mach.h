/* The client side of the kernel interfaces the servers of the chain use.
 * Every call returns a kern_return_t (or a D_* / MIG_* / mach_msg code);
 * mach_error_name() turns any of them into a readable name. */
#ifndef MACH_MACH_H
#define MACH_MACH_H

#include "mach/msg.h"

/* traps */
mach_msg_return_t mach_msg_trap(mach_msg_header_t *msg, mach_msg_option_t option,
                                mach_msg_size_t send_size, mach_msg_size_t rcv_size,
                                mach_port_t rcv_name, mach_msg_timeout_t timeout,
                                mach_port_t notify);
mach_port_t mach_reply_port(void);
mach_port_t mach_thread_self(void);
mach_port_t mach_task_self_trap(void);
mach_port_t mach_host_self(void);
int swtch_pri(int pri);
int swtch(void);
kern_return_t thread_switch(mach_port_t thread, int option, mach_msg_timeout_t ms);

extern mach_port_t mach_task_self_;
#define mach_task_self() (mach_task_self_)

mach_msg_return_t mach_msg(mach_msg_header_t *msg, mach_msg_option_t option,
                           mach_msg_size_t send_size, mach_msg_size_t rcv_size,
                           mach_port_t rcv_name, mach_msg_timeout_t timeout,
                           mach_port_t notify);

const char *mach_error_name(kern_return_t code);

/* The RPC layer.  M holds the request: the caller fills msgh_bits with the
 * destination's disposition (and MACH_MSGH_BITS_COMPLEX when it carries
 * rights or out-of-line data), msgh_remote_port and msgh_id.  The reply, of at
 * most RCV_SIZE bytes, lands in the same buffer and is checked against the
 * fields of REPLY (the return code first): an error reply returns its code; a
 * reply of the wrong id, size or types returns MIG_REPLY_MISMATCH or
 * MIG_TYPE_ERROR after giving back any rights or memory it carried. */
struct msg_field;
struct msg_arg;
kern_return_t mach_rpc(mach_msg_header_t *m, mach_msg_size_t send_size,
                       mach_msg_size_t rcv_size, const struct msg_field *reply,
                       unsigned nreply, struct msg_arg *args);
/* Gives the calling thread's later RPCs a time-out of MS milliseconds for
 * the send and again for the reply (0: wait for ever, the default).  A
 * server sets it before it calls a port a client gave it, which may never
 * answer; the RPC then fails with MACH_SEND_TIMED_OUT or MACH_RCV_TIMED_OUT. */
void mach_rpc_set_timeout(unsigned ms);
/* Sends a message that has no reply (a simpleroutine). */
kern_return_t mach_send(mach_msg_header_t *m, mach_msg_size_t size);
/* The calling thread's reply port (made on first use). */
mach_port_t mach_thread_reply_port(void);
/* Gives back whatever rights and out-of-line memory a received message holds. */
void mach_msg_destroy(mach_msg_header_t *m);

/* tasks and threads (mach.defs, gnumach.defs, mach_host.defs) */
kern_return_t task_create(mach_port_t parent, boolean_t inherit, mach_port_t *child);
kern_return_t task_terminate(mach_port_t task);
kern_return_t task_suspend(mach_port_t task);
kern_return_t task_resume(mach_port_t task);
kern_return_t task_info(mach_port_t task, int flavor, integer_t *info, natural_t *count);
kern_return_t task_get_special_port(mach_port_t task, int which, mach_port_t *port);
/* DISP says how PORT is sent: MACH_MSG_TYPE_COPY_SEND or MAKE_SEND (from a receive right). */
kern_return_t task_set_special_port(mach_port_t task, int which, mach_port_t port, unsigned disp);
kern_return_t task_set_name(mach_port_t task, const char *name);
kern_return_t task_set_essential(mach_port_t task, boolean_t essential);
kern_return_t thread_create(mach_port_t task, mach_port_t *thread);
kern_return_t thread_get_state(mach_port_t thread, int flavor, natural_t *state, natural_t *count);
kern_return_t thread_set_state(mach_port_t thread, int flavor, const natural_t *state, natural_t count);
kern_return_t thread_suspend(mach_port_t thread);
kern_return_t thread_resume(mach_port_t thread);
/* Breaks THREAD out of an interruptible wait in the kernel (a message, a page
 * fault) back to the user-mode instruction it was at. */
kern_return_t thread_abort(mach_port_t thread);
kern_return_t thread_terminate(mach_port_t thread);

/* virtual memory */
kern_return_t vm_allocate(mach_port_t task, vm_offset_t *addr, vm_size_t size, boolean_t anywhere);
kern_return_t vm_deallocate(mach_port_t task, vm_offset_t addr, vm_size_t size);
kern_return_t vm_protect(mach_port_t task, vm_offset_t addr, vm_size_t size, boolean_t set_max, vm_prot_t prot);
kern_return_t vm_map(mach_port_t task, vm_offset_t *addr, vm_size_t size, vm_offset_t mask,
                     boolean_t anywhere, mach_port_t memobj, vm_offset_t offset, boolean_t copy,
                     vm_prot_t cur, vm_prot_t max, int inherit);
/* Reads SIZE bytes at ADDR of TASK into a fresh region of ours at *DATA. */
kern_return_t vm_read(mach_port_t task, vm_offset_t addr, vm_size_t size, vm_offset_t *data, vm_size_t *count);
/* The kernel takes whole pages: ADDR, DATA and SIZE page-aligned. */
kern_return_t vm_write(mach_port_t task, vm_offset_t addr, const void *data, vm_size_t size);
/* Copies SIZE bytes from SRC to DST in TASK (both page-aligned, SIZE whole
 * pages): the kernel shares the pages copy-on-write instead of copying. */
kern_return_t vm_copy(mach_port_t task, vm_offset_t src, vm_size_t size, vm_offset_t dst);
/* The machine's page counts (free, active, inactive, wired). */
kern_return_t vm_statistics(mach_port_t task, struct vm_statistics *st);
kern_return_t vm_allocate_contiguous(mach_port_t host_priv, mach_port_t task, vm_offset_t *vaddr,
                                     rpc_phys_addr_t *paddr, vm_size_t size, rpc_phys_addr_t pmin,
                                     rpc_phys_addr_t pmax, rpc_phys_addr_t palign);

/* ports (mach_port.defs) */
kern_return_t mach_port_allocate(mach_port_t task, int right, mach_port_t *name);
kern_return_t mach_port_destroy(mach_port_t task, mach_port_t name);
kern_return_t mach_port_deallocate(mach_port_t task, mach_port_t name);
/* *TYPE gets the MACH_PORT_TYPE_* bits of the rights NAME denotes in TASK. */
kern_return_t mach_port_type(mach_port_t task, mach_port_t name, natural_t *type);
kern_return_t mach_port_mod_refs(mach_port_t task, mach_port_t name, int right, int delta);
kern_return_t mach_port_insert_right(mach_port_t task, mach_port_t name, mach_port_t right, unsigned disp);
kern_return_t mach_port_move_member(mach_port_t task, mach_port_t member, mach_port_t set);
kern_return_t mach_port_request_notification(mach_port_t task, mach_port_t name, int id,
                                             natural_t sync, mach_port_t notify,
                                             unsigned notify_disp, mach_port_t *previous);

/* Looking into another task (lib/mach/inspect.c).  vm_region: the region at
 * or after *ADDR; task_threads and mach_port_names: out-of-line arrays the
 * caller vm_deallocates; mach_port_extract_right: DISP (COPY_SEND) of NAME. */
kern_return_t vm_region(mach_port_t task, vm_offset_t *addr, vm_size_t *size, vm_prot_t *prot,
                        vm_prot_t *max_prot, int *inherit);
kern_return_t task_threads(mach_port_t task, mach_port_t **threads, natural_t *count);
kern_return_t mach_port_names(mach_port_t task, mach_port_t **names, natural_t *nnames,
                              natural_t **types, natural_t *ntypes);
kern_return_t mach_port_extract_right(mach_port_t task, mach_port_t name, unsigned disp,
                                      mach_port_t *right);

/* host (mach_host.defs) */
kern_return_t host_get_time(mach_port_t host, struct time_value *now);
kern_return_t host_reboot(mach_port_t host_priv, int options);

/* gsync (gnumach.defs) */
kern_return_t gsync_wait(mach_port_t task, vm_offset_t addr, unsigned val1, unsigned val2,
                         natural_t msec, int flags);
kern_return_t gsync_wake(mach_port_t task, vm_offset_t addr, unsigned val, int flags);

/* devices (device.defs) */
kern_return_t device_open(mach_port_t master, unsigned mode, const char *name, mach_port_t *dev);
kern_return_t device_close(mach_port_t dev);
kern_return_t device_write(mach_port_t dev, unsigned mode, natural_t recnum,
                           const void *data, vm_size_t size, vm_size_t *written);
kern_return_t device_write_inband(mach_port_t dev, unsigned mode, natural_t recnum,
                                  const void *data, vm_size_t size, vm_size_t *written);
/* Reads into a fresh region of ours at *DATA (the caller vm_deallocates it). */
kern_return_t device_read(mach_port_t dev, unsigned mode, natural_t recnum, vm_size_t want,
                          vm_offset_t *data, vm_size_t *got);
kern_return_t device_read_inband(mach_port_t dev, unsigned mode, natural_t recnum, vm_size_t want,
                                 void *buf, vm_size_t *got);
kern_return_t device_get_status(mach_port_t dev, int flavor, integer_t *status, natural_t *count);
kern_return_t device_set_status(mach_port_t dev, int flavor, const integer_t *status, natural_t count);
/* The pager's offset 0 is the device's OFFSET: vm_map it at offsets relative to that. */
kern_return_t device_map(mach_port_t dev, vm_prot_t prot, vm_offset_t offset, vm_size_t size,
                         mach_port_t *pager, int unmap);
kern_return_t device_intr_register(mach_port_t irqdev, int id, int flags, mach_port_t port, unsigned disp);
kern_return_t device_intr_ack(mach_port_t irqdev, mach_port_t port, unsigned disp);

/* i386 (mach_i386.defs) */
kern_return_t i386_io_perm_create(mach_port_t master, unsigned from, unsigned to, mach_port_t *perm);
kern_return_t i386_io_perm_modify(mach_port_t task, mach_port_t perm, boolean_t enable);

#endif
