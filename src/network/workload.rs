//! Workloads: instances, and each subnet of an Auto Scaling group, with what
//! they take from launch templates and launch configurations.

use std::collections::HashMap;

use super::ami::Ami;
use super::build::ident_list;
use super::{Ident, Network, PublicIp, Workload, WorkloadKind};
use crate::resolve::{RNode, ResolvedResource, Unknown, Val};
use crate::source::Span;

/// Launch data from an instance, a launch template's `LaunchTemplateData`,
/// or a launch configuration, with where each value is.
#[derive(Default, Clone)]
struct Launch {
    image: Option<(RNode, Span)>,
    groups: Option<(Vec<Ident>, Span)>,
    interfaces: Option<RNode>,
    profile: Option<(Ident, Span)>,
    metadata_disabled: Option<Span>,
    user_data: Option<RNode>,
    init: Option<RNode>,
    public_ip: Option<PublicIp>,
}

impl Launch {
    /// Fills what `self` lacks from `base` (the instance's own values win
    /// over its launch template's).
    fn or(self, base: Launch) -> Launch {
        Launch {
            image: self.image.or(base.image),
            groups: self.groups.or(base.groups),
            interfaces: self.interfaces.or(base.interfaces),
            profile: self.profile.or(base.profile),
            metadata_disabled: self.metadata_disabled.or(base.metadata_disabled),
            user_data: self.user_data.or(base.user_data),
            init: self.init.or(base.init),
            public_ip: self.public_ip.or(base.public_ip),
        }
    }
}

/// An `IamInstanceProfile` value: a profile name (`Ref`), or a launch
/// template's `{Arn: !GetAtt P.Arn}` / `{Name: !Ref P}`.
fn profile_ident(node: &RNode) -> Ident {
    let inner = node.get("Arn").or_else(|| node.get("Name")).unwrap_or(node);
    match &inner.val {
        Val::Att(id, attr) if attr == "Arn" => Ident::Resource(id.clone()),
        _ => Ident::of(inner),
    }
}

/// Reads launch data from a mapping (`Properties` of an instance or launch
/// configuration, or a `LaunchTemplateData`).
fn launch_data(props: &RNode, group_keys: &[&str]) -> Launch {
    let mut l = Launch::default();
    if let Some(e) = props.entry("ImageId") {
        l.image = Some((e.value.clone(), e.edit_span()));
    }
    let mut groups = Vec::new();
    let mut groups_span = None;
    for key in group_keys {
        if let Some(e) = props.entry(key) {
            groups.extend(ident_list(&e.value));
            groups_span.get_or_insert(e.key_span);
        }
    }
    if let Some(span) = groups_span {
        l.groups = Some((groups, span));
    }
    l.interfaces = props.get("NetworkInterfaces").cloned();
    if let Some(e) = props.entry("IamInstanceProfile") {
        l.profile = Some((profile_ident(&e.value), e.edit_span()));
    }
    if let Some(m) = props.get("MetadataOptions")
        && let Some(e) = m.entry("HttpEndpoint")
        && e.value.text().is_some_and(|t| t.eq_ignore_ascii_case("disabled"))
    {
        l.metadata_disabled = Some(e.edit_span());
    }
    l.user_data = props.get("UserData").cloned();
    if let Some(a) = props.get("AssociatePublicIpAddress").and_then(RNode::as_bool) {
        l.public_ip = Some(if a { PublicIp::Yes("AssociatePublicIpAddress: true".into()) } else { PublicIp::No });
    }
    l
}

/// The live resources by logical ID, the launch templates and the Elastic
/// IP targets, looked up once per workload (a scan per workload would make
/// the model quadratic in the template's size).
struct Lookup<'a> {
    by_id: HashMap<&'a str, &'a ResolvedResource>,
    launch_templates: Vec<&'a ResolvedResource>,
    /// Instance → the first EIP (or EIP association) naming it.
    eips: HashMap<&'a str, &'a str>,
}

