/* How ls and stat show a file: its mode as ls's ten letters, and a time
 * stamp as a UTC calendar date.  Portable (unit-tested on the host). */
#ifndef RT_FILEINFO_H
#define RT_FILEINFO_H

#include <stdint.h>

/* "drwxr-xr-x": the type letter (- d l c b p s, ? when unknown), then
 * rwx for owner, group and others, with s/S for set-user-id and
 * set-group-id and t/T for the sticky bit, as ls -l shows them.  BUF gets
 * 10 letters and a NUL. */
void mode_string(uint32_t mode, char buf[11]);

struct utc_time { unsigned year, month, day, hour, min, sec; };   /* month, day from 1 */

/* T seconds after 1970-01-01 00:00:00 UTC, as a calendar date. */
void utc_time(uint32_t t, struct utc_time *u);

#endif
