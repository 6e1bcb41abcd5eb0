/* attack_notify: a hostile program, started from the shell like any other
 * (tests/boot/hostile.scenario), that forges the kernel's notifications
 * (no-senders, dead-name, port-destroyed; forge.h) to every server port it
 * holds: the root and working directories, a file and a directory it
 * opened, its process port and exec's exception port (exec), its PCI port
 * (the arbiter).  Each is sent as the kernel sends it and again with a
 * reply port, which must be answered MIG_BAD_ID; then each port must still
 * serve.  Then malformed requests to ext2fs and exec: wrong types, a type
 * that claims more data than the message holds, a receive right where a
 * number belongs, and 100 KiB inline; each must be refused and the servers
 * serve on.  One line per port or attack, "ok" or "WRONG"; then
 * "attack_notify: done: N ports, M got through". */
#include "posix/posix.h"
#include "exec/client.h"
#include "fs/client.h"
#include "pci/client.h"
#include "forge.h"

extern mach_port_t posix_proc, posix_root, posix_cwd, posix_pci;

static int ports, through;

static void report(const char *what, int refused, int serves, const char *how)
{
	int ok = refused == FORGE_KINDS && serves;
	ports++;
	through += !ok;
	printf("attack_notify: %s: %d of %d forgeries answered MIG_BAD_ID, then it %s: %s\n", what, refused,
	       FORGE_KINDS, serves ? "serves" : how, ok ? "ok" : "WRONG");
	fflush(stdout);
}

static void node(const char *what, mach_port_t port)
{
	int refused = forge_all(port, port);
	sleep_ms(200);
	struct fs_stat st;
	int e = fs_stat(port, &st);
	report(what, refused, e == 0, strerror(-e));
}

/* --- malformed requests ------------------------------------------------------ */

/* A request with id ID to DEST whose body is the typed word BODY and which
 * says it is complex when COMPLEX; the answer's code within 10 s. */
static kern_return_t raw(mach_port_t dest, mach_msg_id_t id, const msg_word_t *body, int complex)
{
	union { req1_t in; mig_reply_header_t out; } m;
	rpc_head(&m.in.head, dest, id, complex);
	m.in.a = *body;
	mach_rpc_set_timeout(10000);
	kern_return_t r = mach_rpc(&m.in.head, sizeof m.in, sizeof m, rpc_reply_ret, 1, NULL);
	mach_rpc_set_timeout(0);
	return r;
}

/* Malformed versions of each request in [FIRST, LAST] to DEST: none may be
 * served (KERN_SUCCESS) or go unanswered (but a simpleroutine, which has
 * nobody to answer, is left out: PROC_EXIT). */
static void malformed(const char *what, mach_port_t dest, mach_msg_id_t first, mach_msg_id_t last)
{
	int sent = 0, wrong = 0;
	for (mach_msg_id_t id = first; id <= last; id++) {
		if (id == ID_PROC_EXIT)
			continue;
		msg_word_t odd = { MSGT_INLINE(MACH_MSG_TYPE_INTEGER_8, 8, 3), 0 };
		msg_word_t overlong = { MSGT_INLINE(MACH_MSG_TYPE_INTEGER_32, 32, 1000), 7 };
		mach_port_t right;
		mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &right);
		msg_port_t port = { MSGT_PORT(MACH_MSG_TYPE_MOVE_RECEIVE), right };
		kern_return_t r[3] = {
			raw(dest, id, &odd, 0),
			raw(dest, id, &overlong, 0),
			raw(dest, id, (const msg_word_t *)&port, 1),
		};
		for (int i = 0; i < 3; i++) {
			sent++;
			wrong += r[i] == KERN_SUCCESS || r[i] == MACH_RCV_TIMED_OUT || r[i] == MACH_SEND_INVALID_DEST;
		}
	}
	printf("attack_notify: %d malformed requests to %s: %d served or unanswered: %s\n", sent, what, wrong,
	       wrong ? "WRONG" : "ok");
	through += wrong != 0;
}

/* 100 KiB inline: more than any request a server takes. */
static void huge(const char *what, mach_port_t dest, mach_msg_id_t id)
{
	enum { BIG = 100 * 1024 };
	struct big { mach_msg_header_t head; mach_msg_type_long_t type; char data[BIG]; } *b;
	vm_offset_t a = 0;
	if (vm_allocate(mach_task_self(), &a, sizeof *b, 1))
		return;
	b = (struct big *)(uintptr_t)a;
	rpc_head(&b->head, dest, id, 0);
	b->type = MSGT_LONG(MACH_MSG_TYPE_CHAR, 8, BIG);
	mach_rpc_set_timeout(10000);
	kern_return_t r = mach_rpc(&b->head, sizeof *b, sizeof *b, rpc_reply_ret, 1, NULL);
	mach_rpc_set_timeout(0);
	vm_deallocate(mach_task_self(), a, sizeof *b);
	sleep_ms(1000);          /* the server's line first: the scenario expects them in order */
	int ok = r == MIG_REPLY_MISMATCH;           /* refused: the kernel destroyed it */
	printf("attack_notify: a %u-byte request to %s: %s: %s\n", (unsigned)sizeof *b, what,
	       mach_error_name(r), ok ? "ok" : "WRONG");
	through += !ok;
}

int main(void)
{
	mach_port_t file, dir, exc = MACH_PORT_NULL;
	int e1 = fs_lookup(posix_root, "etc/motd", FS_O_READ, 0, &file);
	int e2 = fs_lookup(posix_root, "tmp", FS_O_READ, 0, &dir);
	task_get_special_port(mach_task_self(), TASK_EXCEPTION_PORT, &exc);
	if (e1 || e2 || !MACH_PORT_VALID(exc) || posix_pci == MACH_PORT_NULL) {
		printf("attack_notify: my ports: /etc/motd %s, /tmp %s, exception port %u, PCI %u: WRONG\n",
		       strerror(-e1), strerror(-e2), (unsigned)exc, (unsigned)posix_pci);
		return 1;
	}
	node("the root directory", posix_root);
	node("the working directory", posix_cwd);
	node("/etc/motd, open", file);
	node("/tmp, open", dir);

	int refused = forge_all(posix_proc, posix_proc);
	int got, status, how, e = proc_wait(posix_proc, 0, &got, &status, &how);
	report("my process port", refused, e == -FS_ECHILD, strerror(-e));

	refused = forge_all(exc, exc);
	e = proc_wait(posix_proc, 0, &got, &status, &how);
	report("exec's exception port", refused, e == -FS_ECHILD, strerror(-e));

	refused = forge_all(posix_pci, posix_pci);
	static struct pci_wire_func f[PCI_LIST_MAX];
	unsigned n = 0;
	kern_return_t r = pci_list(posix_pci, f, PCI_LIST_MAX, &n);
	report("my PCI port", refused, r == KERN_SUCCESS && n > 0, mach_error_name(r));

	malformed("the root directory (ext2fs)", posix_root, ID_FS_LOOKUP, ID_FS_LOOKUP + 20);
	malformed("my process port (exec)", posix_proc, ID_PROC_STARTUP, ID_PROC_HALT);
	malformed("exec's exception port", exc, ID_EXCEPTION_RAISE, ID_EXCEPTION_RAISE);
	huge("the root directory (ext2fs)", posix_root, ID_FS_LOOKUP);
	huge("my process port (exec)", posix_proc, ID_PROC_SPAWN);
	node("the root directory, after all", posix_root);
	printf("attack_notify: done: %d ports, %d attacks got through\n", ports, through);
	return through != 0;
}
