//! The expansion against the examples of the Fn::ForEach reference pages
//! and RFC 0009: what CloudFormation says each template becomes.

use std::time::{Duration, Instant};

use super::*;
use crate::finding::Code;
use crate::source::parse;

fn tree(text: &str) -> Node {
    let doc = parse(Some("t.yaml"), text);
    assert!(doc.findings.is_empty(), "{:?}", doc.findings);
    doc.root.expect("parses")
}

fn run(text: &str, params: &[(&str, &str)]) -> (Node, Expansion) {
    let root = tree(text);
    let given: Given = params.iter().map(|(k, v)| (k.to_string(), Some(v.to_string()))).collect();
    let e = expand(&root, &given);
    (root, e)
}

/// A tree as JSON, without spans, for comparing shapes.
fn json(n: &Node) -> serde_json::Value {
    match &n.value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => (*b).into(),
        Value::Number(s) | Value::String(s) => s.clone().into(),
        Value::Seq(items) => items.iter().map(json).collect(),
        Value::Map(entries) => entries.iter().map(|e| (e.key.clone(), json(&e.value))).collect(),
    }
}

/// The expanded tree equals `expected` (a template without loops).
fn assert_expands(text: &str, params: &[(&str, &str)], expected: &str) -> Expansion {
    let (_, e) = run(text, params);
    assert!(e.findings.is_empty(), "{:#?}", e.findings);
    let got = e.root.as_ref().expect("expanded");
    let mut want = json(&tree(expected));
    let mut got = json(got);
    for v in [&mut want, &mut got] {
        let m = v.as_object_mut().expect("a mapping");
        m.remove("Transform");
        m.remove("AWSTemplateFormatVersion");
    }
    assert_eq!(got, want, "\n got: {got:#}\nwant: {want:#}");
    e
}

fn keys(n: &Node, section: &str) -> Vec<String> {
    n.get(section).and_then(Node::as_map).unwrap_or_default().iter().map(|e| e.key.clone()).collect()
}

fn codes(e: &Expansion) -> Vec<Code> {
    e.findings.iter().map(|f| f.code).collect()
}

const HEAD: &str = "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::LanguageExtensions\n";

#[test]
fn a_resource_loop_substitutes_the_key_and_ref_of_the_identifier() {
    // Fn::ForEach examples, "Replicate a resource" (DynamoDB tables)
    let text = format!(
        "{HEAD}Resources:
  Fn::ForEach::Tables:
    - TableName
    - [Points, Score]
    - DynamoDB${{TableName}}:
        Type: AWS::DynamoDB::Table
        Properties:
          TableName: !Ref TableName
          Tags: [{{Key: Name, Value: '${{TableName}}'}}]
"
    );
    let e = assert_expands(
        &text,
        &[],
        "Resources:
  DynamoDBPoints:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: Points
      Tags: [{Key: Name, Value: '${TableName}'}]
  DynamoDBScore:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: Score
      Tags: [{Key: Name, Value: '${TableName}'}]
",
    );
    // a plain string is no implicit Fn::Sub (RFC 0009): only keys, Ref and Sub
    assert_eq!(e.origins["DynamoDBScore"].to_string(), "Fn::ForEach::Tables, Score");
    assert_eq!(
        e.origins["DynamoDBPoints"].0,
        vec![Iteration {
            loop_key: "Fn::ForEach::Tables".into(),
            identifier: "TableName".into(),
            value: "Points".into()
        }]
    );
}

#[test]
fn made_entries_keep_the_spans_of_the_loop_body() {
    let text = format!(
        "{HEAD}Resources:
  Fn::ForEach::Topics:
    - Name
    - [A, B]
    - Topic${{Name}}:
        Type: AWS::SNS::Topic
"
    );
    let (root, e) = run(&text, &[]);
    let body =
        &root.get("Resources").and_then(Node::as_map).unwrap()[0].value.as_seq().unwrap()[2].as_map().unwrap()[0];
    let made = e.root.as_ref().and_then(|r| r.get("Resources")).and_then(Node::as_map).unwrap();
    assert_eq!(made.len(), 2);
    for m in made {
        assert_eq!(m.key_span, body.key_span);
        assert_eq!(m.value.span, body.value.span);
        assert_eq!(m.value.get("Type").unwrap().span, body.value.get("Type").unwrap().span);
    }
}

