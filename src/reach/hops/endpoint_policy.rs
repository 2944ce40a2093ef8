//! Endpoint policy hops. A gateway endpoint's policy must allow dnf's
//! unsigned `s3:GetObject` on the repository bucket (PN406); an interface
//! endpoint's policy must let SSM Agent's calls through (PN412). An endpoint
//! policy restricts what can be done through the endpoint, on top of IAM;
//! the default policy allows everything (PrivateLink guide, "Control access
//! to VPC endpoints using endpoint policies").

use super::identity::without;
use super::route::RouteChoice;
use super::{block, pass, unknown};
use crate::finding::Code;
use crate::network::VpcEndpoint;
use crate::network::ami::{Ami, AmiFamily};
use crate::network::iam;
use crate::reach::{Blocker, Hop, HopKind, Tracer};
use crate::resolve::{RNode, Unknown};

/// The gateway endpoint's policy must allow `s3:GetObject` on the
/// repository bucket of the workload's AMI (AL2023 UG: S3 gateway endpoint
/// policy for the repos). `policy_buckets` are the buckets the fix allows
/// (`${AWS::Region}` for the region).
pub(crate) fn gateway_policy_hop(ep: &VpcEndpoint, bucket: &str, ami: &Ami, policy_buckets: &[String]) -> Hop {
    let Some((doc, span)) = &ep.policy else {
        return pass(HopKind::EndpointPolicy, &ep.id, format!("{} has the default full-access policy", ep.id), ep.span);
    };
    let object = format!("arn:aws:s3:::{bucket}/mirrors.list");
    match policy_allows(doc, "s3:GetObject", &object) {
        Ok(true) => pass(
            HopKind::EndpointPolicy,
            &ep.id,
            format!("the policy of {} allows s3:GetObject on {bucket}", ep.id),
            *span,
        ),
        Ok(false) => {
            // Amazon Linux 1 and 2 run yum, AL2023 dnf
            let tool = if matches!(ami.family, AmiFamily::Al1 | AmiFamily::Al2) { "yum" } else { "dnf" };
            let of = match ami.family {
                AmiFamily::Unknown => "Amazon Linux 2023 (assumed: the template does not identify the AMI)".to_string(),
                _ => ami.describe(),
            };
            let why = format!(
                "the policy of gateway endpoint {} does not allow `s3:GetObject` on `arn:aws:s3:::{bucket}/*`, the repository bucket of {of}, so {tool} gets 403 Forbidden",
                ep.id
            );
            let resources: String =
                policy_buckets.iter().map(|b| format!("\n      - !Sub arn:aws:s3:::{b}/*")).collect();
            block(
                HopKind::EndpointPolicy,
                &ep.id,
                why.clone(),
                Blocker {
                    code: Code::PN406,
                    span: *span,
                    resource: Some(ep.id.clone()),
                    why,
                    fix: format!(
                        "Add a statement to the endpoint's PolicyDocument:\n  - Effect: Allow\n    Principal: \"*\"\n    Action: s3:GetObject\n    Resource:{resources}"
                    ),
                },
            )
        }
        Err(u) => {
            let why = format!("the policy of gateway endpoint {} cannot be evaluated: {}", ep.id, u.reason);
            unknown(
                HopKind::EndpointPolicy,
                &ep.id,
                why.clone(),
                Blocker {
                    code: Code::PN005,
                    span: u.span,
                    resource: Some(ep.id.clone()),
                    why,
                    fix: "Make the policy's actions and resources literal, or allow the repository buckets explicitly."
                        .into(),
                },
            )
        }
    }
}

