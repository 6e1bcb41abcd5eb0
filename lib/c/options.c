/* Long-option parsing (include/rt/options.h). */
#include "rt/rt.h"
#include "rt/options.h"

const struct opt_spec *opt_find(const struct opt_spec *spec, size_t nspec, const char *name, size_t len)
{
	for (size_t i = 0; i < nspec; i++)
		if (strlen(spec[i].name) == len && strncmp(spec[i].name, name, len) == 0)
			return &spec[i];
	return NULL;
}

int opt_parse(const struct opt_spec *spec, size_t nspec, int argc, char **argv,
              struct opt_result *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || a[1] != '-') {
			if (r->npos == OPT_POS_MAX) {
				snprintf(err, errlen, "too many arguments at '%s' (at most %d)", a, OPT_POS_MAX);
				return -1;
			}
			r->pos[r->npos++] = a;
			continue;
		}
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		const struct opt_spec *s = opt_find(spec, nspec, name, len);
		if (!s) {
			snprintf(err, errlen, "unknown option '%.*s'", (int)len + 2, a);
			return -1;
		}
		if (r->given[s->slot]) {
			snprintf(err, errlen, "option '--%s' repeats '--%s'", s->name, r->given[s->slot]);
			return -1;
		}
		if (s->kind == OPT_FLAG) {
			if (eq) {
				snprintf(err, errlen, "option '--%s' takes no value", s->name);
				return -1;
			}
			r->num[s->slot] = 1;
		} else if (!eq || !eq[1]) {
			snprintf(err, errlen, "option '--%s' needs a value: --%s=VALUE", s->name, s->name);
			return -1;
		} else if (s->kind == OPT_STR) {
			r->str[s->slot] = eq + 1;
		} else {
			uint32_t v;
			if (parse_u32(eq + 1, &v) < 0) {
				snprintf(err, errlen, "option '--%s': '%s' is not a number (decimal or 0x hex, 32 bits)", s->name, eq + 1);
				return -1;
			}
			if ((s->kind == OPT_PORT || s->kind == OPT_TASK) && (v == 0 || v == 0xffffffffu)) {
				snprintf(err, errlen, "option '--%s': '%s' is not a port name", s->name, eq + 1);
				return -1;
			}
			r->num[s->slot] = v;
		}
		r->given[s->slot] = s->name;
	}
	return 0;
}
