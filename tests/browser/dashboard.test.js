#!/usr/bin/env node
// tests/browser/dashboard.test.js — the dashboard of `detente serve` in a
// real browser.
//
//   node tests/browser/dashboard.test.js BASE_URL TOKEN TRACE.json [SCREENSHOT.png]
//
// BASE_URL is a running server (http://127.0.0.1:PORT), TOKEN a bearer
// token of it, TRACE.json what `detente trace --json` printed for a few
// addresses (one object a line).  The test reads /api/ledger and
// /api/report itself, then drives headless Chromium (Debian's
// /usr/bin/chromium or $DETENTE_CHROMIUM, through npm playwright-core) with
// every request to another origin aborted and recorded, and checks: the
// page loads under its Content-Security-Policy, asks for nothing before the
// token is entered, raises no console or page error, makes no request
// outside the server; after the token, the checkpoint size is /api/ledger's,
// every element with data-src/data-figure equals the API's value at that
// JSON path and every number of the report's origins is on the page, each
// unit's chart names its unit, the map has a cell for every country of the
// report, one card per campaign in order, and a trace lookup shows the same
// country, ASN and network as the CLI.
//
// Prints one line per check, "ok   name" or "FAIL name" (detail on the next
// line), for tests/cli/dashboard.sh to count; exits 1 when a check failed,
// 2 when it could not run.
'use strict';

const fs = require('fs');
const path = require('path');

const { ok, no, check, failed, resolve, numberPaths } = require('./lib.js');
// A figure's text must be the number itself: integers exactly, reals as
// written with their decimals.
function sameNumber(text, v) {
	if (typeof v !== 'number' || !/^-?\d+(\.\d+)?$/.test(text)) return false;
	return Number(text) === v && (!Number.isInteger(v) || text.includes('.') || text === String(v));
}

