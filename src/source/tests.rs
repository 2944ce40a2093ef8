//! Spans of every node kind, short forms, and CloudFormation's scalar rules.

use super::*;
use crate::finding::Code;

fn yaml(text: &str) -> Document {
    parse(Some("t.yaml"), text)
}

fn slice(text: &str, span: Span) -> &str {
    &text[span.start.offset as usize..span.end.offset as usize]
}

#[test]
fn spans_of_keys_values_items_and_scalars() {
    let text = "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n      Tags:\n        - Key: Name\n          Value: \"é🦀\"\n";
    let doc = yaml(text);
    assert!(doc.findings.is_empty(), "{:?}", doc.findings);
    let root = doc.root.unwrap();
    let res = root.entry("Resources").unwrap();
    assert_eq!(slice(text, res.key_span), "Resources");
    assert_eq!((res.key_span.start.line, res.key_span.start.column), (1, 1));
    let vpc = res.value.entry("Vpc").unwrap();
    assert_eq!((vpc.key_span.start.line, vpc.key_span.start.column), (2, 3));
    let props = vpc.value.get("Properties").unwrap();
    let cidr = props.entry("CidrBlock").unwrap();
    assert_eq!(slice(text, cidr.value.span), "10.0.0.0/16");
    assert_eq!(cidr.value.span.start, Pos { line: 5, column: 18, offset: text.find("10.0").unwrap() as u32 });
    assert_eq!(slice(text, cidr.edit_span()), "CidrBlock: 10.0.0.0/16");
    let tags = props.get("Tags").unwrap();
    let item = &tags.as_seq().unwrap()[0];
    assert_eq!(item.span.start.line, 7);
    assert_eq!(item.span.start.column, 11);
    let v = item.entry("Value").unwrap();
    assert_eq!(slice(text, v.value.span), "\"é🦀\"");
    assert_eq!(v.value.span.start.column, 18);
    assert_eq!(v.value.span.end.column, 22);
    // the whole mapping ends at its last character, not at the next token
    assert_eq!(slice(text, tags.span).trim_end(), slice(text, tags.span));
}

#[test]
fn short_forms_become_long_forms() {
    let text = "A: !Ref X\nB: !GetAtt Vpc.CidrBlock\nC: !Sub |\n  echo ${X}\nD: !Select [0, !GetAZs '']\nE: !Condition C\nF: !If [C, a, b]\n";
    let doc = yaml(text);
    let root = doc.root.unwrap();
    let (name, entry) = root.get("A").unwrap().as_intrinsic().unwrap();
    assert_eq!(name, "Ref");
    assert_eq!(entry.value.as_str(), Some("X"));
    assert_eq!(slice(text, root.get("A").unwrap().span), "!Ref X");
    assert_eq!(slice(text, entry.key_span), "!Ref");
    assert_eq!(root.get("B").unwrap().as_intrinsic().unwrap().0, "Fn::GetAtt");
    let sub = root.get("C").unwrap().as_intrinsic().unwrap().1;
    assert_eq!(sub.value.as_str(), Some("echo ${X}\n"));
    assert_eq!(sub.value.style, Style::Literal);
    let select = root.get("D").unwrap().as_intrinsic().unwrap().1;
    let items = select.value.as_seq().unwrap();
    assert_eq!(items[0].value, Value::Number("0".into()));
    assert_eq!(items[1].as_intrinsic().unwrap().0, "Fn::GetAZs");
    assert_eq!(root.get("E").unwrap().as_intrinsic().unwrap().0, "Condition");
    assert_eq!(root.get("F").unwrap().as_intrinsic().unwrap().0, "Fn::If");
}

