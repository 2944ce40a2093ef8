//! `manifest.json` of a CDK cloud assembly, read as data from whoever
//! wrote it: the artifacts privnet-lint needs (CloudFormation stacks and
//! nested assemblies), and a PN001 finding on every node that is not the
//! shape the cloud assembly schema gives it.
//!
//! The schema (aws-cdk-lib `cloud-assembly-schema`, `manifest.json`
//! written by `cdk synth`): a top-level object with a `version` string and
//! an `artifacts` object of artifact ID → `{type, environment?,
//! properties?, displayName?, …}`. An `aws:cloudformation:stack` artifact
//! has `properties.templateFile` (its template, relative to the assembly
//! folder), optionally `properties.stackName` (else the stack is named
//! after the artifact ID) and `environment` `aws://ACCOUNT/REGION`
//! (`aws://unknown-account/unknown-region` for an environment-agnostic
//! stack). A `cdk:cloud-assembly` artifact (a CDK Stage) has
//! `properties.directoryName`, the folder of its own assembly. Every other
//! artifact type (asset manifests, the construct tree, feature-flag
//! reports) is ignored.

use crate::finding::{Code, Finding};
use crate::source::{self, Node, Span, Value};

/// The artifact type of a CloudFormation stack.
pub const STACK: &str = "aws:cloudformation:stack";
/// The artifact type of a nested cloud assembly (a CDK Stage).
pub const NESTED_ASSEMBLY: &str = "cdk:cloud-assembly";
/// The region of an environment-agnostic stack.
pub const UNKNOWN_REGION: &str = "unknown-region";

/// Where a stack deploys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Environment {
    /// `aws://ACCOUNT/REGION`: this region.
    Region(String),
    /// `aws://unknown-account/unknown-region`, or no `environment`: the
    /// region is the one privnet-lint is run for.
    Agnostic,
}

/// One artifact privnet-lint follows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Artifact {
    /// An `aws:cloudformation:stack`.
    Stack {
        /// The artifact ID.
        id: String,
        /// `properties.templateFile`, as written.
        template_file: String,
        /// Where `templateFile`'s value is.
        span: Span,
        /// The stack's name: `properties.stackName`, else the artifact ID.
        stack_name: String,
        /// Its `environment`.
        environment: Environment,
    },
    /// A `cdk:cloud-assembly` (a CDK Stage).
    Assembly {
        /// The artifact ID.
        id: String,
        /// `properties.directoryName`, as written.
        directory: String,
        /// Where `directoryName`'s value is.
        span: Span,
    },
}

/// A manifest read: the artifacts to follow, and what is wrong with it.
#[derive(Debug, Default)]
pub struct Manifest {
    /// Stacks and nested assemblies, in manifest order.
    pub artifacts: Vec<Artifact>,
    /// PN001 findings (and the parser's PN002), each on the node at fault.
    pub findings: Vec<Finding>,
}

const FIX: &str = "Regenerate the cloud assembly with `cdk synth`: privnet-lint reads the `manifest.json` \
                   that aws-cdk-lib writes (the cloud assembly schema).";

fn wrong(span: Span, message: impl Into<String>) -> Finding {
    Finding::new(Code::PN001, Some(span), message).fix(FIX)
}

/// Reads a manifest's text (`path` as shown, for the parser's format
/// detection). Never fails: what cannot be used is a finding.
pub fn read(path: &str, text: &str) -> Manifest {
    let doc = source::parse(Some(path), source::strip_bom(text));
    let mut m = Manifest { artifacts: Vec::new(), findings: doc.findings };
    let Some(root) = doc.root.as_ref() else {
        if m.findings.is_empty() {
            let at = source::Pos { line: 1, column: 1, offset: 0 };
            m.findings.push(wrong(Span { start: at, end: at }, "the cloud assembly manifest is empty"));
        }
        return m;
    };
    let Some(entries) = root.as_map() else {
        m.findings.push(wrong(root.span, "not a cloud assembly manifest: the top level is not an object"));
        return m;
    };
    match root.get("version") {
        Some(v) if v.as_str().is_some() => {}
        Some(v) => m.findings.push(wrong(v.span, "the manifest's `version` must be a string")),
        None => m.findings.push(wrong(
            Span { start: root.span.start, end: root.span.start },
            "not a cloud assembly manifest: no `version`",
        )),
    }
    let Some(artifacts) = entries.iter().find(|e| e.key == "artifacts") else { return m };
    let Some(list) = artifacts.value.as_map() else {
        if artifacts.value.value != Value::Null {
            m.findings.push(wrong(artifacts.value.span, "the manifest's `artifacts` must be an object"));
        }
        return m;
    };
    for a in list {
        if let Some(artifact) = artifact(&a.key, a.key_span, &a.value, &mut m.findings) {
            m.artifacts.push(artifact);
        }
    }
    m
}

