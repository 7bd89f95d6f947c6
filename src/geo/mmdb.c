/*
 * mmdb.c — read every network of a MaxMind DB through libmaxminddb.
 *
 * MMDB is an input format here, not the runtime structure: the search tree
 * is walked depth-first with MMDB_read_node(), and every data record becomes
 * a range with the fields of the GeoIP2/GeoLite2 schemas:
 *   country  country.iso_code, else registered_country.iso_code
 *   asn      autonomous_system_number
 *   org      autonomous_system_organization, else organization, else isp
 * In an IPv6 database the IPv4 space lives at ::/96; whatever lies there is
 * also given to the IPv4 table, so an IPv4 lookup answers exactly what
 * libmaxminddb answers for the same address.  Aliases (::ffff:0:0/96,
 * 2002::/16) are ordinary subtrees to the walk and come out as IPv6 ranges.
 *
 * A database whose tree or data is corrupt is rejected as a whole: an
 * attribution built from part of a broken file would be silently wrong.
 * The walk is bounded (GEO_MAX_MMDB_NODES) so a tree whose pointers loop
 * cannot run forever.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <maxminddb.h>

#include "core/limits.h"
#include "geo/build_int.h"

struct decoded {
	uint32_t offset; /* data section offset + 1; 0 = empty slot */
	uint16_t cc;
	uint8_t fields;
	uint32_t asn;
	const char *org;
	uint32_t org_len;
};

struct cache {
	struct decoded *slot;
	size_t n, cap;
};

static struct decoded *cache_find(struct cache *c, uint32_t off)
{
	size_t i = (off * 2654435761u) & (c->cap - 1);

	while (c->slot[i].offset && c->slot[i].offset != off + 1)
		i = (i + 1) & (c->cap - 1);
	return &c->slot[i];
}

static enum dt_err cache_grow(struct cache *c)
{
	struct cache nc = {.cap = c->cap ? c->cap * 2 : 4096};

	if ((nc.slot = calloc(nc.cap, sizeof(*nc.slot))) == NULL)
		return DT_ENOMEM;
	for (size_t i = 0; i < c->cap; i++) {
		if (c->slot[i].offset) {
			*cache_find(&nc, c->slot[i].offset - 1) = c->slot[i];
			nc.n++;
		}
	}
	free(c->slot);
	*c = nc;
	return DT_OK;
}

