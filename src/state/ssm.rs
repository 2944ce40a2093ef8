//! SSM documents from `aws ssm get-document`, and the Session Manager
//! preferences in `SSM-SessionManagerRunShell`.
//!
//! Shapes: SSM API reference, GetDocument
//! (<https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetDocument.html>):
//! `Name`, `Content` (the document as text), `DocumentType`, `DocumentFormat`;
//! Session Manager user guide, "Session document schema"
//! (<https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-schema.html>):
//! the preferences are the `inputs` of the `Standard_Stream` session
//! document `SSM-SessionManagerRunShell`
//! (<https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-default-session-document.html>).

use serde::Deserialize;
use serde::de::{Deserializer, Error as _};

/// The name of the document that holds the account's Session Manager
/// preferences in a region.
pub const SESSION_PREFERENCES_DOCUMENT: &str = "SSM-SessionManagerRunShell";

/// An SSM document read with `get-document`.
#[derive(Clone, Debug, PartialEq)]
pub struct SsmDocument {
    /// Its name.
    pub name: String,
    /// `Session`, `Command`, …
    pub document_type: Option<String>,
    /// `JSON`, `YAML` or `TEXT`.
    pub document_format: Option<String>,
    /// The Session Manager preferences, for a `Session` document whose
    /// content is JSON.
    pub session: Option<SessionPreferences>,
}

/// The Session Manager preferences (`inputs` of a session document).
/// Booleans may be written as JSON booleans or as `"true"`/`"false"`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionPreferences {
    /// Session logs go to this S3 bucket.
    #[serde(default, deserialize_with = "text")]
    pub s3_bucket_name: Option<String>,
    /// Only to an encrypted bucket.
    #[serde(default, deserialize_with = "loose_bool")]
    pub s3_encryption_enabled: Option<bool>,
    /// Session logs go to this CloudWatch Logs group.
    #[serde(default, deserialize_with = "text")]
    pub cloud_watch_log_group_name: Option<String>,
    /// Only to an encrypted log group.
    #[serde(default, deserialize_with = "loose_bool")]
    pub cloud_watch_encryption_enabled: Option<bool>,
    /// Streamed while the session runs (else uploaded at its end).
    #[serde(default, deserialize_with = "loose_bool")]
    pub cloud_watch_streaming_enabled: Option<bool>,
    /// Session data is encrypted with this KMS key.
    #[serde(default, deserialize_with = "text")]
    pub kms_key_id: Option<String>,
    /// Run As support.
    #[serde(default, deserialize_with = "loose_bool")]
    pub run_as_enabled: Option<bool>,
}

impl SessionPreferences {
    /// Reads the `inputs` of session document content; `Err` with a short
    /// reason when the content is not a JSON session document.
    pub(crate) fn from_content(content: &str) -> Result<SessionPreferences, &'static str> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Content {
            inputs: Option<SessionPreferences>,
        }
        let c: Content = serde_json::from_str(content)
            .map_err(|_| "`Content` is not a JSON session document (rerun get-document with --document-format JSON)")?;
        Ok(c.inputs.unwrap_or_default())
    }

    /// True when sessions need S3, CloudWatch Logs or KMS to start.
    pub fn needs_services(&self) -> bool {
        let set = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.trim().is_empty());
        set(&self.s3_bucket_name) || set(&self.cloud_watch_log_group_name) || set(&self.kms_key_id)
    }
}

/// Text, with empty text read as absent.
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.filter(|s| !s.is_empty()))
}

/// `true`, `false`, `"true"`, `"false"`.
fn loose_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::Bool(b)) => Ok(Some(b)),
        Some(serde_json::Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(serde_json::Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(serde_json::Value::String(s)) if s.is_empty() => Ok(None),
        Some(_) => Err(D::Error::custom("expected true or false")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preferences_from_content() {
        let p = SessionPreferences::from_content(
            r#"{"schemaVersion": "1.0", "sessionType": "Standard_Stream", "inputs": {"s3BucketName": "",
                "s3EncryptionEnabled": true, "cloudWatchLogGroupName": "/ssm/sessions",
                "cloudWatchStreamingEnabled": "true", "kmsKeyId": "", "idleSessionTimeout": "20"}}"#,
        )
        .unwrap();
        assert_eq!(p.s3_bucket_name, None);
        assert_eq!(p.cloud_watch_log_group_name.as_deref(), Some("/ssm/sessions"));
        assert_eq!(p.cloud_watch_streaming_enabled, Some(true));
        assert!(p.needs_services());
        assert!(!SessionPreferences::from_content(r#"{"inputs": {}}"#).unwrap().needs_services());
        assert!(SessionPreferences::from_content("schemaVersion: '1.0'").is_err());
        assert!(SessionPreferences::from_content(r#"{"inputs": {"runAsEnabled": 3}}"#).is_err());
    }
}
