/*
 * test_pcap.c — the pcap parser (ingest_pcap, ingest/parsers.h) and its
 * connection tracker (ingest/conntrack.h):
 *   - ssh-ssh.pcap of the shared corpus against Zeek's own conn.log for it
 *     (every row: endpoints, ports, bytes, packets, duration, conn_state);
 *   - every corpus capture against tshark: no packet rejected, the same
 *     TCP and UDP conversations with the same frame counts each way
 *     (tshark -q -z conv,tcp -z conv,udp), and the same payload bytes each
 *     way (tshark -T fields: UDP length - 8, TCP length outside
 *     retransmissions) wherever our byte counts are set;
 *   - captures written here: 802.1Q/QinQ, IPv6 with extension headers,
 *     Linux cooked v1/v2, raw IP, null/loopback, IPv4/IPv6 fragments,
 *     every conn_state, Zeek's role flips and timers, a truncated file, bad
 *     packets reported by number, pcapng (through editcap), refusal of
 *     what is not a capture, a failing sink, and eviction when the
 *     connection table is full.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/conntrack.h"
#include "ingest/parsers.h"
#include "testhelp.h"

/* ---- collecting events -------------------------------------------------- */

struct got {
	struct event ev;
	char uid[32], state[16];
	char src[DT_IP_STRLEN], dst[DT_IP_STRLEN];
};

static struct got *got;
static size_t ngot, capgot;
static struct dt_diag warns[64];
static size_t nwarn;
static uint64_t fail_at = UINT64_MAX;

static enum dt_err sink(void *ctx, const struct event *ev)
{
	struct got *g;

	(void)ctx;
	if (ngot == fail_at)
		return DT_EIO;
	if (ngot == capgot) {
		capgot = capgot ? 2 * capgot : 64;
		got = realloc(got, capgot * sizeof(*got));
		if (got == NULL)
			abort();
	}
	g = &got[ngot++];
	memset(g, 0, sizeof(*g));
	g->ev = *ev;
	snprintf(g->uid, sizeof(g->uid), "%.*s", (int)ev->uid.len, ev->uid.p);
	snprintf(g->state, sizeof(g->state), "%.*s", (int)ev->state.len, ev->state.p);
	g->ev.uid.p = g->ev.state.p = NULL;
	dt_ip_format(&ev->src, g->src);
	dt_ip_format(&ev->dst, g->dst);
	return DT_OK;
}

static void warn(void *ctx, const struct dt_diag *d)
{
	(void)ctx;
	if (nwarn < sizeof(warns) / sizeof(*warns))
		warns[nwarn] = *d;
	nwarn++;
}

static void reset(void)
{
	ngot = nwarn = 0;
	fail_at = UINT64_MAX;
}

static enum dt_err run_reader(struct reader *r, const char *name, struct ingest_counts *c,
                              struct dt_diag *d)
{
	struct ingest_ctx x = {.name = name, .sink = sink, .warn = warn, .c = c};

	reset();
	memset(c, 0, sizeof(*c));
	dt_diag_clear(d);
	return ingest_pcap(r, &x, d);
}

static enum dt_err run_mem(const void *p, size_t n, struct ingest_counts *c, struct dt_diag *d)
{
	struct reader *r;
	enum dt_err err;

	if (reader_open_mem(p, n, &r) != DT_OK)
		abort();
	err = run_reader(r, "test.pcap", c, d);
	reader_close(r);
	return err;
}

static enum dt_err run_file(const char *path, struct ingest_counts *c, struct dt_diag *d)
{
	struct reader *r;
	enum dt_err err;

	if (reader_open_file(path, &r, d) != DT_OK)
		return DT_EIO;
	err = run_reader(r, path, c, d);
	reader_close(r);
	return err;
}

/* The event of a connection by its originator and responder ports. */
static const struct got *find(int proto, int sport, int dport)
{
	for (size_t i = 0; i < ngot; i++)
		if (got[i].ev.proto == proto && got[i].ev.sport == sport &&
		    got[i].ev.dport == dport)
			return &got[i];
	return NULL;
}

/* ---- writing captures --------------------------------------------------- */

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *d, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 256;
		b->p = realloc(b->p, b->cap);
		if (b->p == NULL)
			abort();
	}
	if (n)
		memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void put8(struct buf *b, unsigned v)
{
	uint8_t x = (uint8_t)v;

	put(b, &x, 1);
}

static void put16(struct buf *b, unsigned v)
{
	put8(b, v >> 8);
	put8(b, v);
}

static void put32(struct buf *b, uint32_t v)
{
	put16(b, v >> 16);
	put16(b, v & 0xffff);
}

static void putle32(struct buf *b, uint32_t v)
{
	put8(b, v);
	put8(b, v >> 8);
	put8(b, v >> 16);
	put8(b, v >> 24);
}

static void zeros(struct buf *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(b, 0x5a);
}

/* A capture being written: the file, its link type and how frames are
 * wrapped. */
struct cap {
	struct buf f;
	int dlt;
	int vlans; /* Ethernet: 0, 1 (802.1Q) or 2 (QinQ) tags */
};

static void cap_init(struct cap *c, int dlt)
{
	memset(c, 0, sizeof(*c));
	c->dlt = dlt;
	putle32(&c->f, 0xa1b2c3d4);
	put8(&c->f, 2); /* version 2.4, little-endian fields */
	put8(&c->f, 0);
	put8(&c->f, 4);
	put8(&c->f, 0);
	putle32(&c->f, 0);
	putle32(&c->f, 0);
	putle32(&c->f, 65535);
	putle32(&c->f, (uint32_t)dlt);
}

/* One record of n bytes (wire length orig_len) at t seconds. */
static void cap_record(struct cap *c, double t, const uint8_t *p, size_t n, size_t orig_len)
{
	uint32_t sec = (uint32_t)t;

	putle32(&c->f, sec);
	putle32(&c->f, (uint32_t)((t - sec) * 1e6 + 0.5));
	putle32(&c->f, (uint32_t)n);
	putle32(&c->f, (uint32_t)orig_len);
	put(&c->f, p, n);
}

/* An IP packet (v4 or v6 by its first nibble) wrapped for the link type. */
static void cap_ip(struct cap *c, double t, const struct buf *ip)
{
	struct buf fr = {0};
	int v6 = ip->p[0] >> 4 == 6;

	switch (c->dlt) {
	case 1:
		zeros(&fr, 12);
		if (c->vlans == 2) {
			put16(&fr, 0x88a8);
			put16(&fr, 100);
		}
		if (c->vlans >= 1) {
			put16(&fr, 0x8100);
			put16(&fr, 10);
		}
		put16(&fr, v6 ? 0x86dd : 0x0800);
		break;
	case 113:
		put16(&fr, 0); /* to us */
		put16(&fr, 1); /* ARPHRD_ETHER */
		put16(&fr, 6);
		zeros(&fr, 8);
		put16(&fr, v6 ? 0x86dd : 0x0800);
		break;
	case 276:
		put16(&fr, v6 ? 0x86dd : 0x0800);
		put16(&fr, 0);
		put32(&fr, 2); /* interface index */
		put16(&fr, 1);
		put8(&fr, 0);
		put8(&fr, 6);
		zeros(&fr, 8);
		break;
	case 0:
		putle32(&fr, v6 ? 30 : 2); /* host order, as a little-endian BSD wrote it */
		break;
	case 108: put32(&fr, v6 ? 24 : 2); break;
	default: break; /* raw */
	}
	put(&fr, ip->p, ip->len);
	cap_record(c, t, fr.p, fr.len, fr.len);
	free(fr.p);
}

static void addr(int fam, const char *s, uint8_t out[16])
{
	if (inet_pton(fam == 4 ? AF_INET : AF_INET6, s, out) != 1)
		abort();
}