#[test]
fn ampersand_drops_the_characters_a_logical_id_cannot_hold() {
    let text = format!(
        "{HEAD}Resources:
  Fn::ForEach::Subnets:
    - Cidr
    - [10.0.0.0/24, 10.0.1.0/24]
    - Subnet&{{Cidr}}:
        Type: AWS::EC2::Subnet
        Properties:
          CidrBlock: !Ref Cidr
          Tags: [{{Key: Name, Value: !Sub 'subnet-${{Cidr}}'}}]
"
    );
    assert_expands(
        &text,
        &[],
        "Resources:
  Subnet1000024:
    Type: AWS::EC2::Subnet
    Properties: {CidrBlock: 10.0.0.0/24, Tags: [{Key: Name, Value: subnet-10.0.0.0/24}]}
  Subnet1001024:
    Type: AWS::EC2::Subnet
    Properties: {CidrBlock: 10.0.1.0/24, Tags: [{Key: Name, Value: subnet-10.0.1.0/24}]}
",
    );
}

#[test]
fn dollar_with_non_alphanumeric_values_makes_an_invalid_logical_id() {
    let text = format!(
        "{HEAD}Resources:
  Fn::ForEach::Subnets:
    - Cidr
    - [10.0.0.0/24]
    - Subnet${{Cidr}}:
        Type: AWS::EC2::Subnet
"
    );
    let (_, e) = run(&text, &[]);
    assert_eq!(codes(&e), vec![Code::PN008]);
    assert!(e.findings[0].message.contains("`Subnet10.0.0.0/24`"), "{}", e.findings[0].message);
    assert!(e.findings[0].message.contains("&{…}"), "{}", e.findings[0].message);
}

#[test]
fn nested_loops_multiply_and_resolve_ref_of_a_sub() {
    // RFC 0009, use case 3
    let text = format!(
        "{HEAD}Resources:
  Fn::ForEach::SubnetResources:
    - Prefix
    - [Transit, Public]
    - Nacl${{Prefix}}Subnet:
        Type: AWS::EC2::NetworkAcl
      Fn::ForEach::LoopInner:
        - Suffix
        - [A, B]
        - ${{Prefix}}Subnet${{Suffix}}:
            Type: AWS::EC2::Subnet
          Nacl${{Prefix}}Subnet${{Suffix}}Association:
            Type: AWS::EC2::SubnetNetworkAclAssociation
            Properties:
              SubnetId: !Ref
                Fn::Sub: ${{Prefix}}Subnet${{Suffix}}
              NetworkAclId: !Ref
                Fn::Sub: Nacl${{Prefix}}Subnet
"
    );
    let e = assert_expands(
        &text,
        &[],
        "Resources:
  NaclTransitSubnet: {Type: AWS::EC2::NetworkAcl}
  TransitSubnetA: {Type: AWS::EC2::Subnet}
  NaclTransitSubnetAAssociation:
    Type: AWS::EC2::SubnetNetworkAclAssociation
    Properties: {SubnetId: !Ref TransitSubnetA, NetworkAclId: !Ref NaclTransitSubnet}
  TransitSubnetB: {Type: AWS::EC2::Subnet}
  NaclTransitSubnetBAssociation:
    Type: AWS::EC2::SubnetNetworkAclAssociation
    Properties: {SubnetId: !Ref TransitSubnetB, NetworkAclId: !Ref NaclTransitSubnet}
  NaclPublicSubnet: {Type: AWS::EC2::NetworkAcl}
  PublicSubnetA: {Type: AWS::EC2::Subnet}
  NaclPublicSubnetAAssociation:
    Type: AWS::EC2::SubnetNetworkAclAssociation
    Properties: {SubnetId: !Ref PublicSubnetA, NetworkAclId: !Ref NaclPublicSubnet}
  PublicSubnetB: {Type: AWS::EC2::Subnet}
  NaclPublicSubnetBAssociation:
    Type: AWS::EC2::SubnetNetworkAclAssociation
    Properties: {SubnetId: !Ref PublicSubnetB, NetworkAclId: !Ref NaclPublicSubnet}
",
    );
    assert_eq!(
        e.origins["PublicSubnetB"].to_string(),
        "Fn::ForEach::SubnetResources, Public; Fn::ForEach::LoopInner, B"
    );
    assert_eq!(e.origins["NaclPublicSubnet"].to_string(), "Fn::ForEach::SubnetResources, Public");
}

