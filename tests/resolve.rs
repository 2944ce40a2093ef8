//! The resolver: every intrinsic function and pseudo parameter
//! (AWS-SEMANTICS §7), conditions, `AWS::NoValue`, unknowns, and the
//! resource graph's edges for the seed.

use privnet_lint::resolve::{Context, Existence, Part, RNode, Resolved, Val, resolve};
use privnet_lint::source::parse;
use privnet_lint::template::Template;

fn resolved(text: &str, region: &str, params: &[(&str, &str)]) -> Resolved {
    let doc = parse(Some("t.yaml"), text);
    let root = doc.root.expect("parses");
    let (t, _) = Template::new(&root).expect("template");
    let mut ctx = Context::new(region);
    for (k, v) in params {
        ctx.parameters.insert(k.to_string(), v.to_string());
    }
    resolve(&t, &ctx)
}

/// Resolves `value` as the property `P` of a resource `R` (with helper
/// parameters, mappings, conditions and resources around it).
fn value(expr: &str) -> Val {
    value_in(expr, "us-east-1", &[])
}

fn value_in(expr: &str, region: &str, params: &[(&str, &str)]) -> Val {
    let text = format!(
        "Parameters:
  Env: {{Type: String, Default: prod}}
  Cidr: {{Type: String, Default: 10.0.0.0/16}}
  Azs: {{Type: CommaDelimitedList, Default: 'a,b,c'}}
  NoDefault: {{Type: AWS::EC2::Subnet::Id}}
  Ami: {{Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64}}
Mappings:
  RegionMap:
    us-east-1: {{PL: pl-63a5400a, List: [x, z]}}
    eu-west-1: {{PL: pl-6da54004}}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, !Equals [!Ref 'AWS::Region', us-east-1]]
  Either: !Or [!Condition IsDev, !Equals [a, a]]
  Undecided: !Equals [!Ref NoDefault, subnet-1]
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {{CidrBlock: !Ref Cidr}}
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties: {{VpcId: !Ref Vpc, GroupDescription: x}}
  R:
    Type: Test::Thing
    Properties:
      P: {expr}
"
    );
    let r = resolved(&text, region, params);
    let res = r.resources.iter().find(|x| x.id == "R").expect("R");
    match res.prop("P") {
        Some(v) => v.val.clone(),
        None => Val::NoValue,
    }
}

fn s(x: &str) -> Val {
    Val::Str(x.to_string())
}

fn list(v: &Val) -> Vec<Val> {
    match v {
        Val::List(items) => items.iter().map(|i| i.val.clone()).collect(),
        other => panic!("not a list: {other:?}"),
    }
}

#[test]
fn pseudo_parameters() {
    assert_eq!(value("!Ref AWS::Region"), s("us-east-1"));
    assert_eq!(value("!Ref AWS::AccountId"), s("123456789012"));
    assert_eq!(value("!Ref AWS::Partition"), s("aws"));
    assert_eq!(value_in("!Ref AWS::Partition", "cn-north-1", &[]), s("aws-cn"));
    assert_eq!(value_in("!Ref AWS::Partition", "us-gov-west-1", &[]), s("aws-us-gov"));
    assert_eq!(value("!Ref AWS::URLSuffix"), s("amazonaws.com"));
    assert_eq!(value_in("!Ref AWS::URLSuffix", "cn-north-1", &[]), s("amazonaws.com.cn"));
    assert_eq!(value("!Ref AWS::StackName"), s("privnet-lint"));
    assert!(
        matches!(value("!Ref AWS::StackId"), Val::Str(x) if x.starts_with("arn:aws:cloudformation:us-east-1:123456789012:stack/"))
    );
    assert_eq!(value("!Ref AWS::NotificationARNs"), Val::List(vec![]));
    // AWS::NoValue removes the property
    assert_eq!(value("!Ref AWS::NoValue"), Val::NoValue);
}

