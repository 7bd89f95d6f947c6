/*
 * misp.c — MISP events, galaxy cluster files and feed manifests
 * (intel/intel.h).
 *
 * MISP event JSON (the MISP core format, draft-dulaunoy-misp-core-format):
 * a file holds {"Event": {...}}, a list of those, or a REST answer
 * {"response": [{"Event": {...}}, ...]}.  An event has "uuid", "info",
 * "date", "threat_level_id", "Tag" (objects with "name"), "Attribute",
 * "Object" (each with its own "Attribute") and "Galaxy" (each with "type"
 * and "GalaxyCluster": "value", "uuid", "tag_name", "meta" with
 * "synonyms" and "country").  An attribute has "type", "category",
 * "value", "to_ids", "uuid", "comment", "deleted", "Tag" and "Galaxy".
 *
 * What we hand over, per event:
 *   - each galaxy cluster (the event's and the attributes') as an object:
 *     id "x-misp-galaxy-cluster--<cluster uuid>" (a v5 UUID of its
 *     tag_name or value when it has none), type "threat-actor" for the
 *     threat-actor galaxy, "intrusion-set", "malware", "tool" or
 *     "attack-pattern" when the galaxy type says so (MITRE and vendor
 *     galaxies), "x-misp-galaxy-cluster" otherwise; name = the cluster's
 *     value, aliases = meta.synonyms, country = meta.country (the first
 *     when a list).  A cluster repeated within one event is sent once.
 *   - each attribute (of the event and of its objects) not deleted as one
 *     indicator: id = its uuid (or a v5 UUID of event uuid, type and value
 *     when it has none), name = the event's info, description = its
 *     comment, labels = its tags then the event's tags, comma-joined,
 *     plus "to_ids:false" when MISP would not export it to an IDS (we
 *     still keep it: the analyst decides), tlp = from a "tlp:..." tag
 *     (clear, white = CLEAR, green, amber, amber+strict, red; the
 *     attribute's wins over the event's), atom path = the MISP type.
 *     Types: ip-src, ip-dst (and |port: the address part) -> IT_IP;
 *     domain, hostname (and hostname|port) -> IT_DOMAIN; url, and uri
 *     when absolute -> IT_URL; md5, sha1, sha256, sha512 and
 *     filename|<hash> (the hash part) -> the hash; x509-fingerprint-sha1
 *     and -sha256 -> IT_CERT_*; ja3-fingerprint-md5 -> IT_JA3; email,
 *     email-src, email-dst -> IT_EMAIL.  domain|ip becomes ONE indicator
 *     of two atoms in two conjunctions (conj 0: the domain, conj 1: the
 *     address), so that either matches and the attribute keeps one id.
 *     Every other type is kept as IT_OTHER with "MISP type 'x' is not
 *     matched against events".  Attributes of an Object are independent
 *     indicators (MISP's own IDS export treats them so).
 *   - one relationship "indicates" from each attribute's indicator id to
 *     each cluster of its event and of the attribute itself (id: a v5 UUID
 *     of both ends).
 * Records are numbered by the line the attribute or cluster starts on.
 * An attribute without a string type and value is rejected with its line.
 *
 * MISP galaxy files (MISP/misp-galaxy clusters/<name>.json: "name", "type",
 * "uuid", "values" with "value", "uuid", "meta"): objects only, as above.
 *
 * MISP feed manifests (manifest.json of a feed, as MISP's feed generator
 * writes it): an object keyed by event uuid.
 *
 * JSON is read with core/jscan.h in one pass over the whole file; the
 * strings handed to the sink are slices of the input, of the scanner's
 * decoded-string buffer, or of this call's buffers, all alive during the
 * sink call only.  Not JSON, or JSON of another shape: DT_EFORMAT.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/hex.h"
#include "core/jscan.h"
#include "core/strbuf.h"
#include "core/uuid.h"
#include "intel/intel.h"

#define MISP_MAX_JOIN  (1u << 20) /* labels or aliases of one record */
#define CLUSTER_PREFIX "x-misp-galaxy-cluster--"

/* The line of byte offset off, counting forward from the last answer. */
struct lines {
	const char *data;
	size_t off;
	unsigned long line;
};

