// stix-validate.js — checks a STIX 2.1 bundle against the OASIS STIX 2.1 JSON
// schemas (draft 2020-12) with ajv 8, independently of detente.
//
//   NODE_PATH=data/node/node_modules node tests/tools/stix-validate.js SCHEMAS BUNDLE
//
// SCHEMAS is the schemas/ directory of oasis-open/cti-stix2-json-schemas.  The
// bundle is validated against common/bundle.json, then every object against
// the schema of its type (sdos/, sros/, observables/, common/marking-definition).
// unicodeRegExp is off: the schemas write "\\-" in patterns, which ECMAScript
// rejects under the u flag.
// Prints one line per violation and a summary; exit 0 only when all is valid.
"use strict";
const fs = require("fs");
const path = require("path");
const Ajv2020 = require("ajv/dist/2020");
const addFormats = require("ajv-formats");

if (process.argv.length !== 4) {
  console.error("usage: stix-validate.js SCHEMAS BUNDLE");
  process.exit(2);
}
const dir = process.argv[2];
const ajv = new Ajv2020({
  strict: false,
  allErrors: true,
  unicodeRegExp: false,
  logger: { log() {}, warn() {}, error: console.error },
});
addFormats(ajv);

const byType = {};
for (const sub of ["common", "sdos", "sros", "observables"]) {
  for (const f of fs.readdirSync(path.join(dir, sub))) {
    if (!f.endsWith(".json")) continue;
    const schema = JSON.parse(fs.readFileSync(path.join(dir, sub, f), "utf8"));
    ajv.addSchema(schema);
    byType[path.basename(f, ".json")] = schema.$id;
  }
}

const bundle = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
let bad = 0;
function check(id, obj, what) {
  const v = ajv.getSchema(id);
  if (!v(obj)) {
    for (const e of v.errors)
      console.log(`${what}: ${e.instancePath || "/"} ${e.message}`);
    bad++;
  }
}
// the envelope against bundle.json (with one object: its per-object anyOf
// over every type is slow and its errors unreadable), then each object
// against its own type's schema
check(byType["bundle"], { ...bundle, objects: (bundle.objects || []).slice(0, 1) }, "bundle");
const counts = {};
for (const o of bundle.objects || []) {
  counts[o.type] = (counts[o.type] || 0) + 1;
  if (!byType[o.type]) {
    console.log(`${o.id}: no schema for type ${o.type}`);
    bad++;
    continue;
  }
  check(byType[o.type], o, o.id);
}
const summary = Object.keys(counts).sort().map((t) => `${t}=${counts[t]}`).join(" ");
console.log(`${bad ? "INVALID" : "valid"}: ${(bundle.objects || []).length} objects (${summary})`);
process.exit(bad ? 1 : 0);