#[test]
fn ref_and_getatt() {
    assert_eq!(value("!Ref Env"), s("prod"));
    assert_eq!(value_in("!Ref Env", "us-east-1", &[("Env", "dev")]), s("dev"));
    assert_eq!(value("!Ref Vpc"), Val::Ref("Vpc".into()));
    assert_eq!(value("!GetAtt Sg.GroupId"), Val::Ref("Sg".into()));
    assert_eq!(value("!GetAtt [Sg, GroupId]"), Val::Ref("Sg".into()));
    assert_eq!(value("!GetAtt Sg.VpcId"), Val::Ref("Vpc".into()));
    assert_eq!(value("!GetAtt Vpc.CidrBlock"), s("10.0.0.0/16"));
    assert_eq!(value("!GetAtt Vpc.DefaultSecurityGroup"), Val::Att("Vpc".into(), "DefaultSecurityGroup".into()));
    assert_eq!(value("{'Fn::GetAtt': 'Vpc.CidrBlock'}"), s("10.0.0.0/16"));
    assert_eq!(list(&value("!Ref Azs")), vec![s("a"), s("b"), s("c")]);
    // unknowns carry their reason
    assert!(matches!(value("!Ref NoDefault"), Val::Unknown(u) if u.reason.contains("NoDefault")));
    assert!(matches!(value("!Ref Ami"), Val::Ssm(n) if n.ends_with("al2023-ami-kernel-default-x86_64")));
}

#[test]
fn sub_join_select_split() {
    assert_eq!(value("!Sub 'com.amazonaws.${AWS::Region}.ssm'"), s("com.amazonaws.us-east-1.ssm"));
    assert_eq!(value("!Sub ['${A}-${B}', {A: x, B: !Ref Env}]"), s("x-prod"));
    assert_eq!(value("!Sub '${!Literal}-${Env}'"), s("${Literal}-prod"));
    assert_eq!(value("!Sub '${Vpc}'"), Val::Ref("Vpc".into()));
    assert_eq!(value("!Sub 'id-${Vpc}'"), Val::Text(vec![Part::Text("id-".into()), Part::Ref("Vpc".into())]));
    assert_eq!(value("!Sub '${Vpc.CidrBlock}'"), s("10.0.0.0/16"));
    assert_eq!(value("!Join ['-', [a, !Ref Env, 3]]"), s("a-prod-3"));
    assert_eq!(value("!Join ['', !Ref Azs]"), s("abc"));
    assert_eq!(value("!Select [1, [a, b, c]]"), s("b"));
    assert_eq!(value("!Select ['2', !Ref Azs]"), s("c"));
    assert!(matches!(value("!Select [5, [a]]"), Val::Unknown(_)));
    assert_eq!(list(&value("!Split [',', 'a,b']")), vec![s("a"), s("b")]);
    assert_eq!(value("!Select [0, !Split ['/', !Ref Cidr]]"), s("10.0.0.0"));
}

