// Reads the log that `Sarif.Multitool validate` wrote about privnet-lint's
// SARIF files and fails on any error or warning in them (notes are counted
// by rule and pass), except the two GitHub Advanced Security for Azure
// DevOps rules below, which ask for the identity of the Azure Pipelines
// build that publishes the file: no file written outside such a build can
// have it (the AdvancedSecurity-Publish task "enhances the combined SARIF
// file" it uploads).
//
// The validation ran on privnet-lint's files followed by a few logs broken
// on purpose (a required property taken out); each broken log must be
// flagged. The Multitool silently stops, with "Analysis completed
// successfully", at a file it cannot deserialize (an unknown enum value, for
// one) and reports nothing for it or any later file, so the broken logs come
// last: their errors show that every file before them was analyzed, and
// that the rule sets are on.
//
// Usage: node sarif.mjs VALIDATION_LOG CONSOLE_OUTPUT FILE_COUNT BROKEN_FILE...
//   BROKEN_FILE     RULE-what.sarif: a log that rule RULE must flag
//   VALIDATION_LOG  what the validator wrote with --output
//   CONSOLE_OUTPUT  what it printed (it counts the files it scanned there)
//   FILE_COUNT      how many files it was given, broken ones included
import fs from 'node:fs';
import path from 'node:path';

const PIPELINE_ONLY = {
  GHAzDO1019: 'automationDetails.properties azuredevops/pipeline/build/{buildDefinitionId,buildDefinitionName,phaseId,phaseName}',
  GHAzDO1020: 'automationDetails.id starting with azuredevops/pipeline/build/<org>/<project>/<buildDefId>/<phaseId>/<branch>/<buildId>',
};

const [logPath, consolePath, expected, ...broken] = process.argv.slice(2);
const log = JSON.parse(fs.readFileSync(logPath, 'utf8'));
const run = log.runs?.[0];
if (!run) {
  console.log(`FAIL: ${logPath} has no run`);
  process.exit(1);
}

const problems = [];
for (const inv of run.invocations ?? []) {
  for (const n of [...(inv.toolExecutionNotifications ?? []), ...(inv.toolConfigurationNotifications ?? [])]) {
    if (n.level !== 'note' && n.level !== 'none') {
      problems.push(`validator ${n.level ?? 'error'}: ${n.message?.text ?? JSON.stringify(n)}`);
    }
  }
  if (inv.executionSuccessful === false) problems.push('the validator did not run successfully');
}
const scanned = /Done\. (\d+) files? scanned/.exec(fs.readFileSync(consolePath, 'utf8'));
const analyzed = scanned ? Number(scanned[1]) : 0;
if (analyzed !== Number(expected)) problems.push(`the validator scanned ${analyzed} files, not ${expected}`);

const rules = new Map((run.tool?.driver?.rules ?? []).map((r) => [r.id, r]));
// a result's message from its rule's message strings ({0}, {1}… filled in)
const message = (r) => {
  if (r.message?.text) return r.message.text;
  const template = rules.get(r.ruleId)?.messageStrings?.[r.message?.id]?.text ?? r.message?.id ?? '';
  return template.replace(/\{(\d+)\}/g, (_, i) => r.message?.arguments?.[Number(i)] ?? '');
};
const fileOf = (r) => {
  const uri = r.locations?.[0]?.physicalLocation?.artifactLocation?.uri ?? '';
  return path.resolve(decodeURIComponent(uri.replace(/^file:\/\//, '')));
};

const brokenFiles = new Set(broken.map((b) => path.resolve(b)));
const flagged = new Map();
const bad = [];
const notes = new Map();
const pipelineOnly = new Map();
for (const r of run.results ?? []) {
  // the validator's rules default to warning when a result has no level
  const level = r.level ?? 'warning';
  const file = fileOf(r);
  if (level !== 'error' && level !== 'warning') {
    if (!brokenFiles.has(file)) notes.set(r.ruleId, (notes.get(r.ruleId) ?? 0) + 1);
    continue;
  }
  const line = `${file}:${r.locations?.[0]?.physicalLocation?.region?.startLine ?? '?'}: ${level} ${r.ruleId} ${rules.get(r.ruleId)?.name ?? ''}: ${message(r)}`;
  if (brokenFiles.has(file)) {
    flagged.set(file, [...(flagged.get(file) ?? []), r.ruleId]);
  } else if (PIPELINE_ONLY[r.ruleId]) {
    pipelineOnly.set(r.ruleId, (pipelineOnly.get(r.ruleId) ?? 0) + 1);
  } else {
    bad.push(line);
  }
}
for (const b of brokenFiles) {
  const rule = path.basename(b).split('-')[0];
  if (!(flagged.get(b) ?? []).includes(rule)) {
    problems.push(`self-test: ${rule} does not flag ${b}, broken on purpose (the validator stopped early, or a rule set is off)`);
  }
}

bad.forEach((b) => console.log(`  ${b}`));
problems.forEach((p) => console.log(`  ${p}`));
if (bad.length || problems.length) {
  console.log(`FAIL: ${bad.length} errors and warnings in privnet-lint's SARIF, ${problems.length} other problems`);
  process.exit(1);
}
console.log(`self-test: each broken log is flagged by its rule (${[...brokenFiles].map((f) => path.basename(f, '.sarif')).join(', ')})`);
const noteSummary = [...notes].map(([id, n]) => `${id} ${rules.get(id)?.name ?? ''} ×${n}`).join(', ') || 'none';
console.log(`${analyzed - brokenFiles.size} SARIF logs from privnet-lint: no error or warning (notes: ${noteSummary})`);
for (const [id, n] of pipelineOnly) {
  console.log(`  not counted: ${id} ×${n}, the identity of the Azure Pipelines build that publishes the file (${PIPELINE_ONLY[id]})`);
}
