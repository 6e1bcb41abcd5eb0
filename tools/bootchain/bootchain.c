/* bootchain: checks a boot configuration before it boots, and draws it.
 *
 *   bootchain check [--bin DIR] [--kernel-dir DIR] FILE...
 *   bootchain show FILE
 *
 * check reports, with file and line, what would hang or panic the boot: an
 * undefined variable, a variable assigned twice or a predefined one assigned,
 * a created task that nobody resumes or that two parties resume, a cycle in
 * the chain, an option a program does not accept, a missing module file.
 * It exits 1 when it found anything. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bootscript.h"
#include "programs.h"

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* The module whose task is VAR, or -1. */
static int task_module(const struct bs_config *c, const char *var)
{
	for (int i = 0; i < c->nmods; i++)
		if (c->mods[i].task_var && strcmp(c->mods[i].task_var, var) == 0)
			return i;
	return -1;
}

static enum bs_kind var_kind(const struct bs_config *c, const char *var)
{
	enum bs_kind k = bs_predefined(var);
	if (k != BS_UNDEFINED)
		return k;
	for (int i = 0; i < c->nvars; i++)
		if (strcmp(c->vars[i], var) == 0)
			return BS_STRING;
	return task_module(c, var) >= 0 ? BS_TASK : BS_UNDEFINED;
}

/* Edit distance, for "did you mean". */
static int distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int d[64][64];
	if (la >= 64 || lb >= 64)
		return 99;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			int best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

/* Who resumes each module's task: the kernel, or a program's task option. */
struct edge { int from, to; const char *option; };

static int collect_edges(const struct bs_config *c, struct edge *e, int max)
{
	int n = 0;
	for (int i = 0; i < c->nmods; i++) {
		const struct program *p = program_find(base_name(c->mods[i].file));
		if (!p)
			continue;
		for (int a = 0; a < c->mods[i].nargs; a++) {
			const struct bs_arg *arg = &c->mods[i].args[a];
			if (strncmp(arg->text, "--", 2) != 0 || !arg->var)
				continue;
			const char *eq = strchr(arg->text, '=');
			const struct opt_spec *s = eq ? opt_find(p->options, p->noptions, arg->text + 2,
			                                         (size_t)(eq - arg->text - 2)) : NULL;
			int to = s && s->kind == OPT_TASK ? task_module(c, arg->var) : -1;
			if (to >= 0 && n < max)
				e[n++] = (struct edge){ i, to, s->name };
		}
	}
	return n;
}

static void check_options(struct bs_config *c, const struct bs_module *m, const struct program *p)
{
	int given[OPT_SLOTS] = { 0 };
	for (int a = 0; a < m->nargs; a++) {
		const struct bs_arg *arg = &m->args[a];
		if (strncmp(arg->text, "--", 2) != 0)
			continue;
		const char *name = arg->text + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		const struct opt_spec *s = opt_find(p->options, p->noptions, name, len);
		if (!s) {
			const char *best = NULL;
			int bd = 3;
			for (size_t k = 0; k < p->noptions; k++) {
				char want[64];
				snprintf(want, sizeof want, "%.*s", (int)len, name);
				int d = distance(want, p->options[k].name);
				if (d < bd)
					bd = d, best = p->options[k].name;
			}
			bs_diag(c, m->line, "%s: %s does not accept '--%.*s'%s%s%s", m->name, p->name, (int)len, name,
			        best ? " (did you mean '--" : "", best ? best : "", best ? "'?)" : "");
			continue;
		}
		if (given[s->slot]++)
			bs_diag(c, m->line, "%s: '--%s' repeats an option given before it", m->name, s->name);
		int has_value = eq && (eq[1] || arg->var);
		if (s->kind == OPT_FLAG) {
			if (eq)
				bs_diag(c, m->line, "%s: '--%s' takes no value", m->name, s->name);
			continue;
		}
		if (!has_value) {
			bs_diag(c, m->line, "%s: '--%s' needs a value", m->name, s->name);
			continue;
		}
		if (s->kind == OPT_PORT || s->kind == OPT_TASK) {
			enum bs_kind k = arg->var ? var_kind(c, arg->var) : BS_UNDEFINED;
			if (!arg->var || eq[1])
				bs_diag(c, m->line, "%s: '--%s' takes a port from the boot script: --%s='${NAME}'",
				        m->name, s->name, s->name);
			else if (s->kind == OPT_TASK && k != BS_TASK && k != BS_UNDEFINED)
				bs_diag(c, m->line, "%s: '--%s=${%s}' is not a task this configuration creates",
				        m->name, s->name, arg->var);
			else if (s->kind == OPT_PORT && k == BS_STRING)
				bs_diag(c, m->line, "%s: '--%s=${%s}' is a string, not a port", m->name, s->name, arg->var);
		}
	}
}

