/* Mutexes and condition variables (lib/c/lock.c) on the futex system call,
 * driven by pthreads.  A watchdog turns a deadlock into a failure. */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>
#include "rt/rt.h"
#include "rt/lock.h"
#include "unit.h"

#define WATCHDOG_SECONDS 60

static void watchdog(int sig)
{
	(void)sig;
	char line[128];
	int n = snprintf(line, sizeof line, "FAIL %s: no progress in %d s (deadlock?)\n%d passed, %d failed\n",
	                 __FILE__, WATCHDOG_SECONDS, unit_passed, unit_failed + 1);
	if (write(1, line, (size_t)n) < 0)
		_exit(2);
	_exit(1);
}

/* --- mutual exclusion ---------------------------------------------------- */

#define THREADS 4
#define INCREMENTS 100000

static mutex_t count_lock;
static long counter;            /* plain, non-atomic: only the mutex protects it */
static volatile int inside;     /* threads inside the critical section */
static int overlaps;

static void *incrementer(void *arg)
{
	(void)arg;
	for (int i = 0; i < INCREMENTS; i++) {
		mutex_lock(&count_lock);
		if (__atomic_add_fetch(&inside, 1, __ATOMIC_RELAXED) != 1)
			overlaps++;
		long c = counter;
		if ((i & 1023) == 0)
			sched_yield();      /* hold the lock across a reschedule now and then */
		counter = c + 1;
		__atomic_sub_fetch(&inside, 1, __ATOMIC_RELAXED);
		mutex_unlock(&count_lock);
	}
	return NULL;
}

static void test_mutex(void)
{
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, incrementer, NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	CHECK(counter == (long)THREADS * INCREMENTS, "counter is %ld, want %ld", counter, (long)THREADS * INCREMENTS);
	CHECK(overlaps == 0, "%d times two threads were inside the lock", overlaps);
	CHECK(count_lock.v == 0, "the mutex is free at the end (v = %d)", count_lock.v);
}

/* --- trylock -------------------------------------------------------------- */

static mutex_t try_lock;
static int try_result = -1;

static void *try_other(void *arg)
{
	(void)arg;
	try_result = mutex_trylock(&try_lock);
	if (try_result)
		mutex_unlock(&try_lock);
	return NULL;
}

static void *lock_waiter(void *arg)
{
	(void)arg;
	mutex_lock(&try_lock);      /* sleeps until the main thread unlocks */
	mutex_unlock(&try_lock);
	return NULL;
}

static void test_trylock(void)
{
	mutex_t m = { 0 };
	CHECK(mutex_trylock(&m) == 1 && m.v == 1, "trylock takes a free mutex (v = %d)", m.v);
	CHECK(mutex_trylock(&m) == 0 && m.v == 1, "trylock of a held mutex fails and changes nothing");
	mutex_unlock(&m);
	CHECK(m.v == 0, "unlock frees it (v = %d)", m.v);
	CHECK(mutex_trylock(&m) == 1, "trylock again after unlock");
	mutex_unlock(&m);
	mutex_lock(&m);
	CHECK(m.v == 1, "an uncontended lock is 1 (v = %d)", m.v);
	mutex_unlock(&m);

	/* another thread cannot take what this one holds */
	pthread_t t;
	mutex_lock(&try_lock);
	pthread_create(&t, NULL, try_other, NULL);
	pthread_join(t, NULL);
	CHECK(try_result == 0, "trylock from another thread fails while held");
	mutex_unlock(&try_lock);
	pthread_create(&t, NULL, try_other, NULL);
	pthread_join(t, NULL);
	CHECK(try_result == 1, "and succeeds once released");

	/* a sleeping waiter marks the mutex contended and is woken by unlock */
	mutex_lock(&try_lock);
	pthread_create(&t, NULL, lock_waiter, NULL);
	int contended = 0;
	for (int i = 0; i < 5000 && !contended; i++) {
		contended = __atomic_load_n(&try_lock.v, __ATOMIC_RELAXED) == 2;
		usleep(1000);
	}
	CHECK(contended, "a waiter marks the mutex contended (v = %d)", try_lock.v);
	CHECK(mutex_trylock(&try_lock) == 0, "trylock of a contended mutex fails");
	mutex_unlock(&try_lock);
	pthread_join(t, NULL);
	CHECK(try_lock.v == 0, "the waiter got it and released it (v = %d)", try_lock.v);
}

/* --- producer / consumer -------------------------------------------------- */

#define PRODUCERS 3
#define CONSUMERS 3
#define ITEMS_EACH 2000
#define RING 8

static mutex_t q_lock;
static cond_t not_empty, not_full;
static uint32_t ring[RING];
static int q_head, q_count, producers_left = PRODUCERS;
static unsigned char seen[PRODUCERS * ITEMS_EACH];
static long consumed_sum;
static int consumed, duplicates;

static void *producer(void *arg)
{
	uint32_t id = (uint32_t)(uintptr_t)arg;
	for (uint32_t i = 0; i < ITEMS_EACH; i++) {
		mutex_lock(&q_lock);
		while (q_count == RING)
			cond_wait(&not_full, &q_lock);
		ring[(q_head + q_count++) % RING] = id * ITEMS_EACH + i;
		cond_signal(&not_empty);
		mutex_unlock(&q_lock);
	}
	mutex_lock(&q_lock);
	if (--producers_left == 0)
		cond_broadcast(&not_empty);     /* every consumer must notice the end */
	mutex_unlock(&q_lock);
	return NULL;
}

