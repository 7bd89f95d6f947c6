/*
 * logtime.c — see logtime.h.
 *
 * Fixed digit counts are read with one helper; the calendar is Howard
 * Hinnant's days_from_civil and its inverse, so the answer does not depend
 * on the process's TZ or locale and needs no table beyond month lengths.
 * Zone offsets are subtracted to give UTC (RFC 3339 section 4.2: local
 * time = UTC + offset).
 */
#include "ingest/logtime.h"

#include <stdbool.h>
#include <string.h>

/* Reads exactly n decimal digits at s[*i]. */
static bool digits(const char *s, size_t len, size_t *i, int n, int *out)
{
	int v = 0;

	if (*i + (size_t)n > len)
		return false;
	for (int k = 0; k < n; k++) {
		char ch = s[*i + (size_t)k];

		if (ch < '0' || ch > '9')
			return false;
		v = v * 10 + (ch - '0');
	}
	*i += (size_t)n;
	*out = v;
	return true;
}

static bool expect(const char *s, size_t len, size_t *i, char ch)
{
	if (*i >= len || s[*i] != ch)
		return false;
	(*i)++;
	return true;
}

int64_t logtime_days(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int64_t logtime_year(int64_t us)
{
	int64_t days = us / 86400000000LL, z, era, doe, yoe, doy, mp;

	if (us % 86400000000LL < 0)
		days--;
	/* Hinnant's civil_from_days, the year only */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	return yoe + era * 400 + (mp >= 10);
}

static bool leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int mdays(int64_t y, int m)
{
	static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && leap(y) ? 29 : dm[m - 1];
}

int logtime_month(const char *s)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int m;

	/* the first letter narrows it to at most three */
	switch (s[0]) {
	case 'J': m = s[1] == 'a' ? 1 : s[2] == 'n' ? 6 : 7; break;
	case 'F': m = 2; break;
	case 'M': m = s[2] == 'r' ? 3 : 5; break;
	case 'A': m = s[1] == 'p' ? 4 : 8; break;
	case 'S': m = 9; break;
	case 'O': m = 10; break;
	case 'N': m = 11; break;
	case 'D': m = 12; break;
	default: return 0;
	}
	return memcmp(s, months + (size_t)3 * (size_t)(m - 1), 3) == 0 ? m : 0;
}

void logtime_ref_init(struct logtime_ref *ref, int64_t now_us)
{
	ref->now_us = now_us;
	ref->year = logtime_year(now_us);
}

/* hh:mm:ss, checked (a leap second :60 allowed). */
static bool clock_time(const char *s, size_t len, size_t *i, int *h, int *mi, int *sec)
{
	return digits(s, len, i, 2, h) && expect(s, len, i, ':') && digits(s, len, i, 2, mi) &&
	       expect(s, len, i, ':') && digits(s, len, i, 2, sec) && *h <= 23 && *mi <= 59 &&
	       *sec <= 60;
}

/* ".f{1,9}" at s[*i] if present: µs, truncated.  False if malformed. */
static bool fraction(const char *s, size_t len, size_t *i, int64_t *frac)
{
	int nd = 0;

	*frac = 0;
	if (*i >= len || s[*i] != '.')
		return true;
	(*i)++;
	while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
		if (nd < 6)
			*frac = *frac * 10 + (s[*i] - '0');
		nd++;
		(*i)++;
	}
	if (nd == 0 || nd > 9)
		return false;
	for (int k = nd; k < 6; k++)
		*frac *= 10;
	return true;
}

static int64_t to_us(int64_t y, int mo, int d, int h, int mi, int sec, int64_t frac)
{
	int64_t secs = logtime_days(y, mo, d) * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + sec;

	return secs * 1000000 + frac;
}

