/*
 * cli_analysis.h — what `campaigns` and `report` share: open the node,
 * group its events into campaigns and build the report model.
 */
#ifndef DT_CLI_ANALYSIS_H
#define DT_CLI_ANALYSIS_H

#include "analysis/campaigns.h"
#include "cli/cli.h"
#include "report/model.h"

struct analysis {
	struct campaign_set *cs;
	struct report_model model;
};

/* Parses one of the grouping options (W window, G guard-ips, A guard-asns,
 * V min-victims); -1 after printing why it is bad. */
int cli_campaign_opts(int ch, const char *arg, struct campaign_opts *o);

/* Runs the analysis over the node c->db; -1 after printing why not. */
int cli_analysis_run(struct cli *c, const struct campaign_opts *o, struct analysis *an);
void cli_analysis_release(struct analysis *an);

#endif
