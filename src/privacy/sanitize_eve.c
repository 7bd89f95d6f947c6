/*
 * sanitize_eve.c — the derivative of Suricata EVE JSON, for
 * privacy/sanitize.h.
 *
 * Lines are read as ingest/eve.c reads them (a byte order mark before the
 * first, trailing blanks and "\r" not part of the JSON) and each object is
 * re-emitted with its key order and formatting (sanitize_util.h,
 * san_json): only string values that change are replaced, re-escaped.
 * By member (the last key of its dotted path, or the path):
 *
 *   withheld ("")   payload, payload_printable, packet, http_request_body,
 *                   http_response_body (and their _printable forms):
 *                   counted as dropped
 *   addresses       any string that is an address (src_ip, dest_ip,
 *                   flow/tunnel addresses, dns rdata, xff): privacy_addr
 *   host names      hostname, sni, rrname, rdata, server_name, helo, host,
 *                   realm, mname, rname, dns.grouped.*: san_name
 *   URLs            url, http_refer, redirect, uri, filename: san_url
 *   users           user, username, cname, mail_from, rcpt_to,
 *                   email.from/to/cc/reply_to, smb.ntlmssp.user/domain/
 *                   host, ftp command_data of USER: san_user
 *   secrets         password, community, cookie, ftp command_data of PASS,
 *                   the value of Cookie/Set-Cookie/Authorization headers,
 *                   MAC addresses: privacy_value
 *   the rest        privacy_scrub (keys too)
 *
 * so that the event ingest/eve.c reads from the derivative is the
 * original's with src/dst through privacy_addr, domain through san_name,
 * url through san_url and its other strings through privacy_scrub.
 * A line that is not a JSON object is scrubbed as text and counted as
 * unparsed; an object without "event_type" is sanitized like the others
 * and counted as unparsed.  The input is refused (DT_EFORMAT) when no line
 * is an EVE record, as ingest_eve refuses it.
 */
#include <string.h>

#include "privacy/sanitize.h"
#include "privacy/sanitize_util.h"

#define EVE_SAN_MAX_LINE (16u << 20) /* as ingest/eve.c */

static bool in_list(const char *v, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (strlen(*list) == n && memcmp(*list, v, n) == 0)
			return true;
	return false;
}

static bool path_is(const char *path, size_t plen, const char *lit)
{
	return strlen(lit) == plen && memcmp(path, lit, plen) == 0;
}

static bool path_ends(const char *path, size_t plen, const char *lit)
{
	size_t k = strlen(lit);

	return plen >= k && memcmp(path + plen - k, lit, k) == 0;
}

static enum san_kind eve_kind(void *ctx, struct js_doc *d, int obj, const char *path, size_t plen)
{
	static const char *const drop[] = {"payload",
	                                   "payload_printable",
	                                   "packet",
	                                   "http_request_body",
	                                   "http_request_body_printable",
	                                   "http_response_body",
	                                   "http_response_body_printable",
	                                   NULL};
	static const char *const names[] = {"hostname",    "sni",   "rrname", "rdata",
	                                    "server_name", "helo",  "host",   "realm",
	                                    "mname",       "rname", NULL};
	static const char *const urls[] = {"url", "http_refer", "redirect",
	                                   "uri", "filename",   NULL};
	static const char *const users[] = {"user",      "username", "cname",
	                                    "mail_from", "rcpt_to",  NULL};
	static const char *const secrets[] = {"password", "community", "cookie",    "src_mac",
	                                      "dest_mac", "src_macs",  "dest_macs", NULL};
	const char *dot = memrchr(path, '.', plen);
	const char *last = dot ? dot + 1 : path;
	size_t ln = plen - (size_t)(last - path);
	const char *t;
	size_t tn;

