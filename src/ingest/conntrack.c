/*
 * conntrack.c — see conntrack.h.
 *
 * Storage: connections live in one array (grown by doubling up to
 * max_live, holes on a free list) and are found through an open-addressing
 * hash table of indices (linear probing, backward-shift deletion, load at
 * most 1/2).  The hash is symmetric in the two endpoints, so both
 * directions of a connection land on the same chain without putting the
 * tuple in a canonical order first; one-way ICMP messages hash
 * asymmetrically.  A lookup costs two cache misses on a big table (the
 * slot, the connection); ct_prefetch lets a caller that decodes ahead
 * start both early, and big tables sit on huge pages so that the misses
 * are not TLB misses too.
 *
 * Timers: each connection has Zeek's timers as absolute times (attempt,
 * expire, close/delete, and inactivity as last_time plus its timeout) and
 * a deadline, the earliest of them.  A binary min-heap holds (time, index,
 * generation) entries lazily: a deadline that moves later leaves its entry
 * where it is; when that entry comes up the timers are run and the
 * connection re-queued at its new deadline.  A deadline that moves earlier
 * pushes a new entry; the old one is recognised as stale because its time
 * is not the connection's queued_at.  Every live connection has exactly
 * one entry whose time is its queued_at; the heap is rebuilt when stale
 * entries pile up.
 *
 * TCP: the state machine is a transcription of Zeek's TCPSessionAdapter
 * (UpdateInactiveState, UpdateSYN_SentState, UpdateEstablishedState,
 * UpdateClosedState, ConnectionClosed, IsReuse) and TCP_Endpoint (Size,
 * sequence wrap counting), keeping only what conn_state, the sizes and the
 * connection's lifetime depend on.  Of the history string only the test of
 * conn_state's RSTOS0 (/^\^?S[^HAFGIQ]*R.*\/) is kept, as a small automaton.
 * Endpoints stay in place; a role flip swaps which one is the originator.
 */
#include "ingest/conntrack.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define T_NEVER INT64_MAX

enum ep_state {
	EP_INACTIVE,
	EP_SYN_SENT,
	EP_SYN_ACK_SENT,
	EP_PARTIAL,
	EP_ESTABLISHED,
	EP_CLOSED,
	EP_RESET,
};

/* Zeek's history masks (TCP_Endpoint::HistoryMasks; responder << 16). */
#define H_SYN   0x01
#define H_FIN   0x02
#define H_RST   0x04
#define H_FRST  0x08
#define H_DATA  0x10
#define H_ACK   0x20
#define H_MULTI 0x40

/* The RSTOS0 pattern's automaton over the history letters. */
enum { RX_START, RX_CARET, RX_S, RX_MATCH, RX_FAIL };

/* Zeek's TOO_LARGE_SEQ_DELTA. */
#define TOO_LARGE_SEQ_DELTA 1048576

struct tcp_ep {
	int64_t start_seq;
	uint32_t last_seq, ack_seq;
	uint32_t seq_wraps, ack_wraps;
	uint8_t state, prev_state;
	bool did_close;
	bool fin_seen;
};

/* 192 bytes, three cache lines: the key and flags, then the times and
 * counts, then the per-protocol state. */
struct conn {
	uint64_t oa[2], ra[2]; /* originator and responder addresses */
	uint16_t oport, rport; /* as in the key (ICMP: type/counterpart) */
	uint8_t family, proto;
	uint8_t orig_ep; /* which ep[] is the originator's */
	uint8_t hist_rx; /* RX_* */
	bool one_way;    /* ICMP one-way message: direction is part of the key */
	bool in_use;     /* live (not on the free list) */
	bool is_active;  /* TCPSessionAdapter::is_active */
	bool tcp_long;   /* the handshake is over: TCP's inactivity timeout */
	uint32_t hist_seen;
	uint32_t hash;
	uint32_t gen;
	int64_t start_us;

	int64_t last_us;
	int64_t attempt_at, expire_at, close_at;
	int64_t queued_at; /* time of this connection's live heap entry */
	uint64_t first_record;
	uint64_t pkts[2]; /* orig, resp */

	union {
		struct tcp_ep ep[2];
		struct {
			uint64_t bytes[2]; /* payload sums (orig, resp) */
			bool active[2];    /* the endpoint sent something */
		} u;                       /* UDP, ICMP, other protocols */
	};
};

_Static_assert(sizeof(struct conn) == 192, "struct conn is three cache lines");

struct slot {
	uint32_t idx1; /* connection index + 1; 0: empty */
	uint32_t hash;
};

struct hent {
	int64_t at;
	uint32_t idx, gen;
};

struct ct_table {
	struct conn *conns;
	uint32_t cap, used; /* allocated, ever used (high water) */
	uint32_t *free_idx;
	uint32_t nfree;
	uint32_t live, max_live;
	struct slot *slots;
	uint32_t mask; /* slots - 1 */
	struct hent *heap;
	size_t nheap, heap_cap;
	int64_t now;
	bool have_now;
	ct_emit_fn *emit;
	void *ctx;
	uint64_t rng; /* eviction sampling */
	struct ct_stats st;
};

/* ---- memory -------------------------------------------------------------- */

/*
 * Cache-line aligned memory for the tables.  Big tables (a few MB up) are
 * read at random, one or two lines a packet, so TLB misses cost as much as
 * cache misses: they get 2 MB alignment and are offered to transparent
 * huge pages.
 */
static void *table_alloc(size_t size)
{
	enum { HUGE = 2u << 20 };
	void *p = NULL;

	if (size < HUGE)
		return aligned_alloc(64, (size + 63) & ~(size_t)63);
	size = (size + HUGE - 1) & ~(size_t)(HUGE - 1);
	if (posix_memalign(&p, HUGE, size) != 0)
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(p, size, MADV_HUGEPAGE);
#endif
	return p;
}

/* ---- likely server ports (Zeek's base scripts' registrations) ---------- */

