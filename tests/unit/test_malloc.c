/* The heap (lib/c/malloc.c): sizes, alignment, contents, realloc, calloc,
 * misuse reported through rt_heap_error, failure of the page allocator, a
 * seeded random stress and a threaded one. */
#include <pthread.h>
#include <stdint.h>
#include "rt/rt.h"
#include "unit.h"

static uint64_t rng_state;

static uint32_t rng(void)
{
	/* xorshift64*: deterministic for a given seed */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

/* Byte I of the pattern of a block tagged TAG. */
static unsigned char pat(uint32_t tag, size_t i)
{
	return (unsigned char)((tag * 131u) ^ (i * 7u) ^ (i >> 8));
}

static void fill(void *p, size_t n, uint32_t tag)
{
	unsigned char *c = p;
	for (size_t i = 0; i < n; i++)
		c[i] = pat(tag, i);
}

/* The first offset where P differs from the pattern, or N. */
static size_t verify(const void *p, size_t n, uint32_t tag)
{
	const unsigned char *c = p;
	for (size_t i = 0; i < n; i++)
		if (c[i] != pat(tag, i))
			return i;
	return n;
}

static int all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;
	for (size_t i = 0; i < n; i++)
		if (c[i])
			return 0;
	return 1;
}

static const size_t sizes[] = { 0, 1, 7, 8, 9, 15, 16, 17, 24, 25, 56, 57, 120, 1000,
                                2039, 2040, 2041, 2048, 4000, 4088, 4089, 4096, 65536, 100000 };
#define NSIZES (sizeof sizes / sizeof sizes[0])

static void test_sizes(void)
{
	void *p[NSIZES];
	for (size_t i = 0; i < NSIZES; i++) {
		p[i] = malloc(sizes[i]);
		if (!CHECK(p[i] != NULL, "malloc(%zu) returned NULL", sizes[i]))
			continue;
		CHECK(((uintptr_t)p[i] & 7) == 0, "malloc(%zu) = %p is not 8-byte aligned", sizes[i], p[i]);
		fill(p[i], sizes[i], (uint32_t)i);
	}
	/* all live at once: no block overlaps another */
	for (size_t i = 0; i < NSIZES; i++)
		if (p[i])
			CHECK(verify(p[i], sizes[i], (uint32_t)i) == sizes[i],
			      "block of %zu bytes changed at offset %zu", sizes[i], verify(p[i], sizes[i], (uint32_t)i));
	for (size_t i = 0; i < NSIZES; i++)
		free(p[i]);
	CHECK(host_heap_errors == 0, "freeing valid blocks reported %d errors (%s)", host_heap_errors,
	      host_heap_problem ? host_heap_problem : "");

	/* blocks of one class are distinct and reused after free */
	char *a = malloc(40), *b = malloc(40);
	CHECK(a && b && (a + 40 <= b || b + 40 <= a), "two live blocks overlap: %p %p", (void *)a, (void *)b);
	free(a);
	char *c = malloc(40);
	CHECK(c == a, "the block freed last is reused first (%p, got %p)", (void *)a, (void *)c);
	free(b);
	free(c);

	free(NULL);
	CHECK(host_heap_errors == 0, "free(NULL) is no error");
}

static void test_large(void)
{
	long allocs = host_pages_allocs, frees = host_pages_frees;
	char *p = malloc(100000);
	CHECK(p && host_pages_allocs == allocs + 1, "a large block gets pages of its own");
	if (p) {
		CHECK(((uintptr_t)p & 7) == 0, "large block alignment: %p", (void *)p);
		fill(p, 100000, 77);
		CHECK(verify(p, 100000, 77) == 100000, "large block contents");
	}
	free(p);
	CHECK(host_pages_frees == frees + 1, "freeing a large block gives its pages back");

	CHECK(malloc(SIZE_MAX) == NULL, "malloc(SIZE_MAX) is NULL");
	CHECK(malloc(0x80000000u) == NULL, "malloc(2 GiB) is NULL");
	CHECK(malloc(SIZE_MAX - 4) == NULL, "malloc(SIZE_MAX - 4) is NULL (no wrap of the header)");
}

static void test_realloc(void)
{
	char *p = realloc(NULL, 10);
	CHECK(p != NULL, "realloc(NULL, 10) allocates");
	if (!p)
		return;
	fill(p, 10, 1);
	static const size_t grow[] = { 11, 16, 100, 2040, 2041, 3000, 5000, 100000, 300000 };
	size_t have = 10;
	for (size_t i = 0; i < sizeof grow / sizeof grow[0]; i++) {
		char *q = realloc(p, grow[i]);
		if (!CHECK(q != NULL, "realloc to %zu returned NULL", grow[i]))
			break;
		CHECK(((uintptr_t)q & 7) == 0, "realloc to %zu: %p not aligned", grow[i], (void *)q);
		CHECK(verify(q, have, 1) == have, "realloc %zu -> %zu lost content at %zu",
		      have, grow[i], verify(q, have, 1));
		fill(q, grow[i], 1);
		p = q;
		have = grow[i];
	}
	static const size_t shrink[] = { 200000, 4096, 2000, 50, 1, 0 };
	for (size_t i = 0; i < sizeof shrink / sizeof shrink[0]; i++) {
		char *q = realloc(p, shrink[i]);
		if (!CHECK(q != NULL, "realloc down to %zu returned NULL", shrink[i]))
			break;
		CHECK(verify(q, shrink[i], 1) == shrink[i], "realloc down to %zu lost content", shrink[i]);
		p = q;
	}
	free(p);

	/* a failed realloc leaves the block as it was */
	p = malloc(100);
	fill(p, 100, 9);
	CHECK(realloc(p, SIZE_MAX) == NULL, "realloc to SIZE_MAX fails");
	CHECK(verify(p, 100, 9) == 100, "the block survives a failed realloc");
	free(p);
	CHECK(host_heap_errors == 0, "realloc reported %d errors", host_heap_errors);
}

