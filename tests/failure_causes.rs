//! Failure causes that no route table, security group or ACL shows, through
//! the real binary, each with the template that breaks and the one that
//! works: VPC Block Public Access (PN107), edge-to-edge routing over VPC
//! peering (PN108, with the peer's endpoints behind PN101 and PN405), the
//! Session Manager preferences (PN413) and the agent's own buckets behind an
//! S3 gateway endpoint policy (PN414).

mod common;

use common::{fixture, lint_stdin_json};
use serde_json::Value;

/// Lints `text` (as `stack.yaml` on standard input) for us-east-1.
fn lint(text: &str) -> Value {
    lint_stdin_json(text, &[]).0
}

/// `(status, reasons)` of a check of the first workload.
fn check(doc: &Value, name: &str) -> (String, Vec<String>) {
    let c = &doc["results"][0]["workloads"][0]["checks"][name];
    let reasons =
        c["reasons"].as_array().expect("reasons").iter().map(|r| r.as_str().unwrap_or("").to_string()).collect();
    (c["status"].as_str().unwrap_or("").to_string(), reasons)
}

fn findings<'a>(doc: &'a Value, code: &str) -> Vec<&'a Value> {
    doc["results"][0]["findings"].as_array().expect("findings").iter().filter(|f| f["code"] == code).collect()
}

fn codes(doc: &Value) -> Vec<String> {
    doc["results"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().unwrap_or("").to_string())
        .collect()
}

/// The hops of `kind` on the paths of a check of the first workload.
fn hops<'a>(doc: &'a Value, check: &str, kind: &str) -> Vec<&'a Value> {
    doc["results"][0]["workloads"][0]["checks"][check]["paths"]
        .as_array()
        .expect("paths")
        .iter()
        .flat_map(|p| p["hops"].as_array().expect("hops"))
        .filter(|h| h["kind"] == kind)
        .collect()
}

fn line_of(text: &str, needle: &str) -> u64 {
    text.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("no line with {needle}")) as u64 + 1
}

const BLOCK_BIDIRECTIONAL: &str = "
  BlockPublicAccess:
    Type: AWS::EC2::VPCBlockPublicAccessOptions
    Properties:
      InternetGatewayBlockMode: block-bidirectional
";

fn exclusion(scope: &str, mode: &str) -> String {
    format!(
        "
  Exclusion:
    Type: AWS::EC2::VPCBlockPublicAccessExclusion
    Properties:
      {scope}
      InternetGatewayExclusionMode: {mode}
"
    )
}

#[test]
fn block_public_access_bidirectional_stops_the_nat_gateway_unless_its_subnet_is_excluded() {
    let nat = fixture("fixtures/scenarios/nat-design.yaml");
    let before = lint(&nat);
    assert_eq!(check(&before, "dnf").0, "reachable");
    assert!(hops(&before, "dnf", "block-public-access").is_empty(), "no setting, no hop");

    let blocked = format!("{nat}{BLOCK_BIDIRECTIONAL}");
    let doc = lint(&blocked);
    for name in ["dnf", "ssm"] {
        assert_eq!(check(&doc, name), ("unreachable".into(), vec!["PN107".into()]), "{name}");
    }
    let pn107 = findings(&doc, "PN107");
    assert_eq!(pn107.len(), 1);
    assert_eq!(pn107[0]["location"]["line"], line_of(&blocked, "InternetGatewayBlockMode"));
    assert!(pn107[0]["fix"].as_str().unwrap().contains("SubnetId: !Ref PublicSubnet"), "{}", pn107[0]["fix"]);

    // the NAT gateway's subnet, or the whole VPC, excluded: it works
    for scope in ["SubnetId: !Ref PublicSubnet", "VpcId: !Ref Vpc"] {
        for mode in ["allow-egress", "allow-bidirectional"] {
            let doc = lint(&format!("{blocked}{}", exclusion(scope, mode)));
            assert_eq!(check(&doc, "dnf").0, "reachable", "{scope} {mode}: {:?}", codes(&doc));
            assert_eq!(check(&doc, "ssm").0, "reachable", "{scope} {mode}");
            let h = hops(&doc, "dnf", "block-public-access");
            assert_eq!(h.len(), 1);
            assert_eq!(h[0]["verdict"], "pass");
            assert_eq!(h[0]["resource"], "Exclusion");
        }
    }
    // the workload's own subnet excluded: the NAT gateway's traffic leaves
    // from the NAT gateway's subnet, which is still blocked
    let doc = lint(&format!("{blocked}{}", exclusion("SubnetId: !Ref PrivateSubnet", "allow-egress")));
    assert_eq!(check(&doc, "dnf"), ("unreachable".into(), vec!["PN107".into()]));
    // an exclusion of a subnet given by a parameter without value: open
    let open = format!(
        "Parameters:\n  ExcludedSubnet: {{Type: 'AWS::EC2::Subnet::Id'}}\n{blocked}{}",
        exclusion("SubnetId: !Ref ExcludedSubnet", "allow-egress")
    );
    let doc = lint(&open);
    assert_eq!(check(&doc, "dnf").0, "unknown", "{:?}", codes(&doc));
    assert!(findings(&doc, "PN107").is_empty());
}

