//! Table-driven scenarios through the real binary and the JSON contract:
//! the seed, and designs that work (no false alarms).

use assert_cmd::Command;
use serde_json::Value;

fn run_json(args: &[&str]) -> (Value, i32) {
    let out = Command::cargo_bin("privnet-lint")
        .expect("binary")
        .args(args)
        .arg("--format")
        .arg("json")
        .output()
        .expect("runs");
    let code = out.status.code().unwrap_or(-1);
    let doc: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (doc, code)
}

fn workload<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["results"][0]["workloads"]
        .as_array()
        .expect("workloads")
        .iter()
        .find(|w| w["resource"] == name)
        .expect("workload")
}

fn codes(doc: &Value) -> Vec<String> {
    doc["results"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn seed_in_its_region_is_reachable_with_the_pn204_note() {
    let (doc, code) = run_json(&["fixtures/seed-stack.yaml", "--region", "ap-northeast-1"]);
    assert_eq!(code, 0);
    assert_eq!(doc["schema"], "privnet-lint/v1");
    let w = workload(&doc, "MyEC2Instance");
    assert_eq!(w["kind"], "instance");
    assert_eq!(w["subnet"], "PrivateSubnet");
    assert_eq!(w["checks"]["dnf"]["status"], "reachable");
    assert_eq!(w["checks"]["ssm"]["status"], "reachable");
    let findings = doc["results"][0]["findings"].as_array().unwrap();
    let pn204 = findings.iter().find(|f| f["code"] == "PN204").expect("PN204");
    assert_eq!(pn204["severity"], "note");
    assert_eq!(pn204["location"]["line"], 34);
    assert!(findings.iter().all(|f| f["severity"] != "error"), "{findings:?}");
}

#[test]
fn seed_in_us_east_1_has_the_wrong_prefix_list() {
    let (doc, code) = run_json(&["fixtures/seed-stack.yaml", "--region", "us-east-1"]);
    assert_eq!(code, 1);
    let findings = doc["results"][0]["findings"].as_array().unwrap();
    let pn206 = findings.iter().find(|f| f["code"] == "PN206").expect("PN206");
    assert_eq!(pn206["location"]["line"], 65);
    assert_eq!(pn206["severity"], "error");
    let w = workload(&doc, "MyEC2Instance");
    assert_eq!(w["checks"]["dnf"]["status"], "unreachable");
    assert_eq!(w["checks"]["dnf"]["reasons"], serde_json::json!(["PN206"]));
    assert_eq!(w["checks"]["ssm"]["status"], "reachable");
}

#[test]
fn working_designs_get_no_error() {
    for (file, region) in [
        ("fixtures/scenarios/endpoint-design.yaml", "us-east-1"),
        ("fixtures/scenarios/endpoint-design.yaml", "eu-west-1"),
        ("fixtures/scenarios/nat-design.yaml", "us-east-1"),
        ("fixtures/scenarios/public-design.yaml", "us-west-2"),
    ] {
        let (doc, code) = run_json(&[file, "--region", region]);
        assert_eq!(code, 0, "{file} {region}: {:?}", codes(&doc));
        for w in doc["results"][0]["workloads"].as_array().unwrap() {
            assert_eq!(w["checks"]["dnf"]["status"], "reachable", "{file}: {w}");
            assert_eq!(w["checks"]["ssm"]["status"], "reachable", "{file}: {w}");
        }
    }
}

#[test]
fn reasons_always_appear_in_findings() {
    for file in std::fs::read_dir("fixtures/rules").unwrap() {
        let path = file.unwrap().path();
        let p = path.to_string_lossy().to_string();
        let (doc, _) = run_json(&[&p]);
        for r in doc["results"].as_array().unwrap() {
            let found: Vec<&str> =
                r["findings"].as_array().unwrap().iter().filter_map(|f| f["code"].as_str()).collect();
            for w in r["workloads"].as_array().unwrap() {
                for check in ["dnf", "ssm"] {
                    for reason in w["checks"][check]["reasons"].as_array().unwrap() {
                        let reason = reason.as_str().unwrap();
                        assert!(found.contains(&reason), "{p}: reason {reason} of {check} not in findings {found:?}");
                    }
                }
            }
        }
    }
}

/// Lints template text from stdin (as `stack.yaml`) and returns the JSON.
fn run_json_stdin(text: &str) -> Value {
    let out = Command::cargo_bin("privnet-lint")
        .expect("binary")
        .args(["-", "--format", "json", "--region", "us-east-1"])
        .write_stdin(text)
        .output()
        .expect("runs");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn an_explicit_deny_beats_the_managed_ssm_policy() {
    let file = "fixtures/scenarios/ssm-explicit-deny.yaml";
    let text = std::fs::read_to_string(file).unwrap();
    let deny_line = text.lines().position(|l| l.contains("# the Deny")).unwrap() as u64 + 1;
    let (doc, code) = run_json(&[file, "--region", "us-east-1"]);
    assert_eq!(code, 1);
    let findings = doc["results"][0]["findings"].as_array().unwrap();
    let pn502: Vec<&Value> = findings.iter().filter(|f| f["code"] == "PN502").collect();
    assert_eq!(pn502.len(), 1, "{findings:?}");
    assert_eq!(pn502[0]["location"]["line"], deny_line);
    let message = pn502[0]["message"].as_str().unwrap();
    assert!(message.contains("explicitly denies `ssmmessages:") && message.contains("open a channel"), "{message}");
    let w = workload(&doc, "Instance");
    assert_eq!(w["checks"]["ssm"]["status"], "unreachable");
    assert_eq!(w["checks"]["dnf"]["status"], "reachable");

    // a Deny that may not apply leaves Session Manager unknown, not failed
    let deny = "              - Effect: Deny  # the Deny\n                Action: [\"ssmmessages:*\", \"iam:PassRole\"]\n                Resource: \"*\"\n";
    assert!(text.contains(deny));
    for (variant, status) in [
        (
            "              - Effect: Deny\n                Action: \"ssmmessages:*\"\n                Resource: \"*\"\n                Condition: {Bool: {aws:ViaAWSService: \"false\"}}\n",
            "unknown",
        ),
        (
            "              - Effect: Deny\n                Action: \"ssm:*\"\n                Resource: arn:aws:ec2:*:*:instance/i-0123456789abcdef0\n",
            "unknown",
        ),
        // NotAction: denies everything but ssm and ssmmessages
        (
            "              - Effect: Deny\n                NotAction: [\"ssm:*\", \"ssmmessages:*\", \"s3:*\", \"ec2messages:*\"]\n                Resource: \"*\"\n",
            "reachable",
        ),
        (
            "              - Effect: Deny\n                Action: iam:PassRole\n                Resource: \"*\"\n",
            "reachable",
        ),
    ] {
        let doc = run_json_stdin(&text.replace(deny, variant));
        let w = workload(&doc, "Instance");
        assert_eq!(w["checks"]["ssm"]["status"], status, "{variant}: {w}");
        assert!(codes(&doc).iter().all(|c| c != "PN502"), "{variant}: {:?}", codes(&doc));
    }
}

#[test]
fn a_permissions_boundary_caps_the_role() {
    let text = std::fs::read_to_string("fixtures/rules/PN502-role-lacks-ssm-permissions.pass.yaml").unwrap();
    let anchor = "  InstanceRole:\n    Type: AWS::IAM::Role\n    Properties:\n";
    assert!(text.contains(anchor));
    let with = |boundary: &str, extra: &str| {
        text.replace(anchor, &format!("{extra}{anchor}      PermissionsBoundary: {boundary}  # the boundary\n"))
    };
    let policy = |actions: &str| {
        format!(
            "  Boundary:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Action: {actions}\n            Resource: \"*\"\n"
        )
    };
    for (variant, status) in [
        (with("!Ref Boundary", &policy("[\"ssm:*\", \"ssmmessages:*\", \"ec2messages:*\", \"s3:*\"]")), "reachable"),
        (with("!Sub arn:${AWS::Partition}:iam::aws:policy/PowerUserAccess", ""), "reachable"),
        (with("arn:aws:iam::111122223333:policy/org-boundary", ""), "unknown"),
        // AWS managed boundaries are read from the shipped documents
        (with("!Sub arn:${AWS::Partition}:iam::aws:policy/AWSCloud9SSMInstanceProfile", ""), "reachable"),
        (with("arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy", ""), "unreachable"),
        (with("arn:aws:iam::aws:policy/NoSuchBoundaryXyz", ""), "unknown"),
        (with("!Ref Boundary", &policy("[\"s3:*\", \"ec2messages:*\"]")), "unreachable"),
    ] {
        let doc = run_json_stdin(&variant);
        let w = workload(&doc, "Instance");
        assert_eq!(w["checks"]["ssm"]["status"], status, "{w}");
        let findings = doc["results"][0]["findings"].as_array().unwrap();
        let pn502: Vec<&Value> = findings.iter().filter(|f| f["code"] == "PN502").collect();
        if status == "unreachable" {
            let line = variant.lines().position(|l| l.contains("# the boundary")).unwrap() as u64 + 1;
            assert_eq!(pn502.len(), 1, "{findings:?}");
            assert_eq!(pn502[0]["location"]["line"], line);
            assert!(pn502[0]["message"].as_str().unwrap().contains("permissions boundary"), "{:?}", pn502[0]);
        } else {
            assert!(pn502.is_empty(), "{findings:?}");
        }
    }
}

#[test]
fn interface_endpoint_policies_must_let_the_agent_through() {
    let text = std::fs::read_to_string("fixtures/rules/PN412-endpoint-policy-denies-ssm.pass.yaml").unwrap();
    let allow = "          - Effect: Allow\n            Principal: \"*\"\n            Action: ssmmessages:*\n            Resource: \"*\"\n";
    assert!(text.contains(allow));
    let deny = |extra: &str| {
        format!(
            "{allow}          - Effect: Deny\n            Principal: \"*\"\n            Action: ssmmessages:Create*\n{extra}"
        )
    };
    for (statements, status, code) in [
        (allow.to_string(), "reachable", None),
        (deny("            Resource: \"*\"\n"), "unknown", Some("PN412")),
        // a Deny that may not apply: unknown, but not PN412
        (
            deny(
                "            Resource: \"*\"\n            Condition: {StringNotEquals: {aws:PrincipalOrgID: o-example}}\n",
            ),
            "unknown",
            None,
        ),
        // an Allow of another service's actions only
        (allow.replace("ssmmessages:*", "ssm:*"), "unknown", Some("PN412")),
    ] {
        let doc = run_json_stdin(&text.replace(allow, &statements));
        let w = workload(&doc, "Instance");
        assert_eq!(w["checks"]["ssm"]["status"], status, "{statements}: {w}");
        assert_eq!(w["checks"]["dnf"]["status"], "reachable", "{w}");
        let found = codes(&doc);
        assert_eq!(found.iter().any(|c| c == "PN412"), code.is_some(), "{statements}: {found:?}");
    }
}

/// Lints template text from stdin in us-east-1: the JSON and the exit code.
fn run_stdin_with_code(text: &str) -> (Value, i32) {
    let out = Command::cargo_bin("privnet-lint")
        .expect("binary")
        .args(["-", "--format", "json", "--region", "us-east-1"])
        .write_stdin(text)
        .output()
        .expect("runs");
    let doc =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (doc, out.status.code().unwrap_or(-1))
}

#[test]
fn aws_managed_policies_grant_what_their_documents_say() {
    let text = std::fs::read_to_string("fixtures/rules/PN502-role-lacks-ssm-permissions.pass.yaml").unwrap();
    // the role also has an inline policy that allows s3:GetObject only
    let core = "        - !Sub arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore\n";
    assert!(text.contains(core));
    let key_line = text.lines().position(|l| l == "      ManagedPolicyArns:").unwrap() as u64 + 1;
    let arn_line = key_line + 1;
    for (arn, status, code, line, exit) in [
        // exactly ssm:UpdateInstanceInformation and the four channel actions
        ("!Sub arn:${AWS::Partition}:iam::aws:policy/AWSCloud9SSMInstanceProfile", "reachable", None, 0, 0),
        // on its way to deprecation, at the service-role/ path: grants them too
        ("arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforSSM", "reachable", None, 0, 0),
        // logs and ssm:GetParameter: known, without the Session Manager actions
        (
            "!Sub arn:${AWS::Partition}:iam::aws:policy/CloudWatchAgentServerPolicy",
            "unreachable",
            Some("PN502"),
            key_line,
            1,
        ),
        // ECR only: listed by name, so known to grant none of them
        ("arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly", "unreachable", Some("PN502"), key_line, 1),
        // in no table: a note at the ARN, never PN502
        ("arn:aws:iam::aws:policy/NoSuchPolicyXyz", "unknown", Some("PN005"), arn_line, 0),
        // right name, wrong path: no such ARN
        ("arn:aws:iam::aws:policy/AmazonEC2RoleforSSM", "unknown", Some("PN005"), arn_line, 0),
        // a customer managed policy outside the template
        ("arn:aws:iam::111122223333:policy/app-instance", "unknown", Some("PN005"), arn_line, 0),
    ] {
        let variant = text.replace(core, &format!("        - {arn}\n"));
        let (doc, exit_code) = run_stdin_with_code(&variant);
        let w = workload(&doc, "Instance");
        assert_eq!(w["checks"]["ssm"]["status"], status, "{arn}: {w}");
        assert_eq!(w["checks"]["dnf"]["status"], "reachable", "{arn}: {w}");
        assert_eq!(exit_code, exit, "{arn}: {:?}", codes(&doc));
        let iam = w["checks"]["ssm"]["paths"][0]["hops"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["kind"] == "iam")
            .expect("iam hop");
        let findings = doc["results"][0]["findings"].as_array().unwrap();
        assert!(findings.iter().all(|f| f["code"] != "PN502") || code == Some("PN502"), "{arn}: {findings:?}");
        match code {
            None => {
                assert_eq!(iam["verdict"], "pass", "{arn}: {iam}");
                assert!(findings.iter().all(|f| f["severity"] != "error"), "{arn}: {findings:?}");
            }
            Some(code) => {
                let f = findings.iter().find(|f| f["code"] == code).unwrap_or_else(|| panic!("{arn}: {findings:?}"));
                assert_eq!(f["location"]["line"], line, "{arn}: {f}");
                assert_eq!(iam["code"], code, "{arn}: {iam}");
                if code == "PN005" {
                    assert_eq!(f["severity"], "note");
                    assert!(f["message"].as_str().unwrap().contains(arn), "{f}");
                }
            }
        }
    }
}
