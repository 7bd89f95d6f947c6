/*
 * test_derive.c — the node side of victims' privacy: the key derived from
 * the signing seed (stable per node, different between nodes), home
 * domains, the private table of clear parameters, the about line a
 * submission entry carries (home networks pseudonymized prefix-wise, file
 * name scrubbed, parameters still parseable), derive_orig, and the union of
 * home networks privacy_node_all sees.
 */
#include <ftw.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/hex.h"
#include "ingest/derive.h"
#include "ingest/submit.h"
#include "ledger/ledger.h"
#include "privacy/node.h"
#include "testhelp.h"

static char dir[512];

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(p);
}

static struct ledger *node(const char *party)
{
	char db[600], origin[80];
	struct ledger *l = NULL;
	struct dt_diag d;

	snprintf(db, sizeof(db), "%s/%s.db", dir, party);
	snprintf(origin, sizeof(origin), "detente/%s", party);
	dt_diag_clear(&d);
	if (ledger_init(db, party, origin, &d) == DT_OK)
		ledger_open(db, &l, &d);
	if (!l)
		fprintf(stderr, "node %s: %s\n", party, d.msg);
	return l;
}

static struct dt_ip ip(const char *s)
{
	struct dt_ip a = {0};

	dt_ip_parse(s, strlen(s), &a);
	return a;
}

static void test_key_and_domains(void)
{
	struct ledger *a = node("a"), *b = node("b"), *a2 = NULL;
	uint8_t ka[64], kb[64], ka2[64];
	struct strbuf s;
	struct dt_diag d;
	char db[600];

	if (!a || !b) {
		CHECK(!"nodes");
		goto out;
	}
	ledger_privacy_key(a, ka);
	ledger_privacy_key(b, kb);
	snprintf(db, sizeof(db), "%s/a.db", dir);
	CHECK(ledger_open(db, &a2, &d) == DT_OK);
	if (a2)
		ledger_privacy_key(a2, ka2);
	CHECK(a2 && memcmp(ka, ka2, 64) == 0); /* stable across opens */
	CHECK(memcmp(ka, kb, 64) != 0);        /* per node */
	CHECK(!sodium_is_zero(ka + 32, 32));
	CHECK(ledger_home_domain_add(a, "Bank.Example.", &d) == DT_OK);
	CHECK(ledger_home_domain_add(a, "bank.example", &d) == DT_OK); /* idempotent */
	CHECK(ledger_home_domain_add(a, "corp.example", &d) == DT_OK);
	CHECK(ledger_home_domain_add(a, "bad..example", &d) == DT_EPARSE);
	CHECK(ledger_home_domain_add(a, "sp ace.example", &d) == DT_EPARSE);
	CHECK(ledger_home_domain_remove(a, "nothere.example", &d) == DT_ENOTFOUND);
	strbuf_init(&s, 4096);
	CHECK(ledger_home_domains(a, &s, &d) == DT_OK);
	CHECKF(s.p && strcmp(s.p, "bank.example\ncorp.example\n") == 0, "%s", s.p ? s.p : "");
	CHECK(ledger_home_domain_remove(a, "CORP.example", &d) == DT_OK);
	strbuf_reset(&s);
	CHECK(ledger_home_domains(a, &s, &d) == DT_OK && strcmp(s.p, "bank.example\n") == 0);
	strbuf_release(&s);
out:
	ledger_close(a);
	ledger_close(a2);
	ledger_close(b);
}

