//! Several templates at once (SPEC §2, issue 5): `Fn::ImportValue` against
//! the other files' exports, nested stacks with a local `TemplateURL`, and
//! one template across regions.

use assert_cmd::Command;
use serde_json::Value;

fn json(args: &[&str]) -> (Value, i32) {
    let out = Command::cargo_bin("privnet-lint").unwrap().args(args).args(["--format", "json"]).output().unwrap();
    (serde_json::from_slice(&out.stdout).expect("json"), out.status.code().unwrap_or(-1))
}

fn result<'a>(doc: &'a Value, path_end: &str, region: &str) -> &'a Value {
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"].as_str().unwrap().ends_with(path_end) && r["region"] == region)
        .unwrap_or_else(|| panic!("no result for {path_end} {region}: {doc}"))
}

fn codes(r: &Value) -> Vec<(String, u64)> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap().to_string(), f["location"]["line"].as_u64().unwrap_or(0)))
        .collect()
}

#[test]
fn import_value_is_resolved_against_the_other_files_exports() {
    let (doc, code) = json(&["fixtures/stacks/import/network.yaml", "fixtures/stacks/import/app.fail.yaml"]);
    assert_eq!(code, 1);
    let app = result(&doc, "app.fail.yaml", "us-east-1");
    let w = &app["workloads"][0];
    assert_eq!(w["subnet"], "network.yaml/PrivateSubnet");
    assert_eq!(w["checks"]["dnf"]["status"], "unreachable");
    assert_eq!(w["checks"]["dnf"]["reasons"], serde_json::json!(["PN201"]));
    assert_eq!(w["checks"]["ssm"]["status"], "reachable");
    assert_eq!(codes(app), vec![("PN201".to_string(), 15)]);
    // the network stack's workloads are not repeated in the app's result
    assert!(result(&doc, "network.yaml", "us-east-1")["workloads"].as_array().unwrap().is_empty());

    let (doc, code) = json(&["fixtures/stacks/import/network.yaml", "fixtures/stacks/import/app.pass.yaml"]);
    assert_eq!(code, 0, "{doc}");
    let w = &result(&doc, "app.pass.yaml", "us-east-1")["workloads"][0];
    assert_eq!(w["checks"]["dnf"]["status"], "reachable");
    assert_eq!(w["checks"]["ssm"]["status"], "reachable");
}

#[test]
fn without_the_exporting_file_the_import_stays_unknown() {
    let (doc, code) = json(&["fixtures/stacks/import/app.pass.yaml"]);
    assert_eq!(code, 0);
    let w = &doc["results"][0]["workloads"][0];
    assert_eq!(w["checks"]["dnf"]["status"], "unknown");
    assert_eq!(w["checks"]["dnf"]["reasons"], serde_json::json!(["PN005"]));
}

#[test]
fn nested_stacks_are_followed_with_their_parameters() {
    let (doc, code) = json(&["fixtures/stacks/nested/parent.pass.yaml"]);
    assert_eq!(code, 0, "{doc}");
    let w = &result(&doc, "parent.pass.yaml", "us-east-1")["workloads"][0];
    assert_eq!(w["subnet"], "NetworkStack/PrivateSubnet");
    assert_eq!(w["checks"]["dnf"]["status"], "reachable");
    assert_eq!(w["checks"]["ssm"]["status"], "reachable");

    let (doc, code) = json(&["fixtures/stacks/nested/parent.fail.yaml"]);
    assert_eq!(code, 1);
    let w = &result(&doc, "parent.fail.yaml", "us-east-1")["workloads"][0];
    assert_eq!(w["checks"]["ssm"]["status"], "unreachable");
    assert_eq!(w["checks"]["ssm"]["reasons"], serde_json::json!(["PN402"]));
    // the findings point into the nested template, where the fix goes
    let child = result(&doc, "nested/network.yaml", "us-east-1");
    assert_eq!(codes(child), vec![("PN402".to_string(), 50), ("PN402".to_string(), 59)]);
    assert_eq!(child["findings"][0]["resource"], "SsmEndpoint");
}

