//! Identity hops of the Session Manager path: the instance profile, its
//! role's trust of `ec2.amazonaws.com`, the Session Manager permissions
//! (explicit denies and the permissions boundary included), instance
//! metadata, and whether the AMI runs SSM Agent. They need only the
//! workload's own properties, never its subnet.

use super::{block, pass, unknown_of};
use crate::finding::Code;
use crate::network::ami::{Agent, AmiFamily};
use crate::network::iam::{Role, Tri};
use crate::reach::{Blocker, Hop, HopKind, Tracer};
use crate::resolve::{RNode, Unknown};

impl<'n> Tracer<'n> {
    /// The instance profile, its role's trust and permissions, and instance
    /// metadata.
    pub(crate) fn identity_hops(&self) -> Vec<Hop> {
        let mut hops = self.iam_hops();
        match self.w.metadata_disabled {
            Some(span) => {
                let why = format!(
                    "instance metadata is disabled (`HttpEndpoint: disabled`), so the SSM agent on {} cannot get credentials or its region",
                    self.w.id
                );
                hops.push(block(
                    HopKind::InstanceMetadata,
                    &self.w.id,
                    why.clone(),
                    Blocker {
                        code: Code::PN504,
                        span,
                        resource: Some(self.w.launch_template.clone().unwrap_or_else(|| self.w.id.clone())),
                        why,
                        fix:
                            "Set `HttpEndpoint: enabled` (and `HttpTokens: required` for IMDSv2, which the agent supports)."
                                .into(),
                    },
                ));
            }
            None => hops.push(pass(
                HopKind::InstanceMetadata,
                &self.w.id,
                "instance metadata (169.254.169.254) is enabled; security groups and NACLs do not filter it".into(),
                self.w.span,
            )),
        }
        hops
    }