static void test_about_public(void)
{
	struct ledger *l = node("c");
	struct submit_opts o = {.format = "zeek", .victim = "First Bank", .sector = "finance"};
	struct submit_opts back = {.format = "auto"};
	struct privacy *p = NULL;
	char about[LEDGER_MAX_ABOUT + 1], store[LEDGER_MAX_ABOUT + 8];
	struct dt_diag d;
	const char *nets[] = {"10.20.0.0/16", "198.51.100.0/24", "2001:db8:77::/48"};

	if (!l) {
		CHECK(!"node");
		return;
	}
	for (size_t i = 0; i < 3; i++)
		dt_prefix_parse(nets[i], strlen(nets[i]), &o.home[o.nhome++], NULL);
	CHECK(ledger_home_domain_add(l, "bank.example", &d) == DT_OK);
	CHECK(derive_privacy(l, &o, &p, &d) == DT_OK);
	if (!p)
		goto out;
	CHECK(derive_about_public(p, "zeek", "conn-ws042.bank.example-10.20.1.5.log", &o, about,
	                          sizeof(about)) == DT_OK);
	CHECKF(!strstr(about, "10.20.") && !strstr(about, "198.51.100.") &&
	           !strstr(about, "2001:db8:77") && !strstr(about, "ws042") &&
	           !strstr(about, "bank.example"),
	       "%s", about);
	CHECK(strstr(about, "victim=First%20Bank") != NULL);
	CHECK(submit_about_parse(about, &back, store, sizeof(store)) == DT_OK);
	CHECK(back.nhome == 3);
	for (size_t i = 0; i < back.nhome && i < 3; i++) {
		/* each host of the clear network maps into the pseudonymized one */
		const char *hosts[] = {"10.20.1.5", "198.51.100.200", "2001:db8:77:1::5"};
		struct dt_ip h = ip(hosts[i]), q;

		CHECK(back.home[i].len == o.home[i].len);
		CHECK(privacy_addr(p, &h, &q));
		CHECKF((q.addr & dt_ip_mask(q.family, back.home[i].len)) == back.home[i].ip.addr,
		       "net %zu", i);
	}
	/* and the clear line is kept aside, privately */
	{
		uint8_t sha[32] = {1, 2, 3};
		char got[LEDGER_MAX_ABOUT + 1];

		CHECK(ledger_private_about_get(l, sha, got, sizeof(got)) == DT_ENOTFOUND);
		CHECK(submit_about_format("zeek", "conn.log", &o, about, sizeof(about)) == DT_OK);
		CHECK(ledger_private_about_set(l, sha, about, &d) == DT_OK);
		CHECK(ledger_private_about_get(l, sha, got, sizeof(got)) == DT_OK &&
		      strcmp(got, about) == 0);
	}
out:
	privacy_free(p);
	ledger_close(l);
}

static void test_orig_and_union(void)
{
	struct ledger *l = node("e");
	uint8_t sha[32], want[32];
	char about[400], hex[65];
	struct privacy *p = NULL;
	struct dt_diag d;

	for (int i = 0; i < 32; i++)
		want[i] = (uint8_t)(i * 7 + 1);
	dt_hex_encode(want, 32, hex);
	snprintf(about, sizeof(about),
	         "sanitized copy of submission 3 | format=zeek orig=sha256:%s", hex);
	CHECK(derive_orig(about, sha) == DT_OK && memcmp(sha, want, 32) == 0);
	CHECK(derive_orig("x | format=zeek", sha) == DT_ENOTFOUND);
	CHECK(derive_orig("x | orig=sha256:12", sha) == DT_EPARSE);
	snprintf(about, sizeof(about), "x | orig=sha256:%sZZ", hex);
	CHECK(derive_orig(about, sha) == DT_EPARSE);
	if (!l) {
		CHECK(!"node");
		return;
	}
	/* two submissions with different home networks: the union is home */
	{
		const char *files[2] = {"a.log", "b.log"},
		           *nets[2] = {"10.1.0.0/16", "172.16.5.0/24"};

		for (int i = 0; i < 2; i++) {
			struct submit_opts o = {.format = "zeek"};
			struct ledger_entry_in e = {.kind = "submission", .tlp = "GREEN"};
			char line[LEDGER_MAX_ABOUT + 1];
			uint64_t first;

			dt_prefix_parse(nets[i], strlen(nets[i]), &o.home[o.nhome++], NULL);
			CHECK(submit_about_format("zeek", files[i], &o, line, sizeof(line)) ==
			      DT_OK);
			memset(e.sha256, i + 1, 32);
			e.size = 1;
			e.about = "zeek telemetry | format=zeek home-net=54.0.0.0/16";
			CHECK(ledger_append(l, &e, 1, false, &first, NULL, &d) == DT_OK);
			CHECK(ledger_private_about_set(l, e.sha256, line, &d) == DT_OK);
		}
	}
	CHECK(privacy_node_all(l, &p, &d) == DT_OK);
	if (p) {
		struct dt_ip a = ip("10.1.200.3"), b = ip("172.16.5.9"), c = ip("172.16.6.9");
		struct dt_ip e = ip("54.0.0.1");

		CHECK(privacy_home_addr(p, &a) && privacy_home_addr(p, &b));
		CHECK(!privacy_home_addr(p, &c));
		CHECK(!privacy_home_addr(p, &e)); /* the entries' pseudonymized nets are not */
	}
	privacy_free(p);
	ledger_close(l);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	if (sodium_init() < 0) {
		printf("FAIL sodium_init\n# 0 passed, 1 failed, 0 skipped\n");
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/detente-test-derive-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		printf("FAIL mkdtemp %s\n# 0 passed, 1 failed, 0 skipped\n", dir);
		return 1;
	}
	RUN(test_key_and_domains);
	RUN(test_about_public);
	RUN(test_orig_and_union);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	DONE();
}