/// A string property of an artifact: `None` when absent, a finding when
/// it is there but not a string.
fn text<'n>(node: &'n Node, key: &str, id: &str, findings: &mut Vec<Finding>) -> Option<(&'n str, Span)> {
    let v = node.get(key)?;
    match v.as_str() {
        Some(s) => Some((s, v.span)),
        None => {
            findings.push(wrong(v.span, format!("`{key}` of artifact `{id}` must be a string")));
            None
        }
    }
}

fn artifact(id: &str, key_span: Span, node: &Node, findings: &mut Vec<Finding>) -> Option<Artifact> {
    if node.as_map().is_none() {
        findings.push(wrong(node.span, format!("artifact `{id}` must be an object")));
        return None;
    }
    let ty = match text(node, "type", id, findings) {
        Some((t, _)) => t,
        None if node.get("type").is_none() => {
            findings.push(wrong(key_span, format!("artifact `{id}` has no `type`")));
            return None;
        }
        None => return None,
    };
    if ty != STACK && ty != NESTED_ASSEMBLY {
        return None;
    }
    let properties = match node.get("properties") {
        Some(p) if p.as_map().is_some() => p,
        Some(p) => {
            findings.push(wrong(p.span, format!("`properties` of artifact `{id}` must be an object")));
            return None;
        }
        None => {
            findings.push(wrong(key_span, format!("artifact `{id}` ({ty}) has no `properties`")));
            return None;
        }
    };
    let required = if ty == STACK { "templateFile" } else { "directoryName" };
    let Some((file, span)) = text(properties, required, id, findings) else {
        if properties.get(required).is_none() {
            findings.push(wrong(properties.span, format!("artifact `{id}` ({ty}) has no `properties.{required}`")));
        }
        return None;
    };
    if ty == NESTED_ASSEMBLY {
        return Some(Artifact::Assembly { id: id.to_string(), directory: file.to_string(), span });
    }
    let stack_name = text(properties, "stackName", id, findings).map(|(s, _)| s).unwrap_or(id).to_string();
    let environment = match text(node, "environment", id, findings) {
        None => Environment::Agnostic,
        Some((env, span)) => match parse_environment(env) {
            Some(e) => e,
            None => {
                findings.push(wrong(
                    span,
                    format!(
                        "`environment` of stack `{id}` is not `aws://ACCOUNT/REGION`; the stack is analyzed as environment-agnostic"
                    ),
                ));
                Environment::Agnostic
            }
        },
    };
    Some(Artifact::Stack { id: id.to_string(), template_file: file.to_string(), span, stack_name, environment })
}

/// `aws://ACCOUNT/REGION` → the region (or agnostic for
/// `unknown-region`); `None` when it is not of that form or the region is
/// not shaped like a region name.
pub fn parse_environment(env: &str) -> Option<Environment> {
    let rest = env.strip_prefix("aws://")?;
    let (account, region) = rest.split_once('/')?;
    if account.is_empty() || region.contains('/') {
        return None;
    }
    if region == UNKNOWN_REGION {
        return Some(Environment::Agnostic);
    }
    region_like(region).then(|| Environment::Region(region.to_string()))
}

