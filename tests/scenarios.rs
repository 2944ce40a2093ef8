//! Table-driven scenarios through the real binary and the JSON contract:
//! the seed, and designs that work (no false alarms).

mod common;

use assert_cmd::Command;
use common::lint_stdin_json;
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
    lint_stdin_json(text, &[]).0
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
    lint_stdin_json(text, &[])
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

/// Lints template text from stdin in us-east-1 with extra arguments: the
/// JSON and the exit code.
fn run_stdin_args(text: &str, args: &[&str]) -> (Value, i32) {
    lint_stdin_json(text, args)
}

#[test]
fn prefix_lists_declared_in_the_template_are_expanded() {
    // issue 12 item 1: `Ref` / `GetAtt PrefixListId` of an AWS::EC2::PrefixList
    // in the instance's egress and the endpoint group's ingress
    let pass = "fixtures/scenarios/template-prefix-list.pass.yaml";
    let (doc, code) = run_json(&[pass, "--region", "us-east-1"]);
    assert_eq!(code, 0, "{:?}", codes(&doc));
    assert!(codes(&doc).is_empty(), "{:?}", codes(&doc));
    let w = workload(&doc, "Instance");
    assert_eq!(w["checks"]["dnf"]["status"], "reachable");
    assert_eq!(w["checks"]["ssm"]["status"], "reachable");

    // the list names another VPC's range: both security-group hops fail
    let fail = "fixtures/scenarios/template-prefix-list.fail.yaml";
    let (doc, code) = run_json(&[fail, "--region", "us-east-1"]);
    assert_eq!(code, 1);
    let mut found = codes(&doc);
    found.sort();
    assert_eq!(found, vec!["PN202", "PN203"]);
    for f in doc["results"][0]["findings"].as_array().unwrap() {
        let message = f["message"].as_str().unwrap();
        assert!(message.contains("InternalNetworks (10.1.0.0/16)"), "{message}");
        assert!(
            f["fix"]
                .as_str()
                .unwrap_or("")
                .contains("add 10.0.1.0/24 to the `Entries` of prefix list InternalNetworks"),
            "{f}"
        );
    }
    let w = workload(&doc, "Instance");
    assert_eq!(w["checks"]["ssm"]["status"], "unreachable");
    assert_eq!(w["checks"]["dnf"]["status"], "reachable", "S3 has its own rule");

    // variants of the list's entries
    let text = std::fs::read_to_string(pass).unwrap();
    let entry = "        - Cidr: !Ref InternalCidr  # the entry\n          Description: this VPC\n";
    assert!(text.contains(entry));
    let halves = "        - Cidr: 10.0.1.0/25\n        - Cidr: 10.0.1.128/25\n";
    let half = "        - Cidr: 10.0.1.0/25\n";
    let ipv6 = text.replace(entry, "        - Cidr: \"::/0\"\n").replace("AddressFamily: IPv4", "AddressFamily: IPv6");
    let external =
        text.replace("SourcePrefixListId: !Ref InternalNetworks", "SourcePrefixListId: pl-0e5b2c7a9d1f34a68").replace(
            "DestinationPrefixListId: !GetAtt InternalNetworks.PrefixListId",
            "DestinationPrefixListId: pl-0e5b2c7a9d1f34a68",
        );
    let no_default = text.replace("    Default: 10.0.0.0/16\n", "");
    for (variant, args, ssm, reasons) in [
        // two halves of the instance's subnet cover it together
        (text.replace(entry, halves), vec![], "reachable", vec![]),
        // half of it: cannot tell which address the instance gets
        (text.replace(entry, half), vec![], "unknown", vec!["PN005"]),
        // an IPv6 list never matches IPv4 traffic
        (ipv6, vec![], "unreachable", vec!["PN202", "PN203"]),
        // a list outside the template: unverifiable, not an error
        (external, vec![], "unknown", vec!["PN207"]),
        // entries from a parameter without a value, then with one
        (no_default.clone(), vec![], "unknown", vec!["PN005"]),
        (no_default, vec!["--parameter", "InternalCidr=10.0.0.0/8"], "reachable", vec![]),
    ] {
        let (doc, _) = run_stdin_args(&variant, &args);
        let w = workload(&doc, "Instance");
        assert_eq!(w["checks"]["ssm"]["status"], ssm, "{args:?} {w}");
        assert_eq!(w["checks"]["ssm"]["reasons"], serde_json::json!(reasons), "{w}");
        assert_eq!(w["checks"]["dnf"]["status"], "reachable", "{w}");
        assert!(codes(&doc).iter().all(|c| c != "PN202" && c != "PN203") || ssm == "unreachable", "{:?}", codes(&doc));
    }
}

