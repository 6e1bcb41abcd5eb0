/* safe_copy_raw(dst, src, n): the one place where a server reads memory a
 * client sent (lib/server/safe_copy.c).  A fault or a stall between
 * safe_copy_begin and safe_copy_end is recovered by moving the thread to
 * safe_copy_recover with the error in %eax: the stack there is as it is
 * inside the copy, so the routine returns normally, like a kernel's
 * copyin fix-up.  Returns 0 when every byte was copied.  32-byte blocks of
 * words as lib/c's memcpy moves them (TCG runs `rep movs` one translated
 * block per element, 4 times slower), then the bytes left. */
	.text
	.globl safe_copy_raw, safe_copy_begin, safe_copy_end, safe_copy_recover
safe_copy_raw:
	pushl %esi
	pushl %edi
	movl 12(%esp), %edi
	movl 16(%esp), %esi
	movl 20(%esp), %ecx
safe_copy_begin:
	cmpl $32, %ecx
	jb 2f
1:	movl (%esi), %eax
	movl 4(%esi), %edx
	movl %eax, (%edi)
	movl %edx, 4(%edi)
	movl 8(%esi), %eax
	movl 12(%esi), %edx
	movl %eax, 8(%edi)
	movl %edx, 12(%edi)
	movl 16(%esi), %eax
	movl 20(%esi), %edx
	movl %eax, 16(%edi)
	movl %edx, 20(%edi)
	movl 24(%esi), %eax
	movl 28(%esi), %edx
	movl %eax, 24(%edi)
	movl %edx, 28(%edi)
	addl $32, %esi
	addl $32, %edi
	subl $32, %ecx
	cmpl $32, %ecx
	jae 1b
2:	testl %ecx, %ecx
	jz safe_copy_end
3:	movb (%esi), %al
	movb %al, (%edi)
	incl %esi
	incl %edi
	decl %ecx
	jnz 3b
safe_copy_end:
	xorl %eax, %eax
safe_copy_recover:
	popl %edi
	popl %esi
	ret
	.section .note.GNU-stack,"",@progbits