static const uint16_t tcp_server_ports[] = {
    21,   22,   23,   25,   53,   79,   80,   81,   88,   110,  111,  113,   135,  139,  143,
    179,  389,  443,  445,  502,  512,  513,  514,  563,  585,  587,  614,   631,  636,  989,
    990,  992,  993,  995,  1080, 1433, 1434, 1883, 2049, 2811, 3128, 3268,  3306, 3389, 5222,
    5223, 5269, 5432, 6379, 6666, 6667, 6668, 6669, 8000, 8080, 8888, 20000,
};

static const uint16_t udp_server_ports[] = {
    53,   67,   69,   88,   111,  123,  137,  161,  162,  443,  514,  1812, 2049,
    2123, 2152, 3478, 3544, 4789, 5060, 5072, 5246, 5247, 5353, 5355, 6081, 20000,
};

static bool in_list(const uint16_t *l, size_t n, uint16_t port)
{
	for (size_t i = 0; i < n; i++)
		if (l[i] == port)
			return true;
	return false;
}

static bool likely_server(uint8_t proto, uint16_t port)
{
	if (proto == 6)
		return in_list(tcp_server_ports, sizeof(tcp_server_ports) / 2, port);
	if (proto == 17)
		return in_list(udp_server_ports, sizeof(udp_server_ports) / 2, port);
	return false;
}

/* ---- ICMP counterparts (Zeek's ICMP4_counterpart, ICMP6_counterpart) --- */

static uint16_t icmp_counterpart(uint8_t proto, uint8_t type, uint8_t code, bool *one_way)
{
	*one_way = false;
	if (proto == 1) {
		switch (type) {
		case 8: return 0; /* echo / reply */
		case 0: return 8;
		case 13: return 14; /* timestamp */
		case 14: return 13;
		case 15: return 16; /* information */
		case 16: return 15;
		case 10: return 9; /* router solicitation / advertisement */
		case 9: return 10;
		case 17: return 18; /* address mask */
		case 18: return 17;
		}
	} else {
		switch (type) {
		case 128: return 129; /* echo */
		case 129: return 128;
		case 133: return 134; /* router solicitation / advertisement */
		case 134: return 133;
		case 135: return 136; /* neighbor solicitation / advertisement */
		case 136: return 135;
		case 130: return 131; /* MLD query / report */
		case 131: return 130;
		case 139: return 140; /* node information */
		case 140: return 139;
		case 144: return 145; /* home agent address discovery */
		case 145: return 144;
		}
	}
	*one_way = true;
	return code;
}

/* ---- hashing ------------------------------------------------------------ */

static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static inline uint64_t ep_hash(const uint64_t a[2], uint16_t port)
{
	return mix64(a[0] ^ 0x9e3779b97f4a7c15ULL) ^
	       mix64(a[1] + ((uint64_t)port << 17) + 0x632be59bd9b4e019ULL);
}

static inline uint32_t tuple_hash(const uint64_t s[2], uint16_t sp, const uint64_t d[2],
                                  uint16_t dp, uint8_t proto, bool one_way)
{
	uint64_t hs = ep_hash(s, sp), hd = ep_hash(d, dp);
	uint64_t h = one_way ? hs ^ (hd * 3) : hs + hd;

	return (uint32_t)(mix64(h ^ ((uint64_t)proto << 40) ^ ((uint64_t)one_way << 48)) >> 32);
}

static void load_addr(uint64_t out[2], const uint8_t *p, uint8_t family)
{
	out[0] = out[1] = 0;
	if (family == 4) {
		memcpy(out, p, 4);
	} else {
		memcpy(&out[0], p, 8);
		memcpy(&out[1], p + 8, 8);
	}
}

static inline bool addr_eq(const uint64_t a[2], const uint64_t b[2])
{
	return a[0] == b[0] && a[1] == b[1];
}

/* ---- the timer heap ----------------------------------------------------- */

static void heap_up(struct hent *h, size_t i)
{
	struct hent e = h[i];

	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (h[p].at <= e.at)
			break;
		h[i] = h[p];
		i = p;
	}
	h[i] = e;
}

static void heap_down(struct hent *h, size_t n, size_t i)
{
	struct hent e = h[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && h[c + 1].at < h[c].at)
			c++;
		if (e.at <= h[c].at)
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = e;
}

static void heap_pop(struct ct_table *t)
{
	t->heap[0] = t->heap[--t->nheap];
	if (t->nheap)
		heap_down(t->heap, t->nheap, 0);
}

/* Drops stale entries: one entry per live connection, at its queued_at. */
static void heap_rebuild(struct ct_table *t)
{
	size_t n = 0;

	for (uint32_t i = 0; i < t->used; i++) {
		struct conn *c = &t->conns[i];

		if (c->in_use && c->queued_at != T_NEVER) {
			t->heap[n].at = c->queued_at;
			t->heap[n].idx = i;
			t->heap[n].gen = c->gen;
			n++;
		}
	}
	t->nheap = n;
	for (size_t i = n / 2; i-- > 0;)
		heap_down(t->heap, n, i);
}

static enum dt_err heap_push(struct ct_table *t, uint32_t idx, int64_t at)
{
	struct conn *c = &t->conns[idx];

	if (t->nheap == t->heap_cap) {
		if (t->nheap > 2 * (size_t)t->live + 1024) {
			heap_rebuild(t);
		} else {
			size_t ncap = t->heap_cap ? 2 * t->heap_cap : 128;
			struct hent *n = realloc(t->heap, ncap * sizeof(*n));

			if (n == NULL)
				return DT_ENOMEM;
			t->heap = n;
			t->heap_cap = ncap;
		}
	}
	t->heap[t->nheap].at = at;
	t->heap[t->nheap].idx = idx;
	t->heap[t->nheap].gen = c->gen;
	heap_up(t->heap, t->nheap++);
	c->queued_at = at;
	return DT_OK;
}