static void *consumer(void *arg)
{
	(void)arg;
	for (;;) {
		mutex_lock(&q_lock);
		while (q_count == 0 && producers_left > 0)
			cond_wait(&not_empty, &q_lock);
		if (q_count == 0) {
			mutex_unlock(&q_lock);
			return NULL;
		}
		uint32_t item = ring[q_head];
		q_head = (q_head + 1) % RING;
		q_count--;
		if (item >= PRODUCERS * ITEMS_EACH || seen[item]++)
			duplicates++;
		consumed++;
		consumed_sum += item;
		cond_signal(&not_full);
		mutex_unlock(&q_lock);
	}
}

static void test_queue(void)
{
	pthread_t p[PRODUCERS], c[CONSUMERS];
	for (int i = 0; i < CONSUMERS; i++)
		pthread_create(&c[i], NULL, consumer, NULL);
	for (uintptr_t i = 0; i < PRODUCERS; i++)
		pthread_create(&p[i], NULL, producer, (void *)i);
	for (int i = 0; i < PRODUCERS; i++)
		pthread_join(p[i], NULL);
	for (int i = 0; i < CONSUMERS; i++)
		pthread_join(c[i], NULL);
	long n = PRODUCERS * ITEMS_EACH;
	CHECK(consumed == n, "consumed %d items, want %ld", consumed, n);
	CHECK(duplicates == 0, "%d items seen twice or out of range", duplicates);
	CHECK(consumed_sum == n * (n - 1) / 2, "sum of items %ld, want %ld", consumed_sum, n * (n - 1) / 2);
	int missing = 0;
	for (long i = 0; i < n; i++)
		missing += seen[i] != 1;
	CHECK(missing == 0, "%d items not seen exactly once", missing);
}

/* --- broadcast wakes every waiter -------------------------------------------- */

#define WAITERS 6
static mutex_t go_lock;
static cond_t go_cond;
static int go, waiting, woken;

static void *go_waiter(void *arg)
{
	(void)arg;
	mutex_lock(&go_lock);
	waiting++;
	while (!go)
		cond_wait(&go_cond, &go_lock);
	woken++;
	mutex_unlock(&go_lock);
	return NULL;
}

static void test_broadcast(void)
{
	pthread_t t[WAITERS];
	for (int i = 0; i < WAITERS; i++)
		pthread_create(&t[i], NULL, go_waiter, NULL);
	for (;;) {      /* until every waiter is in (or about to enter) cond_wait */
		mutex_lock(&go_lock);
		int w = waiting;
		mutex_unlock(&go_lock);
		if (w == WAITERS)
			break;
		usleep(1000);
	}
	usleep(20000);
	mutex_lock(&go_lock);
	CHECK(woken == 0, "nobody woke before the broadcast (%d)", woken);
	go = 1;
	cond_broadcast(&go_cond);
	mutex_unlock(&go_lock);
	/* one broadcast, no further signals: every waiter must come out */
	int w = 0;
	for (int i = 0; i < 10000 && w < WAITERS; i++) {
		usleep(1000);
		mutex_lock(&go_lock);
		w = woken;
		mutex_unlock(&go_lock);
	}
	if (!CHECK(w == WAITERS, "broadcast woke %d of %d waiters within 10 s", w, WAITERS))
		exit(unit_report());    /* the others sleep on: do not join them */
	for (int i = 0; i < WAITERS; i++)
		pthread_join(t[i], NULL);
	CHECK(go_lock.v == 0, "the mutex is free after the stampede (v = %d)", go_lock.v);
}

/* --- signal wakes a waiter --------------------------------------------------- */

static mutex_t ping_lock;
static cond_t ping_cond, pong_cond;
static int ball;        /* 0: main's turn, 1: the other thread's */
static int rounds_done;

static void *pong(void *arg)
{
	(void)arg;
	for (int i = 0; i < 2000; i++) {
		mutex_lock(&ping_lock);
		while (ball != 1)
			cond_wait(&ping_cond, &ping_lock);
		ball = 0;
		rounds_done++;
		cond_signal(&pong_cond);
		mutex_unlock(&ping_lock);
	}
	return NULL;
}

static void test_ping_pong(void)
{
	pthread_t t;
	pthread_create(&t, NULL, pong, NULL);
	int order_ok = 1;
	for (int i = 0; i < 2000; i++) {
		mutex_lock(&ping_lock);
		if (rounds_done != i)
			order_ok = 0;
		ball = 1;
		cond_signal(&ping_cond);
		while (ball != 0)
			cond_wait(&pong_cond, &ping_lock);
		mutex_unlock(&ping_lock);
	}
	pthread_join(t, NULL);
	CHECK(order_ok && rounds_done == 2000, "2000 strict hand-offs with cond_signal (%d done)", rounds_done);
}

int main(void)
{
	signal(SIGALRM, watchdog);
	alarm(WATCHDOG_SECONDS);
	test_trylock();
	test_mutex();
	test_queue();
	test_broadcast();
	test_ping_pong();
	return unit_report();
}
