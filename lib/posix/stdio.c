/* Buffered streams over descriptors.  stdout is line-buffered on the
 * console and fully buffered on a file, stderr unbuffered; exit flushes
 * them all (startup.c). */
#include "posix_impl.h"

enum { F_READ = 1, F_WRITE = 2 };
enum { BUF_FULL, BUF_LINE, BUF_NONE };

struct file {
	int fd;
	int mode;               /* F_READ | F_WRITE */
	int buffering;          /* BUF_* */
	int eof, err;
	int writing;            /* BUF holds output (else input) */
	char *buf;
	size_t size;
	size_t rpos, rlen;      /* input: BUF[rpos, rlen) not yet taken */
	size_t wlen;            /* output: BUF[0, wlen) not yet written */
	struct file *next;      /* every open stream, for stdio_flush_all */
	int is_static;
};

static char in_buf[BUFSIZ], out_buf[BUFSIZ];
static struct file std_in = { .fd = 0, .mode = F_READ, .buf = in_buf, .size = sizeof in_buf, .is_static = 1 };
static struct file std_out = { .fd = 1, .mode = F_WRITE, .buf = out_buf, .size = sizeof out_buf, .is_static = 1 };
static struct file std_err = { .fd = 2, .mode = F_WRITE, .buffering = BUF_NONE, .is_static = 1 };
FILE *stdin = &std_in, *stdout = &std_out, *stderr = &std_err;
static struct file *streams;

void stdio_init(void)
{
	std_in.next = &std_out;
	std_out.next = &std_err;
	streams = &std_in;
	std_out.buffering = isatty(1) ? BUF_LINE : BUF_FULL;
	std_in.buffering = isatty(0) ? BUF_LINE : BUF_FULL;
}

static int write_all(struct file *f, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(f->fd, p, n);
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			f->err = 1;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Makes F ready for output: input read ahead is given back to the file. */
static int to_writing(struct file *f)
{
	if (!(f->mode & F_WRITE)) {
		errno = EBADF;
		f->err = 1;
		return -1;
	}
	if (!f->writing && f->rpos < f->rlen)
		lseek(f->fd, -(off_t)(f->rlen - f->rpos), SEEK_CUR);
	f->rpos = f->rlen = 0;
	f->writing = 1;
	return 0;
}

int fflush(FILE *f)
{
	if (!f) {
		int r = 0;
		for (struct file *s = streams; s; s = s->next)
			if (s->writing && fflush(s) == EOF)
				r = EOF;
		return r;
	}
	if (!f->writing) {
		if (f->rpos < f->rlen && lseek(f->fd, -(off_t)(f->rlen - f->rpos), SEEK_CUR) >= 0)
			f->rpos = f->rlen = 0;
		return 0;
	}
	size_t n = f->wlen;
	f->wlen = 0;
	return n && write_all(f, f->buf, n) < 0 ? EOF : 0;
}

void stdio_flush_all(void)
{
	fflush(NULL);
}

size_t fwrite(const void *buf, size_t size, size_t n, FILE *f)
{
	size_t total = size * n;
	const char *p = buf;
	if (total == 0)
		return 0;
	if (to_writing(f) < 0)
		return 0;
	if (f->buffering == BUF_NONE || !f->buf || total >= f->size) {
		if (fflush(f) == EOF || write_all(f, p, total) < 0)
			return 0;
		return n;
	}
	if (f->wlen + total > f->size && fflush(f) == EOF)
		return 0;
	memcpy(f->buf + f->wlen, p, total);
	f->wlen += total;
	if (f->buffering == BUF_LINE && memchr(p, '\n', total) && fflush(f) == EOF)
		return 0;
	return n;
}

/* Refills F's input buffer; 0, or EOF at the end or on an error. */
static int fill(struct file *f)
{
	if (!(f->mode & F_READ)) {
		errno = EBADF;
		f->err = 1;
		return EOF;
	}
	if (f->writing && fflush(f) == EOF)
		return EOF;
	f->writing = 0;
	if (f->buffering == BUF_LINE)
		fflush(stdout);         /* a prompt shows before the input it asks for */
	ssize_t r = read(f->fd, f->buf, f->size);
	f->rpos = 0;
	f->rlen = r > 0 ? (size_t)r : 0;
	if (r == 0)
		f->eof = 1;
	if (r < 0)
		f->err = 1;
	return r > 0 ? 0 : EOF;
}

int fgetc(FILE *f)
{
	if (f->writing || f->rpos == f->rlen)
		if (fill(f) == EOF)
			return EOF;
	return (unsigned char)f->buf[f->rpos++];
}

char *fgets(char *buf, int n, FILE *f)
{
	int k = 0, had_error = f->err;
	while (k + 1 < n) {
		int c = fgetc(f);
		if (c == EOF)
			break;
		buf[k++] = (char)c;
		if (c == '\n')
			break;
	}
	if (k == 0 || (f->err && !had_error))
		return NULL;            /* nothing read, or a read error on the way */
	buf[k] = 0;
	return buf;
}

size_t fread(void *buf, size_t size, size_t n, FILE *f)
{
	size_t total = size * n, got = 0;
	char *p = buf;
	if (total == 0)
		return 0;
	while (got < total) {
		if (f->writing || f->rpos == f->rlen)
			if (fill(f) == EOF)
				break;
		size_t k = f->rlen - f->rpos < total - got ? f->rlen - f->rpos : total - got;
		memcpy(p + got, f->buf + f->rpos, k);
		f->rpos += k;
		got += k;
	}
	return got / size;
}

int fputc(int c, FILE *f)
{
	char ch = (char)c;
	return fwrite(&ch, 1, 1, f) == 1 ? (unsigned char)c : EOF;
}

int fputs(const char *s, FILE *f)
{
	size_t n = strlen(s);
	return n == 0 || fwrite(s, 1, n, f) == n ? 0 : EOF;
}

int puts(const char *s)
{
	return fputs(s, stdout) == EOF || fputc('\n', stdout) == EOF ? EOF : 0;
}

int putchar(int c)
{
	return fputc(c, stdout);
}

int getchar(void)
{
	return fgetc(stdin);
}

int vfprintf(FILE *f, const char *fmt, va_list ap)
{
	char small[512];
	va_list again;
	va_copy(again, ap);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	char *p = small;
	if (n >= (int)sizeof small) {
		p = malloc((size_t)n + 1);
		if (p)
			vsnprintf(p, (size_t)n + 1, fmt, again);
	}
	va_end(again);
	if (!p) {
		errno = ENOMEM;
		f->err = 1;
		return -1;
	}
	size_t done = n > 0 ? fwrite(p, (size_t)n, 1, f) : 1;
	if (p != small)
		free(p);
	return done == 1 ? n : -1;
}

int fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vfprintf(f, fmt, ap);
	va_end(ap);
	return n;
}