static unsigned long line_at(struct lines *l, size_t off)
{
	if (off < l->off) {
		l->off = 0;
		l->line = 1;
	}
	while (l->off < off) {
		const char *nl = memchr(l->data + l->off, '\n', off - l->off);

		if (nl == NULL)
			break;
		l->line++;
		l->off = (size_t)(nl - l->data) + 1;
	}
	return l->line;
}

struct misp {
	const char *name;
	const struct intel_sink *k;
	struct intel_counts *c;
	struct dt_diag *diag;
	struct js_doc js;
	struct lines lines;
	struct dt_str ev_uuid, info;
	const char *ev_tlp;
	struct strbuf ev_labels, labels, aliases;
	struct strbuf ev_clusters, at_clusters; /* ids, each NUL-terminated */
	char unsup[160];
};

static void misp_init(struct misp *m, const char *name, const char *data,
                      const struct intel_sink *k, struct intel_counts *c, struct dt_diag *diag)
{
	memset(m, 0, sizeof(*m));
	m->name = name;
	m->k = k;
	m->c = c;
	m->diag = diag;
	m->lines = (struct lines){data, 0, 1};
	js_init(&m->js);
	strbuf_init(&m->ev_labels, MISP_MAX_JOIN);
	strbuf_init(&m->labels, MISP_MAX_JOIN);
	strbuf_init(&m->aliases, MISP_MAX_JOIN);
	strbuf_init(&m->ev_clusters, MISP_MAX_JOIN);
	strbuf_init(&m->at_clusters, MISP_MAX_JOIN);
}

static void misp_release(struct misp *m)
{
	js_release(&m->js);
	strbuf_release(&m->ev_labels);
	strbuf_release(&m->labels);
	strbuf_release(&m->aliases);
	strbuf_release(&m->ev_clusters);
	strbuf_release(&m->at_clusters);
}

static unsigned long tok_line(struct misp *m, int t)
{
	return t >= 0 ? line_at(&m->lines, m->js.t[t].start) : 0;
}

static void reject(struct misp *m, int t, const char *why)
{
	struct dt_diag d;

	if (m->c)
		m->c->rejected++;
	if (m->k->warn == NULL)
		return;
	dt_diag_clear(&d);
	dt_diag_set(&d, m->name, tok_line(m, t), "%s", why);
	m->k->warn(m->k->ctx, &d);
}

static enum dt_err sink_failed(struct misp *m, int t, enum dt_err err)
{
	dt_diag_set(m->diag, m->name, tok_line(m, t), "%s", dt_strerror(err));
	return err;
}

static struct dt_str str_of(struct misp *m, int t)
{
	struct dt_str s = {"", 0};

	if (!js_str(&m->js, t, &s.p, &s.len))
		s = (struct dt_str){"", 0};
	return s;
}

static bool slice_eq(struct dt_str s, const char *lit)
{
	return strlen(lit) == s.len && memcmp(s.p, lit, s.len) == 0;
}

static bool has(struct dt_str s, const char *lit)
{
	return memmem(s.p, s.len, lit, strlen(lit)) != NULL;
}

/* A TLP tag's level ("tlp:amber" -> "AMBER"), or NULL. */
static const char *tlp_of(struct dt_str tag)
{
	static const struct {
		const char *tag, *level;
	} tlp[] = {{"clear", "CLEAR"},
	           {"white", "CLEAR"},
	           {"green", "GREEN"},
	           {"amber", "AMBER"},
	           {"red", "RED"},
	           {"amber+strict", "AMBER+STRICT"},
	           {"amber-strict", "AMBER+STRICT"}};

	if (tag.len < 5 || strncasecmp(tag.p, "tlp:", 4) != 0)
		return NULL;
	for (size_t i = 0; i < sizeof(tlp) / sizeof(*tlp); i++)
		if (strlen(tlp[i].tag) == tag.len - 4 &&
		    strncasecmp(tag.p + 4, tlp[i].tag, tag.len - 4) == 0)
			return tlp[i].level;
	return NULL;
}

/* Appends ",s" (or s when b is empty); past MISP_MAX_JOIN the rest is cut. */
static void join(struct strbuf *b, struct dt_str s)
{
	if (b->len == 0 || strbuf_addc(b, ',') == DT_OK)
		(void)strbuf_add(b, s.p, s.len);
}