/// Lower-case letters, digits and dashes, starting with a letter: `eu-west-1`.
fn region_like(r: &str) -> bool {
    r.len() <= 32
        && r.contains('-')
        && r.starts_with(|c: char| c.is_ascii_lowercase())
        && r.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !r.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(m: &Manifest) -> Vec<(Code, u32)> {
        m.findings.iter().map(|f| (f.code, f.span.map(|s| s.start.line).unwrap_or(0))).collect()
    }

    #[test]
    fn stacks_and_stages_are_read() {
        let m = read(
            "manifest.json",
            r#"{
  "version": "55.0.0",
  "artifacts": {
    "App.assets": { "type": "cdk:asset-manifest", "properties": { "file": "App.assets.json" } },
    "App": { "type": "aws:cloudformation:stack", "environment": "aws://123456789012/eu-west-1",
             "properties": { "templateFile": "App.template.json" } },
    "Named": { "type": "aws:cloudformation:stack", "environment": "aws://unknown-account/unknown-region",
             "properties": { "templateFile": "Named.template.json", "stackName": "Prod-Named" } },
    "assembly-Prod": { "type": "cdk:cloud-assembly", "properties": { "directoryName": "assembly-Prod" } },
    "Tree": { "type": "cdk:tree", "properties": { "file": "tree.json" } }
  }
}"#,
        );
        assert!(m.findings.is_empty(), "{:?}", m.findings);
        assert_eq!(m.artifacts.len(), 3);
        match &m.artifacts[0] {
            Artifact::Stack { template_file, stack_name, environment, span, .. } => {
                assert_eq!(template_file, "App.template.json");
                assert_eq!(stack_name, "App");
                assert_eq!(*environment, Environment::Region("eu-west-1".into()));
                assert_eq!(span.start.line, 6);
            }
            other => panic!("{other:?}"),
        }
        match &m.artifacts[1] {
            Artifact::Stack { stack_name, environment, .. } => {
                assert_eq!(stack_name, "Prod-Named");
                assert_eq!(*environment, Environment::Agnostic);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(&m.artifacts[2], Artifact::Assembly { directory, .. } if directory == "assembly-Prod"));
    }

    #[test]
    fn what_is_not_the_schema_is_a_finding_on_its_node() {
        let m = read(
            "manifest.json",
            r#"{
  "version": 55,
  "artifacts": {
    "A": "not an object",
    "B": { "properties": {} },
    "C": { "type": "aws:cloudformation:stack", "properties": { "templateFile": 7 } },
    "D": { "type": "aws:cloudformation:stack", "environment": "aws://1/../../x",
           "properties": { "templateFile": "D.template.json" } },
    "E": { "type": "cdk:cloud-assembly", "properties": [] },
    "F": { "type": "aws:cloudformation:stack" }
  }
}"#,
        );
        assert_eq!(
            codes(&m),
            vec![
                (Code::PN001, 2),
                (Code::PN001, 4),
                (Code::PN001, 5),
                (Code::PN001, 6),
                (Code::PN001, 7),
                (Code::PN001, 9),
                (Code::PN001, 10)
            ]
        );
        // D is still linted, environment-agnostic
        assert!(matches!(&m.artifacts[..], [Artifact::Stack { environment: Environment::Agnostic, .. }]));
    }

    #[test]
    fn not_a_manifest_at_all() {
        for text in ["[]", "\"x\"", "{", "", "{\"artifacts\": []}"] {
            let m = read("manifest.json", text);
            assert!(!m.findings.is_empty(), "{text:?}");
            assert!(m.findings.iter().all(|f| f.code == Code::PN001), "{text:?}: {:?}", m.findings);
            assert!(m.artifacts.is_empty());
        }
    }

    #[test]
    fn environments() {
        assert_eq!(parse_environment("aws://123456789012/eu-west-1"), Some(Environment::Region("eu-west-1".into())));
        assert_eq!(parse_environment("aws://unknown-account/unknown-region"), Some(Environment::Agnostic));
        assert_eq!(parse_environment("aws://123/EU-WEST-1"), None);
        assert_eq!(parse_environment("aws://123/eu-west-1/x"), None);
        assert_eq!(parse_environment("gcp://123/eu-west-1"), None);
        assert_eq!(parse_environment("aws:///eu-west-1"), None);
    }
}