/* An IP header for a payload of n bytes, then the payload. */
static void ip_wrap(struct buf *ip, int fam, const char *src, const char *dst, int proto,
                    const struct buf *l4)
{
	uint8_t a[16];

	if (fam == 4) {
		put8(ip, 0x45);
		put8(ip, 0);
		put16(ip, (unsigned)(20 + l4->len));
		put16(ip, 0x1234);
		put16(ip, 0x4000);
		put8(ip, 64);
		put8(ip, (unsigned)proto);
		put16(ip, 0);
		addr(4, src, a);
		put(ip, a, 4);
		addr(4, dst, a);
		put(ip, a, 4);
	} else {
		put32(ip, 0x60000000);
		put16(ip, (unsigned)l4->len);
		put8(ip, (unsigned)proto);
		put8(ip, 64);
		addr(6, src, a);
		put(ip, a, 16);
		addr(6, dst, a);
		put(ip, a, 16);
	}
	put(ip, l4->p, l4->len);
}

static void cap_udp(struct cap *c, double t, int fam, const char *src, unsigned sp, const char *dst,
                    unsigned dp, size_t plen)
{
	struct buf l4 = {0}, ip = {0};

	put16(&l4, sp);
	put16(&l4, dp);
	put16(&l4, (unsigned)(8 + plen));
	put16(&l4, 0);
	zeros(&l4, plen);
	ip_wrap(&ip, fam, src, dst, 17, &l4);
	cap_ip(c, t, &ip);
	free(l4.p);
	free(ip.p);
}

static void cap_icmp(struct cap *c, double t, int fam, const char *src, const char *dst,
                     unsigned type, unsigned code, size_t plen)
{
	struct buf l4 = {0}, ip = {0};

	put8(&l4, type);
	put8(&l4, code);
	put16(&l4, 0);
	put32(&l4, 0x00010001);
	zeros(&l4, plen);
	ip_wrap(&ip, fam, src, dst, fam == 4 ? 1 : 58, &l4);
	cap_ip(c, t, &ip);
	free(l4.p);
	free(ip.p);
}

/* One TCP connection being written: each side's next sequence number. */
struct flow {
	struct cap *c;
	int fam;
	const char *ca, *sa; /* client and server addresses */
	unsigned cp, sp;
	uint32_t cseq, sseq;
};

#define F_FIN CT_FIN
#define F_SYN CT_SYN
#define F_RST CT_RST
#define F_ACK CT_ACK

/* A segment with plen payload bytes from the client (or the server). */
static void seg(struct flow *f, double t, int from_client, unsigned flags, size_t plen)
{
	struct buf l4 = {0}, ip = {0};
	uint32_t *mine = from_client ? &f->cseq : &f->sseq;
	uint32_t theirs = from_client ? f->sseq : f->cseq;

	put16(&l4, from_client ? f->cp : f->sp);
	put16(&l4, from_client ? f->sp : f->cp);
	put32(&l4, *mine);
	put32(&l4, (flags & F_ACK) ? theirs : 0);
	put8(&l4, 5 << 4);
	put8(&l4, flags);
	put16(&l4, 65535);
	put32(&l4, 0);
	zeros(&l4, plen);
	if (from_client)
		ip_wrap(&ip, f->fam, f->ca, f->sa, 6, &l4);
	else
		ip_wrap(&ip, f->fam, f->sa, f->ca, 6, &l4);
	cap_ip(f->c, t, &ip);
	*mine += (uint32_t)plen + !!(flags & F_SYN) + !!(flags & F_FIN);
	free(l4.p);
	free(ip.p);
}

static struct flow flow4(struct cap *c, const char *ca, unsigned cp, const char *sa, unsigned sp)
{
	struct flow f = {c, 4, ca, sa, cp, sp, 1000, 50000};

	return f;
}

/* Handshake at t, t+.01, t+.02. */
static void handshake(struct flow *f, double t)
{
	seg(f, t, 1, F_SYN, 0);
	seg(f, t + 0.01, 0, F_SYN | F_ACK, 0);
	seg(f, t + 0.02, 1, F_ACK, 0);
}

/* ---- the corpus: Zeek's conn.log --------------------------------------- */

/* Splits s at tabs into at most max fields (s is modified). */
static int split_tabs(char *s, char **f, int max)
{
	int n = 0;

	while (n < max) {
		f[n++] = s;
		s = strchr(s, '\t');
		if (s == NULL)
			break;
		*s++ = '\0';
	}
	return n;
}

static int col(char **names, int n, const char *want)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], want) == 0)
			return i;
	return -1;
}

static long long num_or(const char *s, long long unset)
{
	return strcmp(s, "-") == 0 ? unset : atoll(s);
}

/* "6.159326" to microseconds; "-" to -1. */
static long long dur_us(const char *s)
{
	double v;

	if (strcmp(s, "-") == 0)
		return -1;
	v = atof(s);
	return (long long)(v * 1e6 + 0.5);
}

static void test_zeek_conn_log(void)
{
	char path[1024], line[4096], hdr[4096];
	char *names[40], *f[40];
	int nn = 0, rows = 0;
	struct ingest_counts c;
	struct dt_diag d;
	FILE *lf;
	int i_oh, i_op, i_rh, i_rp, i_proto, i_dur, i_ob, i_rb, i_state, i_opk, i_rpk;

	snprintf(path, sizeof(path), "%s/pcap/ssh-ssh.pcap.zeek-conn.log", th_corpus());
	if ((lf = fopen(path, "r")) == NULL)
		SKIP("%s is absent", path);
	snprintf(path, sizeof(path), "%s/pcap/ssh-ssh.pcap", th_corpus());
	CHECK(run_file(path, &c, &d) == DT_OK);
	CHECKF(c.records == 1797 && c.rejected == 0 && c.ignored == 0,
	       "records %llu rejected %llu ignored %llu", (unsigned long long)c.records,
	       (unsigned long long)c.rejected, (unsigned long long)c.ignored);
	CHECK(nwarn == 0);
	CHECK(c.events == ngot);
	hdr[0] = '\0';
	while (fgets(line, sizeof(line), lf)) {
		const struct got *g = NULL;
		char oh[64], rh[64];
		int n;

		line[strcspn(line, "\r\n")] = '\0';
		if (strncmp(line, "#fields\t", 8) == 0) {
			snprintf(hdr, sizeof(hdr), "%s", line + 8);
			nn = split_tabs(hdr, names, 40);
			continue;
		}
		if (line[0] == '#' || nn == 0)
			continue;
		n = split_tabs(line, f, 40);
		CHECK(n == nn);
		if (n != nn)
			continue;
		i_oh = col(names, nn, "id.orig_h");
		i_op = col(names, nn, "id.orig_p");
		i_rh = col(names, nn, "id.resp_h");
		i_rp = col(names, nn, "id.resp_p");
		i_proto = col(names, nn, "proto");
		i_dur = col(names, nn, "duration");
		i_ob = col(names, nn, "orig_bytes");
		i_rb = col(names, nn, "resp_bytes");
		i_state = col(names, nn, "conn_state");
		i_opk = col(names, nn, "orig_pkts");
		i_rpk = col(names, nn, "resp_pkts");
		CHECK(i_oh >= 0 && i_op >= 0 && i_rh >= 0 && i_rp >= 0 && i_proto >= 0 &&
		      i_dur >= 0 && i_ob >= 0 && i_rb >= 0 && i_state >= 0 && i_opk >= 0 &&
		      i_rpk >= 0);
		if (i_oh < 0 || i_op < 0 || i_rh < 0 || i_rp < 0 || i_proto < 0 || i_dur < 0 ||
		    i_ob < 0 || i_rb < 0 || i_state < 0 || i_opk < 0 || i_rpk < 0)
			break;
		rows++;
		snprintf(oh, sizeof(oh), "%s", f[i_oh]);
		snprintf(rh, sizeof(rh), "%s", f[i_rh]);
		for (size_t k = 0; k < ngot; k++)
			if (strcmp(got[k].src, oh) == 0 && strcmp(got[k].dst, rh) == 0 &&
			    got[k].ev.sport == atoi(f[i_op]) && got[k].ev.dport == atoi(f[i_rp]) &&
			    got[k].ev.proto == (strcmp(f[i_proto], "tcp") == 0 ? 6 : 17))
				g = &got[k];
		CHECKF(g != NULL, "no connection %s:%s -> %s:%s", oh, f[i_op], rh, f[i_rp]);
		if (g == NULL)
			continue;
		CHECKF(strcmp(g->state, f[i_state]) == 0, "%s:%s state %s, zeek %s", oh, f[i_op],
		       g->state, f[i_state]);
		CHECKF(g->ev.orig_bytes == num_or(f[i_ob], -1) &&
		           g->ev.resp_bytes == num_or(f[i_rb], -1),
		       "%s:%s bytes %lld/%lld, zeek %s/%s", oh, f[i_op],
		       (long long)g->ev.orig_bytes, (long long)g->ev.resp_bytes, f[i_ob], f[i_rb]);
		CHECKF(g->ev.orig_pkts == num_or(f[i_opk], -1) &&
		           g->ev.resp_pkts == num_or(f[i_rpk], -1),
		       "%s:%s packets %lld/%lld, zeek %s/%s", oh, f[i_op],
		       (long long)g->ev.orig_pkts, (long long)g->ev.resp_pkts, f[i_opk], f[i_rpk]);
		CHECKF(g->ev.duration_us == dur_us(f[i_dur]), "%s:%s duration %lld, zeek %s", oh,
		       f[i_op], (long long)g->ev.duration_us, f[i_dur]);
		CHECK(g->uid[0] == 'C' && strlen(g->uid) == 17);
		CHECK(g->ev.record >= 1 && g->ev.record <= 1797);
	}
	fclose(lf);
	CHECKF(rows == 25 && ngot == 25, "%d rows, %zu connections", rows, ngot);
}

