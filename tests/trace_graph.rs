//! `trace` and `graph` renderings, snapshot-tested, and the seed's graph
//! rendered by Graphviz.

use privnet_lint::Options;
use privnet_lint::lint::analyze_file;
use privnet_lint::reach::{TraceTarget, trace};
use privnet_lint::report::graph::{render_dot, render_mermaid};
use privnet_lint::report::trace::{Traced, render_json, render_text};

fn traced(path: &str, region: &str, from: &str, to: &str) -> Vec<Traced> {
    let text = std::fs::read_to_string(path).unwrap();
    let a = analyze_file(path, &text, region, &Options::default()).expect("template");
    let target = TraceTarget::parse(to).expect("target");
    let destination = match &target {
        TraceTarget::S3 => format!("al2023-repos-{region}-de612dc2.s3.dualstack.{region}.amazonaws.com:443"),
        TraceTarget::Url(d) => format!("{}:{}", d.host, d.port),
        other => format!("{}.{region}.amazonaws.com:443", format!("{other:?}").to_lowercase()),
    };
    trace(&a.network, region, from, &target)
        .into_iter()
        .map(|(subnet, p)| Traced {
            path: path.to_string(),
            region: region.to_string(),
            workload: from.to_string(),
            source: subnet.as_deref().and_then(|s| a.network.subnet(s)).and_then(|s| s.cidr).map(|c| c.to_string()),
            subnet,
            destination: destination.clone(),
            trace: p,
        })
        .collect()
}

#[test]
fn trace_the_seed_to_s3() {
    insta::assert_snapshot!(render_text(&traced("fixtures/seed-stack.yaml", "ap-northeast-1", "MyEC2Instance", "s3")));
}

#[test]
fn trace_the_seed_to_ssm() {
    insta::assert_snapshot!(render_text(&traced("fixtures/seed-stack.yaml", "ap-northeast-1", "MyEC2Instance", "ssm")));
}

#[test]
fn trace_a_url_through_a_nat_gateway() {
    let t = traced(
        "fixtures/scenarios/nat-design.yaml",
        "us-east-1",
        "Instance",
        "https://github.com/aws/amazon-ssm-agent",
    );
    insta::assert_snapshot!(render_text(&t));
    let json: serde_json::Value = serde_json::from_str(&render_json(&t)).unwrap();
    let hops = json["traces"][0]["hops"].as_array().unwrap();
    let nat = hops.iter().find(|h| h["kind"] == "nat-gateway").expect("nat hop");
    assert_eq!(nat["packet_out"], "NAT gateway's Elastic IP → github.com:443 tcp");
}

#[test]
fn trace_a_blocked_port() {
    let t = traced("fixtures/seed-stack.yaml", "ap-northeast-1", "MyEC2Instance", "s3-ap-northeast-1.amazonaws.com:80");
    assert_eq!(t[0].trace.status, privnet_lint::reach::Status::Unreachable);
    insta::assert_snapshot!(render_text(&t));
}

#[test]
fn unknown_targets_are_refused() {
    assert!(TraceTarget::parse("ftp").is_err());
    assert!(TraceTarget::parse("host:notaport").is_err());
    assert!(matches!(TraceTarget::parse("example.com:8443"), Ok(TraceTarget::Url(d)) if d.port == 8443));
}

fn graph_of(path: &str, region: &str) -> (String, String) {
    let text = std::fs::read_to_string(path).unwrap();
    let a = analyze_file(path, &text, region, &Options::default()).unwrap();
    (render_dot(&a.network, &a.workloads), render_mermaid(&a.network, &a.workloads))
}

#[test]
fn graph_of_the_seed() {
    let (dot, mermaid) = graph_of("fixtures/seed-stack.yaml", "ap-northeast-1");
    insta::assert_snapshot!("seed_dot", dot);
    insta::assert_snapshot!("seed_mermaid", mermaid);
}

#[test]
fn graph_highlights_blocking_hops() {
    let (dot, mermaid) = graph_of("fixtures/rules/PN101-no-route-to-s3.fail.yaml", "us-east-1");
    assert!(dot.contains("fillcolor=\"#f8d0d0\""), "{dot}");
    assert!(mermaid.contains("class n") && mermaid.contains("blocked"), "{mermaid}");
    insta::assert_snapshot!("pn101_mermaid", mermaid);
}

#[test]
fn graphviz_renders_the_seed() {
    let Ok(out) = std::process::Command::new("dot").arg("-V").output() else {
        eprintln!("graphviz `dot` is not installed; skipped (.ci/run installs it)");
        return;
    };
    assert!(out.status.success());
    let (dot, _) = graph_of("fixtures/seed-stack.yaml", "ap-northeast-1");
    let png = std::env::temp_dir().join(format!("privnet-lint-seed-{}.png", std::process::id()));
    let mut child = std::process::Command::new("dot")
        .args(["-Tpng", "-o"])
        .arg(&png)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(dot.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG"), "not a PNG");
    let _ = std::fs::remove_file(png);
}

#[test]
fn trace_and_graph_through_the_binary() {
    use assert_cmd::Command;
    let ok = Command::cargo_bin("privnet-lint")
        .unwrap()
        .args([
            "trace",
            "fixtures/seed-stack.yaml",
            "--from",
            "MyEC2Instance",
            "--to",
            "s3",
            "--region",
            "ap-northeast-1",
        ])
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("reachable via S3VPCEndpoint"));
    let blocked = Command::cargo_bin("privnet-lint")
        .unwrap()
        .args([
            "trace",
            "fixtures/seed-stack.yaml",
            "--from",
            "MyEC2Instance",
            "--to",
            "http://example.com/x.rpm",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(blocked.status.code(), Some(1), "an unreachable path exits 1");
    let doc: serde_json::Value = serde_json::from_slice(&blocked.stdout).unwrap();
    assert_eq!(doc["schema"], "privnet-lint/trace-v1");
    assert_eq!(doc["traces"][0]["status"], "unreachable");
    for bad in [
        vec!["trace", "fixtures/seed-stack.yaml", "--from", "Nope", "--to", "s3"],
        vec!["trace", "fixtures/seed-stack.yaml", "--from", "MyEC2Instance", "--to", "ftp"],
        vec!["trace", "missing.yaml", "--from", "MyEC2Instance", "--to", "s3"],
    ] {
        let out = Command::cargo_bin("privnet-lint").unwrap().args(&bad).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1, "{bad:?}");
    }
    let graph = Command::cargo_bin("privnet-lint")
        .unwrap()
        .args(["graph", "fixtures/seed-stack.yaml", "--format", "dot"])
        .output()
        .unwrap();
    assert_eq!(graph.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&graph.stdout).starts_with("digraph privnet {"));
}