/* The connection's current inactivity timeout. */
static int64_t inact_us(const struct conn *c)
{
	static const int64_t by_kind[] = {CT_TCP_INACTIVITY_US, CT_UDP_INACTIVITY_US,
	                                  CT_ICMP_INACTIVITY_US, CT_OTHER_INACTIVITY_US};

	if (c->proto == 6)
		return by_kind[c->tcp_long ? 0 : 1]; /* Zeek: UDP's during the handshake */
	if (c->proto == 17)
		return by_kind[1];
	return by_kind[c->proto == 1 || c->proto == 58 ? 2 : 3];
}

static int64_t deadline(const struct conn *c)
{
	int64_t d = c->last_us + inact_us(c);

	if (c->attempt_at < d)
		d = c->attempt_at;
	if (c->expire_at < d)
		d = c->expire_at;
	if (c->close_at < d)
		d = c->close_at;
	return d;
}

/* Queues the connection again if its deadline moved before its entry. */
static enum dt_err requeue(struct ct_table *t, uint32_t idx)
{
	int64_t d = deadline(&t->conns[idx]);

	if (d < t->conns[idx].queued_at)
		return heap_push(t, idx, d);
	return DT_OK;
}

/* ---- the hash table ----------------------------------------------------- */

static enum dt_err slots_grow(struct ct_table *t)
{
	uint32_t ncap = t->slots ? 2 * (t->mask + 1) : 128;
	struct slot *n = table_alloc((size_t)ncap * sizeof(*n));

	if (n == NULL)
		return DT_ENOMEM;
	memset(n, 0, (size_t)ncap * sizeof(*n));
	if (t->slots) {
		for (uint32_t i = 0; i <= t->mask; i++) {
			uint32_t j;

			if (t->slots[i].idx1 == 0)
				continue;
			for (j = t->slots[i].hash & (ncap - 1); n[j].idx1; j = (j + 1) & (ncap - 1))
				;
			n[j] = t->slots[i];
		}
		free(t->slots);
	}
	t->slots = n;
	t->mask = ncap - 1;
	return DT_OK;
}

static void slot_remove(struct ct_table *t, uint32_t idx)
{
	uint32_t i = t->conns[idx].hash & t->mask, j;

	while (t->slots[i].idx1 != idx + 1)
		i = (i + 1) & t->mask;
	/* backward-shift deletion */
	for (j = (i + 1) & t->mask; t->slots[j].idx1; j = (j + 1) & t->mask) {
		uint32_t home = t->slots[j].hash & t->mask;

		/* move j to i unless its home lies cyclically in (i, j] */
		if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		t->slots[i] = t->slots[j];
		i = j;
	}
	t->slots[i].idx1 = 0;
}

/* ---- TCP endpoints (TCP_Endpoint) --------------------------------------- */

