//! Generates `docs/corpus-report.md`: privnet-lint over every template of
//! `../shared/corpus/real/` that has network resources (the files listed in
//! its `network-index.md`), in us-east-1.
//!
//! ```sh
//! cargo run --release --example corpus_report > docs/corpus-report.md
//! ```
//!
//! Error and warning findings on templates known to deploy and work (AWS
//! samples, Quick Starts, widdix) are listed with the review note from
//! `docs/corpus-review.tsv` (`file<TAB>code<TAB>line<TAB>verdict<TAB>note`);
//! one without a note is "unreviewed", and the report says how many.
//!
//! Two more measures: the templates whose own values point at another region
//! than the default one (the note of a region nobody gave), and the widdix
//! templates that import from `${ParentVPCStack}`, each linted together with
//! `vpc/vpc-2azs.yaml` (the parameter bound to it, PN010).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use privnet_lint::Options;
use privnet_lint::finding::Severity;
use privnet_lint::lint::{Input, lint_inputs};
use privnet_lint::network::ami::AmiFamily;
use privnet_lint::reach::Status;

const KNOWN_GOOD: &[&str] = &[
    "aws-cloudformation-templates/",
    "awslabs-aws-cloudformation-templates/",
    "aws-samples/",
    "quickstart-aws-vpc/",
    "quickstart-linux-bastion/",
    "widdix-aws-cf-templates/",
];

fn mark(s: Status) -> &'static str {
    match s {
        Status::Reachable => "✓",
        Status::Unreachable => "✗",
        Status::Unknown => "?",
        Status::NotApplicable => "–",
    }
}

/// Every widdix template of `files` that imports from `${ParentVPCStack}`,
/// linted with `vpc/vpc-2azs.yaml`: its checks, and whether PN010 noted the
/// binding.
fn widdix_with_vpc(root: &Path, files: &BTreeSet<String>, opts: &Options) -> Vec<(String, Vec<String>, bool)> {
    let vpc = "widdix-aws-cf-templates/vpc/vpc-2azs.yaml";
    let Ok(vpc_text) = std::fs::read_to_string(root.join(vpc)) else { return Vec::new() };
    let mut out = Vec::new();
    for rel in files.iter().filter(|f| f.starts_with("widdix-aws-cf-templates/") && f.as_str() != vpc) {
        let Ok(text) = std::fs::read_to_string(root.join(rel)) else { continue };
        if !text.contains("${ParentVPCStack}") {
            continue;
        }
        let inputs = [Input::named(vpc, vpc_text.clone()), Input::named(rel.clone(), text)];
        let results = lint_inputs(&inputs, opts);
        let Some(r) = results.into_iter().find(|r| r.path == *rel) else { continue };
        let checks = r
            .workloads
            .iter()
            .map(|w| format!("{} dnf {} ssm {}", w.resource, mark(w.dnf.status), mark(w.ssm.status)))
            .collect();
        out.push((rel.clone(), checks, r.findings.iter().any(|f| f.code.as_str() == "PN010")));
    }
    out
}