#[test]
fn outputs_loops_turn_getatt_of_functions_into_names() {
    // Fn::ForEach examples in the Outputs section
    let text = format!(
        "{HEAD}Resources:
  Fn::ForEach::Buckets:
    - Identifier
    - [A, B]
    - S3Bucket${{Identifier}}:
        Type: AWS::S3::Bucket
Outputs:
  Fn::ForEach::BucketOutputs:
    - Identifier
    - [A, B]
    - Fn::ForEach::GetAttLoop:
        - Property
        - [Arn, DomainName]
        - S3Bucket${{Identifier}}${{Property}}:
            Value: !GetAtt [!Sub 'S3Bucket${{Identifier}}', !Ref Property]
"
    );
    assert_expands(
        &text,
        &[],
        "Resources:
  S3BucketA: {Type: AWS::S3::Bucket}
  S3BucketB: {Type: AWS::S3::Bucket}
Outputs:
  S3BucketAArn: {Value: !GetAtt [S3BucketA, Arn]}
  S3BucketADomainName: {Value: !GetAtt [S3BucketA, DomainName]}
  S3BucketBArn: {Value: !GetAtt [S3BucketB, Arn]}
  S3BucketBDomainName: {Value: !GetAtt [S3BucketB, DomainName]}
",
    );
}

#[test]
fn a_properties_loop_uses_the_identifier_of_the_loop_around_it() {
    // RFC 0009, use case 4: the FindInMap stays for the resolver
    let text = format!(
        "{HEAD}Mappings:
  InstanceA:
    Properties: {{ImageId: ami-id1}}
Resources:
  Fn::ForEach::Instances:
    - InstanceLogicalId
    - [InstanceA]
    - ${{InstanceLogicalId}}:
        Type: AWS::EC2::Instance
        Properties:
          DisableApiTermination: true
          Fn::ForEach::Properties:
            - PropertyName
            - [ImageId, InstanceType]
            - ${{PropertyName}}: !FindInMap [!Ref InstanceLogicalId, Properties, !Ref PropertyName, DefaultValue: !Ref AWS::NoValue]
"
    );
    assert_expands(
        &text,
        &[],
        "Mappings:
  InstanceA:
    Properties: {ImageId: ami-id1}
Resources:
  InstanceA:
    Type: AWS::EC2::Instance
    Properties:
      DisableApiTermination: true
      ImageId: !FindInMap [InstanceA, Properties, ImageId, DefaultValue: !Ref AWS::NoValue]
      InstanceType: !FindInMap [InstanceA, Properties, InstanceType, DefaultValue: !Ref AWS::NoValue]
",
    );
}

#[test]
fn a_conditions_loop_makes_conditions() {
    // Fn::ForEach examples in the Conditions section
    let text = format!(
        "{HEAD}Parameters:
  ParamA: {{Type: String}}
  ParamB: {{Type: String}}
Conditions:
  Fn::ForEach::CheckTrue:
    - Identifier
    - [A, B]
    - IsParam${{Identifier}}Enabled: !Equals [!Ref {{Fn::Sub: 'Param${{Identifier}}'}}, 'true']
Resources:
  Handle: {{Type: AWS::CloudFormation::WaitConditionHandle}}
"
    );
    let (_, e) = run(&text, &[]);
    assert!(e.findings.is_empty(), "{:?}", e.findings);
    let root = e.root.expect("expanded");
    assert_eq!(keys(&root, "Conditions"), ["IsParamAEnabled", "IsParamBEnabled"]);
    assert_eq!(
        json(root.get("Conditions").unwrap().get("IsParamBEnabled").unwrap()),
        json(&tree("!Equals [!Ref ParamB, 'true']"))
    );
}

