#!/usr/bin/env node
// scripts/worldmap.js — the report's world map, as C source, from npm data.
//
//   node scripts/worldmap.js NODE_MODULES OUT.h [--scale 50m|110m] [--stats]
//
// Reads NODE_MODULES/world-atlas/countries-<scale>.json (Natural Earth
// admin-0 countries as TopoJSON, public domain; each feature's "id" is its
// ISO 3166-1 numeric code) and NODE_MODULES/i18n-iso-countries (codes.json:
// alpha-2, alpha-3, numeric; langs/en.json: English names), and writes the
// body of src/report/worldmap.c's generated data (build/gen/worldmap.h): one
// SVG path per country keyed by its ISO 3166-1 alpha-2 code.
//
// Geometry, in this order (docs/report.md, "World map"):
//   - projection: Natural Earth I (Savric et al. 2011, the polynomial form
//     d3-geo uses), scaled so that the equator is WIDTH map units wide;
//     cropped to latitudes 84 N .. 57 S: Antarctica is left out;
//   - each TopoJSON arc is simplified once (Douglas-Peucker, tolerance EPS
//     map units) and rounded to whole map units, so two neighbours share
//     exactly the same border and no gap or overlap opens between them;
//   - a ring left with fewer than three points or no area is dropped; a
//     country whose area is under MIN_AREA square units also gets a marker
//     position (the centroid of its largest ring),
//     since a shape that small can be neither seen nor pointed at;
//   - path data: absolute moveto, then relative lineto in whole units.
// Features without an ISO numeric code in Natural Earth: Kosovo gets XK
// (the user-assigned code IP geolocation uses); N. Cyprus, Somaliland,
// Siachen Glacier and the Indian Ocean Territories are drawn as land with
// no code (never filled).
//
// Output is a pure function of the two packages: countries sorted by code,
// no time stamp, integer coordinates only.
'use strict';

const fs = require('fs');
const path = require('path');

const WIDTH = 2000; // map units across the equator
const EPS = 0.8; // Douglas-Peucker tolerance, map units
const MIN_AREA = 40; // square map units below which a country also gets a marker
const LAT_N = 84;
const LAT_S = -57;
const MARGIN = 4;
const NO_ISO = { Kosovo: 'XK' };

function usage() {
	console.error('usage: worldmap.js NODE_MODULES OUT.h [--scale 50m|110m] [--stats]');
	process.exit(2);
}

const args = process.argv.slice(2);
let scale = '50m';
let stats = false;
const pos = [];
for (let i = 0; i < args.length; i++) {
	if (args[i] === '--scale') scale = args[++i];
	else if (args[i] === '--stats') stats = true;
	else pos.push(args[i]);
}
if (pos.length !== 2 || !/^(50m|110m)$/.test(scale)) usage();
const [mods, out] = pos;

function readJson(p) {
	try {
		return JSON.parse(fs.readFileSync(p, 'utf8'));
	} catch (e) {
		console.error(`worldmap.js: ${p}: ${e.message}`);
		process.exit(1);
	}
}

const atlasPkg = readJson(path.join(mods, 'world-atlas', 'package.json'));
const isoPkg = readJson(path.join(mods, 'i18n-iso-countries', 'package.json'));
const topo = readJson(path.join(mods, 'world-atlas', `countries-${scale}.json`));
const codes = readJson(path.join(mods, 'i18n-iso-countries', 'codes.json'));
const names = readJson(path.join(mods, 'i18n-iso-countries', 'langs', 'en.json')).countries;

const byNumeric = new Map(codes.map((c) => [c[2], c[0]]));
function englishName(cc) {
	const n = names[cc];
	return Array.isArray(n) ? n[0] : n;
}

// ---- projection -------------------------------------------------------------

