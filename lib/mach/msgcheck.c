/* Received-message checking: see include/mach/msgcheck.h. */
#include "mach/msgcheck.h"

/* Reads the descriptor at P (short or long form) into name/bits/count and
 * returns its length, or 0 when it does not fit before END. */
static uint32_t read_type(const uint8_t *p, const uint8_t *end, const mach_msg_type_t **t,
                          unsigned *name, unsigned *bits, uint32_t *count)
{
	if (end - p < (long)sizeof(mach_msg_type_t))
		return 0;
	*t = (const mach_msg_type_t *)p;
	if (!(*t)->msgt_longform) {
		*name = (*t)->msgt_name;
		*bits = (*t)->msgt_size;
		*count = (*t)->msgt_number;
		return sizeof(mach_msg_type_t);
	}
	if (end - p < (long)sizeof(mach_msg_type_long_t))
		return 0;
	const mach_msg_type_long_t *l = (const mach_msg_type_long_t *)p;
	*name = l->msgtl_name;
	*bits = l->msgtl_size;
	*count = l->msgtl_number;
	return sizeof(mach_msg_type_long_t);
}

/* Bytes the data of a descriptor occupies in the body, or UINT32_MAX on
 * overflow. */
static uint32_t data_len(const mach_msg_type_t *t, unsigned bits, uint32_t count)
{
	if (!t->msgt_inline)
		return sizeof(vm_offset_t);
	uint64_t n = ((uint64_t)bits * count + 7) / 8;
	return n > 0x7fffffff ? UINT32_MAX : MSG_ALIGN((uint32_t)n);
}

/* A right as the receiver's descriptor names it: what the sender's
 * disposition becomes in transit. */
static unsigned arrives_as(unsigned name)
{
	if (name == MACH_MSG_TYPE_COPY_SEND || name == MACH_MSG_TYPE_MAKE_SEND)
		return MACH_MSG_TYPE_PORT_SEND;
	if (name == MACH_MSG_TYPE_MAKE_SEND_ONCE)
		return MACH_MSG_TYPE_PORT_SEND_ONCE;
	return name;
}

/* msg_parse and msg_check_sent (SENT: M as we built it, its port types
 * dispositions).  Returns -1 when M matches SPEC, else the index of the
 * first argument that does not (NSPEC: the message's size or its end). */
static int walk(const mach_msg_header_t *m, const struct msg_field *spec, unsigned nspec,
                struct msg_arg *args, int sent)
{
	if (m->msgh_size < sizeof *m || (m->msgh_size & 3))
		return (int)nspec;
	const uint8_t *p = (const uint8_t *)(m + 1);
	const uint8_t *end = (const uint8_t *)m + m->msgh_size;
	int complex = (m->msgh_bits & MACH_MSGH_BITS_COMPLEX) != 0;

	for (unsigned i = 0; i < nspec; i++) {
		const struct msg_field *f = &spec[i];
		const mach_msg_type_t *t;
		unsigned name, bits;
		uint32_t count;
		uint32_t tl = read_type(p, end, &t, &name, &bits, &count);
		if (tl == 0)
			return (int)i;
		if (sent)
			name = arrives_as(name);
		int right_ok = name == f->name || ((f->flags & MSGF_ANY_RIGHT) && MACH_MSG_TYPE_PORT_ANY(name));
		if (!right_ok || bits != f->bits
		    || !t->msgt_longform != !(f->flags & MSGF_LONG)
		    || !t->msgt_inline != !!(f->flags & MSGF_OOL))
			return (int)i;
		if ((f->flags & MSGF_VAR) ? count > f->count : count != f->count)
			return (int)i;
		int is_port = MACH_MSG_TYPE_PORT_ANY(name);
		if ((is_port || !t->msgt_inline) && !complex)
			return (int)i;   /* a "right" the kernel never translated */
		p += tl;
		uint32_t dl = data_len(t, bits, count);
		if (dl == UINT32_MAX || (uint32_t)(end - p) < dl)
			return (int)i;
		if (is_port && t->msgt_inline) {
			const mach_port_t *names = (const mach_port_t *)p;
			for (uint32_t k = 0; k < count; k++)
				if (!MACH_PORT_VALID(names[k]) && !(f->flags & MSGF_NULL_OK))
					return (int)i;
		}
		if (args) {
			args[i].data = p;
			args[i].count = count;
		}
		p += dl;
	}
	return p == end ? -1 : (int)nspec;
}

int msg_parse(const mach_msg_header_t *m, const struct msg_field *spec,
              unsigned nspec, struct msg_arg *args)
{
	return walk(m, spec, nspec, args, 0) < 0 ? 0 : MIG_BAD_ARGUMENTS;
}

int msg_check_sent(const mach_msg_header_t *m, const struct msg_field *spec, unsigned nspec)
{
	return walk(m, spec, nspec, NULL, 1);
}

int msg_has_reply_port(const mach_msg_header_t *m)
{
	unsigned r = MACH_MSGH_BITS_REMOTE(m->msgh_bits);
	return MACH_PORT_VALID(m->msgh_remote_port)
	       && (r == MACH_MSG_TYPE_PORT_SEND_ONCE || r == MACH_MSG_TYPE_PORT_SEND);
}

/* msg_release and msg_release_unsent: UNSENT gives MEM only the regions
 * marked deallocate. */
static void release(const mach_msg_header_t *m, int unsent,
                    void (*port)(mach_port_t name, unsigned type),
                    void (*mem)(vm_offset_t addr, vm_size_t size))
{
	if (!(m->msgh_bits & MACH_MSGH_BITS_COMPLEX) || m->msgh_size < sizeof *m)
		return;
	const uint8_t *p = (const uint8_t *)(m + 1);
	const uint8_t *end = (const uint8_t *)m + m->msgh_size;
	while (p < end) {
		const mach_msg_type_t *t;
		unsigned name, bits;
		uint32_t count;
		uint32_t tl = read_type(p, end, &t, &name, &bits, &count);
		if (tl == 0)
			return;
		p += tl;
		uint32_t dl = data_len(t, bits, count);
		if (dl == UINT32_MAX || (uint32_t)(end - p) < dl)
			return;
		uint64_t bytes = ((uint64_t)bits * count + 7) / 8;
		if (MACH_MSG_TYPE_PORT_ANY(name)) {
			/* out of line, the rights sit in a region mapped into our space */
			const mach_port_t *names = t->msgt_inline ? (const mach_port_t *)p
				: (const mach_port_t *)(uintptr_t)*(const vm_offset_t *)p;
			for (uint32_t k = 0; k < count; k++)
				if (MACH_PORT_VALID(names[k]))
					port(names[k], name);
		}
		if (!t->msgt_inline && bytes > 0 && (!unsent || t->msgt_deallocate))
			mem(*(const vm_offset_t *)p, (vm_size_t)bytes);
		p += dl;
	}
}

void msg_release(const mach_msg_header_t *m,
                 void (*port)(mach_port_t name, unsigned type),
                 void (*mem)(vm_offset_t addr, vm_size_t size))
{
	release(m, 0, port, mem);
}

void msg_release_unsent(const mach_msg_header_t *m,
                        void (*port)(mach_port_t name, unsigned type),
                        void (*mem)(vm_offset_t addr, vm_size_t size))
{
	release(m, 1, port, mem);
}
