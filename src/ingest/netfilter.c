/*
 * netfilter.c — netfilter packet logs, as the kernel's nf_log_syslog writes
 * them for iptables/ip6tables "-j LOG", nftables "log" and ufw (which is
 * iptables with prefixes such as "[UFW BLOCK] "):
 *
 *   PREFIX IN=eth0 OUT= MAC=52:54:..:08:00 SRC=203.0.113.7 DST=10.0.0.5
 *   LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=54321 DF PROTO=TCP SPT=51234
 *   DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0
 *
 * Facts relied on (linux net/netfilter/nf_log_syslog.c): the rule's
 * prefix is printed immediately before "IN=" (with no separator of its
 * own); fields are "KEY=value" tokens separated by single spaces; IPv4
 * addresses are dotted quads, IPv6 ones "%pI6" (eight 4-digit groups,
 * which dt_ip_parse reads like any RFC 4291 text); the first LEN= is the
 * IP datagram's total length (a UDP header adds a second LEN=); PROTO= is
 * TCP, UDP, UDPLITE, ICMP, ICMPv6, AH, ESP or a decimal number; TCP flags
 * are bare words (AE CWR ECE URG ACK PSH RST SYN FIN) after RES=; an ICMP
 * error quotes the offending packet in "[SRC=... ]" after the outer
 * fields, so reading stops at the first token that starts with '['.
 *
 * The event: kind alert, signature the prefix with the surrounding blanks
 * trimmed ("[UFW BLOCK]", "DROP-IN:"), or "netfilter" when the rule has
 * none; src/dst/ports/protocol of the packet as logged (SRC is the sender
 * of this packet, not necessarily the originator of its connection);
 * orig_pkts 1; state the TCP flags seen ("SYN", "ACK RST").  orig_bytes
 * stays -1: LEN counts the IP header too, where orig_bytes means payload
 * bytes in the other sources (Zeek conn.log).  Severity 3, or 4 when the
 * prefix says the packet was let through ("ALLOW", "ACCEPT", any case).
 * A line with "IN=... OUT=" but no SRC= (ARP, a truncated packet) is
 * ignored; one with an address or port that the kernel cannot have
 * printed is rejected.
 */
#include <stdio.h>
#include <string.h>

#include "ingest/syslogmsg.h"

/* Severity of a logged packet: dropped or just logged, or let through. */
#define NETFILTER_SEVERITY       3
#define NETFILTER_SEVERITY_ALLOW 4

/* TCP flag words in the kernel's order. */
static const struct {
	char name[4];
	size_t len;
} tcp_flags[] = {{"AE", 2},  {"CWR", 3}, {"ECE", 3}, {"URG", 3}, {"ACK", 3},
                 {"PSH", 3}, {"RST", 3}, {"SYN", 3}, {"FIN", 3}};

const char *netfilter_find(const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	/* '=' is rare before IN= (only in a prefix), so look for it first */
	while ((p = memchr(p, '=', (size_t)(end - p))) != NULL) {
		if (p - text >= 2 && p[-2] == 'I' && p[-1] == 'N') {
			const char *v = p + 1;

			while (v < end && *v != ' ')
				v++;
			/* (PHYSIN= comes after OUT= and is followed by PHYSOUT=) */
			if (end - v > 4 && memcmp(v + 1, "OUT=", 4) == 0)
				return p - 2;
		}
		p++;
	}
	return NULL;
}

static bool eq(struct dt_str s, const char *lit, size_t n)
{
	return s.len == n && memcmp(s.p, lit, n) == 0;
}

/* A decimal number of 1..5 digits up to max; -1 if not. */
static int32_t number(struct dt_str s, int32_t max)
{
	int32_t v = 0;

	if (s.len == 0 || s.len > 5)
		return -1;
	for (size_t i = 0; i < s.len; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return -1;
		v = v * 10 + (s.p[i] - '0');
	}
	return v <= max ? v : -1;
}

static int32_t proto_number(struct dt_str s)
{
	static const struct {
		const char *name;
		size_t len;
		int32_t num;
	} names[] = {
	    {"TCP", 3, 6}, {"UDP", 3, 17}, {"UDPLITE", 7, 136}, {"ICMP", 4, 1},
	    {"AH", 2, 51}, {"ESP", 3, 50}, {"ICMPv6", 6, 58},   {"SCTP", 4, 132},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (eq(s, names[i].name, names[i].len))
			return names[i].num;
	return number(s, 255);
}

/* Whether lit (lower case) occurs in p, in any case. */
static bool has_word(struct dt_str p, const char *lit)
{
	size_t n = strlen(lit);

	for (size_t i = 0; i + n <= p.len; i++) {
		size_t k = 0;

		while (k < n && (p.p[i + k] | 0x20) == lit[k])
			k++;
		if (k == n)
			return true;
	}
	return false;
}

/* The prefix before IN=, without the "[ 1234.567890] " the kernel may have
 * put before it (printk times) and without surrounding blanks. */
static struct dt_str prefix_of(const char *text, const char *in)
{
	struct dt_str p = {text, (size_t)(in - text)};

	if (p.len > 2 && p.p[0] == '[') {
		const char *rb = memchr(p.p, ']', p.len);
		size_t k = 1;

		while (k < p.len && p.p[k] == ' ')
			k++;
		while (k < p.len && ((p.p[k] >= '0' && p.p[k] <= '9') || p.p[k] == '.'))
			k++;
		if (rb && p.p + k == rb && k > 1) {
			p.len -= (size_t)(rb + 1 - p.p);
			p.p = rb + 1;
		}
	}
	while (p.len && (p.p[0] == ' ' || p.p[0] == '\t')) {
		p.p++;
		p.len--;
	}
	while (p.len && (p.p[p.len - 1] == ' ' || p.p[p.len - 1] == '\t'))
		p.len--;
	return p;
}

/* The first space in [p, end), or end: eight bytes at a time (the
 * "has a zero byte" test of Hacker's Delight 6-1 on the bytes xor ' '). */
static const char *next_space(const char *p, const char *end)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;

	while (end - p >= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		w ^= ones * ' ';
		if ((w - ones) & ~w & highs)
			break;
		p += 8;
	}
	while (p < end && *p != ' ')
		p++;
	return p;
}