/// Does an endpoint policy allow an anonymous `action` on `resource`? dnf's
/// requests are unsigned, so principal-restricted statements do not apply;
/// an explicit deny wins.
pub fn policy_allows(doc: &RNode, action: &str, resource: &str) -> Result<bool, Unknown> {
    use crate::network::iam::glob;
    use crate::resolve::Val;
    let list = |n: &RNode| -> Vec<RNode> {
        match &n.val {
            Val::List(items) => items.clone(),
            _ => vec![n.clone()],
        }
    };
    let Some(statements) = doc.get("Statement") else {
        return match doc.unknown() {
            Some(u) => Err(u),
            None => Ok(false),
        };
    };
    let mut allowed = false;
    for st in list(statements) {
        let effect = st.get("Effect").and_then(RNode::text).unwrap_or("Allow").to_ascii_lowercase();
        let matches_any = |key: &str, value: &str| -> Result<Option<bool>, Unknown> {
            let Some(n) = st.get(key) else { return Ok(None) };
            let mut hit = false;
            for item in list(n) {
                match item.pattern_text() {
                    Some(p) if !p.contains("${") => hit |= glob(&p, value),
                    Some(p) => {
                        // a partly symbolic pattern: compare with the unknown
                        // parts as wildcards
                        let wild = wildcard_symbols(&p);
                        hit |= glob(&wild, value);
                    }
                    None => {
                        return Err(item.unknown().unwrap_or(Unknown::new(format!("`{key}` is not known"), item.span)));
                    }
                }
            }
            Ok(Some(hit))
        };
        let action_hit = match (matches_any("Action", action)?, matches_any("NotAction", action)?) {
            (Some(h), _) => h,
            (None, Some(h)) => !h,
            (None, None) => false,
        };
        let resource_hit = match (matches_any("Resource", resource)?, matches_any("NotResource", resource)?) {
            (Some(h), _) => h,
            (None, Some(h)) => !h,
            (None, None) => true,
        };
        let principal_any = match st.get("Principal") {
            None => true,
            Some(p) => p.text() == Some("*") || p.get("AWS").and_then(RNode::text) == Some("*"),
        };
        if !(action_hit && resource_hit) {
            continue;
        }
        if effect == "deny" {
            return Ok(false);
        }
        if principal_any && st.get("Condition").is_none() {
            allowed = true;
        }
    }
    Ok(allowed)
}

/// `arn:aws:s3:::al2023-repos-${AWS::Region}-de612dc2/*` with unresolved
/// parts becomes a glob (`${X}` → `*`).
fn wildcard_symbols(p: &str) -> String {
    let mut out = String::new();
    let mut rest = p;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        out.push('*');
        rest = rest[i..].find('}').map(|j| &rest[i + j + 1..]).unwrap_or("");
    }
    out.push_str(rest);
    out
}

impl<'n> Tracer<'n> {
    /// PN412: a custom endpoint policy must let the agent's calls through: an
    /// endpoint policy restricts what can be done through the endpoint, on top
    /// of IAM (PrivateLink guide, "Control access to VPC endpoints using
    /// endpoint policies"; the default policy allows everything). The same page
    /// says not every service applies endpoint policies, and the documentation
    /// at hand does not say whether ssm, ssmmessages and ec2messages do: a
    /// policy that leaves the agent out makes the check unknown (a warning),
    /// not failed. Conditions and principals of Allow statements are not
    /// evaluated (they count as allowing).
    pub(super) fn interface_policy_hop(&self, ep: &VpcEndpoint) -> Option<Hop> {
        let (doc, span) = ep.policy.as_ref()?;
        let service = ep.service.as_ref().map(|(_, s)| s.as_str())?;
        let actions = agent_actions(service);
        if actions.is_empty() {
            return None;
        }
        let mut denials = Vec::new();
        for action in actions {
            iam::document_denials(doc, action, &mut denials);
        }
        let left_out = |why: String| {
            let fix = format!(
                "Allow the agent's calls in the PolicyDocument of {}, e.g.\n  - Effect: Allow\n    Principal: \"*\"\n    Action: [\"{service}:*\"]\n    Resource: \"*\"\nor remove the PolicyDocument (the default allows everything).",
                ep.id
            );
            Some(unknown(
                HopKind::EndpointPolicy,
                &ep.id,
                why.clone(),
                Blocker { code: Code::PN412, span: *span, resource: Some(ep.id.clone()), why, fix },
            ))
        };
        let what =
            format!("where the service applies endpoint policies (not every service does), {}", without(actions[0]));
        if let Some(d) = denials.iter().find(|d| d.unless.is_none()) {
            return left_out(format!(
                "the policy of interface endpoint {} denies `{}` (the Deny statement at line {}): {what}",
                ep.id, d.action, d.span.start.line
            ));
        }
        if let Some(d) = denials.first() {
            let u = d.doubt(&format!("the policy of interface endpoint {}", ep.id));
            return Some(self.unknown_hop(HopKind::EndpointPolicy, &ep.id, &u));
        }
        for action in actions {
            match iam::document_allows(doc, action) {
                iam::Tri::Yes => {}
                iam::Tri::No => {
                    return left_out(format!(
                        "the policy of interface endpoint {} does not allow `{action}`: {what}",
                        ep.id
                    ));
                }
                iam::Tri::Unknown(u) => return Some(self.unknown_hop(HopKind::EndpointPolicy, &ep.id, &u)),
            }
        }
        Some(pass(
            HopKind::EndpointPolicy,
            &ep.id,
            format!("the policy of {} allows {}", ep.id, actions.join(", ")),
            *span,
        ))
    }
}