#[test]
fn every_short_form_tag() {
    for tag in [
        "Ref",
        "GetAtt",
        "Sub",
        "Join",
        "Select",
        "Split",
        "If",
        "Equals",
        "And",
        "Or",
        "Not",
        "Condition",
        "FindInMap",
        "GetAZs",
        "Cidr",
        "ImportValue",
        "Base64",
        "Transform",
        "Length",
        "ToJsonString",
    ] {
        let doc = yaml(&format!("K: !{tag} x\n"));
        let root = doc.root.unwrap();
        let (name, _) = root.get("K").unwrap().as_intrinsic().unwrap();
        let want = if tag == "Ref" || tag == "Condition" { tag.to_string() } else { format!("Fn::{tag}") };
        assert_eq!(name, want);
    }
}

#[test]
fn cloudformation_scalars() {
    let doc = yaml("AWSTemplateFormatVersion: 2010-09-09\nA: yes\nB: 0123\nC: '0123'\nD: no\n");
    let root = doc.root.unwrap();
    assert_eq!(root.get("AWSTemplateFormatVersion").unwrap().value, Value::String("2010-09-09".into()));
    assert_eq!(root.get("A").unwrap().value, Value::Bool(true));
    assert_eq!(root.get("B").unwrap().value, Value::Number("83".into()));
    assert_eq!(root.get("C").unwrap().value, Value::String("0123".into()));
    assert_eq!(root.get("D").unwrap().value, Value::Bool(false));
}

#[test]
fn duplicate_key_is_pn002_at_the_second_key() {
    let text = "Resources:\n  A:\n    Type: T1\n  A:\n    Type: T2\n";
    let doc = yaml(text);
    assert_eq!(doc.findings.len(), 1);
    let f = &doc.findings[0];
    assert_eq!(f.code, Code::PN002);
    assert_eq!(f.span.unwrap().start.line, 4);
    assert_eq!(f.related[0].span.start.line, 2);
    // the last value wins for the analysis
    let root = doc.root.unwrap();
    assert_eq!(root.get("Resources").unwrap().get("A").unwrap().get("Type").unwrap().as_str(), Some("T2"));
}

#[test]
fn aliases_are_expanded_and_warned() {
    let text = "A: &x {k: 1}\nB: *x\nC:\n  <<: *x\n  j: 2\n";
    let doc = yaml(text);
    assert_eq!(doc.findings.iter().filter(|f| f.code == Code::PN006).count(), 1);
    assert_eq!(doc.findings[0].span.unwrap().start.line, 2);
    let root = doc.root.unwrap();
    assert_eq!(root.get("B").unwrap().get("k").unwrap().value, Value::Number("1".into()));
    assert_eq!(root.get("C").unwrap().get("k").unwrap().value, Value::Number("1".into()));
    assert_eq!(root.get("C").unwrap().get("j").unwrap().value, Value::Number("2".into()));
}

#[test]
fn alias_bomb_is_refused() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        text.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
    }
    let doc = yaml(&text);
    assert!(doc.root.is_none());
    assert!(doc.findings.iter().any(|f| f.code == Code::PN001 && f.message.contains("alias")));
}

#[test]
fn deep_nesting_is_refused_not_a_crash() {
    let text = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    let doc = yaml(&text);
    assert!(doc.root.is_none());
    assert_eq!(doc.findings[0].code, Code::PN001);
    let json = parse(Some("t.json"), &text);
    assert!(json.root.is_none());
    assert_eq!(json.findings[0].code, Code::PN001);
}

#[test]
fn invalid_yaml_is_pn001_with_the_parser_location() {
    let text = "Resources:\n  A:\n    Type: [a, b\n  B: x\n";
    let doc = yaml(text);
    assert!(doc.root.is_none());
    let f = &doc.findings[0];
    assert_eq!(f.code, Code::PN001);
    assert!(f.span.unwrap().start.line >= 3);
}

