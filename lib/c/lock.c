/* Mutex and condition variable (Drepper's three-state futex mutex). */
#include "rt/lock.h"

static int cas(int *p, int old, int new)
{
	__atomic_compare_exchange_n(p, &old, new, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
	return old;
}

void mutex_lock(mutex_t *m)
{
	int c = cas(&m->v, 0, 1);
	if (c == 0)
		return;
	if (c != 2)
		c = __atomic_exchange_n(&m->v, 2, __ATOMIC_ACQUIRE);
	while (c != 0) {
		rt_futex_wait(&m->v, 2);
		c = __atomic_exchange_n(&m->v, 2, __ATOMIC_ACQUIRE);
	}
}

int mutex_trylock(mutex_t *m)
{
	return cas(&m->v, 0, 1) == 0;
}

void mutex_unlock(mutex_t *m)
{
	if (__atomic_fetch_sub(&m->v, 1, __ATOMIC_RELEASE) != 1) {
		__atomic_store_n(&m->v, 0, __ATOMIC_RELEASE);
		rt_futex_wake(&m->v, 0);
	}
}

void cond_wait(cond_t *c, mutex_t *m)
{
	unsigned seq = __atomic_load_n(&c->seq, __ATOMIC_RELAXED);
	mutex_unlock(m);
	rt_futex_wait(&c->seq, seq);
	/* take it as contended: other waiters may sleep on the mutex */
	int v = __atomic_exchange_n(&m->v, 2, __ATOMIC_ACQUIRE);
	while (v != 0) {
		rt_futex_wait(&m->v, 2);
		v = __atomic_exchange_n(&m->v, 2, __ATOMIC_ACQUIRE);
	}
}

void cond_signal(cond_t *c)
{
	__atomic_fetch_add(&c->seq, 1, __ATOMIC_RELEASE);
	rt_futex_wake(&c->seq, 0);
}

void cond_broadcast(cond_t *c)
{
	__atomic_fetch_add(&c->seq, 1, __ATOMIC_RELEASE);
	rt_futex_wake(&c->seq, 1);
}
