// dpkg.mjs — check a Frictionless Data Package written by `mlab-hub report
// --format datapackage`: datapackage.json against the Data Package and
// Table Schema specifications (the JSON Schemas in tests/schema/, with
// ajv), then what a JSON Schema cannot say — primary-key fields exist,
// field names are unique — and the CSV against its Table Schema: the
// header is the fields in order, every cell has its field's type and
// constraints, the primary key is unique.  Returns the package and the
// rows as objects of strings (missing values as null).
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { ROOT, assert, eq } from './harness.mjs';

let validate;
function validator() {
	if (validate)
		return validate;
	const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
	const load = (f) => JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/schema', f), 'utf8'));
	ajv.addSchema(load('data-package.json'));
	ajv.addSchema(load('table-schema.json'));
	validate = ajv.compile(load('tabular-data-package.json'));
	return validate;
}

// Validate a descriptor object; throws with ajv's messages.
export function validateDescriptor(pkg) {
	const v = validator();
	if (!v(pkg))
		throw new Error('datapackage.json: ' + v.errors.map((e) => `${e.instancePath} ${e.message}`).join('; '));
	for (const r of pkg.resources) {
		const names = r.schema.fields.map((f) => f.name);
		eq(new Set(names).size, names.length, `${r.name}: field names are unique`);
		for (const k of [].concat(r.schema.primaryKey || []))
			assert(names.includes(k), `${r.name}: primary key ${k} is a field`);
	}
}

// RFC 4180: quoted cells, doubled quotes, CRLF (or LF) line ends.
export function parseCsv(text, delim = ',') {
	const rows = [];
	let row = [], cell = '', q = false, i = 0;
	for (; i < text.length; i++) {
		const c = text[i];
		if (q) {
			if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
			else if (c === '"') q = false;
			else cell += c;
		} else if (c === '"' && cell === '') q = true;
		else if (c === delim) { row.push(cell); cell = ''; }
		else if (c === '\r' && text[i + 1] === '\n') { /* the \n ends the row */ }
		else if (c === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; }
		else cell += c;
	}
	assert(!q, 'CSV: an unterminated quoted cell');
	if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
	return rows;
}

const TYPES = {
	integer: /^[+-]?\d+$/,
	number: /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$|^(NaN|INF|-INF)$/,
	year: /^\d{4}$/,
	string: /^/,
	boolean: /^(true|True|TRUE|1|false|False|FALSE|0)$/,
	date: /^\d{4}-\d\d-\d\d$/,
};

// Check dir's package: returns { pkg, resource, header, rows }.
export function checkPackage(dir) {
	const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'datapackage.json'), 'utf8'));
	validateDescriptor(pkg);
	eq(pkg.resources.length, 1, 'one resource');
	const r = pkg.resources[0], s = r.schema;
	const text = fs.readFileSync(path.join(dir, r.path), 'utf8');
	const lines = parseCsv(text, r.dialect?.delimiter || ',');
	if (r.dialect?.lineTerminator === '\r\n')
		assert(/\r\n$/.test(text) && !/[^\r]\n/.test(text.replace(/"[^"]*"/g, '')), 'CSV lines end in CRLF as the dialect says');
	const header = lines.shift();
	eq(JSON.stringify(header), JSON.stringify(s.fields.map((f) => f.name)), 'CSV header = the schema\'s fields');
	const missing = s.missingValues || [''];
	const rows = lines.map((cells, n) => {
		eq(cells.length, header.length, `CSV row ${n + 2}: one cell per field`);
		const o = {};
		s.fields.forEach((f, i) => {
			const v = cells[i];
			if (missing.includes(v)) {
				assert(!f.constraints?.required, `row ${n + 2}: ${f.name} is required`);
				o[f.name] = null;
				return;
			}
			const re = TYPES[f.type || 'string'];
			assert(re, `no check for type ${f.type}`);
			assert(re.test(v), `row ${n + 2}: ${f.name} = "${v}" is not a ${f.type}`);
			const c = f.constraints || {};
			if (c.minimum !== undefined)
				assert(Number(v) >= c.minimum, `row ${n + 2}: ${f.name} = ${v} < ${c.minimum}`);
			if (c.pattern)
				assert(new RegExp(`^(?:${c.pattern})$`).test(v), `row ${n + 2}: ${f.name} = "${v}" fails its pattern`);
			o[f.name] = v;
		});
		return o;
	});
	const pk = [].concat(s.primaryKey || []);
	if (pk.length) {
		const keys = rows.map((o) => JSON.stringify(pk.map((k) => o[k])));
		eq(new Set(keys).size, keys.length, 'the primary key is unique');
	}
	return { pkg, resource: r, header, rows };
}