#[test]
fn json_spans_and_duplicates() {
    let text = "{\n\t\"Resources\": {\n\t\t\"A\": {\"Type\": \"X\", \"Type\": \"Y\"},\n\t\t\"K\": \"\\ud83e\\udd80\"\n\t}\n}\n";
    let doc = parse(Some("t.json"), text);
    assert_eq!(doc.format, Format::Json);
    assert_eq!(doc.findings.len(), 1);
    assert_eq!(doc.findings[0].code, Code::PN002);
    assert_eq!(doc.findings[0].span.unwrap().start.line, 3);
    // a JSON file is not blamed on YAML
    assert!(doc.findings[0].message.contains("RFC 8259"), "{}", doc.findings[0].message);
    assert!(!doc.findings[0].message.contains("YAML"), "{}", doc.findings[0].message);
    let root = doc.root.unwrap();
    let res = root.entry("Resources").unwrap();
    assert_eq!((res.key_span.start.line, res.key_span.start.column), (2, 2));
    assert_eq!(root.get("Resources").unwrap().get("K").unwrap().as_str(), Some("🦀"));
}

#[test]
fn json_is_strict() {
    let doc = parse(Some("t.json"), "{\"a\": 1,}\n");
    assert!(doc.root.is_none());
    assert_eq!(doc.findings[0].code, Code::PN001);
    assert_eq!(doc.findings[0].span.unwrap().start.line, 1);
}

#[test]
fn crlf_and_bom() {
    let text = strip_bom("\u{feff}A: 1\r\nB: x\r\n");
    let doc = yaml(text);
    let root = doc.root.unwrap();
    let b = root.entry("B").unwrap();
    assert_eq!((b.key_span.start.line, b.key_span.start.column), (2, 1));
    assert_eq!(slice(text, b.value.span), "x");
}

#[test]
fn multiple_documents_are_pn001() {
    let doc = yaml("A: 1\n---\nB: 2\n");
    assert!(doc.findings.iter().any(|f| f.code == Code::PN001 && f.span.unwrap().start.line == 2));
}

#[test]
fn empty_file_has_no_root() {
    let doc = yaml("");
    assert!(doc.root.is_none());
    assert!(doc.findings.is_empty());
}

#[test]
fn quoted_scalars_with_shallow_continuation_lines_parse_as_cloudformation_does() {
    // accepted by PyYAML / SnakeYAML and CloudFormation, rejected by the
    // YAML spec's indentation rule (and strict saphyr-parser)
    let text = "Description: 'one\ntwo'\nOutputs:\n  Out:\n    Value: \"a é\n    b\\\n  c\"\n    Export: {Name: \"n\n  m\", Other: 1}\nResources:\n  R: {Type: 'AWS::SNS::Topic'}\n";
    let doc = yaml(text);
    assert!(doc.findings.is_empty(), "{:?}", doc.findings);
    let root = doc.root.unwrap();
    let d = root.entry("Description").unwrap();
    assert_eq!(d.value.as_str(), Some("one two"));
    assert_eq!(slice(text, d.value.span), "'one\ntwo'");
    let out = root.get("Outputs").unwrap().get("Out").unwrap();
    let v = out.get("Value").unwrap();
    assert_eq!(v.as_str(), Some("a é bc"));
    assert_eq!(slice(text, v.span), "\"a é\n    b\\\n  c\"");
    assert_eq!((v.span.end.line, v.span.end.column), (7, 5));
    let export = out.get("Export").unwrap();
    assert_eq!(export.get("Name").unwrap().as_str(), Some("n m"));
    let other = export.entry("Other").unwrap();
    assert_eq!(slice(text, other.key_span), "Other");
    assert_eq!((other.key_span.start.line, other.key_span.start.column), (9, 7));
    let r = root.get("Resources").unwrap().entry("R").unwrap();
    assert_eq!((r.key_span.start.line, r.key_span.start.column), (11, 3));
}