/* Appends the names of a Tag array to b (comma-joined); the TLP found. */
static const char *tags(struct misp *m, int arr, struct strbuf *b)
{
	const char *tlp = NULL;

	if (js_type(&m->js, arr) != JS_ARRAY)
		return NULL;
	for (int t = arr + 1; t < m->js.t[arr].next; t = m->js.t[t].next) {
		struct dt_str name = str_of(m, js_get(&m->js, t, "name"));
		const char *l;

		if (name.len == 0)
			continue;
		if ((l = tlp_of(name)))
			tlp = l;
		join(b, name);
	}
	return tlp;
}

/* The intel_object type of a galaxy type. */
static const char *object_type(struct dt_str g)
{
	static const char *const malware[] = {"malware", "ransomware", "botnet",      "banker",
	                                      "stealer", "backdoor",   "exploit-kit", "rat"};

	if (slice_eq(g, "threat-actor"))
		return "threat-actor";
	if (has(g, "intrusion-set") || has(g, "activity-group"))
		return "intrusion-set";
	if (has(g, "attack-pattern"))
		return "attack-pattern";
	if (has(g, "tool"))
		return "tool";
	for (size_t i = 0; i < sizeof(malware) / sizeof(*malware); i++)
		if (has(g, malware[i]))
			return "malware";
	return "x-misp-galaxy-cluster";
}

/* Whether the NUL-separated list b holds id. */
static bool listed(const struct strbuf *b, const char *id)
{
	for (size_t i = 0; i < b->len; i += strlen(b->p + i) + 1)
		if (strcmp(b->p + i, id) == 0)
			return true;
	return false;
}

/* One galaxy cluster as an object; its id appended to ids (when given). */
static enum dt_err cluster(struct misp *m, int cl, struct dt_str gtype, const char *tlp,
                           struct strbuf *ids)
{
	struct js_doc *js = &m->js;
	struct dt_str value = str_of(m, js_get(js, cl, "value"));
	struct dt_str uuid = str_of(m, js_get(js, cl, "uuid"));
	int meta = js_get(js, cl, "meta"), syn, country;
	char id[sizeof(CLUSTER_PREFIX) + 64];
	struct intel_object o;

	if (m->c)
		m->c->records++;
	if (js_type(js, cl) != JS_OBJECT || value.len == 0) {
		reject(m, cl, "galaxy cluster has no value");
		return DT_OK;
	}
	if (uuid.len == 0 || uuid.len > 60 || memchr(uuid.p, '\0', uuid.len)) {
		struct dt_str tag = str_of(m, js_get(js, cl, "tag_name"));
		char u[37];

		if (tag.len == 0)
			tag = value;
		if (!uuid_v5(UUID_NS_STIX, tag.p, tag.len, u))
			return sink_failed(m, cl, DT_ENOMEM);
		snprintf(id, sizeof(id), CLUSTER_PREFIX "%s", u);
	} else {
		snprintf(id, sizeof(id), CLUSTER_PREFIX "%.*s", (int)uuid.len, uuid.p);
	}
	if (ids) {
		if (listed(ids, id) || (ids == &m->at_clusters && listed(&m->ev_clusters, id))) {
			if (m->c)
				m->c->ignored++;
			return DT_OK;
		}
		if (strbuf_add(ids, id, strlen(id) + 1))
			return DT_OK; /* too many clusters to link: keep the rest out */
	}
	strbuf_reset(&m->aliases);
	syn = js_get(js, meta, "synonyms");
	if (js_type(js, syn) == JS_ARRAY)
		for (int t = syn + 1; t < js->t[syn].next; t = js->t[t].next) {
			struct dt_str s = str_of(m, t);

			if (s.len)
				join(&m->aliases, s);
		}
	country = js_get(js, meta, "country");
	if (js_type(js, country) == JS_ARRAY)
		country = js_index(js, country, 0);
	memset(&o, 0, sizeof(o));
	o.record = tok_line(m, cl);
	o.id = (struct dt_str){id, strlen(id)};
	o.type.p = object_type(gtype);
	o.type.len = strlen(o.type.p);
	o.name = value;
	o.aliases = (struct dt_str){m->aliases.p ? m->aliases.p : "", m->aliases.len};
	o.country = str_of(m, country);
	o.tlp = tlp ? (struct dt_str){tlp, strlen(tlp)} : (struct dt_str){"", 0};
	if (m->k->object) {
		enum dt_err err = m->k->object(m->k->ctx, &o);

		if (err)
			return sink_failed(m, cl, err);
	}
	return DT_OK;
}

