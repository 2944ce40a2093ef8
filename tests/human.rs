//! Snapshots of the human output: the seed in its region, and three broken
//! variants (a missing route, an endpoint group without ingress, a NACL
//! without the return rule).

use privnet_lint::report::Report;
use privnet_lint::report::human::{Style, render};
use privnet_lint::{Options, lint_text};

fn human(path: &str, region: &str) -> String {
    let text = std::fs::read_to_string(path).expect("fixture");
    let opts = Options::for_regions([region]);
    let report = Report { results: lint_text(path, &text, &opts) };
    render(&report, Style { color: false, quiet: false })
}

#[test]
fn seed_in_ap_northeast_1() {
    insta::assert_snapshot!(human("fixtures/seed-stack.yaml", "ap-northeast-1"));
}

#[test]
fn seed_in_us_east_1() {
    insta::assert_snapshot!(human("fixtures/seed-stack.yaml", "us-east-1"));
}

#[test]
fn broken_no_route_to_s3() {
    insta::assert_snapshot!(human("fixtures/rules/PN101-no-route-to-s3.fail.yaml", "us-east-1"));
}

#[test]
fn broken_endpoint_group_without_ingress() {
    insta::assert_snapshot!(human("fixtures/rules/PN203-endpoint-sg-blocks-ingress.fail.yaml", "us-east-1"));
}

#[test]
fn broken_nacl_without_return_rule() {
    insta::assert_snapshot!(human("fixtures/rules/PN302-nacl-blocks-return.fail.yaml", "us-east-1"));
}

#[test]
fn colour_only_when_asked() {
    let text = std::fs::read_to_string("fixtures/seed-stack.yaml").unwrap();
    let report = Report { results: lint_text("seed.yaml", &text, &Options::default()) };
    assert!(!render(&report, Style { color: false, quiet: false }).contains('\x1b'));
    assert!(render(&report, Style { color: true, quiet: false }).contains('\x1b'));
}