// Natural Earth I, radians in, projected plane out (d3-geo's naturalEarth1Raw).
function naturalEarth(lon, lat) {
	const l = (lat * Math.PI) / 180;
	const l2 = l * l;
	const l4 = l2 * l2;
	const x = ((lon * Math.PI) / 180) *
		(0.8707 - 0.131979 * l2 + l4 * (-0.013791 + l4 * (0.003971 * l2 - 0.001529 * l4)));
	const y = l * (1.007226 + l2 * (0.015085 + l4 * (-0.044475 + 0.028874 * l2 - 0.005916 * l4)));
	return [x, y];
}
const K = WIDTH / (2 * naturalEarth(180, 0)[0]);
const YTOP = naturalEarth(0, LAT_N)[1];
const YBOT = naturalEarth(0, LAT_S)[1];
const HEIGHT = Math.ceil((YTOP - YBOT) * K) + 2 * MARGIN;
function project(lon, lat) {
	const [x, y] = naturalEarth(lon, lat);
	return [x * K + WIDTH / 2 + MARGIN, (YTOP - y) * K + MARGIN];
}

// ---- arcs -------------------------------------------------------------------

const [sx, sy] = topo.transform.scale;
const [tx, ty] = topo.transform.translate;
const llArcs = topo.arcs.map((arc) => {
	let x = 0;
	let y = 0;
	return arc.map(([dx, dy]) => {
		x += dx;
		y += dy;
		return [x * sx + tx, y * sy + ty];
	});
});
const rawArcs = llArcs.map((arc) => arc.map(([lon, lat]) => project(lon, lat)));

function segDist2(p, a, b) {
	const dx = b[0] - a[0];
	const dy = b[1] - a[1];
	const len2 = dx * dx + dy * dy;
	let t = len2 ? ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2 : 0;
	t = Math.max(0, Math.min(1, t));
	const ex = a[0] + t * dx - p[0];
	const ey = a[1] + t * dy - p[1];
	return ex * ex + ey * ey;
}

// Douglas-Peucker, iterative; keeps both ends.  The indices of the points kept.
function simplify(pts, eps) {
	if (pts.length <= 2) return pts.map((_, k) => k);
	const keep = new Uint8Array(pts.length);
	keep[0] = keep[pts.length - 1] = 1;
	const stack = [[0, pts.length - 1]];
	const e2 = eps * eps;
	while (stack.length) {
		const [i, j] = stack.pop();
		let best = -1;
		let bestD = e2;
		for (let k = i + 1; k < j; k++) {
			const d = segDist2(pts[k], pts[i], pts[j]);
			if (d > bestD) {
				bestD = d;
				best = k;
			}
		}
		if (best >= 0) {
			keep[best] = 1;
			stack.push([i, best], [best, j]);
		}
	}
	const idx = [];
	for (let k = 0; k < pts.length; k++) if (keep[k]) idx.push(k);
	return idx;
}

// A closed arc (a whole island) is split at its farthest point from the
// start, so that Douglas-Peucker has a chord to measure against.
function simplifyArc(pts) {
	const n = pts.length;
	const closed = n > 3 && pts[0][0] === pts[n - 1][0] && pts[0][1] === pts[n - 1][1];
	if (!closed) return simplify(pts, EPS);
	let far = 1;
	let farD = -1;
	for (let k = 1; k < n - 1; k++) {
		const d = (pts[k][0] - pts[0][0]) ** 2 + (pts[k][1] - pts[0][1]) ** 2;
		if (d > farD) {
			farD = d;
			far = k;
		}
	}
	const a = simplify(pts.slice(0, far + 1), EPS);
	const b = simplify(pts.slice(far), EPS).map((k) => k + far);
	return a.concat(b.slice(1));
}

function round(p) {
	return [Math.round(p[0]), Math.round(p[1])];
}

function dedupe(pts) {
	const r = [];
	for (const p of pts) {
		const last = r[r.length - 1];
		if (!last || last[0] !== p[0] || last[1] !== p[1]) r.push(p);
	}
	return r;
}

const kept = rawArcs.map(simplifyArc);
// the simplified arcs in whole map units, and the same points in lon/lat
const arcs = rawArcs.map((pts, i) => dedupe(kept[i].map((k) => round(pts[k]))));
const llSimple = llArcs.map((pts, i) => kept[i].map((k) => pts[k]));

function ringPoints(arcIdx, table) {
	const pts = [];
	for (const a of arcIdx) {
		const src = a >= 0 ? table[a] : table[~a].slice().reverse();
		for (let k = pts.length ? 1 : 0; k < src.length; k++) pts.push(src[k]);
	}
	// drop repeats and the closing point
	const r = dedupe(pts);
	while (r.length > 1 && r[0][0] === r[r.length - 1][0] && r[0][1] === r[r.length - 1][1]) r.pop();
	return r;
}

