/*
 * clock.c — when things happen.  Each campaign has a working-hours profile
 * in a time zone (its own, or each victim's for background traffic):
 * local hours [hour_lo, hour_hi), Monday to Friday or every day, fewer
 * actions over lunch (12:00-13:00 local), and a share of actions at any
 * time of any day (off_hours).  Day 0 is 2013-02-01 (a Friday) local; the
 * returned time is UTC in microseconds.  This is the pattern the APT1
 * report found in its operators' sessions and that an hour-of-day
 * analysis should recover.
 */
#include "sim/sim_int.h"

int64_t sim_when(const struct sim_campaign *c, int vtz, struct sim_rng *r)
{
	int tz = c->victim_tz ? vtz : c->tz;

	for (;;) {
		int64_t day = c->start_day + (int64_t)sim_rng_below(r, c->days);
		int wd = (int)((5 + day) % 7); /* 0 Sunday .. 6 Saturday */
		int64_t sec;

		if (c->off_hours > 0 && sim_rng_unit(r) < c->off_hours) {
			sec = (int64_t)sim_rng_below(r, 86400);
		} else {
			if (c->weekdays && (wd == 0 || wd == 6))
				continue;
			sec = (int64_t)c->hour_lo * 3600 +
			      (int64_t)sim_rng_below(r, (uint64_t)(c->hour_hi - c->hour_lo) * 3600);
			if (c->hour_hi - c->hour_lo < 24 && sec / 3600 == 12 &&
			    sim_rng_unit(r) < 0.6)
				continue;
		}
		return (SIM_EPOCH + day * 86400 + sec - (int64_t)tz * 3600) * 1000000 +
		       (int64_t)sim_rng_below(r, 1000000);
	}
}
