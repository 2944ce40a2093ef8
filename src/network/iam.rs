//! Instance profiles and roles: does the SSM agent get credentials that let
//! it register and open Session Manager channels?
//!
//! The agent needs `ssm:UpdateInstanceInformation` and the four
//! `ssmmessages` channel actions (SSM UG, "Step 2: Verify or add instance
//! permissions for Session Manager"); `AmazonSSMManagedInstanceCore` grants
//! them. The role must trust `ec2.amazonaws.com`. AWS managed policies are
//! read from the shipped documents of [`managed`](super::managed) and
//! evaluated like the role's own policies.

use super::Ident;
use super::managed::{self, AwsPolicy};
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

/// A policy document as CloudFormation reads it: its `Json`-typed
/// properties (`PolicyDocument`, `AssumeRolePolicyDocument`) take a
/// mapping or the same document as a JSON string (CFN reference,
/// AWS::IAM::Role "AssumeRolePolicyDocument: Type: Json"). A string that
/// holds a JSON object becomes that mapping, every node at the string.
pub fn document(node: &RNode) -> RNode {
    let Val::Str(text) = &node.val else { return node.clone() };
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v @ serde_json::Value::Object(_)) => from_json(&v, node.span),
        _ => node.clone(),
    }
}

fn from_json(v: &serde_json::Value, span: Span) -> RNode {
    use serde_json::Value as J;
    let val = match v {
        J::Null => Val::Null,
        J::Bool(b) => Val::Bool(*b),
        J::Number(n) => Val::Num(n.to_string()),
        J::String(s) => Val::Str(s.clone()),
        J::Array(items) => Val::List(items.iter().map(|i| from_json(i, span)).collect()),
        J::Object(entries) => Val::Map(
            entries
                .iter()
                .map(|(k, x)| crate::resolve::REntry { key: k.clone(), key_span: span, value: from_json(x, span) })
                .collect(),
        ),
    };
    RNode::new(span, val)
}

fn strings(node: &RNode) -> Vec<&RNode> {
    match &node.val {
        Val::List(items) => items.iter().collect(),
        _ => vec![node],
    }
}

/// A policy a role names by ARN (`ManagedPolicyArns`, `PermissionsBoundary`),
/// as far as it can be read.
pub(super) enum Attached {
    /// Its document: an `AWS::IAM::ManagedPolicy` of the template, or an AWS
    /// managed policy from the shipped data (then with its name).
    Document(RNode, Option<String>),
    /// An AWS managed policy the data lists as granting none of the actions
    /// it tracks ([`managed::tracks`]).
    GrantsNone,
    /// Unreadable, and why.
    Unknown(Unknown),
}

