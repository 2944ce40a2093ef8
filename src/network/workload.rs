//! Workloads: instances, and each subnet of an Auto Scaling group, with what
//! they take from launch templates and launch configurations.

use std::collections::HashMap;

use super::ami::Ami;
use super::build::ident_list;
use super::{Ident, Network, NoPublicIp, PublicIp, Workload, WorkloadKind};
use crate::resolve::{Open, REntry, RNode, ResolvedResource, Unknown, Val};
use crate::source::Span;

/// Launch data from an instance, a launch template's `LaunchTemplateData`,
/// or a launch configuration, with where each value is.
#[derive(Default, Clone)]
struct Launch {
    image: Option<(RNode, Span)>,
    groups: Option<(Vec<Ident>, Span)>,
    /// `NetworkInterfaces`, and the resource that declares them.
    interfaces: Option<(RNode, Owner)>,
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

/// The resource that declares launch data: where a finding about it points.
#[derive(Clone)]
struct Owner {
    /// Logical ID.
    id: String,
    /// `instance`, `launch template` or `launch configuration`.
    kind: &'static str,
}

impl Owner {
    fn new(id: &str, kind: &'static str) -> Owner {
        Owner { id: id.to_string(), kind }
    }
    /// Its primary network interface, in words.
    fn primary_interface(&self) -> String {
        match self.kind {
            "instance" => "its primary network interface".to_string(),
            kind => format!("the primary network interface of {kind} {}", self.id),
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
/// configuration, or a `LaunchTemplateData`) that `owner` declares.
fn launch_data(props: &RNode, group_keys: &[&str], owner: &Owner) -> Launch {
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
    l.interfaces = props.get("NetworkInterfaces").map(|n| (n.clone(), owner.clone()));
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
    // a launch configuration's own `AssociatePublicIpAddress`
    if let Some(e) = props.entry("AssociatePublicIpAddress") {
        l.public_ip = Some(associate_public_ip(e, &owner.id, &format!("its launch configuration {}", owner.id)));
    }
    l
}

/// An `AssociatePublicIpAddress` entry of `owner` (where: `"its primary
/// network interface"`): true and false both override the subnet's
/// `MapPublicIpOnLaunch` (EC2 UG, *Assign a public IPv4 address at
/// launch*); false is not the same as absent.
fn associate_public_ip(e: &REntry, owner: &str, where_: &str) -> PublicIp {
    match e.value.as_bool() {
        Some(true) => PublicIp::Yes(format!("AssociatePublicIpAddress: true on {where_}")),
        Some(false) => PublicIp::No(NoPublicIp {
            why: format!("{where_} sets `AssociatePublicIpAddress: false`"),
            span: e.edit_span(),
            resource: owner.to_string(),
            fix: format!(
                "Set `AssociatePublicIpAddress: true` on {where_}; without the key, the subnet's `MapPublicIpOnLaunch` decides."
            ),
        }),
        None => PublicIp::Unknown(
            e.value
                .unknown()
                .unwrap_or(Unknown::new(format!("`AssociatePublicIpAddress` of `{owner}` is not known"), e.value.span)),
        ),
    }
}

/// The live resources by logical ID, the launch templates and the Elastic
/// IP targets, looked up once per workload (a scan per workload would make
/// the model quadratic in the template's size).
struct Lookup<'a> {
    by_id: HashMap<&'a str, &'a ResolvedResource>,
    launch_templates: Vec<&'a ResolvedResource>,
    /// Instance → the first EIP (or EIP association) naming it.
    eips: HashMap<&'a str, &'a str>,
    /// Network interface → the first EIP association naming it.
    eni_eips: HashMap<&'a str, &'a str>,
}

impl<'a> Lookup<'a> {
    fn new(live: &[&'a ResolvedResource]) -> Lookup<'a> {
        let mut eips = HashMap::new();
        let mut eni_eips = HashMap::new();
        for r in live {
            if matches!(r.ty.as_str(), "AWS::EC2::EIP" | "AWS::EC2::EIPAssociation")
                && let Some(i) = r.prop("InstanceId").and_then(RNode::as_ref_id)
            {
                eips.entry(i).or_insert(r.id.as_str());
            }
            if r.ty == "AWS::EC2::EIPAssociation"
                && let Some(n) = r.prop("NetworkInterfaceId").and_then(RNode::as_ref_id)
            {
                eni_eips.entry(n).or_insert(r.id.as_str());
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
            eni_eips,
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
    let mut l = launch_data(&data, &["SecurityGroupIds", "SecurityGroups"], &Owner::new(&lt.id, "launch template"));
    l.init = lt.init.clone();
    (l, Some(lt.id.clone()))
}

/// What the primary network interface (`DeviceIndex` 0) of a launch
/// decides: the subnet and groups of a new interface, or those of the
/// existing `AWS::EC2::NetworkInterface` it names, and the public IP.
#[derive(Default)]
struct Primary {
    subnet: Option<(Ident, Span)>,
    groups: Option<(Vec<Ident>, Span)>,
    public: Option<PublicIp>,
}

fn primary_interface(interfaces: Option<&(RNode, Owner)>, lookup: &Lookup<'_>) -> Primary {
    let Some((list, owner)) = interfaces else { return Primary::default() };
    let where_ = owner.primary_interface();
    let owner = &owner.id;
    let Some(items) = list.as_list() else { return Primary::default() };
    let Some(first) =
        items.iter().find(|i| i.get("DeviceIndex").and_then(RNode::as_i64) == Some(0)).or_else(|| items.first())
    else {
        return Primary::default();
    };
    if let Some(e) = first.entry("NetworkInterfaceId") {
        return existing_interface(e, owner, lookup);
    }
    let subnet = first.get("SubnetId").map(|s| (Ident::of(s), s.span));
    let groups = first.entry("GroupSet").or_else(|| first.entry("Groups")).map(|e| (ident_list(&e.value), e.key_span));
    let mut public = first.entry("AssociatePublicIpAddress").map(|e| associate_public_ip(e, owner, &where_));
    // EC2 UG, *Assign a public IPv4 address at launch*: "You can't
    // auto-assign a public IP address if you specify more than one network
    // interface"
    if items.len() > 1 && !matches!(public, Some(PublicIp::No(_) | PublicIp::Unknown(_))) {
        public = Some(PublicIp::No(NoPublicIp {
            why: format!(
                "it launches with {} network interfaces, and EC2 assigns no public IPv4 address at launch to an instance with more than one",
                items.len()
            ),
            span: list.span,
            resource: owner.clone(),
            fix: format!(
                "Associate an Elastic IP with it (AWS::EC2::EIP with `InstanceId`), or launch {owner} with one network interface and attach the others with AWS::EC2::NetworkInterfaceAttachment."
            ),
        }));
    }
    Primary { subnet, groups, public }
}

/// An instance launched on an existing network interface lives in that
/// interface's subnet with its `GroupSet` (none: the VPC's default group),
/// and gets a public IPv4 address only from an Elastic IP: "can only be
/// assigned to a new network interface, not an existing one" (EC2 API,
/// InstanceNetworkInterfaceSpecification; EC2 UG, "Elastic network
/// interfaces").
fn existing_interface(e: &REntry, owner: &str, lookup: &Lookup<'_>) -> Primary {
    let ident = Ident::of(&e.value);
    let span = e.edit_span();
    let eni = ident.id().and_then(|id| lookup.of_type(id, "AWS::EC2::NetworkInterface"));
    let Some(eni) = eni else {
        let u = match &ident {
            Ident::Unknown(u) => u.clone(),
            Ident::External(id) => Unknown::decided_by(
                format!(
                    "`{owner}` launches on network interface `{id}`, outside the template: its subnet and security groups are not known"
                ),
                span,
                Open::Id { id: id.clone() },
            ),
            other => Unknown::new(
                format!(
                    "`{owner}` launches on network interface {}: its subnet and security groups are not known",
                    other.describe()
                ),
                span,
            ),
        };
        return Primary {
            subnet: Some((Ident::Unknown(u.clone()), span)),
            groups: Some((vec![Ident::Unknown(u.clone())], span)),
            public: Some(PublicIp::Unknown(u)),
        };
    };
    let subnet = match eni.prop("SubnetId") {
        Some(s) => (Ident::of(s), s.span),
        None => (
            Ident::Unknown(Unknown::new(format!("network interface `{}` has no `SubnetId`", eni.id), eni.span)),
            eni.span,
        ),
    };
    let groups = match eni.prop_entry("GroupSet") {
        Some(g) => (ident_list(&g.value), g.key_span),
        None => (Vec::new(), eni.span),
    };
    let public = match lookup.eni_eips.get(eni.id.as_str()) {
        Some(assoc) => PublicIp::Yes(format!("Elastic IP association `{assoc}` on network interface {}", eni.id)),
        None => PublicIp::No(NoPublicIp {
            why: format!(
                "it launches on network interface {}, an existing interface, which gets a public IPv4 address only from an Elastic IP",
                eni.id
            ),
            span,
            resource: owner.to_string(),
            fix: format!(
                "Associate an Elastic IP with network interface {}:\n  EipAssociation:\n    Type: AWS::EC2::EIPAssociation\n    Properties:\n      AllocationId: !GetAtt <Eip>.AllocationId\n      NetworkInterfaceId: !Ref {}",
                eni.id, eni.id
            ),
        }),
    };
    Primary { subnet: Some(subnet), groups: Some(groups), public: Some(public) }
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
    let mut own = launch_data(&r.properties, &["SecurityGroupIds", "SecurityGroups"], &Owner::new(&r.id, "instance"));
    own.init = r.init.clone();
    let (base, lt) = template_launch(r.prop("LaunchTemplate"), lookup);
    let l = own.or(base);
    let primary = primary_interface(l.interfaces.as_ref(), lookup);
    // an AWS::EC2::NetworkInterfaceAttachment adds an interface at
    // DeviceIndex 1 or more after launch: the primary stays where it is
    let (subnet, subnet_span) = match (r.prop_entry("SubnetId"), primary.subnet) {
        (Some(e), _) => (Ident::of(&e.value), e.edit_span()),
        (None, Some(s)) => s,
        (None, None) => (
            // EC2 UG, "Default VPCs": an instance launched without a subnet
            // goes to a default subnet of the account's default VPC
            Ident::Unknown(Unknown::decided_by(
                format!(
                    "`{}` has no `SubnetId` (and no network interface with one): it launches in a default subnet of the account's default VPC",
                    r.id
                ),
                r.span,
                Open::DefaultVpc,
            )),
            r.span,
        ),
    };
    let public_ip = match lookup.eips.get(r.id.as_str()) {
        Some(eip) => Some(PublicIp::Yes(format!("Elastic IP `{eip}`"))),
        None => primary.public.or(l.public_ip.clone()),
    };
    push(net, r, WorkloadKind::Instance, subnet, subnet_span, primary.groups.or(l.groups.clone()), public_ip, l, lt);
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
        l = launch_data(&lc.properties, &["SecurityGroups"], &Owner::new(&lc.id, "launch configuration"));
        l.init = lc.init.clone().or_else(|| r.init.clone());
        source = Some(lc.id.clone());
    }
    let primary = primary_interface(l.interfaces.as_ref(), lookup);
    let groups = primary.groups.or(l.groups.clone());
    let public_ip = primary.public.or(l.public_ip.clone());
    let subnets: Vec<(Ident, Span)> = match r.prop_entry("VPCZoneIdentifier") {
        Some(e) => match &e.value.val {
            Val::List(items) => items.iter().map(|i| (Ident::of(i), i.span)).collect(),
            _ => vec![(Ident::of(&e.value), e.edit_span())],
        },
        None => vec![(
            Ident::Unknown(Unknown::decided_by(
                format!(
                    "`{}` has no `VPCZoneIdentifier`: its instances launch in default subnets of the account's default VPC",
                    r.id
                ),
                r.span,
                Open::DefaultVpc,
            )),
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
        public_ip: public_ip.unwrap_or(PublicIp::FromSubnet),
        profile,
        image,
        image_span,
        metadata_disabled: l.metadata_disabled,
        user_data: l.user_data,
        init: l.init,
        launch_template,
    });
}
