//! Rain module expansion on small module files, against what `rain pkg`
//! writes for the same input (rain's own test templates under
//! `cft/pkg/tmpl/` and their `-expect.yaml`).

use std::path::{Path, PathBuf};

use serde_json::{Value as J, json};

use super::{Expansion, expand};
use crate::finding::Code;
use crate::project::ProjectRoot;
use crate::source::{self, Node, Value};

/// A folder of its own with `files` in it.
fn folder(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("privnet-lint-rain-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap_or(&dir)).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

/// Expands `template` (written as `t.yaml` next to `modules`).
fn expanded(name: &str, template: &str, modules: &[(&str, &str)]) -> Expansion {
    let mut files = modules.to_vec();
    files.push(("t.yaml", template));
    let dir = folder(name, &files);
    let path = dir.join("t.yaml");
    let doc = source::parse(Some("t.yaml"), template);
    let out = expand(doc.root.as_ref().unwrap(), &path, &ProjectRoot::at(&dir));
    let _ = std::fs::remove_dir_all(&dir);
    out
}

fn json(n: &Node) -> J {
    match &n.value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Number(s) | Value::String(s) => J::String(s.clone()),
        Value::Seq(items) => J::Array(items.iter().map(json).collect()),
        Value::Map(entries) => J::Object(entries.iter().map(|e| (e.key.clone(), json(&e.value))).collect()),
    }
}

/// The expanded template as JSON.
fn tree(x: &Expansion) -> J {
    json(x.root.as_ref().expect("expanded"))
}

fn keys(j: &J) -> Vec<String> {
    let mut k: Vec<String> = j.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
    k.sort();
    k
}

#[test]
fn a_module_in_a_module_gets_both_prefixes_and_its_references_too() {
    let inner = "Resources:\n  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}\n  Subnet:\n    Type: AWS::EC2::Subnet\n    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24}\n";
    let outer = "Resources:\n  Net:\n    Type: !Rain::Module ./inner.yaml\n  Rt:\n    Type: AWS::EC2::RouteTable\n    Properties: {VpcId: !Ref NetVpc}\n";
    let template = "Resources:\n  Top:\n    Type: !Rain::Module ./outer.yaml\n";
    let x = expanded("nested", template, &[("inner.yaml", inner), ("outer.yaml", outer)]);
    assert!(x.findings.is_empty(), "{:?}", x.findings);
    let r = &tree(&x)["Resources"];
    assert_eq!(keys(r), ["TopNetSubnet", "TopNetVpc", "TopRt"]);
    assert_eq!(r["TopNetSubnet"]["Properties"]["VpcId"], json!({"Ref": "TopNetVpc"}));
    assert_eq!(r["TopRt"]["Properties"]["VpcId"], json!({"Ref": "TopNetVpc"}));
    // the origin names both modules
    let origin = &x.origins["TopNetVpc"].0;
    assert_eq!(origin.len(), 2);
}

/// rain's `ifparam-template.yaml` with its module: `expect.yaml` keeps
/// `Show1Hide2Bucket1`, `Show1Hide2SubBucket1` and `Hide1Show2Bucket2`.
#[test]
fn if_param_and_if_not_param_leave_resources_out() {
    let module = "Parameters:\n  Foo:\n    Type: String\n    Default: ignored\nResources:\n  Bucket1:\n    Type: AWS::S3::Bucket\n    Metadata:\n      Rain:\n        IfParam: Foo\n    Properties: {BucketName: Bucket1}\n  Bucket2:\n    Type: AWS::S3::Bucket\n    Metadata:\n      Rain:\n        IfNotParam: Foo\n    Properties: {BucketName: Bucket2}\n";
    let template = "Resources:\n  Show1Hide2:\n    Type: !Rain::Module ./m.yaml\n    Properties:\n      Foo: foo\n  Show1Hide2Sub:\n    Type: !Rain::Module ./m.yaml\n    Properties:\n      Foo: !Sub ${Foo}\n  Hide1Show2:\n    Type: !Rain::Module ./m.yaml\n  Empty:\n    Type: !Rain::Module ./m.yaml\n    Properties:\n      Foo: ''\n";
    let x = expanded("ifparam", template, &[("m.yaml", module)]);
    let r = &tree(&x)["Resources"];
    assert_eq!(keys(r), ["EmptyBucket2", "Hide1Show2Bucket2", "Show1Hide2Bucket1", "Show1Hide2SubBucket1"]);
    // the directive is gone with what it leaves empty
    assert_eq!(r["Show1Hide2Bucket1"], json!({"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "Bucket1"}}));
}

#[test]
fn module_outputs_are_read_through_get_att_and_sub() {
    let module = "Parameters:\n  Cidr: {Type: String}\nResources:\n  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: !Ref Cidr}}\n  Subnet:\n    Type: AWS::EC2::Subnet\n    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24}\nOutputs:\n  SubnetId: {Value: !Ref Subnet}\n  VpcCidr: {Value: !GetAtt Vpc.CidrBlock}\n  Block: {Value: !Ref Cidr}\n";
    let template = "Resources:\n  Network:\n    Type: !Rain::Module ./m.yaml\n    Properties: {Cidr: 10.9.0.0/16}\n  Instance:\n    Type: AWS::EC2::Instance\n    Properties:\n      SubnetId: !GetAtt Network.SubnetId\n      Tags:\n        - {Key: a, Value: !GetAtt [Network, VpcCidr]}\n        - {Key: b, Value: !Sub '${Network.SubnetId} in ${Network.Block} (${Network.Missing})'}\nOutputs:\n  Subnet: {Value: !GetAtt Network.SubnetId}\n";
    let x = expanded("outputs", template, &[("m.yaml", module)]);
    let t = tree(&x);
    let props = &t["Resources"]["Instance"]["Properties"];
    assert_eq!(props["SubnetId"], json!({"Ref": "NetworkSubnet"}));
    assert_eq!(props["Tags"][0]["Value"], json!({"Fn::GetAtt": "NetworkVpc.CidrBlock"}));
    assert_eq!(props["Tags"][1]["Value"], json!({"Fn::Sub": "${NetworkSubnet} in 10.9.0.0/16 (${Network.Missing})"}));
    assert_eq!(t["Outputs"]["Subnet"]["Value"], json!({"Ref": "NetworkSubnet"}));
    // a module's outputs are not the stack's
    assert_eq!(keys(&t["Resources"]), ["Instance", "NetworkSubnet", "NetworkVpc"]);
}

/// rain's `constant2-template.yaml` (constants in order, a `Sub` constant
/// using an earlier one) and `constant-module.yaml` (constants of a
/// module), and the AWS CLI's top-level `Constants`.
#[test]
fn constants_are_replaced_where_they_are_used() {
    let template = "Parameters:\n  Prefix: {Type: String}\nRain:\n  Constants:\n    Test1: ezbeard-rain-test-constants\n    Test2: !Sub ${Prefix}-${Rain::Test1}-SubTest\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: !Rain::Constant Test1}\n  Bucket2:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: !Rain::Constant Test2}\n  Bucket3:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub 'pre-${Prefix}-${Rain::Test1}-suffix'\n      Bar: !Sub '${!leavemealone}'\n  Module:\n    Type: !Rain::Module ./m.yaml\n";
    let module = "Constants:\n  cidr: 10.1.0.0/16\nResources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: {CidrBlock: !Ref 'Const::cidr', Name: !Sub '${Const::cidr}'}\n";
    let x = expanded("constants", template, &[("m.yaml", module)]);
    assert!(x.findings.is_empty(), "{:?}", x.findings);
    let t = tree(&x);
    assert!(t.get("Rain").is_none(), "the Rain section is gone: {t}");
    let r = &t["Resources"];
    assert_eq!(r["Bucket"]["Properties"]["BucketName"], "ezbeard-rain-test-constants");
    assert_eq!(
        r["Bucket2"]["Properties"]["BucketName"],
        json!({"Fn::Sub": "${Prefix}-ezbeard-rain-test-constants-SubTest"})
    );
    assert_eq!(
        r["Bucket3"]["Properties"],
        json!({"BucketName": {"Fn::Sub": "pre-${Prefix}-ezbeard-rain-test-constants-suffix"}, "Bar": {"Fn::Sub": "${!leavemealone}"}})
    );
    assert_eq!(r["ModuleVpc"]["Properties"], json!({"CidrBlock": "10.1.0.0/16", "Name": {"Fn::Sub": "10.1.0.0/16"}}));
}

/// rain's `sub-template.yaml`: a parameter the parent gives as `!Sub` or
/// `!Ref` is written into the module's `!Sub` strings as a variable.
#[test]
fn parameters_given_as_functions_become_sub_variables() {
    let module = "Parameters:\n  Name: {Type: String}\n  SubName: {Type: String}\n  RefName: {Type: String}\n  Cond: {Type: String}\nResources:\n  Bucket1:\n    Type: AWS::S3::Bucket\n    Condition: !Ref Cond\n    Properties:\n      BucketName: !Sub ${Name}\n      X: !Sub '${SubName}-${RefName}'\n      Z: [!Ref SubName, !Ref Bucket2]\n  Bucket2:\n    Type: AWS::S3::Bucket\n    Condition: Cond\n";
    let template = "Conditions:\n  IsProd: !Equals [a, a]\nResources:\n  My:\n    Type: !Rain::Module ./m.yaml\n    Properties:\n      Name: foo\n      SubName: !Sub ${Foo}\n      RefName: !Ref Bar\n      Cond: IsProd\n";
    let x = expanded("sub", template, &[("m.yaml", module)]);
    let r = &tree(&x)["Resources"];
    let b1 = &r["MyBucket1"];
    assert_eq!(b1["Properties"]["BucketName"], json!({"Fn::Sub": "foo"}));
    assert_eq!(b1["Properties"]["X"], json!({"Fn::Sub": "${Foo}-${Bar}"}));
    assert_eq!(b1["Properties"]["Z"], json!([{"Fn::Sub": "${Foo}"}, {"Ref": "MyBucket2"}]));
    // a module condition is the name of one of the parent's, however written
    assert_eq!(b1["Condition"], "IsProd");
    assert_eq!(r["MyBucket2"]["Condition"], "IsProd");
}

#[test]
fn a_module_on_a_url_or_outside_the_root_is_not_read() {
    let x = expanded(
        "refused",
        "Resources:\n  A:\n    Type: !Rain::Module https://example.com/m.yaml\n  B:\n    Type: !Rain::Module ../../../etc/passwd\n",
        &[],
    );
    let codes: Vec<Code> = x.findings.iter().map(|f| f.code).collect();
    assert_eq!(codes, [Code::PN005, Code::PN009], "{:?}", x.findings);
    assert!(x.partial);
    assert_eq!(keys(&tree(&x)["Resources"]), ["A", "B"], "left as written");
}

#[test]
fn a_template_without_rain_is_not_copied() {
    let doc = source::parse(Some("t.yaml"), "Resources:\n  A: {Type: AWS::S3::Bucket}\n");
    let x = expand(doc.root.as_ref().unwrap(), Path::new("t.yaml"), &ProjectRoot::at(Path::new(".")));
    assert!(x.root.is_none() && x.findings.is_empty() && !x.partial);
}

/// rain's `override-template.yaml` and the `Tags` of `test-template.yaml`:
/// an override of a property that is a module parameter is skipped, a
/// list gains the override's items, a mapping item with a key and value
/// in common is merged.
#[test]
fn overrides_merge_the_way_rain_merges_them() {
    let module = "Parameters:\n  BucketName: {Type: String}\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref BucketName\n      Tags: [{Key: a, Value: '1'}, {Key: b, Value: '2'}]\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      SecurityGroupEgress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}]\n";
    let template = "Resources:\n  My:\n    Type: !Rain::Module ./m.yaml\n    Properties: {BucketName: bar}\n    Overrides:\n      Bucket:\n        Properties:\n          BucketName: baz\n          Tags: [{Key: b, Value: '2', Extra: x}, {Key: c, Value: '3'}]\n      Sg:\n        Properties:\n          SecurityGroupEgress: [{IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 0.0.0.0/0}]\n        DependsOn: Other\n";
    let x = expanded("overrides", template, &[("m.yaml", module)]);
    let r = &tree(&x)["Resources"];
    assert_eq!(r["MyBucket"]["Properties"]["BucketName"], "bar", "the parameter wins");
    assert_eq!(
        r["MyBucket"]["Properties"]["Tags"],
        json!([{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2", "Extra": "x"}, {"Key": "c", "Value": "3"}])
    );
    // an egress rule that shares `IpProtocol: tcp` with the module's is
    // merged into it, as rain's haveSameKeyValue does
    assert_eq!(
        r["MySg"]["Properties"]["SecurityGroupEgress"],
        json!([{"IpProtocol": "tcp", "FromPort": "80", "ToPort": "80", "CidrIp": "0.0.0.0/0"}])
    );
    assert_eq!(r["MySg"]["DependsOn"], json!(["Other"]));
}
