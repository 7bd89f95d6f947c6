/*
 * derive.c — sanitized derivatives of own submissions (see derive.h).
 */
#include "ingest/derive.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/hex.h"
#include "privacy/node.h"
#include "privacy/sanitize.h"

enum dt_err derive_privacy(struct ledger *l, const struct submit_opts *o, struct privacy **out,
                           struct dt_diag *diag)
{
	return privacy_node(l, o ? o->home : NULL, o ? o->nhome : 0, out, diag);
}

/* Whether a file name mentions anything victim-side anywhere, also glued
 * to other text ("conn-ws042.bank.example-10.20.1.5.log"), where the
 * token scrubber cannot see it: any substring under a home domain, any
 * embedded home address. */
static bool name_mentions_victim(const struct privacy *p, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = i + 1; j <= n && j - i <= 253; j++)
			if (privacy_home_name(p, s + i, j - i))
				return true;
		if (i == 0 || !strchr("0123456789abcdefABCDEF:.", s[i - 1])) {
			for (size_t j = n; j > i; j--) {
				struct dt_ip a;

				if (j - i <= 45 && dt_ip_parse(s + i, j - i, &a) == DT_OK &&
				    privacy_home_addr(p, &a))
					return true;
			}
		}
	}
	return false;
}

enum dt_err derive_about_public(struct privacy *p, const char *fmt, const char *file,
                                const struct submit_opts *o, char *out, size_t size)
{
	struct submit_opts po = *o;
	struct strbuf name;
	enum dt_err err;

	strbuf_init(&name, LEDGER_MAX_ABOUT);
	err = privacy_scrub(p, file, strlen(file), &name, NULL);
	if (!err && name.p && name_mentions_victim(p, name.p, name.len)) {
		strbuf_reset(&name);
		err = strbuf_adds(&name, "(file name withheld)");
	}
	for (size_t i = 0; i < po.nhome; i++)
		privacy_prefix(p, &o->home[i], &po.home[i]);
	if (!err)
		err = submit_about_format(fmt, name.p ? name.p : "", &po, out, size);
	strbuf_release(&name);
	return err;
}

enum dt_err derive_orig(const char *about, uint8_t sha256[32])
{
	const char *p = NULL, *q;

	for (q = strstr(about, " | "); q; q = strstr(q + 1, " | "))
		p = q;
	if (!p || !(q = strstr(p, " orig=sha256:")))
		return DT_ENOTFOUND;
	q += strlen(" orig=sha256:");
	if (strspn(q, "0123456789abcdef") != 64 || (q[64] != '\0' && q[64] != ' '))
		return DT_EPARSE;
	for (size_t i = 0; i < 32; i++) /* digits checked above: never -1 */
		sha256[i] = (uint8_t)((unsigned)dt_hex_digit(q[2 * i]) << 4 |
		                      (unsigned)dt_hex_digit(q[2 * i + 1]));
	return DT_OK;
}

enum dt_err derive_submission(struct ledger *l, uint64_t idx, const uint8_t sha256[32],
                              const char *tlp, const char *fmt, const struct submit_opts *o,
                              struct derive_result *r, struct dt_diag *diag)
{
	struct ledger_entry_in e = {.kind = "sanitized", .tlp = tlp, .path = NULL};
	char orig[1400], tmp[1400], about[LEDGER_MAX_ABOUT + 1], hex[65];
	char desc[64], params[LEDGER_MAX_ABOUT + 1];
	struct privacy *p = NULL;
	enum dt_err err;
	size_t dl;

