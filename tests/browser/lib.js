// tests/browser/lib.js — what the headless-browser tests share: the
// "ok/FAIL" reporters the CLI test scripts count, and JSON paths as the
// pages write them in data-figure ("campaigns[0].origins.events[2].count").
'use strict';

let failedCount = 0;
function ok(name) {
	console.log(`ok   ${name}`);
}
function no(name, detail) {
	failedCount++;
	console.log(`FAIL ${name}`);
	if (detail !== undefined) console.log(`     ${String(detail).slice(0, 2000)}`);
}
function check(cond, name, detail) {
	if (cond) ok(name);
	else no(name, detail);
}
function failed() {
	return failedCount;
}

// "campaigns[0].origins.events[2].count" -> ["campaigns", 0, "origins", ...]
function parsePath(p) {
	const out = [];
	const re = /([^.[\]]+)|\[(\d+)\]/g;
	let m;
	while ((m = re.exec(p)) !== null) out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
	return out;
}

// The value at path p of obj, or undefined.
function resolve(obj, p) {
	let v = obj;
	for (const k of parsePath(p)) {
		if (v === null || typeof v !== 'object' || !(k in v)) return undefined;
		v = v[k];
	}
	return v;
}

// Every path under obj whose value is a number, appended to out.
function numberPaths(obj, base, out) {
	if (typeof obj === 'number') out.push(base);
	else if (Array.isArray(obj)) obj.forEach((v, i) => numberPaths(v, `${base}[${i}]`, out));
	else if (obj !== null && typeof obj === 'object')
		for (const k of Object.keys(obj)) numberPaths(obj[k], base ? `${base}.${k}` : k, out);
	return out;
}

module.exports = { ok, no, check, failed, parsePath, resolve, numberPaths };