impl<'a> Lookup<'a> {
    fn new(live: &[&'a ResolvedResource]) -> Lookup<'a> {
        let mut eips = HashMap::new();
        for r in live {
            if matches!(r.ty.as_str(), "AWS::EC2::EIP" | "AWS::EC2::EIPAssociation")
                && let Some(i) = r.prop("InstanceId").and_then(RNode::as_ref_id)
            {
                eips.entry(i).or_insert(r.id.as_str());
            }
        }
        let mut by_id = HashMap::with_capacity(live.len());
        for r in live {
            // the first of a (malformed) duplicate, as a scan would find
            by_id.entry(r.id.as_str()).or_insert(*r);
        }
        Lookup {
            by_id,
            launch_templates: live.iter().copied().filter(|r| r.ty == "AWS::EC2::LaunchTemplate").collect(),
            eips,
        }
    }

    /// The live resource `id` of type `ty`.
    fn of_type(&self, id: &str, ty: &str) -> Option<&'a ResolvedResource> {
        self.by_id.get(id).copied().filter(|r| r.ty == ty)
    }
}

/// The launch template a `LaunchTemplate` specification names (by
/// `LaunchTemplateId`, or `LaunchTemplateName` as a `Ref` or a literal name).
fn launch_template<'a>(spec: &RNode, lookup: &Lookup<'a>) -> Option<&'a ResolvedResource> {
    const LT: &str = "AWS::EC2::LaunchTemplate";
    let by_id = spec.get("LaunchTemplateId").and_then(RNode::as_ref_id).and_then(|id| lookup.of_type(id, LT));
    let by_name = spec.get("LaunchTemplateName");
    by_id.or_else(|| by_name.and_then(RNode::as_ref_id).and_then(|id| lookup.of_type(id, LT))).or_else(|| {
        let name = by_name?.text()?;
        lookup
            .launch_templates
            .iter()
            .copied()
            .find(|r| r.prop("LaunchTemplateName").and_then(RNode::text) == Some(name))
    })
}

fn template_launch(spec: Option<&RNode>, lookup: &Lookup<'_>) -> (Launch, Option<String>) {
    let Some(lt) = spec.and_then(|s| launch_template(s, lookup)) else { return (Launch::default(), None) };
    let data = lt.prop("LaunchTemplateData").cloned().unwrap_or_else(|| RNode::new(lt.span, Val::Map(Vec::new())));
    let mut l = launch_data(&data, &["SecurityGroupIds", "SecurityGroups"]);
    l.init = lt.init.clone();
    (l, Some(lt.id.clone()))
}

/// Public IP and groups from the primary network interface.
/// The primary interface's subnet, groups and public-IP setting.
type Interface = (Option<RNode>, Option<(Vec<Ident>, Span)>, Option<PublicIp>);

fn primary_interface(interfaces: Option<&RNode>) -> Interface {
    let Some(first) = interfaces
        .and_then(RNode::as_list)
        .and_then(|l| l.iter().find(|i| i.get("DeviceIndex").and_then(RNode::as_i64) == Some(0)).or_else(|| l.first()))
    else {
        return (None, None, None);
    };
    let subnet = first.get("SubnetId").cloned();
    let groups = first.entry("GroupSet").or_else(|| first.entry("Groups")).map(|e| (ident_list(&e.value), e.key_span));
    let public = first.get("AssociatePublicIpAddress").and_then(RNode::as_bool).map(|a| {
        if a { PublicIp::Yes("AssociatePublicIpAddress: true on its network interface".into()) } else { PublicIp::No }
    });
    (subnet, groups, public)
}

/// Adds every workload of the template to `net`.
pub(super) fn build_all(net: &mut Network, live: &[&ResolvedResource]) {
    let lookup = Lookup::new(live);
    for r in live {
        match r.ty.as_str() {
            "AWS::EC2::Instance" => instance(net, r, &lookup),
            "AWS::AutoScaling::AutoScalingGroup" => auto_scaling_group(net, r, &lookup),
            _ => {}
        }
    }
}