	(void)ctx;
	if (in_list(last, ln, drop))
		return SAN_DROP;
	if (path_ends(path, plen, "_headers.value")) {
		if (!js_str(d, js_get(d, obj, "name"), &t, &tn))
			return SAN_SCRUB;
		if (san_eq_nocase(t, tn, "cookie") || san_eq_nocase(t, tn, "set-cookie") ||
		    san_eq_nocase(t, tn, "authorization") ||
		    san_eq_nocase(t, tn, "proxy-authorization"))
			return SAN_VALUE;
		if (san_eq_nocase(t, tn, "referer") || san_eq_nocase(t, tn, "location"))
			return SAN_URL;
		if (san_eq_nocase(t, tn, "host"))
			return SAN_NAME;
		return SAN_SCRUB;
	}
	if (ln == 12 && memcmp(last, "command_data", 12) == 0 &&
	    js_str(d, js_get(d, obj, "command"), &t, &tn)) {
		if (san_eq_nocase(t, tn, "user"))
			return SAN_USER;
		if (san_eq_nocase(t, tn, "pass"))
			return SAN_VALUE;
	}
	if (plen > 12 && memcmp(path, "dns.grouped.", 12) == 0)
		return SAN_NAME;
	if (in_list(last, ln, names))
		return SAN_NAME;
	if (in_list(last, ln, urls))
		return SAN_URL;
	if (in_list(last, ln, users) || path_is(path, plen, "email.from") ||
	    path_is(path, plen, "email.to") || path_is(path, plen, "email.cc") ||
	    path_is(path, plen, "email.reply_to") || path_is(path, plen, "smb.ntlmssp.user") ||
	    path_is(path, plen, "smb.ntlmssp.domain") || path_is(path, plen, "smb.ntlmssp.host"))
		return SAN_USER;
	if (in_list(last, ln, secrets))
		return SAN_VALUE;
	return SAN_SCRUB;
}

enum dt_err sanitize_eve(struct reader *r, struct privacy *p, FILE *out, const char *name,
                         struct privacy_counts *c, struct dt_diag *diag)
{
	struct san s;
	struct strbuf b;
	struct js_doc js;
	unsigned long lineno = 0, first = 0;
	uint64_t good = 0;
	const char *l;
	size_t n;
	bool overlong;
	enum dt_err err;

	js_init(&js);
	strbuf_init(&b, SAN_MAX_OUT + SAN_FLUSH_AT);
	if ((err = san_init(&s, p, c)))
		goto out;
	while (!err && reader_line(r, &l, &n, &overlong)) {
		size_t m = n, k = 0, bom = 0;

		lineno++;
		s.c->records++;
		if (lineno == 1 && n >= 3 && memcmp(l, "\xef\xbb\xbf", 3) == 0)
			bom = 3;
		while (m > bom && (l[m - 1] == '\r' || l[m - 1] == ' ' || l[m - 1] == '\t'))
			m--;
		for (k = bom; k < m && (l[k] == ' ' || l[k] == '\t'); k++)
			;
		err = strbuf_add(&b, l, bom);
		if (err) {
		} else if (k == m) {
			err = strbuf_add(&b, l + bom, m - bom); /* blank */
		} else {
			if (!first)
				first = lineno;
			if (overlong || m - bom > EVE_SAN_MAX_LINE ||
			    !js_parse(&js, l + bom, m - bom) || js_type(&js, 0) != JS_OBJECT) {
				s.c->unparsed++;
				err = san_scrub(&s, l + bom, m - bom, &b);
			} else {
				if (js_type(&js, js_get(&js, 0, "event_type")) == JS_STRING)
					good++;
				else
					s.c->unparsed++;
				err = san_json(&s, &js, l + bom, m - bom, eve_kind, NULL, &b);
			}
		}
		if (!err)
			err = strbuf_add(&b, l + m, n - m);
		if (!err)
			err = strbuf_addc(&b, '\n');
		if (!err)
			err = san_flush(&b, out, false, name, diag);
		else if (err != DT_EIO)
			dt_diag_set(diag, name, lineno, "cannot sanitize: %s", dt_strerror(err));
	}
	if (!err && first && !good) {
		dt_diag_set(
		    diag, name, first,
		    "not Suricata EVE JSON: no line is a JSON object with an \"event_type\"");
		err = DT_EFORMAT;
	}
	if (!err)
		err = san_flush(&b, out, true, name, diag);
out:
	san_release(&s);
	strbuf_release(&b);
	js_release(&js);
	return err;
}