// ---- the antimeridian -------------------------------------------------------

// Natural Earth rings that cross 180 degrees (Chukotka, Fiji, ...) are cut
// there: the ring is unwrapped to continuous longitudes, and each copy of it
// shifted by -360, 0 and +360 degrees is clipped to -180..180
// (Sutherland-Hodgman against the two meridians), its edges along the
// meridian densified to one point a degree so that they follow the
// projection's curved border.  Points off the meridian are the ring's
// simplified points, so neighbours' shared borders still match.
function crosses(ll) {
	for (let k = 0; k < ll.length; k++) {
		const j = (k + 1) % ll.length;
		if (Math.abs(ll[j][0] - ll[k][0]) > 180) return true;
	}
	return false;
}

function clipMeridian(pts, c, keepBelow) {
	const inside = (p) => (keepBelow ? p[0] <= c : p[0] >= c);
	const cut = (a, b) => [c, a[1] + ((c - a[0]) / (b[0] - a[0])) * (b[1] - a[1])];
	const out = [];
	for (let k = 0; k < pts.length; k++) {
		const cur = pts[k];
		const prev = pts[(k + pts.length - 1) % pts.length];
		if (inside(cur)) {
			if (!inside(prev)) out.push(cut(prev, cur));
			out.push(cur);
		} else if (inside(prev)) {
			out.push(cut(prev, cur));
		}
	}
	return out;
}

function cutRing(ll) {
	const u = [ll[0].slice()];
	for (let k = 1; k < ll.length; k++) {
		let lon = ll[k][0];
		const prev = u[k - 1][0];
		while (lon - prev > 180) lon -= 360;
		while (lon - prev < -180) lon += 360;
		u.push([lon, ll[k][1]]);
	}
	const out = [];
	for (const shift of [-360, 0, 360]) {
		let pts = u.map(([lon, lat]) => [lon + shift, lat]);
		pts = clipMeridian(clipMeridian(pts, -180, false), 180, true);
		if (pts.length < 3) continue;
		const dense = [];
		for (let k = 0; k < pts.length; k++) {
			const a = pts[k];
			const b = pts[(k + 1) % pts.length];
			dense.push(a);
			if (Math.abs(a[0]) === 180 && b[0] === a[0])
				for (let i = 1, n = Math.floor(Math.abs(b[1] - a[1])); i < n; i++)
					dense.push([a[0], a[1] + (i * Math.sign(b[1] - a[1]))]);
		}
		const r = dedupe(dense.map(([lon, lat]) => round(project(lon, lat))));
		while (r.length > 1 && r[0][0] === r[r.length - 1][0] && r[0][1] === r[r.length - 1][1]) r.pop();
		out.push(r);
	}
	return out;
}

function area(r) {
	let s = 0;
	for (let i = 0, j = r.length - 1; i < r.length; j = i++) s += r[j][0] * r[i][1] - r[i][0] * r[j][1];
	return s / 2;
}

function centroid(r) {
	let cx = 0;
	let cy = 0;
	let a = 0;
	for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
		const f = r[j][0] * r[i][1] - r[i][0] * r[j][1];
		a += f;
		cx += (r[j][0] + r[i][0]) * f;
		cy += (r[j][1] + r[i][1]) * f;
	}
	if (a === 0) return r[0];
	return [cx / (3 * a), cy / (3 * a)];
}

function num(out, v) {
	const s = String(v);
	if (out.length && s[0] !== '-' && /[0-9]$/.test(out)) return `${out} ${s}`;
	return out + s;
}

function pathData(rings) {
	let d = '';
	for (const r of rings) {
		d += 'M';
		d = num(d, r[0][0]);
		d = num(d, r[0][1]);
		d += 'l';
		let [px, py] = r[0];
		for (let k = 1; k < r.length; k++) {
			d = num(d, r[k][0] - px);
			d = num(d, r[k][1] - py);
			[px, py] = r[k];
		}
		d += 'z';
	}
	return d;
}

// ---- countries --------------------------------------------------------------

