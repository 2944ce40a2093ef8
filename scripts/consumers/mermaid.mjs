// Every Mermaid diagram privnet-lint writes, through the real Mermaid parser
// (the `mermaid` package's own `parse`, in Node with a jsdom window for the
// DOMPurify it sanitizes labels with).
//
// Usage: node mermaid.mjs [--at-least N] FILE...
//   FILE.md   a Markdown report: its ```mermaid blocks, found by a Markdown
//             parser (marked), the way a Markdown renderer finds them
//   other     one whole diagram (`privnet-lint graph --format mermaid`)
//   --at-least N   the files after it must hold at least N diagrams each
//
// Beyond parsing, each flowchart must have only the structure privnet-lint
// writes, whatever the template says: no front matter or %%{init}%%
// directive (the parsed config is empty), node IDs only ours (n3, p0h2),
// subgraph IDs only ours (p0), no click handler, link or tooltip, and only
// our class names. A self-test first shows the parser and these checks
// reject a broken diagram and each kind of injection, so this cannot pass
// vacuously.
import fs from 'node:fs';
import { JSDOM } from 'jsdom';
import { marked } from 'marked';

const { window } = new JSDOM('');
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });

const NODE = /^(n\d+|p\d+h\d+)$/;
const SUBGRAPH = /^p\d+$/;
const CLASSES = new Set(['blocked', 'block', 'unknown']);

// Problems with one diagram's text: a parse error or structure that
// privnet-lint did not write.
async function check(text) {
  let parsed;
  try {
    parsed = await mermaid.parse(text);
  } catch (e) {
    return [`does not parse: ${String(e.message ?? e).split('\n').slice(0, 4).join(' | ')}`];
  }
  const problems = [];
  if (Object.keys(parsed.config ?? {}).length) {
    problems.push(`carries configuration: ${JSON.stringify(parsed.config)}`);
  }
  if (!String(parsed.diagramType).startsWith('flowchart')) {
    return [...problems, `is a ${parsed.diagramType}, not a flowchart`];
  }
  const { db } = await mermaid.mermaidAPI.getDiagramFromText(text);
  for (const id of db.getVertices().keys()) {
    if (!NODE.test(id)) problems.push(`has a node privnet-lint did not write: ${JSON.stringify(id)}`);
  }
  for (const sg of db.getSubGraphs()) {
    if (!SUBGRAPH.test(sg.id)) problems.push(`has a subgraph privnet-lint did not write: ${JSON.stringify(sg.id)}`);
  }
  for (const name of db.getClasses().keys()) {
    if (!CLASSES.has(name)) problems.push(`defines a class privnet-lint did not write: ${JSON.stringify(name)}`);
  }
  for (const v of db.getVertices().values()) {
    if (v.link || v.haveCallback) problems.push(`node ${v.id} has a click link or callback`);
  }
  if (db.getTooltip && [...db.getVertices().keys()].some((id) => db.getTooltip(id))) {
    problems.push('has a tooltip');
  }
  return problems;
}

// The ```mermaid code blocks of a Markdown document, as a Markdown parser sees them.
function blocks(markdown) {
  const out = [];
  const walk = (tokens) => {
    for (const t of tokens ?? []) {
      if (t.type === 'code' && (t.lang ?? '').trim() === 'mermaid') out.push(t.text);
      walk(t.tokens);
      walk(t.items);
    }
  };
  walk(marked.lexer(markdown));
  return out;
}

// --- self-test: each of these must be rejected -----------------------------
const selfTest = {
  'a syntax error': 'flowchart TD\n  p0h0["unclosed] --> p0h1',
  'an injected node': 'flowchart LR\n  n0["a"] --> Pwned["x"]',
  'an init directive': '%%{init: {"theme": "dark"}}%%\nflowchart LR\n  n0["a"]',
  'front matter': '---\nconfig:\n  theme: dark\n---\nflowchart LR\n  n0["a"]',
  'a click handler': 'flowchart LR\n  n0["a"]\n  click n0 "https://evil.example.com"',
  'a foreign class': 'flowchart LR\n  n0["a"]\n  classDef evil fill:#f00',
  'a foreign subgraph': 'flowchart LR\n  subgraph evil["x"]\n    n0["a"]\n  end',
};
for (const [what, text] of Object.entries(selfTest)) {
  if ((await check(text)).length === 0) {
    console.log(`FAIL: self-test: ${what} passed the check:\n${text}`);
    process.exit(1);
  }
}
const fine = 'flowchart TD\n  subgraph p0["path"]\n    p0h0["#34;x#34;"] --> p0h1\n  end\n  classDef block fill:#fff\n  class p0h1 block';
if ((await check(fine)).length) {
  console.log(`FAIL: self-test: a diagram like privnet-lint's is rejected: ${await check(fine)}`);
  process.exit(1);
}
if (blocks('# x\n\n````mermaid\nflowchart LR\n```\n  n0\n````\n').length !== 1) {
  console.log('FAIL: self-test: the Markdown parser does not find a fenced mermaid block');
  process.exit(1);
}
console.log(`self-test: the checks reject ${Object.keys(selfTest).join(', ')}`);

// --- the files ---------------------------------------------------------------
let atLeast = 0;
let diagrams = 0;
let files = 0;
const failures = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--at-least') {
    atLeast = Number(args[++i]);
    continue;
  }
  const file = args[i];
  const text = fs.readFileSync(file, 'utf8');
  const list = file.endsWith('.md') ? blocks(text) : [text];
  // a fence the Markdown parser does not see as one block (closed early by
  // template text, or not closed) shows as a count that differs from ours
  const opened = file.endsWith('.md') ? (text.match(/^`{3,}mermaid$/gm) ?? []).length : 1;
  if (list.length !== opened) {
    failures.push(`${file}: ${opened} mermaid fences written, the Markdown parser finds ${list.length} blocks`);
  }
  if (list.length < atLeast) failures.push(`${file}: ${list.length} diagrams, expected at least ${atLeast}`);
  for (const [k, d] of list.entries()) {
    for (const p of await check(d)) failures.push(`${file}: diagram ${k + 1} ${p}`);
  }
  diagrams += list.length;
  files += 1;
}
failures.forEach((f) => console.log(`  ${f}`));
if (failures.length || diagrams === 0) {
  console.log(`FAIL: ${failures.length} problems in ${diagrams} diagrams from ${files} files`);
  process.exit(1);
}
console.log(`${diagrams} Mermaid diagrams from ${files} files: all parse, with only privnet-lint's own structure`);