#[test]
fn find_in_map_get_azs_cidr_base64_length_json() {
    assert_eq!(value("!FindInMap [RegionMap, !Ref 'AWS::Region', PL]"), s("pl-63a5400a"));
    assert_eq!(value_in("!FindInMap [RegionMap, !Ref 'AWS::Region', PL]", "eu-west-1", &[]), s("pl-6da54004"));
    assert_eq!(list(&value("!FindInMap [RegionMap, us-east-1, List]")), vec![s("x"), s("z")]);
    assert!(matches!(value_in("!FindInMap [RegionMap, !Ref 'AWS::Region', PL]", "ap-south-1", &[]), Val::Unknown(_)));
    assert_eq!(
        value_in("!FindInMap [RegionMap, !Ref 'AWS::Region', PL, {DefaultValue: d}]", "ap-south-1", &[]),
        s("d")
    );
    assert_eq!(list(&value("!GetAZs ''")), vec![s("us-east-1a"), s("us-east-1b"), s("us-east-1c")]);
    assert_eq!(value("!Select [0, !GetAZs eu-west-1]"), s("eu-west-1a"));
    assert_eq!(list(&value("!Cidr [10.0.0.0/16, 3, 8]")), vec![s("10.0.0.0/24"), s("10.0.1.0/24"), s("10.0.2.0/24")]);
    assert_eq!(value("!Select [1, !Cidr [!GetAtt Vpc.CidrBlock, 4, 12]]"), s("10.0.16.0/20"));
    assert!(matches!(value("!Cidr [10.0.0.0/16, 3, 20]"), Val::Unknown(_)));
    assert_eq!(value("!Base64 'echo hi'"), s("echo hi"));
    assert_eq!(value("{'Fn::Base64': !Sub 'region ${AWS::Region}'}"), s("region us-east-1"));
    assert_eq!(value("!Length [a, b, c]"), Val::Num("3".into()));
    assert_eq!(value("!ToJsonString {a: 1, b: [x]}"), s("{\"a\":1,\"b\":[\"x\"]}"));
    // the template's key order, as the Fn::ToJsonString page shows
    assert_eq!(value("!ToJsonString {To: Json, String: !Ref Env}"), s("{\"To\":\"Json\",\"String\":\"prod\"}"));
    assert_eq!(value("{'Fn::Length': !Ref Azs}"), Val::Num("3".into()));
    assert_eq!(value("!FindInMap [RegionMap, !Select [0, !Split ['|', 'us-east-1|x']], PL]"), s("pl-63a5400a"));
    assert_eq!(value("!FindInMap [RegionMap, nowhere, PL, DefaultValue: !Ref AWS::NoValue]"), Val::NoValue);
    assert!(matches!(value("!ImportValue shared-vpc-id"), Val::Import(Some(n), _) if n == "shared-vpc-id"));
    assert!(matches!(value("!Transform {Name: M}"), Val::Unknown(_)));
}

#[test]
fn conditions_and_if() {
    assert_eq!(value("!If [IsProd, big, small]"), s("big"));
    assert_eq!(value_in("!If [IsProd, big, small]", "us-east-1", &[("Env", "dev")]), s("small"));
    assert_eq!(value("!If [IsDev, x, !Ref AWS::NoValue]"), Val::NoValue);
    assert_eq!(value("!If [Both, yes-both, other]"), s("yes-both"));
    assert_eq!(value_in("!If [Both, yes-both, other]", "eu-west-1", &[]), s("other"));
    assert_eq!(value("!If [Either, e, f]"), s("e"));
    assert!(matches!(value("!If [Undecided, a, b]"), Val::Unknown(u) if u.reason.contains("NoDefault")));
    assert_eq!(value_in("!If [Undecided, a, b]", "us-east-1", &[("NoDefault", "subnet-1")]), s("a"));
    // NoValue inside lists and mappings removes the item
    assert_eq!(list(&value("[a, !If [IsDev, b, !Ref AWS::NoValue], c]")), vec![s("a"), s("c")]);
}

#[test]
fn resources_with_a_false_condition_do_not_exist() {
    let text = "Parameters:
  Nat: {Type: String, Default: 'false'}
  Other: {Type: String}
Conditions:
  WithNat: !Equals [!Ref Nat, 'true']
  Maybe: !Equals [!Ref Other, x]
Resources:
  Eip:
    Type: AWS::EC2::EIP
    Condition: WithNat
  Always:
    Type: AWS::EC2::EIP
  Unsure:
    Type: AWS::EC2::EIP
    Condition: Maybe
";
    let r = resolved(text, "us-east-1", &[]);
    let exists = |id: &str| r.resources.iter().find(|x| x.id == id).unwrap().exists.clone();
    assert_eq!(exists("Eip"), Existence::No);
    assert_eq!(exists("Always"), Existence::Yes);
    assert!(matches!(exists("Unsure"), Existence::Unknown(_)));
    assert!(r.resource("Eip").is_none());
    let r = resolved(text, "us-east-1", &[("Nat", "true")]);
    assert_eq!(r.resources[0].exists, Existence::Yes);
}

