/*
 * stixout.c — intel/apt1-campaign.json: what one party's intelligence
 * would hold about part of the exercise, as a STIX 2.1 bundle (OASIS STIX
 * 2.1, 2021): an identity (the author), the TLP:GREEN marking definition
 * (the spec's predefined object, §7.2.1.4), the intrusion set APT1, the
 * campaigns behind c01 (attributed-to APT1) and c03 (not attributed),
 * named as an analyst would name them, not by the ground truth's labels,
 * and indicators for SOME of their infrastructure, so that
 * matching finds part of each campaign and correlation has to find the
 * rest: two of the four Shanghai /15s, two of the three C2 zones, the c03
 * certificate (x509-certificate:hashes.'SHA-256') and one c03 host.  Each
 * indicator `indicates` its campaign.  Ids are UUIDv5 of the object's
 * type and key in a namespace of our own (§2.9: deterministic ids), times
 * fixed, so the same seed gives the same bytes.
 */
#include <stdio.h>
#include <string.h>

#include "core/uuid.h"
#include "sim/sim_int.h"

/* the namespace of detente simulate's STIX ids (a random v4 UUID) */
#define SIM_NS "5f0c8a1e-3b7d-4e29-9c61-2a8d4f7b1e03"

#define CREATED   "2013-03-01T00:00:00.000Z"
#define TLP_GREEN "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"

static void id(char out[80], const char *type, const char *key)
{
	char name[300], u[37];

	snprintf(name, sizeof(name), "%s|%s", type, key);
	uuid_v5(SIM_NS, name, strlen(name), u);
	snprintf(out, 80, "%s--%s", type, u);
}

static void str(struct strbuf *b, const char *k, const char *v)
{
	strbuf_addf(b, ",\n      \"%s\": \"", k);
	strbuf_add_json(b, v, strlen(v));
	strbuf_addc(b, '"');
}

static void head(struct strbuf *b, const char *type, const char *oid, const char *author)
{
	strbuf_addf(b,
	            ",\n    {\n      \"type\": \"%s\",\n      \"spec_version\": \"2.1\",\n"
	            "      \"id\": \"%s\",\n      \"created\": \"" CREATED "\",\n"
	            "      \"modified\": \"" CREATED "\"",
	            type, oid);
	if (author)
		str(b, "created_by_ref", author);
	if (author)
		strbuf_adds(b, ",\n      \"object_marking_refs\": [\"" TLP_GREEN "\"]");
}

static void tail(struct strbuf *b)
{
	strbuf_adds(b, "\n    }");
}

static void relationship(struct strbuf *b, const char *author, const char *src, const char *type,
                         const char *dst)
{
	char rid[80], key[200];

	snprintf(key, sizeof(key), "%s|%s|%s", src, type, dst);
	id(rid, "relationship", key);
	head(b, "relationship", rid, author);
	str(b, "relationship_type", type);
	str(b, "source_ref", src);
	str(b, "target_ref", dst);
	tail(b);
}

static void indicator(struct strbuf *b, const char *author, const char *name, const char *pattern,
                      const char *campaign)
{
	char iid[80];

	id(iid, "indicator", pattern);
	head(b, "indicator", iid, author);
	str(b, "name", name);
	strbuf_adds(b, ",\n      \"indicator_types\": [\"malicious-activity\"]");
	str(b, "pattern", pattern);
	str(b, "pattern_type", "stix");
	str(b, "pattern_version", "2.1");
	str(b, "valid_from", "2013-02-19T00:00:00Z");
	tail(b);
	relationship(b, author, iid, "indicates", campaign);
}

enum dt_err sim_stix(struct strbuf *b, const struct sim_world *w)
{
	char author[80], set[80], c01[80], c03[80], bundle[80], pat[200], ip[16];

	id(author, "identity", "detente simulate");
	id(set, "intrusion-set", "APT1");
	id(c01, "campaign", sim_label_names[SIM_C01_APT1]);
	id(c03, "campaign", sim_label_names[SIM_C03_USCLOUD]);
	sim_ip4(w->infra[SIM_C03_USCLOUD].hosts[0], ip);
	snprintf(pat, sizeof(pat), "%s", ip);
	id(bundle, "bundle", pat);

	strbuf_addf(b, "{\n  \"type\": \"bundle\",\n  \"id\": \"%s\",\n  \"objects\": [", bundle);
	/* the predefined TLP:GREEN definition, exactly as STIX 2.1 §7.2.1.4 */
	strbuf_adds(b, "\n    {\n      \"type\": \"marking-definition\",\n"
	               "      \"spec_version\": \"2.1\",\n      \"id\": \"" TLP_GREEN "\",\n"
	               "      \"created\": \"2017-01-20T00:00:00.000Z\",\n"
	               "      \"definition_type\": \"tlp\",\n      \"name\": \"TLP:GREEN\",\n"
	               "      \"definition\": {\n        \"tlp\": \"green\"\n      }\n    }");
	head(b, "identity", author, NULL);
	str(b, "name", "detente simulate (exercise intelligence)");
	str(b, "identity_class", "organization");
	tail(b);

	head(b, "intrusion-set", set, author);
	str(b, "name", "APT1");
	strbuf_adds(b, ",\n      \"aliases\": [\"Comment Crew\", \"Comment Panda\"]");
	str(b, "description",
	    "Espionage group that Mandiant's 2013 APT1 report traced to four "
	    "China Unicom Shanghai netblocks and attributed to PLA Unit 61398.");
	tail(b);

	head(b, "campaign", c01, author);
	str(b, "name", "Shanghai espionage against newsrooms and ministries (exercise)");
	str(b, "description", sim_campaigns[SIM_C01_APT1].what);
	str(b, "first_seen", "2013-02-01T00:00:00Z");
	str(b, "last_seen", "2013-03-01T00:00:00Z");
	str(b, "objective", "espionage: e-mail and documents of newspapers, banks, software firms");
	tail(b);
	relationship(b, author, c01, "attributed-to", set);

	head(b, "campaign", c03, author);
	str(b, "name", "telemetry-update implants (exercise)");
	str(b, "description", sim_campaigns[SIM_C03_USCLOUD].what);
	str(b, "first_seen", "2013-02-08T00:00:00Z");
	str(b, "last_seen", "2013-02-26T00:00:00Z");
	tail(b);

	indicator(b, author, "APT1 netblock (China Unicom Shanghai)",
	          "[ipv4-addr:value = '58.246.0.0/15']", c01);
	indicator(b, author, "APT1 netblock (China Unicom Shanghai)",
	          "[ipv4-addr:value = '223.166.0.0/15']", c01);
	indicator(b, author, "APT1 C2 zone", "[domain-name:value = 'hugesoft.org']", c01);
	indicator(b, author, "APT1 C2 zone", "[domain-name:value = 'arrowservice.net']", c01);
	snprintf(pat, sizeof(pat), "[x509-certificate:hashes.'SHA-256' = '%s']",
	         sim_tls[sim_campaigns[SIM_C03_USCLOUD].tls].cert);
	indicator(b, author, "c03 C2 server certificate", pat, c03);
	snprintf(pat, sizeof(pat), "[ipv4-addr:value = '%s']", ip);
	indicator(b, author, "c03 C2 server", pat, c03);
	strbuf_adds(b, "\n  ]\n}\n");
	return b->len < b->max ? DT_OK : DT_ENOMEM;
}