const countries = new Map(); // key -> {cc, name, rings, rawRings}
for (const g of topo.objects.countries.geometries) {
	if (g.id === '010') continue; // Antarctica: below the crop
	const nm = g.properties && g.properties.name;
	let cc = g.id !== undefined ? byNumeric.get(g.id) : NO_ISO[nm];
	if (g.id !== undefined && cc === undefined) {
		console.error(`worldmap.js: ISO 3166 numeric ${g.id} (${nm}) has no alpha-2 code`);
		process.exit(1);
	}
	const key = cc || `~${nm}`;
	const name = (cc && englishName(cc)) || nm;
	if (!countries.has(key)) countries.set(key, { cc: cc || '', name, rings: [], raw: [] });
	const c = countries.get(key);
	const polys = g.type === 'Polygon' ? [g.arcs] : g.type === 'MultiPolygon' ? g.arcs : [];
	for (const poly of polys) {
		for (const ring of poly) {
			const ll = ringPoints(ring, llSimple);
			for (const r of crosses(ll) ? cutRing(ll) : [ringPoints(ring, arcs)])
				if (r.length >= 3 && area(r) !== 0) c.rings.push(r);
			c.raw.push(ringPoints(ring, rawArcs));
		}
	}
}

function cstr(s) {
	let o = '"';
	for (const b of Buffer.from(s, 'utf8')) {
		if (b === 0x22 || b === 0x5c) o += `\\${String.fromCharCode(b)}`;
		else if (b >= 0x20 && b < 0x7f && b !== 0x3f) o += String.fromCharCode(b);
		else o += `\\${b.toString(8).padStart(3, '0')}`;
	}
	return `${o}"`;
}

function cchunks(s, indent) {
	const parts = [];
	for (let i = 0; i < s.length; i += 72) parts.push(cstr(s.slice(i, i + 72)));
	return parts.join(`\n${indent}`);
}

// by code, the ones without a code first (worldmap_find's binary search),
// then by name; byte order, not locale order
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const keys = [...countries.keys()].sort((a, b) => {
	const x = countries.get(a);
	const y = countries.get(b);
	return cmp(x.cc, y.cc) || cmp(x.name, y.name);
});
let body = '';
let nPaths = 0;
let nMarkers = 0;
let bytes = 0;
for (const k of keys) {
	const c = countries.get(k);
	const a = c.rings.reduce((s, r) => s + Math.abs(area(r)), 0);
	const d = c.rings.length ? pathData(c.rings) : null;
	let m = [0, 0];
	const small = a < MIN_AREA && c.cc !== '';
	if (d === null && !small) continue; // a territory with no code and no shape left
	if (d !== null) {
		nPaths++;
		bytes += d.length;
	}
	if (small) {
		const from = c.rings.length ? c.rings : c.raw;
		let big = from[0];
		for (const r of from) if (Math.abs(area(r)) > Math.abs(area(big))) big = r;
		m = centroid(big).map(Math.round);
		nMarkers++;
	}
	body += `\t{${cstr(c.cc)}, ${cstr(c.name)},\n\t ${d === null ? 'NULL' : cchunks(d, '\t ')},\n\t ${m[0]}, ${m[1]}, ${small ? 1 : 0}},\n`;
}

const source = `npm world-atlas ${atlasPkg.version} (countries-${scale}.json: Natural Earth ` +
	`admin-0 countries, public domain) and i18n-iso-countries ${isoPkg.version} ` +
	'(ISO 3166-1 codes, English names); Natural Earth I projection, 84N-57S';
const text = `/* Generated by scripts/worldmap.js from ${source}.  Do not edit. */
#define WORLDMAP_WIDTH ${WIDTH + 2 * MARGIN}
#define WORLDMAP_HEIGHT ${HEIGHT}
#define WORLDMAP_SOURCE ${cstr(source)}
static const struct worldmap_country worldmap_data[] = {
${body}};
`;
fs.writeFileSync(`${out}.tmp`, text);
fs.renameSync(`${out}.tmp`, out);
if (stats)
	console.error(`worldmap.js: ${nPaths} paths, ${nMarkers} markers, ${bytes} bytes of path data, ` +
		`${WIDTH + 2 * MARGIN}x${HEIGHT}`);
