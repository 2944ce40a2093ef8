//! The Session Manager preferences of the account: the `Session` document
//! `SSM-SessionManagerRunShell`, whose `inputs` turn on KMS encryption of
//! session data (`kmsKeyId`), CloudWatch Logs (`cloudWatchLogGroupName`,
//! streamed or uploaded at the end, `cloudWatchStreamingEnabled`) and S3
//! logging (`s3BucketName`, `s3EncryptionEnabled`).
//!
//! Each one turned on makes the instance's SSM Agent call another service
//! before a session starts: KMS to decrypt the session key, CloudWatch Logs
//! or S3 to write the session log; without a path there and the role's
//! matching actions the session fails to start. SSM UG, "Enable KMS key
//! encryption of session data", "Logging session activity", "Step 2: Verify
//! or add instance permissions for Session Manager" (the custom policy for
//! S3, CloudWatch Logs and KMS) and "Create VPC endpoints" for Session
//! Manager.

use super::account::Origin;
use super::managed;
use crate::resolve::{RNode, ResolvedResource, Unknown, Val};
use crate::source::Span;

/// The name of the document that holds the account's preferences (one per
/// Region; the console creates it when preferences are first saved).
pub const DOCUMENT: &str = "SSM-SessionManagerRunShell";

/// One preference that names a resource: off, on (with the value as far as
/// it is known), or not known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Switch {
    /// Not set, or set to an empty string.
    Off,
    /// Set: the value as text (`${Key.Arn}` for a symbolic part), and
    /// where it is.
    On(String, Span),
    /// Not known before deployment.
    Unknown(Unknown),
}

/// The preferences that decide where the agent must connect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionPreferences {
    /// Where they come from (the document, and its `Content`).
    pub origin: Origin,
    /// `kmsKeyId`: KMS encryption of session data.
    pub kms_key: Switch,
    /// `cloudWatchLogGroupName`: session logs to CloudWatch Logs.
    pub log_group: Switch,
    /// `cloudWatchStreamingEnabled`: streamed (true) or uploaded when the
    /// session ends.
    pub streaming: bool,
    /// `s3BucketName`: session logs to S3.
    pub bucket: Switch,
    /// `s3EncryptionEnabled`: only to an encrypted bucket (the agent reads
    /// the bucket's encryption configuration first).
    pub bucket_encrypted: bool,
}

/// What is known about the account's Session Manager preferences.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Preferences {
    /// They could be read.
    Known(Box<SessionPreferences>),
    /// The document exists, but its content cannot be read.
    Unreadable(Origin, Unknown),
}

/// A service a preference makes the agent call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// `kms`, for `kms:Decrypt` of the session key.
    Kms,
    /// `logs`, to write the session log to CloudWatch Logs.
    Logs,
    /// S3, to write the session log to a bucket.
    S3,
}

impl Need {
    /// Every need, in the order the paths are shown.
    pub const ALL: [Need; 3] = [Need::Kms, Need::Logs, Need::S3];

    /// The IAM actions the instance role needs for it (SSM UG, the custom
    /// instance profile policy for Session Manager with S3, CloudWatch Logs
    /// and KMS). `encrypted` adds `s3:GetEncryptionConfiguration`, which the
    /// agent calls when only encrypted buckets are allowed.
    pub fn actions(self, encrypted: bool) -> &'static [&'static str] {
        match self {
            Need::Kms => &["kms:Decrypt"],
            Need::Logs => {
                &["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"]
            }
            Need::S3 if encrypted => &["s3:PutObject", "s3:GetEncryptionConfiguration"],
            Need::S3 => &["s3:PutObject"],
        }
    }

    /// The preference in words.
    pub fn what(self) -> &'static str {
        match self {
            Need::Kms => "KMS encryption of session data (`kmsKeyId`)",
            Need::Logs => "session logging to CloudWatch Logs (`cloudWatchLogGroupName`)",
            Need::S3 => "session logging to S3 (`s3BucketName`)",
        }
    }
}