	memset(r, 0, sizeof(*r));
	if ((err = ledger_payload_path(l, sha256, orig, sizeof(orig)))) {
		dt_diag_set(diag, orig, 0, "the submission's payload is not held here");
		return err;
	}
	if ((err = derive_privacy(l, o, &p, diag)))
		return err;
	/* the parameters as the submission entry carries them, then orig= */
	snprintf(desc, sizeof(desc), "sanitized copy of submission %llu", (unsigned long long)idx);
	if ((err = derive_about_public(p, fmt, desc, o, params, sizeof(params)))) {
		dt_diag_set(diag, NULL, 0, "the derivative's parameters do not fit in an entry");
		goto out;
	}
	dt_hex_encode(sha256, 32, hex);
	/* submit_about_format wrote "<fmt> telemetry <desc>[ of <victim>] |..." */
	dl = strlen(params) - strlen(strstr(params, " |"));
	if ((size_t)snprintf(about, sizeof(about), "%s%s orig=sha256:%s", desc, params + dl, hex) >=
	    LEDGER_MAX_ABOUT) {
		dt_diag_set(diag, NULL, 0, "the derivative's parameters do not fit in an entry");
		err = DT_ELIMIT;
		goto out;
	}
	snprintf(tmp, sizeof(tmp), "%s/derive.tmp", ledger_dir(l));
	if ((err = sanitize_file(p, fmt, orig, tmp, &r->counts, diag)))
		goto out;
	if ((err = ledger_adopt_file(l, tmp, e.sha256, &e.size, diag)))
		goto out;
	e.about = about;
	r->size = e.size;
	dt_hex_encode(e.sha256, 32, hex);
	snprintf(r->digest, sizeof(r->digest), "sha256:%s", hex);
	err = ledger_append(l, &e, 1, true, &r->entry, &r->existed, diag);
out:
	privacy_free(p);
	return err;
}

enum dt_err derive_backfill(struct ledger *l, derive_done_fn *done, void *ctx, uint64_t *made,
                            struct dt_diag *diag)
{
	struct ledger_own_entry *subs = NULL, *sans = NULL;
	size_t nsub = 0, nsan = 0;
	uint8_t(*have)[32] = NULL;
	enum dt_err err;

	*made = 0;
	if ((err = ledger_own_entries(l, "submission", &subs, &nsub, diag)) ||
	    (err = ledger_own_entries(l, "sanitized", &sans, &nsan, diag)))
		goto out;
	if (nsan && !(have = calloc(nsan, 32))) {
		err = DT_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < nsan; i++)
		if (derive_orig(sans[i].e.about, have[i]) != DT_OK)
			memset(have[i], 0, 32);
	for (size_t i = 0; i < nsub; i++) {
		const struct ledger_entry_info *s = &subs[i].e;
		struct submit_opts o = {.format = "auto"};
		char about[LEDGER_MAX_ABOUT + 1], store[LEDGER_MAX_ABOUT + 8];
		struct derive_result r;
		struct dt_diag d;
		bool found = false;
		enum dt_err e;

		if (ledger_tlp_rank(s->tlp) >= 4)
			continue;
		for (size_t k = 0; k < nsan && !found; k++)
			found = memcmp(have[k], s->sha256, 32) == 0;
		if (found)
			continue;
		dt_diag_clear(&d);
		submit_default_home(&o);
		/* the clear parameters; an entry from before derivatives
		 * existed carries them in clear itself */
		if (ledger_private_about_get(l, s->sha256, about, sizeof(about)) != DT_OK)
			snprintf(about, sizeof(about), "%s", s->about);
		e = submit_about_parse(about, &o, store, sizeof(store));
		if (e == DT_OK && (!o.format || strcmp(o.format, "auto") == 0))
			e = DT_ENOTFOUND;
		if (e)
			dt_diag_set(&d, NULL, 0,
			            "entry %llu: no ingest parameters to sanitize its payload with",
			            (unsigned long long)subs[i].idx);
		else
			e = derive_submission(l, subs[i].idx, s->sha256, s->tlp, o.format, &o, &r,
			                      &d);
		if (e == DT_OK && !r.existed)
			(*made)++;
		if (done)
			done(ctx, subs[i].idx, e, e ? NULL : &r, &d);
	}
out:
	free(have);
	free(subs);
	free(sans);
	return err;
}
