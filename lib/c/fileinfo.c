/* How ls and stat show a file (rt/fileinfo.h). */
#include "rt/fileinfo.h"

static char type_letter(uint32_t mode)
{
	switch (mode & 0170000) {
	case 0100000: return '-';
	case 0040000: return 'd';
	case 0120000: return 'l';
	case 0020000: return 'c';
	case 0060000: return 'b';
	case 0010000: return 'p';
	case 0140000: return 's';
	}
	return '?';
}

/* The execute letter of one class: x, or SPECIAL (s or t) when the special
 * bit is set too, upper case when it is set without x. */
static char exec_letter(uint32_t mode, uint32_t xbit, uint32_t special_bit, char special)
{
	if (mode & special_bit)
		return mode & xbit ? special : (char)(special - 'a' + 'A');
	return mode & xbit ? 'x' : '-';
}

void mode_string(uint32_t mode, char buf[11])
{
	buf[0] = type_letter(mode);
	buf[1] = mode & 0400 ? 'r' : '-';
	buf[2] = mode & 0200 ? 'w' : '-';
	buf[3] = exec_letter(mode, 0100, 04000, 's');
	buf[4] = mode & 040 ? 'r' : '-';
	buf[5] = mode & 020 ? 'w' : '-';
	buf[6] = exec_letter(mode, 010, 02000, 's');
	buf[7] = mode & 04 ? 'r' : '-';
	buf[8] = mode & 02 ? 'w' : '-';
	buf[9] = exec_letter(mode, 01, 01000, 't');
	buf[10] = 0;
}

/* Days since 1970-01-01 to a proleptic Gregorian date, counting in 400-year
 * eras that start on March 1st so that the leap day ends each year (the
 * well-known civil_from_days method). */
void utc_time(uint32_t t, struct utc_time *u)
{
	uint32_t days = t / 86400, secs = t % 86400;
	u->hour = secs / 3600;
	u->min = secs / 60 % 60;
	u->sec = secs % 60;
	uint32_t z = days + 719468;                 /* days since 0000-03-01 */
	uint32_t era = z / 146097, doe = z % 146097;
	uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	uint32_t mp = (5 * doy + 2) / 153;          /* month from March, 0..11 */
	u->day = doy - (153 * mp + 2) / 5 + 1;
	u->month = mp < 10 ? mp + 3 : mp - 9;
	u->year = yoe + era * 400 + (u->month <= 2);
}
