/*
 * sanitize_pcap.c — the derivative of a pcap or pcapng capture
 * (privacy/sanitize.h): every packet kept, in order, with its timestamp
 * and original length; home addresses (and MACs) pseudonymized, checksums
 * moved with them, and everything after the transport header withheld.
 * The rewriting and the container are privacy/sanitize_pkt.h's; why this
 * keeps ingest_pcap's events is said there: the parser reads nothing past
 * the transport header, and lengths come from the IP/TCP/UDP headers.
 */
#include "privacy/sanitize.h"
#include "privacy/sanitize_pkt.h"

enum dt_err sanitize_pcap(struct reader *r, struct privacy *p, FILE *out, const char *name,
                          struct privacy_counts *c, struct dt_diag *diag)
{
	struct spkt s;
	enum dt_err err;

	if ((err = spkt_init(&s, p, c))) {
		dt_diag_set(diag, name, 0, "%s", dt_strerror(err));
		return err;
	}
	err = spkt_capture(&s, r, out, name, NULL, NULL, NULL, diag);
	spkt_release(&s);
	return err;
}
