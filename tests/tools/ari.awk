#!/usr/bin/awk -f
# tests/tools/ari.awk — how well `detente campaigns --members` recovers the
# ground truth of `detente simulate`.
#
#   awk -f ari.awk DIGESTS TRUTH MEMBERS
#     DIGESTS  "sha256:<hex>\t<path>" of every exercise file
#     TRUTH    the exercise's truth.tsv: path, line, label
#     MEMBERS  campaigns --members: submission, record, campaign ("-": none)
#
# Clusters compared: a ground-truth campaign (labels c01, c02, ...) is one
# cluster; every noise or benign record is a cluster of its own.  detente's
# campaigns are clusters; an event in none is a cluster of its own.  The
# adjusted Rand index (Hubert & Arabie 1985) over all records:
#   ARI = (sum_ij C(n_ij,2) - E) / ((sum_i C(a_i,2) + sum_j C(b_j,2)) / 2 - E),
#   E = sum_i C(a_i,2) * sum_j C(b_j,2) / C(n,2).
# Singletons add nothing to the pair sums, so only campaign cells are kept.
# Also printed: per true campaign, the detente campaign holding most of it
# (recall, purity), and "merged": detente campaigns holding records of two
# or more true campaigns.
function c2(x) { return x * (x - 1) / 2 }
BEGIN { FS = "\t" }
FILENAME == ARGV[1] { file[$1] = $2; next }
FILENAME == ARGV[2] { if ($3 ~ /^c[0-9]/) truth[$1 "\t" $2] = $3; n++; next }
FNR == 1 && $1 == "submission" { next }
{
	key = file[$1] "\t" $2
	t = (key in truth) ? truth[key] : ""
	d = $3 == "-" ? "" : $3
	if (t != "") a[t]++
	if (d != "") b[d]++
	if (t != "" && d != "") { cell[t SUBSEP d]++; labels[d] = labels[d] (index(labels[d], t) ? "" : " " t) }
	seen++
}
END {
	if (seen != n) printf "warning: %d records in the truth, %d events in the members list\n", n, seen > "/dev/stderr"
	for (k in cell) sij += c2(cell[k])
	for (k in a) sa += c2(a[k])
	for (k in b) sb += c2(b[k])
	e = sa * sb / c2(n)
	ari = (sa + sb) / 2 - e == 0 ? 1 : (sij - e) / ((sa + sb) / 2 - e)
	printf "ari %.4f\n", ari
	for (t in a) {
		best = ""; bn = 0
		for (k in cell) { split(k, p, SUBSEP); if (p[1] == t && cell[k] > bn) { bn = cell[k]; best = p[2] } }
		printf "truth %s %d records: %s holds %d (recall %.3f, purity %.3f)\n", t, a[t],
			best == "" ? "none" : best, bn, bn / a[t], best == "" ? 0 : bn / b[best]
	}
	merged = 0
	for (d in labels) if (split(labels[d], q, " ") > 1) { merged++; printf "merged %s:%s\n", d, labels[d] }
	printf "merged %d\n", merged
}
