/* GNU Mach i386 system call traps: number in %eax, arguments on the user
 * stack in C order, entered through the call gate at selector 7. */
#define TRAP(name, num) \
	.globl name; .type name, @function; name: \
	movl $num, %eax; lcall $7, $0; ret

	.text
TRAP(mach_msg_trap, -25)
TRAP(mach_reply_port, -26)
TRAP(mach_thread_self, -27)
TRAP(mach_task_self_trap, -28)
TRAP(mach_host_self, -29)
TRAP(swtch_pri, -59)
TRAP(swtch, -60)
TRAP(thread_switch, -61)
	.section .note.GNU-stack,"",@progbits
