/* safe_copy_raw(dst, src, n): the one place where a server reads memory a
 * client sent (lib/server/safe_copy.c).  A fault or a stall between
 * safe_copy_begin and safe_copy_end is recovered by moving the thread to
 * safe_copy_recover with the error in %eax: the stack there is as it is
 * inside the copy, so the routine returns normally, like a kernel's
 * copyin fix-up.  Returns 0 when every byte was copied. */
	.text
	.globl safe_copy_raw, safe_copy_begin, safe_copy_end, safe_copy_recover
safe_copy_raw:
	pushl %esi
	pushl %edi
	movl 12(%esp), %edi
	movl 16(%esp), %esi
	movl 20(%esp), %ecx
	cld
safe_copy_begin:
	movl %ecx, %edx
	shrl $2, %ecx
	rep movsl
	movl %edx, %ecx
	andl $3, %ecx
	rep movsb
safe_copy_end:
	xorl %eax, %eax
safe_copy_recover:
	popl %edi
	popl %esi
	ret
	.section .note.GNU-stack,"",@progbits