/// The AWS-owned buckets SSM Agent reads from on every operating system,
/// with what they hold (SSM UG, "SSM Agent communications with AWS managed
/// S3 buckets"; Windows Server adds `aws-windows-downloads-<region>`, macOS
/// `aws-patchmanager-macos-<region>`). `{r}` is the region.
const AGENT_BUCKETS: &[(&str, &str)] = &[
    ("amazon-ssm-{r}", "agent installation and updates"),
    ("aws-ssm-{r}", "modules of Systems Manager operations"),
    ("amazon-ssm-packages-{r}", "Distributor packages"),
    ("{r}-birdwatcher-prod", "Distributor"),
    ("aws-ssm-distributor-file-{r}", "Distributor packages"),
    ("aws-ssm-document-attachments-{r}", "SSM document attachments"),
    ("patch-baseline-snapshot-{r}", "Patch Manager baselines"),
];

impl<'n> Tracer<'n> {
    /// PN414: the S3 gateway endpoint the workload's S3 traffic takes has a
    /// policy that leaves out the buckets SSM Agent reads for its updates,
    /// patching and packages (a warning: sessions work). Only for workloads
    /// with an instance profile, the ones Systems Manager may manage; a
    /// policy that cannot be read says nothing.
    pub(crate) fn agent_buckets_note(&self) -> Option<Blocker> {
        self.w.profile.as_ref()?;
        let subnet = self.subnet?;
        let RouteChoice::GatewayEndpoint(ep) = self.public_route(subnet, true) else { return None };
        let (doc, span) = ep.policy.as_ref()?;
        let mut missing = Vec::new();
        for (pattern, what) in AGENT_BUCKETS {
            let bucket = pattern.replace("{r}", self.region);
            if !policy_allows(doc, "s3:GetObject", &format!("arn:aws:s3:::{bucket}/file")).ok()? {
                missing.push((bucket, *what));
            }
        }
        if missing.is_empty() {
            return None;
        }
        let named: Vec<String> = missing.iter().map(|(b, what)| format!("{b} ({what})")).collect();
        let arns: Vec<String> = missing
            .iter()
            .map(|(b, _)| format!("      - !Sub arn:aws:s3:::{}/*", b.replace(self.region, "${AWS::Region}")))
            .collect();
        Some(Blocker {
            code: Code::PN414,
            span: *span,
            resource: Some(ep.id.clone()),
            why: format!(
                "the policy of S3 gateway endpoint {} does not allow `s3:GetObject` on the AWS-owned buckets SSM Agent reads: {}; agent updates, Patch Manager and Distributor fail with 403 on instances routed through it ({} among them), while sessions keep working",
                ep.id,
                named.join(", "),
                self.w.id
            ),
            fix: format!(
                "Add a statement to the endpoint's PolicyDocument:\n  - Effect: Allow\n    Principal: \"*\"\n    Action: s3:GetObject\n    Resource:\n{}",
                arns.join("\n")
            ),
        })
    }
}

/// What SSM Agent calls through each Systems Manager endpoint (SSM UG,
/// "Reference: ec2messages, ssmmessages, and other API operations").
fn agent_actions(service: &str) -> &'static [&'static str] {
    match service {
        "ssm" => &["ssm:UpdateInstanceInformation"],
        "ssmmessages" => &iam::SESSION_ACTIONS[1..],
        "ec2messages" => &["ec2messages:GetMessages", "ec2messages:AcknowledgeMessage", "ec2messages:SendReply"],
        _ => &[],
    }
}