#[test]
fn a_route_to_a_template_prefix_list_routes_its_entries() {
    let text = std::fs::read_to_string("fixtures/scenarios/nat-design.yaml").unwrap();
    let route = "      DestinationCidrBlock: 0.0.0.0/0\n      NatGatewayId: !Ref NatGateway\n";
    assert!(text.contains(route));
    let with_list = |cidrs: &[&str], extra_route: &str| {
        let entries: String = cidrs.iter().map(|c| format!("        - Cidr: {c}\n")).collect();
        text.replace(route, "      DestinationPrefixListId: !Ref Destinations\n      NatGatewayId: !Ref NatGateway\n")
            .replace(
                "  PrivateSubnetAssociation:\n",
                &format!(
                    "  Destinations:\n    Type: AWS::EC2::PrefixList\n    Properties:\n      PrefixListName: destinations\n      AddressFamily: IPv4\n      MaxEntries: 5\n      Entries:\n{entries}{extra_route}  PrivateSubnetAssociation:\n"
                ),
            )
    };
    // a list holding 0.0.0.0/0 makes the NAT gateway the default route
    let (doc, code) = run_stdin_args(&with_list(&["0.0.0.0/0"], ""), &[]);
    assert_eq!(code, 0, "{:?}", codes(&doc));
    let w = workload(&doc, "Instance");
    assert_eq!(w["checks"]["dnf"]["status"], "reachable", "{w}");
    assert_eq!(w["checks"]["ssm"]["paths"][0]["via"], "NatGateway", "{w}");
    // internal ranges only: no route to S3 or to the public SSM endpoints
    let (doc, code) = run_stdin_args(&with_list(&["10.0.0.0/8", "192.168.0.0/16"], ""), &[]);
    assert_eq!(code, 1);
    let w = workload(&doc, "Instance");
    assert_eq!(w["checks"]["dnf"]["reasons"], serde_json::json!(["PN101"]), "{w}");
    assert_eq!(w["checks"]["ssm"]["reasons"], serde_json::json!(["PN103"]), "{w}");
    // a plain 0.0.0.0/0 route wins over a prefix list's entry of the same length
    let blackhole = "  Blackhole:\n    Type: AWS::EC2::Route\n    Properties:\n      RouteTableId: !Ref PrivateRouteTable\n      DestinationCidrBlock: 0.0.0.0/0\n      TransitGatewayId: tgw-0123456789abcdef0\n";
    let (doc, _) = run_stdin_args(&with_list(&["0.0.0.0/0"], blackhole), &[]);
    let w = workload(&doc, "Instance");
    assert_eq!(w["checks"]["ssm"]["status"], "unknown", "the transit gateway route decides: {w}");
    assert!(codes(&doc).contains(&"PN106".to_string()), "{:?}", codes(&doc));
}