#[test]
fn sub_keeps_its_other_variables() {
    let text = format!(
        "{HEAD}Resources:
  Fn::ForEach::Topics:
    - Name
    - [A]
    - Topic${{Name}}:
        Type: AWS::SNS::Topic
        Properties:
          TopicName: !Sub '${{AWS::StackName}}-${{Name}}-${{!Literal}}'
          DisplayName: !Sub ['${{Name}}-${{Suffix}}', {{Suffix: x}}]
"
    );
    assert_expands(
        &text,
        &[],
        "Resources:
  TopicA:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub '${AWS::StackName}-A-${!Literal}'
      DisplayName: !Sub ['A-${Suffix}', {Suffix: x}]
",
    );
}

#[test]
fn collections_come_from_parameters_mappings_and_functions() {
    let template = |collection: &str| {
        format!(
            "{HEAD}Parameters:
  Names: {{Type: CommaDelimitedList, Default: 'A, B'}}
  Env: {{Type: String, Default: dev}}
  Text: {{Type: String, Default: 'x|y'}}
Mappings:
  Sets:
    dev: {{Names: [C, D]}}
Resources:
  Fn::ForEach::Topics:
    - Name
    - {collection}
    - Topic&{{Name}}:
        Type: AWS::SNS::Topic
"
        )
    };
    type Params<'a> = &'a [(&'a str, &'a str)];
    let cases: &[(&str, Params, &[&str])] = &[
        ("[A, B]", &[], &["TopicA", "TopicB"]),
        ("!Ref Names", &[], &["TopicA", "TopicB"]),
        ("!Ref Names", &[("Names", "E,F,G")], &["TopicE", "TopicF", "TopicG"]),
        ("!FindInMap [Sets, !Ref Env, Names]", &[], &["TopicC", "TopicD"]),
        ("!FindInMap [Sets, prod, Names, DefaultValue: [X]]", &[], &["TopicX"]),
        ("!Split ['|', !Ref Text]", &[], &["Topicx", "Topicy"]),
        ("!Cidr [10.0.0.0/16, 2, 8]", &[], &["Topic1000024", "Topic1001024"]),
        ("[!Ref Env, !Sub '${Env}2', !Select [1, [p, q]]]", &[], &["Topicdev", "Topicdev2", "Topicq"]),
        ("[]", &[], &[]),
    ];
    for (collection, params, want) in cases {
        let (_, e) = run(&template(collection), params);
        assert!(e.findings.is_empty(), "{collection}: {:?}", e.findings);
        assert_eq!(keys(e.root.as_ref().expect("expanded"), "Resources"), *want, "{collection}");
    }
}

#[test]
fn a_collection_known_only_at_deploy_time_is_a_note_and_the_loop_is_left_out() {
    let template = |collection: &str| {
        format!(
            "{HEAD}Parameters:
  Names: {{Type: CommaDelimitedList}}
  Listed: {{Type: 'AWS::SSM::Parameter::Value<CommaDelimitedList>', Default: /names}}
  One: {{Type: String, Default: a}}
Resources:
  Fn::ForEach::Topics:
    - Name
    - {collection}
    - Topic${{Name}}:
        Type: AWS::SNS::Topic
  Other: {{Type: AWS::SNS::Topic, DependsOn: TopicA}}
"
        )
    };
    for (collection, reason) in [
        ("!Ref Names", "parameter `Names` (CommaDelimitedList) has no value and no `Default`"),
        ("!Ref Listed", "read from Parameter Store"),
        ("!Ref One", "is a `String`, not a list"),
        ("!GetAZs ''", "Availability Zones"),
        ("[!Ref AWS::Region]", "depends on the region"),
        ("!ImportValue names", "read at deploy time"),
    ] {
        let (_, e) = run(&template(collection), &[]);
        assert_eq!(codes(&e), vec![Code::PN005], "{collection}: {:?}", e.findings);
        let f = &e.findings[0];
        assert!(f.message.contains(reason), "{collection}: {}", f.message);
        assert!(f.message.contains("the resources it makes are not analyzed"), "{}", f.message);
        assert_eq!(f.span.map(|s| s.start.line), Some(10), "at the collection");
        assert!(e.partial);
        assert_eq!(keys(e.root.as_ref().expect("expanded"), "Resources"), ["Other"]);
    }
}