/* The clusters of a Galaxy array. */
static enum dt_err galaxies(struct misp *m, int arr, const char *tlp, struct strbuf *ids)
{
	struct js_doc *js = &m->js;
	enum dt_err err;

	if (js_type(js, arr) != JS_ARRAY)
		return DT_OK;
	for (int g = arr + 1; g < js->t[arr].next; g = js->t[g].next) {
		struct dt_str gtype = str_of(m, js_get(js, g, "type"));
		int cls = js_get(js, g, "GalaxyCluster");

		if (js_type(js, cls) != JS_ARRAY)
			continue;
		for (int cl = cls + 1; cl < js->t[cls].next; cl = js->t[cl].next) {
			struct dt_str t = gtype;

			if (t.len == 0)
				t = str_of(m, js_get(js, cl, "type"));
			if ((err = cluster(m, cl, t, tlp, ids)))
				return err;
		}
	}
	return DT_OK;
}

enum split { S_NONE, S_LEFT, S_RIGHT, S_BOTH, S_URI };

static const struct mtype {
	const char *name;
	enum ind_type type;
	enum split split;
} mtypes[] = {
    {"ip-src", IT_IP, S_NONE},
    {"ip-dst", IT_IP, S_NONE},
    {"ip-src|port", IT_IP, S_LEFT},
    {"ip-dst|port", IT_IP, S_LEFT},
    {"domain", IT_DOMAIN, S_NONE},
    {"hostname", IT_DOMAIN, S_NONE},
    {"hostname|port", IT_DOMAIN, S_LEFT},
    {"domain|ip", IT_DOMAIN, S_BOTH},
    {"url", IT_URL, S_NONE},
    {"uri", IT_URL, S_URI},
    {"md5", IT_MD5, S_NONE},
    {"sha1", IT_SHA1, S_NONE},
    {"sha256", IT_SHA256, S_NONE},
    {"sha512", IT_SHA512, S_NONE},
    {"filename|md5", IT_MD5, S_RIGHT},
    {"filename|sha1", IT_SHA1, S_RIGHT},
    {"filename|sha256", IT_SHA256, S_RIGHT},
    {"filename|sha512", IT_SHA512, S_RIGHT},
    {"x509-fingerprint-sha1", IT_CERT_SHA1, S_NONE},
    {"x509-fingerprint-sha256", IT_CERT_SHA256, S_NONE},
    {"ja3-fingerprint-md5", IT_JA3, S_NONE},
    {"email", IT_EMAIL, S_NONE},
    {"email-src", IT_EMAIL, S_NONE},
    {"email-dst", IT_EMAIL, S_NONE},
};

static bool truthy(struct misp *m, int t, bool dflt)
{
	struct dt_str s;

	switch (js_type(&m->js, t)) {
	case JS_TRUE: return true;
	case JS_FALSE: return false;
	case JS_NUMBER:
	case JS_STRING:
		if (js_type(&m->js, t) == JS_STRING)
			s = str_of(m, t);
		else if (!js_raw(&m->js, t, &s.p, &s.len))
			return dflt;
		return !(slice_eq(s, "0") || slice_eq(s, "false") || s.len == 0);
	default: return dflt;
	}
}

/* One relationship "indicates" from the indicator id to each cluster of ids. */
static enum dt_err relations(struct misp *m, int at, struct dt_str src, const struct strbuf *ids)
{
	char rid[16 + 37], key[512];
	struct intel_relation r;

