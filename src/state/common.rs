//! Small shapes every API output shares (tags, `{"Value": bool}`), the
//! enumerations that keep values they do not know, and the readers for
//! lists that may be `null` and for policy documents printed as text.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

/// Defines an enumeration of API values that reads any text: a known value
/// (compared without regard to case: the EC2 CLI prints `available` where
/// some API models say `Available`) becomes its variant, anything else
/// `Other` with the text as printed — a new value never fails a load.
macro_rules! api_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this version does not know, as printed.
            Other(String),
        }

        impl $name {
            /// The value as the API reference spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)+
                    Self::Other(s) => s,
                }
            }

            /// Reads a printed value; unknown values are kept as `Other`.
            pub fn parse(text: &str) -> Self {
                $(if text.eq_ignore_ascii_case($text) {
                    return Self::$variant;
                })+
                Self::Other(text.to_string())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_str($crate::state::common::TextVisitor).map(|t| Self::parse(&t))
            }
        }
    };
}
pub(crate) use api_enum;

/// Reads a JSON string without copying it when it has no escapes.
pub(crate) struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = std::borrow::Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(std::borrow::Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(std::borrow::Cow::Owned(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(std::borrow::Cow::Owned(v))
    }
}

/// A resource tag (`Tags[]`, `TagSet[]`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// The key.
    pub key: String,
    /// The value (may be empty).
    #[serde(default)]
    pub value: String,
}

/// The name in a `Name` tag, if any.
pub fn name_tag(tags: &[Tag]) -> Option<&str> {
    tags.iter().find(|t| t.key == "Name").map(|t| t.value.as_str())
}

/// `{"Value": true}`: EC2's `AttributeBooleanValue` (describe-vpc-attribute).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeBooleanValue {
    /// The value; absent means the API did not say.
    pub value: Option<bool>,
}

/// A list that may be absent or `null` (both read as empty).
pub fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// A policy document the API prints as JSON text (EC2's
/// `VpcEndpoint.PolicyDocument`), read into a JSON value.
pub fn json_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<serde_json::Value>, D::Error> {
    match Option::<std::borrow::Cow<'de, str>>::deserialize(d)? {
        None => Ok(None),
        Some(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|_| de::Error::custom("expected a policy document: JSON text")),
    }
}

/// An IAM policy document: the AWS CLI prints it as a JSON object (it
/// URL-decodes and parses what the API returns); text — JSON, or JSON that
/// is still URL-encoded as the API returns it (IAM API reference,
/// GetAccountAuthorizationDetails: "Policies returned by this operation are
/// URL-encoded compliant with RFC 3986") — is read too.
pub fn iam_document<'de, D: Deserializer<'de>>(d: D) -> Result<Option<serde_json::Value>, D::Error> {
    match Option::<serde_json::Value>::deserialize(d)? {
        None => Ok(None),
        Some(serde_json::Value::String(text)) => {
            let decoded = if text.trim_start().starts_with('{') { Some(text) } else { percent_decode(&text) };
            decoded
                .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                .filter(serde_json::Value::is_object)
                .map(Some)
                .ok_or_else(|| de::Error::custom("expected a policy document: a JSON object or its (URL-encoded) text"))
        }
        Some(v @ serde_json::Value::Object(_)) => Ok(Some(v)),
        Some(_) => Err(de::Error::custom("expected a policy document: a JSON object or its (URL-encoded) text")),
    }
}

/// RFC 3986 percent-decoding (`+` is left alone: IAM encodes spaces as `%20`).
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    api_enum! {
        /// A test enumeration.
        pub enum Colour {
            /// Red.
            Red = "red",
            /// Dark blue.
            DarkBlue = "dark-blue",
        }
    }

    #[test]
    fn enums_keep_unknown_values_and_ignore_case() {
        let v: Vec<Colour> = serde_json::from_str(r#"["red", "Red", "DARK-BLUE", "green\u0021"]"#).unwrap();
        assert_eq!(v, vec![Colour::Red, Colour::Red, Colour::DarkBlue, Colour::Other("green!".into())]);
        assert_eq!(Colour::DarkBlue.as_str(), "dark-blue");
        assert!(serde_json::from_str::<Colour>("3").is_err());
    }

    #[test]
    fn iam_documents_as_object_text_or_url_encoded_text() {
        #[derive(Deserialize)]
        struct D {
            #[serde(default, deserialize_with = "iam_document")]
            d: Option<serde_json::Value>,
        }
        let read = |t: &str| serde_json::from_str::<D>(t).map(|d| d.d);
        let object = read(r#"{"d": {"Version": "2012-10-17"}}"#).unwrap().unwrap();
        assert_eq!(object["Version"], "2012-10-17");
        let text = read(r#"{"d": "{\"Version\": \"2012-10-17\"}"}"#).unwrap().unwrap();
        assert_eq!(text, object);
        let encoded = read(r#"{"d": "%7B%22Version%22%3A%20%222012-10-17%22%7D"}"#).unwrap().unwrap();
        assert_eq!(encoded, object);
        assert_eq!(read(r#"{}"#).unwrap(), None);
        assert!(read(r#"{"d": "%7B%2"}"#).is_err());
        assert!(read(r#"{"d": 3}"#).is_err());
        assert!(read(r#"{"d": "[1]"}"#).is_err());
    }

    #[test]
    fn null_lists_are_empty() {
        #[derive(Deserialize)]
        struct L {
            #[serde(default, deserialize_with = "list")]
            l: Vec<u8>,
        }
        assert!(serde_json::from_str::<L>(r#"{"l": null}"#).unwrap().l.is_empty());
        assert!(serde_json::from_str::<L>(r#"{}"#).unwrap().l.is_empty());
        assert_eq!(serde_json::from_str::<L>(r#"{"l": [1]}"#).unwrap().l, vec![1]);
    }
}
