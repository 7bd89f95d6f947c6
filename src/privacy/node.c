/*
 * node.c — a node's privacy context from its ledger (see node.h).
 */
#include "privacy/node.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

enum dt_err privacy_node(struct ledger *l, const struct dt_prefix *nets, size_t n,
                         struct privacy **out, struct dt_diag *diag)
{
	uint8_t key[PRIVACY_KEY_BYTES];
	struct strbuf doms;
	struct privacy *p;
	enum dt_err err;

	*out = NULL;
	ledger_privacy_key(l, key);
	err = privacy_new(key, &p);
	sodium_memzero(key, sizeof(key));
	if (err) {
		dt_diag_set(diag, NULL, 0, "cannot set up pseudonymization: %s", dt_strerror(err));
		return err;
	}
	strbuf_init(&doms, 1 << 20);
	err = ledger_home_domains(l, &doms, diag);
	for (const char *d = doms.p; !err && d && *d;) {
		const char *nl = strchr(d, '\n');
		size_t k = nl ? (size_t)(nl - d) : strlen(d);

		if ((err = privacy_add_domain(p, d, k)))
			dt_diag_set(diag, NULL, 0, "home domain '%.*s': %s", (int)k, d,
			            dt_strerror(err));
		d += k + (nl != NULL);
	}
	strbuf_release(&doms);
	for (size_t i = 0; !err && i < n; i++)
		if ((err = privacy_add_net(p, &nets[i])))
			dt_diag_set(diag, NULL, 0, "more than %d home networks", PRIVACY_MAX_NETS);
	if (err) {
		privacy_free(p);
		return err;
	}
	*out = p;
	return DT_OK;
}

/* Adds the home-net= list of an about line to nets, without duplicates. */
static void about_nets(const char *about, struct dt_prefix *nets, size_t *n, size_t max)
{
	const char *p = NULL, *q;

	for (q = strstr(about, " | "); q; q = strstr(q + 1, " | "))
		p = q;
	if (!p || !(q = strstr(p, " home-net=")))
		return;
	q += strlen(" home-net=");
	while (*q && *q != ' ') {
		size_t k = strcspn(q, ", ");
		struct dt_prefix pf;
		bool dup = false;

		/* prefixes are written plain (percent-encoding leaves : / . alone) */
		if (k && dt_prefix_parse(q, k, &pf, NULL) == DT_OK) {
			for (size_t i = 0; i < *n && !dup; i++)
				dup = nets[i].len == pf.len && nets[i].ip.family == pf.ip.family &&
				      nets[i].ip.addr == pf.ip.addr;
			if (!dup && *n < max)
				nets[(*n)++] = pf;
		}
		q += k + (q[k] == ',');
	}
}

enum dt_err privacy_node_all(struct ledger *l, struct privacy **out, struct dt_diag *diag)
{
	struct ledger_own_entry *subs = NULL;
	struct dt_prefix nets[PRIVACY_MAX_NETS];
	size_t nsub = 0, n = 0;
	enum dt_err err;

	if ((err = ledger_own_entries(l, "submission", &subs, &nsub, diag)))
		return err;
	for (size_t i = 0; i < nsub; i++) {
		char about[LEDGER_MAX_ABOUT + 1];

		if (ledger_private_about_get(l, subs[i].e.sha256, about, sizeof(about)) != DT_OK)
			snprintf(about, sizeof(about), "%s", subs[i].e.about);
		about_nets(about, nets, &n, PRIVACY_MAX_NETS);
	}
	free(subs);
	return privacy_node(l, nets, n, out, diag);
}