static int check(struct bs_config *c, const char *bin, const char *kdir)
{
	char path[4096];
	if (!c->kernel)
		bs_diag(c, 1, "no multiboot line");
	else if (kdir) {
		snprintf(path, sizeof path, "%s%s", kdir, c->kernel);
		if (access(path, R_OK) != 0)
			bs_diag(c, c->kernel_line, "kernel file %s not found (looked for %s)", c->kernel, path);
	}
	for (int i = 0; i < c->nmods; i++) {
		struct bs_module *m = &c->mods[i];
		if (bin) {
			snprintf(path, sizeof path, "%s/%s", bin, base_name(m->file));
			if (access(path, R_OK) != 0)
				bs_diag(c, m->line, "module file %s not found (looked for %s)", m->file, path);
		}
		const struct program *p = program_find(base_name(m->file));
		if (!p)
			bs_diag(c, m->line, "%s: no option table for program '%s' (tools/bootchain/programs.c)",
			        m->name, base_name(m->file));
		else
			check_options(c, m, p);
		/* variables used */
		for (int a = 0; a < m->nargs; a++)
			if (m->args[a].var && var_kind(c, m->args[a].var) == BS_UNDEFINED)
				bs_diag(c, m->line, "%s: undefined variable ${%s} (the kernel panics): no %s= on "
				        "the kernel line and no module assigns it", m->name, m->args[a].var, m->args[a].var);
		/* variables assigned */
		if (m->task_var) {
			if (bs_predefined(m->task_var) != BS_UNDEFINED)
				bs_diag(c, m->line, "%s: assigns the kernel's own variable '%s'", m->name, m->task_var);
			for (int k = 0; k < i; k++)
				if (c->mods[k].task_var && strcmp(c->mods[k].task_var, m->task_var) == 0)
					bs_diag(c, m->line, "%s: variable '%s' assigned twice (first on line %d)",
					        m->name, m->task_var, c->mods[k].line);
		}
		if (m->creates == 0)
			bs_diag(c, m->line, "%s: creates no task, so the module never runs: add '$(task-create)'", m->name);
		if (m->creates > 1)
			bs_diag(c, m->line, "%s: creates %d tasks for one module", m->name, m->creates);
		if (m->kernel_resumes && !m->creates)
			bs_diag(c, m->line, "%s: resumes a task it does not create", m->name);
	}
	/* who resumes whom */
	struct edge e[BS_MAX_MODULES * 4];
	int ne = collect_edges(c, e, BS_MAX_MODULES * 4);
	for (int i = 0; i < c->nmods; i++) {
		struct bs_module *m = &c->mods[i];
		if (!m->creates)
			continue;
		int by = m->kernel_resumes, first = -1;
		for (int k = 0; k < ne; k++)
			if (e[k].to == i) {
				if (by++ && first >= 0)
					bs_diag(c, m->line, "%s: task resumed twice: by %s (line %d, --%s) and by %s (line %d, --%s)",
					        m->name, c->mods[e[first].from].name, c->mods[e[first].from].line,
					        e[first].option, c->mods[e[k].from].name, c->mods[e[k].from].line, e[k].option);
				else if (by > 1)
					bs_diag(c, m->line, "%s: task resumed twice: by the kernel ($(task-resume)) and by %s (line %d, --%s)",
					        m->name, c->mods[e[k].from].name, c->mods[e[k].from].line, e[k].option);
				first = k;
			}
		if (by == 0)
			bs_diag(c, m->line, "%s: task %s is created but nobody resumes it: add '$(task-resume)' or hand it to a server's next-task option",
			        m->name, m->task_var ? m->task_var : "(unnamed)");
		if (m->kernel_resumes > 1)
			bs_diag(c, m->line, "%s: $(task-resume) given twice", m->name);
	}
	/* a server of the chain given no next stage boots, serves, and starts
	 * nothing after it (it says so on the console) */
	for (int i = 0; i < c->nmods; i++) {
		const struct program *p = program_find(base_name(c->mods[i].file));
		bool hands = false;
		for (int k = 0; k < ne; k++)
			hands |= e[k].from == i;
		if (p && p->server && !hands)
			bs_warn(c, c->mods[i].line, "%s: no next stage: it will serve and start nothing after it "
			        "(give it a next-task option)", c->mods[i].name);
	}
	/* cycles: follow each stage's hand-offs */
	for (int i = 0; i < c->nmods; i++) {
		int cur = i;
		for (int steps = 0; steps <= c->nmods; steps++) {
			int next = -1;
			for (int k = 0; k < ne; k++)
				if (e[k].from == cur)
					next = e[k].to;
			if (next < 0)
				break;
			if (next == i) {
				bs_diag(c, c->mods[i].line, "%s: the chain comes back to this stage (a cycle)", c->mods[i].name);
				break;
			}
			cur = next;
		}
	}
	return c->ndiags;
}