impl SessionPreferences {
    /// The preference behind `need`.
    pub fn switch(&self, need: Need) -> &Switch {
        match need {
            Need::Kms => &self.kms_key,
            Need::Logs => &self.log_group,
            Need::S3 => &self.bucket,
        }
    }
}

/// The preferences the template declares: its `AWS::SSM::Document` of type
/// `Session` named `SSM-SessionManagerRunShell`, if any.
pub fn read(resources: &[&ResolvedResource]) -> Option<Preferences> {
    let doc = resources.iter().find(|r| {
        r.ty == "AWS::SSM::Document"
            && r.prop("Name").and_then(RNode::text) == Some(DOCUMENT)
            && r.prop("DocumentType").and_then(RNode::text).is_some_and(|t| t.eq_ignore_ascii_case("Session"))
    })?;
    let Some(entry) = doc.prop_entry("Content") else {
        let u = Unknown { reason: format!("document {} has no `Content`", doc.id), span: doc.span, open: None };
        return Some(Preferences::Unreadable(Origin::Template { resource: doc.id.clone(), span: doc.span }, u));
    };
    let origin = Origin::Template { resource: doc.id.clone(), span: entry.key_span };
    let content = match &entry.value.val {
        Val::Map(_) => entry.value.clone(),
        // a JSON string (CloudFormation also takes the content that way)
        Val::Str(s) => match serde_json::from_str::<serde_json::Value>(s) {
            Ok(v) => managed::node(&v, entry.value.span),
            Err(e) => {
                let u = Unknown {
                    reason: format!("the `Content` of document {} is a string that is not JSON ({e})", doc.id),
                    span: entry.value.span,
                    open: None,
                };
                return Some(Preferences::Unreadable(origin, u));
            }
        },
        _ => {
            let u = entry.value.unknown().unwrap_or(Unknown {
                reason: format!("the `Content` of document {} is not known before deployment", doc.id),
                span: entry.value.span,
                open: None,
            });
            return Some(Preferences::Unreadable(origin, u));
        }
    };
    Some(from_content(&content, origin))
}

/// The preferences a document's content holds (a mapping: the template's
/// `Content`, or the `Content` JSON string that `aws ssm get-document`
/// prints, read into nodes by the account state).
pub fn from_content(content: &RNode, origin: Origin) -> Preferences {
    let inputs = content.get("inputs");
    let get = |key: &str| inputs.and_then(|i| i.get(key));
    let flag = |key: &str| get(key).and_then(RNode::as_bool).unwrap_or(false);
    Preferences::Known(Box::new(SessionPreferences {
        origin,
        kms_key: switch(get("kmsKeyId")),
        log_group: switch(get("cloudWatchLogGroupName")),
        streaming: flag("cloudWatchStreamingEnabled"),
        bucket: switch(get("s3BucketName")),
        bucket_encrypted: flag("s3EncryptionEnabled"),
    }))
}

