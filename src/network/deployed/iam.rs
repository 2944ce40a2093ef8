//! Instance profiles, roles and managed policies of the account
//! (`get-account-authorization-details`) as model elements: a role with its
//! trust policy, inline policies, attached managed policies and boundary,
//! evaluated by the identity hops like a role of the template. An attached
//! policy's document comes from the state's `Policies` when it holds it
//! (the account's version in force), else, for an AWS managed policy, from
//! the data privnet-lint ships ([`crate::network::managed`]).
//!
//! Account IDs are not echoed: a customer managed policy's ARN is shown
//! with `<account>` in place of the account.

use super::super::iam::{InstanceProfile, Role};
use super::json::rnode;
use super::{Anchor, Binder};
use crate::resolve::{RNode, Val};
use crate::source::Span;

/// An ARN with its account ID replaced (`arn:aws:iam::<account>:policy/x`);
/// AWS managed policies (account `aws`) are shown as they are.
pub(super) fn redact(arn: &str) -> String {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts.as_slice() {
        [a, p, s, r, account, rest] if account.bytes().all(|b| b.is_ascii_digit()) && !account.is_empty() => {
            format!("{a}:{p}:{s}:{r}:<account>:{rest}")
        }
        _ => arn.to_string(),
    }
}

impl Binder<'_> {
    /// Binds the instance profile a template names (by name or ARN); its
    /// model ID is its name. `None` when the state does not hold it.
    pub(super) fn bind_profile(&mut self, name_or_arn: &str, a: &Anchor) -> Option<String> {
        let rs = self.rs;
        let p = rs.instance_profile(name_or_arn)?;
        let id = p.value.instance_profile_name.clone();
        if self.taken.contains(&id) {
            return None;
        }
        let key = format!("instance-profile {id}");
        if self.bound.insert(key, true).is_some() {
            return Some(id);
        }
        self.record(&id, &p.origin, a, None);
        let roles = p
            .value
            .roles
            .iter()
            .map(|r| match self.bind_role(&r.role_name.clone(), a) {
                Some(rid) => crate::network::Ident::Resource(rid),
                None => crate::network::Ident::External(r.role_name.clone()),
            })
            .collect();
        self.out.profiles.push(InstanceProfile { id: id.clone(), span: a.span, roles, name: Some(id.clone()) });
        Some(id)
    }

    /// Binds a role by name or ARN; its model ID is its name.
    pub(super) fn bind_role(&mut self, name_or_arn: &str, a: &Anchor) -> Option<String> {
        let rs = self.rs;
        let item = rs.role(name_or_arn)?;
        let r = &item.value;
        let id = r.role_name.clone();
        if self.taken.contains(&id) {
            return None;
        }
        if self.bound.insert(format!("role {id}"), true).is_some() {
            return Some(id);
        }
        self.record(&id, &item.origin, a, None);
        let span = a.span;
        let mut managed = Vec::new();
        for arn in r.attached_managed_policies.iter().filter_map(|p| p.policy_arn.as_deref()) {
            let shown = redact(arn);
            self.policy_document(arn, &shown, span);
            managed.push(RNode::new(span, Val::Str(shown)));
        }
        let boundary = r.permissions_boundary.as_ref().and_then(|b| b.permissions_boundary_arn.as_deref()).map(|arn| {
            let shown = redact(arn);
            self.policy_document(arn, &shown, span);
            (RNode::new(span, Val::Str(shown)), span)
        });
        self.out.roles.push(Role {
            id: id.clone(),
            span,
            trust: r.assume_role_policy_document.as_ref().map(|d| (rnode(d, span), span)),
            managed_span: (!managed.is_empty()).then_some(span),
            managed,
            documents: r
                .role_policy_list
                .iter()
                .filter_map(|p| p.policy_document.as_ref())
                .map(|d| rnode(d, span))
                .collect(),
            name: Some(id.clone()),
            boundary,
        });
        Some(id)
    }

    /// Makes the document of the managed policy `arn` readable (under the
    /// text `shown`, as the role's `ManagedPolicyArns` holds it) when the
    /// state's `Policies` has it.
    pub(super) fn policy_document(&mut self, arn: &str, shown: &str, span: Span) {
        if self.bound.insert(format!("policy {shown}"), true).is_some() {
            return;
        }
        if let Some(doc) = self.rs.managed_policy(arn).and_then(|p| p.value.default_document()) {
            self.out.managed_policies.push((shown.to_string(), rnode(doc, span)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn account_ids_are_not_shown() {
        assert_eq!(redact("arn:aws:iam::123456789012:policy/app/read"), "arn:aws:iam::<account>:policy/app/read");
        assert_eq!(
            redact("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"),
            "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
        );
        assert_eq!(redact("not an arn"), "not an arn");
    }
}
