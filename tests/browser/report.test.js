#!/usr/bin/env node
// tests/browser/report.test.js — the HTML report in a real browser.
//
//   node tests/browser/report.test.js REPORT.html REPORT.json [SCREENSHOT.png]
//
// Loads the HTML rendering of a JSON report from file:// in headless
// Chromium (Debian's /usr/bin/chromium, or $DETENTE_CHROMIUM, driven by npm
// playwright-core, which downloads no browser) with every request other than
// the file itself aborted and recorded, and checks that the page needs
// nothing from any network, raises no console or page error, runs no
// script, shows one card per campaign, and that every number on it equals
// the JSON's: each element with data-figure="<json path>" holds exactly the
// value at that path, and every number of the JSON has such an element; and
// that the world map is drawn, filled with the legend's colours, with each
// country's title holding its JSON counts (checkWorldMap; REPORT_EXPECT_MAP).
//
// Prints one line per check, "ok   name" or "FAIL name" (with detail on
// the next line), for tests/cli/report_browser.sh to count; exits 1 when a
// check failed, 2 when it could not run at all.
'use strict';

const fs = require('fs');
const path = require('path');
const { pathToFileURL } = require('url');

const { ok, no, check, failed, resolve, numberPaths } = require('./lib.js');

async function main() {
	const [htmlPath, jsonPath, shotPath] = process.argv.slice(2);
	if (!htmlPath || !jsonPath) {
		console.error('usage: report.test.js REPORT.html REPORT.json [SCREENSHOT.png]');
		process.exit(2);
	}
	let chromium;
	try {
		({ chromium } = require('playwright-core'));
	} catch (e) {
		console.error(`playwright-core not found (NODE_PATH=${process.env.NODE_PATH || ''})`);
		process.exit(2);
	}
	const executablePath = process.env.DETENTE_CHROMIUM || '/usr/bin/chromium';
	const jsonText = fs.readFileSync(jsonPath, 'utf8');
	const json = JSON.parse(jsonText);
	const fileUrl = pathToFileURL(path.resolve(htmlPath)).href;

	const args = ['--host-resolver-rules=MAP * ~NOTFOUND', '--disable-background-networking',
		'--disable-component-update', '--no-first-run'];
	if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');
	const browser = await chromium.launch({ executablePath, headless: true, args });
	try {
		const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
		const requests = []; // everything but the report file itself
		const consoleErrors = [];
		const pageErrors = [];
		const dialogs = [];
		await context.route('**/*', (route) => {
			const url = route.request().url();
			if (url === fileUrl) return route.continue();
			requests.push(url);
			return route.abort();
		});
		const page = await context.newPage();
		page.on('request', (r) => {
			if (r.url() !== fileUrl && !requests.includes(r.url())) requests.push(r.url());
		});
		page.on('console', (m) => {
			if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(`${m.type()}: ${m.text()}`);
		});
		page.on('pageerror', (e) => pageErrors.push(String(e)));
		page.on('dialog', (d) => {
			dialogs.push(d.message());
			d.dismiss().catch(() => {});
		});

		const resp = await page.goto(fileUrl, { waitUntil: 'load' });
		check(resp === null || resp.ok(), 'the report loads from file://');
		await page.waitForTimeout(300); // let anything late (fonts, lazy images) try

		const party = json.node.party;
		check((await page.title()) === `Joint attribution report \u2014 ${party}`,
			'the title names the report and the party', await page.title());
		check(requests.length === 0, 'no network request of any kind', requests.join(' '));
		check(consoleErrors.length === 0, 'no console error or warning', consoleErrors.join(' | '));
		check(pageErrors.length === 0, 'no page error', pageErrors.join(' | '));
		check(dialogs.length === 0, 'no dialog (no injected script ran)', dialogs.join(' | '));
		const dom = await page.evaluate(() => ({
			scripts: document.scripts.length,
			iframes: document.querySelectorAll('iframe,object,embed,img,link,audio,video').length,
			onattrs: [...document.querySelectorAll('*')].filter((e) =>
				[...e.attributes].some((a) => /^on/i.test(a.name))).length,
			text: document.body.innerText,
			height: document.body.scrollHeight,
		}));
		check(dom.scripts === 0 && dom.iframes === 0 && dom.onattrs === 0,
			'no script, frame, image, link element or event-handler attribute',
			JSON.stringify({ scripts: dom.scripts, loads: dom.iframes, on: dom.onattrs }));
		if (jsonText.includes('<script>alert(1)</script>')) // the hand-written sample
			check(dom.text.includes('<script>alert(1)</script>') && dom.text.includes('a|b.evil-hosting.example'),
				'hostile strings are shown as text, not markup');

		const cards = await page.$$eval('article.campaign', (els) =>
			els.map((e) => ({ id: e.getAttribute('data-campaign'), text: e.innerText })));
		check(cards.length === json.campaigns.length,
			`one card per campaign (${json.campaigns.length})`, `page has ${cards.length}`);
		const idsOk = json.campaigns.every((c, i) => cards[i] && cards[i].id === c.id &&
			cards[i].text.includes(c.id) && cards[i].text.includes(c.title));
		check(idsOk, 'cards in JSON order, each showing its id and title',
			JSON.stringify(cards.map((c) => c.id)));
		const entriesOk = json.campaigns.every((c, i) => c.entries.every((ref) => {
			const e = json.entries.find((x) => x.ref === ref);
			return e && cards[i].text.includes(e.leaf_hash) && cards[i].text.includes(ref);
		}));
		check(entriesOk, 'each card lists the ledger entries it rests on with their leaf hashes');
		const sections = await page.$$eval('section[id]', (els) => els.map((e) => e.id));
		const want = ['summary', 'origins', 'countries', 'weak', 'activity', 'timeline',
			'campaigns', 'evidence', 'checkpoint', 'peers', 'refdata', 'method'];
		check(want.every((s) => sections.includes(s)), 'every section is there', sections.join(','));
		const units = await page.$$eval('figure.origin svg', (els) => els.length);
		check(units === 5, 'one origin chart per unit (events, remote_ips, prefixes, asns, victims)',
			`${units} charts`);
		const note = await page.$eval('pre.note', (e) => e.textContent).catch(() => null);
		check(note === json.checkpoint.note, 'the checkpoint note is shown exactly');

		// every figure on the page equals the JSON's value at its path
		const figs = await page.$$eval('[data-figure]', (els) =>
			els.map((e) => [e.getAttribute('data-figure'), e.textContent]));
		const bad = [];
		for (const [p, text] of figs) {
			const v = resolve(json, p);
			if (typeof v !== 'number') {
				bad.push(`${p}: no number at this path (page shows "${text}")`);
			} else if (!/^-?\d+(\.\d+)?$/.test(text) || Number(text) !== v ||
				(Number.isInteger(v) && !text.includes('.') && text !== String(v))) {
				bad.push(`${p}: page "${text}", JSON ${v}`);
			}
		}
		check(figs.length > 0 && bad.length === 0,
			`every data-figure element equals the JSON (${figs.length} figures)`, bad.slice(0, 10).join('; '));

		// coverage: every number of the JSON is on the page
		const shown = new Set(figs.map(([p]) => p));
		const required = numberPaths({ totals: json.totals, origins: json.origins }, '', []);
		const missing = required.filter((p) => !shown.has(p));
		check(missing.length === 0, `every number under totals and origins is on the page (${required.length})`,
			missing.slice(0, 10).join(' '));
		const all = numberPaths(json, '', []);
		const missingAll = all.filter((p) => !shown.has(p));
		check(missingAll.length === 0, `every number of the JSON is on the page (${all.length})`,
			missingAll.slice(0, 10).join(' '));

		await checkWorldMap(page, json);

		// readable: the page lays out and is printable
		check(dom.height > 2000, 'the page lays out (scroll height > 2000 px)', dom.height);
		const pdf = await page.pdf({ format: 'A4' }).catch((e) => e);
		check(Buffer.isBuffer(pdf) && pdf.length > 10000, 'prints to PDF', String(pdf).slice(0, 200));
		if (shotPath) {
			fs.mkdirSync(path.dirname(shotPath), { recursive: true });
			await page.screenshot({ path: shotPath, fullPage: false, timeout: 60000 });
			check(fs.statSync(shotPath).size > 10000, `screenshot ${shotPath}`);
		}
		await context.close();
	} finally {
		await browser.close();
	}
	process.exit(failed() ? 1 : 0);
}