/* ---- the corpus: tshark ------------------------------------------------- */

/* One direction-aware conversation total. */
struct conv {
	int proto;
	char a[64], b[64]; /* "addr:port", a the lesser string */
	long long frames_ab, frames_ba;
	long long bytes_ab, bytes_ba; /* payload: tshark fields, or ours where set */
	int ours_unset;               /* our connections without byte counts */
};

static struct conv *conv_get(struct conv *v, size_t *n, size_t max, int proto, const char *x,
                             const char *y, int *swapped)
{
	const char *a = strcmp(x, y) <= 0 ? x : y, *b = a == x ? y : x;

	*swapped = a != x;
	for (size_t i = 0; i < *n; i++)
		if (v[i].proto == proto && strcmp(v[i].a, a) == 0 && strcmp(v[i].b, b) == 0)
			return &v[i];
	if (*n == max)
		return NULL;
	memset(&v[*n], 0, sizeof(v[*n]));
	v[*n].proto = proto;
	snprintf(v[*n].a, sizeof(v[*n].a), "%s", a);
	snprintf(v[*n].b, sizeof(v[*n].b), "%s", b);
	return &v[(*n)++];
}

static void endpoint(char *out, size_t size, const char *ip, int port)
{
	snprintf(out, size, "%s:%d", ip, port);
}

/* tshark's text for an address: IPv6 as inet_ntop writes it. */
static void canon_ip(char *s, size_t size)
{
	struct dt_ip ip;
	char buf[DT_IP_STRLEN];

	if (dt_ip_parse(s, strlen(s), &ip) != DT_OK)
		return;
	dt_ip_format(&ip, buf);
	snprintf(s, size, "%s", buf);
}

static FILE *tshark(const char *args, const char *path)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "tshark -n %s -r '%s' 2>/dev/null", args, path);
	return popen(cmd, "r");
}

/* One packet's fields: its UDP payload (length - 8), or its TCP payload
 * unless tshark calls it a retransmission or keep-alive, added to its
 * conversation's direction.  ICMP errors quoting headers do not count. */
static void fields_line(struct conv *theirs, size_t *nt, size_t max, char *line)
{
	char *f[16], x[160], y[160], src[64], dst[64];
	struct conv *v;
	int n, proto, sw;
	long long bytes;

	line[strcspn(line, "\r\n")] = '\0';
	n = split_tabs(line, f, 16);
	if (n < 14 || f[12][0] || f[13][0] || (!f[4][0] && !f[7][0]))
		return;
	/* a field may repeat (tunnels): the first value is the outer one */
	for (int i = 0; i < n; i++)
		f[i][strcspn(f[i], ",")] = '\0';
	snprintf(src, sizeof(src), "%s", f[0][0] ? f[0] : f[1]);
	snprintf(dst, sizeof(dst), "%s", f[2][0] ? f[2] : f[3]);
	canon_ip(src, sizeof(src));
	canon_ip(dst, sizeof(dst));
	if (f[4][0]) {
		proto = 17;
		endpoint(x, sizeof(x), src, atoi(f[4]));
		endpoint(y, sizeof(y), dst, atoi(f[5]));
		bytes = atoll(f[6]) - 8;
	} else {
		proto = 6;
		endpoint(x, sizeof(x), src, atoi(f[7]));
		endpoint(y, sizeof(y), dst, atoi(f[8]));
		bytes = f[10][0] || f[11][0] ? 0 : atoll(f[9]);
	}
	v = conv_get(theirs, nt, max, proto, x, y, &sw);
	if (v == NULL)
		return;
	if (sw)
		v->bytes_ba += bytes;
	else
		v->bytes_ab += bytes;
}

/* Compares our connections of one capture with tshark's. */
static void compare_tshark(const char *path)
{
	enum { MAX_CONV = 4096 };
	static struct conv theirs[MAX_CONV], ours[MAX_CONV];
	size_t nt = 0, no = 0;
	char line[4096];
	FILE *p;
	int sw, proto = 0, frames_compared = 0, bytes_compared = 0;

	/* one run: a line of fields a packet (payload bytes per direction),
	 * then the conversation tables (frame counts) */
	p = tshark("-z conv,tcp -z conv,udp -T fields -E separator=/t -e ip.src -e ipv6.src "
	           "-e ip.dst -e ipv6.dst -e udp.srcport -e udp.dstport -e udp.length "
	           "-e tcp.srcport -e tcp.dstport -e tcp.len -e tcp.analysis.retransmission "
	           "-e tcp.analysis.keep_alive -e icmp.type -e icmpv6.type",
	           path);
	CHECK(p != NULL);
	if (p == NULL)
		return;
	while (fgets(line, sizeof(line), p)) {
		char ea[128], eb[128], *ca, *cb;
		long long fl, fr;
		struct conv *v;

		if (strchr(line, '\t')) {
			fields_line(theirs, &nt, MAX_CONV, line);
			continue;
		}
		if (strstr(line, "TCP Conversations"))
			proto = 6;
		else if (strstr(line, "UDP Conversations"))
			proto = 17;
		/* A:pa <-> B:pb  frames bytes unit  frames bytes unit ... */
		if (sscanf(line, "%127s <-> %127s %lld %*s %*s %lld", ea, eb, &fl, &fr) != 4)
			continue;
		ca = strrchr(ea, ':');
		cb = strrchr(eb, ':');
		if (!ca || !cb || proto == 0)
			continue;
		*ca++ = '\0';
		*cb++ = '\0';
		canon_ip(ea, sizeof(ea));
		canon_ip(eb, sizeof(eb));
		{
			char x[160], y[160];

			snprintf(x, sizeof(x), "%s:%s", ea, ca);
			snprintf(y, sizeof(y), "%s:%s", eb, cb);
			v = conv_get(theirs, &nt, MAX_CONV, proto, x, y, &sw);
		}
		if (v == NULL)
			continue;
		/* "<-" is B to A, "->" is A to B */
		v->frames_ab += sw ? fl : fr;
		v->frames_ba += sw ? fr : fl;
	}
	CHECK(pclose(p) == 0);

	/* ours, grouped the same way */
	for (size_t i = 0; i < ngot; i++) {
		const struct got *g = &got[i];
		char x[160], y[160];
		struct conv *v;

		if (g->ev.proto != 6 && g->ev.proto != 17)
			continue;
		endpoint(x, sizeof(x), g->src, g->ev.sport);
		endpoint(y, sizeof(y), g->dst, g->ev.dport);
		v = conv_get(ours, &no, MAX_CONV, g->ev.proto, x, y, &sw);
		if (v == NULL)
			continue;
		if (sw) {
			v->frames_ab += g->ev.resp_pkts;
			v->frames_ba += g->ev.orig_pkts;
		} else {
			v->frames_ab += g->ev.orig_pkts;
			v->frames_ba += g->ev.resp_pkts;
		}
		if (g->ev.orig_bytes < 0) {
			v->ours_unset++;
		} else if (sw) {
			v->bytes_ab += g->ev.resp_bytes;
			v->bytes_ba += g->ev.orig_bytes;
		} else {
			v->bytes_ab += g->ev.orig_bytes;
			v->bytes_ba += g->ev.resp_bytes;
		}
	}
	CHECKF(no == nt && nt > 0, "%s: %zu conversations, tshark %zu", path, no, nt);
	for (size_t i = 0; i < no; i++) {
		const struct conv *o = &ours[i];
		const struct conv *t = conv_get(theirs, &nt, nt, o->proto, o->a, o->b, &sw);

		CHECKF(t != NULL, "%s: %s <-> %s not in tshark's conversations", path, o->a, o->b);
		if (t == NULL)
			continue;
		CHECKF(o->frames_ab == t->frames_ab && o->frames_ba == t->frames_ba,
		       "%s: %s <-> %s frames %lld/%lld, tshark %lld/%lld", path, o->a, o->b,
		       o->frames_ab, o->frames_ba, t->frames_ab, t->frames_ba);
		if (o->ours_unset == 0) {
			CHECKF(o->bytes_ab == t->bytes_ab && o->bytes_ba == t->bytes_ba,
			       "%s: %s <-> %s bytes %lld/%lld, tshark %lld/%lld", path, o->a, o->b,
			       o->bytes_ab, o->bytes_ba, t->bytes_ab, t->bytes_ba);
			bytes_compared++;
		}
		frames_compared++;
	}
	if (getenv("TEST_PCAP_VERBOSE"))
		fprintf(stderr, "%s: %zu conversations, %d frame counts and %d byte counts equal\n",
		        path, nt, frames_compared, bytes_compared);
	CHECK(bytes_compared > 0);
}

