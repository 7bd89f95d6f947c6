/*
 * eveout.c — records as Suricata's EVE JSON alerts: one object a line,
 * "timestamp" as Suricata writes it ("2013-02-18T09:14:05.123456+0000";
 * here always UTC), "flow_id" (an integer below 2^51 like Suricata's),
 * "in_iface", "event_type":"alert", the five-tuple as the alerting packet
 * saw it (the side that opened the connection is src), "proto" in upper
 * case, and the "alert" object (action, gid, signature_id, rev,
 * signature, category, severity).  Reference: docs.suricata.io, "Eve
 * JSON Format".
 */
#include <string.h>
#include <time.h>

#include "sim/sim_int.h"

void sim_eve_rec(struct strbuf *b, const struct sim_rec *x, uint64_t seed)
{
	const struct sim_sig *s = &sim_sigs[x->sig];
	time_t t = (time_t)(x->ts / 1000000);
	char ts[32], src[16], dst[16];
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	sim_ip4(x->inbound ? x->remote : x->local, src);
	sim_ip4(x->inbound ? x->local : x->remote, dst);
	if (x->fileinfo) {
		/* EVE "fileinfo": the file seen on an HTTP transaction of the flow */
		strbuf_addf(
		    b,
		    "{\"timestamp\":\"%s.%06lld+0000\",\"flow_id\":%llu,\"in_iface\":\"eth1\","
		    "\"event_type\":\"fileinfo\",\"src_ip\":\"%s\",\"src_port\":%u,"
		    "\"dest_ip\":\"%s\",\"dest_port\":%u,\"proto\":\"TCP\",\"app_proto\":\"http\","
		    "\"fileinfo\":{\"filename\":\"/wp-content/uploads/cache.php\","
		    "\"magic\":\"PHP script, ASCII text\",\"state\":\"CLOSED\",\"md5\":\"%s\","
		    "\"sha256\":\"%s\",\"stored\":false,\"size\":4187,\"tx_id\":0}}\n",
		    ts, (long long)(x->ts % 1000000),
		    (unsigned long long)(sim_mix(x->uid ^ seed) & ((1ULL << 51) - 1)), src,
		    x->inbound ? x->rport : x->lport, dst, x->inbound ? x->lport : x->rport,
		    sim_webshell_md5, sim_webshell_sha256);
		return;
	}
	strbuf_addf(b,
	            "{\"timestamp\":\"%s.%06lld+0000\",\"flow_id\":%llu,\"in_iface\":\"eth1\","
	            "\"event_type\":\"alert\",\"src_ip\":\"%s\",\"src_port\":%u,\"dest_ip\":\"%s\","
	            "\"dest_port\":%u,\"proto\":\"%s\",\"alert\":{\"action\":\"allowed\",\"gid\":1,"
	            "\"signature_id\":%u,\"rev\":%u,\"signature\":\"",
	            ts, (long long)(x->ts % 1000000),
	            (unsigned long long)(sim_mix(x->uid ^ seed) & ((1ULL << 51) - 1)), src,
	            x->inbound ? x->rport : x->lport, dst, x->inbound ? x->lport : x->rport,
	            x->proto == 6 ? "TCP" : "UDP", s->sid, s->rev);
	strbuf_add_json(b, s->msg, strlen(s->msg));
	strbuf_adds(b, "\",\"category\":\"");
	strbuf_add_json(b, s->category, strlen(s->category));
	strbuf_addf(b, "\",\"severity\":%u}}\n", s->severity);
}
