//! CDK cloud assemblies (SPEC §8, issue 13), on real assemblies that
//! aws-cdk-lib synthesized (fixtures/cdk/<name>/app.js, re-made by
//! fixtures/cdk/synth.sh): verdicts, regions from the stack environments,
//! cross-stack references (strong and weak), a Stage, a NestedStack, and
//! the construct path in every format.

mod common;

use common::{bin, scratch};
use serde_json::Value;

fn run(args: &[&str]) -> (Value, i32) {
    let out = bin().args(args).args(["--format", "json"]).output().unwrap();
    let doc =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (doc, out.status.code().unwrap_or(-1))
}

fn results(doc: &Value) -> &Vec<Value> {
    doc["results"].as_array().unwrap()
}

fn result<'a>(doc: &'a Value, path_end: &str) -> &'a Value {
    results(doc)
        .iter()
        .find(|r| r["path"].as_str().unwrap().ends_with(path_end))
        .unwrap_or_else(|| panic!("no result for {path_end}: {doc}"))
}

fn workload(doc: &Value) -> &Value {
    let all: Vec<&Value> = results(doc).iter().flat_map(|r| r["workloads"].as_array().unwrap()).collect();
    assert_eq!(all.len(), 1, "{doc}");
    all[0]
}

fn status(w: &Value, check: &str) -> (String, Vec<String>) {
    let c = &w["checks"][check];
    let reasons = c["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_string()).collect();
    (c["status"].as_str().unwrap().to_string(), reasons)
}

fn finding<'a>(doc: &'a Value, code: &str) -> &'a Value {
    results(doc)
        .iter()
        .flat_map(|r| r["findings"].as_array().unwrap())
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no {code}: {doc}"))
}

