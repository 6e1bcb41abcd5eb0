/* The shell's variables: "NAME=value" strings in a table, each exported
 * or not; the exported ones (at first, the environment sh was started
 * with) are the environment of every program it starts. */
#include "shell.h"

struct var {
	char *nv;                       /* malloc'd "NAME=value" */
	int exported;
};
static struct var *vars;
static int nvars, cap;

static size_t name_len(const char *nv)
{
	const char *eq = strchr(nv, '=');
	return eq ? (size_t)(eq - nv) : strlen(nv);
}

static struct var *find(const char *name, size_t n)
{
	for (int i = 0; i < nvars; i++)
		if (name_len(vars[i].nv) == n && strncmp(vars[i].nv, name, n) == 0)
			return &vars[i];
	return NULL;
}

const char *var_get(const char *name)
{
	struct var *v = find(name, strlen(name));
	return v ? v->nv + strlen(name) + 1 : NULL;
}

int var_set(const char *nv, int export)
{
	size_t n = name_len(nv);
	char *copy = strdup(nv);
	if (!copy || nv[n] != '=') {
		free(copy);
		complain("%s: %s", nv, copy ? "not NAME=value" : strerror(ENOMEM));
		return -1;
	}
	struct var *v = find(nv, n);
	if (!v) {
		if (nvars == cap) {
			int ncap = cap ? 2 * cap : 32;
			struct var *nvs = realloc(vars, (size_t)ncap * sizeof *nvs);
			if (!nvs) {
				free(copy);
				complain("%.*s: %s", (int)n, nv, strerror(ENOMEM));
				return -1;
			}
			vars = nvs;
			cap = ncap;
		}
		v = &vars[nvars++];
		*v = (struct var){ NULL, 0 };
	}
	free(v->nv);
	v->nv = copy;
	v->exported |= export;
	return 0;
}

void var_export(const char *name)
{
	struct var *v = find(name, strlen(name));
	if (v)
		v->exported = 1;
}

void var_unset(const char *name)
{
	struct var *v = find(name, strlen(name));
	if (v) {
		free(v->nv);
		*v = vars[--nvars];
	}
}

void vars_import(char **env)
{
	for (; env && *env; env++)
		if (strchr(*env, '='))
			var_set(*env, 1);
}

char **var_environ(char *const *extra, int n)
{
	char **env = malloc((size_t)(nvars + n + 1) * sizeof *env);
	if (!env)
		return NULL;
	int k = 0;
	for (int i = 0; i < nvars; i++) {
		int over = 0;
		for (int j = 0; j < n; j++)
			over |= name_len(extra[j]) == name_len(vars[i].nv)
			        && strncmp(extra[j], vars[i].nv, name_len(extra[j])) == 0;
		if (vars[i].exported && !over)
			env[k++] = vars[i].nv;
	}
	for (int j = 0; j < n; j++)
		env[k++] = extra[j];
	env[k] = NULL;
	return env;
}

void vars_print_exported(void)
{
	const struct var *done = NULL;          /* the last one printed: by name, in strcmp order */
	for (;;) {
		const struct var *next = NULL;
		for (int i = 0; i < nvars; i++)
			if (vars[i].exported && (!done || strcmp(vars[i].nv, done->nv) > 0)
			    && (!next || strcmp(vars[i].nv, next->nv) < 0))
				next = &vars[i];
		if (!next)
			return;
		size_t n = name_len(next->nv);
		printf("export %.*s='", (int)n, next->nv);
		for (const char *p = next->nv + n + 1; *p; p++)
			fputs(*p == '\'' ? "'\"'\"'" : (char[2]){ *p, 0 }, stdout);
		printf("'\n");
		done = next;
	}
}