    /// The instance profile, its role's trust, and its permissions (denies
    /// and boundary included): one hop per blocker, or one passing hop.
    fn iam_hops(&self) -> Vec<Hop> {
        let w = self.w;
        let Some((profile, span)) = &w.profile else {
            let why = format!(
                "{} has no `IamInstanceProfile`, so the SSM agent has no credentials and never registers (unless Default Host Management Configuration is turned on in the account, which a template cannot show)",
                w.id
            );
            return vec![block(HopKind::Iam, &w.id, why.clone(), Blocker {
                code: Code::PN501,
                span: w.span,
                resource: Some(w.id.clone()),
                why,
                fix: "Add an instance profile whose role has AmazonSSMManagedInstanceCore:\n  IamInstanceProfile: !Ref <InstanceProfile>\nwith\n  <InstanceProfile>:\n    Type: AWS::IAM::InstanceProfile\n    Properties:\n      Roles: [!Ref <Role>]".into(),
            })];
        };
        let Some(p) = profile.id().and_then(|id| self.net.profile(id)) else {
            if let Some(role) = profile.id().and_then(|id| self.net.role(id)) {
                let why = format!("`IamInstanceProfile` of {} names role {}, not an instance profile", w.id, role.id);
                return vec![block(
                    HopKind::Iam,
                    &w.id,
                    why.clone(),
                    Blocker {
                        code: Code::PN501,
                        span: *span,
                        resource: Some(w.id.clone()),
                        why,
                        fix: format!("Wrap {} in an AWS::IAM::InstanceProfile and reference that.", role.id),
                    },
                )];
            }
            return vec![self.unknown_hop(HopKind::Iam, &w.id, &unknown_of(profile, *span, "instance profile"))];
        };
        let Some(role_ident) = p.roles.first() else {
            let why = format!("instance profile {} has no role, so the agent gets no credentials", p.id);
            return vec![block(
                HopKind::Iam,
                &p.id,
                why.clone(),
                Blocker {
                    code: Code::PN502,
                    span: p.span,
                    resource: Some(p.id.clone()),
                    why,
                    fix: format!("Add the role to {}:\n  Roles: [!Ref <Role>]", p.id),
                },
            )];
        };
        let Some(role) = role_ident.id().and_then(|id| self.net.role(id)) else {
            return vec![self.unknown_hop(HopKind::Iam, &p.id, &unknown_of(role_ident, p.span, "role"))];
        };
        let mut blockers = Vec::new();
        match role.trusts_ec2() {
            Tri::Yes => {}
            Tri::No => {
                let span = role.trust.as_ref().map(|(_, s)| *s).unwrap_or(role.span);
                blockers.push(Blocker {
                    code: Code::PN503,
                    span,
                    resource: Some(role.id.clone()),
                    why: format!("role {} does not let `ec2.amazonaws.com` assume it, so the instance gets no credentials from it", role.id),
                    fix: "AssumeRolePolicyDocument:\n  Version: \"2012-10-17\"\n  Statement:\n    - Effect: Allow\n      Principal:\n        Service: ec2.amazonaws.com\n      Action: sts:AssumeRole".into(),
                });
            }
            Tri::Unknown(u) => return vec![self.unknown_hop(HopKind::Iam, &role.id, &u)],
        }
        let documents = |arn: &RNode| -> Option<RNode> {
            // a policy of the template by logical ID, or one of the account
            // state by its ARN
            let id = arn.as_ref_id().or_else(|| arn.text())?;
            self.net.managed_policies.iter().find(|(p, _)| p == id).map(|(_, d)| d.clone())
        };
        // an explicit Deny decides, whatever the role allows
        match role.session_denial(&documents) {
            Some(d) if d.unless.is_none() => blockers.push(Blocker {
                code: Code::PN502,
                span: d.span,
                resource: Some(role.id.clone()),
                why: format!(
                    "role {} explicitly denies `{}` ({}); an explicit Deny overrides every Allow, AmazonSSMManagedInstanceCore included, so {}",
                    role.id,
                    d.action,
                    match &d.policy {
                        Some(name) => format!("a Deny statement of AWS managed policy {name}"),
                        None => format!("the Deny statement at line {}", d.span.start.line),
                    },
                    without(d.action)
                ),
                fix: match &d.policy {
                    Some(name) => format!(
                        "Take AWS managed policy {name} out of `ManagedPolicyArns` (AWS managed policies cannot be edited), and grant what the role needs from it in a policy of your own."
                    ),
                    None => format!(
                        "Take `{}` out of this Deny statement, or narrow it with a `Condition` or `Resource` that leaves the instance's SSM Agent out.",
                        d.action
                    ),
                },
            }),
            Some(d) => {
                if blockers.is_empty() {
                    return vec![self.unknown_hop(HopKind::Iam, &role.id, &d.doubt(&format!("role {}", role.id)))];
                }
            }
            None => match role.grants_session_actions(&documents) {
                (Tri::Yes, _) => {}
                (Tri::No, missing) => {
                    blockers.push(Blocker {
                        code: Code::PN502,
                        span: role.managed_span.unwrap_or(role.span),
                        resource: Some(role.id.clone()),
                        why: format!(
                            "role {} grants neither AmazonSSMManagedInstanceCore nor `{}` (the agent needs ssm:UpdateInstanceInformation and the ssmmessages channel actions)",
                            role.id,
                            missing.unwrap_or("ssm:UpdateInstanceInformation")
                        ),
                        fix: "ManagedPolicyArns:\n  - !Sub arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore".into(),
                    });
                }
                (Tri::Unknown(u), _) => {
                    if blockers.is_empty() {
                        return vec![self.unknown_role_hop(role, &u)];
                    }
                }
            },
        }
        // a permissions boundary caps whatever the policies grant
        if blockers.is_empty()
            && let Some((_, span)) = &role.boundary
        {
            match role.boundary_allows(&documents) {
                (Tri::Yes, _) => {}
                (Tri::No, missing) => blockers.push(Blocker {
                    code: Code::PN502,
                    span: *span,
                    resource: Some(role.id.clone()),
                    why: format!(
                        "the permissions boundary of role {} does not allow `{}`: a boundary caps what the role's policies grant, AmazonSSMManagedInstanceCore included",
                        role.id,
                        missing.unwrap_or("ssm:UpdateInstanceInformation")
                    ),
                    fix: "Allow ssm:UpdateInstanceInformation and ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel and OpenDataChannel in the boundary policy, or remove `PermissionsBoundary`.".into(),
                }),
                (Tri::Unknown(u), _) => return vec![self.unknown_role_hop(role, &u)],
            }
        }
        if blockers.is_empty() {
            return vec![pass(
                HopKind::Iam,
                &role.id,
                format!(
                    "instance profile {} → role {}: trusts ec2.amazonaws.com, grants the Session Manager actions",
                    p.id, role.id
                ),
                role.span,
            )];
        }
        blockers.into_iter().map(|b| block(HopKind::Iam, &role.id, b.why.clone(), b)).collect()
    }