FILE *fopen(const char *path, const char *mode)
{
	int flags, fmode;
	switch (mode[0]) {
	case 'r': flags = O_RDONLY; fmode = F_READ; break;
	case 'w': flags = O_WRONLY | O_CREAT | O_TRUNC; fmode = F_WRITE; break;
	case 'a': flags = O_WRONLY | O_CREAT | O_APPEND; fmode = F_WRITE; break;
	default: errno = EINVAL; return NULL;
	}
	for (const char *m = mode + 1; *m; m++) {
		if (*m == '+') {
			flags = (flags & ~O_ACCMODE) | O_RDWR;
			fmode = F_READ | F_WRITE;
		} else if (*m != 'b') {
			errno = EINVAL;
			return NULL;
		}
	}
	struct file *f = calloc(1, sizeof *f + BUFSIZ);
	if (!f) {
		errno = ENOMEM;
		return NULL;
	}
	f->fd = open(path, flags, 0666);
	if (f->fd < 0) {
		free(f);
		return NULL;
	}
	f->mode = fmode;
	f->buf = (char *)(f + 1);
	f->size = BUFSIZ;
	f->buffering = isatty(f->fd) ? BUF_LINE : BUF_FULL;
	f->next = streams;
	streams = f;
	return f;
}

int fclose(FILE *f)
{
	int r = fflush(f);
	if (close(f->fd) < 0)
		r = EOF;
	f->fd = -1;
	for (struct file **p = &streams; *p; p = &(*p)->next)
		if (*p == f) {
			*p = f->next;
			break;
		}
	if (!f->is_static)
		free(f);
	return r;
}

int fileno(FILE *f)
{
	return f->fd;
}

int feof(FILE *f)
{
	return f->eof;
}

int ferror(FILE *f)
{
	return f->err;
}

void perror(const char *s)
{
	const char *msg = strerror(errno);
	if (s && *s)
		fprintf(stderr, "%s: %s\n", s, msg);
	else
		fprintf(stderr, "%s\n", msg);
}
