//! Instance profiles and roles: does the SSM agent get credentials that let
//! it register and open Session Manager channels?
//!
//! The agent needs `ssm:UpdateInstanceInformation` and the four
//! `ssmmessages` channel actions (SSM UG, "Step 2: Verify or add instance
//! permissions for Session Manager"); `AmazonSSMManagedInstanceCore` grants
//! them. The role must trust `ec2.amazonaws.com`.

use super::Ident;
use crate::resolve::{RNode, Unknown, Val};
use crate::source::Span;

/// The actions Session Manager needs from the instance role.
pub const SESSION_ACTIONS: &[&str] = &[
    "ssm:UpdateInstanceInformation",
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
];

/// AWS-managed policies that grant [`SESSION_ACTIONS`].
const SSM_MANAGED_POLICIES: &[&str] = &[
    "AmazonSSMManagedInstanceCore",
    "AmazonEC2RoleforSSM",
    "AmazonSSMFullAccess",
    "AdministratorAccess",
    // Allow with NotAction iam:*, organizations:*, account:* (AWS managed
    // policy reference, PowerUserAccess)
    "PowerUserAccess",
    "AmazonSSMManagedEC2InstanceDefaultPolicy",
];

/// An `AWS::IAM::InstanceProfile`.
#[derive(Clone, Debug)]
pub struct InstanceProfile {
    /// Logical ID.
    pub id: String,
    /// Where the logical ID is.
    pub span: Span,
    /// `Roles` (at most one is allowed).
    pub roles: Vec<Ident>,
    /// `InstanceProfileName`, when set.
    pub name: Option<String>,
}

/// An `AWS::IAM::Role`.
#[derive(Clone, Debug)]
pub struct Role {
    /// Logical ID.
    pub id: String,
    /// Where the logical ID is.
    pub span: Span,
    /// `AssumeRolePolicyDocument`, and where its key is.
    pub trust: Option<(RNode, Span)>,
    /// `ManagedPolicyArns` values.
    pub managed: Vec<RNode>,
    /// Where `ManagedPolicyArns` is.
    pub managed_span: Option<Span>,
    /// Policy documents: inline `Policies`, and `AWS::IAM::Policy` /
    /// `AWS::IAM::ManagedPolicy` resources attached to the role.
    pub documents: Vec<RNode>,
    /// `RoleName`, when set.
    pub name: Option<String>,
    /// `PermissionsBoundary` (a managed policy ARN), and where to edit it.
    pub boundary: Option<(RNode, Span)>,
}

/// Yes, no, or cannot tell (with why).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tri {
    /// Yes.
    Yes,
    /// No.
    No,
    /// Cannot tell.
    Unknown(Unknown),
}

fn strings(node: &RNode) -> Vec<&RNode> {
    match &node.val {
        Val::List(items) => items.iter().collect(),
        _ => vec![node],
    }
}

/// The name of an AWS managed policy from its ARN
/// (`arn:${AWS::Partition}:iam::aws:policy/service-role/X` gives `X`).
fn aws_managed_name(arn: &str) -> Option<&str> {
    let (_, path) = arn.strip_prefix("arn:")?.split_once(":iam::aws:policy/")?;
    path.rsplit('/').next()
}

/// IAM wildcard match (`*` any run, `?` one character), case-insensitive as
/// IAM action names are.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let t: Vec<char> = text.to_ascii_lowercase().chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0usize, 0usize, None::<usize>, 0usize);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Does the policy document allow `action` (ignoring resources and
/// conditions, which the agent's actions do not depend on here)? An explicit
/// deny wins.
pub fn document_allows(doc: &RNode, action: &str) -> Tri {
    let Some(statements) = doc.get("Statement") else {
        return match doc.unknown() {
            Some(u) => Tri::Unknown(u),
            None => Tri::No,
        };
    };
    let mut allowed = false;
    let mut unknown: Option<Unknown> = None;
    for st in strings(statements) {
        let effect = st.get("Effect").and_then(RNode::text).unwrap_or("Allow");
        let (list, negated) = match (st.get("Action"), st.get("NotAction")) {
            (Some(a), _) => (a, false),
            (None, Some(n)) => (n, true),
            (None, None) => continue,
        };
        let mut matched = false;
        for a in strings(list) {
            match a.text() {
                Some(pattern) => matched |= glob(pattern, action),
                None => {
                    unknown.get_or_insert(
                        a.unknown().unwrap_or(Unknown { reason: "an action that is not known".into(), span: a.span }),
                    );
                }
            }
        }
        let applies = matched != negated;
        if applies && effect.eq_ignore_ascii_case("deny") {
            return Tri::No;
        }
        if applies && effect.eq_ignore_ascii_case("allow") {
            allowed = true;
        }
    }
    match (allowed, unknown) {
        (true, _) => Tri::Yes,
        (false, Some(u)) => Tri::Unknown(u),
        (false, None) => Tri::No,
    }
}

