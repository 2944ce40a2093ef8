//! Embeds the rule pages of `rules/` and the AWS managed policy data of
//! `data/` into the binary.
//!
//! Each `rules/<CODE>-<name>.md` page starts with a small front matter block
//! (`code`, `name`, `severity`, `summary`). From those pages this script
//! generates the `Code` enum and the static rule table, so a code without a
//! page cannot be emitted and the documentation is never written twice.
//!
//! `data/aws-managed-policies.json` (written by
//! `scripts/managed-policies/generate.mjs`) becomes static tables sorted by
//! name, so that looking a policy up costs a binary search and the parse of
//! that one document, and a run that names none parses nothing.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

struct Page {
    code: String,
    name: String,
    severity: String,
    summary: String,
    path: String,
}

fn main() {
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")).join("rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut pages = Vec::new();
    let entries = fs::read_dir(&dir).expect("rules/ folder is readable");
    for entry in entries {
        let path = entry.expect("rules/ entry").path();
        let file = path.file_name().and_then(|f| f.to_str()).unwrap_or_default().to_string();
        if !file.starts_with("PN") || !file.ends_with(".md") {
            continue;
        }
        println!("cargo:rerun-if-changed={}", path.display());
        let text = fs::read_to_string(&path).expect("rule page is UTF-8");
        pages.push(parse(&file, &text, &path.display().to_string()));
    }
    pages.sort_by(|a, b| a.code.cmp(&b.code));
    for pair in pages.windows(2) {
        assert!(pair[0].code != pair[1].code, "two pages for {}", pair[0].code);
    }

    let mut out = String::new();
    out.push_str("/// A rule code. Generated from the pages in `rules/`.\n");
    out.push_str("#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]\n");
    out.push_str("#[allow(missing_docs)]\npub enum Code {\n");
    for p in &pages {
        writeln!(out, "    {},", p.code).unwrap();
    }
    out.push_str("}\n\n");
    out.push_str("/// Every rule page, in code order (index = `Code as usize`).\n");
    out.push_str("pub static PAGES: &[RulePage] = &[\n");
    for p in &pages {
        writeln!(
            out,
            "    RulePage {{ code: Code::{}, id: {:?}, name: {:?}, severity: Severity::{}, summary: {:?}, markdown: include_str!({:?}) }},",
            p.code, p.code, p.name, p.severity, p.summary, p.path
        )
        .unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("rules_generated.rs");
    fs::write(dest, out).expect("write generated rule table");
    managed_policies();
}

/// `data/aws-managed-policies.json` as `SOURCE`, `POLICIES` (sorted by name)
/// and `OTHERS` (sorted path + name) for `network::managed`.
fn managed_policies() {
    use serde_json::Value;
    let path = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join("data/aws-managed-policies.json");
    println!("cargo:rerun-if-changed={}", path.display());
    let text = fs::read_to_string(&path).expect("data/aws-managed-policies.json is readable");
    let data: Value = serde_json::from_str(&text).expect("data/aws-managed-policies.json is JSON");
    let field = |v: &Value, key: &str| -> String {
        match &v[key] {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            other => panic!("data/aws-managed-policies.json: `{key}` is {other}"),
        }
    };
    let source = &data["source"];
    let mut out = String::new();
    writeln!(
        out,
        "/// Where the data comes from.\npub static SOURCE: Source = Source {{ package: {:?}, version: {:?}, published: {:?}, policies: {} }};",
        field(source, "package"),
        field(source, "version"),
        field(source, "published"),
        field(source, "policies")
    )
    .unwrap();
    let policies = data["policies"].as_object().expect("`policies` is an object");
    let mut names: Vec<&String> = policies.keys().collect();
    names.sort();
    out.push_str("/// The policies with their documents, sorted by name.\npub static POLICIES: &[Policy] = &[\n");
    for name in names {
        let p = &policies[name.as_str()];
        let document = serde_json::to_string(&p["document"]).expect("a document serializes");
        writeln!(
            out,
            "    Policy {{ name: {name:?}, path: {:?}, version: {:?}, document: {document:?} }},",
            field(p, "path"),
            field(p, "version")
        )
        .unwrap();
    }
    out.push_str("];\n");
    let mut others: Vec<&str> = data["others"]
        .as_array()
        .expect("`others` is a list")
        .iter()
        .map(|o| o.as_str().expect("`others` holds strings"))
        .collect();
    others.sort_unstable();
    out.push_str("/// The path and name of every other policy, sorted.\npub static OTHERS: &[&str] = &[\n");
    for o in others {
        writeln!(out, "    {o:?},").unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("managed_policies.rs");
    fs::write(dest, out).expect("write generated managed policy table");
}

fn parse(file: &str, text: &str, path: &str) -> Page {
    let text = text.replace("\r\n", "\n");
    let body = text
        .strip_prefix("---\n")
        .unwrap_or_else(|| panic!("{file}: a rule page starts with a `---` front matter block"));
    let end = body.find("\n---").unwrap_or_else(|| panic!("{file}: front matter is not closed"));
    let mut page = Page {
        code: String::new(),
        name: String::new(),
        severity: String::new(),
        summary: String::new(),
        path: path.to_string(),
    };
    for line in body[..end].lines() {
        let Some((key, value)) = line.split_once(':') else { continue };
        let value = value.trim().to_string();
        match key.trim() {
            "code" => page.code = value,
            "name" => page.name = value,
            "severity" => {
                page.severity = match value.as_str() {
                    "error" => "Error",
                    "warning" => "Warning",
                    "note" => "Note",
                    other => panic!("{file}: unknown severity {other}"),
                }
                .to_string()
            }
            "summary" => page.summary = value,
            _ => {}
        }
    }
    assert!(
        page.code.len() == 5 && page.code.starts_with("PN") && page.code[2..].bytes().all(|b| b.is_ascii_digit()),
        "{file}: code must look like PN123"
    );
    assert_eq!(file, format!("{}-{}.md", page.code, page.name), "{file}: file name must be <code>-<name>.md");
    assert!(!page.summary.is_empty(), "{file}: summary is missing");
    page
}
