/* Reading a boot configuration: GRUB's words and quotes, then the kernel's
 * boot-script grammar (GNU Mach kern/boot_script.c): words split on blanks;
 * ${var} appends a value to the argument it is part of (or is an argument of
 * its own); $(func) and $(var=func) only as whole words; task-create runs
 * while parsing, task-resume once every line is parsed. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bootscript.h"

void bs_diag(struct bs_config *cfg, int line, const char *fmt, ...)
{
	if (cfg->ndiags == BS_MAX_DIAGS)
		return;
	struct bs_diag *d = &cfg->diags[cfg->ndiags++];
	d->line = line;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
	va_end(ap);
}

void bs_warn(struct bs_config *cfg, int line, const char *fmt, ...)
{
	if (cfg->nwarns == BS_MAX_DIAGS)
		return;
	struct bs_diag d = { .line = line };
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d.msg, sizeof d.msg, fmt, ap);
	va_end(ap);
	cfg->warns[cfg->nwarns++] = d;
}

enum bs_kind bs_predefined(const char *name)
{
	static const char *ports[] = { "host-port", "device-port", "kernel-task" };
	static const char *strings[] = { "kernel-command-line", "boot-args", "root-device" };
	for (size_t i = 0; i < 3; i++) {
		if (strcmp(name, ports[i]) == 0)
			return BS_PORT;
		if (strcmp(name, strings[i]) == 0)
			return BS_STRING;
	}
	return BS_UNDEFINED;
}

/* Splits LINE into GRUB words, removing quotes as GRUB would.  A '$' that
 * GRUB would expand itself (outside single quotes) is an error: GRUB would
 * put its own (empty) variable there and the kernel would never see it. */
static int grub_words(struct bs_config *cfg, int lineno, const char *line, char **words, int max)
{
	int n = 0;
	const char *p = line;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '\n' || *p == '#')
			return n;
		char buf[4096];
		size_t k = 0;
		int bad_dollar = 0;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && k < sizeof buf - 1) {
			if (*p == '\'') {
				const char *end = strchr(p + 1, '\'');
				if (!end) {
					bs_diag(cfg, lineno, "unterminated single quote");
					return -1;
				}
				for (p++; p < end && k < sizeof buf - 1; p++)
					buf[k++] = *p;
				p++;
			} else if (*p == '"') {
				for (p++; *p && *p != '"' && k < sizeof buf - 1; p++) {
					if (*p == '\\' && p[1])
						p++;
					else if (*p == '$')
						bad_dollar = 1;
					buf[k++] = *p;
				}
				if (*p != '"') {
					bs_diag(cfg, lineno, "unterminated double quote");
					return -1;
				}
				p++;
			} else if (*p == '\\' && p[1]) {
				buf[k++] = p[1];
				p += 2;
			} else {
				if (*p == '$')
					bad_dollar = 1;
				buf[k++] = *p++;
			}
		}
		buf[k] = 0;
		if (bad_dollar)
			bs_diag(cfg, lineno, "GRUB expands '$' outside single quotes itself: write '%s' in single quotes", buf);
		if (n == max) {
			bs_diag(cfg, lineno, "more than %d words", max);
			return -1;
		}
		words[n++] = strdup(buf);
	}
}

/* $(...) or ${...} starting at P (at the '$'): records its effect on M and
 * ARG, returns the character after it or NULL on a syntax error. */
static const char *symbol(struct bs_config *cfg, struct bs_module *m, struct bs_arg *arg, const char *p)
{
	char end = p[1] == '{' ? '}' : ')';
	const char *close = strchr(p + 2, end);
	if (!close) {
		bs_diag(cfg, m->line, "'%.2s' without its '%c'", p, end);
		return NULL;
	}
	char expr[256];
	snprintf(expr, sizeof expr, "%.*s", (int)(close - p - 2), p + 2);
	/* name=name=...=value: every name but the last is assigned */
	char *names[8];
	int n = 0;
	for (char *s = expr, *tok; (tok = strsep(&s, "=")) && n < 8;)
		names[n++] = tok;
	for (int i = 0; i < n; i++)
		if (!*names[i]) {
			bs_diag(cfg, m->line, "empty name in '%.*s'", (int)(close - p + 1), p);
			return NULL;
		}
	const char *last = names[n - 1];
	int is_create = strcmp(last, "task-create") == 0;
	int is_resume = strcmp(last, "task-resume") == 0 || strcmp(last, "prompt-task-resume") == 0;
	for (int i = 0; i < n - 1; i++)
		if (strcmp(names[i], "task-create") == 0 || strcmp(names[i], "task-resume") == 0
		    || strcmp(names[i], "prompt-task-resume") == 0) {
			bs_diag(cfg, m->line, "cannot assign to the function '%s'", names[i]);
			return NULL;
		}
	if (end == '}' && (is_create || is_resume)) {
		bs_diag(cfg, m->line, "'${%s}': functions run only as $(%s)", last, last);
		return NULL;
	}
	if (end == ')' && !is_create && !is_resume) {
		bs_diag(cfg, m->line, "'$(%s)': no such function (task-create, task-resume, prompt-task-resume); a variable is ${%s}", last, last);
		return NULL;
	}
	if (is_resume && n > 1) {
		bs_diag(cfg, m->line, "task-resume has no value to assign");
		return NULL;
	}
	if (is_create) {
		m->creates++;
		for (int i = 0; i < n - 1; i++) {
			if (m->task_var)
				bs_diag(cfg, m->line, "one line names its task twice ('%s' and '%s')", m->task_var, names[i]);
			else
				m->task_var = strdup(names[i]);
		}
	} else if (is_resume) {
		m->kernel_resumes++;
	} else {
		if (n > 1)
			bs_diag(cfg, m->line, "'${%s}': assignments inside ${...} are not used by this project", expr);
		if (arg)
			arg->var = strdup(last);
	}
	return close + 1;
}

