/* The last stage of a chain that sends malformed requests to the stage
 * above and checks that each gets an error reply while that stage keeps
 * serving.  Prints one line per probe: "ok" or "WRONG". */
#include "chain/chain.h"
#include "badclient_options.h"
#include "mach/mach.h"
#include "mach/rpc_util.h"
#include "rt/rt.h"

static int wrong;

/* Sends M (SIZE bytes, addressed already) and returns the code of the reply. */
static kern_return_t probe(void *m, mach_msg_size_t size)
{
	union { char buf[512]; mig_reply_header_t r; } reply;
	memcpy(reply.buf, m, size);
	return mach_rpc(&reply.r.head, size, sizeof reply, rpc_reply_ret, 1, NULL);
}

static void expect(const char *what, kern_return_t got, kern_return_t want)
{
	say("%s: %s %s", what, mach_error_name(got), got == want ? "ok" : "WRONG");
	if (got != want)
		wrong++;
}

int main(int argc, char **argv)
{
	struct chain c;
	chain_start(&c, argc, argv, badclient_options, OPTIONS_COUNT(badclient_options));
	if (c.parent == MACH_PORT_NULL)
		chain_fail(&c, "finding the stage above", KERN_INVALID_ARGUMENT);
	mach_port_t up = c.parent;

	req0_t unknown;
	rpc_head(&unknown.head, up, 46099, 0);
	expect("unknown routine id", probe(&unknown, sizeof unknown), MIG_BAD_ID);

	chain_report_request_t rep;
	memset(&rep, 0, sizeof rep);
	rpc_head(&rep.head, up, ID_CHAIN_REPORT, 0);
	rep.status = w_int(CHAIN_READY);
	rep.name_type = MSGT_LONG(MACH_MSG_TYPE_STRING_C, 8 * CHAIN_NAME_MAX, 1);
	rep.text_type = MSGT_LONG(MACH_MSG_TYPE_STRING_C, 8 * CHAIN_TEXT_MAX, 1);
	strlcpy(rep.name, "badclient", sizeof rep.name);
	expect("report cut short", probe(&rep, sizeof rep - 64), MIG_BAD_ARGUMENTS);

	rep.status.type = MSGT_INLINE(MACH_MSG_TYPE_INTEGER_16, 16, 1);
	expect("report with a wrong type descriptor", probe(&rep, sizeof rep), MIG_BAD_ARGUMENTS);

	/* a send right where the status belongs: refused, and the right given back */
	rep.head.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	rep.status = w_port(mach_task_self(), MACH_MSG_TYPE_COPY_SEND);
	expect("report carrying a port right", probe(&rep, sizeof rep), MIG_BAD_ARGUMENTS);

	rep.head.msgh_bits &= ~MACH_MSGH_BITS_COMPLEX;
	rep.status = w_int(CHAIN_READY);
	memset(rep.name, 'x', sizeof rep.name);
	expect("report with an unterminated name", probe(&rep, sizeof rep), MIG_BAD_ARGUMENTS);

	char path[CHAIN_TEXT_MAX];
	kern_return_t r = chain_path(up, path, sizeof path);
	expect("a good request afterwards", r, KERN_SUCCESS);
	say("%d wrong; the stage above still serves: path %s", wrong, r ? "?" : path);
	chain_ready(&c);
	chain_halt(up);
	return 1;
}
