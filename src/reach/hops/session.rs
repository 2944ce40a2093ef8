//! Session Manager preference hops: what the account's preferences
//! (`SSM-SessionManagerRunShell`) turn on, whether the instance role may
//! call what they need (`kms:Decrypt`, the `logs:` actions, `s3:PutObject`),
//! and the finding when the `kms` or `logs` endpoint or the log bucket
//! cannot be reached (PN413). SSM UG, "Enable KMS key encryption of session
//! data", "Logging session activity", "Step 2: Verify or add instance
//! permissions for Session Manager"; the paths themselves are traced like
//! the `ssm` one.

use super::endpoint_policy::policy_allows;
use super::route::RouteTableRef;
use super::{block, pass};
use crate::finding::Code;
use crate::network::grant::Grant;
use crate::network::iam::Role;
use crate::network::session::{DOCUMENT, Need, Preferences, SessionPreferences, Switch};
use crate::network::{Subnet, VpcEndpoint};
use crate::reach::{Blocker, Hop, HopKind, Tracer};
use crate::resolve::{REntry, RNode, Unknown, Val};

impl<'n> Tracer<'n> {
    /// The `session-preferences` hop of the `ssm` path: what the preferences
    /// turn on, or that they were not checked.
    pub(crate) fn session_preferences_hop(&self) -> Hop {
        match &self.net.account.session {
            None => pass(
                HopKind::SessionPreferences,
                DOCUMENT,
                format!(
                    "Session Manager preferences ({DOCUMENT}) are neither in the template nor in an account state: whether they turn on KMS encryption or session logging, which need paths to kms, logs or S3, was not checked (save `aws ssm get-document --name {DOCUMENT}` with --account-state to check them)"
                ),
                self.w.span,
            ),
            Some(Preferences::Unreadable(origin, u)) => {
                let u = Unknown {
                    reason: format!(
                        "the Session Manager preferences ({}) cannot be read: {}; whether sessions need KMS or session logging is open",
                        origin.resource(),
                        u.reason
                    ),
                    span: u.span,
                    open: u.open.clone(),
                };
                self.unknown_hop(HopKind::SessionPreferences, origin.resource(), &u)
            }
            Some(Preferences::Known(p)) => {
                let on: Vec<String> = Need::ALL
                    .iter()
                    .filter_map(|n| match p.switch(*n) {
                        Switch::On(v, _) => Some(format!("{} ({v})", n.what())),
                        Switch::Unknown(_) => Some(format!("maybe {}", n.what())),
                        Switch::Off => None,
                    })
                    .collect();
                let detail = if on.is_empty() {
                    format!(
                        "Session Manager preferences ({}) turn on no KMS encryption and no session logging",
                        p.origin.resource()
                    )
                } else {
                    format!(
                        "Session Manager preferences ({}) turn on {}: traced as paths of their own",
                        p.origin.resource(),
                        on.join(", ")
                    )
                };
                pass(HopKind::SessionPreferences, p.origin.resource(), detail, p.origin.span().unwrap_or(self.w.span))
            }
        }
    }