#[test]
fn malformed_loops_are_pn004() {
    let cases = [
        ("Fn::ForEach::L: [Name, [A]]", "takes `[Identifier"),
        ("Fn::ForEach::L: [[x], [A], {'T${Name}': {Type: X}}]", "identifier of `Fn::ForEach::L` must be a string"),
        ("Fn::ForEach::L: [Name, [A], [x]]", "must be a mapping"),
        ("Fn::ForEach::L: [Name, A, {'T${Name}': {Type: X}}]", "must be a list"),
        ("Fn::ForEach::L: [Name, !GetAtt X.Y, {'T${Name}': {Type: X}}]", "known only once its resource exists"),
        (
            "Fn::ForEach::L: [Env, [A], {'T${Env}': {Type: X}}]",
            "identifier `Env` of `Fn::ForEach::L` is also a parameter",
        ),
        ("Fn::ForEach::Env: [Name, [A], {'T${Name}': {Type: X}}]", "loop name `Env`"),
        ("Fn::ForEach::L: [Name, [A, A], {'T${Name}': {Type: X}}]", "makes `TA` twice"),
        ("Fn::ForEach::L: [Name, [A], {Kept: {Type: X}}]", "makes `Kept` twice, or a key its mapping already has"),
        (
            "Fn::ForEach::L: [Name, [A], {'Fn::ForEach::M': [Name, [B], {'T${Name}': {Type: X}}]}]",
            "uses the identifier `Name` of the loop around it",
        ),
        ("Fn::ForEach::L: [Name, !Ref NoEcho, {'T${Name}': {Type: X}}]", "`NoEcho`"),
    ];
    for (loop_, message) in cases {
        let text = format!(
            "{HEAD}Parameters:
  Env: {{Type: String, Default: a}}
  NoEcho: {{Type: CommaDelimitedList, Default: 'a', NoEcho: true}}
Resources:
  Kept: {{Type: AWS::SNS::Topic}}
  {loop_}
"
        );
        let (_, e) = run(&text, &[]);
        assert!(codes(&e).contains(&Code::PN004), "{loop_}: {:?}", e.findings);
        assert!(e.findings.iter().any(|f| f.message.contains(message)), "{loop_}: {:#?}", e.findings);
        assert!(keys(e.root.as_ref().expect("expanded"), "Resources").contains(&"Kept".to_string()));
    }
}

#[test]
fn loops_outside_their_sections_are_pn004() {
    let text = format!(
        "{HEAD}Mappings:
  Fn::ForEach::M: [Name, [A], {{'M${{Name}}': {{k: v}}}}]
Resources:
  T: {{Type: AWS::SNS::Topic}}
"
    );
    let (_, e) = run(&text, &[]);
    assert_eq!(codes(&e), vec![Code::PN004]);
    assert!(e.findings[0].message.contains("the `Mappings` section"), "{}", e.findings[0].message);
}

#[test]
fn without_the_transform_a_loop_is_a_logical_id_cloudformation_rejects() {
    let text = "Resources:
  Fn::ForEach::Topics:
    - Name
    - [A]
    - Topic${Name}:
        Type: AWS::SNS::Topic
        Properties:
          Fn::ForEach::Tags: [Tag, [x], {'Tag${Tag}': v}]
";
    let (_, e) = run(text, &[]);
    assert!(e.root.is_none(), "nothing is expanded");
    assert_eq!(codes(&e), vec![Code::PN008]);
    let f = &e.findings[0];
    assert!(f.message.contains("which this template does not declare"), "{}", f.message);
    assert!(
        f.message.contains("a resource whose logical ID `Fn::ForEach::Topics` is not alphanumeric"),
        "{}",
        f.message
    );
    assert_eq!(f.span.map(|s| (s.start.line, s.start.column)), Some((2, 3)));
    // another transform may expand it: no finding
    let (_, e) = run(&format!("Transform: AWS::Serverless-2016-10-31\n{text}"), &[]);
    assert!(e.findings.is_empty(), "{:?}", e.findings);
    // the transform as an item of a list counts
    let (_, e) = run(&format!("Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]\n{text}"), &[]);
    assert!(e.findings.is_empty(), "{:?}", e.findings);
    assert_eq!(keys(e.root.as_ref().expect("expanded"), "Resources"), ["TopicA"]);
}