static void show(const struct bs_config *c)
{
	struct edge e[BS_MAX_MODULES * 4];
	int ne = collect_edges(c, e, BS_MAX_MODULES * 4);
	printf("kernel %s\n", c->kernel ? c->kernel : "(none)");
	for (int i = 0; i < c->nmods; i++) {
		if (!c->mods[i].kernel_resumes)
			continue;
		printf("  started by the kernel: %s (%s)\n", c->mods[i].name, c->mods[i].file);
		int cur = i, depth = 2;
		for (int steps = 0; steps < c->nmods; steps++) {
			int k = 0;
			while (k < ne && e[k].from != cur)
				k++;
			if (k == ne)
				break;
			printf("%*s└─ --%s ─▶ %s (%s)\n", depth * 2, "", e[k].option, c->mods[e[k].to].name,
			       c->mods[e[k].to].file);
			cur = e[k].to;
			depth++;
		}
	}
	printf("\ndigraph chain {\n  rankdir=LR;\n  kernel [shape=box];\n");
	for (int i = 0; i < c->nmods; i++) {
		printf("  \"%s\" [label=\"%s\\n%s\"];\n", c->mods[i].name, c->mods[i].name, c->mods[i].file);
		if (c->mods[i].kernel_resumes)
			printf("  kernel -> \"%s\" [label=\"task-resume\"];\n", c->mods[i].name);
	}
	for (int k = 0; k < ne; k++)
		printf("  \"%s\" -> \"%s\" [label=\"--%s\"];\n", c->mods[e[k].from].name, c->mods[e[k].to].name, e[k].option);
	printf("}\n");
}

static int usage(void)
{
	fprintf(stderr, "usage: bootchain check [--bin DIR] [--kernel-dir DIR] FILE...\n"
	                "       bootchain show FILE\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	const char *bin = NULL, *kdir = NULL;
	int i = 2;
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strncmp(argv[i], "--bin=", 6) == 0)
			bin = argv[i] + 6;
		else if (strncmp(argv[i], "--kernel-dir=", 13) == 0)
			kdir = argv[i] + 13;
		else
			return usage();
	}
	int bad = 0;
	for (; i < argc; i++) {
		static struct bs_config c;
		int entries = bs_read(argv[i], &c, 1);
		if (entries < 0) {
			fprintf(stderr, "bootchain: cannot read %s\n", argv[i]);
			bad++;
			continue;
		}
		/* each menu entry of a grub.cfg is a boot of its own */
		for (int e = 1; e <= (entries ? entries : 1); e++) {
			char what[64] = "";
			if (e > 1)
				bs_read(argv[i], &c, e);
			if (entries)
				snprintf(what, sizeof what, " menu entry %d:", e);
			if (strcmp(argv[1], "show") == 0) {
				show(&c);
				continue;
			}
			if (strcmp(argv[1], "check") != 0)
				return usage();
			int errors = check(&c, bin, kdir);
			for (int d = 0; d < c.nwarns; d++)
				printf("%s:%d: warning: %s\n", argv[i], c.warns[d].line, c.warns[d].msg);
			if (errors == 0) {
				printf("%s:%s ok, %d modules\n", argv[i], what, c.nmods);
				continue;
			}
			for (int d = 0; d < c.ndiags; d++)
				printf("%s:%d: error: %s\n", argv[i], c.diags[d].line, c.diags[d].msg);
			bad++;
		}
	}
	return bad ? 1 : 0;
}