static void test_calloc(void)
{
	/* dirty a few blocks so that calloc has to clear reused memory */
	for (int i = 0; i < 8; i++) {
		char *d = malloc(4000);
		memset(d, 0xaa, 4000);
		free(d);
		d = malloc(100);
		memset(d, 0xaa, 100);
		free(d);
	}
	char *p = calloc(100, 1);
	CHECK(p && all_zero(p, 100), "calloc(100, 1) is zeroed");
	free(p);
	int *q = calloc(1000, sizeof(int));
	CHECK(q && all_zero(q, 1000 * sizeof(int)), "calloc(1000, 4) is zeroed");
	free(q);
	p = calloc(3, 33333);
	CHECK(p && all_zero(p, 99999), "large calloc is zeroed");
	free(p);
	p = calloc(0, 16);
	CHECK(p != NULL, "calloc(0, 16) gives a block");
	free(p);

	CHECK(calloc(SIZE_MAX / 2, 3) == NULL, "calloc overflowing size_t is NULL");
	CHECK(calloc(3, SIZE_MAX / 2) == NULL, "calloc overflowing size_t is NULL (swapped)");
	CHECK(calloc((size_t)1 << 33, (size_t)1 << 31) == NULL, "calloc of 2^64 is NULL");
	CHECK(calloc(65536, 65536) == NULL, "calloc of 4 GiB is NULL");
	CHECK(host_heap_errors == 0, "calloc reported %d errors", host_heap_errors);
}

static void test_misuse(void)
{
	host_heap_error_reset();
	char *p = malloc(32);
	free(p);
	free(p);
	CHECK(host_heap_errors == 1, "a double free is reported (%d reports)", host_heap_errors);
	CHECK(host_heap_problem && strstr(host_heap_problem, "double free"), "problem: %s",
	      host_heap_problem ? host_heap_problem : "(none)");
	CHECK(host_heap_what && strcmp(host_heap_what, "free") == 0 && host_heap_ptr == p,
	      "the report names free and the pointer");

	/* the free list is intact: two allocations of that class are distinct */
	char *a = malloc(32), *b = malloc(32);
	CHECK(a && b && a != b, "heap intact after a double free (%p %p)", (void *)a, (void *)b);
	free(a);
	free(b);

	host_heap_error_reset();
	char *r = realloc(a, 64);     /* a was freed */
	CHECK(r == NULL && host_heap_errors == 1 && host_heap_what && strcmp(host_heap_what, "realloc") == 0,
	      "realloc of a freed block is reported and returns NULL");

	/* a pointer that malloc never returned: an 8-aligned spot in our data */
	static uint64_t bogus[8];
	host_heap_error_reset();
	free(&bogus[2]);
	CHECK(host_heap_errors == 1 && host_heap_ptr == &bogus[2], "free of a bogus pointer is reported");
	CHECK(host_heap_problem && strstr(host_heap_problem, "never returned"), "problem: %s",
	      host_heap_problem ? host_heap_problem : "(none)");
	CHECK(bogus[1] == 0 && bogus[2] == 0, "the bogus block was not touched");

	/* a large block freed twice: its pages are gone, so the second free
	 * must be caught without reading them */
	char *big = malloc(100000);
	free(big);
	host_heap_error_reset();
	free(big);
	CHECK(host_heap_errors == 1 && host_heap_ptr == big, "a double free of a large block is reported");
	host_heap_error_reset();
	CHECK(realloc(big, 200000) == NULL && host_heap_errors == 1, "realloc of a freed large block is reported");

	/* a pointer into the middle of a live block */
	char *m = calloc(1, 64);
	host_heap_error_reset();
	free(m + 16);
	CHECK(host_heap_errors == 1, "free of an interior pointer is reported");
	free(m);

	host_heap_error_reset();
	CHECK(realloc(&bogus[4], 10) == NULL && host_heap_errors == 1, "realloc of a bogus pointer is reported");
	host_heap_error_reset();
}