/* Returns NULL on success or a static reason. */
static const char *get_string(MMDB_entry_s *e, const char **p, uint32_t *len, const char *k1,
                              const char *k2)
{
	MMDB_entry_data_s d;
	int st = k2 ? MMDB_get_value(e, &d, k1, k2, NULL) : MMDB_get_value(e, &d, k1, NULL);

	*p = NULL;
	*len = 0;
	if (st == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
		return NULL;
	if (st != MMDB_SUCCESS)
		return MMDB_strerror(st);
	if (!d.has_data)
		return NULL;
	if (d.type != MMDB_DATA_TYPE_UTF8_STRING)
		return "field is not a string";
	*p = d.utf8_string;
	*len = d.data_size;
	return NULL;
}

static const char *decode(MMDB_entry_s *e, struct decoded *out)
{
	MMDB_entry_data_s d;
	const char *why, *s;
	uint32_t n;
	int st;

	out->fields = 0;
	if ((why = get_string(e, &s, &n, "country", "iso_code")))
		return why;
	if (s == NULL && (why = get_string(e, &s, &n, "registered_country", "iso_code")))
		return why;
	if (s != NULL) {
		bool valid;

		out->cc = geo_cc_parse(s, n, &valid);
		if (!valid)
			return "country iso_code is not a two-letter code";
		if (out->cc)
			out->fields |= RF_CC;
	}
	st = MMDB_get_value(e, &d, "autonomous_system_number", NULL);
	if (st != MMDB_SUCCESS && st != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
		return MMDB_strerror(st);
	if (st == MMDB_SUCCESS && d.has_data) {
		if (d.type == MMDB_DATA_TYPE_UINT32)
			out->asn = d.uint32;
		else if (d.type == MMDB_DATA_TYPE_UINT16)
			out->asn = d.uint16;
		else if (d.type == MMDB_DATA_TYPE_INT32 && d.int32 >= 0)
			out->asn = (uint32_t)d.int32;
		else if (d.type == MMDB_DATA_TYPE_UINT64 && d.uint64 <= UINT32_MAX)
			out->asn = (uint32_t)d.uint64;
		else
			return "autonomous_system_number is not a 32-bit unsigned integer";
		if (out->asn)
			out->fields |= RF_ASN;
	}
	static const char *const org_keys[] = {
	    "autonomous_system_organization",
	    "organization",
	    "isp",
	};
	for (size_t i = 0; i < 3; i++) {
		if ((why = get_string(e, &s, &n, org_keys[i], NULL)))
			return why;
		if (s != NULL && n > 0) {
			out->org = s;
			out->org_len = n;
			out->fields |= RF_ORG;
			break;
		}
	}
	return NULL;
}

struct frame {
	uint32_t node;
	uint8_t depth;
	dt_u128 prefix;
};

static void format_net(uint16_t ipver, dt_u128 prefix, unsigned depth, char *buf)
{
	struct dt_prefix p;

	p.ip.family = ipver == 4 ? DT_IP_V4 : DT_IP_V6;
	p.ip.mapped = false;
	p.ip.addr = ipver == 4 ? prefix >> 96 : prefix;
	p.len = (uint8_t)depth;
	dt_prefix_format(&p, buf);
}

static enum dt_err emit(struct geo_src *s, uint16_t ipver, dt_u128 prefix, unsigned depth,
                        const struct decoded *v)
{
	dt_u128 hostmask = depth >= 128 ? 0 : (~(dt_u128)0 >> depth);
	dt_u128 lo = prefix, hi = prefix | hostmask;
	enum dt_err err;

	if (v->fields == 0)
		return DT_OK;
	if (ipver == 4) {
		return geo_src_add(s, DT_IP_V4, lo >> 96, hi >> 96, v->fields, v->cc, v->asn,
		                   v->org, v->org_len, 0);
	}
	if ((err =
	         geo_src_add(s, DT_IP_V6, lo, hi, v->fields, v->cc, v->asn, v->org, v->org_len, 0)))
		return err;
	if (lo <= 0xffffffffu) {
		/* the IPv4 subtree at ::/96 */
		dt_u128 h4 = hi > 0xffffffffu ? 0xffffffffu : hi;

		s->info->records--; /* one network, counted once */
		return geo_src_add(s, DT_IP_V4, lo, h4, v->fields, v->cc, v->asn, v->org,
		                   v->org_len, 0);
	}
	return DT_OK;
}

enum dt_err geo_parse_mmdb(struct geo_src *s, const char *path, struct dt_diag *diag)
{
	MMDB_s db;
	struct cache cache = {0};
	struct frame stack[130];
	int top = 0, st;
	uint64_t visited = 0;
	uint16_t ipver;
	unsigned bits;
	enum dt_err err = DT_OK;
	char net[DT_IP_STRLEN];

	st = MMDB_open(path, MMDB_MODE_MMAP, &db);
	if (st != MMDB_SUCCESS) {
		dt_diag_set(diag, path, 0, "not a valid MaxMind DB: %s", MMDB_strerror(st));
		return DT_EFORMAT;
	}
	ipver = db.metadata.ip_version;
	bits = ipver == 4 ? 32 : 128;
	if (ipver != 4 && ipver != 6) {
		dt_diag_set(diag, path, 0, "unsupported ip_version %u", ipver);
		err = DT_EFORMAT;
		goto out;
	}
	{
		const char *desc = "";
		char when[32] = "?";
		time_t t = (time_t)db.metadata.build_epoch;
		struct tm tm;

		for (size_t i = 0; i < db.metadata.description.count; i++) {
			MMDB_description_s *d = db.metadata.description.descriptions[i];

			if (d && d->language && d->description && strcmp(d->language, "en") == 0)
				desc = d->description;
		}
		if (gmtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d", &tm);
		snprintf(
		    s->info->licence, sizeof(s->info->licence),
		    "MaxMind DB \"%s\" built %s%s%s (licence: see the database vendor's terms)",
		    db.metadata.database_type ? db.metadata.database_type : "?", when,
		    *desc ? ": " : "", desc);
	}
	if ((err = cache_grow(&cache)))
		goto out;
	stack[top++] = (struct frame){.node = 0, .depth = 0, .prefix = 0};
	while (top > 0) {
		struct frame f = stack[--top];
		MMDB_search_node_s node;

		/* a real tree is walked once, plus the IPv4 subtree again through
		 * a few aliases; pointers that fan back in would make 2^depth paths */
		if (++visited > GEO_MAX_MMDB_NODES ||
		    visited > 8 * (uint64_t)db.metadata.node_count + 256) {
			dt_diag_set(diag, path, 0,
			            "corrupt search tree: nodes reached by more paths than "
			            "a tree of %u nodes has",
			            db.metadata.node_count);
			err = DT_ELIMIT;
			goto out;
		}
		if ((st = MMDB_read_node(&db, f.node, &node)) != MMDB_SUCCESS) {
			format_net(ipver, f.prefix, f.depth, net);
			dt_diag_set(diag, path, 0, "corrupt search tree at node %u (%s): %s",
			            f.node, net, MMDB_strerror(st));
			err = DT_EFORMAT;
			goto out;
		}
		for (int side = 1; side >= 0; side--) {
			uint8_t type = side ? node.right_record_type : node.left_record_type;
			uint64_t rec = side ? node.right_record : node.left_record;
			MMDB_entry_s entry =
			    side ? node.right_record_entry : node.left_record_entry;
			dt_u128 prefix = f.prefix;
			unsigned depth = f.depth + 1u;

			if (side)
				prefix |= (dt_u128)1 << (127 - f.depth);
			if (type == MMDB_RECORD_TYPE_EMPTY)
				continue;
			if (type == MMDB_RECORD_TYPE_SEARCH_NODE) {
				if (depth >= bits) {
					format_net(ipver, prefix, depth, net);
					dt_diag_set(diag, path, 0,
					            "corrupt search tree: node below %s, deeper "
					            "than %u bits",
					            net, bits);
					err = DT_EFORMAT;
					goto out;
				}
				if (top == (int)(sizeof(stack) / sizeof(*stack))) {
					err = DT_ELIMIT;
					goto out;
				}
				stack[top++] = (struct frame){.node = (uint32_t)rec,
				                              .depth = (uint8_t)depth,
				                              .prefix = prefix};
				continue;
			}
			if (type != MMDB_RECORD_TYPE_DATA) {
				format_net(ipver, prefix, depth, net);
				dt_diag_set(diag, path, 0,
				            "corrupt search tree: invalid record for %s", net);
				err = DT_EFORMAT;
				goto out;
			}
			struct decoded *d = cache_find(&cache, entry.offset);
			if (d->offset == 0) {
				const char *why = decode(&entry, d);

				if (why) {
					format_net(ipver, prefix, depth, net);
					dt_diag_set(diag, path, 0, "corrupt data for %s: %s", net,
					            why);
					err = DT_EFORMAT;
					goto out;
				}
				d->offset = entry.offset + 1;
				if (++cache.n * 2 > cache.cap) {
					struct decoded copy = *d;

					if ((err = cache_grow(&cache)))
						goto out;
					d = cache_find(&cache, copy.offset - 1);
				}
			}
			/* prefix is left-aligned in 128 bits for both versions */
			if ((err = emit(s, ipver, prefix, depth, d))) {
				dt_diag_set(diag, path, 0, "%s", dt_strerror(err));
				goto out;
			}
		}
	}
out:
	free(cache.slot);
	MMDB_close(&db);
	return err;
}
