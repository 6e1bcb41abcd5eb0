/* Mutexes and condition variables on a futex-like wait/wake pair: gsync on
 * Mach, the futex system call in the host tests.  Zero-initialised is ready. */
#ifndef RT_LOCK_H
#define RT_LOCK_H

typedef struct { int v; } mutex_t;       /* 0 free, 1 held, 2 held and contended */
typedef struct { unsigned seq; } cond_t;

void mutex_lock(mutex_t *m);
int mutex_trylock(mutex_t *m);           /* 1 when taken */
void mutex_unlock(mutex_t *m);
void cond_wait(cond_t *c, mutex_t *m);
void cond_signal(cond_t *c);
void cond_broadcast(cond_t *c);

/* The platform's half: sleep while *ADDR == VAL; wake one or all sleepers. */
void rt_futex_wait(volatile void *addr, unsigned val);
void rt_futex_wake(volatile void *addr, int all);

#endif
