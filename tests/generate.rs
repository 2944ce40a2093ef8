//! The benchmarks' template generator (`benches/generate.rs`) makes valid
//! templates with the counts it promises, whose workloads all reach dnf and
//! Session Manager (cheap sizes; the timings are in `cargo bench`).

#[path = "../benches/generate.rs"]
#[allow(dead_code)]
mod generate;

use privnet_lint::finding::Code;
use privnet_lint::lint::{Options, lint_text};
use privnet_lint::reach::Status;
use privnet_lint::source;
use privnet_lint::template::Template;

fn counts(text: &str) -> generate::Counts {
    let doc = source::parse(Some("generated.yaml"), text);
    let root = doc.root.as_ref().expect("the generated template parses");
    let (t, _) = Template::new(root).expect("a template");
    let workloads = t
        .resources
        .iter()
        .filter(|r| matches!(r.ty, "AWS::EC2::Instance" | "AWS::AutoScaling::AutoScalingGroup"))
        .count();
    generate::Counts { resources: t.resources.len(), workloads, conditions: t.conditions.len() }
}

fn check(text: &str, expected: generate::Counts) {
    assert_eq!(counts(text), expected);
    let results = lint_text("generated.yaml", text, &Options::default());
    assert_eq!(results.len(), 1);
    let r = &results[0];
    for f in &r.findings {
        assert!(!matches!(f.code, Code::PN001 | Code::PN003 | Code::PN004), "unexpected {f:?}");
    }
    assert!(r.findings.is_empty(), "findings on a clean generated template: {:?}", r.findings);
    // each Auto Scaling group is analyzed once per subnet (two per cell)
    let instances = expected.workloads / 2;
    assert_eq!(r.workloads.len(), instances + 2 * instances);
    for w in &r.workloads {
        assert_eq!(w.dnf.status, Status::Reachable, "{} cannot run dnf", w.resource);
        assert_eq!(w.ssm.status, Status::Reachable, "{} has no Session Manager", w.resource);
    }
}

#[test]
fn resources_template_has_the_promised_counts_and_lints_clean() {
    for n in [1, 22, 500, 1_000] {
        let text = generate::resources(n);
        check(&text, generate::expected(n));
    }
    assert_eq!(generate::expected(1_000).resources, 1_000);
    assert!(generate::expected(10_000).workloads >= 600);
}

#[test]
fn conditions_template_has_the_promised_counts_and_lints_clean() {
    let text = generate::conditions(30);
    check(&text, generate::expected_conditions(30));
}