#[test]
fn a_made_resource_condition_from_a_mapping_is_resolved_or_removed() {
    // RFC 0009, use case 2
    let text = format!(
        "{HEAD}Mappings:
  NatGateway:
    Condition: {{B: TwoNatGateways}}
Conditions:
  TwoNatGateways: !Equals [a, a]
Resources:
  Fn::ForEach::Nat:
    - Identifier
    - [A, B]
    - Eip${{Identifier}}:
        Type: AWS::EC2::EIP
        Condition: !FindInMap [NatGateway, Condition, !Ref Identifier, DefaultValue: !Ref AWS::NoValue]
"
    );
    assert_expands(
        &text,
        &[],
        "Mappings:
  NatGateway:
    Condition: {B: TwoNatGateways}
Conditions:
  TwoNatGateways: !Equals [a, a]
Resources:
  EipA: {Type: AWS::EC2::EIP}
  EipB: {Type: AWS::EC2::EIP, Condition: TwoNatGateways}
",
    );
}

#[test]
fn more_resources_than_the_quota_is_pn008() {
    let items: Vec<String> = (0..501).map(|i| format!("N{i}")).collect();
    let text = format!(
        "{HEAD}Resources:
  Fn::ForEach::Topics:
    - Name
    - [{}]
    - Topic${{Name}}: {{Type: AWS::SNS::Topic}}
",
        items.join(", ")
    );
    let (_, e) = run(&text, &[]);
    assert_eq!(codes(&e), vec![Code::PN008]);
    assert!(
        e.findings[0].message.contains("declares 501 resources; CloudFormation allows 500"),
        "{}",
        e.findings[0].message
    );
    assert_eq!(keys(e.root.as_ref().expect("expanded"), "Resources").len(), 501);
}

#[test]
fn nested_loops_cannot_explode() {
    // five nested loops of 100 items would make 10^10 resources
    let items: Vec<String> = (0..100).map(|i| format!("v{i}")).collect();
    let list = format!("[{}]", items.join(", "));
    let mut body = "'R${A}${B}${C}${D}${E}': {Type: AWS::SNS::Topic}".to_string();
    for id in ["E", "D", "C", "B", "A"] {
        body = format!("'Fn::ForEach::L{id}': [{id}, {list}, {{{body}}}]");
    }
    let text = format!("{HEAD}Resources: {{{body}}}\n");
    let started = Instant::now();
    let (_, e) = run(&text, &[]);
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
    assert_eq!(codes(&e), vec![Code::PN008]);
    assert!(
        e.findings[0].message.contains(&format!("more than {MAX_RESOURCES} resources")),
        "{}",
        e.findings[0].message
    );
    assert!(e.partial);
    assert_eq!(keys(e.root.as_ref().expect("expanded"), "Resources").len(), MAX_RESOURCES + 1);

    // the same with outputs, which no resource count bounds: the node budget
    let text = text.replace("Resources: ", "Outputs: ").replace("{Type: AWS::SNS::Topic}", "{Value: x}");
    let text = format!("{text}Resources: {{T: {{Type: AWS::SNS::Topic}}}}\n");
    let started = Instant::now();
    let (_, e) = run(&text, &[]);
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
    assert_eq!(codes(&e), vec![Code::PN005]);
    assert!(e.findings[0].message.contains(&format!("more than {MAX_NODES} nodes")), "{}", e.findings[0].message);
}

#[test]
fn a_template_without_loops_is_left_alone() {
    let (_, e) = run(&format!("{HEAD}Resources:\n  T: {{Type: AWS::SNS::Topic}}\n"), &[]);
    assert!(e.root.is_none() && e.findings.is_empty() && !e.partial);
}