static void test_corpus_tshark(void)
{
	char dir[1024], path[1300];
	struct dirent *de;
	int files = 0;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/pcap", th_corpus());
	if ((dp = opendir(dir)) == NULL)
		SKIP("%s is absent", dir);
	if (system("tshark -v >/dev/null 2>&1") != 0) {
		closedir(dp);
		SKIP("tshark not found: corpus captures not compared");
	}
	while ((de = readdir(dp)) != NULL) {
		size_t n = strlen(de->d_name);
		struct ingest_counts c;
		struct dt_diag d;

		if (n < 5 || strcmp(de->d_name + n - 5, ".pcap") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		files++;
		CHECKF(run_file(path, &c, &d) == DT_OK, "%s: %s", path, d.msg);
		CHECKF(c.rejected == 0 && nwarn == 0, "%s: %llu rejected (%s)", path,
		       (unsigned long long)c.rejected, nwarn ? warns[0].msg : "");
		CHECK(c.events == ngot && ngot > 0);
		compare_tshark(path);
	}
	closedir(dp);
	CHECKF(files >= 7, "%d captures", files);
}

/* ---- captures written here ----------------------------------------------- */

/* A complete exchange: handshake, data both ways, FIN/FIN-ACK/ACK. */
static void sf_flow(struct flow *f, double t)
{
	handshake(f, t);
	seg(f, t + 0.1, 1, F_ACK, 100);
	seg(f, t + 0.2, 0, F_ACK, 200);
	seg(f, t + 0.3, 1, F_FIN | F_ACK, 0);
	seg(f, t + 0.4, 0, F_FIN | F_ACK, 0);
	seg(f, t + 0.5, 1, F_ACK, 0);
}

static void check_sf(const struct got *g, const char *src, const char *dst)
{
	CHECK(g != NULL);
	if (g == NULL)
		return;
	CHECKF(strcmp(g->state, "SF") == 0, "state %s", g->state);
	CHECKF(strcmp(g->src, src) == 0 && strcmp(g->dst, dst) == 0, "%s -> %s", g->src, g->dst);
	CHECK(g->ev.orig_bytes == 100 && g->ev.resp_bytes == 200);
	CHECK(g->ev.orig_pkts == 5 && g->ev.resp_pkts == 3);
	/* the last ACK comes after both FINs: not in the duration */
	CHECKF(g->ev.duration_us == 400000, "duration %lld", (long long)g->ev.duration_us);
	CHECK(strcmp(g->uid, "") != 0 && g->uid[0] == 'C');
}

static void test_vlan_qinq(void)
{
	struct cap c;
	struct flow f;
	struct ingest_counts n;
	struct dt_diag d;

	cap_init(&c, 1);
	f = flow4(&c, "10.0.0.1", 40000, "10.0.0.2", 80);
	c.vlans = 1;
	handshake(&f, 100);
	seg(&f, 100.1, 1, F_ACK, 100);
	c.vlans = 2; /* the same connection, now double-tagged */
	seg(&f, 100.2, 0, F_ACK, 200);
	seg(&f, 100.3, 1, F_FIN | F_ACK, 0);
	c.vlans = 0;
	seg(&f, 100.4, 0, F_FIN | F_ACK, 0);
	seg(&f, 100.5, 1, F_ACK, 0);
	CHECK(run_mem(c.f.p, c.f.len, &n, &d) == DT_OK);
	CHECK(n.records == 8 && n.events == 1 && n.rejected == 0 && n.ignored == 0);
	CHECK(ngot == 1);
	check_sf(find(6, 40000, 80), "10.0.0.1", "10.0.0.2");
	CHECK(ngot == 1 && got[0].ev.ts_us == 100000000 && got[0].ev.record == 1);
	free(c.f.p);
}

/* The same exchange over each link type gives the same connection. */
static void test_link_types(void)
{
	static const int dlts[] = {1, 113, 276, 101, 12, 228, 0, 108};

	for (size_t i = 0; i < sizeof(dlts) / sizeof(*dlts); i++) {
		struct cap c;
		struct flow f;
		struct ingest_counts n;
		struct dt_diag d;

		if (dlts[i] == 228) {
			cap_init(&c, 228); /* LINKTYPE_IPV4: IPv4 only */
		} else {
			cap_init(&c, dlts[i]);
		}
		f = flow4(&c, "192.0.2.1", 50000, "198.51.100.7", 443);
		sf_flow(&f, 10);
		if (dlts[i] != 228)
			cap_udp(&c, 11, 6, "2001:db8::1", 5353, "ff02::fb", 5353, 30);
		CHECKF(run_mem(c.f.p, c.f.len, &n, &d) == DT_OK, "link type %d: %s", dlts[i],
		       d.msg);
		CHECKF(n.rejected == 0 && n.ignored == 0, "link type %d", dlts[i]);
		check_sf(find(6, 50000, 443), "192.0.2.1", "198.51.100.7");
		if (dlts[i] != 228) {
			const struct got *g = find(17, 5353, 5353);

			CHECKF(g && strcmp(g->src, "2001:db8::1") == 0 &&
			           strcmp(g->state, "S0") == 0 && g->ev.orig_pkts == 1,
			       "link type %d: IPv6", dlts[i]);
		}
		free(c.f.p);
	}
}

static void test_ipv6_ext(void)
{
	struct cap c;
	struct ingest_counts n;
	struct dt_diag d;
	struct buf l4 = {0}, ip = {0};
	uint8_t a[16];
	const struct got *g;

	cap_init(&c, 1);
	/* UDP behind hop-by-hop (8 bytes) and destination options (16) */
	put16(&l4, 0); /* hop-by-hop: next = 60, length 0 */
	put16(&l4, 0);
	put32(&l4, 0);
	l4.p[0] = 60;
	put8(&l4, 17); /* destination options: next = UDP, length 1 (16 bytes) */
	put8(&l4, 1);
	zeros(&l4, 14);
	put16(&l4, 1234);
	put16(&l4, 53);
	put16(&l4, 8 + 40);
	put16(&l4, 0);
	zeros(&l4, 40);
	put32(&ip, 0x60000000);
	put16(&ip, (unsigned)l4.len);
	put8(&ip, 0); /* hop-by-hop */
	put8(&ip, 64);
	addr(6, "2001:db8::10", a);
	put(&ip, a, 16);
	addr(6, "2001:db8::53", a);
	put(&ip, a, 16);
	put(&ip, l4.p, l4.len);
	cap_ip(&c, 1, &ip);
	cap_udp(&c, 1.5, 6, "2001:db8::53", 53, "2001:db8::10", 1234, 100);
	/* ICMPv6 echo request and reply: one connection, "ports" 128 -> 129 */
	cap_icmp(&c, 2, 6, "2001:db8::10", "2001:db8::53", 128, 0, 56);
	cap_icmp(&c, 2.25, 6, "2001:db8::53", "2001:db8::10", 129, 0, 56);
	/* ICMP: echo 8 -> 0; an unreachable (3/3) is one way: two connections */
	cap_icmp(&c, 3, 4, "10.1.1.1", "10.1.1.2", 8, 0, 32);
	cap_icmp(&c, 3.5, 4, "10.1.1.2", "10.1.1.1", 0, 0, 32);
	cap_icmp(&c, 4, 4, "10.1.1.2", "10.1.1.1", 3, 3, 28);
	cap_icmp(&c, 5, 4, "10.1.1.1", "10.1.1.2", 3, 3, 28);
	CHECK(run_mem(c.f.p, c.f.len, &n, &d) == DT_OK);
	CHECK(n.records == 8 && n.rejected == 0 && n.ignored == 0);
	CHECKF(ngot == 5, "%zu connections", ngot);
	g = find(17, 1234, 53);
	CHECK(g && strcmp(g->src, "2001:db8::10") == 0 && strcmp(g->state, "SF") == 0);
	CHECK(g && g->ev.orig_bytes == 40 && g->ev.resp_bytes == 100 &&
	      g->ev.duration_us == 500000);
	g = find(58, 128, 129);
	CHECK(g && strcmp(g->state, "OTH") == 0 && g->ev.orig_pkts == 1 && g->ev.resp_pkts == 1);
	CHECK(g && g->ev.orig_bytes == 56 && g->ev.resp_bytes == 56);
	g = find(1, 8, 0);
	CHECK(g && strcmp(g->src, "10.1.1.1") == 0 && g->ev.resp_pkts == 1);
	g = find(1, 3, 3);
	CHECK(g && strcmp(g->src, "10.1.1.2") == 0 && g->ev.orig_pkts == 1 && g->ev.resp_pkts == 0);
	free(c.f.p);
	free(l4.p);
	free(ip.p);
}

/* Fragments of one datagram, out of order, with payload [off, off+len). */
static void frag4(struct cap *c, double t, unsigned id, unsigned off, int more,
                  const struct buf *dgram, size_t from, size_t len)
{
	struct buf ip = {0};
	uint8_t a[16];

	put8(&ip, 0x45);
	put8(&ip, 0);
	put16(&ip, (unsigned)(20 + len));
	put16(&ip, id);
	put16(&ip, (more ? 0x2000 : 0) | off / 8);
	put8(&ip, 64);
	put8(&ip, 17);
	put16(&ip, 0);
	addr(4, "10.9.0.1", a);
	put(&ip, a, 4);
	addr(4, "10.9.0.2", a);
	put(&ip, a, 4);
	put(&ip, dgram->p + from, len);
	cap_ip(c, t, &ip);
	free(ip.p);
}

static void test_fragments(void)
{
	struct cap c;
	struct ingest_counts n;
	struct dt_diag d;
	struct buf u = {0}, l6 = {0}, ip = {0};
	const struct got *g;
	uint8_t a[16];

	cap_init(&c, 1);
	/* a UDP datagram of 3000 payload bytes in three fragments */
	put16(&u, 7000);
	put16(&u, 7001);
	put16(&u, 3008);
	put16(&u, 0);
	zeros(&u, 3000);
	frag4(&c, 1.0, 77, 1480, 1, &u, 1480, 1480);
	frag4(&c, 1.1, 77, 0, 1, &u, 0, 1480);
	frag4(&c, 1.2, 77, 2960, 0, &u, 2960, 48);
	cap_udp(&c, 2.0, 4, "10.9.0.2", 7001, "10.9.0.1", 7000, 100);
	/* a lone middle fragment of another datagram never completes */
	frag4(&c, 2.5, 78, 1480, 1, &u, 1480, 1480);
	/* IPv6: a fragment header, two fragments of a UDP datagram */
	{
		size_t half = 1024;

		for (int k = 0; k < 2; k++) {
			memset(&l6, 0, sizeof(l6));
			memset(&ip, 0, sizeof(ip));
			put8(&l6, 17); /* fragment header: next UDP */
			put8(&l6, 0);
			put16(&l6, (unsigned)(k ? half : 0) | (k ? 0 : 1));
			put32(&l6, 0xdeadbeef);
			put(&l6, u.p + (k ? half : 0), k ? 3008 - half : half);
			put32(&ip, 0x60000000);
			put16(&ip, (unsigned)l6.len);
			put8(&ip, 44);
			put8(&ip, 64);
			addr(6, "2001:db8::a", a);
			put(&ip, a, 16);
			addr(6, "2001:db8::b", a);
			put(&ip, a, 16);
			put(&ip, l6.p, l6.len);
			cap_ip(&c, 3 + k, &ip);
			free(l6.p);
			free(ip.p);
		}
	}
	CHECK(run_mem(c.f.p, c.f.len, &n, &d) == DT_OK);
	CHECKF(n.records == 7 && n.rejected == 0 && n.ignored == 1, "records %llu ignored %llu",
	       (unsigned long long)n.records, (unsigned long long)n.ignored);
	CHECKF(ngot == 2, "%zu connections", ngot);
	g = find(17, 7000, 7001);
	CHECK(g && g->ev.orig_pkts == 1 && g->ev.resp_pkts == 1);
	CHECK(g && g->ev.orig_bytes == 3000 && g->ev.resp_bytes == 100);
	CHECK(g && g->ev.ts_us == 1200000 && g->ev.record == 3);
	g = NULL;
	for (size_t i = 0; i < ngot; i++)
		if (strcmp(got[i].src, "2001:db8::a") == 0)
			g = &got[i];
	CHECK(g && g->ev.sport == 7000 && g->ev.orig_pkts == 1 && g->ev.record == 7);
	free(c.f.p);
	free(u.p);
}

/* One capture per case; the state and counts of its one connection. */
static void test_conn_states(void)
{
	static const struct {
		const char *want;
		int steps; /* which scenario */
	} cases[] = {
	    {"S0", 0}, {"REJ", 1}, {"SF", 2}, {"RSTO", 3}, {"RSTR", 4}, {"RSTOS0", 5}, {"RSTRH", 6},
	    {"SH", 7}, {"SHR", 8}, {"S1", 9}, {"S2", 10},  {"S3", 11},  {"OTH", 12},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct cap c;
		struct flow f;
		struct ingest_counts n;
		struct dt_diag d;

		cap_init(&c, 1);
		f = flow4(&c, "10.0.0.1", 40000, "10.0.0.2", 80);
		switch (cases[i].steps) {
		case 0: /* a SYN, retransmitted once, no answer */
			seg(&f, 1, 1, F_SYN, 0);
			f.cseq--;
			seg(&f, 2, 1, F_SYN, 0);
			break;
		case 1: /* SYN, RST-ACK */
			seg(&f, 1, 1, F_SYN, 0);
			seg(&f, 1.1, 0, F_RST | F_ACK, 0);
			break;
		case 2: sf_flow(&f, 1); break;
		case 3: /* established, the originator aborts */
			handshake(&f, 1);
			seg(&f, 1.1, 1, F_ACK, 100);
			seg(&f, 1.2, 1, F_RST | F_ACK, 0);
			break;
		case 4: /* established, the responder aborts */
			handshake(&f, 1);
			seg(&f, 1.1, 1, F_ACK, 100);
			seg(&f, 1.2, 0, F_RST | F_ACK, 0);
			break;
		case 5: /* SYN, then the originator's RST */
			seg(&f, 1, 1, F_SYN, 0);
			seg(&f, 1.1, 1, F_RST, 0);
			break;
		case 6: /* a SYN-ACK (from port 80: flipped) then its RST */
			seg(&f, 1, 0, F_SYN | F_ACK, 0);
			seg(&f, 1.1, 0, F_RST, 0);
			break;
		case 7: /* SYN then FIN, no answer */
			seg(&f, 1, 1, F_SYN, 0);
			seg(&f, 1.1, 1, F_FIN, 0);
			break;
		case 8: /* SYN-ACK then FIN from the responder */
			seg(&f, 1, 0, F_SYN | F_ACK, 0);
			seg(&f, 1.1, 0, F_FIN | F_ACK, 0);
			break;
		case 9: /* established with data, never closed */
			handshake(&f, 1);
			seg(&f, 1.1, 1, F_ACK, 100);
			seg(&f, 1.2, 0, F_ACK, 0);
			break;
		case 10: /* the originator closes, no answer */
			handshake(&f, 1);
			seg(&f, 1.1, 1, F_ACK, 100);
			seg(&f, 1.2, 1, F_FIN | F_ACK, 0);
			break;
		case 11: /* the responder closes, no answer */
			handshake(&f, 1);
			seg(&f, 1.1, 1, F_ACK, 100);
			seg(&f, 1.2, 0, F_FIN | F_ACK, 0);
			break;
		case 12: /* midstream: data without a SYN */
			seg(&f, 1, 1, F_ACK, 100);
			seg(&f, 1.1, 0, F_ACK, 50);
			break;
		}
		CHECK(run_mem(c.f.p, c.f.len, &n, &d) == DT_OK);
		CHECKF(ngot == 1 && strcmp(got[0].state, cases[i].want) == 0, "%s: got %s (%zu)",
		       cases[i].want, ngot ? got[0].state : "-", ngot);
		if (ngot == 1) {
			/* the client is the originator in every case */
			CHECKF(strcmp(got[0].src, "10.0.0.1") == 0 && got[0].ev.sport == 40000,
			       "%s: originator %s:%d", cases[i].want, got[0].src, got[0].ev.sport);
			if (cases[i].steps == 0)
				CHECK(got[0].ev.orig_pkts == 2 && got[0].ev.orig_bytes == 0 &&
				      got[0].ev.duration_us == 1000000);
			if (cases[i].steps == 3 || cases[i].steps == 4 || cases[i].steps == 12)
				CHECKF(got[0].ev.orig_bytes == 100, "%s: %lld bytes", cases[i].want,
				       (long long)got[0].ev.orig_bytes);
			if (cases[i].steps == 12)
				CHECK(got[0].ev.resp_bytes == 50);
		}
		free(c.f.p);
	}
}

static void test_flips(void)
{
	struct cap c;
	struct flow f;
	struct ingest_counts n;
	struct dt_diag d;
	const struct got *g;

	cap_init(&c, 1);
	/* a SYN-ACK from the high port, seen before its SYN: flipped when
	 * the SYN comes */
	f = flow4(&c, "10.0.0.1", 40001, "10.0.0.2", 33333);
	seg(&f, 1, 0, F_SYN | F_ACK, 0); /* acknowledges 1000: the SYN was 999 */
	f.cseq = 999;
	seg(&f, 1.01, 1, F_SYN, 0);
	seg(&f, 1.02, 1, F_ACK, 10);
	/* a DNS answer before its query: flipped at once (likely server
	 * port 53), the query then belongs to the originator */
	cap_udp(&c, 2, 4, "10.0.0.53", 53, "10.0.0.1", 5555, 300);
	cap_udp(&c, 2.1, 4, "10.0.0.1", 5555, "10.0.0.53", 53, 30);
	CHECK(run_mem(c.f.p, c.f.len, &n, &d) == DT_OK);
	CHECK(ngot == 2);
	g = find(6, 40001, 33333);
	CHECK(g != NULL);
	/* Zeek counts the flipping SYN on the side it arrived from */
	CHECK(g && g->ev.orig_pkts == 1 && g->ev.resp_pkts == 2);
	g = find(17, 5555, 53);
	CHECK(g && strcmp(g->src, "10.0.0.1") == 0 && strcmp(g->state, "SF") == 0);
	CHECK(g && g->ev.orig_bytes == 30 && g->ev.resp_bytes == 300 && g->ev.record == 4);
	free(c.f.p);
}

static void test_timers(void)
{
	struct cap c;
	struct flow f;
	struct ingest_counts n;
	struct dt_diag d;

	cap_init(&c, 1);
	/* UDP: idle for more than a minute makes a second connection; the
	 * first is emitted when it expires, before the end */
	cap_udp(&c, 0, 4, "10.0.0.1", 4000, "10.0.0.2", 4001, 10);
	cap_udp(&c, 1, 4, "10.0.0.2", 4001, "10.0.0.1", 4000, 20);
	cap_udp(&c, 100, 4, "10.0.0.1", 4000, "10.0.0.2", 4001, 10);
	/* SYN retries at 200, 201, 203, 207: the attempt timer (5 s)
	 * ends the first connection; the retry at 207 is a new one */
	f = flow4(&c, "10.0.0.1", 40000, "10.0.0.2", 22);
	seg(&f, 200, 1, F_SYN, 0);
	f.cseq--;
	seg(&f, 201, 1, F_SYN, 0);
	f.cseq--;
	seg(&f, 203, 1, F_SYN, 0);
	f.cseq--;
	seg(&f, 207, 1, F_SYN, 0);
	/* a closed connection reused by a new SYN after 2 s */
	f = flow4(&c, "10.0.0.1", 40002, "10.0.0.2", 22);
	sf_flow(&f, 300);
	f.cseq += 77777;
	seg(&f, 302, 1, F_SYN, 0);
	/* established, then idle for more than 5 minutes */
	f = flow4(&c, "10.0.0.1", 40003, "10.0.0.2", 22);
	handshake(&f, 400);
	seg(&f, 401, 1, F_ACK, 10);
	seg(&f, 800, 1, F_ACK, 10);
	CHECK(run_mem(c.f.p, c.f.len, &n, &d) == DT_OK);
	CHECKF(ngot == 8, "%zu connections", ngot);
	if (ngot != 8)
		goto out;
	/* expiry order first, the rest at the end by start time */
	CHECK(got[0].ev.sport == 4000 && got[0].ev.orig_pkts == 1 && got[0].ev.resp_pkts == 1 &&
	      strcmp(got[0].state, "SF") == 0 && got[0].ev.duration_us == 1000000);
	CHECK(got[1].ev.sport == 4000 && got[1].ev.ts_us == 100000000 &&
	      strcmp(got[1].state, "S0") == 0);
	CHECK(got[2].ev.sport == 40000 && got[2].ev.orig_pkts == 3 &&
	      got[2].ev.duration_us == 3000000 && strcmp(got[2].state, "S0") == 0);
	CHECK(got[3].ev.sport == 40000 && got[3].ev.orig_pkts == 1 && got[3].ev.ts_us == 207000000);
	CHECK(got[4].ev.sport == 40002 && strcmp(got[4].state, "SF") == 0 &&
	      got[4].ev.orig_pkts == 5);
	CHECK(got[5].ev.sport == 40002 && strcmp(got[5].state, "S0") == 0 &&
	      got[5].ev.ts_us == 302000000);
	CHECK(got[6].ev.sport == 40003 && strcmp(got[6].state, "S1") == 0 &&
	      got[6].ev.orig_bytes == 10);
	CHECK(got[7].ev.sport == 40003 && strcmp(got[7].state, "OTH") == 0 &&
	      got[7].ev.ts_us == 800000000);
out:
	free(c.f.p);
}

static void test_truncated(void)
{
	struct cap c;
	struct flow f;
	struct ingest_counts n;
	struct dt_diag d;
	size_t full;

	cap_init(&c, 1);
	f = flow4(&c, "10.0.0.1", 40000, "10.0.0.2", 80);
	sf_flow(&f, 1); /* 8 packets */
	full = c.f.len;
	/* cut inside the last packet's data */
	CHECK(run_mem(c.f.p, full - 10, &n, &d) == DT_OK);
	CHECKF(n.records == 8 && n.rejected == 1 && nwarn == 1, "records %llu rejected %llu",
	       (unsigned long long)n.records, (unsigned long long)n.rejected);
	CHECKF(nwarn == 1 && warns[0].line == 8 && strstr(warns[0].msg, "damaged"), "%lu %s",
	       nwarn ? warns[0].line : 0, nwarn ? warns[0].msg : "");
	CHECK(ngot == 1 && got[0].ev.orig_pkts == 4 && got[0].ev.resp_pkts == 3);
	/* cut inside the last record's header */
	CHECK(run_mem(c.f.p, full - 54 - 8, &n, &d) == DT_OK);
	CHECK(n.records == 8 && n.rejected == 1 && nwarn == 1 && warns[0].line == 8);
	CHECK(ngot == 1);
	/* cut after the file header: no packet, no connection */
	CHECK(run_mem(c.f.p, 24, &n, &d) == DT_OK);
	CHECK(n.records == 0 && ngot == 0 && nwarn == 0);
	free(c.f.p);
}

static void test_bad_packets(void)
{
	struct cap c;
	struct ingest_counts n;
	struct dt_diag d;
	struct buf ip = {0}, l4 = {0};
	uint8_t arp[42] = {0};
	static const struct {
		unsigned long pkt;
		const char *word;
	} want[] = {
	    {2, "header length 12"}, {3, "total length 10"}, {4, "data offset 8"}, {5, "Ethernet"},
	    {7, "runs past"},        {8, "UDP length 4"},    {9, "cut short"},
	};

	cap_init(&c, 1);
	cap_udp(&c, 1, 4, "10.0.0.1", 1000, "10.0.0.2", 2000, 10); /* 1: good */
	/* 2: IPv4 header length 12 */
	cap_udp(&c, 1.1, 4, "10.0.0.1", 1000, "10.0.0.2", 2000, 10);
	c.f.p[c.f.len - 18 - 20] = 0x43;
	/* 3: total length 10 */
	cap_udp(&c, 1.2, 4, "10.0.0.1", 1000, "10.0.0.2", 2000, 10);
	c.f.p[c.f.len - 18 - 20 + 2] = 0;
	c.f.p[c.f.len - 18 - 20 + 3] = 10;
	/* 4: TCP data offset 2 */
	{
		struct flow f = flow4(&c, "10.0.0.1", 3000, "10.0.0.2", 80);

		seg(&f, 1.3, 1, F_SYN, 0);
		c.f.p[c.f.len - 20 + 12] = 2 << 4;
	}
	/* 5: a 10-byte Ethernet frame */
	cap_record(&c, 1.4, arp, 10, 10);
	/* 6: ARP: not IP, ignored */
	arp[12] = 0x08;
	arp[13] = 0x06;
	cap_record(&c, 1.5, arp, sizeof(arp), sizeof(arp));
	/* 7: an IPv6 extension header longer than the payload */
	put8(&l4, 17);
	put8(&l4, 9); /* 80 bytes */
	zeros(&l4, 6);
	put32(&ip, 0x60000000);
	put16(&ip, (unsigned)l4.len);
	put8(&ip, 60);
	put8(&ip, 64);
	zeros(&ip, 32);
	put(&ip, l4.p, l4.len);
	cap_ip(&c, 1.6, &ip);
	/* 8: UDP length 4 */
	cap_udp(&c, 1.7, 4, "10.0.0.1", 1000, "10.0.0.2", 2000, 10);
	c.f.p[c.f.len - 18 + 4] = 0;
	c.f.p[c.f.len - 18 + 5] = 4;
	/* 9: an IPv4 header cut by the capture */
	{
		uint8_t fr[14 + 12] = {0};

		fr[12] = 0x08;
		fr[14] = 0x45;
		cap_record(&c, 1.8, fr, sizeof(fr), 60);
	}
	/* 10: good, the answer */
	cap_udp(&c, 2, 4, "10.0.0.2", 2000, "10.0.0.1", 1000, 20);
	CHECK(run_mem(c.f.p, c.f.len, &n, &d) == DT_OK);
	CHECKF(n.records == 10 && n.rejected == 7 && n.ignored == 1,
	       "records %llu rejected %llu ignored %llu", (unsigned long long)n.records,
	       (unsigned long long)n.rejected, (unsigned long long)n.ignored);
	CHECK(nwarn == 7);
	for (size_t i = 0; i < nwarn && i < sizeof(want) / sizeof(*want); i++) {
		CHECKF(warns[i].line == want[i].pkt, "warning %zu at packet %lu, not %lu", i,
		       warns[i].line, want[i].pkt);
		CHECKF(strstr(warns[i].msg, want[i].word) != NULL, "packet %lu: '%s' lacks '%s'",
		       want[i].pkt, warns[i].msg, want[i].word);
		CHECK(strcmp(warns[i].file, "test.pcap") == 0);
	}
	CHECK(ngot == 1 && got[0].ev.orig_pkts == 1 && got[0].ev.resp_pkts == 1 &&
	      strcmp(got[0].state, "SF") == 0);
	free(c.f.p);
	free(ip.p);
	free(l4.p);
}

static void test_pcapng(void)
{
	char in[] = "/tmp/detente-test-pcap-XXXXXX", out[64], cmd[256];
	struct cap c;
	struct flow f;
	struct ingest_counts n1, n2;
	struct dt_diag d;
	struct got first[4];
	size_t nfirst;
	int fd;
	FILE *fp;

	if (system("editcap -h >/dev/null 2>&1") != 0)
		SKIP("editcap not found: pcapng not tested");
	cap_init(&c, 1);
	f = flow4(&c, "10.0.0.1", 40000, "10.0.0.2", 80);
	sf_flow(&f, 1);
	cap_udp(&c, 2, 6, "2001:db8::1", 999, "2001:db8::2", 53, 30);
	CHECK(run_mem(c.f.p, c.f.len, &n1, &d) == DT_OK);
	CHECK(ngot == 2);
	nfirst = ngot < 4 ? ngot : 4;
	memcpy(first, got, nfirst * sizeof(*got));
	fd = mkstemp(in);
	CHECK(fd >= 0 && write(fd, c.f.p, c.f.len) == (ssize_t)c.f.len);
	close(fd);
	snprintf(out, sizeof(out), "%s.pcapng", in);
	snprintf(cmd, sizeof(cmd), "editcap -F pcapng '%s' '%s' >/dev/null 2>&1", in, out);
	CHECK(system(cmd) == 0);
	fp = fopen(out, "rb");
	CHECK(fp != NULL);
	if (fp) {
		unsigned char m[4] = {0};

		CHECK(fread(m, 1, 4, fp) == 4 && m[0] == 0x0a && m[1] == 0x0d && m[2] == 0x0d &&
		      m[3] == 0x0a);
		fclose(fp);
	}
	CHECK(run_file(out, &n2, &d) == DT_OK);
	CHECK(n2.records == n1.records && n2.events == n1.events && n2.rejected == 0);
	CHECK(ngot == nfirst);
	for (size_t i = 0; i < ngot && i < nfirst; i++) {
		CHECK(strcmp(got[i].uid, first[i].uid) == 0);
		CHECK(strcmp(got[i].state, first[i].state) == 0);
		CHECK(got[i].ev.ts_us == first[i].ev.ts_us &&
		      got[i].ev.orig_bytes == first[i].ev.orig_bytes &&
		      got[i].ev.resp_pkts == first[i].ev.resp_pkts);
	}
	unlink(in);
	unlink(out);
	free(c.f.p);
}

static void test_not_pcap(void)
{
	struct ingest_counts n;
	struct dt_diag d;
	const char *text = "#separator \\x09\n#fields\tts\n1.0\n";
	struct cap c;

	CHECK(run_mem(text, strlen(text), &n, &d) == DT_EFORMAT);
	CHECK(strstr(d.msg, "pcap") != NULL && n.records == 0 && ngot == 0);
	CHECK(run_mem("", 0, &n, &d) == DT_EFORMAT);
	cap_init(&c, 105); /* 802.11 */
	CHECK(run_mem(c.f.p, c.f.len, &n, &d) == DT_EFORMAT);
	CHECKF(strstr(d.msg, "link-layer type 105") != NULL, "%s", d.msg);
	free(c.f.p);
}

static void test_sink_fails_and_determinism(void)
{
	struct cap c;
	struct ingest_counts n;
	struct dt_diag d;
	char uids[20][32];

	cap_init(&c, 1);
	for (int i = 0; i < 20; i++)
		cap_udp(&c, 1 + i * 0.01, 4, "10.0.0.1", 1000 + (unsigned)i, "10.0.0.2", 53, 10);
	CHECK(run_mem(c.f.p, c.f.len, &n, &d) == DT_OK && ngot == 20);
	for (size_t i = 0; i < 20 && i < ngot; i++) {
		snprintf(uids[i], sizeof(uids[i]), "%s", got[i].uid);
		CHECK(got[i].ev.sport == 1000 + (int)i); /* by start time */
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(uids[i], uids[j]) != 0);
	}
	CHECK(run_mem(c.f.p, c.f.len, &n, &d) == DT_OK && ngot == 20);
	for (size_t i = 0; i < 20 && i < ngot; i++)
		CHECK(strcmp(uids[i], got[i].uid) == 0);
	reset();
	{
		struct reader *r;
		struct ingest_ctx x = {.name = "t", .sink = sink, .warn = warn, .c = &n};

		fail_at = 7;
		CHECK(reader_open_mem(c.f.p, c.f.len, &r) == DT_OK);
		memset(&n, 0, sizeof(n));
		CHECK(ingest_pcap(r, &x, &d) == DT_EIO);
		CHECK(ngot == 7 && n.events == 7);
		reader_close(r);
	}
	free(c.f.p);
}