#[test]
fn block_public_access_ingress_lets_nat_traffic_out_but_not_a_public_instance() {
    let ingress = BLOCK_BIDIRECTIONAL.replace("block-bidirectional", "block-ingress");
    let nat = format!("{}{ingress}", fixture("fixtures/scenarios/nat-design.yaml"));
    let doc = lint(&nat);
    assert_eq!(check(&doc, "dnf").0, "reachable", "{:?}", codes(&doc));
    assert_eq!(check(&doc, "ssm").0, "reachable");
    assert_eq!(hops(&doc, "dnf", "block-public-access")[0]["verdict"], "pass");

    let public = format!("{}{ingress}", fixture("fixtures/scenarios/public-design.yaml"));
    let doc = lint(&public);
    assert_eq!(check(&doc, "dnf"), ("unreachable".into(), vec!["PN107".into()]));
    assert_eq!(check(&doc, "ssm"), ("unreachable".into(), vec!["PN107".into()]));
    // allow-egress applies only in bidirectional mode
    let doc = lint(&format!("{public}{}", exclusion("SubnetId: !Ref PublicSubnet", "allow-egress")));
    assert_eq!(check(&doc, "dnf").0, "unreachable");
    let message = findings(&doc, "PN107")[0]["message"].as_str().unwrap().to_string();
    assert!(message.contains("allow-egress"), "{message}");
    let doc = lint(&format!("{public}{}", exclusion("SubnetId: !Ref PublicSubnet", "allow-bidirectional")));
    assert_eq!(check(&doc, "dnf").0, "reachable");
    // the same public instance under bidirectional blocking with an egress exclusion works
    let bidirectional = format!(
        "{}{BLOCK_BIDIRECTIONAL}{}",
        fixture("fixtures/scenarios/public-design.yaml"),
        exclusion("SubnetId: !Ref PublicSubnet", "allow-egress")
    );
    assert_eq!(check(&lint(&bidirectional), "dnf").0, "reachable");
}

#[test]
fn block_public_access_does_not_touch_vpc_endpoints() {
    let text = format!("{}{BLOCK_BIDIRECTIONAL}", fixture("fixtures/scenarios/endpoint-design.yaml"));
    let doc = lint(&text);
    assert_eq!(check(&doc, "dnf").0, "reachable", "{:?}", codes(&doc));
    assert_eq!(check(&doc, "ssm").0, "reachable");
    assert!(findings(&doc, "PN107").is_empty());
}