/// An explicit `Deny` statement that covers one of the Session Manager
/// actions. IAM evaluates explicit denies first: one that applies overrides
/// every `Allow`, `AmazonSSMManagedInstanceCore` included (IAM User Guide,
/// "Policy evaluation logic").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Denial {
    /// The action it denies.
    pub action: &'static str,
    /// The statement.
    pub span: Span,
    /// Why it may not apply to the agent's requests (a `Condition`, a
    /// `Resource` other than `*`, a `NotResource`); `None` when it certainly
    /// does.
    pub unless: Option<String>,
}

impl Denial {
    /// Why a Deny that may not apply leaves the check open; `whose` names
    /// the policy's owner ("role Role", "the policy of interface endpoint X").
    pub fn doubt(&self, whose: &str) -> Unknown {
        Unknown {
            reason: format!(
                "{whose} has a Deny statement (line {}) covering `{}` with {}: whether it stops SSM Agent is decided per request",
                self.span.start.line,
                self.action,
                self.unless.as_deref().unwrap_or("a condition")
            ),
            span: self.span,
        }
    }
}

/// The `Deny` statements of `doc` that cover `action`.
pub fn document_denials(doc: &RNode, action: &'static str, out: &mut Vec<Denial>) {
    let Some(statements) = doc.get("Statement") else { return };
    for st in strings(statements) {
        let effect = st.get("Effect").and_then(RNode::text).unwrap_or("Allow");
        if !effect.eq_ignore_ascii_case("deny") {
            continue;
        }
        let (list, negated) = match (st.get("Action"), st.get("NotAction")) {
            (Some(a), _) => (a, false),
            (None, Some(n)) => (n, true),
            (None, None) => continue,
        };
        let matched = strings(list).iter().any(|a| a.text().is_some_and(|p| glob(p, action)));
        if matched == negated {
            continue;
        }
        let unless = if st.get("Condition").is_some() {
            Some("a `Condition`".to_string())
        } else if st.get("NotResource").is_some() {
            Some("a `NotResource`".to_string())
        } else {
            match st.get("Resource") {
                Some(r) if strings(r).iter().any(|x| x.text() == Some("*")) => None,
                Some(_) => Some("a `Resource` other than `*`".to_string()),
                None => None,
            }
        };
        out.push(Denial { action, span: st.span, unless });
    }
}

impl Role {
    /// Does the trust policy let `ec2.amazonaws.com` assume the role?
    pub fn trusts_ec2(&self) -> Tri {
        let Some((doc, _)) = &self.trust else { return Tri::No };
        let Some(statements) = doc.get("Statement") else {
            return match doc.unknown() {
                Some(u) => Tri::Unknown(u),
                None => Tri::No,
            };
        };
        for st in strings(statements) {
            let effect = st.get("Effect").and_then(RNode::text).unwrap_or("Allow");
            if !effect.eq_ignore_ascii_case("allow") {
                continue;
            }
            let actions_ok = st
                .get("Action")
                .map(|a| strings(a).iter().any(|x| x.text().is_some_and(|t| glob(t, "sts:AssumeRole"))))
                .unwrap_or(false);
            let services = st.get("Principal").and_then(|p| p.get("Service"));
            let ec2 = services.is_some_and(|s| {
                strings(s).iter().any(|x| {
                    x.pattern_text().is_some_and(|t| t == "ec2.amazonaws.com" || t.starts_with("ec2.amazonaws.com"))
                })
            });
            if actions_ok && ec2 {
                return Tri::Yes;
            }
            if let Some(u) = services.and_then(|s| strings(s).iter().find_map(|x| x.unknown())) {
                return Tri::Unknown(u);
            }
        }
        Tri::No
    }