	for (size_t i = 0; i < ids->len; i += strlen(ids->p + i) + 1) {
		const char *dst = ids->p + i;
		int n = snprintf(key, sizeof(key), "indicates|%.*s|%s", (int)src.len, src.p, dst);
		char u[37];

		if (m->c)
			m->c->records++;
		if (!uuid_v5(UUID_NS_STIX, key, n < (int)sizeof(key) ? (size_t)n : sizeof(key) - 1,
		             u))
			return sink_failed(m, at, DT_ENOMEM);
		snprintf(rid, sizeof(rid), "relationship--%s", u);
		memset(&r, 0, sizeof(r));
		r.record = tok_line(m, at);
		r.id = (struct dt_str){rid, strlen(rid)};
		r.type = (struct dt_str){"indicates", 9};
		r.src = src;
		r.dst = (struct dt_str){dst, strlen(dst)};
		if (m->k->relation) {
			enum dt_err err = m->k->relation(m->k->ctx, &r);

			if (err)
				return sink_failed(m, at, err);
		}
	}
	return DT_OK;
}

static enum dt_err attribute(struct misp *m, int at)
{
	static const char *const keys[] = {"type",    "value", "to_ids", "uuid",
	                                   "comment", "Tag",   "Galaxy", "deleted"};
	enum { K_TYPE, K_VALUE, K_TO_IDS, K_UUID, K_COMMENT, K_TAG, K_GALAXY, K_DELETED };
	struct js_doc *js = &m->js;
	int v[8];
	struct dt_str type, value, id;
	const struct mtype *mt = NULL;
	struct intel_atom a[2];
	struct intel_indicator in;
	const char *tlp;
	char uid[37];
	enum dt_err err;

	if (m->c)
		m->c->records++;
	if (js_type(js, at) != JS_OBJECT) {
		reject(m, at, "MISP attribute is not an object");
		return DT_OK;
	}
	js_pick(js, at, keys, 8, v);
	if (truthy(m, v[K_DELETED], false)) {
		if (m->c)
			m->c->ignored++;
		return DT_OK;
	}
	type = str_of(m, v[K_TYPE]);
	value = str_of(m, v[K_VALUE]);
	if (type.len == 0) {
		reject(m, at, "MISP attribute has no type");
		return DT_OK;
	}
	if (value.len == 0) {
		reject(m, at, "MISP attribute has no value");
		return DT_OK;
	}
	for (size_t i = 0; i < sizeof(mtypes) / sizeof(*mtypes); i++)
		if (slice_eq(type, mtypes[i].name)) {
			mt = &mtypes[i];
			break;
		}
	memset(a, 0, sizeof(a));
	memset(&in, 0, sizeof(in));
	a[0].path = a[1].path = type;
	a[0].value = value;
	a[0].type = mt ? mt->type : IT_OTHER;
	in.natoms = 1;
	if (mt == NULL) {
		snprintf(m->unsup, sizeof(m->unsup),
		         "MISP type '%.*s' is not matched against events",
		         (int)(type.len > 60 ? 60 : type.len), type.p);
		in.unsupported = m->unsup;
	} else if (mt->split == S_URI && !has(value, "://")) {
		a[0].type = IT_OTHER;
		in.unsupported =
		    "MISP type 'uri' with a relative value is not matched against events";
	} else if (mt->split == S_LEFT || mt->split == S_RIGHT || mt->split == S_BOTH) {
		const char *bar = memchr(value.p, '|', value.len);

		if (bar == NULL) {
			snprintf(m->unsup, sizeof(m->unsup), "MISP %.*s value has no '|'",
			         (int)(type.len > 60 ? 60 : type.len), type.p);
			reject(m, at, m->unsup);
			return DT_OK;
		}
		if (mt->split == S_RIGHT)
			bar = memrchr(value.p, '|', value.len);
		a[0].value = (struct dt_str){value.p, (size_t)(bar - value.p)};
		a[1].value = (struct dt_str){bar + 1, value.len - (size_t)(bar - value.p) - 1};
		if (mt->split == S_RIGHT)
			a[0].value = a[1].value;
		if (mt->split == S_BOTH) {
			a[1].type = IT_IP;
			a[1].conj = 1;
			in.natoms = 2;
		}
	}