async function getJson(base, p, token) {
	const r = await fetch(base + p, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
	return { status: r.status, headers: r.headers, text: await r.text() };
}

const UNITS = ['events', 'remote_ips', 'prefixes', 'asns', 'victims'];

async function main() {
	const [base, token, tracePath, shotPath] = process.argv.slice(2);
	if (!base || !token || !tracePath) {
		console.error('usage: dashboard.test.js BASE_URL TOKEN TRACE.json [SCREENSHOT.png]');
		process.exit(2);
	}
	let chromium;
	try {
		({ chromium } = require('playwright-core'));
	} catch (e) {
		console.error(`playwright-core not found (NODE_PATH=${process.env.NODE_PATH || ''})`);
		process.exit(2);
	}
	const origin = new URL(base).origin;
	const expectTrace = fs.readFileSync(tracePath, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));

	// ---- the APIs, as a program sees them ------------------------------
	const anon = await getJson(base, '/api/report');
	check(anon.status === 401 && /^Bearer/.test(anon.headers.get('www-authenticate') || ''),
		'/api/report without a token: 401 with WWW-Authenticate: Bearer', anon.status);
	const lj = await getJson(base, '/api/ledger', token);
	const rj = await getJson(base, '/api/report', token);
	let ledger = null, report = null;
	try {
		ledger = JSON.parse(lj.text);
		report = JSON.parse(rj.text);
	} catch (e) {
		no('the APIs answer JSON', `${lj.status} ${rj.status} ${e}`);
		process.exit(1);
	}
	check(lj.status === 200 && rj.status === 200 && report.report === 'detente.report/v1',
		'/api/ledger and /api/report answer with the token');
	const page0 = await getJson(base, '/');
	const csp = page0.headers.get('content-security-policy') || '';
	check(page0.status === 200 && /default-src 'none'/.test(csp) && /connect-src 'self'/.test(csp) &&
		/script-src 'sha256-/.test(csp) && !/unsafe/.test(csp),
		'the page is public, with a CSP allowing its own script by hash and this server only', csp);

	// every name resolves to nothing, but the server's own address
	const args = [`--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE ${new URL(base).hostname}`,
		'--disable-background-networking',
		'--disable-component-update', '--no-first-run'];
	if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');
	const browser = await chromium.launch({
		executablePath: process.env.DETENTE_CHROMIUM || '/usr/bin/chromium', headless: true, args,
	});
	try {
		const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
		const outside = [];
		const api = [];
		const consoleErrors = [];
		const pageErrors = [];
		const dialogs = [];
		await context.route('**/*', (route) => {
			const url = route.request().url();
			let o = null;
			try { o = new URL(url).origin; } catch (e) { /* data: and the like */ }
			if (o === origin) {
				if (new URL(url).pathname.startsWith('/api/')) api.push(url);
				return route.continue();
			}
			outside.push(url);
			return route.abort();
		});
		const page = await context.newPage();
		page.on('request', (r) => {
			const u = r.url();
			if (!u.startsWith(origin + '/') && !u.startsWith('data:') && !outside.includes(u)) outside.push(u);
		});
		page.on('console', (m) => {
			if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(`${m.type()}: ${m.text()}`);
		});
		page.on('pageerror', (e) => pageErrors.push(String(e)));
		page.on('dialog', (d) => {
			dialogs.push(d.message());
			d.dismiss().catch(() => {});
		});

		const resp = await page.goto(base + '/', { waitUntil: 'load' });
		check(resp && resp.ok(), 'the dashboard loads');
		await page.waitForTimeout(300);
		check(api.length === 0, 'no API request before a token is entered', api.join(' '));
		const units0 = await page.$$eval('#units button', (b) => b.length);
		check(units0 === 5, 'its script runs under the CSP (the five unit buttons are drawn)', units0);

		await page.fill('#token', token);
		await page.click('#connect');
		await page.waitForSelector('#status.ok, #status.err', { timeout: 60000 });
		const st = await page.$eval('#status', (e) => [e.className, e.textContent]);
		check(st[0] === 'ok', 'after the token, the ledger and report load', st.join(': '));
		const stored = await page.evaluate(() => sessionStorage.getItem('detente-token'));
		check(stored === token, 'the token is kept in sessionStorage');

		// ---- ledger ------------------------------------------------------
		const cpSize = await page.$eval('#cp-size', (e) => e.textContent);
		check(ledger.checkpoint && cpSize === String(ledger.checkpoint.size),
			`the checkpoint size is /api/ledger's (${ledger.checkpoint && ledger.checkpoint.size})`, cpSize);
		const note = await page.$eval('#cp-note', (e) => e.textContent);
		check(note === ledger.checkpoint.note, 'the signed checkpoint note is shown exactly');
		const root = await page.$eval('#cp-root', (e) => e.textContent);
		check(root === ledger.checkpoint.root, 'the root is shown');
		const peers = await page.$$eval('#peer-table tbody tr[data-peer]', (t) => t.map((r) => r.getAttribute('data-peer')));
		check(JSON.stringify(peers) === JSON.stringify(ledger.peers.map((p) => p.name)),
			`one row per peer (${ledger.peers.length})`, peers.join(','));

		// ---- origins: every unit ------------------------------------------
		const unitsOk = [];
		const mapBad = [];
		for (const u of UNITS) {
			await page.click(`#units button[data-unit="${u}"]`);
			const info = await page.evaluate(() => ({
				bars: document.querySelector('#bars').getAttribute('data-unit'),
				barText: document.querySelector('#bars').textContent,
				map: document.querySelector('#map').getAttribute('data-unit'),
				note: document.querySelector('#unit-note').textContent,
				cells: [...document.querySelectorAll('#map g.cell')].map((g) => [g.getAttribute('data-cc'),
					g.getAttribute('data-count'), g.getAttribute('data-share'), g.classList.contains('data')]),
			}));
			const rows = report.origins[u];
			const named = info.bars === u && info.map === u && /^unit: /.test(info.barText) && info.note.includes(`(${u})`);
			unitsOk.push(named ? u : `!${u}`);
			const cells = new Map(info.cells.map((c) => [c[0], c]));
			for (const x of rows) {
				const c = cells.get(x.key);
				if (!c) mapBad.push(`${u}: no cell for ${x.key}`);
				else if (!sameNumber(c[1] || '', x.count) || !sameNumber(c[2] || '', x.share))
					mapBad.push(`${u}: ${x.key} cell ${c[1]}/${c[2]}, report ${x.count}/${x.share}`);
			}
		}
		check(unitsOk.every((u) => !u.startsWith('!')), 'each of the five units is named on its chart and map', unitsOk.join(','));
		const allKeys = new Set();
		UNITS.forEach((u) => report.origins[u].forEach((x) => allKeys.add(x.key)));
		check(allKeys.size > 0 && mapBad.length === 0,
			`the map has a cell per country of the report (${allKeys.size}), with its count and share in every unit`,
			mapBad.slice(0, 8).join('; '));

		// every figure on the page equals its API's value
		const figs = await page.$$eval('[data-figure]', (els) =>
			els.map((e) => [e.getAttribute('data-src'), e.getAttribute('data-figure'), e.textContent]));
		const bad = [];
		for (const [src, p, text] of figs) {
			const doc = src === 'ledger' ? ledger : src === 'report' ? report : null;
			if (doc === null) continue; // trace figures are checked below
			const v = resolve(doc, p);
			if (!sameNumber(text, v)) bad.push(`${src} ${p}: page "${text}", API ${v}`);
		}
		check(figs.length > 0 && bad.length === 0, `every figure equals its API's (${figs.length} figures)`,
			bad.slice(0, 10).join('; '));
		const shown = new Set(figs.filter((f) => f[0] === 'report').map((f) => f[1]));
		const need = numberPaths({ origins: report.origins }, '', []);
		const missing = need.filter((p) => !shown.has(p));
		check(missing.length === 0, `every country figure of the report (${need.length}, five units) is on the page`,
			missing.slice(0, 10).join(' '));
		const tableCc = await page.$$eval('#country-table tbody tr[data-cc]', (t) => t.map((r) => r.getAttribute('data-cc')));
		check(tableCc.length === allKeys.size && tableCc.every((c) => allKeys.has(c)),
			'the country table has one row per country', `${tableCc.length} rows, ${allKeys.size} countries`);

		// ---- campaigns ----------------------------------------------------
		const cards = await page.$$eval('article.campaign', (els) =>
			els.map((e) => ({ id: e.getAttribute('data-campaign'), text: e.textContent })));
		check(cards.length === report.campaigns.length, `one card per campaign (${report.campaigns.length})`, cards.length);
		check(report.campaigns.every((c, i) => cards[i] && cards[i].id === c.id && cards[i].text.includes(c.id) &&
			c.victims.every((v) => cards[i].text.includes(v.name)) &&
			c.links.every((l) => cards[i].text.includes(l.value))),
		'cards in report order, each with its id, victims and links');

		// ---- trace --------------------------------------------------------
		await page.fill('#trace-ip', expectTrace.map((t) => t.ip).join(', '));
		await page.click('#trace-go');
		await page.waitForSelector('#trace-table:not(.hidden) tbody tr', { timeout: 30000 });
		const rows = await page.$$eval('#trace-table tbody tr', (t) => t.map((r) => {
			const o = {};
			r.querySelectorAll('[data-field]').forEach((c) => { o[c.getAttribute('data-field')] = c.textContent; });
			return o;
		}));
		const tb = [];
		expectTrace.forEach((e, i) => {
			const r = rows[i] || {};
			const want = [e.ip, e.country === null ? 'unknown' : e.country, e.asn === null ? 'unknown' : String(e.asn),
				e.as_org === null ? 'unknown' : e.as_org, e.network];
			const got = [r.ip, r.country, r.asn, r.as_org, r.network];
			if (JSON.stringify(want) !== JSON.stringify(got)) tb.push(`${JSON.stringify(got)} != CLI ${JSON.stringify(want)}`);
		});
		check(rows.length === expectTrace.length && tb.length === 0,
			`a trace lookup of ${expectTrace.length} addresses shows the CLI's country, ASN, organisation and network`,
			tb.slice(0, 4).join('; '));
		await page.fill('#trace-ip', 'not-an-ip');
		await page.click('#trace-go');
		await page.waitForFunction(() => /Trace failed/.test(document.querySelector('#trace-msg').textContent));
		const tmsg = await page.$eval('#trace-msg', (e) => e.textContent);
		check(/not an IP address/.test(tmsg), 'a bad address is refused with the server\'s reason', tmsg);

		// a 400 is a failed resource load: Chromium logs it; that one is expected
		const errs = consoleErrors.filter((e) => !/status of 400/.test(e));
		check(errs.length === 0, 'no console error or warning', errs.join(' | '));
		check(pageErrors.length === 0, 'no page error', pageErrors.join(' | '));
		check(dialogs.length === 0, 'no dialog', dialogs.join(' | '));
		check(outside.length === 0, 'no request outside the server', outside.join(' '));
		const dom = await page.evaluate(() => ({
			loads: document.querySelectorAll('iframe,object,embed,img,audio,video,link[rel=stylesheet]').length,
			onattrs: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).length,
			scripts: [...document.scripts].filter((s) => s.src).length,
		}));
		check(dom.loads === 0 && dom.onattrs === 0 && dom.scripts === 0,
			'no external script, frame, image or stylesheet, no event-handler attribute', JSON.stringify(dom));

		if (shotPath) {
			await page.click('#units button[data-unit="events"]');
			fs.mkdirSync(path.dirname(shotPath), { recursive: true });
			await page.screenshot({ path: shotPath, fullPage: true, timeout: 60000 });
			check(fs.statSync(shotPath).size > 10000, `screenshot ${shotPath}`);
		}

		// ---- a reload keeps the session; forgetting the token clears it ----
		api.length = 0;
		await page.reload({ waitUntil: 'load' });
		await page.waitForSelector('#status.ok', { timeout: 60000 });
		const again = await page.$eval('#cp-size', (e) => e.textContent);
		check(again === String(ledger.checkpoint.size) && api.length >= 2,
			'a reload in the same tab loads again without asking for the token');
		await page.click('#forget');
		const gone = await page.evaluate(() => sessionStorage.getItem('detente-token'));
		check(gone === null, '"Forget token" removes it from sessionStorage');

		// ---- a wrong token is refused and forgotten ------------------------
		const p2 = await context.newPage();
		const errs2 = [];
		p2.on('pageerror', (e) => errs2.push(String(e)));
		await p2.goto(base + '/', { waitUntil: 'load' });
		await p2.fill('#token', 'wrong-token');
		await p2.click('#connect');
		await p2.waitForSelector('#status.err', { timeout: 30000 });
		const msg2 = await p2.$eval('#status', (e) => e.textContent);
		const kept = await p2.evaluate(() => sessionStorage.getItem('detente-token'));
		check(/401/.test(msg2) && kept === null && errs2.length === 0,
			'a wrong token: the page says 401 and keeps nothing', msg2);
		await context.close();
	} finally {
		await browser.close();
	}
	process.exit(failed() ? 1 : 0);
}

main().catch((e) => {
	console.log(`FAIL browser test ran to the end\n     ${String(e && e.stack || e).split('\n').slice(0, 4).join(' / ')}`);
	process.exit(1);
});