#[test]
fn thirty_independent_conditions_are_evaluated_once_each() {
    let mut text = String::from("Parameters:\n");
    for i in 0..30 {
        text.push_str(&format!("  P{i}: {{Type: String, Default: v{i}}}\n"));
    }
    text.push_str("Conditions:\n");
    for i in 0..30 {
        text.push_str(&format!("  C{i}: !Equals [!Ref P{i}, v{i}]\n"));
    }
    text.push_str("Resources:\n  R:\n    Type: T\n    Properties:\n      P:\n");
    for i in 0..30 {
        text.push_str(&format!("        - !If [C{i}, a{i}, b{i}]\n"));
    }
    let start = std::time::Instant::now();
    let r = resolved(&text, "us-east-1", &[]);
    assert!(r.conditions.iter().all(|(_, v)| *v == Some(true)));
    let p = r.resources[0].prop("P").unwrap();
    assert_eq!(p.as_list().unwrap().len(), 30);
    // not a benchmark: a sanity bound that only exponential work would break
    assert!(start.elapsed().as_secs() < 5);
}

#[test]
fn findinmap_missing_key_for_the_region_is_pn003() {
    let text = "Mappings:\n  M:\n    us-east-1: {Ami: ami-1}\nResources:\n  I:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: !FindInMap [M, !Ref 'AWS::Region', Ami]\n";
    let r = resolved(text, "eu-west-1", &[]);
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].code.as_str(), "PN003");
    assert_eq!(r.findings[0].span.unwrap().start.line, 8);
    assert!(resolved(text, "us-east-1", &[]).findings.is_empty());
}

/// Functions in `DeletionPolicy`/`UpdateReplacePolicy` must give one of the
/// options (function-refs-in-policy-attributes.html).
#[test]
fn policy_functions_that_give_no_option_are_pn008_per_region() {
    let text = "Conditions:
  East: !Equals [!Ref 'AWS::Region', us-east-1]
Resources:
  T:
    Type: AWS::SNS::Topic
    DeletionPolicy: !If [East, Retain, Keep]
    UpdateReplacePolicy: !If [East, Snapshot, Delete]
";
    assert!(resolved(text, "us-east-1", &[]).findings.is_empty());
    let r = resolved(text, "eu-west-1", &[]);
    assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
    assert_eq!(r.findings[0].code.as_str(), "PN008");
    assert!(
        r.findings[0].message.contains("`DeletionPolicy` of `T` is `Keep` in eu-west-1"),
        "{}",
        r.findings[0].message
    );
    assert_eq!(r.findings[0].span.unwrap().start.line, 6);
}