	strbuf_reset(&m->labels);
	tlp = tags(m, v[K_TAG], &m->labels);
	if (m->ev_labels.len)
		join(&m->labels, (struct dt_str){m->ev_labels.p, m->ev_labels.len});
	if (!truthy(m, v[K_TO_IDS], true))
		join(&m->labels, (struct dt_str){"to_ids:false", 12});
	if (tlp == NULL)
		tlp = m->ev_tlp;
	/* the attribute's own clusters, as objects before the indicator */
	strbuf_reset(&m->at_clusters);
	if ((err = galaxies(m, v[K_GALAXY], tlp, &m->at_clusters)))
		return err;

	id = str_of(m, v[K_UUID]);
	if (id.len == 0) {
		char key[1024];
		int n = snprintf(key, sizeof(key), "%.*s|%.*s|%.*s", (int)m->ev_uuid.len,
		                 m->ev_uuid.p, (int)type.len, type.p, (int)value.len, value.p);

		if (!uuid_v5(UUID_NS_STIX, key, n < (int)sizeof(key) ? (size_t)n : sizeof(key) - 1,
		             uid))
			return sink_failed(m, at, DT_ENOMEM);
		id = (struct dt_str){uid, 36};
	}
	in.record = tok_line(m, at);
	in.id = id;
	in.name = m->info;
	in.description = str_of(m, v[K_COMMENT]);
	in.pattern = in.valid_from = in.valid_until = (struct dt_str){"", 0};
	in.tlp = tlp ? (struct dt_str){tlp, strlen(tlp)} : (struct dt_str){"", 0};
	in.labels = (struct dt_str){m->labels.p ? m->labels.p : "", m->labels.len};
	in.score = -1;
	in.mode = IM_ANY;
	in.atoms = a;

	if (m->k->indicator && (err = m->k->indicator(m->k->ctx, &in)))
		return sink_failed(m, at, err);
	if ((err = relations(m, at, id, &m->ev_clusters)))
		return err;
	return relations(m, at, id, &m->at_clusters);
}

static enum dt_err attributes(struct misp *m, int arr)
{
	enum dt_err err;

	if (js_type(&m->js, arr) != JS_ARRAY)
		return DT_OK;
	for (int at = arr + 1; at < m->js.t[arr].next; at = m->js.t[at].next)
		if ((err = attribute(m, at)))
			return err;
	return DT_OK;
}

static enum dt_err event(struct misp *m, int ev)
{
	static const char *const keys[] = {"uuid", "info", "Tag", "Attribute", "Object", "Galaxy"};
	enum { K_UUID, K_INFO, K_TAG, K_ATTR, K_OBJECT, K_GALAXY };
	struct js_doc *js = &m->js;
	int v[6];
	enum dt_err err;

	if (js_type(js, ev) != JS_OBJECT) {
		reject(m, ev, "MISP Event is not an object");
		return DT_OK;
	}
	js_pick(js, ev, keys, 6, v);
	m->ev_uuid = str_of(m, v[K_UUID]);
	m->info = str_of(m, v[K_INFO]);
	strbuf_reset(&m->ev_labels);
	strbuf_reset(&m->ev_clusters);
	m->ev_tlp = tags(m, v[K_TAG], &m->ev_labels);
	if ((err = galaxies(m, v[K_GALAXY], m->ev_tlp, &m->ev_clusters)))
		return err;
	if ((err = attributes(m, v[K_ATTR])))
		return err;
	if (js_type(js, v[K_OBJECT]) == JS_ARRAY)
		for (int o = v[K_OBJECT] + 1; o < js->t[v[K_OBJECT]].next; o = js->t[o].next) {
			if (truthy(m, js_get(js, o, "deleted"), false)) {
				if (m->c)
					m->c->ignored++;
				continue;
			}
			if ((err = attributes(m, js_get(js, o, "Attribute"))))
				return err;
		}
	return DT_OK;
}

static enum dt_err not_json(struct misp *m, const char *what)
{
	dt_diag_set(m->diag, m->name, line_at(&m->lines, m->js.err_col ? m->js.err_col - 1 : 0),
	            "not a %s: not JSON (%s)", what, m->js.err);
	return DT_EFORMAT;
}

