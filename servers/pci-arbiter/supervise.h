/* pci-arbiter's watch over the next stage (the disk server): restarts it
 * from a pristine image when it dies (supervise.c, README.md). */
#ifndef SUPERVISE_H
#define SUPERVISE_H
#include "pciarb/arbiter.h"

/* Gives up after this many deaths within SUPERVISE_WINDOW_S seconds. */
#define SUPERVISE_DEATHS 5
#define SUPERVISE_WINDOW_S 30

/* Before the hand-off: takes the image of the next task (never run yet),
 * becomes its exception port and watches for its death.  NEXT_POLICY is
 * what each new instance's arbiter port shows.  Returns 0 or an error,
 * naming the failed step in *WHAT. */
kern_return_t supervise_next(struct chain *c, const struct pci_policy *next_policy, const char **what);

#endif
