/* event.c — the one constructor of struct event. */
#include "ingest/event.h"

#include <string.h>

void event_init(struct event *e)
{
	memset(e, 0, sizeof(*e));
	e->sport = e->dport = e->proto = -1;
	e->kind = EVENT_OTHER;
	e->signature_id = -1;
	e->severity = -1;
	e->duration_us = -1;
	e->orig_bytes = e->resp_bytes = e->orig_pkts = e->resp_pkts = -1;
}