#[test]
fn graph_edges_of_the_seed() {
    use privnet_lint::network::graph::ResourceGraph;
    let text = std::fs::read_to_string("fixtures/seed-stack.yaml").unwrap();
    let r = resolved(&text, "ap-northeast-1", &[]);
    let g = ResourceGraph::build(&r);
    assert_eq!(g.node_count(), 16);
    let deps = |id: &str| -> Vec<(String, String)> {
        g.dependencies(id).into_iter().map(|(n, e)| (n.id.clone(), e.path.clone())).collect()
    };
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        deps("S3VPCEndpoint"),
        vec![pair("MyVPC", "Properties.VpcId"), pair("PrivateSubnetRouteTable", "Properties.RouteTableIds[0]")]
    );
    assert_eq!(
        deps("MyEC2Instance"),
        vec![
            pair("PrivateSubnet", "Properties.SubnetId"),
            pair("MyEC2SecurityGroup", "Properties.SecurityGroupIds[0]"),
            pair("MyInstanceProfile", "Properties.IamInstanceProfile"),
        ]
    );
    assert_eq!(deps("MyInstanceProfile"), vec![pair("SSMRole", "Properties.Roles[0]")]);
    assert_eq!(
        deps("MySSMSecurityGroupIngress"),
        vec![
            pair("MySSMSecurityGroup", "Properties.GroupId"),
            pair("MyEC2SecurityGroup", "Properties.SourceSecurityGroupId")
        ]
    );
    // every edge is labelled with its property path and kind
    let edges: Vec<&str> = g.references().map(|r| r.path.as_str()).collect();
    assert!(edges.contains(&"Properties.SubnetIds[0]"));
    assert_eq!(g.edge_count(), 26);
    // who refers to a resource, each once, in template order
    let referrers = |id: &str| -> Vec<String> { g.referrers(id).into_iter().map(|r| r.id.clone()).collect() };
    assert_eq!(referrers("MyInstanceProfile"), vec!["MyEC2Instance"]);
    assert_eq!(
        referrers("MyEC2SecurityGroup"),
        vec![
            "MySSMSecurityGroupIngress",
            "MyEC2SecurityGroupEgressAllowToSSM",
            "MyEC2SecurityGroupEgressAllowToS3",
            "MyEC2Instance"
        ]
    );
    assert!(referrers("MyEC2Instance").is_empty());
    // the seed deploys: no circular dependency
    assert!(g.cycles().is_empty());
}

#[test]
fn circular_dependencies_are_named_with_a_shortest_loop() {
    use privnet_lint::network::graph::ResourceGraph;
    let text = "Parameters:
  Flag: {Type: String, Default: 'no'}
  Open: {Type: String}
Conditions:
  Maybe: !Equals [!Ref Flag, 'yes']
  Unknown: !Equals [!Ref Open, 'yes']
Resources:
  A:
    Type: T
    Properties: {X: !Ref B}
  B:
    Type: T
    Properties: {X: !GetAtt C.Arn, Y: !Ref D}
  C:
    Type: T
    DependsOn: A
  D:
    Type: T
    Properties: {X: !Sub '${A}'}
  Free:
    Type: T
    Properties: {X: !Ref A}
  Self:
    Type: T
    Properties: {X: !Ref Self}
  E:
    Type: T
    Properties: {X: !If [Maybe, !Ref F, none]}
  F:
    Type: T
    Properties: {X: !Ref E}
  G:
    Type: T
    Condition: Unknown
    Properties: {X: !Ref G}
";
    let r = resolved(text, "us-east-1", &[]);
    let g = ResourceGraph::build(&r);
    let cycles = g.cycles();
    let members: Vec<Vec<&str>> = cycles.iter().map(|c| c.members.iter().map(|m| m.id.as_str()).collect()).collect();
    // E → F only where `Maybe` holds; G may not exist
    assert_eq!(members, vec![vec!["A", "B", "C", "D"], vec!["Self"]]);
    let loop_ids: Vec<(&str, &str)> = cycles[0].steps.iter().map(|s| (s.from.id.as_str(), s.to.id.as_str())).collect();
    assert_eq!(loop_ids, vec![("A", "B"), ("B", "C"), ("C", "A")]);
    assert_eq!(cycles[0].steps[2].reference.path, "DependsOn");
    assert_eq!(cycles[1].steps.len(), 1);
    let r = resolved(text, "us-east-1", &[("Flag", "yes")]);
    let members: Vec<Vec<String>> =
        ResourceGraph::build(&r).cycles().iter().map(|c| c.members.iter().map(|m| m.id.clone()).collect()).collect();
    assert_eq!(members.last(), Some(&vec!["E".to_string(), "F".to_string()]));
}