static void test_no_memory(void)
{
	host_pages_fail = 1;
	void *big = malloc(100000);
	CHECK(big == NULL, "a large malloc fails when no pages are left");
	/* small blocks come from the free list until it runs dry, then need a chunk */
	void *p[5000];
	int got = 0, null = 0;
	for (int i = 0; i < 5000; i++) {
		p[i] = malloc(1500);
		if (p[i])
			got++;
		else
			null++;
	}
	CHECK(null > 0, "small mallocs fail once the chunk is used up (%d got, %d failed)", got, null);
	host_pages_fail = 0;
	for (int i = 0; i < 5000; i++)
		free(p[i]);
	void *q = malloc(1500);
	CHECK(q != NULL, "malloc works again when pages are back");
	free(q);
	CHECK(host_heap_errors == 0, "no misuse reported (%d)", host_heap_errors);
}

/* Thousands of random operations on a set of slots, every block's contents
 * checked before it is freed or resized. */
#define SLOTS 512
static struct { char *p; size_t n; uint32_t tag; } slot[SLOTS];

static size_t random_size(void)
{
	uint32_t r = rng() % 100;
	if (r < 60)
		return rng() % 64;
	if (r < 90)
		return rng() % 2100;
	if (r < 98)
		return rng() % 9000;
	return rng() % 70000;
}

static void test_stress(void)
{
	rng_state = 0x9e3779b97f4a7c15ull;
	int bad = 0, ops = 0, nulls = 0;
	uint32_t next_tag = 1;
	for (int i = 0; i < 40000; i++, ops++) {
		int s = (int)(rng() % SLOTS);
		uint32_t op = rng() % 10;
		if (slot[s].p && verify(slot[s].p, slot[s].n, slot[s].tag) != slot[s].n)
			bad++;
		if (!slot[s].p || op < 3) {
			free(slot[s].p);
			size_t n = random_size();
			int zeroed = op == 0;
			slot[s].p = zeroed ? calloc(1, n) : malloc(n);
			slot[s].n = n;
			slot[s].tag = next_tag++;
			if (!slot[s].p) {
				nulls++;
				slot[s].n = 0;
				continue;
			}
			if (zeroed && !all_zero(slot[s].p, n))
				bad++;
			if ((uintptr_t)slot[s].p & 7)
				bad++;
			fill(slot[s].p, n, slot[s].tag);
		} else if (op < 6) {
			size_t n = random_size();
			char *q = realloc(slot[s].p, n);
			if (!q) {
				nulls++;
				continue;
			}
			size_t keep = n < slot[s].n ? n : slot[s].n;
			if (verify(q, keep, slot[s].tag) != keep)
				bad++;
			slot[s].p = q;
			slot[s].n = n;
			fill(q, n, slot[s].tag);
		} else {
			free(slot[s].p);
			slot[s].p = NULL;
		}
	}
	for (int s = 0; s < SLOTS; s++) {
		if (slot[s].p && verify(slot[s].p, slot[s].n, slot[s].tag) != slot[s].n)
			bad++;
		free(slot[s].p);
		slot[s].p = NULL;
	}
	CHECK(bad == 0, "random stress: %d corrupted or misaligned blocks in %d operations", bad, ops);
	CHECK(nulls == 0, "random stress: %d allocations failed", nulls);
	CHECK(host_heap_errors == 0, "random stress: %d heap errors (%s)", host_heap_errors,
	      host_heap_problem ? host_heap_problem : "");
}

/* Threads allocating and freeing at once: the heap lock keeps the free lists
 * consistent. */
static void *thread_stress(void *arg)
{
	uint32_t id = (uint32_t)(uintptr_t)arg;
	uint64_t st = 0x1234567ull * (id + 1);
	char *held[64] = { 0 };
	size_t len[64] = { 0 };
	long bad = 0;
	for (int i = 0; i < 20000; i++) {
		st = st * 6364136223846793005ull + 1442695040888963407ull;
		int k = (int)((st >> 33) % 64);
		if (held[k]) {
			if (verify(held[k], len[k], id * 1000 + (uint32_t)k) != len[k])
				bad++;
			free(held[k]);
			held[k] = NULL;
		} else {
			len[k] = (size_t)((st >> 40) % 3000);
			held[k] = malloc(len[k]);
			if (!held[k]) {
				bad++;
				continue;
			}
			fill(held[k], len[k], id * 1000 + (uint32_t)k);
		}
	}
	for (int k = 0; k < 64; k++) {
		if (held[k] && verify(held[k], len[k], id * 1000 + (uint32_t)k) != len[k])
			bad++;
		free(held[k]);
	}
	return (void *)bad;
}

static void test_threads(void)
{
	pthread_t t[4];
	for (uintptr_t i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, thread_stress, (void *)i);
	long bad = 0;
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(t[i], &r);
		bad += (long)r;
	}
	CHECK(bad == 0, "threaded stress: %ld corrupted blocks or failed allocations", bad);
	CHECK(host_heap_errors == 0, "threaded stress: %d heap errors", host_heap_errors);
}

int main(void)
{
	test_sizes();
	test_large();
	test_realloc();
	test_calloc();
	test_misuse();
	test_stress();
	test_threads();
	test_no_memory();   /* last: it uses up whatever was left of a chunk */
	return unit_report();
}