/// Reads the policy `arn` names: from the template (`policy_documents`),
/// else from the AWS managed policy data.
pub(super) fn attached(arn: &RNode, policy_documents: &dyn Fn(&RNode) -> Option<RNode>) -> Attached {
    if let Some(doc) = policy_documents(arn) {
        return Attached::Document(doc, None);
    }
    let Some(text) = arn.pattern_text() else {
        return Attached::Unknown(
            arn.unknown().unwrap_or(Unknown::new("a managed policy ARN the template does not pin down", arn.span)),
        );
    };
    let Some((path, name)) = managed::parse_arn(&text) else {
        return Attached::Unknown(Unknown::new(
            format!("managed policy {text} is outside the template; its permissions cannot be read"),
            arn.span,
        ));
    };
    match managed::lookup(path, name, arn.span) {
        AwsPolicy::Document { document, .. } => Attached::Document(document, Some(name.to_string())),
        AwsPolicy::GrantsNone => Attached::GrantsNone,
        AwsPolicy::Unlisted { similar } => {
            let hint = match similar {
                Some(s) => format!(" (AWS has arn:aws:iam::aws:policy{s}: check the path and the letter case)"),
                None => String::new(),
            };
            Attached::Unknown(Unknown::new(
                format!(
                    "{text} is not among the AWS managed policies privnet-lint knows ({}){hint}; what it grants cannot be read",
                    managed::source().describe()
                ),
                arn.span,
            ))
        }
    }
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
/// deny wins. For endpoint policies, whose conditions usually name the
/// account or organization; a role's own policies go through
/// [`identity_allows`].
pub fn document_allows(doc: &RNode, action: &str) -> Tri {
    evaluate(doc, action, Reader::Endpoint)
}

/// Does a policy of the role (or its boundary) allow `action`? Like
/// [`document_allows`], except that an `Allow` that holds only under a
/// `Condition` (a tag, `aws:IsMcpServiceAction`, …) leaves the action open
/// unless another statement allows it outright. `policy` names the AWS
/// managed policy the document is, when it is one.
pub(super) fn identity_allows(doc: &RNode, action: &str, policy: Option<&str>) -> Tri {
    evaluate(doc, action, Reader::Role(policy))
}

/// Whose policy a document is, which decides what a conditional `Allow` is
/// worth.
#[derive(Clone, Copy)]
enum Reader<'a> {
    /// An endpoint policy: conditions are not read.
    Endpoint,
    /// A policy of the role (`Some(name)` for an AWS managed one): an `Allow`
    /// with a `Condition` may not apply.
    Role(Option<&'a str>),
}

/// [`document_allows`] or [`identity_allows`], as `reader` says.
fn evaluate(doc: &RNode, action: &str, reader: Reader<'_>) -> Tri {
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
                    unknown.get_or_insert(a.unknown().unwrap_or(Unknown::new("an action that is not known", a.span)));
                }
            }
        }
        let applies = matched != negated;
        if applies && effect.eq_ignore_ascii_case("deny") {
            return Tri::No;
        }
        if applies && effect.eq_ignore_ascii_case("allow") {
            match reader {
                Reader::Role(policy) if st.get("Condition").is_some() => {
                    let place = match policy {
                        Some(name) => format!("AWS managed policy {name}"),
                        None => format!("the statement at line {}", st.span.start.line),
                    };
                    unknown.get_or_insert(Unknown::new(format!(
                            "{place} allows `{action}` only under a `Condition`: whether it applies to SSM Agent's requests is decided per request"
                        ), st.span));
                }
                _ => allowed = true,
            }
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
    /// The AWS managed policy it is in, when it is not in the template.
    pub policy: Option<String>,
}

impl Denial {
    /// Where the statement is, for messages: `line 12`, or `in AWS managed
    /// policy X`.
    pub fn place(&self) -> String {
        match &self.policy {
            Some(name) => format!("in AWS managed policy {name}"),
            None => format!("line {}", self.span.start.line),
        }
    }