/// A preference value: an empty or absent string is off.
fn switch(node: Option<&RNode>) -> Switch {
    let Some(node) = node else { return Switch::Off };
    match node.text() {
        Some(t) if t.trim().is_empty() => Switch::Off,
        Some(t) => Switch::On(t.to_string(), node.span),
        None => match (&node.val, node.unknown()) {
            (Val::Null | Val::NoValue, _) => Switch::Off,
            (_, Some(u)) => Switch::Unknown(u),
            // a key or bucket of the template (`!Ref`, `!GetAtt Key.Arn`)
            _ => match node.pattern_text() {
                Some(p) => Switch::On(p, node.span),
                None => Switch::Unknown(Unknown {
                    reason: "a value that is not a name".into(),
                    span: node.span,
                    open: None,
                }),
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::{Context, resolve};
    use crate::source::parse;
    use crate::template::Template;

    fn prefs(resources: &str) -> Option<Preferences> {
        let text = format!("Parameters:\n  Key: {{Type: String}}\nResources:{resources}");
        let doc = parse(Some("t.yaml"), &text);
        let root = doc.root.expect("parses");
        let (t, _) = Template::new(&root).expect("template");
        let resolved = resolve(&t, &Context::new("us-east-1"));
        let live: Vec<&ResolvedResource> = resolved.resources.iter().collect();
        read(&live)
    }

    fn known(resources: &str) -> SessionPreferences {
        match prefs(resources) {
            Some(Preferences::Known(p)) => *p,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_preferences_document_is_read_from_a_mapping_or_a_json_string() {
        let map = known(
            "
  Prefs:
    Type: AWS::SSM::Document
    Properties:
      Name: SSM-SessionManagerRunShell
      DocumentType: Session
      Content:
        schemaVersion: '1.0'
        sessionType: Standard_Stream
        inputs:
          kmsKeyId: !GetAtt SessionKey.Arn
          cloudWatchLogGroupName: ''
          s3BucketName: session-logs
          s3EncryptionEnabled: true
  SessionKey:
    Type: AWS::KMS::Key
",
        );
        assert!(matches!(&map.kms_key, Switch::On(v, _) if v == "${SessionKey.Arn}"), "{:?}", map.kms_key);
        assert_eq!(map.log_group, Switch::Off);
        assert!(matches!(&map.bucket, Switch::On(v, _) if v == "session-logs"));
        assert!(map.bucket_encrypted && !map.streaming);
        assert_eq!(map.origin.resource(), "Prefs");

        let json = known(
            r#"
  Prefs:
    Type: AWS::SSM::Document
    Properties:
      Name: SSM-SessionManagerRunShell
      DocumentType: Session
      Content: '{"schemaVersion":"1.0","inputs":{"cloudWatchLogGroupName":"/ssm/sessions","cloudWatchStreamingEnabled":true}}'
"#,
        );
        assert!(matches!(&json.log_group, Switch::On(v, _) if v == "/ssm/sessions"));
        assert!(json.streaming);
        assert_eq!((json.kms_key, json.bucket), (Switch::Off, Switch::Off));
    }

    #[test]
    fn other_documents_are_not_the_preferences_and_open_values_stay_open() {
        let other = "
  Custom:
    Type: AWS::SSM::Document
    Properties:
      Name: MySessionDocument
      DocumentType: Session
      Content: {inputs: {kmsKeyId: alias/x}}
  Command:
    Type: AWS::SSM::Document
    Properties:
      Name: SSM-SessionManagerRunShell
      DocumentType: Command
      Content: {}
";
        assert_eq!(prefs(other), None);
        let open = known(
            "
  Prefs:
    Type: AWS::SSM::Document
    Properties:
      Name: SSM-SessionManagerRunShell
      DocumentType: Session
      Content: {inputs: {kmsKeyId: !Ref Key}}
",
        );
        assert!(matches!(&open.kms_key, Switch::Unknown(u) if u.reason.contains("Key")), "{:?}", open.kms_key);
        let unreadable = prefs(
            "
  Prefs:
    Type: AWS::SSM::Document
    Properties:
      Name: SSM-SessionManagerRunShell
      DocumentType: Session
      Content: 'inputs: {kmsKeyId: x}'
",
        );
        assert!(matches!(unreadable, Some(Preferences::Unreadable(_, u)) if u.reason.contains("not JSON")));
    }

    #[test]
    fn each_need_names_the_role_actions() {
        assert_eq!(Need::Kms.actions(false), ["kms:Decrypt"]);
        assert_eq!(Need::S3.actions(false), ["s3:PutObject"]);
        assert_eq!(Need::S3.actions(true), ["s3:PutObject", "s3:GetEncryptionConfiguration"]);
        assert_eq!(Need::Logs.actions(false).len(), 4);
    }
}