#[test]
fn one_template_across_regions() {
    let regions = "us-east-1,us-west-2,eu-west-1,ap-northeast-1";
    let (doc, code) = json(&["fixtures/regions/prefix-list.fail.yaml", "--region", regions]);
    assert_eq!(code, 1);
    for (region, status) in [
        ("us-east-1", "unreachable"),
        ("us-west-2", "unreachable"),
        ("eu-west-1", "unreachable"),
        ("ap-northeast-1", "reachable"),
    ] {
        let r = result(&doc, "prefix-list.fail.yaml", region);
        assert_eq!(r["workloads"][0]["checks"]["dnf"]["status"], status, "{region}");
    }
    let (doc, code) = json(&["fixtures/regions/prefix-list.pass.yaml", "--region", regions]);
    assert_eq!(code, 0);
    assert_eq!(doc["results"].as_array().unwrap().len(), 4);
    // `all` is every known commercial region; regions without a known S3
    // prefix list are unknown, not wrong
    let (doc, _) = json(&["fixtures/regions/prefix-list.fail.yaml", "--region", "all"]);
    let results = doc["results"].as_array().unwrap();
    assert!(results.len() >= 30);
    let unknown: Vec<&str> = results
        .iter()
        .filter(|r| r["workloads"][0]["checks"]["dnf"]["status"] == "unknown")
        .map(|r| r["region"].as_str().unwrap())
        .collect();
    assert!(unknown.contains(&"ap-east-1"), "{unknown:?}");
}

#[test]
fn human_output_has_a_region_matrix() {
    let out = Command::cargo_bin("privnet-lint")
        .unwrap()
        .args(["fixtures/regions/prefix-list.fail.yaml", "--region", "us-east-1,ap-northeast-1", "--no-color"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("region matrix for fixtures/regions/prefix-list.fail.yaml"), "{text}");
    assert!(text.contains("Instance  us-east-1        ✗    ✓    PN206"), "{text}");
    assert!(text.contains("Instance  ap-northeast-1   ✓    ✓"), "{text}");
}

fn finding<'a>(r: &'a Value, code: &str) -> Option<&'a Value> {
    r["findings"].as_array().unwrap().iter().find(|f| f["code"] == code)
}

const WIDDIX: &str = "fixtures/stacks/widdix";

#[test]
fn a_stack_name_parameter_binds_to_the_one_exporting_template() {
    // `!Sub '${ParentVPCStack}-Subnets${SubnetsReach}'` with no value for
    // ParentVPCStack; vpc.yaml exports `${AWS::StackName}-SubnetsPublic` as
    // `!Join [',', [!Ref SubnetAPublic, !Ref SubnetBPublic]]`
    let (doc, code) = json(&[&format!("{WIDDIX}/vpc.yaml"), &format!("{WIDDIX}/cluster.yaml")]);
    assert_eq!(code, 0, "{doc}");
    let cluster = result(&doc, "widdix/cluster.yaml", "us-east-1");
    let workloads = cluster["workloads"].as_array().unwrap();
    let subnets: Vec<&str> = workloads.iter().map(|w| w["subnet"].as_str().unwrap()).collect();
    assert_eq!(subnets, vec!["vpc.yaml/SubnetAPublic", "vpc.yaml/SubnetBPublic"]);
    for w in workloads {
        assert_eq!(w["resource"], "AutoScalingGroup");
        assert_eq!(w["checks"]["dnf"]["status"], "reachable", "{w}");
        assert_eq!(w["checks"]["ssm"]["status"], "reachable", "{w}");
    }
    let note = finding(cluster, "PN010").expect("a PN010 note");
    assert_eq!(note["severity"], "note");
    assert_eq!(note["location"]["line"], 8, "at the parameter's declaration");
    let message = note["message"].as_str().unwrap();
    assert!(message.contains("parameter `ParentVPCStack`"), "{message}");
    assert!(message.contains("vpc.yaml is the only template of this run"), "{message}");
    assert!(message.contains("`${AWS::StackName}-SubnetsPublic`"), "{message}");
    assert!(finding(cluster, "PN005").is_none(), "nothing left open: {cluster}");

    // the private subnets have no route out: the findings go to vpc.yaml,
    // where the fix is
    let (doc, code) = json(&[
        &format!("{WIDDIX}/vpc.yaml"),
        &format!("{WIDDIX}/cluster.yaml"),
        "--parameter",
        "SubnetsReach=Private",
    ]);
    assert_eq!(code, 1);
    let cluster = result(&doc, "widdix/cluster.yaml", "us-east-1");
    for w in cluster["workloads"].as_array().unwrap() {
        assert_eq!(w["checks"]["dnf"]["status"], "unreachable", "{w}");
        assert_eq!(w["checks"]["dnf"]["reasons"], serde_json::json!(["PN101"]));
    }
    let vpc = result(&doc, "widdix/vpc.yaml", "us-east-1");
    assert!(codes(vpc).contains(&("PN101".to_string(), 51)), "{vpc}");
}

