//! CloudFormation exports and stack outputs, as the CloudFormation API
//! prints them.
//!
//! Shapes (CloudFormation API reference):
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Export.html>,
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Stack.html>,
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Output.html>.

use serde::Deserialize;

use super::common::list;

/// An export (`list-exports` → `Exports[]`): what `Fn::ImportValue` reads.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Export {
    /// The export name.
    pub name: String,
    /// Its value.
    pub value: Option<String>,
    /// The stack that exports it.
    pub exporting_stack_id: Option<String>,
}

/// A stack (`describe-stacks` → `Stacks[]`), for its outputs.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Stack {
    /// Its name.
    pub stack_name: String,
    /// Its ID (an ARN).
    pub stack_id: Option<String>,
    /// `CREATE_COMPLETE`, …
    pub stack_status: Option<String>,
    /// Its outputs.
    #[serde(default, deserialize_with = "list")]
    pub outputs: Vec<Output>,
}

impl Stack {
    /// The region of its `StackId` (`arn:aws:cloudformation:REGION:…`),
    /// when that is an ARN.
    pub fn region(&self) -> Option<&str> {
        let id = self.stack_id.as_deref()?;
        let mut parts = id.split(':');
        (parts.next() == Some("arn")).then_some(())?;
        parts.nth(2).filter(|r| !r.is_empty())
    }

    /// The value of the output `key`.
    pub fn output(&self, key: &str) -> Option<&str> {
        self.outputs.iter().find(|o| o.output_key.as_deref() == Some(key)).and_then(|o| o.output_value.as_deref())
    }
}

/// A stack output.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    /// Its key.
    pub output_key: Option<String>,
    /// Its value.
    pub output_value: Option<String>,
    /// The export name, when exported.
    pub export_name: Option<String>,
}