#[test]
fn depends_on_and_sub_edges() {
    use privnet_lint::network::graph::ResourceGraph;
    use privnet_lint::resolve::RefKind;
    let text = "Resources:\n  A:\n    Type: T\n  B:\n    Type: T\n    DependsOn: A\n    Properties:\n      X: !Sub '${A}-${A.Arn}'\n";
    let r = resolved(text, "us-east-1", &[]);
    let g = ResourceGraph::build(&r);
    let kinds: Vec<RefKind> = g.references().map(|r| r.kind).collect();
    assert!(kinds.contains(&RefKind::DependsOn));
    assert_eq!(kinds.iter().filter(|k| **k == RefKind::Sub).count(), 2);
    let b = r.resources.iter().find(|x| x.id == "B").unwrap();
    let x: &RNode = b.prop("X").unwrap();
    assert_eq!(
        x.val,
        Val::Text(vec![Part::Ref("A".into()), Part::Text("-".into()), Part::Att("A".into(), "Arn".into())])
    );
}

#[test]
fn a_split_of_a_join_of_references_gives_the_references_back() {
    let refs = vec![Val::Ref("Vpc".into()), Val::Ref("Sg".into())];
    assert_eq!(list(&value("!Split [',', !Join [',', [!Ref Vpc, !Ref Sg]]]")), refs);
    assert_eq!(list(&value("!Split [',', !Sub '${Vpc},${Sg}']")), refs);
    assert_eq!(list(&value("!Split [', ', !Join [', ', [!Ref Vpc, !Ref Sg]]]")), refs);
    assert_eq!(list(&value("!Split [',', !Ref Vpc]")), vec![Val::Ref("Vpc".into())]);
    assert_eq!(
        list(&value("!Split [',', !Sub '${Vpc},x,${Sg}-y']")),
        vec![Val::Ref("Vpc".into()), s("x"), Val::Text(vec![Part::Ref("Sg".into()), Part::Text("-y".into())])]
    );
    assert_eq!(value("!Select [1, !Split [',', !Join [',', [!Ref Vpc, !Ref Sg]]]]"), Val::Ref("Sg".into()));
    // a delimiter an ID may contain, or an unknown part, leaves it unknown
    assert!(matches!(value("!Split ['-', !Join ['-', [!Ref Vpc, !Ref Sg]]]"), Val::Unknown(_)));
    assert!(matches!(value("!Split [',', !Join [',', [!Ref Vpc, !Ref NoDefault]]]"), Val::Unknown(_)));
    // a lone attribute may be a list the service joined: not split
    assert!(matches!(value("!Split [',', !GetAtt Vpc.Ipv6CidrBlocks]"), Val::Unknown(_)));
}

#[test]
fn a_list_parameter_passed_as_a_joined_string_is_split() {
    // what a parent stack passes a nested stack: `SubnetIds: !Join [',', [!Ref A, !Ref B]]`
    let text = "Parameters:\n  Subnets: {Type: 'List<AWS::EC2::Subnet::Id>'}\n  Names: {Type: String}\nResources:\n  R:\n    Type: T\n    Properties:\n      L: !Ref Subnets\n      S: !Split [',', !Ref Names]\n";
    let doc = parse(Some("t.yaml"), text);
    let root = doc.root.expect("parses");
    let (t, _) = Template::new(&root).expect("template");
    let mut ctx = Context::new("us-east-1");
    let span = root.span;
    let joined =
        RNode::new(span, Val::Text(vec![Part::Ref("P/A".into()), Part::Text(",".into()), Part::Ref("P/B".into())]));
    ctx.parameter_values.insert("Subnets".into(), joined.clone());
    ctx.parameter_values.insert("Names".into(), joined);
    let r = resolve(&t, &ctx);
    let res = r.resources.iter().find(|x| x.id == "R").expect("R");
    let refs = vec![Val::Ref("P/A".into()), Val::Ref("P/B".into())];
    assert_eq!(list(&res.prop("L").unwrap().val), refs);
    assert_eq!(list(&res.prop("S").unwrap().val), refs);
}