    /// The IAM hop when the role's permissions are open: PN005, with a fix
    /// that fits a managed policy that cannot be read.
    fn unknown_role_hop(&self, role: &Role, u: &Unknown) -> Hop {
        match role.unreadable_policy_fix(u) {
            Some(fix) => self.unknown_hop_fixed_by(HopKind::Iam, &role.id, u, fix),
            None => self.unknown_hop(HopKind::Iam, &role.id, u),
        }
    }

    /// PN505: the AMI may not ship the agent, and UserData does not install
    /// it. Where the AMI is known to lack the agent (AL2023 minimal,
    /// Debian; SSM UG "Find AMIs with the SSM Agent preinstalled") the note
    /// is always worth reading; where it cannot be told, only when it is
    /// the one thing left to doubt (`rest_passes`: every other hop of the
    /// Session Manager path passes).
    pub(crate) fn agent_note(&self, rest_passes: bool) -> Option<Blocker> {
        let w = self.w;
        let ami = &w.image;
        match ami.agent {
            Agent::Preinstalled => return None,
            Agent::Unknown if !rest_passes => return None,
            _ => {}
        }
        let installs =
            w.user_data.as_ref().and_then(RNode::pattern_text).is_some_and(|s| s.contains("amazon-ssm-agent"));
        if installs {
            return None;
        }
        let why = match (ami.agent, ami.family) {
            (Agent::Absent, AmiFamily::Al2023) => {
                "the AL2023 minimal AMI does not include the SSM agent, and UserData does not install it".to_string()
            }
            (Agent::Absent, _) => format!(
                "{} AMIs do not include the SSM agent (they are not among AWS's AMIs with SSM Agent preinstalled), and UserData does not install it",
                ami.describe()
            ),
            (_, AmiFamily::Unknown) => format!(
                "its AMI cannot be identified from the template ({}), so whether the SSM agent is preinstalled is unknown (Amazon Linux 2/2023, Ubuntu, SUSE and Windows AMIs from AWS have it); every other hop of the Session Manager path passes",
                ami.unknown_because.as_deref().unwrap_or("no public parameter")
            ),
            _ => format!(
                "{} is not among AWS's AMIs with SSM Agent preinstalled, so whether it runs the agent is unknown; every other hop of the Session Manager path passes",
                ami.describe()
            ),
        };
        let fix = match ami.family {
            AmiFamily::Ubuntu => "Install the agent in UserData: snap install amazon-ssm-agent --classic".to_string(),
            AmiFamily::Debian => "Install the agent in UserData, e.g.\n  curl -fsSLo /tmp/amazon-ssm-agent.deb https://s3.${AWS::Region}.amazonaws.com/amazon-ssm-${AWS::Region}/latest/debian_amd64/amazon-ssm-agent.deb\n  dpkg -i /tmp/amazon-ssm-agent.deb".to_string(),
            _ => "Use ImageId: resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64, or install the agent in UserData (dnf install -y amazon-ssm-agent && systemctl enable --now amazon-ssm-agent).".to_string(),
        };
        Some(Blocker {
            code: Code::PN505,
            span: w.image_span.unwrap_or(w.span),
            resource: Some(w.id.clone()),
            why: format!("{} may not run the SSM agent: {why}", w.id),
            fix,
        })
    }
}

/// What breaks when SSM Agent may not call `action`.
pub(super) fn without(action: &str) -> &'static str {
    match action.split_once(':').map(|(service, _)| service) {
        Some("ssmmessages") => "Session Manager cannot open a channel",
        Some("ec2messages") => "Run Command on older agents gets no messages",
        _ => "the agent cannot register and the instance never shows up in Fleet Manager",
    }
}
