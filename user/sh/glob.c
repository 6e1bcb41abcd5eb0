/* Patterns (sh.h): matching one name, and the paths a pattern names,
 * component by component, sorted as dash sorts them.  Portable: the host
 * unit test compares it with dash. */
#include "rt/rt.h"
#ifdef RT_HOST
#include <dirent.h>
#include <sys/stat.h>
#else
#include "posix/posix.h"
#endif
#include "sh.h"

int sh_list_add(struct sh_list *l, const char *s)
{
	if (l->n + 1 >= l->cap) {
		int cap = l->cap ? 2 * l->cap : 16;
		char **v = realloc(l->v, (size_t)cap * sizeof *v);
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	size_t n = strlen(s) + 1;
	char *copy = malloc(n);
	if (!copy)
		return -1;
	memcpy(copy, s, n);
	l->v[l->n++] = copy;
	l->v[l->n] = NULL;
	return 0;
}

void sh_list_free(struct sh_list *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	*l = (struct sh_list){ 0 };
}

/* A bracket expression at P (after '['): whether CH is in it; *END past
 * its ']'.  0 with *END NULL when it has no ']' (the '[' is plain). */
static int bracket(const char *p, char ch, const char **end)
{
	int negate = *p == '!' || *p == '^', in = 0;
	p += negate;
	const char *first = p;
	while (*p && (*p != ']' || p == first)) {
		char lo = *p == '\\' && p[1] ? *++p : *p;
		char hi = lo;
		if (p[1] == '-' && p[2] && p[2] != ']') {
			p += 2;
			hi = *p == '\\' && p[1] ? *++p : *p;
		}
		in |= (unsigned char)ch >= (unsigned char)lo && (unsigned char)ch <= (unsigned char)hi;
		p++;
	}
	*end = *p == ']' ? p + 1 : NULL;
	return in != negate;
}

int sh_match(const char *pat, const char *name)
{
	while (*pat) {
		const char *end;
		switch (*pat) {
		case '*':
			while (*pat == '*')
				pat++;
			if (!*pat)
				return 1;
			for (const char *n = name; *n; n++)
				if (sh_match(pat, n))
					return 1;
			return 0;
		case '?':
			if (!*name)
				return 0;
			pat++;
			name++;
			continue;
		case '[':
			if (!*name)
				return 0;
			if (bracket(pat + 1, *name, &end) && end) {
				pat = end;
				name++;
				continue;
			}
			if (end)
				return 0;
			break;          /* no ']': a plain '[' */
		case '\\':
			if (pat[1])
				pat++;
			break;
		}
		if (*pat != *name)
			return 0;
		pat++;
		name++;
	}
	return *name == 0;
}

static int has_meta(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\\')
			i++;
		else if (p[i] == '*' || p[i] == '?' || p[i] == '[')
			return 1;
	}
	return 0;
}

/* Appends to L the paths PREFIX + what REST (the pattern's components
 * still to match) names. */
static int expand(char *prefix, size_t plen, size_t cap, const char *rest, struct sh_list *l)
{
	const char *slash = strchr(rest, '/');
	size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
	if (!has_meta(rest, n)) {
		/* a plain component: taken as it is, without its escapes */
		for (size_t i = 0; i < n && plen + 2 < cap; i++) {
			if (rest[i] == '\\' && i + 1 < n)
				i++;
			prefix[plen++] = rest[i];
		}
		if (slash && plen + 2 < cap)
			prefix[plen++] = '/';
		prefix[plen] = 0;
		if (slash)
			return expand(prefix, plen, cap, slash + 1, l);
		struct stat st;
		return lstat(prefix, &st) == 0 ? sh_list_add(l, prefix) : 0;
	}
	char comp[256];
	if (n >= sizeof comp)
		return 0;
	memcpy(comp, rest, n);
	comp[n] = 0;
	DIR *d = opendir(plen ? prefix : ".");
	if (!d)
		return 0;
	int r = 0;
	struct dirent *e;
	while (r == 0 && (e = readdir(d))) {
		if ((e->d_name[0] == '.' && comp[0] != '.') || !sh_match(comp, e->d_name))
			continue;
		size_t k = strlen(e->d_name);
		if (plen + k + 2 >= cap)
			continue;
		memcpy(prefix + plen, e->d_name, k + 1);
		if (!slash) {
			r = sh_list_add(l, prefix);
		} else {
			prefix[plen + k] = '/';
			prefix[plen + k + 1] = 0;
			r = expand(prefix, plen + k + 1, cap, slash + 1, l);
		}
	}
	closedir(d);
	prefix[plen] = 0;
	return r;
}

int sh_glob(const char *pattern, struct sh_list *l)
{
	char path[1024];
	int first = l->n;
	size_t plen = 0;
	if (pattern[0] == '/')
		path[plen++] = '/';
	path[plen] = 0;
	if (expand(path, plen, sizeof path, pattern + plen, l) < 0)
		return -1;
	/* insertion sort by strcmp, as dash's msort orders */
	for (int i = first + 1; i < l->n; i++) {
		char *s = l->v[i];
		int j = i;
		while (j > first && strcmp(l->v[j - 1], s) > 0) {
			l->v[j] = l->v[j - 1];
			j--;
		}
		l->v[j] = s;
	}
	return l->n - first;
}
