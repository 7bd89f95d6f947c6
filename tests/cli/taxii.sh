#!/bin/sh
# tests/cli/taxii.sh — TAXII 2.1 over a real `detente serve`:
#   - `detente taxii load` of the OASIS reference server medallion's fixture
#     (../shared/corpus/taxii/medallion-default_data.json) and `taxii list`;
#   - with curl and a token from `detente token add`: discovery (API roots as
#     absolute URLs from the Host header), an API root, the collections,
#     objects walked page by page with limit/next (each of the 8 versions
#     once, X-TAXII-Date-Added-First/-Last on every page), the manifest, an
#     object's versions;
#   - a POST answered 202 with a status resource, that status fetched again;
#     a POST to the node's own inbox that reaches `detente intel export`
#     and the node's own "indicators" collection;
#   - 401 (no credential, a bad one), 403, 404, 406, 413, 415 as TAXII error
#     messages (application/taxii+json;version=2.1).
set -u
. "$(dirname "$0")/../lib.sh"
CORPUS=${DETENTE_CORPUS:-../shared/corpus}
FIX=$CORPUS/taxii/medallion-default_data.json
TAXII=application/taxii+json\;version=2.1
if ! command -v curl >/dev/null 2>&1 || ! command -v jq >/dev/null 2>&1; then
	sk "taxii" "curl or jq is not installed (scripts/bootstrap installs them)"; done_tests; exit 0
fi
if ! $D taxii --help >/dev/null 2>&1; then
	sk "taxii" "this detente has no 'taxii' command (not registered in src/cli/main.c)"
	done_tests; exit 0
fi
if [ ! -r "$FIX" ]; then
	sk "taxii" "$FIX is absent (set DETENTE_CORPUS)"; done_tests; exit 0
fi
# status URL [CURL ARGS]: the HTTP status code; body in $T/body, headers in $T/hdr
status() { u=$1; shift; curl -s -o "$T/body" -D "$T/hdr" -w '%{http_code}' "$@" "$u"; }
hdr() { tr -d '\r' <"$T/hdr" | grep -i "^$1: " | head -n 1 | sed 's/^[^:]*: //'; }
jb() { jq -r "$1" "$T/body" 2>/dev/null; }
is() { # NAME GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else no "$1" "got '$2', want '$3'"; fi
}
is_error() { # NAME CODE: the last answer is a TAXII error message with that status
	if [ "$(hdr content-type)" = "$TAXII" ] && [ "$(jb .http_status)" = "$2" ] &&
		[ -n "$(jb '.title // empty')" ]; then ok "$1"; else
		no "$1" "content-type $(hdr content-type), body $(head -c 300 "$T/body")"; fi
}

N=$T/n.db
$D --db "$N" init --party CERT-A >/dev/null 2>&1
$D --db "$N" taxii load "$FIX" >"$T/load" 2>&1
is "load: exit 0" $? 0
check "load: counts" grep -q "3 API roots, 5 collections, 8 objects, 2 statuses" "$T/load"
$D --db "$N" taxii list >"$T/list" 2>&1
check "list: the node's own root and the fixture's" sh -c "grep -q '^detente' '$T/list' &&
	grep -q '^trustgroup1' '$T/list' && grep -q '91a7b528-80eb-42ed-a74d-c6fbd5a26116.*rw.*8 objects' '$T/list'"
printf '{"detente": {}}' >"$T/bad.json"
$D --db "$N" taxii load "$T/bad.json" >/dev/null 2>"$T/err"
is "load: the node's own root is refused (exit 1)" $? 1
$D --db "$N" taxii load "$T/none.json" >/dev/null 2>&1
is "load: a missing file (exit 2)" $? 2

TOK=$($D --db "$N" token add CERT-B --role peer --tlp AMBER)
TGR=$($D --db "$N" token add reader --role user --tlp GREEN)
if ! serve_start "$N"; then
	no "serve" "no server came up: $(cat "$T"/serve-*.log 2>/dev/null | head -c 400)"
	done_tests; exit 1
fi
AUTH="Authorization: Bearer $TOK"
B=$SERVE_URL/taxii2
TG=$B/trustgroup1
HV=$TG/collections/91a7b528-80eb-42ed-a74d-c6fbd5a26116
ADD=$TG/collections/365fed99-08fa-fdcd-a1b3-fb247eb41d01

# ---- 401 ----
is "401 without a credential" "$(status "$B/")" 401
is_error "401 is a TAXII error" 401
is "401 with a bad credential" "$(status "$B/" -H "Authorization: Bearer dt1_nope")" 401

# ---- discovery, root, collections ----
is "discovery" "$(status "$B/" -H "$AUTH" -H "Accept: $TAXII")" 200
is "discovery: media type" "$(hdr content-type)" "$TAXII"
is "discovery: 4 API roots" "$(jb '.api_roots | length')" 4
check "discovery: absolute URLs from Host" grep -qF "\"$B/trustgroup1/\"" "$T/body"
is "discovery: default" "$(jb .default)" "$B/trustgroup1/"
is "API root" "$(status "$TG/" -H "$AUTH")" 200
is "API root: max_content_length" "$(jb .max_content_length)" 9765625
is "collections" "$(status "$TG/collections/" -H "$AUTH")" 200
is "collections: 5" "$(jb '.collections | length')" 5
is "a collection" "$(status "$HV/" -H "$AUTH")" 200
is "a collection: title" "$(jb .title)" "High Value Indicator Collection"
is "404: unknown root" "$(status "$B/nope/" -H "$AUTH")" 404
is_error "404 is a TAXII error" 404