fn all_codes(doc: &Value) -> Vec<String> {
    results(doc)
        .iter()
        .flat_map(|r| r["findings"].as_array().unwrap())
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn isolated_vpc_with_endpoints_is_reachable_in_the_stacks_region() {
    let (doc, code) = run(&["fixtures/cdk/isolated-endpoints/cdk.out"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(results(&doc).len(), 1);
    let r = result(&doc, "cdk.out/IsolatedStack.template.json");
    assert_eq!(r["region"], "eu-west-1");
    assert_eq!(r["region_source"], "cdk-environment");
    let w = workload(&doc);
    assert_eq!(w["resource"], "InstanceC1063A87");
    assert_eq!(w["construct_path"], "IsolatedStack/Instance/Resource");
    assert_eq!(status(w, "dnf").0, "reachable");
    assert_eq!(status(w, "ssm").0, "reachable");
    assert!(all_codes(&doc).is_empty(), "{doc}");
}

#[test]
fn the_stacks_environment_wins_over_region_and_agnostic_stacks_take_it() {
    // a stack with its own region: analyzed there, whatever --region says
    let (doc, _) = run(&["fixtures/cdk/isolated-endpoints/cdk.out", "--region", "us-west-2"]);
    assert_eq!(results(&doc).len(), 1, "{doc}");
    assert_eq!(results(&doc)[0]["region"], "eu-west-1");
    assert_eq!(results(&doc)[0]["region_source"], "cdk-environment");
    // and standard error says that --region was not used for it
    let out = bin().args(["fixtures/cdk/isolated-endpoints/cdk.out", "--region", "us-west-2", "-q"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        err.contains("--region (us-west-2) does not apply to CDK stack")
            && err.contains("IsolatedStack.template.json: it is analyzed for eu-west-1"),
        "{err}"
    );
    // nothing to say when --region names the stack's region, or for an
    // environment-agnostic stack
    for (path, region) in [("isolated-endpoints", "eu-west-1"), ("env-agnostic", "us-west-2")] {
        let out = bin().args([&format!("fixtures/cdk/{path}/cdk.out"), "--region", region]).output().unwrap();
        assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    // an environment-agnostic stack: the run's regions
    let (doc, code) = run(&["fixtures/cdk/env-agnostic/cdk.out", "--region", "ap-northeast-1,eu-central-1"]);
    assert_eq!(code, 0, "{doc}");
    let regions: Vec<(&str, &str)> =
        results(&doc).iter().map(|r| (r["region"].as_str().unwrap(), r["region_source"].as_str().unwrap())).collect();
    assert_eq!(regions, vec![("ap-northeast-1", "flag"), ("eu-central-1", "flag")]);
    for r in results(&doc) {
        let w = &r["workloads"][0];
        assert_eq!(w["construct_path"], "AgnosticStack/Instance/Resource");
        assert_eq!(status(w, "dnf").0, "reachable", "{}", r["region"]);
        assert_eq!(status(w, "ssm").0, "reachable");
    }
    let (doc, _) = run(&["fixtures/cdk/env-agnostic/cdk.out"]);
    assert_eq!(results(&doc)[0]["region"], "us-east-1");
    assert_eq!(results(&doc)[0]["region_source"], "default");
}

#[test]
fn without_the_s3_endpoint_and_with_a_bare_role_both_checks_fail_with_cdk_fixes() {
    let (doc, code) = run(&["fixtures/cdk/missing-s3-endpoint/cdk.out"]);
    assert_eq!(code, 1, "{doc}");
    let w = workload(&doc);
    assert_eq!(status(w, "dnf"), ("unreachable".to_string(), vec!["PN101".to_string()]));
    assert_eq!(status(w, "ssm"), ("unreachable".to_string(), vec!["PN502".to_string()]));
    let pn101 = finding(&doc, "PN101");
    assert_eq!(pn101["construct_path"], "BrokenStack/Vpc/IsolatedSubnet1/RouteTable");
    let fix = pn101["fix"].as_str().unwrap();
    assert!(fix.contains("addGatewayEndpoint('S3'") && fix.contains("GatewayVpcEndpointAwsService.S3"), "{fix}");
    assert!(fix.contains("BrokenStack/Vpc"), "{fix}");
    assert!(pn101["message"].as_str().unwrap().contains("PRIVATE_ISOLATED"), "{pn101}");
    let pn502 = finding(&doc, "PN502");
    assert_eq!(pn502["construct_path"], "BrokenStack/BareRole/Resource");
    let fix = pn502["fix"].as_str().unwrap();
    assert!(fix.contains("fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')"), "{fix}");
    assert!(fix.contains("ssmSessionPermissions: true"), "{fix}");
}

#[test]
fn allow_all_outbound_false_is_no_egress_and_said_so() {
    let (doc, code) = run(&["fixtures/cdk/no-egress/cdk.out"]);
    assert_eq!(code, 1, "{doc}");
    let w = workload(&doc);
    assert_eq!(status(w, "dnf"), ("unreachable".to_string(), vec!["PN201".to_string()]));
    assert_eq!(status(w, "ssm"), ("unreachable".to_string(), vec!["PN202".to_string()]));
    for code in ["PN201", "PN202"] {
        let f = finding(&doc, code);
        let message = f["message"].as_str().unwrap();
        assert!(message.contains("created with allowAllOutbound: false"), "{message}");
        assert!(!message.contains("255.255.255.255"), "{message}");
        assert_eq!(f["construct_path"], "LockedStack/InstanceSg/Resource");
        let fix = f["fix"].as_str().unwrap();
        assert!(fix.contains("addEgressRule") || fix.contains("allowAllOutbound: true"), "{fix}");
    }
}

#[test]
fn strong_references_resolve_between_the_stacks_of_the_assembly() {
    let (doc, code) = run(&["fixtures/cdk/cross-stack/cdk.out"]);
    assert_eq!(code, 0, "{doc}");
    let w = workload(&doc);
    assert_eq!(w["construct_path"], "AppStack/Instance/Resource");
    assert_eq!(status(w, "dnf").0, "reachable");
    assert_eq!(status(w, "ssm").0, "reachable");
    // the app stack alone: the import is another stack's export
    let (doc, _) = run(&["fixtures/cdk/cross-stack/cdk.out/AppStack.template.json", "--region", "eu-west-1"]);
    assert_eq!(status(workload(&doc), "dnf"), ("unknown".to_string(), vec!["PN005".to_string()]));
}

#[test]
fn weak_references_resolve_and_are_no_error() {
    let (doc, code) = run(&["fixtures/cdk/weak-refs/cdk.out"]);
    assert_eq!(code, 0, "{doc}");
    assert!(all_codes(&doc).is_empty(), "{doc}");
    let app = &fs_text("fixtures/cdk/weak-refs/cdk.out/AppStack.template.json");
    assert!(app.contains("Fn::GetStackOutput"), "the fixture uses weak references");
    let w = workload(&doc);
    assert_eq!(status(w, "dnf").0, "reachable");
    assert_eq!(status(w, "ssm").0, "reachable");
    // alone: unknown, a note that says which stack to lint with it; no PN004
    let (doc, code) = run(&["fixtures/cdk/weak-refs/cdk.out/AppStack.template.json", "--region", "eu-west-1"]);
    assert_eq!(code, 0, "{doc}");
    assert!(!all_codes(&doc).contains(&"PN004".to_string()), "{doc}");
    let note = finding(&doc, "PN005")["message"].as_str().unwrap().to_string();
    assert!(note.contains("Fn::GetStackOutput") && note.contains("NetworkStack"), "{note}");
    // plain templates linted together: the stack name is the file name up to its first dot
    let (doc, code) = run(&[
        "fixtures/cdk/weak-refs/cdk.out/NetworkStack.template.json",
        "fixtures/cdk/weak-refs/cdk.out/AppStack.template.json",
        "--region",
        "eu-west-1",
    ]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(status(workload(&doc), "ssm").0, "reachable");
}

fn fs_text(path: &str) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn stack_name_names_a_plain_template_for_get_stack_output() {
    let dir = scratch("cdk", "stack-name");
    std::fs::copy("fixtures/cdk/weak-refs/cdk.out/NetworkStack.template.json", dir.join("net.json")).unwrap();
    std::fs::copy("fixtures/cdk/weak-refs/cdk.out/AppStack.template.json", dir.join("app.json")).unwrap();
    let net = dir.join("net.json");
    let app = dir.join("app.json");
    let (net, app) = (net.to_str().unwrap(), app.to_str().unwrap());
    let (doc, _) = run(&[net, app, "--region", "eu-west-1"]);
    assert_eq!(status(workload(&doc), "ssm").0, "unknown", "{doc}");
    let named = format!("{net}=NetworkStack");
    let (doc, code) = run(&[net, app, "--region", "eu-west-1", "--stack-name", &named]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(status(workload(&doc), "ssm").0, "reachable", "{doc}");
    // a stack name CloudFormation would not accept is a usage error
    let out = bin().args([net, "--stack-name", &format!("{net}=no_underscores")]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// `describe-stacks` output naming `NetworkStack` in `region` with the two
/// outputs the weak-refs app stack reads.
fn describe_stacks(region: &str) -> String {
    format!(
        r#"{{"Stacks": [{{"StackName": "NetworkStack",
            "StackId": "arn:aws:cloudformation:{region}:123456789012:stack/NetworkStack/0f1e2d3c-0000-4000-8000-000000000000",
            "StackStatus": "UPDATE_COMPLETE",
            "Outputs": [
              {{"OutputKey": "PublishOutputRefVpc8378EB385002A76F", "OutputValue": "vpc-0a1b2c3d4e5f60718"}},
              {{"OutputKey": "PublishOutputRefVpcIsolatedSubnet1SubnetE48C57370776373F", "OutputValue": "subnet-0a1b2c3d4e5f60718"}}
            ]}}]}}"#
    )
}

#[test]
fn get_stack_output_reads_deployed_stacks_from_describe_stacks() {
    // fixtures/state: the `network` stack's outputs name the deployed
    // subnet and security group, which the account state describes
    let app = "fixtures/state/templates/stack-output.yaml";
    let (doc, code) = run(&[app, "--account-state", "fixtures/state/private-subnet"]);
    assert_eq!(code, 0, "{doc}");
    let w = workload(&doc);
    assert_eq!(w["subnet"], "subnet-0a1b2c3d4e5f67890", "{w}");
    assert_eq!(status(w, "dnf").0, "reachable");
    assert_eq!(status(w, "ssm").0, "reachable");
    // the same account without the S3 route: the finding is on the output
    // the subnet came from, and names where the route table was read
    let (doc, code) = run(&[app, "--account-state", "fixtures/state/no-s3-route"]);
    assert_eq!(code, 1, "{doc}");
    let f = finding(&doc, "PN101");
    assert_eq!(f["location"]["line"], 13, "{f}");
    assert_eq!(f["state"]["file"], "fixtures/state/no-s3-route/route-tables.json", "{f}");
    // a stack deployed in another region (its StackId) is not the one the
    // reference reads
    let (doc, _) = run(&[app, "--region", "eu-west-1", "--account-state", "fixtures/state/private-subnet"]);
    let note = finding(&doc, "PN005")["message"].as_str().unwrap().to_string();
    assert!(note.contains("Fn::GetStackOutput") && note.contains("describe-stacks"), "{note}");

    // a template of the run named like the deployed stack is what the
    // reference reads: its VPC, with its endpoints, joins the model
    let dir = scratch("cdk", "describe-stacks");
    let state = dir.join("stacks.json");
    std::fs::write(&state, describe_stacks("eu-west-1")).unwrap();
    let state = state.to_str().unwrap();
    let net = "fixtures/cdk/weak-refs/cdk.out/NetworkStack.template.json";
    let app = "fixtures/cdk/weak-refs/cdk.out/AppStack.template.json";
    let (doc, code) = run(&[net, app, "--region", "eu-west-1", "--account-state", state]);
    assert_eq!(code, 0, "{doc}");
    let w = workload(&doc);
    assert_eq!(w["subnet"], "NetworkStack.template.json/VpcIsolatedSubnet1SubnetE48C5737", "{w}");
    assert_eq!(status(w, "ssm").0, "reachable");
    // without that template, the deployed stack's output is read
    let (doc, _) = run(&[app, "--region", "eu-west-1", "--account-state", state]);
    let messages = doc.to_string();
    assert!(messages.contains("subnet-0a1b2c3d4e5f60718") && !messages.contains("Fn::GetStackOutput"), "{doc}");
}

#[test]
fn a_stage_is_a_nested_assembly_with_its_own_region() {
    let (doc, code) = run(&["fixtures/cdk/stage/cdk.out"]);
    assert_eq!(code, 1, "{doc}");
    for r in results(&doc) {
        assert!(r["path"].as_str().unwrap().contains("cdk.out/assembly-Prod/"), "{r}");
        assert_eq!(r["region"], "eu-central-1");
        assert_eq!(r["region_source"], "cdk-environment");
    }
    let w = workload(&doc);
    assert_eq!(w["construct_path"], "Prod/App/Instance/Resource");
    assert_eq!(status(w, "dnf"), ("unreachable".to_string(), vec!["PN101".to_string()]));
    assert_eq!(status(w, "ssm").0, "reachable");
    // the fix goes in the network stack, where the VPC is
    let network = result(&doc, "assembly-Prod/ProdNetwork2D2E7D69.template.json");
    assert_eq!(network["findings"][0]["code"], "PN101");
    assert_eq!(network["findings"][0]["construct_path"], "Prod/Network/Vpc/IsolatedSubnet1/RouteTable");
}

#[test]
fn a_nested_stack_is_read_through_its_asset_path() {
    let (doc, code) = run(&["fixtures/cdk/nested-stack/cdk.out"]);
    assert_eq!(code, 0, "{doc}");
    let w = workload(&doc);
    assert_eq!(w["construct_path"], "ParentStack/Compute/Instance/Resource");
    assert_eq!(w["subnet"], "VpcIsolatedSubnet1SubnetE48C5737", "the parent's subnet, passed down");
    assert_eq!(status(w, "dnf").0, "reachable");
    assert_eq!(status(w, "ssm").0, "reachable");
}

#[test]
fn a_cdk_project_folder_is_read_through_its_cdk_out() {
    let (direct, _) = run(&["fixtures/cdk/missing-s3-endpoint/cdk.out"]);
    let (project, code) = run(&["fixtures/cdk/missing-s3-endpoint"]);
    assert_eq!(code, 1);
    assert_eq!(direct["results"], project["results"]);
    // walking a folder of projects: every assembly once, no template alone
    let (doc, _) = run(&["fixtures/cdk"]);
    let mut seen: Vec<(String, String)> = results(&doc)
        .iter()
        .map(|r| (r["path"].as_str().unwrap().to_string(), r["region"].as_str().unwrap().to_string()))
        .collect();
    let n = seen.len();
    seen.dedup();
    assert_eq!(seen.len(), n, "a result twice: {seen:?}");
    assert!(seen.iter().all(|(p, _)| p.contains("/cdk.out/")), "{seen:?}");
    assert!(
        results(&doc)
            .iter()
            .all(|r| r["region_source"] != "default" || r["path"].as_str().unwrap().contains("env-agnostic"))
    );
}

#[test]
fn a_cdk_project_not_synthesized_is_said_so() {
    let dir = scratch("cdk", "unsynthesized");
    for f in ["app.js", "cdk.json"] {
        std::fs::copy(format!("fixtures/cdk/isolated-endpoints/{f}"), dir.join(f)).unwrap();
    }
    let out = bin().arg(&*dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is a CDK project (cdk.json) with no cloud assembly in it: run `cdk synth` first"), "{err}");
    // synthesized: no note
    let out = bin().arg("fixtures/cdk/isolated-endpoints").output().unwrap();
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn the_construct_path_is_in_every_format() {
    let path = "fixtures/cdk/missing-s3-endpoint/cdk.out";
    let text = |format: &str| {
        let out = bin().args([path, "--format", format]).output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let human = text("human");
    assert!(human.contains("construct BrokenStack/Vpc/IsolatedSubnet1/RouteTable"), "{human}");
    assert!(human.contains("InstanceC1063A87 [BrokenStack/Instance/Resource]"), "{human}");
    assert!(human.contains("eu-west-1, the stack's CDK environment"), "{human}");
    let concise = text("concise");
    assert!(concise.contains("(construct BrokenStack/BareRole/Resource)"), "{concise}");
    let github = text("github");
    assert!(github.contains("(construct BrokenStack/Vpc/IsolatedSubnet1/RouteTable)"), "{github}");
    let sarif: Value = serde_json::from_str(&text("sarif")).unwrap();
    let logical: Vec<&Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["locations"][0]["logicalLocations"][0])
        .collect();
    assert!(logical.iter().any(|l| l["fullyQualifiedName"] == "BrokenStack/BareRole/Resource"), "{logical:?}");
    let markdown = text("markdown");
    assert!(markdown.contains("InstanceC1063A87 · BrokenStack/Instance/Resource"), "{markdown}");
}