#[test]
fn quoted_scalars_still_fail_where_cloudformation_fails() {
    for (text, line) in [
        // a document marker inside the quotes
        ("Description: 'one\n---\ntwo'\nResources: {}\n", 1),
        ("Description: 'one\n...\ntwo'\nResources: {}\n", 1),
        // never closed
        ("Description: 'one\ntwo\nResources: {}\n", 1),
        // re-indenting the scalar does not fix the rest: the strict error
        ("Description: 'one\ntwo'\nResources: {\n", 1),
    ] {
        let doc = yaml(text);
        let f: Vec<_> = doc.findings.iter().filter(|f| f.code == Code::PN001).collect();
        assert_eq!(f.len(), 1, "{text:?}: {:?}", doc.findings);
        assert!(doc.root.is_none(), "{text:?}");
        assert_eq!(f[0].span.unwrap().start.line, line, "{text:?}");
    }
}

#[test]
fn positions_from_markers_agree_with_the_line_index() {
    // the loader takes YAML positions from the parser's markers where it can
    // and from the line index where the two count differently (a lone `\r`,
    // a BOM inside the text, the end of a file without a final newline, a
    // re-indented quoted scalar); every span must agree with its offset
    for text in [
        "Resources:\n  A:\n    Type: X\n    Properties: {K: [1, 2]}\n",
        "Resources:\n  A:\n    Type: X\n    Properties:\n      K: v",
        "Resources:\r\n  A:\r\n    Type: é🦀\r\n\r\n\r\n",
        "A: 1\rB: 2\r\nResources: {}\n",
        "Resources:\n  A: 1\n\u{feff}B: x\n",
        "Resources:\n  A:\n    Type: 'é\n  🦀 x'\n    B: |\n      line\n\n\n",
        "Resources:\n  - a\n  - b\n\n  \n",
        "Resources: !Sub \"x\n  y\"\nOther: [a,\n  b]   \n",
        "A: [1, 2]",
        "A: |\n  x",
        "- a\n- é",
        "A: b   ",
        "A:\n  B: 'é'  \t",
        "A: 'unclosed\n",
        "A: [1,\n",
    ] {
        crate::fuzzing::check_loader("t.yaml", text);
    }
}

#[test]
fn flow_collections_ignore_indentation_as_cloudformation_does() {
    // PyYAML / SnakeYAML (and CloudFormation) check no indentation inside
    // `[…]` and `{…}`; saphyr-parser wants lines past the enclosing block
    for (text, want) in [
        ("R:\n  K: [\n    a,\n    b\n  ]\n", vec!["a", "b"]),
        ("R:\n    K: [\n  a,\n  b]\n", vec!["a", "b"]),
        ("R:\n  K: !Split [\n  ',', 'a,b'\n  ]\n", vec![",", "a,b"]),
    ] {
        let doc = yaml(text);
        assert!(doc.findings.is_empty(), "{text:?}: {:?}", doc.findings);
        let k = doc.root.as_ref().unwrap().get("R").unwrap().get("K").unwrap();
        let k = k.get("Fn::Split").unwrap_or(k);
        let items: Vec<&str> = k.as_seq().unwrap().iter().filter_map(Node::as_str).collect();
        assert_eq!(items, want, "{text:?}");
        crate::fuzzing::check_loader("t.yaml", text);
    }
    let text = "R:\n  K: {\n a: 1,\n b: 2\n  }\n";
    let doc = yaml(text);
    assert!(doc.findings.is_empty(), "{:?}", doc.findings);
    let k = doc.root.as_ref().unwrap().get("R").unwrap().get("K").unwrap();
    let b = k.entry("b").unwrap();
    assert_eq!(slice(text, b.key_span), "b");
    assert_eq!((b.key_span.start.line, b.key_span.start.column), (4, 2));
    crate::fuzzing::check_loader("t.yaml", text);
}

#[test]
fn block_indentation_errors_stay_errors() {
    for text in ["A:\n    b: 1\n  c: 2\n", "A:\n  - [1,\n 2]\n b: x\n"] {
        let doc = yaml(text);
        assert!(doc.root.is_none(), "{text:?} parsed");
        assert!(doc.findings.iter().any(|f| f.code == Code::PN001), "{text:?}: {:?}", doc.findings);
    }
}
