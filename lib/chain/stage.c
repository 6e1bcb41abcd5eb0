/* A stage's life in the chain: console first, options, hand-off, reports,
 * the stall watch, and the chain interface it answers for the stage below. */
#include "chain/chain.h"
#include "mach/mach.h"
#include "rt/rt.h"
#include "rt/thread.h"

static struct chain *self;       /* the stage this program is */

/* The console from the device master named on the command line, found
 * without the full parse so that argument errors can be printed. */
static mach_port_t console_from_argv(int argc, char **argv)
{
	static const char key[] = "--device-master-port=";
	for (int i = 1; i < argc; i++) {
		uint32_t master;
		mach_port_t cons;
		if (strncmp(argv[i], key, sizeof key - 1) == 0
		    && parse_u32(argv[i] + sizeof key - 1, &master) == 0
		    && device_open(master, D_READ | D_WRITE, "console", &cons) == KERN_SUCCESS)
			return cons;
	}
	return MACH_PORT_NULL;
}

static void report_failure(struct chain *c, const char *text)
{
	if (c->parent != MACH_PORT_NULL)
		chain_report(c->parent, CHAIN_FAILED, c->name, text);
}

void chain_start(struct chain *c, int argc, char **argv,
                 const struct opt_spec *spec, size_t nspec)
{
	memset(c, 0, sizeof *c);
	c->name = rt_progname;
	c->next_status = -1;
	c->next_instance = 1;
	c->instance = 1;
	self = c;
	kern_return_t r = task_get_special_port(mach_task_self(), TASK_BOOTSTRAP_PORT, &c->parent);
	if (r)
		c->parent = MACH_PORT_NULL;
	if (c->parent != MACH_PORT_NULL && chain_get_console(c->parent, &rt_console) != KERN_SUCCESS)
		rt_console = MACH_PORT_NULL;
	if (c->parent != MACH_PORT_NULL)
		chain_instance(c->parent, &c->instance);
	if (rt_console == MACH_PORT_NULL)
		rt_console = console_from_argv(argc, argv);
	if (rt_console == MACH_PORT_NULL)
		report_failure(c, "no console: neither the stage above nor --device-master-port gave one");

	char err[160];
	if (opt_parse(spec, nspec, argc, argv, &c->opts, err, sizeof err) < 0) {
		say("bad arguments: %s", err);
		printf("%s: options:", c->name);
		for (size_t i = 0; i < nspec; i++)
			printf(" --%s%s", spec[i].name, spec[i].kind == OPT_FLAG ? "" : "=...");
		printf("\n");
		char text[CHAIN_TEXT_MAX];
		snprintf(text, sizeof text, "bad arguments: %s", err);
		report_failure(c, text);
		exit(1);
	}
	c->host_priv = c->opts.num[SLOT_HOST_PRIV];
	c->device_master = c->opts.num[SLOT_DEVICE_MASTER];
	c->next_task = c->opts.num[SLOT_NEXT_TASK];
	c->stall_ms = c->opts.given[SLOT_STALL_TIMEOUT] ? c->opts.num[SLOT_STALL_TIMEOUT] * 1000 : 5000;
	if (c->stall_ms == 0)
		c->stall_ms = 1000;
}

void chain_fail(struct chain *c, const char *what, kern_return_t err)
{
	char text[CHAIN_TEXT_MAX];
	snprintf(text, sizeof text, "%s: %s", what, mach_error_name(err));
	say("failed: %s", text);
	report_failure(c, text);
	exit(1);
}

/* What a silent next stage is doing, as far as the kernel can tell. */
static const char *task_state(mach_port_t task)
{
	struct task_basic_info info;
	natural_t count = TASK_BASIC_INFO_COUNT;
	kern_return_t r = task_info(task, TASK_BASIC_INFO, (integer_t *)&info, &count);
	if (r == MACH_SEND_INVALID_DEST || r == KERN_INVALID_ARGUMENT || r == KERN_TERMINATED)
		return "dead";
	if (r)
		return mach_error_name(r);
	return info.suspend_count > 0 ? "suspended" : "running";
}

static void stall_watch(void *arg)
{
	struct chain *c = arg;
	unsigned waited = 0, interval = c->stall_ms, instance = c->next_instance;
	for (;;) {
		sleep_ms(interval);
		waited += interval;
		/* a restarted next stage is not the one this watch timed */
		if (c->next_status >= 0 || c->next_instance != instance)
			return;
		say("the next stage (task %u) has not reported after %u s; its task is %s",
		    (unsigned)c->next_task, waited / 1000, task_state(c->next_task));
		if (interval < 60000)
			interval *= 2;
	}
}

kern_return_t chain_handoff(struct chain *c, mach_port_t port)
{
	if (c->next_task == MACH_PORT_NULL) {
		/* not silent: a module line without a next stage boots to this */
		say("serving, no next stage to start");
		return KERN_SUCCESS;
	}
	kern_return_t r = task_set_special_port(c->next_task, TASK_BOOTSTRAP_PORT, port,
	                                        MACH_MSG_TYPE_MAKE_SEND);
	if (r)
		return r;
	if (c->instance > 1 && strcmp(task_state(c->next_task), "running") == 0) {
		say("ready again (start %u): the next stage (task %u) runs already and gets my new port",
		    c->instance, (unsigned)c->next_task);
		c->next_status = CHAIN_READY;   /* it reported to the instance before us */
		return KERN_SUCCESS;
	}
	r = task_resume(c->next_task);
	if (r)
		return r;
	say("ready, handing over to the next stage (task %u)", (unsigned)c->next_task);
	r = thread_spawn(stall_watch, c);
	if (r)
		say("cannot watch the next stage: %s", mach_error_name(r));
	return KERN_SUCCESS;
}