enum textlog_verdict netfilter_read(const struct syslog_msg *m, const char *in, struct event *ev,
                                    char *flags, char *why)
{
	const char *s, *end = m->text.p + m->text.len;
	struct dt_str src = {0}, dst = {0}, spt = {0}, dpt = {0}, proto = {0}, prefix;
	unsigned seen = 0;
	size_t fl = 0;
	bool tcp = false;

	prefix = prefix_of(m->text.p, in);
	for (s = in; s < end;) {
		struct dt_str tok = {s, 0};

		s = next_space(s, end);
		tok.len = (size_t)(s - tok.p);
		if (s < end)
			s++;
		if (tok.len < 4) {
			/* a TCP flag word (after PROTO=TCP), or an empty token */
			if (tcp && tok.len >= 2)
				for (unsigned k = 0; k < sizeof(tcp_flags) / sizeof(*tcp_flags);
				     k++)
					if (eq(tok, tcp_flags[k].name, tcp_flags[k].len))
						seen |= 1u << k;
			continue;
		}
		if (tok.p[0] == '[')
			break; /* the packet an ICMP error quotes */
		if (tok.p[3] == '=') {
			struct dt_str val = {tok.p + 4, tok.len - 4};

			if (memcmp(tok.p, "SRC", 3) == 0 && !src.p) {
				src = val;
			} else if (memcmp(tok.p, "DST", 3) == 0 && !dst.p) {
				dst = val;
			} else if (memcmp(tok.p, "SPT", 3) == 0 && !spt.p) {
				spt = val;
			} else if (memcmp(tok.p, "DPT", 3) == 0 && !dpt.p) {
				dpt = val;
				if (!tcp)
					break; /* nothing else of a UDP packet is wanted */
			}
		} else if (tok.len >= 6 && tok.p[5] == '=' && memcmp(tok.p, "PROTO", 5) == 0 &&
		           !proto.p) {
			proto = (struct dt_str){tok.p + 6, tok.len - 6};
			tcp = eq(proto, "TCP", 3);
			if (!tcp && !eq(proto, "UDP", 3) && !eq(proto, "UDPLITE", 7))
				break; /* no ports: ICMP, AH, ESP, a number */
		} else if (tcp && tok.len >= 5 && memcmp(tok.p, "URGP=", 5) == 0) {
			break; /* the flags come before it */
		}
	}
	if (src.p == NULL)
		return TEXTLOG_IGNORED; /* ARP, or TRUNCATED */
	event_init(ev);
	if (dt_ip_parse(src.p, src.len, &ev->src)) {
		snprintf(why, TEXTLOG_WHY, "netfilter SRC '%.*s' is not an IP address",
		         (int)(src.len > 64 ? 64 : src.len), src.p);
		return TEXTLOG_REJECTED;
	}
	if (dst.p == NULL || dt_ip_parse(dst.p, dst.len, &ev->dst)) {
		snprintf(why, TEXTLOG_WHY, "netfilter DST '%.*s' is not an IP address",
		         (int)(dst.len > 64 ? 64 : dst.len), dst.p ? dst.p : "");
		return TEXTLOG_REJECTED;
	}
	ev->has_src = ev->has_dst = true;
	if ((spt.p && (ev->sport = number(spt, 65535)) < 0) ||
	    (dpt.p && (ev->dport = number(dpt, 65535)) < 0)) {
		snprintf(why, TEXTLOG_WHY, "netfilter SPT/DPT is not a port number");
		return TEXTLOG_REJECTED;
	}
	if (proto.p)
		ev->proto = proto_number(proto);
	for (unsigned k = 0; seen && k < sizeof(tcp_flags) / sizeof(*tcp_flags); k++) {
		if (!(seen & (1u << k)))
			continue;
		if (fl)
			flags[fl++] = ' ';
		memcpy(flags + fl, tcp_flags[k].name, tcp_flags[k].len);
		fl += tcp_flags[k].len;
	}
	ev->state = (struct dt_str){flags, fl};
	ev->kind = EVENT_ALERT;
	ev->signature = prefix.len ? prefix : (struct dt_str){"netfilter", 9};
	ev->severity = has_word(prefix, "allow") || has_word(prefix, "accept")
	                   ? NETFILTER_SEVERITY_ALLOW
	                   : NETFILTER_SEVERITY;
	ev->orig_pkts = 1;
	return TEXTLOG_EVENT;
}