# ---- objects, walked page by page ----
is "objects (default: last versions)" "$(status "$HV/objects/" -H "$AUTH")" 200
is "objects: 5" "$(jb '.objects | length')" 5
is "objects: X-TAXII-Date-Added-First" "$(hdr x-taxii-date-added-first)" 2014-05-08T09:00:00.000000Z
is "objects: X-TAXII-Date-Added-Last" "$(hdr x-taxii-date-added-last)" 2017-12-31T13:49:53.935000Z
Q='limit=3&match%5Bversion%5D=all&match%5Bspec_version%5D=2.0,2.1'
: >"$T/walk"
pages=0 more=true next="" hdrs=ok
while [ "$more" = true ] && [ $pages -lt 10 ]; do
	u="$HV/objects/?$Q"
	[ -n "$next" ] && u="$u&next=$next"
	[ "$(status "$u" -H "$AUTH")" = 200 ] || break
	[ -n "$(hdr x-taxii-date-added-first)" ] && [ -n "$(hdr x-taxii-date-added-last)" ] || hdrs=no
	jb '.objects[] | .id + " " + (.modified // .created)' >>"$T/walk"
	more=$(jb .more) next=$(jb '.next // empty')
	pages=$((pages + 1))
done
is "pagination: 3 pages of 3" "$pages" 3
is "pagination: 8 versions" "$(wc -l <"$T/walk" | tr -d ' ')" 8
is "pagination: each once" "$(sort -u "$T/walk" | wc -l | tr -d ' ')" 8
is "pagination: date headers on every page" "$hdrs" ok
is "object: all versions" "$(status "$HV/objects/indicator--6770298f-0fd8-471a-ab8c-1c658a46574e/?match%5Bversion%5D=all" -H "$AUTH")" 200
is "object: 3 versions" "$(jb '.objects | length')" 3
is "versions" "$(status "$HV/objects/indicator--6770298f-0fd8-471a-ab8c-1c658a46574e/versions/" -H "$AUTH")" 200
is "versions: list" "$(jb '.versions | join(",")')" "2016-11-03T12:30:59.000Z,2016-12-25T12:30:59.444Z,2017-01-27T13:49:53.935Z"
is "manifest" "$(status "$HV/manifest/?match%5Bversion%5D=all&match%5Bspec_version%5D=2.0,2.1" -H "$AUTH")" 200
is "manifest: 8 entries" "$(jb '.objects | length')" 8

# ---- errors ----
is "403: can_read false" "$(status "$TG/collections/472c94ae-3113-4e3e-a4dd-a9f4ac7471d4/objects/" -H "$AUTH")" 403
is_error "403 is a TAXII error" 403
is "406: Accept application/xml" "$(status "$TG/" -H "$AUTH" -H 'Accept: application/xml')" 406
is_error "406 is a TAXII error" 406
is "objects accept STIX 2.1" "$(status "$HV/objects/" -H "$AUTH" -H 'Accept: application/stix+json;version=2.1')" 200
ENV='{"objects":[{"type":"indicator","spec_version":"2.1","id":"indicator--11111111-2222-4333-8444-555555555555","created":"2024-01-02T03:04:05.000Z","modified":"2024-01-02T03:04:05.000Z","name":"bad host","pattern":"[ipv4-addr:value = '"'"'203.0.113.77'"'"']","pattern_type":"stix","valid_from":"2024-01-02T03:04:05Z"}]}'
is "415: Content-Type application/json" "$(status "$ADD/objects/" -H "$AUTH" -H 'Content-Type: application/json' --data-binary "$ENV")" 415
is_error "415 is a TAXII error" 415
head -c 9765700 /dev/zero | tr '\0' ' ' >"$T/big"
is "413: over max_content_length" "$(status "$ADD/objects/" -H "$AUTH" -H "Content-Type: $TAXII" --data-binary @"$T/big")" 413

# ---- POST and status ----
is "POST: 202" "$(status "$ADD/objects/" -H "$AUTH" -H "Content-Type: $TAXII" -H "Accept: $TAXII" --data-binary "$ENV")" 202
is "POST: status complete, 1 success" "$(jb '.status + " " + (.success_count|tostring) + " " + (.failure_count|tostring)')" "complete 1 0"
SID=$(jb .id)
is "status: fetched" "$(status "$TG/status/$SID/" -H "$AUTH")" 200
is "status: same id" "$(jb .id)" "$SID"
is "POST: the object is there" "$(status "$ADD/objects/indicator--11111111-2222-4333-8444-555555555555/" -H "$AUTH")" 200

# ---- the node's own root: inbox -> intel -> indicators ----
is "inbox: 202" "$(status "$B/detente/collections/inbox/objects/" -H "$AUTH" -H "Content-Type: $TAXII" --data-binary "$ENV")" 202
check "inbox: the object reached the node's intel" sh -c "$D --db '$N' intel export --tlp AMBER | grep -q indicator--11111111-2222-4333-8444-555555555555"
found=no
for _i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	status "$B/detente/collections/indicators/objects/?match%5Btype%5D=indicator" -H "$AUTH" >/dev/null
	if grep -q indicator--11111111-2222-4333-8444-555555555555 "$T/body"; then found=yes; break; fi
	sleep 0.2
done
is "indicators: the inbox's indicator is served (AMBER reader)" "$found" yes
status "$B/detente/collections/indicators/objects/?match%5Btype%5D=indicator" -H "Authorization: Bearer $TGR" >/dev/null
if grep -q indicator--11111111-2222-4333-8444-555555555555 "$T/body"; then
	no "indicators: not for a GREEN reader (the object is AMBER)"
else ok "indicators: not for a GREEN reader (the object is AMBER)"; fi
is "inbox is not readable" "$(status "$B/detente/collections/inbox/objects/" -H "$AUTH")" 403

done_tests