/* ---- the connection table alone ----------------------------------------- */

static uint64_t emitted[16];
static size_t nemitted;

static enum dt_err count_emit(void *ctx, const struct ct_conn *k)
{
	(void)ctx;
	if (nemitted < 16)
		emitted[nemitted] = (uint64_t)k->orig_port;
	nemitted++;
	return DT_OK;
}

static void test_eviction(void)
{
	struct ct_table *t;
	struct ct_stats st;
	uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};

	CHECK(ct_new(3, count_emit, NULL, &t) == DT_OK);
	nemitted = 0;
	for (int i = 0; i < 5; i++) {
		struct ct_pkt p = {.ts_us = i * 1000000LL,
		                   .record = (uint64_t)i + 1,
		                   .src = a,
		                   .dst = b,
		                   .family = 4,
		                   .proto = 17,
		                   .sport = (uint16_t)(100 + i),
		                   .dport = 9,
		                   .len = 1};

		CHECK(ct_packet(t, &p) == DT_OK);
	}
	/* the two oldest made room, in order */
	CHECK(nemitted == 2 && emitted[0] == 100 && emitted[1] == 101);
	ct_get_stats(t, &st);
	CHECK(st.evicted == 2 && st.peak_live == 3 && st.conns == 5);
	CHECK(ct_flush(t) == DT_OK);
	CHECK(nemitted == 5 && emitted[2] == 102 && emitted[4] == 104);
	ct_free(t);
}

