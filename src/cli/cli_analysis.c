/*
 * cli_analysis.c — see cli_analysis.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_analysis.h"
#include "intel/db.h"
#include "ledger/ledger.h"
#include "store/store.h"

int cli_campaign_opts(int ch, const char *arg, struct campaign_opts *o)
{
	char *end;
	unsigned long v = strtoul(arg ? arg : "", &end, 10);

	if (arg == NULL || *arg == '\0' || *end != '\0' || v > 1000000) {
		cli_error("'%s' is not a number", arg ? arg : "");
		return -1;
	}
	switch (ch) {
	case 'W':
		if (v == 0) {
			cli_error("--window must be at least one day");
			return -1;
		}
		o->window_us = (int64_t)v * 86400 * 1000000;
		break;
	case 'G': o->guard_ips = (uint32_t)v; break;
	case 'A': o->guard_asns = (uint32_t)v; break;
	case 'V': o->min_victims = (uint32_t)v; break;
	default: return -1;
	}
	return 0;
}

int cli_analysis_run(struct cli *c, const struct campaign_opts *o, struct analysis *an)
{
	struct ledger *l = NULL;
	struct store *s = NULL;
	struct intel_db *x = NULL;
	struct dt_diag d;
	int rc = -1;

	memset(an, 0, sizeof(*an));
	dt_diag_clear(&d);
	if (ledger_open(c->db, &l, &d) || store_open(c->db, &s, &d) ||
	    intel_db_open(c->db, &x, &d) || campaigns_build(s, x, o, &an->cs, &d) ||
	    report_model_build(&an->model, an->cs, l, &d)) {
		cli_diag(&d);
		goto out;
	}
	rc = 0;
out:
	intel_db_close(x);
	store_close(s);
	ledger_close(l);
	if (rc)
		cli_analysis_release(an);
	return rc;
}

void cli_analysis_release(struct analysis *an)
{
	if (an->cs)
		report_model_release(&an->model);
	campaigns_free(an->cs);
	memset(an, 0, sizeof(*an));
}