/* The kernel's reading of one module string (the words after the path). */
static void module_words(struct bs_config *cfg, struct bs_module *m, char **words, int n)
{
	for (int w = 0; w < n; w++) {
		const char *p = words[w];
		while (*p) {
			if (p[0] == '$' && (p[1] == '(' || p[1] == '{')) {
				struct bs_arg *arg = NULL;
				if (p[1] == '{') {
					if (m->nargs == BS_MAX_ARGS)
						return;
					arg = &m->args[m->nargs++];
					arg->text = strdup("");
				}
				if (!(p = symbol(cfg, m, arg, p)))
					return;
				continue;
			}
			/* literal text up to the next ${ (the kernel ends a text run there only) */
			const char *q = p;
			while (*q && !(q[0] == '$' && q[1] == '{'))
				q++;
			if (strstr(p, "$(") && strstr(p, "$(") < q)
				bs_diag(cfg, m->line, "'%s': the kernel runs $(...) only as a word of its own; here it is passed as text", words[w]);
			if (m->nargs == BS_MAX_ARGS)
				return;
			struct bs_arg *arg = &m->args[m->nargs++];
			arg->text = strndup(p, (size_t)(q - p));
			p = q;
			if (*p) {
				if (!(p = symbol(cfg, m, arg, p)))
					return;
				if (*p)
					bs_diag(cfg, m->line, "'%s': the text after '}' becomes an argument of its own", words[w]);
			}
		}
	}
}

int bs_read(const char *path, struct bs_config *cfg, int entry)
{
	int entries = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	memset(cfg, 0, sizeof *cfg);
	cfg->path = path;
	char line[4096];
	for (int lineno = 1; fgets(line, sizeof line, f); lineno++) {
		char *words[BS_MAX_ARGS + 2];
		int n = grub_words(cfg, lineno, line, words, BS_MAX_ARGS + 2);
		if (n <= 0)
			continue;
		if (strcmp(words[0], "menuentry") == 0)
			entries++;
		else if (entries && entries != entry)
			continue;       /* another menu entry's line */
		if (strcmp(words[0], "multiboot") == 0 || strcmp(words[0], "multiboot2") == 0) {
			if (n < 2 || cfg->kernel) {
				bs_diag(cfg, lineno, n < 2 ? "multiboot without a kernel" : "a second multiboot line");
				continue;
			}
			cfg->kernel = words[1];
			cfg->kernel_line = lineno;
			for (int i = 2; i < n && cfg->nvars < BS_MAX_VARS; i++)
				if (strchr(words[i], '='))
					cfg->vars[cfg->nvars++] = strndup(words[i], (size_t)(strchr(words[i], '=') - words[i]));
		} else if (strcmp(words[0], "module") == 0 || strcmp(words[0], "module2") == 0) {
			if (cfg->nmods == BS_MAX_MODULES) {
				bs_diag(cfg, lineno, "more than %d modules", BS_MAX_MODULES);
				continue;
			}
			struct bs_module *m = &cfg->mods[cfg->nmods++];
			m->line = lineno;
			if (n < 3) {
				bs_diag(cfg, lineno, "a module line needs a file and a name: module /bin/NAME NAME ...");
				m->file = strdup(n > 1 ? words[1] : "");
				m->name = strdup("?");
				continue;
			}
			m->file = words[1];
			m->name = words[2];
			module_words(cfg, m, words + 3, n - 3);
		}
		/* anything else (set, serial, menuentry, braces) is GRUB's own */
	}
	fclose(f);
	return entries;
}