const char *logtime_iso(const char *s, size_t len, size_t *used, int64_t *us)
{
	size_t i = 0;
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	int64_t frac;

	if (!digits(s, len, &i, 4, &y) || !expect(s, len, &i, '-') || !digits(s, len, &i, 2, &mo) ||
	    !expect(s, len, &i, '-') || !digits(s, len, &i, 2, &d))
		return "not of the form YYYY-MM-DDTHH:MM:SS";
	if (i >= len || (s[i] != 'T' && s[i] != 't' && s[i] != ' '))
		return "not of the form YYYY-MM-DDTHH:MM:SS";
	i++;
	if (!clock_time(s, len, &i, &h, &mi, &sec))
		return "not of the form YYYY-MM-DDTHH:MM:SS (or out of range)";
	if (mo < 1 || mo > 12 || d < 1 || d > mdays(y, mo))
		return "date out of range";
	if (!fraction(s, len, &i, &frac))
		return "fraction of a second is not 1 to 9 digits";
	if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i < len && (s[i] == '+' || s[i] == '-')) {
		sign = s[i] == '+' ? 1 : -1;
		i++;
		if (!digits(s, len, &i, 2, &oh))
			return "zone offset is not +hh:mm";
		if (i < len && s[i] == ':')
			i++;
		if (i < len && s[i] >= '0' && s[i] <= '9' && !digits(s, len, &i, 2, &om))
			return "zone offset is not +hh:mm";
		if (oh > 23 || om > 59)
			return "zone offset out of range";
	}
	if (i < len && s[i] != ' ' && s[i] != '\t')
		return "timestamp not followed by a space";
	*us = to_us(y, mo, d, h, mi, sec, frac) -
	      (int64_t)sign * ((int64_t)oh * 3600 + (int64_t)om * 60) * 1000000;
	*used = i;
	return NULL;
}

const char *logtime_bsd(const char *s, size_t len, const struct logtime_ref *ref, size_t *used,
                        int64_t *us)
{
	size_t i = 4;
	int mo, d, h, mi, sec;
	int64_t y, frac;

	if (len < LOGTIME_BSD_LEN || (mo = logtime_month(s)) == 0 || s[3] != ' ')
		return "not of the form 'Mmm dd hh:mm:ss'";
	if (s[4] == ' ' || s[4] == '0') {
		if (s[5] < '1' || s[5] > '9')
			return "not of the form 'Mmm dd hh:mm:ss'";
		d = s[5] - '0';
		i = 6;
	} else if (!digits(s, len, &i, 2, &d)) {
		return "not of the form 'Mmm dd hh:mm:ss'";
	}
	if (!expect(s, len, &i, ' ') || !clock_time(s, len, &i, &h, &mi, &sec))
		return "not of the form 'Mmm dd hh:mm:ss' (or out of range)";
	if (d > mdays(2000, mo))
		return "day of month out of range";
	if (!fraction(s, len, &i, &frac))
		return "fraction of a second is not 1 to 9 digits";
	/* the latest year that keeps the time at most a day after now */
	y = ref->year + 1;
	for (int k = 0; k < 10; k++, y--) {
		int64_t t;

		if (d > mdays(y, mo))
			continue;
		t = to_us(y, mo, d, h, mi, sec, frac);
		if (t <= ref->now_us + LOGTIME_BSD_SLACK_US) {
			*us = t;
			*used = i;
			return NULL;
		}
	}
	return "no year fits the date"; /* not reached: a leap year is within 8 */
}

const char *logtime_clf(const char *s, size_t len, size_t *used, int64_t *us)
{
	size_t i = 0;
	int d, mo, y, h, mi, sec, oh, om, sign;
	int64_t frac;

	if (!digits(s, len, &i, 2, &d) || !expect(s, len, &i, '/') || i + 3 > len ||
	    (mo = logtime_month(s + i)) == 0)
		return "not of the form dd/Mon/yyyy:hh:mm:ss +hhmm";
	i += 3;
	if (!expect(s, len, &i, '/') || !digits(s, len, &i, 4, &y) || !expect(s, len, &i, ':') ||
	    !clock_time(s, len, &i, &h, &mi, &sec))
		return "not of the form dd/Mon/yyyy:hh:mm:ss +hhmm (or out of range)";
	if (d < 1 || d > mdays(y, mo))
		return "day of month out of range";
	if (!fraction(s, len, &i, &frac))
		return "fraction of a second is not 1 to 9 digits";
	if (!expect(s, len, &i, ' ') || i >= len || (s[i] != '+' && s[i] != '-'))
		return "no zone offset (+hhmm)";
	sign = s[i++] == '+' ? 1 : -1;
	if (!digits(s, len, &i, 2, &oh) || !digits(s, len, &i, 2, &om) || oh > 23 || om > 59)
		return "zone offset is not +hhmm";
	*us = to_us(y, mo, d, h, mi, sec, frac) -
	      (int64_t)sign * ((int64_t)oh * 3600 + (int64_t)om * 60) * 1000000;
	*used = i;
	return NULL;
}