void chain_ready(struct chain *c)
{
	if (c->parent == MACH_PORT_NULL)
		return;
	kern_return_t r = chain_report(c->parent, CHAIN_READY, c->name, "");
	if (r)
		say("could not report to the stage above: %s", mach_error_name(r));
}

/* --- the chain interface ------------------------------------------------ */

static kern_return_t do_get_console(struct request *rq)
{
	chain_get_console_reply_t *rep = (chain_get_console_reply_t *)rq->out;
	if (rt_console == MACH_PORT_NULL)
		return D_NO_SUCH_DEVICE;
	rep->a = (msg_word_t){ MSGT_PORT(MACH_MSG_TYPE_COPY_SEND), rt_console };
	rq->reply_size = sizeof *rep;
	rq->reply_complex = 1;
	return KERN_SUCCESS;
}

static kern_return_t do_report(struct request *rq)
{
	const chain_report_request_t *m = (const chain_report_request_t *)rq->in;
	if (!msg_string_ok(m->name, CHAIN_NAME_MAX) || !msg_string_ok(m->text, CHAIN_TEXT_MAX))
		return MIG_BAD_ARGUMENTS;
	if (m->status.v != CHAIN_READY && m->status.v != CHAIN_FAILED && m->status.v != CHAIN_WAITING)
		return KERN_INVALID_VALUE;
	strlcpy(self->next_name, m->name, CHAIN_NAME_MAX);
	self->next_status = (int)m->status.v;
	if (m->status.v == CHAIN_FAILED)
		say("the next stage, %s, failed: %s", m->name, m->text);
	if (self->next_reported)
		self->next_reported(self, (int)m->status.v);
	rq->reply_size = sizeof(mig_reply_header_t);
	return KERN_SUCCESS;
}

static kern_return_t do_path(struct request *rq)
{
	chain_path_reply_t *rep = (chain_path_reply_t *)rq->out;
	char above[CHAIN_TEXT_MAX] = "";
	if (self->parent != MACH_PORT_NULL) {
		say("path request from below, asking the stage above");
		kern_return_t r = chain_path(self->parent, above, sizeof above);
		if (r)
			return r;
		strlcpy(above + strlen(above), " -> ", sizeof above - strlen(above));
	} else {
		say("path request reached the first stage");
	}
	rep->path_type = MSGT_LONG(MACH_MSG_TYPE_STRING_C, 8 * CHAIN_TEXT_MAX, 1);
	memset(rep->path, 0, sizeof rep->path);
	snprintf(rep->path, sizeof rep->path, "%s%s", above, self->name);
	rq->reply_size = sizeof *rep;
	return KERN_SUCCESS;
}

static kern_return_t do_halt(struct request *rq)
{
	(void)rq;
	if (self->shutdown)
		self->shutdown(self);
	if (self->parent != MACH_PORT_NULL)
		return chain_halt(self->parent);
	if (self->host_priv == MACH_PORT_NULL)
		return KERN_NO_ACCESS;
	say("halting the machine");
	return host_reboot(self->host_priv, 0);
}

/* A listing-only PCI port: made by the stage that owns PCI, else asked for up
 * the chain; the right we got from above is moved on to the caller. */
static kern_return_t do_get_pci(struct request *rq)
{
	chain_get_pci_reply_t *rep = (chain_get_pci_reply_t *)rq->out;
	mach_port_t port = MACH_PORT_NULL;
	unsigned disp = MACH_MSG_TYPE_MOVE_SEND;
	if (self->pci_list_port) {
		port = self->pci_list_port();
		disp = MACH_MSG_TYPE_MAKE_SEND;
		if (port == MACH_PORT_NULL)
			return KERN_RESOURCE_SHORTAGE;
	} else if (self->parent != MACH_PORT_NULL) {
		kern_return_t r = chain_get_pci(self->parent, &port);
		if (r)
			return r;
	} else {
		return D_NO_SUCH_DEVICE;     /* no PCI owner in this chain */
	}
	rep->a = (msg_word_t){ MSGT_PORT(disp), port };
	rq->reply_size = sizeof *rep;
	rq->reply_complex = 1;
	return KERN_SUCCESS;
}

static kern_return_t do_instance(struct request *rq)
{
	chain_instance_reply_t *rep = (chain_instance_reply_t *)rq->out;
	rep->a = (msg_word_t){ MSGT_INT32, self->next_instance };
	rq->reply_size = sizeof *rep;
	return KERN_SUCCESS;
}

void chain_set_parent(mach_port_t port)
{
	mach_port_t old = self->parent;
	self->parent = port;
	if (MACH_PORT_VALID(old) && old != port)
		mach_port_deallocate(mach_task_self(), old);
}

static const struct msg_field no_args[1];
static const struct msg_field report_args[3] = {
	MSGF_INT32, MSGF_STRING(CHAIN_NAME_MAX), MSGF_STRING(CHAIN_TEXT_MAX) };

static const struct routine chain_routines[] = {
	{ ID_CHAIN_GET_CONSOLE, no_args, 0, do_get_console, 0 },
	{ ID_CHAIN_REPORT, report_args, 3, do_report, 0 },
	{ ID_CHAIN_PATH, no_args, 0, do_path, 0 },
	{ ID_CHAIN_HALT, no_args, 0, do_halt, 0 },
	{ ID_CHAIN_GET_PCI, no_args, 0, do_get_pci, 0 },
	{ ID_CHAIN_INSTANCE, no_args, 0, do_instance, 0 },
};

const struct interface chain_interface = {
	"chain", chain_routines, sizeof chain_routines / sizeof chain_routines[0]
};