    /// The explicit `Deny` that takes a Session Manager action away from the
    /// role, if any: one that certainly applies first, else one that may.
    /// `policy_documents` reads a managed policy declared in the template.
    pub fn session_denial(&self, policy_documents: &dyn Fn(&RNode) -> Option<RNode>) -> Option<Denial> {
        let managed: Vec<RNode> = self.managed.iter().filter_map(policy_documents).collect();
        let mut found = Vec::new();
        for action in SESSION_ACTIONS {
            for doc in self.documents.iter().chain(&managed) {
                document_denials(doc, action, &mut found);
            }
        }
        let certain = found.iter().position(|d| d.unless.is_none());
        certain.or((!found.is_empty()).then_some(0)).map(|i| found.swap_remove(i))
    }

    /// Does the role's permissions boundary let the Session Manager actions
    /// through? A boundary caps the role: only what both it and the role's
    /// policies allow is allowed (IAM User Guide, "Permissions boundaries
    /// for IAM entities"). `(Tri::Yes, None)` without a boundary; else the
    /// first action it does not allow. `policy_documents` reads a managed
    /// policy declared in the template.
    pub fn boundary_allows(&self, policy_documents: &dyn Fn(&RNode) -> Option<RNode>) -> (Tri, Option<&'static str>) {
        let Some((arn, span)) = &self.boundary else { return (Tri::Yes, None) };
        if let Some(name) = arn.pattern_text().as_deref().and_then(aws_managed_name)
            && SSM_MANAGED_POLICIES.contains(&name)
        {
            return (Tri::Yes, None);
        }
        let Some(doc) = policy_documents(arn) else {
            let what = arn.pattern_text().unwrap_or_else(|| "a value the template does not pin down".into());
            return (
                Tri::Unknown(Unknown {
                    reason: format!(
                        "role {} has the permissions boundary {what}, which is not in the template: whether it lets the Session Manager actions through cannot be read",
                        self.id
                    ),
                    span: *span,
                }),
                None,
            );
        };
        for action in SESSION_ACTIONS {
            match document_allows(&doc, action) {
                Tri::Yes => {}
                other => return (other, Some(action)),
            }
        }
        (Tri::Yes, None)
    }

    /// Does the role grant every action Session Manager needs? Returns the
    /// first missing action when not. Explicit denies are
    /// [`session_denial`](Role::session_denial)'s business.
    pub fn grants_session_actions(
        &self,
        policy_documents: &dyn Fn(&RNode) -> Option<RNode>,
    ) -> (Tri, Option<&'static str>) {
        for arn in &self.managed {
            if let Some(name) = arn.pattern_text().as_deref().and_then(aws_managed_name)
                && SSM_MANAGED_POLICIES.contains(&name)
            {
                return (Tri::Yes, None);
            }
        }
        let mut docs: Vec<RNode> = self.documents.clone();
        let mut unknown: Option<Unknown> = None;
        for arn in &self.managed {
            match policy_documents(arn) {
                Some(doc) => docs.push(doc),
                None => {
                    // a customer-managed policy outside the template
                    let is_aws_managed = arn.pattern_text().is_some_and(|t| t.contains(":iam::aws:policy/"));
                    if !is_aws_managed {
                        unknown.get_or_insert(Unknown {
                            reason: format!(
                                "managed policy {} is outside the template; its permissions cannot be read",
                                arn.pattern_text().unwrap_or_else(|| "?".into())
                            ),
                            span: arn.span,
                        });
                    }
                }
            }
        }
        for action in SESSION_ACTIONS {
            let mut result = Tri::No;
            for doc in &docs {
                match document_allows(doc, action) {
                    Tri::Yes => {
                        result = Tri::Yes;
                    }
                    Tri::No => {}
                    Tri::Unknown(u) => {
                        if result == Tri::No {
                            result = Tri::Unknown(u);
                        }
                    }
                }
            }
            match result {
                Tri::Yes => {}
                Tri::No => {
                    return match unknown {
                        Some(u) => (Tri::Unknown(u), Some(action)),
                        None => (Tri::No, Some(action)),
                    };
                }
                Tri::Unknown(u) => return (Tri::Unknown(u), Some(action)),
            }
        }
        (Tri::Yes, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iam_globs() {
        assert!(glob("ssm:*", "ssm:UpdateInstanceInformation"));
        assert!(glob("ssmmessages:Open*Channel", "ssmmessages:OpenDataChannel"));
        assert!(glob("*", "ssm:UpdateInstanceInformation"));
        assert!(glob("SSM:updateinstanceinformation", "ssm:UpdateInstanceInformation"));
        assert!(!glob("ssm:Get*", "ssm:UpdateInstanceInformation"));
        assert!(!glob("ssm:*", "ssmmessages:OpenDataChannel"));
    }
}