#[test]
fn groups_that_refer_to_each_other_are_a_circular_dependency() {
    let (doc, code) = run_json(&["fixtures/scenarios/groups-refer-to-each-other.yaml"]);
    assert_eq!(code, 1);
    let findings = doc["results"][0]["findings"].as_array().unwrap();
    let cycles: Vec<&Value> = findings.iter().filter(|f| f["code"] == "PN008").collect();
    assert_eq!(cycles.len(), 1, "{findings:?}");
    let f = cycles[0];
    assert_eq!(f["severity"], "error");
    assert_eq!(f["resource"], "AppGroup");
    assert_eq!(f["location"]["line"], 22, "at AppGroup's reference to EndpointGroup");
    let message = f["message"].as_str().unwrap();
    assert!(message.contains("circular dependency between resources [AppGroup, EndpointGroup]"), "{message}");
    assert!(message.contains("EndpointGroup refers to AppGroup (Fn::GetAtt at Properties.SecurityGroupIngress[0].SourceSecurityGroupId, line 32)"), "{message}");
    assert!(f["fix"].as_str().unwrap().contains("AWS::EC2::SecurityGroupIngress"));
    // a macro rewrites the template before CloudFormation orders it: not judged
    let text = std::fs::read_to_string("fixtures/scenarios/groups-refer-to-each-other.yaml").unwrap();
    let sam = text.replace("Resources:", "Transform: AWS::Serverless-2016-10-31\nResources:");
    let r = privnet_lint::lint_text("sam.yaml", &sam, &privnet_lint::Options::default());
    assert!(r[0].findings.iter().all(|f| f.code.as_str() != "PN008"), "{:?}", r[0].findings);
}

#[test]
fn a_name_the_template_does_not_define_is_its_error_not_a_note() {
    // `Ref` to names nobody declares: CloudFormation rejects the template
    // (PN003, at each use); the checks they decide name PN003, with no
    // PN005 note repeating it
    let text = "\
Resources:
  Instance:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: '{{resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64}}'
      IamInstanceProfile: !Ref Profile
      SubnetId: !Ref Subnet
";
    let (doc, code) = run_stdin_args(text, &[]);
    assert_eq!(code, 1, "{doc}");
    let w = workload(&doc, "Instance");
    assert_eq!(w["checks"]["dnf"]["status"], "unknown", "{w}");
    assert_eq!(w["checks"]["dnf"]["reasons"], serde_json::json!(["PN003"]), "{w}");
    assert_eq!(w["checks"]["ssm"]["reasons"], serde_json::json!(["PN003"]), "{w}");
    let findings = doc["results"][0]["findings"].as_array().unwrap();
    let lines = |code: &str| -> Vec<u64> {
        findings.iter().filter(|f| f["code"] == code).map(|f| f["location"]["line"].as_u64().unwrap()).collect()
    };
    assert_eq!(lines("PN003"), vec![6, 7], "one error per reference: {findings:?}");
    assert!(lines("PN005").is_empty(), "{findings:?}");
}

#[test]
fn a_name_a_module_may_define_is_one_note_for_every_use() {
    // rain's `!Rain::Module` makes the subnets at packaging time: the name
    // is open, one note naming both instances it decides
    let text = "\
Resources:
  Network:
    Type: !Rain::Module ./vpc.yml
  First:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: '{{resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64}}'
      SubnetId: !GetAtt NetworkPublicSubnet1.SubnetId
  Second:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: '{{resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64}}'
      SubnetId: !GetAtt NetworkPublicSubnet1.SubnetId
";
    let (doc, _) = run_stdin_args(text, &[]);
    let findings = doc["results"][0]["findings"].as_array().unwrap();
    assert!(findings.iter().all(|f| f["code"] != "PN003"), "a module may define it: {findings:?}");
    let notes: Vec<&Value> = findings.iter().filter(|f| f["code"] == "PN005").collect();
    assert_eq!(notes.len(), 1, "{findings:?}");
    let message = notes[0]["message"].as_str().unwrap();
    assert!(message.starts_with("dnf on First, Second cannot be verified"), "{message}");
    assert!(message.contains("`NetworkPublicSubnet1` is not defined in this template"), "{message}");
    assert!(notes[0]["fix"].as_str().unwrap().contains("rain pkg"), "{}", notes[0]["fix"]);
    for name in ["First", "Second"] {
        assert_eq!(workload(&doc, name)["checks"]["dnf"]["reasons"], serde_json::json!(["PN005"]));
    }
}
