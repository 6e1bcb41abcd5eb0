/* Program entry.  The kernel (or exec) leaves %esp pointing at argc, then
 * argv[0..argc-1], 0, envp..., 0.  rt_start takes that address. */
	.text
	.globl _start
_start:
	xorl %ebp, %ebp
	movl %esp, %eax
	andl $-16, %esp
	subl $12, %esp
	pushl %eax
	call rt_start
	hlt

/* rt_switch_stack(top, fn): runs fn() on the stack ending at top; never returns. */
	.globl rt_switch_stack
rt_switch_stack:
	movl 8(%esp), %eax
	movl 4(%esp), %esp
	xorl %ebp, %ebp
	pushl $0
	jmp *%eax
	.section .note.GNU-stack,"",@progbits