#[test]
fn two_templates_of_that_shape_leave_the_import_open_naming_both() {
    let (doc, code) =
        json(&[&format!("{WIDDIX}/vpc.yaml"), &format!("{WIDDIX}/vpc-1az.yaml"), &format!("{WIDDIX}/cluster.yaml")]);
    assert_eq!(code, 0);
    let cluster = result(&doc, "widdix/cluster.yaml", "us-east-1");
    assert!(finding(cluster, "PN010").is_none(), "{cluster}");
    let w = &cluster["workloads"][0];
    assert_eq!(w["checks"]["dnf"]["status"], "unknown");
    assert_eq!(w["checks"]["dnf"]["reasons"], serde_json::json!(["PN005"]));
    // one note for the open value, naming both templates, with advice that works
    let notes: Vec<&Value> = cluster["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "PN005").collect();
    assert_eq!(notes.len(), 1, "{cluster}");
    let message = notes[0]["message"].as_str().unwrap();
    assert_eq!(notes[0]["location"]["line"], 8, "at the parameter that names the stack");
    assert!(message.contains("parameter `ParentVPCStack` has no value"), "{message}");
    assert!(message.contains("the import `${ParentVPCStack}-SubnetsPublic`"), "{message}");
    assert!(message.contains("2 templates of this run export it (vpc.yaml, vpc-1az.yaml)"), "{message}");
    let fix = notes[0]["fix"].as_str().unwrap();
    assert!(fix.contains("only the one `ParentVPCStack` names (vpc.yaml or vpc-1az.yaml)"), "{fix}");
    // the hop says why
    let detail = w["checks"]["dnf"]["paths"][0]["hops"][0]["detail"].as_str().unwrap();
    assert!(detail.contains("parameter `ParentVPCStack` has no value and names a stack"), "{detail}");
    assert!(detail.contains("vpc.yaml and vpc-1az.yaml"), "{detail}");
}

#[test]
fn the_stack_name_given_matches_without_a_note() {
    let (doc, code) = json(&[
        &format!("{WIDDIX}/vpc.yaml"),
        &format!("{WIDDIX}/cluster.yaml"),
        "--parameter",
        "ParentVPCStack=network",
    ]);
    assert_eq!(code, 0);
    let cluster = result(&doc, "widdix/cluster.yaml", "us-east-1");
    assert!(finding(cluster, "PN010").is_none(), "{cluster}");
    assert_eq!(cluster["workloads"][0]["checks"]["dnf"]["status"], "reachable");
}

#[test]
fn the_real_widdix_cluster_gets_verdicts_with_its_vpc() {
    let root = std::path::Path::new("../shared/corpus/real/widdix-aws-cf-templates");
    if !root.exists() {
        eprintln!("skipped: {} is absent", root.display());
        return;
    }
    let vpc = root.join("vpc/vpc-2azs.yaml");
    let cluster = root.join("ecs/cluster.yaml");
    let (doc, _) = json(&[vpc.to_str().unwrap(), cluster.to_str().unwrap(), "--parameter", "SubnetsReach=Private"]);
    let r = result(&doc, "ecs/cluster.yaml", "us-east-1");
    let workloads = r["workloads"].as_array().unwrap();
    assert_eq!(workloads.len(), 2, "one workload per private subnet: {r}");
    for w in workloads {
        assert_ne!(w["checks"]["dnf"]["status"], "unknown", "{w}");
        assert_ne!(w["checks"]["ssm"]["status"], "unknown", "{w}");
        assert!(w["subnet"].as_str().unwrap().starts_with("vpc-2azs.yaml/Subnet"), "{w}");
    }
    let note = finding(r, "PN010").expect("PN010");
    assert!(note["message"].as_str().unwrap().contains("vpc-2azs.yaml"), "{note}");
}

#[test]
fn a_template_lacking_one_of_the_names_is_not_bound() {
    use privnet_lint::lint::{Input, lint_inputs};
    // vpc.yaml without its `-VPC` export: deploying the cluster with it as
    // the parent fails ("No export named …-VPC"), so it names no stack
    let vpc = std::fs::read_to_string(format!("{WIDDIX}/vpc.yaml")).unwrap();
    let cut = vpc.find("  VPC:\n    Description: 'VPC.'").expect("the VPC output");
    let end = cut + vpc[cut..].find("  SubnetsPublic:").unwrap();
    let partial = format!("{}{}", &vpc[..cut], &vpc[end..]);
    let cluster = std::fs::read_to_string(format!("{WIDDIX}/cluster.yaml")).unwrap();
    let inputs = [Input::named("vpc.yaml", partial), Input::named("cluster.yaml", cluster)];
    let results = lint_inputs(&inputs, &privnet_lint::Options::default());
    let r = results.iter().find(|r| r.path == "cluster.yaml").unwrap();
    assert!(r.findings.iter().all(|f| f.code.as_str() != "PN010"), "{:?}", r.findings);
    let w = &r.workloads[0];
    assert_eq!(w.dnf.status, privnet_lint::reach::Status::Unknown);
    let note = r.findings.iter().find(|f| f.code.as_str() == "PN005").expect("PN005");
    assert!(
        note.message.contains(
            "no template of this run exports every name it is used for (vpc.yaml lacks `${AWS::StackName}-VPC`)"
        ),
        "{}",
        note.message
    );
}

#[test]
fn imports_from_one_stack_parameter_share_one_note() {
    // two subnets imported from `${ParentVPCStack}`, and nothing in the run
    // exports them: one value decides both, the stack the parameter names
    let text = std::fs::read_to_string(format!("{WIDDIX}/cluster.yaml")).unwrap();
    let two = text.replace(
        "VPCZoneIdentifier: !Split [',', {'Fn::ImportValue': !Sub '${ParentVPCStack}-Subnets${SubnetsReach}'}]",
        "VPCZoneIdentifier:\n        - {'Fn::ImportValue': !Sub '${ParentVPCStack}-SubnetA'}\n        - {'Fn::ImportValue': !Sub '${ParentVPCStack}-SubnetB'}",
    );
    assert_ne!(two, text);
    let dir = std::env::temp_dir().join(format!("privnet-lint-parent-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("cluster.yaml");
    std::fs::write(&path, &two).unwrap();
    let (doc, code) = json(&[path.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(code, 0, "{doc}");
    let r = &doc["results"][0];
    let workloads = r["workloads"].as_array().unwrap();
    assert_eq!(workloads.len(), 2, "one workload per subnet: {r}");
    for w in workloads {
        assert_eq!(w["checks"]["dnf"]["status"], "unknown", "{w}");
        assert_eq!(w["checks"]["dnf"]["reasons"], serde_json::json!(["PN005"]));
    }
    let notes: Vec<&Value> = r["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "PN005").collect();
    assert_eq!(notes.len(), 1, "one note for the one deciding value: {r}");
    assert_eq!(notes[0]["resource"], "ParentVPCStack");
    assert_eq!(notes[0]["location"]["line"], 8);
    let message = notes[0]["message"].as_str().unwrap();
    assert!(
        message.contains(
            "parameter `ParentVPCStack` has no value and names the stack the imports `${ParentVPCStack}-SubnetA` and `${ParentVPCStack}-SubnetB` read from, and no template of this run exports them"
        ),
        "{message}"
    );
    let fix = notes[0]["fix"].as_str().unwrap();
    assert!(fix.contains("Lint the template of the stack `ParentVPCStack` names in the same run"), "{fix}");
}