#[test]
fn a_default_route_over_peering_cannot_use_the_peers_nat_gateway() {
    let fail = fixture("fixtures/rules/PN108-edge-to-edge-routing.fail.yaml");
    let doc = lint(&fail);
    for name in ["dnf", "ssm"] {
        assert_eq!(check(&doc, name), ("unreachable".into(), vec!["PN108".into()]), "{name}");
    }
    let pn108 = findings(&doc, "PN108");
    assert_eq!(pn108.len(), 1, "{:?}", codes(&doc));
    assert_eq!(pn108[0]["location"]["line"], line_of(&fail, "VpcPeeringConnectionId: !Ref Peering"));
    let message = pn108[0]["message"].as_str().unwrap();
    assert!(message.contains("NAT gateway NatGateway") && message.contains("edge-to-edge"), "{message}");
    assert_eq!(hops(&doc, "dnf", "vpc-peering")[0]["verdict"], "block");

    let pass = lint(&fixture("fixtures/rules/PN108-edge-to-edge-routing.pass.yaml"));
    assert_eq!(check(&pass, "dnf").0, "reachable");
    assert_eq!(check(&pass, "ssm").0, "reachable");
    assert!(findings(&pass, "PN108").is_empty());

    // a peer VPC outside the template: what is there is not known (PN106)
    let outside = fail.replace("PeerVpcId: !Ref EgressVpc", "PeerVpcId: vpc-0123456789abcdef0");
    let doc = lint(&outside);
    assert_eq!(check(&doc, "dnf"), ("unknown".into(), vec!["PN106".into()]));
    assert!(findings(&doc, "PN108").is_empty());
}

#[test]
fn the_peers_endpoints_do_not_serve_this_vpc() {
    // the application VPC of the PN108 pass file, without its own S3 and
    // ssm endpoints, while the egress VPC has them
    let pass = fixture("fixtures/rules/PN108-edge-to-edge-routing.pass.yaml");
    let moved = pass
        .replace(
            "      VpcId: !Ref AppVpc\n      ServiceName: !Sub com.amazonaws.${AWS::Region}.s3\n      RouteTableIds: [!Ref AppRouteTable]",
            "      VpcId: !Ref EgressVpc\n      ServiceName: !Sub com.amazonaws.${AWS::Region}.s3\n      RouteTableIds: [!Ref EgressRouteTable]",
        )
        .replace(
            "      VpcId: !Ref AppVpc\n      ServiceName: !Sub com.amazonaws.${AWS::Region}.ssm\n",
            "      VpcId: !Ref EgressVpc\n      ServiceName: !Sub com.amazonaws.${AWS::Region}.ssm\n",
        )
        .replace("      SubnetIds: [!Ref AppSubnet]\n      SecurityGroupIds: [!Ref EndpointSecurityGroup]\n  SsmMessagesEndpoint:", "      SubnetIds: [!Ref EgressSubnet]\n  SsmMessagesEndpoint:");
    assert_ne!(moved, pass);
    let doc = lint(&moved);
    let pn101 = findings(&doc, "PN101");
    assert_eq!(pn101.len(), 1, "{:?}", codes(&doc));
    let message = pn101[0]["message"].as_str().unwrap();
    assert!(
        message.contains(
            "S3 gateway endpoint S3GatewayEndpoint of VPC EgressVpc, peered through Peering, does not serve this VPC"
        ),
        "{message}"
    );
    let pn405 = findings(&doc, "PN405");
    assert_eq!(pn405.len(), 1, "{:?}", codes(&doc));
    let message = pn405[0]["message"].as_str().unwrap();
    assert!(message.contains("private DNS name resolves only inside VPC EgressVpc"), "{message}");
    assert!(pn405[0]["fix"].as_str().unwrap().contains("private hosted zone"));

    // the shared-endpoint design: a private hosted zone for the service,
    // associated with the application VPC, answers there; privnet-lint does
    // not follow its records, so the path is open, not failed
    let zone = "
  SsmZone:
    Type: AWS::Route53::HostedZone
    Properties:
      Name: ssm.us-east-1.amazonaws.com.
      VPCs:
        - VPCId: !Ref AppVpc
          VPCRegion: !Ref AWS::Region
";
    let doc = lint(&format!("{moved}{zone}"));
    assert!(findings(&doc, "PN405").is_empty(), "{:?}", codes(&doc));
    let pn411 = findings(&doc, "PN411");
    assert_eq!(pn411.len(), 1, "{:?}", codes(&doc));
    assert!(pn411[0]["message"].as_str().unwrap().contains("private hosted zone SsmZone"));
    assert_eq!(check(&doc, "ssm").0, "unknown");
}

