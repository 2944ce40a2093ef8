//! What a role may call, for any set of actions: the Session Manager
//! preferences ask the instance role for `kms:Decrypt`, the `logs:` actions
//! or `s3:PutObject` on top of what the agent itself needs
//! ([`iam`](super::iam) evaluates those). Explicit denies first, then the
//! role's policies (inline, of the template, AWS managed), then the
//! permissions boundary (IAM User Guide, "Policy evaluation logic").

use super::iam::{Attached, Denial, Role, Tri, any_allows, attached, document_denials, identity_allows};
use super::managed;
use crate::resolve::{RNode, Unknown};

/// Whether a role may call a set of actions: its policies, explicit denies
/// and permissions boundary taken together (IAM User Guide, "Policy
/// evaluation logic").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Grant {
    /// Every action is allowed.
    Yes,
    /// An explicit `Deny` that certainly applies takes one away.
    Denied(Denial),
    /// No policy allows this action.
    Missing(&'static str),
    /// The permissions boundary does not allow this action.
    Capped(&'static str),
    /// Cannot tell.
    Unknown(Unknown),
}

impl Role {
    /// Does the role let its holder call every action of `actions`? Explicit
    /// denies first, then the role's policies (inline, of the template, AWS
    /// managed), then the permissions boundary. Resources and conditions of
    /// `Allow` statements are read as for the agent's own actions: a statement
    /// on another resource counts as allowing.
    pub fn grants(&self, actions: &[&'static str], policy_documents: &dyn Fn(&RNode) -> Option<RNode>) -> Grant {
        let (docs, unreadable) = self.readable_policies_for(actions, policy_documents);
        let mut doubt: Option<Unknown> = None;
        for action in actions {
            let mut found = Vec::new();
            for (doc, name) in &docs {
                let from = found.len();
                document_denials(doc, action, &mut found);
                for d in &mut found[from..] {
                    d.policy.clone_from(name);
                }
            }
            if let Some(i) = found.iter().position(|d| d.unless.is_none()) {
                return Grant::Denied(found.swap_remove(i));
            }
            if let Some(d) = found.first() {
                doubt.get_or_insert(d.doubt(&format!("role {}", self.id)));
            }
        }
        for action in actions {
            match any_allows(&docs, action) {
                Tri::Yes => {}
                Tri::No => {
                    return match &unreadable {
                        Some(u) => Grant::Unknown(u.clone()),
                        None => Grant::Missing(action),
                    };
                }
                Tri::Unknown(u) => return Grant::Unknown(u),
            }
        }
        if let Some((arn, span)) = &self.boundary {
            let (doc, name) = match attached(arn, policy_documents) {
                Attached::Document(doc, name) => (doc, name),
                Attached::GrantsNone if actions.iter().all(|a| managed::tracks(a)) => {
                    return Grant::Capped(actions.first().copied().unwrap_or_default());
                }
                Attached::GrantsNone | Attached::Unknown(_) => {
                    let reason = format!(
                        "the permissions boundary of role {} cannot be read: whether it lets {} through is open",
                        self.id,
                        actions.join(", ")
                    );
                    return Grant::Unknown(Unknown { reason, span: *span, open: None });
                }
            };
            for action in actions {
                match identity_allows(&doc, action, name.as_deref()) {
                    Tri::Yes => {}
                    Tri::No => return Grant::Capped(action),
                    Tri::Unknown(u) => return Grant::Unknown(u),
                }
            }
        }
        match doubt {
            Some(u) => Grant::Unknown(u),
            None => Grant::Yes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::{REntry, Val};

    use crate::network::iam::tests::{at, aws, role, text};

    const NONE: &dyn Fn(&RNode) -> Option<RNode> = &|_| None;

    #[test]
    fn grants_reads_denies_policies_and_the_boundary_for_any_actions() {
        let kms = ["kms:Decrypt"];
        let logs = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"];
        let s3 = ["s3:PutObject"];
        let cases: &[(&[&str], &[&'static str], &str)] = &[
            (&["AmazonSSMManagedInstanceCore"], &kms, "missing"),
            (&["AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy"], &logs, "yes"),
            (&["AmazonSSMManagedInstanceCore"], &logs, "missing"),
            (&["AdministratorAccess"], &s3, "yes"),
            // ECR only, listed without its document: it grants no kms or
            // logs action, but the data does not say for s3:PutObject
            (&["AmazonEC2ContainerRegistryReadOnly"], &kms, "missing"),
            (&["AmazonEC2ContainerRegistryReadOnly"], &s3, "unknown"),
            (&["NoSuchPolicyXyz"], &kms, "unknown"),
        ];
        for (names, actions, want) in cases {
            let arns: Vec<String> = names.iter().map(|n| aws(n)).collect();
            let arns: Vec<&str> = arns.iter().map(String::as_str).collect();
            let got = role(&arns, None).grants(actions, NONE);
            let kind = match &got {
                Grant::Yes => "yes",
                Grant::Missing(_) => "missing",
                Grant::Unknown(_) => "unknown",
                Grant::Denied(_) => "denied",
                Grant::Capped(_) => "capped",
            };
            assert_eq!(kind, *want, "{names:?} {actions:?}: {got:?}");
        }
        assert_eq!(
            role(&[&aws("AmazonSSMManagedInstanceCore")], None).grants(&kms, NONE),
            Grant::Missing("kms:Decrypt")
        );
        // a boundary without the action caps an administrator
        let capped =
            role(&[&aws("AdministratorAccess")], Some(&aws("AmazonSSMManagedInstanceCore"))).grants(&kms, NONE);
        assert_eq!(capped, Grant::Capped("kms:Decrypt"));
        // an explicit Deny of the role's own takes it away from an administrator
        let entry = |key: &str, value: RNode| REntry { key: key.into(), key_span: at(30), value };
        let deny = RNode::new(
            at(30),
            Val::Map(vec![entry(
                "Statement",
                RNode::new(
                    at(31),
                    Val::Map(vec![
                        entry("Effect", text("Deny", 31)),
                        entry("Action", text("kms:*", 32)),
                        entry("Resource", text("*", 33)),
                    ]),
                ),
            )]),
        );
        let mut admin = role(&[&aws("AdministratorAccess")], None);
        admin.documents.push(deny);
        assert!(matches!(admin.grants(&kms, NONE), Grant::Denied(d) if d.span == at(31)));
        assert_eq!(admin.grants(&s3, NONE), Grant::Yes);
    }
}