/* Hot connections survive a full table; idle ones make room. */
static int hot_evicted, hot_flushed, bad_count;
static bool flushing;

static enum dt_err hot_emit(void *ctx, const struct ct_conn *k)
{
	(void)ctx;
	if (k->orig_port < 1000) {
		if (flushing) {
			hot_flushed++;
			if (k->orig_pkts != 200)
				bad_count++;
		} else {
			hot_evicted++;
		}
	}
	return DT_OK;
}

static void test_eviction_keeps_active(void)
{
	struct ct_table *t;
	struct ct_stats st;
	uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
	int64_t ts = 0;

	hot_evicted = hot_flushed = bad_count = 0;
	flushing = false;
	CHECK(ct_new(64, hot_emit, NULL, &t) == DT_OK);
	for (int i = 0; i < 2000; i++) {
		/* ports that are no likely server ports: no role flips */
		struct ct_pkt p = {
		    .src = a, .dst = b, .family = 4, .proto = 17, .dport = 40000, .len = 1};

		p.ts_us = ts += 1000;
		p.record = (uint64_t)i + 1;
		p.sport = (uint16_t)(30000 + i);
		CHECK(ct_packet(t, &p) == DT_OK);
		if (i % 10 == 0)
			for (uint16_t h = 1; h <= 4; h++) {
				p.ts_us = ts += 1000;
				p.sport = h;
				CHECK(ct_packet(t, &p) == DT_OK);
			}
	}
	ct_get_stats(t, &st);
	CHECKF(st.peak_live == 64 && st.evicted == 2004 - 64, "peak %u evicted %llu", st.peak_live,
	       (unsigned long long)st.evicted);
	flushing = true;
	CHECK(ct_flush(t) == DT_OK);
	CHECKF(hot_evicted == 0 && hot_flushed == 4 && bad_count == 0, "%d evicted, %d flushed",
	       hot_evicted, hot_flushed);
	ct_free(t);
}