fn instance(net: &mut Network, r: &ResolvedResource, lookup: &Lookup<'_>) {
    let mut own = launch_data(&r.properties, &["SecurityGroupIds", "SecurityGroups"]);
    own.init = r.init.clone();
    let (base, lt) = template_launch(r.prop("LaunchTemplate"), lookup);
    let l = own.or(base);
    let (nic_subnet, nic_groups, nic_public) = primary_interface(l.interfaces.as_ref());
    let (subnet, subnet_span) = match (r.prop_entry("SubnetId"), nic_subnet) {
        (Some(e), _) => (Ident::of(&e.value), e.edit_span()),
        (None, Some(s)) => (Ident::of(&s), s.span),
        (None, None) => (
            Ident::Unknown(Unknown {
                reason: format!("`{}` has no `SubnetId`: it launches in the account's default VPC", r.id),
                span: r.span,
            }),
            r.span,
        ),
    };
    let public_ip = match lookup.eips.get(r.id.as_str()) {
        Some(eip) => Some(PublicIp::Yes(format!("Elastic IP `{eip}`"))),
        None => nic_public.or(l.public_ip.clone()),
    };
    push(net, r, WorkloadKind::Instance, subnet, subnet_span, nic_groups.or(l.groups.clone()), public_ip, l, lt);
}

fn auto_scaling_group(net: &mut Network, r: &ResolvedResource, lookup: &Lookup<'_>) {
    let spec = r.prop("LaunchTemplate").or_else(|| {
        r.prop("MixedInstancesPolicy")
            .and_then(|m| m.get("LaunchTemplate"))
            .and_then(|lt| lt.get("LaunchTemplateSpecification"))
    });
    let (mut l, mut source) = template_launch(spec, lookup);
    if source.is_none()
        && let Some(name) = r.prop("LaunchConfigurationName").and_then(RNode::as_ref_id)
        && let Some(lc) = lookup.of_type(name, "AWS::AutoScaling::LaunchConfiguration")
    {
        l = launch_data(&lc.properties, &["SecurityGroups"]);
        l.init = lc.init.clone().or_else(|| r.init.clone());
        source = Some(lc.id.clone());
    }
    let (_, nic_groups, nic_public) = primary_interface(l.interfaces.as_ref());
    let groups = nic_groups.or(l.groups.clone());
    let public_ip = nic_public.or(l.public_ip.clone());
    let subnets: Vec<(Ident, Span)> = match r.prop_entry("VPCZoneIdentifier") {
        Some(e) => match &e.value.val {
            Val::List(items) => items.iter().map(|i| (Ident::of(i), i.span)).collect(),
            _ => vec![(Ident::of(&e.value), e.edit_span())],
        },
        None => vec![(
            Ident::Unknown(Unknown {
                reason: format!("`{}` has no `VPCZoneIdentifier`: its instances launch in the default VPC", r.id),
                span: r.span,
            }),
            r.span,
        )],
    };
    for (subnet, span) in subnets {
        push(
            net,
            r,
            WorkloadKind::AutoScalingGroup,
            subnet,
            span,
            groups.clone(),
            public_ip.clone(),
            l.clone(),
            source.clone(),
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn push(
    net: &mut Network,
    r: &ResolvedResource,
    kind: WorkloadKind,
    subnet: Ident,
    subnet_span: Span,
    groups: Option<(Vec<Ident>, Span)>,
    public_ip: Option<PublicIp>,
    l: Launch,
    launch_template: Option<String>,
) {
    let (groups, groups_span) = groups.unwrap_or((Vec::new(), r.span));
    // a profile given by name may be a profile of this template
    let profile = l.profile.map(|(ident, span)| match &ident {
        Ident::External(name) => match net.profiles.iter().find(|p| p.name.as_deref() == Some(name)) {
            Some(p) => (Ident::Resource(p.id.clone()), span),
            None => (ident, span),
        },
        _ => (ident, span),
    });
    let (image, image_span) = match &l.image {
        Some((node, span)) => (Ami::of(node), Some(*span)),
        None => (Ami::unknown("it has no `ImageId`"), None),
    };
    net.workloads.push(Workload {
        id: r.id.clone(),
        span: r.span,
        kind,
        subnet,
        subnet_span,
        groups,
        groups_span,
        public_ip: public_ip.unwrap_or(PublicIp::No),
        profile,
        image,
        image_span,
        metadata_disabled: l.metadata_disabled,
        user_data: l.user_data,
        init: l.init,
        launch_template,
    });
}
