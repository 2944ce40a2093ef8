//! Where the analyzed region comes from, and the region a template's own
//! values name.
//!
//! A template analyzed for a region nobody gave (no `--region`, no
//! `$AWS_REGION`, no config) is analyzed for `us-east-1`, and the output
//! says so. When the template's own literal values that only exist in one
//! region — AWS-managed prefix-list IDs, endpoint service names
//! (`com.amazonaws.<region>.…`), Availability Zone names, URLs with a
//! region in them — all point at another region, the output names it and
//! how to analyze for it. The region is never switched silently.

use serde::Serialize;

use crate::network::region::{COMMERCIAL_REGIONS, prefix_list_owners};
use crate::source::{Node, Span, Value, urls};
use crate::template::Template;

/// The region analyzed when nothing gives one.
pub const DEFAULT_REGION: &str = "us-east-1";

/// Where the analyzed region came from (JSON `region_source`, SPEC §3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RegionSource {
    /// `--region` (or regions a library caller gives, [`Options::for_regions`](crate::Options::for_regions)).
    Flag,
    /// `regions` of the configuration file.
    Config,
    /// `$AWS_REGION` or `$AWS_DEFAULT_REGION`.
    Environment,
    /// The `environment` of a CDK stack (`aws://ACCOUNT/REGION`, SPEC §8).
    CdkEnvironment,
    /// Nothing gave one: `us-east-1`.
    #[default]
    Default,
}

/// One literal value of a template that exists in some regions only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// What it is: `prefix list`, `endpoint service`, `Availability Zone`, `URL`.
    pub kind: &'static str,
    /// The value as written (shortened to 200 characters).
    pub value: String,
    /// The regions it can belong to.
    #[serde(skip)]
    pub regions: Vec<&'static str>,
    /// Its 1-based line.
    pub line: u32,
}

/// The one region a template's own values point at, when it is not the
/// analyzed one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RegionHint {
    /// The region every value points at.
    pub region: &'static str,
    /// The option that analyzes for it: `--region ap-northeast-1`.
    pub flag: String,
    /// The values, in template order.
    pub evidence: Vec<Evidence>,
}

impl RegionHint {
    /// The values in a few words: `prefix list pl-61a54008 (line 65), …`.
    pub fn describe(&self, at_most: usize) -> String {
        let mut parts: Vec<String> =
            self.evidence.iter().take(at_most).map(|e| format!("{} {} (line {})", e.kind, e.value, e.line)).collect();
        if self.evidence.len() > at_most {
            parts.push(format!("{} more", self.evidence.len() - at_most));
        }
        parts.join(", ")
    }
}

/// What the output says once when the region is the default.
pub fn default_notice(region: &str) -> String {
    format!(
        "analyzed for {region}, the default: no --region, no $AWS_REGION or $AWS_DEFAULT_REGION, no `regions` in a config file"
    )
}

/// The region the literal values of `t` (resources and parameter defaults;
/// not `Mappings`, which name regions by design) all point at, when that
/// is one region and not `analyzed`. `text` is the template's source, to
/// find the line of a URL inside a multi-line script.
pub fn hint(t: &Template<'_>, text: &str, analyzed: &str) -> Option<RegionHint> {
    let mut evidence = Vec::new();
    for r in &t.resources {
        collect(r.node, text, &mut evidence);
    }
    for p in &t.parameters {
        if let Some(d) = p.default {
            collect(d, text, &mut evidence);
        }
    }
    let first = evidence.first()?;
    let common: Vec<&'static str> =
        first.regions.iter().copied().filter(|r| evidence.iter().all(|e| e.regions.contains(r))).collect();
    match common.as_slice() {
        [region] if *region != analyzed => Some(RegionHint { region, flag: format!("--region {region}"), evidence }),
        _ => None,
    }
}

/// Every string under `node` that names regions.
fn collect(node: &Node, text: &str, out: &mut Vec<Evidence>) {
    match &node.value {
        Value::String(s) => evidence_in(s, node.span, text, out),
        Value::Seq(items) => items.iter().for_each(|i| collect(i, text, out)),
        Value::Map(entries) => entries.iter().for_each(|e| collect(&e.value, text, out)),
        _ => {}
    }
}

/// The known regions written in `s` as a token: not inside a longer name
/// (`us-east-1` is not in `us-east-12` nor `xus-east-1`).
fn regions_in(s: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    for r in COMMERCIAL_REGIONS {
        for (i, _) in s.match_indices(r) {
            let before = s[..i].chars().next_back();
            let after = s[i + r.len()..].chars().next();
            if before.is_none_or(|c| !c.is_ascii_alphanumeric()) && after.is_none_or(|c| !c.is_ascii_alphanumeric()) {
                out.push(*r);
                break;
            }
        }
    }
    out
}