/* Many evictions leave stale timer entries: the heap is rebuilt, and the
 * timers still fire for every connection, each emitted once. */
static unsigned char seen_port[6000];
static int dup_emits;

static enum dt_err mark_emit(void *ctx, const struct ct_conn *k)
{
	(void)ctx;
	if (k->orig_port >= 30000 && k->orig_port < 36000 && seen_port[k->orig_port - 30000]++)
		dup_emits++;
	nemitted++;
	return DT_OK;
}

static void test_heap_rebuild(void)
{
	struct ct_table *t;
	struct ct_stats st;
	uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
	struct ct_pkt p = {.src = a, .dst = b, .family = 4, .proto = 17, .dport = 40000, .len = 1};
	size_t before_late;

	memset(seen_port, 0, sizeof(seen_port));
	dup_emits = 0;
	nemitted = 0;
	CHECK(ct_new(64, mark_emit, NULL, &t) == DT_OK);
	for (int i = 0; i < 5000; i++) {
		p.ts_us = 1000000 + i * 100LL;
		p.record = (uint64_t)i + 1;
		p.sport = (uint16_t)(30000 + i);
		CHECK(ct_packet(t, &p) == DT_OK);
	}
	ct_get_stats(t, &st);
	CHECK(st.evicted == 5000 - 64 && nemitted == 5000 - 64);
	/* two minutes later: the 64 left expire before the new one starts */
	before_late = nemitted;
	p.ts_us = 121000000;
	p.record = 5001;
	p.sport = 35500;
	CHECK(ct_packet(t, &p) == DT_OK);
	CHECKF(nemitted == before_late + 64, "%zu expired", nemitted - before_late);
	CHECK(ct_flush(t) == DT_OK);
	CHECK(nemitted == 5001 && dup_emits == 0);
	ct_free(t);
}

int main(void)
{
	RUN(test_zeek_conn_log);
	RUN(test_corpus_tshark);
	RUN(test_vlan_qinq);
	RUN(test_link_types);
	RUN(test_ipv6_ext);
	RUN(test_fragments);
	RUN(test_conn_states);
	RUN(test_flips);
	RUN(test_timers);
	RUN(test_truncated);
	RUN(test_bad_packets);
	RUN(test_pcapng);
	RUN(test_not_pcap);
	RUN(test_sink_fails_and_determinism);
	RUN(test_eviction);
	RUN(test_eviction_keeps_active);
	RUN(test_heap_rebuild);
	free(got);
	DONE();
}