    /// The instance role, when the profile and its role are in the template
    /// (otherwise the identity hops of the `ssm` path already say why not).
    fn instance_role(&self) -> Option<&'n Role> {
        let (profile, _) = self.w.profile.as_ref()?;
        let p = profile.id().and_then(|id| self.net.profile(id))?;
        p.roles.first()?.id().and_then(|id| self.net.role(id))
    }

    /// Whether the instance role allows what `need` asks of it.
    pub(crate) fn preference_iam_hop(&self, prefs: &SessionPreferences, need: Need) -> Option<Hop> {
        let role = self.instance_role()?;
        let actions = need.actions(prefs.bucket_encrypted);
        let documents = |arn: &RNode| -> Option<RNode> {
            // a policy of the template by logical ID, or one of the account
            // state by its ARN
            let id = arn.as_ref_id().or_else(|| arn.text())?;
            self.net.managed_policies.iter().find(|(p, _)| p == id).map(|(_, d)| d.clone())
        };
        let fails = format!(
            "the Session Manager preferences ({}) turn on {}, so SSM Agent on {} needs it before a session starts, and sessions fail to start",
            prefs.origin.resource(),
            need.what(),
            self.w.id
        );
        let fix = format!(
            "Allow it in a policy of role {}:\n  Policies:\n    - PolicyName: session-{}\n      PolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Action: [{}]\n            Resource: \"*\"   # or the key, log group or bucket",
            role.id,
            match need {
                Need::Kms => "encryption",
                Need::Logs | Need::S3 => "logging",
            },
            actions.join(", ")
        );
        let (why, span) = match role.grants(actions, &documents) {
            Grant::Yes => {
                return Some(pass(
                    HopKind::Iam,
                    &role.id,
                    format!("role {} allows {}", role.id, actions.join(", ")),
                    role.span,
                ));
            }
            Grant::Unknown(u) => return Some(self.unknown_hop(HopKind::Iam, &role.id, &u)),
            Grant::Missing(a) => {
                (format!("role {} does not allow `{a}`: {fails}", role.id), role.managed_span.unwrap_or(role.span))
            }
            Grant::Capped(a) => (
                format!("the permissions boundary of role {} does not allow `{a}`: {fails}", role.id),
                role.boundary.as_ref().map(|(_, s)| *s).unwrap_or(role.span),
            ),
            Grant::Denied(d) => {
                (format!("role {} explicitly denies `{}` ({}): {fails}", role.id, d.action, d.place()), d.span)
            }
        };
        Some(block(
            HopKind::Iam,
            &role.id,
            why.clone(),
            Blocker { code: Code::PN413, span, resource: Some(role.id.clone()), why, fix },
        ))
    }

    /// PN413: the `kms` or `logs` endpoint the preferences need has no
    /// interface endpoint in the VPC and there is no internet path.
    pub(crate) fn preference_endpoint_missing(&self, prefs: &SessionPreferences, need: Need, host: &str) -> Hop {
        let vpc = self.vpc.expect("checked by the caller");
        let subnet = self.subnet.map(|s| s.id.as_str()).unwrap_or("<Subnet>");
        let service = match need {
            Need::Kms => "kms",
            _ => "logs",
        };
        let why = format!(
            "VPC {} has no {service} interface endpoint with private DNS and no NAT or internet path, so {host} cannot be reached: the Session Manager preferences ({}) turn on {}, and sessions fail to start",
            vpc.id,
            prefs.origin.resource(),
            need.what()
        );
        let fix = format!(
            "Add:\n  {}Endpoint:\n    Type: AWS::EC2::VPCEndpoint\n    Properties:\n      VpcId: !Ref {}\n      ServiceName: !Sub com.amazonaws.${{AWS::Region}}.{service}\n      VpcEndpointType: Interface\n      PrivateDnsEnabled: true\n      SubnetIds: [!Ref {subnet}]\n      SecurityGroupIds: [!Ref <EndpointSecurityGroup>]   # allows tcp/443 from the instances",
            if service == "kms" { "Kms" } else { "Logs" },
            vpc.id
        );
        block(
            HopKind::InterfaceEndpoint,
            &vpc.id,
            why.clone(),
            Blocker { code: Code::PN413, span: vpc.span, resource: Some(vpc.id.clone()), why, fix },
        )
    }

    /// PN413: the route table has no route to S3 for the log bucket.
    pub(crate) fn log_bucket_route_missing(&self, prefs: &SessionPreferences, subnet: &Subnet, bucket: &str) -> Hop {
        let (rt, span) = match self.route_table_of(subnet) {
            RouteTableRef::Table(t) => (t.id.clone(), t.span),
            _ => (format!("{} (main route table)", subnet.id), subnet.span),
        };
        let why = format!(
            "route table {rt} has no route to S3 (no S3 gateway endpoint, no 0.0.0.0/0 route), so SSM Agent cannot write the session log to bucket {bucket}: the Session Manager preferences ({}) turn on session logging to S3, and sessions fail to start",
            prefs.origin.resource()
        );
        let vpc = self.vpc.map(|v| v.id.as_str()).unwrap_or("<Vpc>");
        let fix = format!(
            "Add an S3 gateway endpoint on the subnet's route table:\n  S3GatewayEndpoint:\n    Type: AWS::EC2::VPCEndpoint\n    Properties:\n      VpcId: !Ref {vpc}\n      ServiceName: !Sub com.amazonaws.${{AWS::Region}}.s3\n      RouteTableIds: [!Ref {}]",
            if rt.contains(' ') { "<RouteTable>" } else { rt.as_str() }
        );
        block(
            HopKind::RouteTable,
            &rt,
            why.clone(),
            Blocker { code: Code::PN413, span, resource: Some(rt.clone()), why, fix },
        )
    }

    /// The S3 gateway endpoint's policy must let the agent's signed
    /// `s3:PutObject` on the log bucket through. A statement limited to some
    /// principals or conditions may match the instance role: then it is open.
    pub(crate) fn log_bucket_policy_hop(&self, prefs: &SessionPreferences, ep: &VpcEndpoint, bucket: &str) -> Hop {
        let Some((doc, span)) = &ep.policy else {
            return pass(
                HopKind::EndpointPolicy,
                &ep.id,
                format!("{} has the default full-access policy", ep.id),
                ep.span,
            );
        };
        let object = format!("arn:aws:s3:::{bucket}/session.log");
        let open = |u: Unknown| {
            let u = Unknown {
                reason: format!("the policy of gateway endpoint {} for the session log bucket: {}", ep.id, u.reason),
                span: u.span,
                open: u.open,
            };
            self.unknown_hop(HopKind::EndpointPolicy, &ep.id, &u)
        };
        match policy_allows(doc, "s3:PutObject", &object) {
            Ok(true) => pass(
                HopKind::EndpointPolicy,
                &ep.id,
                format!("the policy of {} allows s3:PutObject on {bucket}", ep.id),
                *span,
            ),
            Err(u) => open(u),
            Ok(false) => match policy_allows(&without_principals(doc), "s3:PutObject", &object) {
                Ok(true) => open(Unknown {
                    reason: format!(
                        "`s3:PutObject` on {bucket} is allowed only to some principals or under a condition, which may or may not match the instance role"
                    ),
                    span: *span,
                    open: None,
                }),
                Err(u) => open(u),
                Ok(false) => {
                    let why = format!(
                        "the policy of gateway endpoint {} does not allow `s3:PutObject` on `arn:aws:s3:::{bucket}/*`, so SSM Agent cannot write the session log: the Session Manager preferences ({}) turn on session logging to S3, and sessions fail to start",
                        ep.id,
                        prefs.origin.resource()
                    );
                    block(
                        HopKind::EndpointPolicy,
                        &ep.id,
                        why.clone(),
                        Blocker {
                            code: Code::PN413,
                            span: *span,
                            resource: Some(ep.id.clone()),
                            why,
                            fix: format!(
                                "Add a statement to the endpoint's PolicyDocument:\n  - Effect: Allow\n    Principal: \"*\"\n    Action: s3:PutObject\n    Resource: arn:aws:s3:::{bucket}/*"
                            ),
                        },
                    )
                }
            },
        }
    }
}

/// A policy document with the `Principal` and `Condition` of every
/// statement taken out.
fn without_principals(doc: &RNode) -> RNode {
    let strip = |st: &RNode| match &st.val {
        Val::Map(entries) => RNode::new(
            st.span,
            Val::Map(
                entries
                    .iter()
                    .filter(|e| e.key != "Principal" && e.key != "Condition")
                    .cloned()
                    .collect::<Vec<REntry>>(),
            ),
        ),
        _ => st.clone(),
    };
    match &doc.val {
        Val::Map(entries) => RNode::new(
            doc.span,
            Val::Map(
                entries
                    .iter()
                    .map(|e| match (&e.key[..], &e.value.val) {
                        ("Statement", Val::List(items)) => REntry {
                            value: RNode::new(e.value.span, Val::List(items.iter().map(strip).collect())),
                            ..e.clone()
                        },
                        ("Statement", Val::Map(_)) => REntry { value: strip(&e.value), ..e.clone() },
                        _ => e.clone(),
                    })
                    .collect(),
            ),
        ),
        _ => doc.clone(),
    }
}