fn evidence_in(s: &str, span: Span, text: &str, out: &mut Vec<Evidence>) {
    let mut push = |kind: &'static str, value: &str, regions: Vec<&'static str>, line: u32| {
        if !regions.is_empty() {
            let value = if value.chars().count() > 200 {
                format!("{}…", value.chars().take(200).collect::<String>())
            } else {
                value.to_string()
            };
            out.push(Evidence { kind, value, regions, line });
        }
    };
    let trimmed = s.trim();
    // an AWS-managed prefix list: the regions whose S3 or DynamoDB list it is
    if trimmed.starts_with("pl-") && trimmed.len() <= 20 && trimmed[3..].bytes().all(|b| b.is_ascii_hexdigit()) {
        push("prefix list", trimmed, prefix_list_owners(trimmed), span.start.line);
        return;
    }
    // an Availability Zone name: the region and one letter
    if trimmed.len() <= 20 && trimmed.ends_with(|c: char| c.is_ascii_lowercase()) {
        let region = &trimmed[..trimmed.len() - 1];
        if let Some(r) = COMMERCIAL_REGIONS.iter().find(|r| **r == region) {
            push("Availability Zone", trimmed, vec![*r], span.start.line);
            return;
        }
    }
    // an endpoint service name, AWS's or a PrivateLink service's
    if s.contains("com.amazonaws.") && !s.contains("://") {
        for prefix in ["com.amazonaws.vpce.", "com.amazonaws."] {
            if let Some(rest) = s.split(prefix).nth(1)
                && let Some(r) =
                    COMMERCIAL_REGIONS.iter().find(|r| rest.strip_prefix(**r).is_some_and(|x| x.starts_with('.')))
            {
                push("endpoint service", trimmed, vec![*r], span.start.line);
                return;
            }
        }
    }
    // URLs (UserData downloads, cfn-init sources) with a region in them
    if s.contains("://") {
        for (_, url) in urls(s) {
            let regions = regions_in(url);
            if regions.len() == 1 {
                push("URL", url, regions, url_line(url, span, text));
            }
        }
    }
}

/// The line `url` is written on inside the node at `span` (a multi-line
/// script), else the node's first line.
fn url_line(url: &str, span: Span, text: &str) -> u32 {
    let (from, to) = (span.start.offset as usize, (span.end.offset as usize).min(text.len()));
    let Some(at) = text.get(from..to).and_then(|t| t.find(url)) else { return span.start.line };
    span.start.line + text[from..from + at].matches('\n').count() as u32
}

#[cfg(test)]
mod tests {
    use super::{evidence_in, regions_in};
    use crate::source::{Pos, Span};

    fn kinds(s: &str) -> Vec<(&'static str, Vec<&'static str>)> {
        let at = Pos { line: 1, column: 1, offset: 0 };
        let mut out = Vec::new();
        evidence_in(s, Span { start: at, end: at }, s, &mut out);
        out.into_iter().map(|e| (e.kind, e.regions)).collect()
    }

    #[test]
    fn values_that_name_regions() {
        assert_eq!(kinds("pl-61a54008"), vec![("prefix list", vec!["ap-northeast-1"])]);
        // S3 in two regions, DynamoDB in a third
        assert_eq!(kinds("pl-78a54011"), vec![("prefix list", vec!["ap-northeast-1", "ap-northeast-2", "ap-south-1"])]);
        assert!(kinds("pl-12345678").is_empty(), "a list of no known region");
        assert_eq!(kinds("com.amazonaws.eu-west-1.ssm"), vec![("endpoint service", vec!["eu-west-1"])]);
        assert_eq!(kinds("com.amazonaws.vpce.eu-west-1.vpce-svc-0abc"), vec![("endpoint service", vec!["eu-west-1"])]);
        assert_eq!(kinds("us-west-2b"), vec![("Availability Zone", vec!["us-west-2"])]);
        assert!(kinds("us-west-2").is_empty(), "a region name alone is not a value of one region");
        assert_eq!(kinds("curl -o x https://s3.us-east-2.amazonaws.com/b/k"), vec![("URL", vec!["us-east-2"])]);
        assert!(kinds("https://github.com/aws/amazon-ssm-agent").is_empty());
    }

    #[test]
    fn region_tokens() {
        assert_eq!(
            regions_in("http://s3-ap-northeast-1.amazonaws.com/amazon-ssm-ap-northeast-1/x"),
            vec!["ap-northeast-1"]
        );
        assert_eq!(regions_in("https://s3.us-east-1.amazonaws.com/b"), vec!["us-east-1"]);
        assert!(regions_in("https://example.com/xus-east-1").is_empty());
        assert!(regions_in("https://example.com/us-east-12").is_empty());
        assert_eq!(regions_in("s3://a-eu-west-1/b-us-east-1").len(), 2);
    }
}