static inline int32_t seq_delta(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

static bool is_handshake(uint8_t s)
{
	return s == EP_INACTIVE || s == EP_SYN_SENT || s == EP_SYN_ACK_SENT;
}

static void set_state(struct conn *c, struct tcp_ep *e, uint8_t ns)
{
	const struct tcp_ep *peer = e == &c->ep[0] ? &c->ep[1] : &c->ep[0];

	if (ns == e->state)
		return;
	/* the handshake is over: the TCP inactivity timeout applies */
	if (!is_handshake(ns) && is_handshake(e->state) && is_handshake(peer->state))
		c->tcp_long = true;
	e->prev_state = e->state;
	e->state = ns;
}

static void update_last_seq(struct tcp_ep *e, uint32_t seq)
{
	if (seq < e->last_seq)
		e->seq_wraps++;
	e->last_seq = seq;
}

static void update_ack(struct tcp_ep *e, uint32_t seq)
{
	if (seq < e->ack_seq)
		e->ack_wraps++;
	e->ack_seq = seq;
}

static void init_seqs(struct tcp_ep *e, uint32_t start, uint32_t last)
{
	e->start_seq = start;
	e->ack_seq = start;
	e->last_seq = last;
}

static bool no_data_acked(const struct tcp_ep *e)
{
	uint64_t ack = ((uint64_t)e->ack_wraps << 32) + e->ack_seq;
	uint64_t start = (uint64_t)e->start_seq;

	return ack == start || ack == start + 1;
}

static uint64_t ep_size(const struct tcp_ep *e, const struct tcp_ep *peer)
{
	uint64_t last, ack, size;

	if (e->prev_state == EP_SYN_SENT && e->state == EP_RESET && peer->state == EP_INACTIVE &&
	    !no_data_acked(e))
		return 0;
	last = ((uint64_t)e->seq_wraps << 32) + e->last_seq;
	ack = ((uint64_t)e->ack_wraps << 32) + e->ack_seq;
	size = (last > ack ? last : ack) - (uint64_t)e->start_seq;
	if (size != 0)
		size--; /* the SYN */
	if (e->fin_seen && size != 0)
		size--; /* the FIN */
	return size;
}

/* init_endpoint() of TCPSessionAdapter.cc */
static void init_endpoint(struct tcp_ep *e, uint8_t flags, uint32_t seq, uint32_t last)
{
	switch (e->state) {
	case EP_INACTIVE:
		if (flags & CT_SYN) {
			e->ack_seq = seq;
			e->start_seq = seq;
		} else {
			e->ack_seq = seq - 1;
			e->start_seq = (uint32_t)(seq - 1);
			last = seq;
		}
		e->last_seq = last;
		break;
	case EP_SYN_SENT:
	case EP_SYN_ACK_SENT:
		if ((flags & CT_SYN) && seq != (uint32_t)e->start_seq)
			init_seqs(e, seq, last);
		break;
	case EP_ESTABLISHED:
	case EP_PARTIAL:
		if (flags & CT_SYN)
			init_seqs(e, seq, last);
		break;
	case EP_RESET:
		if ((flags & CT_SYN) && e->prev_state == EP_INACTIVE)
			init_seqs(e, seq, last);
		break;
	default: break;
	}
}

/* Whether seq lies before the endpoint's start (get_relative_seq's
 * underflow). */
static bool seq_underflow(const struct tcp_ep *e, uint32_t cur, uint32_t last, uint32_t wraps)
{
	int32_t d = seq_delta(cur, last);

	if (d < 0) {
		if (wraps && cur > last)
			wraps--;
	} else if (d > 0) {
		if (cur < last)
			wraps++;
	}
	return wraps == 0 && seq_delta(cur, (uint32_t)e->start_seq) < 0;
}

/* ---- the RSTOS0 history automaton --------------------------------------- */

static void hist_add(struct conn *c, char ch)
{
	switch (c->hist_rx) {
	case RX_START: c->hist_rx = ch == '^' ? RX_CARET : ch == 'S' ? RX_S : RX_FAIL; break;
	case RX_CARET: c->hist_rx = ch == 'S' ? RX_S : RX_FAIL; break;
	case RX_S:
		if (strchr("HAFGIQ", ch))
			c->hist_rx = RX_FAIL;
		else if (ch == 'R')
			c->hist_rx = RX_MATCH;
		break;
	default: break;
	}
}

/* Connection::CheckHistory through TCP_Endpoint::CheckHistory: the letter
 * the first time the endpoint shows the mask (lower case for the
 * responder); true when it had been seen before. */
static bool hist_check(struct conn *c, bool ep_is_orig, uint32_t mask, char code)
{
	if (!ep_is_orig) {
		mask <<= 16;
		code = (char)(code + ('a' - 'A'));
	}
	if (c->hist_seen & mask)
		return true;
	c->hist_seen |= mask;
	hist_add(c, code);
	return false;
}

static void update_history(struct conn *c, bool ep_is_orig, uint8_t flags, uint32_t len)
{
	int bits = !!(flags & CT_SYN) + !!(flags & CT_FIN) + !!(flags & CT_RST);

	/* Repeated S, H, F and R letters (a new sequence number) cannot change
	 * the RSTOS0 verdict, so only their first occurrence is kept. */
	if (bits > 1) {
		if ((flags & CT_FIN) && (flags & CT_RST))
			hist_check(c, ep_is_orig, H_FRST, 'I');
		else
			hist_check(c, ep_is_orig, H_MULTI, 'Q');
	} else if (bits == 1) {
		if (flags & CT_SYN)
			hist_check(c, ep_is_orig, H_SYN, (flags & CT_ACK) ? 'H' : 'S');
		if (flags & CT_FIN)
			hist_check(c, ep_is_orig, H_FIN, 'F');
		if (flags & CT_RST)
			hist_check(c, ep_is_orig, H_RST, 'R');
	} else if (len) {
		hist_check(c, ep_is_orig, H_DATA, 'D');
	} else if (flags & CT_ACK) {
		hist_check(c, ep_is_orig, H_ACK, 'A');
	}
}

/* ---- roles ------------------------------------------------------------ */

static void flip_roles(struct conn *c)
{
	uint64_t a0 = c->oa[0], a1 = c->oa[1], p;
	uint16_t port = c->oport;
	bool b;

	c->oa[0] = c->ra[0];
	c->oa[1] = c->ra[1];
	c->ra[0] = a0;
	c->ra[1] = a1;
	c->oport = c->rport;
	c->rport = port;
	c->orig_ep ^= 1;
	p = c->pkts[0];
	c->pkts[0] = c->pkts[1];
	c->pkts[1] = p;
	if (c->proto != 6) {
		p = c->u.bytes[0];
		c->u.bytes[0] = c->u.bytes[1];
		c->u.bytes[1] = p;
		b = c->u.active[0];
		c->u.active[0] = c->u.active[1];
		c->u.active[1] = b;
	}
	hist_add(c, '^');
}

/* ---- emitting ------------------------------------------------------------ */

static const char *tcp_conn_state(const struct conn *c, uint64_t osize, uint64_t rsize)
{
	const struct tcp_ep *o = &c->ep[c->orig_ep], *r = &c->ep[c->orig_ep ^ 1];
	uint8_t os = o->state, rs = r->state;
	bool o_inactive = os == EP_INACTIVE || os == EP_PARTIAL;
	bool r_inactive = rs == EP_INACTIVE || rs == EP_PARTIAL;

	if (rs == EP_RESET) {
		if (os == EP_SYN_SENT || os == EP_SYN_ACK_SENT ||
		    (os == EP_RESET && osize == 0 && rsize == 0))
			return "REJ";
		return o_inactive ? "RSTRH" : "RSTR";
	}
	if (os == EP_RESET) {
		if (r_inactive)
			return c->hist_rx == RX_MATCH ? "RSTOS0" : "OTH";
		return "RSTO";
	}
	if (rs == EP_CLOSED && os == EP_CLOSED)
		return "SF";
	if (os == EP_CLOSED)
		return r_inactive ? "SH" : "S2";
	if (rs == EP_CLOSED)
		return o_inactive ? "SHR" : "S3";
	if (os == EP_SYN_SENT && rs == EP_INACTIVE)
		return "S0";
	if (os == EP_ESTABLISHED && rs == EP_ESTABLISHED)
		return "S1";
	return "OTH";
}

static uint64_t conn_id(const struct conn *c)
{
	uint64_t h = mix64(c->oa[0] ^ 0x243f6a8885a308d3ULL);

	h = mix64(h ^ c->oa[1]);
	h = mix64(h ^ c->ra[0]);
	h = mix64(h ^ c->ra[1]);
	h = mix64(h ^ ((uint64_t)c->oport << 32 | (uint64_t)c->rport << 16 | c->proto));
	h = mix64(h ^ (uint64_t)c->start_us);
	return mix64(h ^ c->first_record);
}

static void fill_conn(const struct conn *c, struct ct_conn *out)
{
	int64_t dur = c->last_us - c->start_us;
	uint64_t ob, rb;

	memset(out, 0, sizeof(*out));
	out->family = c->family;
	out->proto = c->proto;
	memcpy(out->orig, c->oa, 16);
	memcpy(out->resp, c->ra, 16);
	if (c->proto == 6 || c->proto == 17 || c->proto == 1 || c->proto == 58) {
		out->orig_port = c->oport;
		out->resp_port = c->rport;
	} else {
		out->orig_port = out->resp_port = -1;
	}
	out->start_us = c->start_us;
	if (c->proto == 6) {
		const struct tcp_ep *o = &c->ep[c->orig_ep], *r = &c->ep[c->orig_ep ^ 1];

		ob = ep_size(o, r);
		rb = ep_size(r, o);
		out->state = tcp_conn_state(c, ob, rb);
	} else {
		ob = c->u.bytes[0];
		rb = c->u.bytes[1];
		if (c->proto == 17)
			out->state = c->u.active[0] ? (c->u.active[1] ? "SF" : "S0")
			                            : (c->u.active[1] ? "SHR" : "OTH");
		else
			out->state = "OTH";
	}
	if (dur > 0) {
		out->duration_us = dur;
		out->orig_bytes = ob > INT64_MAX ? INT64_MAX : (int64_t)ob;
		out->resp_bytes = rb > INT64_MAX ? INT64_MAX : (int64_t)rb;
	} else {
		out->duration_us = out->orig_bytes = out->resp_bytes = -1;
	}
	out->orig_pkts = (int64_t)c->pkts[0];
	out->resp_pkts = (int64_t)c->pkts[1];
	out->first_record = c->first_record;
	out->id = conn_id(c);
}

static void release(struct ct_table *t, uint32_t idx)
{
	struct conn *c = &t->conns[idx];

	slot_remove(t, idx);
	c->in_use = false;
	c->gen++;
	c->queued_at = T_NEVER;
	t->free_idx[t->nfree++] = idx;
	t->live--;
}

/* Emits the connection and frees its place. */
static enum dt_err finish(struct ct_table *t, uint32_t idx)
{
	struct ct_conn out;

	fill_conn(&t->conns[idx], &out);
	release(t, idx);
	return t->emit(t->ctx, &out);
}

/* ---- timers -------------------------------------------------------------- */

/*
 * Runs the connection's timers that are due at network time now, in time
 * order, as Zeek's timer handlers would.  *gone is set when the connection
 * was removed (and emitted).
 */
static enum dt_err run_timers(struct ct_table *t, uint32_t idx, int64_t now, bool *gone)
{
	struct conn *c = &t->conns[idx];

	*gone = false;
	for (;;) {
		int64_t inact = c->last_us + inact_us(c);
		int64_t first = deadline(c);

		if (first > now)
			return DT_OK;
		if (c->close_at == first || inact == first) {
			/* the delete timer, or Connection::InactivityTimer */
			*gone = true;
			return finish(t, idx);
		}
		if (c->attempt_at == first) {
			const struct tcp_ep *o = &c->ep[c->orig_ep], *r = &c->ep[c->orig_ep ^ 1];

			c->attempt_at = T_NEVER;
			if (c->is_active &&
			    (o->state == EP_SYN_SENT || o->state == EP_SYN_ACK_SENT) &&
			    r->state == EP_INACTIVE) {
				*gone = true;
				return finish(t, idx);
			}
			continue;
		}
		/* TCPSessionAdapter::ExpireTimer */
		c->expire_at = T_NEVER;
		if (!c->is_active)
			continue;
		if (c->last_us + CT_TCP_LINGER_US < now) {
			const struct tcp_ep *o = &c->ep[c->orig_ep], *r = &c->ep[c->orig_ep ^ 1];

			if ((o->did_close || r->did_close) &&
			    ((o->did_close && r->did_close) || o->state == EP_RESET ||
			     r->state == EP_RESET || o->state == EP_INACTIVE ||
			     r->state == EP_INACTIVE)) {
				*gone = true;
				return finish(t, idx);
			}
			if (r->state == EP_INACTIVE && o->state == EP_INACTIVE) {
				*gone = true;
				return finish(t, idx);
			}
		}
		c->expire_at = now + CT_TCP_SESSION_TIMER_US;
	}
}

/* Runs every timer due at network time now. */
static enum dt_err advance(struct ct_table *t, int64_t now)
{
	while (t->nheap && t->heap[0].at <= now) {
		struct hent e = t->heap[0];
		struct conn *c = &t->conns[e.idx];
		enum dt_err err;
		bool gone;

		heap_pop(t);
		if (c->gen != e.gen || c->queued_at != e.at)
			continue; /* stale */
		c->queued_at = T_NEVER;
		if ((err = run_timers(t, e.idx, now, &gone)))
			return err;
		if (!gone && (err = heap_push(t, e.idx, deadline(&t->conns[e.idx]))))
			return err;
	}
	return DT_OK;
}

/*
 * Makes room in a full table: emits the connection that has been idle the
 * longest, preferring one already closed (waiting out its close delay),
 * among all of them when there are few, else among CT_EVICT_SAMPLE picked
 * at random (Redis's approximated LRU: no list to keep in order on every
 * packet).  The generator has a fixed seed, so a run is reproducible.
 */
static enum dt_err evict(struct ct_table *t)
{
	uint32_t best = UINT32_MAX, n = t->used <= CT_EVICT_SAMPLE ? t->used : CT_EVICT_SAMPLE;
	int64_t best_score = 0;

	for (uint32_t k = 0; k < n; k++) {
		uint32_t i = k;
		const struct conn *c;
		int64_t score;

		if (t->used > CT_EVICT_SAMPLE) {
			uint64_t z = (t->rng += 0x9e3779b97f4a7c15ULL);

			i = (uint32_t)(((unsigned __int128)mix64(z) * t->used) >> 64);
		}
		c = &t->conns[i];
		if (!c->in_use)
			continue;
		score = c->close_at != T_NEVER ? INT64_MIN / 2 + c->last_us / 2 : c->last_us;
		if (best == UINT32_MAX || score < best_score) {
			best = i;
			best_score = score;
		}
	}
	if (best == UINT32_MAX)
		return DT_OK;
	t->st.evicted++;
	return finish(t, best);
}

/* ---- creating ----------------------------------------------------------- */

static enum dt_err conns_grow(struct ct_table *t)
{
	uint32_t ncap = t->cap ? 2 * t->cap : 64;
	struct conn *n;
	uint32_t *f;

	if (ncap > t->max_live)
		ncap = t->max_live;
	/* cache-line aligned, so that a connection spans three lines */
	n = table_alloc((size_t)ncap * sizeof(*n));
	if (n == NULL)
		return DT_ENOMEM;
	if (t->used)
		memcpy(n, t->conns, (size_t)t->used * sizeof(*n));
	free(t->conns);
	t->conns = n;
	f = realloc(t->free_idx, (size_t)ncap * sizeof(*f));
	if (f == NULL)
		return DT_ENOMEM;
	t->free_idx = f;
	t->cap = ncap;
	return DT_OK;
}

/* A new connection for the packet (its sender the originator, unless
 * flipped); *out its index. */
static enum dt_err create(struct ct_table *t, const struct ct_pkt *p, const uint64_t s[2],
                          uint16_t sp, const uint64_t d[2], uint16_t dp, bool one_way,
                          uint32_t hash, uint32_t *out)
{
	enum dt_err err;
	struct conn *c;
	uint32_t idx, j;
	bool flip = false;

	if (t->live == t->max_live && (err = evict(t)))
		return err;
	if ((t->live + 1) * 2 > t->mask + 1 && (err = slots_grow(t)))
		return err;
	if (t->nfree) {
		idx = t->free_idx[--t->nfree];
	} else {
		if (t->used == t->cap && (err = conns_grow(t)))
			return err;
		idx = t->used++;
		t->conns[idx].gen = 0;
	}
	c = &t->conns[idx];
	{
		uint32_t gen = c->gen;

		memset(c, 0, sizeof(*c));
		c->gen = gen;
	}
	c->oa[0] = s[0];
	c->oa[1] = s[1];
	c->ra[0] = d[0];
	c->ra[1] = d[1];
	c->oport = sp;
	c->rport = dp;
	c->family = p->family;
	c->proto = p->proto;
	c->one_way = one_way;
	c->in_use = true;
	c->is_active = true;
	c->hash = hash;
	c->start_us = c->last_us = p->ts_us;
	c->first_record = p->record;
	c->attempt_at = c->expire_at = c->close_at = T_NEVER;
	c->queued_at = T_NEVER;
	switch (p->proto) {
	case 6:
		c->expire_at = p->ts_us + CT_TCP_SYN_TIMEOUT_US;
		/* TCPAnalyzer::WantConnection: a partial start, guess by ports */
		if (!(p->tcp_flags & CT_SYN) || (p->tcp_flags & CT_ACK)) {
			if (likely_server(6, sp)) {
				if (likely_server(6, dp))
					flip = !(p->tcp_flags & CT_SYN) && sp < dp;
				else
					flip = true;
			}
		}
		break;
	case 17: flip = likely_server(17, sp) && !likely_server(17, dp); break;
	default: break;
	}
	/* no flip towards the IPv4 broadcast address */
	if (flip && !(p->family == 4 && d[0] == 0xffffffffu))
		flip_roles(c);
	for (j = hash & t->mask; t->slots[j].idx1; j = (j + 1) & t->mask)
		;
	t->slots[j].idx1 = idx + 1;
	t->slots[j].hash = hash;
	t->live++;
	t->st.conns++;
	if (t->live > t->st.peak_live)
		t->st.peak_live = t->live;
	*out = idx;
	return heap_push(t, idx, deadline(c));
}

/* ---- TCP packets (TCPSessionAdapter::Process and the Update*State) ------- */

/* TCPSessionAdapter::IsReuse for a packet on an existing connection. */
static bool tcp_is_reuse(const struct conn *c, const struct ct_pkt *p)
{
	const struct tcp_ep *o = &c->ep[c->orig_ep], *r = &c->ep[c->orig_ep ^ 1];
	const struct tcp_ep *conn_orig = o;

	if (!(p->tcp_flags & CT_SYN))
		return false;
	if (p->tcp_flags & CT_ACK) {
		if (o->state != EP_INACTIVE)
			return false; /* not a half connection */
		conn_orig = r;
	}
	if (!(o->did_close || r->did_close)) {
		if (p->seq == (uint32_t)conn_orig->start_seq)
			return false;
		if (!(p->tcp_flags & CT_ACK) && conn_orig->state == EP_SYN_ACK_SENT &&
		    r->state == EP_INACTIVE && p->seq == (uint32_t)r->start_seq)
			return false; /* SYN and SYN-ACK seen in the wrong order */
	}
	return true;
}

/* ConnectionClosed(), without reassembly (no pending data). */
static void tcp_closed(struct conn *c, struct tcp_ep *e, struct tcp_ep *peer, bool gen_event)
{
	bool complete;

	if (e->did_close)
		return;
	e->did_close = true;
	complete = e->state == EP_RESET || peer->did_close || peer->state == EP_INACTIVE;
	if (complete) {
		/* ConnectionFinished, then CancelTimers and the delete timer */
		if ((e->prev_state != EP_INACTIVE || peer->state != EP_INACTIVE) && gen_event)
			c->is_active = false;
		c->attempt_at = c->expire_at = T_NEVER;
		if (c->last_us + CT_TCP_CLOSE_DELAY_US < c->close_at)
			c->close_at = c->last_us + CT_TCP_CLOSE_DELAY_US;
	} else if (e->prev_state != EP_INACTIVE) {
		/* look for the other side closing, too */
		if (c->last_us + CT_TCP_SESSION_TIMER_US < c->expire_at)
			c->expire_at = c->last_us + CT_TCP_SESSION_TIMER_US;
	}
}

static void tcp_state_machine(struct conn *c, struct tcp_ep *e, struct tcp_ep *peer,
                              const struct ct_pkt *p, bool is_orig, uint32_t len)
{
	uint8_t f = p->tcp_flags;
	bool do_close = false, gen_event = false;

	switch (e->state) {
	case EP_INACTIVE:
		if (f & CT_SYN) {
			if (is_orig) {
				set_state(c, e, (f & CT_ACK) ? EP_SYN_ACK_SENT : EP_SYN_SENT);
				c->attempt_at = p->ts_us + CT_TCP_ATTEMPT_DELAY_US;
			} else {
				if (!(f & CT_ACK) && peer->state == EP_SYN_ACK_SENT &&
				    p->seq == (uint32_t)e->start_seq) {
					/* SYN/SYN-ACK reversal: flip, establish */
					flip_roles(c);
					set_state(c, peer, EP_ESTABLISHED);
				}
				if (peer->state == EP_SYN_SENT)
					set_state(c, peer, EP_ESTABLISHED);
				set_state(c, e, EP_ESTABLISHED);
			}
		}
		if (f & CT_FIN) {
			set_state(c, e, EP_CLOSED);
			do_close = gen_event = true;
		}
		if (f & CT_RST) {
			bool is_reject;

			set_state(c, e, EP_RESET);
			if (is_orig)
				is_reject = peer->state == EP_ESTABLISHED;
			else
				is_reject =
				    peer->state == EP_SYN_SENT || peer->state == EP_SYN_ACK_SENT;
			do_close = true;
			gen_event = !is_reject;
		}
		if (e->state == EP_INACTIVE) {
			const struct tcp_ep *o = &c->ep[c->orig_ep];

			if (!is_orig && len == 0 && o->state == EP_SYN_SENT)
				; /* an ACK of the SYN before the SYN-ACK */
			else if ((f & CT_ACK) && peer->state == EP_ESTABLISHED)
				set_state(c, e, EP_ESTABLISHED); /* missed the SYN */
			else
				set_state(c, e, EP_PARTIAL);
		}
		break;
	case EP_SYN_SENT:
	case EP_SYN_ACK_SENT:
		if (f & CT_FIN) {
			set_state(c, e, EP_CLOSED);
			do_close = gen_event = true;
		}
		if (f & CT_RST) {
			set_state(c, e, EP_RESET);
			c->is_active = false; /* ConnectionReset */
			do_close = true;
		}
		break;
	case EP_ESTABLISHED:
	case EP_PARTIAL:
		if ((f & CT_SYN) && e->state == EP_PARTIAL && peer->state == EP_INACTIVE &&
		    !(f & CT_ACK))
			set_state(c, e, EP_SYN_SENT);
		if ((f & CT_FIN) && !(f & CT_RST)) {
			set_state(c, e, EP_CLOSED);
			if (peer->state == EP_RESET && peer->prev_state == EP_CLOSED)
				set_state(c, peer, EP_CLOSED); /* FIN then RST: normal */
			do_close = gen_event = true;
		}
		if (f & CT_RST) {
			set_state(c, e, EP_RESET);
			do_close = true;
			if (peer->state != EP_RESET || peer->prev_state != EP_ESTABLISHED)
				c->is_active = false; /* ConnectionReset */
		}
		break;
	case EP_CLOSED:
		if ((f & CT_RST) && peer->state != EP_CLOSED) {
			set_state(c, e, EP_RESET);
			if (!e->did_close)
				do_close = true;
		}
		break;
	default: break; /* EP_RESET: only weirds */
	}
	if (do_close)
		tcp_closed(c, e, peer, gen_event);
}

static void tcp_packet(struct conn *c, const struct ct_pkt *p, bool is_orig)
{
	struct tcp_ep *e = &c->ep[is_orig ? c->orig_ep : c->orig_ep ^ 1];
	struct tcp_ep *peer = e == &c->ep[0] ? &c->ep[1] : &c->ep[0];
	uint8_t f = p->tcp_flags;
	uint32_t len = p->len;
	uint32_t seg_len = len + !!(f & CT_SYN) + !!(f & CT_FIN) - ((f & CT_RST) ? len : 0);
	uint32_t one_past = p->seq + seg_len;
	int32_t delta_last;
	bool far;

	init_endpoint(e, f, p->seq, one_past);
	update_history(c, e == &c->ep[c->orig_ep], f, len);
	if (!(c->ep[0].did_close && c->ep[1].did_close))
		c->last_us = p->ts_us;
	if (f & CT_FIN)
		e->fin_seen = true;
	if (f & CT_ACK) {
		if (peer->state == EP_INACTIVE) {
			/* init_peer: number the peer as if its SYN was seen */
			peer->start_seq = (uint32_t)(p->ack - 1);
			peer->ack_seq = p->ack - 1;
			peer->last_seq = p->ack - 1;
		} else if (!seq_underflow(peer, p->ack, peer->ack_seq, peer->ack_wraps) &&
		           !(f & CT_RST)) {
			int32_t d = seq_delta(p->ack, peer->ack_seq);

			if (!(p->ack == 0 && d > TOO_LARGE_SEQ_DELTA) && d > 0)
				update_ack(peer, p->ack);
		}
	}
	/* update_last_seq(): not from a SYN or RST far off the sequence; from
	 * a FIN right after the SYN (a > 2 GB connection seen only at its
	 * ends); else forward moves, none after a RST */
	delta_last = seq_delta(one_past, e->last_seq);
	far = (f & (CT_SYN | CT_RST)) &&
	      (delta_last > TOO_LARGE_SEQ_DELTA || delta_last < -TOO_LARGE_SEQ_DELTA);
	if (!far && (((f & CT_FIN) && e->last_seq == (uint32_t)e->start_seq + 1u) ||
	             (e->state != EP_RESET && delta_last > 0)))
		update_last_seq(e, one_past);
	tcp_state_machine(c, e, peer, p, is_orig, len);
}

/* ---- the entry points --------------------------------------------------- */

/* The packet's key: addresses, the ports as the key has them, one-way. */
static void packet_key(const struct ct_pkt *p, uint64_t s[2], uint64_t d[2], uint16_t *sp,
                       uint16_t *dp, bool *one_way)
{
	load_addr(s, p->src, p->family);
	load_addr(d, p->dst, p->family);
	*sp = p->sport;
	*dp = p->dport;
	*one_way = false;
	if (p->proto == 1 || p->proto == 58)
		*dp = icmp_counterpart(p->proto, (uint8_t)p->sport, (uint8_t)p->dport, one_way);
	else if (p->proto != 6 && p->proto != 17)
		*sp = *dp = 0;
}

void ct_prefetch(const struct ct_table *t, struct ct_pkt *p, int stage)
{
	if (stage == 0) {
		uint64_t s[2], d[2];
		uint16_t sp, dp;
		bool one_way;

		packet_key(p, s, d, &sp, &dp, &one_way);
		p->hash = tuple_hash(s, sp, d, dp, p->proto, one_way);
		p->hashed = true;
		__builtin_prefetch(&t->slots[p->hash & t->mask]);
	} else if (p->hashed) {
		uint32_t idx1 = t->slots[p->hash & t->mask].idx1;

		if (idx1 && idx1 - 1 < t->used) {
			const char *c = (const char *)&t->conns[idx1 - 1];

			__builtin_prefetch(c);
			__builtin_prefetch(c + 64);
			__builtin_prefetch(c + 128);
		}
	}
}

enum dt_err ct_packet(struct ct_table *t, const struct ct_pkt *p)
{
	uint64_t s[2], d[2];
	uint16_t sp, dp;
	bool one_way, is_orig;
	uint32_t hash, i, idx = 0;
	struct conn *c = NULL;
	enum dt_err err;

	if (!t->have_now || p->ts_us > t->now) {
		t->now = p->ts_us;
		t->have_now = true;
	}
	if (t->nheap && t->heap[0].at <= t->now && (err = advance(t, t->now)))
		return err;
	packet_key(p, s, d, &sp, &dp, &one_way);
	hash = p->hashed ? p->hash : tuple_hash(s, sp, d, dp, p->proto, one_way);
	for (i = hash & t->mask; t->slots[i].idx1; i = (i + 1) & t->mask) {
		struct conn *k;

		if (t->slots[i].hash != hash)
			continue;
		k = &t->conns[t->slots[i].idx1 - 1];
		if (k->proto != p->proto || k->family != p->family || k->one_way != one_way)
			continue;
		if ((addr_eq(k->oa, s) && addr_eq(k->ra, d) && k->oport == sp && k->rport == dp) ||
		    (!one_way && addr_eq(k->oa, d) && addr_eq(k->ra, s) && k->oport == dp &&
		     k->rport == sp)) {
			c = k;
			idx = t->slots[i].idx1 - 1;
			break;
		}
	}
	if (c && p->proto == 6 && tcp_is_reuse(c, p)) {
		if ((err = finish(t, idx)))
			return err;
		c = NULL;
	}
	if (c == NULL) {
		if ((err = create(t, p, s, sp, d, dp, one_way, hash, &idx)))
			return err;
		c = &t->conns[idx];
	}
	is_orig = addr_eq(c->oa, s) && c->oport == sp;
	switch (p->proto) {
	case 6:
		tcp_packet(c, p, is_orig);
		/* counted after the state machine, on the side the packet had
		 * when it arrived: a packet that flips the roles is counted on
		 * the wrong side, as Zeek's ConnSize analyzer counts it */
		c->pkts[is_orig ? 0 : 1]++;
		break;
	default:
		c->pkts[is_orig ? 0 : 1]++;
		c->u.bytes[is_orig ? 0 : 1] += p->len;
		c->u.active[is_orig ? 0 : 1] = true;
		c->last_us = p->ts_us;
		break;
	}
	return requeue(t, idx);
}

enum dt_err ct_new(uint32_t max_live, ct_emit_fn *emit, void *ctx, struct ct_table **out)
{
	struct ct_table *t = calloc(1, sizeof(*t));
	enum dt_err err;

	*out = NULL;
	if (t == NULL)
		return DT_ENOMEM;
	t->max_live = max_live ? max_live : CT_MAX_LIVE;
	t->emit = emit;
	t->ctx = ctx;
	if ((err = slots_grow(t))) {
		ct_free(t);
		return err;
	}
	*out = t;
	return DT_OK;
}

/* Orders live connections by start time, then 5-tuple. */
static int cmp_conn(const void *a, const void *b, void *arg)
{
	const struct conn *conns = arg;
	const struct conn *x = &conns[*(const uint32_t *)a], *y = &conns[*(const uint32_t *)b];
	int r;

	if (x->start_us != y->start_us)
		return x->start_us < y->start_us ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if ((r = memcmp(x->oa, y->oa, 16)))
		return r;
	if (x->oport != y->oport)
		return x->oport < y->oport ? -1 : 1;
	if ((r = memcmp(x->ra, y->ra, 16)))
		return r;
	if (x->rport != y->rport)
		return x->rport < y->rport ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return x->first_record < y->first_record ? -1 : x->first_record > y->first_record;
}

enum dt_err ct_flush(struct ct_table *t)
{
	uint32_t *order, n = 0;
	enum dt_err err = DT_OK;

	if (t->live == 0)
		return DT_OK;
	order = malloc((size_t)t->live * sizeof(*order));
	if (order == NULL)
		return DT_ENOMEM;
	for (uint32_t i = 0; i < t->used; i++)
		if (t->conns[i].in_use)
			order[n++] = i;
	qsort_r(order, n, sizeof(*order), cmp_conn, t->conns);
	for (uint32_t i = 0; i < n; i++) {
		struct ct_conn out;

		fill_conn(&t->conns[order[i]], &out);
		release(t, order[i]);
		if (err == DT_OK)
			err = t->emit(t->ctx, &out);
	}
	free(order);
	t->nheap = 0;
	return err;
}

void ct_get_stats(const struct ct_table *t, struct ct_stats *st)
{
	*st = t->st;
}

void ct_free(struct ct_table *t)
{
	if (t == NULL)
		return;
	free(t->conns);
	free(t->free_idx);
	free(t->slots);
	free(t->heap);
	free(t);
}