fn main() {
    // `$PRIVNET_LINT_CORPUS` for a checkout that is not next to `shared/`
    let root = match std::env::var_os("PRIVNET_LINT_CORPUS") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real"),
    };
    let Ok(index) = std::fs::read_to_string(root.join("network-index.md")) else {
        eprintln!("corpus not found at {}", root.display());
        std::process::exit(2);
    };
    // each template is linted as from the corpus root, which is then its
    // project root: the files it names (Rain modules in RainModules/, local
    // nested stacks) are found as in the repository it comes from
    let root = std::fs::canonicalize(&root).unwrap_or(root);
    let review_file = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/corpus-review.tsv");
    if let Err(e) = std::env::set_current_dir(&root) {
        eprintln!("cannot enter {}: {e}", root.display());
        std::process::exit(2);
    }
    let files: BTreeSet<String> = index
        .lines()
        .filter_map(|l| l.strip_prefix("| `").and_then(|r| r.split_once('`')).map(|(p, _)| p.to_string()))
        .collect();
    let review: BTreeMap<(String, String, String), (String, String)> = std::fs::read_to_string(&review_file)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut f = l.split('\t');
            let key = (f.next()?.to_string(), f.next()?.to_string(), f.next()?.to_string());
            Some((key, (f.next()?.to_string(), f.next().unwrap_or("").to_string())))
        })
        .collect();
    let opts = Options::default();
    let mut by_code: BTreeMap<String, (usize, BTreeSet<String>)> = BTreeMap::new();
    let mut verdicts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut families: BTreeMap<String, usize> = BTreeMap::new();
    let mut rows = Vec::new();
    let mut good_findings = Vec::new();
    let (mut workloads, mut templates) = (0, 0);
    let mut hinted: Vec<(String, &'static str)> = Vec::new();
    let mut alone: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for rel in &files {
        let Ok(text) = std::fs::read_to_string(root.join(rel)) else { continue };
        templates += 1;
        let results = lint_inputs(&[Input::named(rel.clone(), text)], &opts);
        let Some(r) = results.into_iter().find(|r| r.path == *rel) else { continue };
        workloads += r.workloads.len();
        if let Some(h) = &r.region_hint {
            hinted.push((rel.clone(), h.region));
        }
        for w in &r.workloads {
            *verdicts.entry(("dnf", mark(w.dnf.status))).or_default() += 1;
            *verdicts.entry(("ssm", mark(w.ssm.status))).or_default() += 1;
            let family = match w.image.family {
                AmiFamily::Unknown => "unknown (checked as Amazon Linux 2023)".to_string(),
                _ => w.image.describe(),
            };
            *families.entry(family).or_default() += 1;
        }
        let mut codes: Vec<String> = Vec::new();
        for f in &r.findings {
            let e = by_code.entry(format!("{} {}", f.code, f.code.name())).or_default();
            e.0 += 1;
            e.1.insert(rel.clone());
            if f.severity() >= Severity::Warning {
                codes.push(f.code.to_string());
            }
            if f.severity() >= Severity::Warning && KNOWN_GOOD.iter().any(|k| rel.starts_with(k)) {
                let line = f.span.map(|s| s.start.line.to_string()).unwrap_or_default();
                let note = review.get(&(rel.clone(), f.code.to_string(), line.clone())).cloned();
                good_findings.push((rel.clone(), f.code.to_string(), f.severity(), line, f.message.clone(), note));
            }
        }
        codes.dedup();
        let checks: Vec<String> = r
            .workloads
            .iter()
            .map(|w| format!("{} dnf {} ssm {}", w.resource, mark(w.dnf.status), mark(w.ssm.status)))
            .collect();
        alone.insert(rel.clone(), checks.clone());
        rows.push((rel.clone(), checks, codes));
    }
    let with_vpc = widdix_with_vpc(&root, &files, &opts);
    let unreviewed = good_findings.iter().filter(|g| g.5.is_none()).count();
    let false_alarms = good_findings.iter().filter(|g| g.5.as_ref().is_some_and(|n| n.0 == "false-alarm")).count();
    println!("# Corpus report\n");
    println!(
        "Generated by `cargo run --release --example corpus_report > docs/corpus-report.md` over the {templates} templates"
    );
    println!("with network resources listed in `../shared/corpus/real/network-index.md`, analyzed for us-east-1 with");
    println!("their parameter defaults. Do not edit by hand.\n");
    println!("## Summary\n");
    println!("| | count |\n|---|---|");
    println!("| templates | {templates} |\n| workloads (instances, Auto Scaling group subnets) | {workloads} |");
    for ((check, m), n) in &verdicts {
        println!("| `{check}` {m} | {n} |");
    }
    println!("| errors and warnings on known-good templates | {} |", good_findings.len());
    println!("| ... reviewed as false alarms (bugs to fix) | {false_alarms} |");
    println!("| ... not reviewed yet | {unreviewed} |");
    println!(
        "| templates whose own values point at one other region (named in the default-region note) | {} |\n",
        hinted.len()
    );
    println!(
        "✓ reachable, ✗ unreachable, ? unknown (the template leaves a deciding value open, e.g. a subnet passed as a parameter), – not applicable (no package manager: Windows, Bottlerocket).\n"
    );
    println!("## AMI families\n");
    println!("The family decides the repository the `dnf` check traces (apt's mirror on Ubuntu and Debian) and");
    println!("whether the AMI ships SSM Agent; it is known only from an AMI public parameter.\n");
    println!("| AMI | workloads |\n|---|---|");
    for (family, n) in &families {
        println!("| {family} | {n} |");
    }
    println!();
    println!("## Findings by rule\n");
    println!("| rule | findings | templates |\n|---|---|---|");
    for (code, (n, f)) in &by_code {
        println!("| {code} | {n} | {} |", f.len());
    }
    println!("\n## Errors and warnings on known-good templates\n");
    println!("Templates from AWS samples, Quick Starts and widdix deploy and work; each error or warning on them is");
    println!("reviewed: `true` (the template really has the problem for dnf or Session Manager, e.g. a private");
    println!("subnet on purpose without endpoints), or `false-alarm` (a bug in privnet-lint to fix).\n");
    println!("| template | line | code | verdict | note |\n|---|---|---|---|---|");
    for (file, code, _sev, line, message, note) in &good_findings {
        let (verdict, text) = match note {
            Some((v, n)) => (v.clone(), n.clone()),
            None => ("unreviewed".to_string(), message.replace('|', "\\|").chars().take(160).collect()),
        };
        println!("| `{file}` | {line} | {code} | {verdict} | {} |", text.replace('\n', " "));
    }
    println!("\n## Templates that name another region\n");
    println!("Their own values (prefix-list IDs, endpoint service names, Availability Zones, URLs) all point at one");
    println!(
        "region other than us-east-1; analyzed without `--region`, the output names it and suggests `--region`.\n"
    );
    println!("| template | region |\n|---|---|");
    for (file, region) in &hinted {
        println!("| `{file}` | {region} |");
    }
    println!("\n## widdix templates with their VPC stack\n");
    println!("Each widdix template that imports `${{ParentVPCStack}}-…` linted together with");
    println!("`widdix-aws-cf-templates/vpc/vpc-2azs.yaml`, which exports `${{AWS::StackName}}-…`: the parameter is");
    println!("bound to it (PN010) and the subnet lists it exports as `!Join` come back from `!Split`.\n");
    println!("| template | alone | with vpc-2azs.yaml | PN010 |\n|---|---|---|---|");
    for (file, checks, noted) in &with_vpc {
        let before = alone.get(file).map(|c| c.join("<br>")).unwrap_or_default();
        println!("| `{file}` | {before} | {} | {} |", checks.join("<br>"), if *noted { "yes" } else { "" });
    }
    println!("\n## Every template\n");
    println!("| template | workloads | errors/warnings |\n|---|---|---|");
    for (file, checks, codes) in &rows {
        println!("| `{file}` | {} | {} |", checks.join("<br>"), codes.join(", "));
    }
}
