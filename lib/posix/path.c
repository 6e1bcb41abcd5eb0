/* Paths: absolute ones from the root port, relative ones from the working
 * directory's port; the server walks the components and the symlinks.  The
 * working directory keeps a normalised path for getcwd. */
#include "posix_impl.h"

char posix_cwd_path[PATH_MAX] = "/";

int posix_fail(long r)
{
	errno = r < 0 ? (int)-r : EIO;
	return -1;
}

void put_port(mach_port_t port)
{
	if (port != MACH_PORT_NULL)
		mach_port_deallocate(mach_task_self(), port);
}

int path_lookup(const char *path, unsigned fs_flags, unsigned mode, mach_port_t *node)
{
	if (!path) {
		errno = EFAULT;
		return -1;
	}
	if (!path[0]) {
		errno = ENOENT;
		return -1;
	}
	if (strlen(path) >= FS_PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	mach_port_t base = path[0] == '/' ? posix_root : posix_cwd;
	if (base == MACH_PORT_NULL) {
		errno = ENOENT;             /* exec handed us no file system */
		return -1;
	}
	int r = fs_lookup(base, path, fs_flags, mode, node);
	return r < 0 ? posix_fail(r) : 0;
}

int path_parent(const char *path, mach_port_t *dir, char name[FS_NAME_MAX])
{
	char p[PATH_MAX];
	if (!path || !path[0]) {
		errno = path ? ENOENT : EFAULT;
		return -1;
	}
	if (strlcpy(p, path, sizeof p) >= sizeof p) {
		errno = ENAMETOOLONG;
		return -1;
	}
	size_t n = strlen(p);
	while (n > 1 && p[n - 1] == '/')    /* "dir/" names dir */
		p[--n] = 0;
	char *slash = strrchr(p, '/');
	const char *base = slash ? slash + 1 : p;
	if (!base[0]) {                     /* the root itself */
		errno = EBUSY;
		return -1;
	}
	if (strlcpy(name, base, FS_NAME_MAX) >= FS_NAME_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (!slash) {
		if (posix_cwd == MACH_PORT_NULL) {
			errno = ENOENT;
			return -1;
		}
		if (mach_port_mod_refs(mach_task_self(), posix_cwd, MACH_PORT_RIGHT_SEND, 1) != KERN_SUCCESS) {
			errno = EBADF;
			return -1;
		}
		*dir = posix_cwd;
		return 0;
	}
	if (slash == p)
		slash[1] = 0;                   /* "/name": the root */
	else
		*slash = 0;
	return path_lookup(p, FS_O_READ | FS_O_DIRECTORY, 0, dir);
}

/* PATH taken from FROM (the old working directory, when PATH is relative),
 * with ".", ".." and repeated slashes resolved as names; 0, or -1 when it
 * does not fit. */
static int normalise(const char *from, const char *path, char out[PATH_MAX])
{
	size_t n = 0;
	char tmp[PATH_MAX];
	if (path[0] != '/' && snprintf(tmp, sizeof tmp, "%s/%s", from, path) >= (int)sizeof tmp)
		return -1;
	if (path[0] == '/' && strlcpy(tmp, path, sizeof tmp) >= sizeof tmp)
		return -1;
	for (char *s = tmp; *s;) {
		while (*s == '/')
			s++;
		char *e = s;
		while (*e && *e != '/')
			e++;
		size_t len = e - s;
		if (len == 0 || (len == 1 && s[0] == '.')) {
			/* nothing */
		} else if (len == 2 && s[0] == '.' && s[1] == '.') {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;            /* the slash before the name */
		} else {
			if (n + 1 + len + 1 > PATH_MAX)
				return -1;
			out[n++] = '/';
			memcpy(out + n, s, len);
			n += len;
		}
		s = e;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = 0;
	return 0;
}

static int same_node(mach_port_t a, mach_port_t b)
{
	struct fs_stat sa, sb;
	return fs_stat(a, &sa) == 0 && fs_stat(b, &sb) == 0 && sa.dev == sb.dev && sa.ino == sb.ino;
}

/* The name under which PARENT holds the node INO (not "." or ".."). */
static int name_in(mach_port_t parent, uint32_t ino, char name[FS_NAME_MAX])
{
	static char buf[FS_INLINE_MAX];
	uint32_t cookie = 0;
	while (cookie != FS_DIR_END) {
		long len = fs_readdir(parent, &cookie, buf, sizeof buf), pos = 0;
		if (len <= 0)
			return -1;
		const struct fs_dirent *d;
		while ((d = dirent_next(buf, len, &pos)))
			if (d->ino == ino && strcmp(d->name, ".") != 0 && strcmp(d->name, "..") != 0) {
				strlcpy(name, d->name, FS_NAME_MAX);
				return 0;
			}
	}
	return -1;
}

/* The path of directory DIR found by walking ".." up to the root and
 * looking each directory up in its parent; -1 when that fails. */
static int walk_up(mach_port_t dir, char out[PATH_MAX])
{
	char name[FS_NAME_MAX];
	size_t pos = PATH_MAX - 1;
	out[pos] = 0;
	mach_port_t cur = dir, parent = MACH_PORT_NULL;
	int ok = -1;
	for (int depth = 0; depth < 256; depth++) {
		struct fs_stat sc, sp;
		if (fs_stat(cur, &sc) < 0 || fs_lookup(cur, "..", FS_O_READ | FS_O_DIRECTORY, 0, &parent) < 0)
			break;
		if (fs_stat(parent, &sp) < 0)
			break;
		if (sp.ino == sc.ino && sp.dev == sc.dev) {     /* ".." of the root is the root */
			ok = 0;
			break;
		}
		size_t len;
		if (name_in(parent, sc.ino, name) < 0 || (len = strlen(name)) + 1 > pos)
			break;
		pos -= len;
		memcpy(out + pos, name, len);
		out[--pos] = '/';
		if (cur != dir)
			put_port(cur);
		cur = parent;
		parent = MACH_PORT_NULL;
	}
	put_port(parent);
	if (cur != dir)
		put_port(cur);
	if (ok < 0)
		return -1;
	if (out[pos] == 0)
		out[--pos] = '/';
	memmove(out, out + pos, PATH_MAX - pos);
	return 0;
}

void cwd_set_path(mach_port_t dir, const char *path)
{
	char lexical[PATH_MAX], walked[PATH_MAX];
	mach_port_t check = MACH_PORT_NULL;
	int lex = normalise(posix_cwd_path, path, lexical);
	/* the names taken literally may not reach DIR (symlinks and ".."): check */
	if (lex == 0 && posix_root != MACH_PORT_NULL &&
	    fs_lookup(posix_root, lexical, FS_O_READ | FS_O_DIRECTORY, 0, &check) == 0 && same_node(check, dir)) {
		put_port(check);
		strlcpy(posix_cwd_path, lexical, PATH_MAX);
		return;
	}
	put_port(check);
	if (walk_up(dir, walked) == 0)
		strlcpy(posix_cwd_path, walked, PATH_MAX);
	else if (lex == 0)
		strlcpy(posix_cwd_path, lexical, PATH_MAX);    /* the best we know */
}

int chdir(const char *path)
{
	mach_port_t dir;
	if (path_lookup(path, FS_O_READ | FS_O_DIRECTORY, 0, &dir) < 0)
		return -1;
	cwd_set_path(dir, path);
	put_port(posix_cwd);
	posix_cwd = dir;
	return 0;
}

char *getcwd(char *buf, size_t size)
{
	size_t need = strlen(posix_cwd_path) + 1;
	if (!buf) {
		buf = malloc(size > need ? size : need);     /* as glibc does for NULL */
		if (!buf) {
			errno = ENOMEM;
			return NULL;
		}
		size = size > need ? size : need;
	}
	if (size == 0) {
		errno = EINVAL;
		return NULL;
	}
	if (need > size) {
		errno = ERANGE;
		return NULL;
	}
	memcpy(buf, posix_cwd_path, need);
	return buf;
}
