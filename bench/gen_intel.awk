# bench/gen_intel.awk — deterministic inputs for bench/intel.sh (mawk or any
# POSIX awk; fixed SEED, so the same awk writes the same files).
#
#   awk -v MODE=cidrs   -v N=1000000  -v SEED=42 -f bench/gen_intel.awk > cidrs
#   awk -v MODE=addrs   -v N=10000000 -v SEED=43 -f bench/gen_intel.awk cidrs > addrs
#   awk -v MODE=domains -v N=1000000  -v SEED=44 -f bench/gen_intel.awk > domains
#   awk -v MODE=names   -v N=5000000  -v SEED=45 -f bench/gen_intel.awk domains > names
#
# cidrs: IPv4 indicators in public space, ~70% single addresses, the rest
#   prefixes (mostly /24, some /16../23 and /25../31, about 50 of /8../15);
#   40% fall in 3000 "hosting" /16s, so that prefixes nest and crowd.
# addrs: event addresses, 5% inside a sampled indicator, the rest uniform
#   over public space (some of those land in indicators too).
# domains: indicator domains, 2-3 labels of 3-12 letters under a common TLD.
# names: queried names 10-40 bytes, mostly misses: 3% an indicator domain,
#   4% a subdomain of one, the rest random names under the same TLDs.

function pub8(   o) {
	do { o = 1 + int(rand() * 223) } while (o == 10 || o == 127 || o == 100 || o == 172 || o == 192 || o == 169)
	return o
}
function quad(a) {
	return sprintf("%d.%d.%d.%d", int(a / 16777216), int(a / 65536) % 256, int(a / 256) % 256, a % 256)
}
function label(lo, hi,   n, s, i) {
	n = lo + int(rand() * (hi - lo + 1))
	s = ""
	for (i = 0; i < n; i++) s = s substr("abcdefghijklmnopqrstuvwxyz0123456789-", 1 + int(rand() * (i > 0 && i < n - 1 ? 37 : 26)), 1)
	return s
}
function tld() { return tlds[int(rand() * ntld)] }
function rname(   s) {
	s = label(3, 12) "." tld()
	if (rand() < 0.4) s = label(2, 8) "." s
	return s
}
BEGIN {
	srand(SEED)
	ntld = split("com net org ru info io xyz top cn de uk co.uk com.br online site biz me tk su cc", tlds, " ")
	for (i = 1; i <= ntld; i++) tlds[i - 1] = tlds[i]
	if (MODE == "cidrs") {
		for (i = 0; i < 3000; i++) hot[i] = pub8() * 16777216 + int(rand() * 256) * 65536
		for (i = 0; i < N; i++) {
			r = rand()
			if (r < 0.70) len = 32
			else if (r < 0.99995) { r = rand(); len = r < 0.75 ? 24 : (r < 0.8 ? 16 + int(rand() * 8) : 25 + int(rand() * 7)) }
			else len = 8 + int(rand() * 8)
			if (rand() < 0.4) a = hot[int(rand() * 3000)] + int(rand() * 65536)
			else a = pub8() * 16777216 + int(rand() * 16777216)
			a -= a % (2 ^ (32 - len))
			print quad(a) (len < 32 ? "/" len : "")
		}
		exit
	}
	if (MODE == "domains") {
		for (i = 0; i < N; i++) print rname()
		exit
	}
}
MODE == "addrs" { if (FNR % 10 == 0) ind[n++] = $0; next }
MODE == "names" { if (FNR % 10 == 0) ind[n++] = $0; next }
END {
	if (MODE == "addrs") {
		for (i = 0; i < N; i++) {
			if (rand() < 0.05) {
				split(ind[int(rand() * n)], p, "/")
				split(p[1], o, ".")
				a = ((o[1] * 256 + o[2]) * 256 + o[3]) * 256 + o[4]
				if (p[2] != "") a += int(rand() * 2 ^ (32 - p[2]))
			} else {
				a = pub8() * 16777216 + int(rand() * 16777216)
			}
			print quad(a)
		}
	}
	if (MODE == "names") {
		for (i = 0; i < N; i++) {
			r = rand()
			if (r < 0.03) print ind[int(rand() * n)]
			else if (r < 0.07) print label(1, 10) "." ind[int(rand() * n)]
			else if (r < 0.6) print label(2, 10) "." label(4, 14) "." tld()
			else print label(4, 14) "." tld()
		}
	}
}