enum dt_err intel_parse_misp(const char *name, const char *data, size_t len,
                             const struct intel_sink *k, struct intel_counts *c,
                             struct dt_diag *diag)
{
	struct misp m;
	struct js_doc *js = &m.js;
	enum dt_err err = DT_OK;
	int list = JS_NONE, ev;

	misp_init(&m, name, data, k, c, diag);
	if (!js_parse(js, data, len)) {
		err = not_json(&m, "MISP event");
		goto out;
	}
	if ((ev = js_get(js, 0, "Event")) >= 0) {
		err = event(&m, ev);
		goto out;
	}
	if (js_type(js, 0) == JS_ARRAY)
		list = 0;
	else if (js_type(js, js_get(js, 0, "response")) == JS_ARRAY)
		list = js_get(js, 0, "response");
	if (list < 0) {
		dt_diag_set(diag, name, 1,
		            "not a MISP event: expected {\"Event\": ...}, a list of them or "
		            "{\"response\": [...]}");
		err = DT_EFORMAT;
		goto out;
	}
	for (int e = list + 1; e < js->t[list].next; e = js->t[e].next) {
		if ((ev = js_get(js, e, "Event")) < 0) {
			reject(&m, e, "list element is not {\"Event\": ...}");
			continue;
		}
		if ((err = event(&m, ev)))
			break;
	}
out:
	misp_release(&m);
	return err;
}

enum dt_err intel_parse_misp_galaxy(const char *name, const char *data, size_t len,
                                    const struct intel_sink *k, struct intel_counts *c,
                                    struct dt_diag *diag)
{
	struct misp m;
	struct js_doc *js = &m.js;
	enum dt_err err = DT_OK;
	int values;
	struct dt_str gtype;

	misp_init(&m, name, data, k, c, diag);
	if (!js_parse(js, data, len)) {
		err = not_json(&m, "MISP galaxy");
		goto out;
	}
	values = js_get(js, 0, "values");
	if (js_type(js, values) != JS_ARRAY) {
		dt_diag_set(diag, name, 1,
		            "not a MISP galaxy cluster file: expected an object with \"values\"");
		err = DT_EFORMAT;
		goto out;
	}
	gtype = str_of(&m, js_get(js, 0, "type"));
	for (int cl = values + 1; cl < js->t[values].next; cl = js->t[cl].next)
		if ((err = cluster(&m, cl, gtype, NULL, NULL)))
			break;
out:
	misp_release(&m);
	return err;
}

static bool is_uuid(struct dt_str s)
{
	if (s.len != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s.p[i] != '-')
				return false;
		} else if (dt_hex_digit(s.p[i]) < 0) {
			return false;
		}
	}
	return true;
}

enum dt_err intel_misp_manifest(const char *name, const char *data, size_t len,
                                void (*each)(void *ctx, const char *uuid), void *ctx,
                                struct dt_diag *diag)
{
	struct js_doc js;
	struct lines lines = {data, 0, 1};
	enum dt_err err = DT_OK;
	char uuid[37];

	js_init(&js);
	if (!js_parse(&js, data, len) || js_type(&js, 0) != JS_OBJECT) {
		dt_diag_set(diag, name, 0, "not a MISP feed manifest: %s",
		            js.err[0] ? js.err : "not a JSON object");
		err = DT_EFORMAT;
		goto out;
	}
	/* every key first: a manifest with one bad key is refused whole */
	for (int i = 1; i < js.t[0].next; i = js.t[i + 1].next) {
		struct dt_str key = {"", 0};

		if (!js_str(&js, i, &key.p, &key.len) || !is_uuid(key) ||
		    js_type(&js, i + 1) != JS_OBJECT) {
			dt_diag_set(
			    diag, name, line_at(&lines, js.t[i].start),
			    "not a MISP feed manifest: key '%.*s' is not an event uuid with "
			    "an object",
			    (int)(key.len > 40 ? 40 : key.len), key.p);
			err = DT_EFORMAT;
			goto out;
		}
	}
	for (int i = 1; i < js.t[0].next; i = js.t[i + 1].next) {
		struct dt_str key;

		js_str(&js, i, &key.p, &key.len);
		memcpy(uuid, key.p, 36);
		uuid[36] = '\0';
		each(ctx, uuid);
	}
out:
	js_release(&js);
	return err;
}