const KMS_PREFERENCES: &str = "
  SessionManagerPreferences:
    Type: AWS::SSM::Document
    Properties:
      Name: SSM-SessionManagerRunShell
      DocumentType: Session
      Content:
        schemaVersion: '1.0'
        sessionType: Standard_Stream
        inputs:
          kmsKeyId: alias/session-key
";

#[test]
fn session_preferences_add_kms_paths_and_actions() {
    let fail = fixture("fixtures/rules/PN413-session-preferences-unreachable.fail.yaml");
    let doc = lint(&fail);
    assert_eq!(check(&doc, "ssm"), ("unreachable".into(), vec!["PN413".into()]));
    assert_eq!(check(&doc, "dnf").0, "reachable");
    let lines: Vec<u64> = findings(&doc, "PN413").iter().map(|f| f["location"]["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, vec![line_of(&fail, "Vpc: # expect"), line_of(&fail, "ManagedPolicyArns: # expect")]);
    let targets: Vec<&str> = doc["results"][0]["workloads"][0]["checks"]["ssm"]["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["target"].as_str().unwrap())
        .collect();
    assert_eq!(targets, ["ssm", "ssmmessages", "ec2messages", "kms"]);

    let pass = lint(&fixture("fixtures/rules/PN413-session-preferences-unreachable.pass.yaml"));
    assert_eq!(check(&pass, "ssm").0, "reachable", "{:?}", codes(&pass));
    let prefs = hops(&pass, "ssm", "session-preferences");
    assert!(prefs[0]["detail"].as_str().unwrap().contains("KMS encryption"), "{}", prefs[0]["detail"]);

    // without the document: not checked, said on the path, no finding
    let plain = lint(&fixture("fixtures/scenarios/endpoint-design.yaml"));
    assert_eq!(check(&plain, "ssm").0, "reachable");
    let prefs = hops(&plain, "ssm", "session-preferences");
    assert_eq!(prefs.len(), 1);
    assert!(prefs[0]["detail"].as_str().unwrap().contains("not checked"));
}

#[test]
fn session_logging_through_a_nat_gateway_needs_the_logs_actions() {
    let logs = KMS_PREFERENCES.replace(
        "kmsKeyId: alias/session-key",
        "cloudWatchLogGroupName: /ssm/sessions\n          cloudWatchStreamingEnabled: true",
    );
    let nat = fixture("fixtures/scenarios/nat-design.yaml");
    let doc = lint(&format!("{nat}{logs}"));
    // the NAT gateway gives the path; AmazonSSMManagedInstanceCore has no logs: actions
    assert_eq!(check(&doc, "ssm"), ("unreachable".into(), vec!["PN413".into()]));
    let message = findings(&doc, "PN413")[0]["message"].as_str().unwrap().to_string();
    assert!(message.contains("logs:CreateLogStream") && message.contains("CloudWatch Logs"), "{message}");
    let with_agent_policy = nat.replace(
        "        - arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore\n",
        "        - arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore\n        - arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy\n",
    );
    assert_ne!(with_agent_policy, nat);
    let doc = lint(&format!("{with_agent_policy}{logs}"));
    assert_eq!(check(&doc, "ssm").0, "reachable", "{:?}", codes(&doc));
    let logs_path = &doc["results"][0]["workloads"][0]["checks"]["ssm"]["paths"][3];
    assert_eq!(logs_path["target"], "logs");
    assert_eq!(logs_path["status"], "reachable");
}

#[test]
fn session_logging_to_s3_goes_through_the_gateway_endpoint_and_its_policy() {
    let s3 = KMS_PREFERENCES.replace("kmsKeyId: alias/session-key", "s3BucketName: session-logs-bucket");
    let role_s3 = "      Policies:\n        - PolicyName: session-logs\n          PolicyDocument:\n            Statement:\n              - Effect: Allow\n                Action: s3:PutObject\n                Resource: arn:aws:s3:::session-logs-bucket/*\n";
    // the PN414 pass file: its gateway endpoint allows only s3:GetObject
    let restrictive = fixture("fixtures/rules/PN414-endpoint-policy-blocks-agent-buckets.pass.yaml");
    let with_role = restrictive.replace(
        "        - !Sub arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore\n",
        &format!("        - !Sub arn:${{AWS::Partition}}:iam::aws:policy/AmazonSSMManagedInstanceCore\n{role_s3}"),
    );
    assert_ne!(with_role, restrictive);
    let text = format!("{with_role}{s3}");
    let doc = lint(&text);
    assert_eq!(check(&doc, "ssm"), ("unreachable".into(), vec!["PN413".into()]), "{:?}", codes(&doc));
    let pn413 = findings(&doc, "PN413");
    assert_eq!(pn413.len(), 1);
    assert_eq!(pn413[0]["location"]["line"], line_of(&text, "PolicyDocument:"));
    // behind the default endpoint policy, only the role decides
    let doc = lint(&format!("{}{s3}", fixture("fixtures/scenarios/endpoint-design.yaml")));
    assert_eq!(check(&doc, "ssm"), ("unreachable".into(), vec!["PN413".into()]), "the role lacks s3:PutObject");
    let endpoint_with_role = fixture("fixtures/scenarios/endpoint-design.yaml")
        .replace("      ManagedPolicyArns:\n", &format!("{role_s3}      ManagedPolicyArns:\n"));
    let doc = lint(&format!("{endpoint_with_role}{s3}"));
    assert_eq!(check(&doc, "ssm").0, "reachable", "{:?}", codes(&doc));
}

#[test]
fn an_open_preference_leaves_the_check_unknown_only_when_it_would_fail() {
    let prefs = KMS_PREFERENCES.replace("kmsKeyId: alias/session-key", "kmsKeyId: !Ref SessionKeyId");
    let text = format!(
        "Parameters:\n  SessionKeyId: {{Type: String}}\n{}{prefs}",
        fixture("fixtures/scenarios/endpoint-design.yaml")
    );
    let doc = lint(&text);
    assert_eq!(check(&doc, "ssm"), ("unknown".into(), vec!["PN005".into()]), "{:?}", codes(&doc));
    assert!(findings(&doc, "PN413").is_empty());
}

#[test]
fn the_agent_buckets_behind_a_restrictive_gateway_endpoint_policy() {
    let fail = fixture("fixtures/rules/PN414-endpoint-policy-blocks-agent-buckets.fail.yaml");
    let doc = lint(&fail);
    assert_eq!(check(&doc, "dnf").0, "reachable");
    assert_eq!(check(&doc, "ssm").0, "reachable");
    let pn414 = findings(&doc, "PN414");
    assert_eq!(pn414.len(), 1);
    assert_eq!(pn414[0]["severity"], "warning");
    assert_eq!(pn414[0]["location"]["line"], line_of(&fail, "PolicyDocument:"));
    let message = pn414[0]["message"].as_str().unwrap();
    for bucket in ["amazon-ssm-us-east-1", "aws-ssm-us-east-1", "patch-baseline-snapshot-us-east-1"] {
        assert!(message.contains(bucket), "{message}");
    }
    assert!(!message.contains("al2023-repos"), "{message}");
    let pass = lint(&fixture("fixtures/rules/PN414-endpoint-policy-blocks-agent-buckets.pass.yaml"));
    assert!(findings(&pass, "PN414").is_empty());
    // only the buckets left out are named
    let partial = fail.replace(
        "              - !Sub arn:aws:s3:::amazonlinux-2-repos-${AWS::Region}/*\n",
        "              - !Sub arn:aws:s3:::amazonlinux-2-repos-${AWS::Region}/*\n              - !Sub arn:aws:s3:::amazon-ssm-${AWS::Region}/*\n",
    );
    let doc = lint(&partial);
    let message = findings(&doc, "PN414")[0]["message"].as_str().unwrap().to_string();
    assert!(!message.contains("amazon-ssm-us-east-1 (") && message.contains("aws-ssm-us-east-1"), "{message}");
    // an instance without an instance profile is not managed: no warning
    let unmanaged = fail.replace("      IamInstanceProfile: !Ref InstanceProfile\n", "");
    assert!(findings(&lint(&unmanaged), "PN414").is_empty());
}