// The world map of the Countries section (docs/report.md, "World map"):
// drawn, every country with events filled with the legend colour of the
// class its JSON events count falls in, every other one with the legend's
// "no events" colour, each country's title holding its JSON counts, and
// the keys the map cannot place listed beneath it.  REPORT_EXPECT_MAP=1
// requires the map, =0 requires the page to say there is none; unset, the
// page decides (the build may have had no map data).
async function checkWorldMap(page, json) {
	const expect = process.env.REPORT_EXPECT_MAP;
	const m = await page.evaluate(() => {
		const fill = (e) => getComputedStyle(e).fill;
		const svg = document.querySelector('#countries figure.worldmap svg.wm');
		const none = document.querySelector('#countries .wm-none');
		if (!svg) return { svg: false, none: none ? none.textContent : null };
		const box = svg.getBoundingClientRect();
		return {
			svg: true,
			w: box.width,
			h: box.height,
			paths: svg.querySelectorAll('path').length,
			ccPaths: svg.querySelectorAll('path[data-cc]').length,
			legend: [...document.querySelectorAll('#countries svg.wm-legend rect[data-min]')].map((r) =>
				({ min: Number(r.getAttribute('data-min')), max: Number(r.getAttribute('data-max')), fill: fill(r) })),
			legendText: (document.querySelector('#countries svg.wm-legend') || {}).textContent || '',
			shapes: [...svg.querySelectorAll('[data-cc]')].map((e) => ({
				tag: e.tagName, cc: e.getAttribute('data-cc'), fill: fill(e),
				title: e.querySelector(':scope > title') ? e.querySelector(':scope > title').textContent : null,
			})),
			unplaced: (document.querySelector('#countries .wm-unplaced') || {}).textContent || '',
			table: !!document.querySelector('#countries table.countries'),
		};
	});
	if (!m.svg) {
		if (expect === '1') no('the world map is drawn', 'no svg.wm in #countries');
		check(m.none !== null && /no map data was built in/.test(m.none),
			'without map data the page says there is no map, and keeps the country table', m.none);
		return;
	}
	check(expect !== '0', 'no world map when none was built in', 'the page has one');
	check(m.ccPaths > 150, `the world map has more than 150 country paths (${m.ccPaths})`, m.paths);
	check(m.w > 600 && m.h > 250, 'the world map lays out', `${m.w}x${m.h}`);
	check(m.table, 'the country table is still there below the map');

	const unitNames = { events: 'events', remote_ips: 'distinct remote IPs', prefixes: 'distinct prefixes',
		asns: 'distinct ASNs', victims: 'victims' };
	const zero = m.legend.find((l) => l.min === 0);
	const classes = m.legend.filter((l) => l.min > 0);
	check(/Unit: events/.test(m.legendText) && zero && classes.length >= 1,
		'the legend names its unit (events) and has a "no events" swatch and classes', m.legendText);
	check(new Set(m.legend.map((l) => l.fill)).size === m.legend.length,
		'the legend colours are distinct', JSON.stringify(m.legend));
	const events = json.origins.events;
	const max = Math.max(0, ...events.filter((e) => m.shapes.some((s) => s.cc === e.key)).map((e) => e.count));
	check(classes.length === 0 || (classes[0].min === 1 &&
		classes.every((l, i) => i === 0 || l.min === classes[i - 1].max + 1) &&
		classes[classes.length - 1].min <= max && max <= classes[classes.length - 1].max),
	'the legend classes run from 1 without gaps and the last holds the largest count',
	JSON.stringify(classes));

	const badFill = [];
	const badTitle = [];
	let filled = 0;
	for (const s of m.shapes) {
		const e = events.find((x) => x.key === s.cc);
		const want = e && e.count > 0 ? classes.find((l) => l.min <= e.count && e.count <= l.max) : zero;
		if (e && e.count > 0) filled++;
		if (!want || s.fill !== want.fill)
			badFill.push(`${s.tag} ${s.cc}: ${s.fill}, want ${want ? want.fill : 'a class'} (${e ? e.count : 0} events)`);
		// the title: "<name> (CC): N events; N distinct remote IPs; ..." or "no events"
		if (s.title === null || !s.title.includes(`(${s.cc}): `)) {
			badTitle.push(`${s.cc}: title "${s.title}"`);
			continue;
		}
		for (const u of Object.keys(unitNames)) {
			const x = json.origins[u].find((y) => y.key === s.cc);
			const got = new RegExp(`(?:: |; )(\\d+) ${unitNames[u]}(?:;|$)`).exec(s.title);
			if (x ? !got || Number(got[1]) !== x.count : got !== null)
				badTitle.push(`${s.cc} ${u}: title "${s.title}", JSON ${x ? x.count : 'none'}`);
		}
		if (!e && !/: no events$/.test(s.title)) badTitle.push(`${s.cc}: "${s.title}" (no events in the JSON)`);
	}
	check(badFill.length === 0, `every country is filled with its legend class's colour (${m.shapes.length} shapes, ${filled} with events)`,
		badFill.slice(0, 8).join('; '));
	check(badTitle.length === 0, 'every country title holds its JSON counts in every unit', badTitle.slice(0, 8).join('; '));

	const missing = [];
	for (const e of events) {
		const drawn = m.shapes.some((s) => s.cc === e.key);
		if (!drawn && !(m.unplaced.includes(e.key) && m.unplaced.includes(`${e.count} events`)))
			missing.push(`${e.key} ${e.count}`);
	}
	check(missing.length === 0, `every country of the JSON is on the map or listed as not on it (${events.length})`,
		missing.join(', '));
}

main().catch((e) => {
	console.log(`FAIL browser test ran to the end\n     ${String(e && e.stack || e).split('\n').slice(0, 4).join(' / ')}`);
	process.exit(1);
});