    /// Why a Deny that may not apply leaves the check open; `whose` names
    /// the policy's owner ("role Role", "the policy of interface endpoint X").
    pub fn doubt(&self, whose: &str) -> Unknown {
        Unknown::new(
            format!(
                "{whose} has a Deny statement ({}) covering `{}` with {}: whether it stops SSM Agent is decided per request",
                self.place(),
                self.action,
                self.unless.as_deref().unwrap_or("a condition")
            ),
            self.span,
        )
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
        out.push(Denial { action, span: st.span, unless, policy: None });
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

    /// The role's policies that can be read: inline ones and those of the
    /// template with no name, AWS managed ones with theirs. Also the first
    /// managed policy that cannot be read. `policy_documents` reads a
    /// managed policy declared in the template.
    fn readable_policies(
        &self,
        policy_documents: &dyn Fn(&RNode) -> Option<RNode>,
    ) -> (Vec<(RNode, Option<String>)>, Option<Unknown>) {
        self.readable_policies_for(SESSION_ACTIONS, policy_documents)
    }

    /// [`Role::readable_policies`] for `actions`: an AWS managed policy the
    /// data lists without its document is known to grant none of them only
    /// when the data tracks them all ([`managed::tracks`]); otherwise it is
    /// the first policy that cannot be read.
    pub(super) fn readable_policies_for(
        &self,
        actions: &[&str],
        policy_documents: &dyn Fn(&RNode) -> Option<RNode>,
    ) -> (Vec<(RNode, Option<String>)>, Option<Unknown>) {
        let mut docs: Vec<(RNode, Option<String>)> = self.documents.iter().map(|d| (d.clone(), None)).collect();
        let mut unknown = None;
        let untracked = actions.iter().find(|a| !managed::tracks(a));
        for arn in &self.managed {
            match attached(arn, policy_documents) {
                Attached::Document(doc, name) => docs.push((doc, name)),
                Attached::GrantsNone => {
                    if let Some(action) = untracked {
                        unknown.get_or_insert(Unknown {
                            reason: format!(
                                "whether AWS managed policy {} grants `{action}` is not in the data privnet-lint ships (it keeps the documents of policies that grant SSM, logs, s3:GetObject or kms:Decrypt actions)",
                                arn.pattern_text().unwrap_or_default()
                            ),
                            span: arn.span,
                            open: None,
                        });
                    }
                }
                Attached::Unknown(u) => {
                    unknown.get_or_insert(u);
                }
            }
        }
        (docs, unknown)
    }

    /// How to settle an unknown that comes from a managed policy this role
    /// names by a known ARN (in `ManagedPolicyArns` or as its boundary) but
    /// whose document cannot be read; `None` for any other unknown.
    pub fn unreadable_policy_fix(&self, u: &Unknown) -> Option<String> {
        let boundary = self.boundary.as_ref().filter(|(_, span)| *span == u.span).map(|(arn, _)| arn);
        let arn = self.managed.iter().find(|a| a.span == u.span).or(boundary)?.pattern_text()?;
        let by_hand = format!(
            "check by hand that it allows {} (and that no Deny in it takes them away), then suppress PN005 on role {}",
            SESSION_ACTIONS.join(", "),
            self.id
        );
        Some(match managed::parse_arn(&arn) {
            Some(_) => format!(
                "Check the ARN against the AWS managed policy reference (the path and the letter case count). A policy AWS added after the data privnet-lint ships ({}) is not known to it: {by_hand}.",
                managed::source().describe()
            ),
            None => format!(
                "Declare the policy in this template (an AWS::IAM::ManagedPolicy, named with `!Ref`) so that it can be read, or {by_hand}."
            ),
        })
    }

    /// The explicit `Deny` that takes a Session Manager action away from the
    /// role, if any: one that certainly applies first, else one that may.
    /// `policy_documents` reads a managed policy declared in the template.
    pub fn session_denial(&self, policy_documents: &dyn Fn(&RNode) -> Option<RNode>) -> Option<Denial> {
        let (docs, _) = self.readable_policies(policy_documents);
        let mut found = Vec::new();
        for action in SESSION_ACTIONS {
            for (doc, name) in &docs {
                let from = found.len();
                document_denials(doc, action, &mut found);
                for d in &mut found[from..] {
                    d.policy.clone_from(name);
                }
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
        let (doc, name) = match attached(arn, policy_documents) {
            Attached::Document(doc, name) => (doc, name),
            Attached::GrantsNone => return (Tri::No, SESSION_ACTIONS.first().copied()),
            Attached::Unknown(u) => {
                let reason = format!(
                    "the permissions boundary of role {}: {}; whether it lets the Session Manager actions through is open",
                    self.id, u.reason
                );
                return (Tri::Unknown(Unknown::new(reason, *span)), None);
            }
        };
        for action in SESSION_ACTIONS {
            match identity_allows(&doc, action, name.as_deref()) {
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
        let (docs, unknown) = self.readable_policies(policy_documents);
        for action in SESSION_ACTIONS {
            match any_allows(&docs, action) {
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

/// Does any of `docs` (policy documents with their names) allow `action`?
/// One that allows it settles it; otherwise a doubt beats a no.
pub(super) fn any_allows(docs: &[(RNode, Option<String>)], action: &str) -> Tri {
    let mut result = Tri::No;
    for (doc, name) in docs {
        match identity_allows(doc, action, name.as_deref()) {
            Tri::Yes => return Tri::Yes,
            Tri::No => {}
            Tri::Unknown(u) => {
                if result == Tri::No {
                    result = Tri::Unknown(u);
                }
            }
        }
    }
    result
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::resolve::REntry;
    use crate::source::Pos;

    pub(crate) fn at(line: u32) -> Span {
        Span { start: Pos { line, column: 1, offset: 0 }, end: Pos { line, column: 9, offset: 8 } }
    }

    pub(crate) fn text(s: &str, line: u32) -> RNode {
        RNode::new(at(line), Val::Str(s.into()))
    }

    /// A role with `ManagedPolicyArns` (one a line, from line 10) and a
    /// boundary (line 5).
    pub(crate) fn role(arns: &[&str], boundary: Option<&str>) -> Role {
        Role {
            id: "Role".into(),
            span: at(1),
            trust: None,
            managed: arns.iter().zip(10..).map(|(a, line)| text(a, line)).collect(),
            managed_span: Some(at(9)),
            documents: Vec::new(),
            name: None,
            boundary: boundary.map(|b| (text(b, 5), at(5))),
        }
    }

    pub(crate) fn aws(name: &str) -> String {
        format!("arn:aws:iam::aws:policy/{name}")
    }

    #[test]
    fn a_policy_document_written_as_a_json_string_is_read() {
        let trust = r#"{"Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}}]}"#;
        let policy = r#"{"Statement": [{"Effect": "Allow", "Action": ["ssm:UpdateInstanceInformation", "ssmmessages:*"], "Resource": "*"}]}"#;
        let mut r = role(&[], None);
        r.trust = Some((document(&text(trust, 3)), at(3)));
        r.documents.push(document(&text(policy, 4)));
        assert_eq!(r.trusts_ec2(), Tri::Yes);
        assert_eq!(kind(&r.grants_session_actions(NONE).0), "yes");
        // a string that is no JSON object stays a string
        assert_eq!(document(&text("not json", 3)).val, Val::Str("not json".into()));
        assert_eq!(document(&text("[1]", 3)).val, Val::Str("[1]".into()));
    }

    fn kind(t: &Tri) -> &'static str {
        match t {
            Tri::Yes => "yes",
            Tri::No => "no",
            Tri::Unknown(_) => "unknown",
        }
    }

    const NONE: &dyn Fn(&RNode) -> Option<RNode> = &|_| None;

    #[test]
    fn aws_managed_policies_are_read_from_their_documents() {
        let cases: &[(&[&str], &str)] = &[
            (&["AWSCloud9SSMInstanceProfile"], "yes"),
            (&["service-role/AmazonEC2RoleforSSM"], "yes"),
            (&["AmazonSSMManagedInstanceCore"], "yes"),
            (&["AmazonSSMManagedEC2InstanceDefaultPolicy"], "yes"),
            (&["AmazonSSMFullAccess"], "yes"),
            (&["AdministratorAccess"], "yes"),
            // Allow with NotAction iam:*, organizations:*, account:*
            (&["PowerUserAccess"], "yes"),
            // logs and one ssm:GetParameter: known, and without the actions
            (&["CloudWatchAgentServerPolicy"], "no"),
            // ssm:Get*, ssm:Describe*, ssm:List*
            (&["ReadOnlyAccess"], "no"),
            // ECR only: listed by name, grants none of the tracked actions
            (&["AmazonEC2ContainerRegistryReadOnly"], "no"),
            (&["CloudWatchAgentServerPolicy", "AmazonEC2ContainerRegistryReadOnly"], "no"),
            // in no table
            (&["NoSuchPolicyXyz"], "unknown"),
            (&["CloudWatchAgentServerPolicy", "NoSuchPolicyXyz"], "unknown"),
            (&["NoSuchPolicyXyz", "AmazonSSMManagedInstanceCore"], "yes"),
            // the wrong path names no policy
            (&["AmazonEC2RoleforSSM"], "unknown"),
            // `Action: *` only when `aws:IsMcpServiceAction` is true
            (&["AWSMcpServiceActionsFullAccess"], "unknown"),
            // ssm:UpdateInstanceInformation only on instances with a tag
            (&["AWSEC2SqlHaInstancePolicy"], "unknown"),
        ];
        for (names, want) in cases {
            let arns: Vec<String> = names.iter().map(|n| aws(n)).collect();
            let arns: Vec<&str> = arns.iter().map(String::as_str).collect();
            let (got, missing) = role(&arns, None).grants_session_actions(NONE);
            assert_eq!(kind(&got), *want, "{names:?}: {got:?}");
            assert_eq!(missing.is_some(), *want != "yes", "{names:?}");
        }
        // a policy listed without its document is known not to grant them
        assert!(SESSION_ACTIONS.iter().all(|a| managed::tracks(a)));
        // the partition as `!Sub` leaves it
        let sub = "arn:${AWS::Partition}:iam::aws:policy/AWSCloud9SSMInstanceProfile";
        assert_eq!(role(&[sub], None).grants_session_actions(NONE).0, Tri::Yes);
    }

    #[test]
    fn unreadable_policies_are_unknown_at_their_arn_with_a_fix() {
        let customer = "arn:aws:iam::123456789012:policy/app";
        for (arn, says) in
            [(aws("NoSuchPolicyXyz"), "AWS managed policy reference"), (customer.into(), "Declare the policy")]
        {
            let r = role(&["arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy", &arn], None);
            let Tri::Unknown(u) = r.grants_session_actions(NONE).0 else { panic!("{arn}") };
            assert_eq!(u.span, at(11), "{arn}");
            assert!(u.reason.contains(&arn), "{}", u.reason);
            let fix = r.unreadable_policy_fix(&u).expect("a fix");
            assert!(fix.contains(says) && fix.contains("suppress PN005"), "{fix}");
        }
        let other = Unknown::new("parameter `X` has no value", at(30));
        assert_eq!(role(&[customer], None).unreadable_policy_fix(&other), None);
    }

    #[test]
    fn a_template_policy_is_read_before_the_aws_data() {
        let doc = RNode::new(
            at(20),
            Val::Map(vec![REntry {
                key: "Statement".into(),
                key_span: at(20),
                value: RNode::new(
                    at(21),
                    Val::Map(vec![
                        REntry { key: "Effect".into(), key_span: at(21), value: text("Allow", 21) },
                        REntry { key: "Action".into(), key_span: at(22), value: text("*", 22) },
                    ]),
                ),
            }]),
        );
        let documents = |arn: &RNode| (arn.text() == Some("from-template")).then(|| doc.clone());
        assert_eq!(role(&["from-template"], None).grants_session_actions(&documents).0, Tri::Yes);
    }

    #[test]
    fn aws_managed_boundaries_cap_the_role() {
        let core = aws("AmazonSSMManagedInstanceCore");
        for (boundary, want) in [
            ("PowerUserAccess", "yes"),
            ("AmazonSSMManagedInstanceCore", "yes"),
            ("CloudWatchAgentServerPolicy", "no"),
            ("AmazonEC2ContainerRegistryReadOnly", "no"),
            ("NoSuchPolicyXyz", "unknown"),
        ] {
            let r = role(&[&core], Some(&aws(boundary)));
            let (got, missing) = r.boundary_allows(NONE);
            assert_eq!(kind(&got), want, "{boundary}: {got:?}");
            assert_eq!(missing.is_some(), want == "no", "{boundary}");
            if let Tri::Unknown(u) = got {
                assert_eq!(u.span, at(5));
                assert!(u.reason.contains("permissions boundary") && r.unreadable_policy_fix(&u).is_some(), "{u:?}");
            }
        }
        assert_eq!(role(&[&core], None).boundary_allows(NONE), (Tri::Yes, None));
    }

    #[test]
    fn a_deny_in_an_aws_managed_policy_names_the_policy() {
        // its `Deny` with `NotAction` covers the Session Manager actions
        let name = "AmazonDataZoneProjectDeploymentPermissionsBoundary";
        let d = role(&[&aws("AmazonSSMManagedInstanceCore"), &aws(name)], None).session_denial(NONE).expect("a Deny");
        assert_eq!(d.policy.as_deref(), Some(name));
        assert_eq!(d.span, at(11));
        assert_eq!(d.place(), format!("in AWS managed policy {name}"));
        assert_eq!(role(&[&aws("AmazonSSMManagedInstanceCore")], None).session_denial(NONE), None);
    }

    #[test]
    fn conditions_leave_a_role_allow_open_but_not_an_endpoint_allow() {
        let statement = |condition: bool| {
            let mut entries = vec![
                REntry { key: "Effect".into(), key_span: at(3), value: text("Allow", 3) },
                REntry { key: "Action".into(), key_span: at(4), value: text("ssm:*", 4) },
            ];
            if condition {
                let c = RNode::new(at(5), Val::Map(Vec::new()));
                entries.push(REntry { key: "Condition".into(), key_span: at(5), value: c });
            }
            RNode::new(at(3), Val::Map(entries))
        };
        let doc = |statements: Vec<RNode>| {
            RNode::new(
                at(1),
                Val::Map(vec![REntry {
                    key: "Statement".into(),
                    key_span: at(2),
                    value: RNode::new(at(2), Val::List(statements)),
                }]),
            )
        };
        let action = "ssm:UpdateInstanceInformation";
        let conditional = doc(vec![statement(true)]);
        assert_eq!(document_allows(&conditional, action), Tri::Yes);
        let Tri::Unknown(u) = identity_allows(&conditional, action, None) else { panic!() };
        assert!(u.reason.contains("the statement at line 3") && u.reason.contains("`Condition`"), "{}", u.reason);
        assert_eq!(identity_allows(&doc(vec![statement(true), statement(false)]), action, None), Tri::Yes);
        assert_eq!(identity_allows(&doc(vec![statement(false)]), action, None), Tri::Yes);
    }

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
