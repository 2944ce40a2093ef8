//! The fifth stage: the simulator.
//!
//! For every workload it traces the `dnf` path (the package repository of
//! its AMI: HTTPS to the region's Amazon Linux repository bucket on S3, a
//! distribution mirror on the internet, or nothing on Windows and
//! Bottlerocket) and the Session Manager paths (HTTPS to
//! `ssm` and `ssmmessages`, `ec2messages` traced too, plus the instance
//! identity) hop by hop: DNS → route lookup → security-group egress → NACL
//! out → next hop (gateway endpoint and its policy, interface endpoint and
//! its group and subnet NACL, NAT gateway and its subnet's route to an
//! internet gateway, internet gateway with a public IP) → the reply through
//! the stateless NACLs. Every blocker on the path the traffic takes (or
//! would take once the route exists) is reported, not only the first.
//!
//! Certain beats unknown (SPEC §2): every hop that can be evaluated is,
//! whatever else is open. When the workload's subnet or VPC is not in the
//! template, the hops every route shares are still evaluated (the instance
//! identity, the workload's own security groups against every address the
//! destination could have), so one that blocks makes the check
//! `unreachable`; see [`Check::new`].
//!
//! The checks (`dnf`, `ssm`, `userdata`) say which paths make up a check and
//! in what order their hops come; [`hops`] holds the hops, one family a
//! file (DNS, route, security group, NACL, NAT and internet gateway,
//! transit gateway and firewall, endpoint, endpoint policy, identity);
//! [`Tracer`] is the workload they are evaluated for.

mod dnf;
pub mod hops;
pub mod open;
mod session;
mod ssm;
mod tracer;
pub mod userdata;

use serde::Serialize;

use crate::finding::Code;
use crate::network::ami::Ami;
use crate::network::{Network, WorkloadKind};
use crate::resolve::Open;
use crate::source::Span;

pub use tracer::Tracer;

/// The verdict of a check or a path (SPEC §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every hop passes.
    Reachable,
    /// Some hop certainly blocks.
    Unreachable,
    /// Depends on something the template does not pin down.
    Unknown,
    /// The check does not apply to this workload (`dnf` on Windows or
    /// Bottlerocket); the workload's AMI says why.
    #[serde(rename = "not-applicable")]
    NotApplicable,
}

/// What a hop is (SPEC §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[allow(missing_docs)]
pub enum HopKind {
    Workload,
    Dns,
    RouteTable,
    SecurityGroupEgress,
    NaclOutbound,
    GatewayEndpoint,
    InterfaceEndpoint,
    SecurityGroupIngress,
    NaclInbound,
    NatGateway,
    InternetGateway,
    EndpointPolicy,
    Iam,
    InstanceMetadata,
    BlockPublicAccess,
    VpcPeering,
    SessionPreferences,
    Destination,
}

impl HopKind {
    /// The kebab-case name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            HopKind::Workload => "workload",
            HopKind::Dns => "dns",
            HopKind::RouteTable => "route-table",
            HopKind::SecurityGroupEgress => "security-group-egress",
            HopKind::NaclOutbound => "nacl-outbound",
            HopKind::GatewayEndpoint => "gateway-endpoint",
            HopKind::InterfaceEndpoint => "interface-endpoint",
            HopKind::SecurityGroupIngress => "security-group-ingress",
            HopKind::NaclInbound => "nacl-inbound",
            HopKind::NatGateway => "nat-gateway",
            HopKind::InternetGateway => "internet-gateway",
            HopKind::EndpointPolicy => "endpoint-policy",
            HopKind::Iam => "iam",
            HopKind::InstanceMetadata => "instance-metadata",
            HopKind::BlockPublicAccess => "block-public-access",
            HopKind::VpcPeering => "vpc-peering",
            HopKind::SessionPreferences => "session-preferences",
            HopKind::Destination => "destination",
        }
    }
}

/// The verdict of one hop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The packet gets through.
    Pass,
    /// The packet is dropped here.
    Block,
    /// Cannot tell.
    Unknown,
}

/// Why a hop blocks or is unknown: the finding it becomes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blocker {
    /// The rule.
    pub code: Code,
    /// The node to edit.
    pub span: Span,
    /// The resource the node belongs to.
    pub resource: Option<String>,
    /// Why, without the workload (the rules stage adds it).
    pub why: String,
    /// The concrete fix.
    pub fix: String,
}

/// One hop of a path.
#[derive(Clone, Debug)]
pub struct Hop {
    /// What kind of hop.
    pub kind: HopKind,
    /// The resource (logical ID) that decides it.
    pub resource: Option<String>,
    /// Pass, block or unknown.
    pub verdict: Verdict,
    /// What happened here, for people.
    pub detail: String,
    /// Where the deciding resource or rule is.
    pub span: Option<Span>,
    /// The finding, when the hop blocks or is unknown.
    pub blocker: Option<Blocker>,
    /// The value the template leaves open that makes the hop unknown, when
    /// the user can give it (its PN005 note is one per value, not per hop).
    pub open: Option<Open>,
    /// Where the deciding resource was read, when it is deployed (from the
    /// account state) rather than declared in the template.
    pub state: Option<crate::finding::StateRef>,
}

/// Where a path goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    /// The region's Amazon Linux repository bucket.
    S3,
    /// A distribution's package mirror on the internet (Ubuntu, Debian,
    /// SUSE).
    Mirror,
    /// `ssm.<region>.amazonaws.com`.
    Ssm,
    /// `ssmmessages.<region>.amazonaws.com`.
    Ssmmessages,
    /// `ec2messages.<region>.amazonaws.com`.
    Ec2messages,
    /// `kms.<region>.amazonaws.com`, when the Session Manager preferences
    /// turn on KMS encryption.
    Kms,
    /// `logs.<region>.amazonaws.com`, when they turn on CloudWatch Logs.
    Logs,
    /// The S3 bucket they send session logs to.
    SessionLogBucket,
    /// A URL that UserData downloads.
    Download,
}

impl Target {
    /// The name used in outputs (`s3`, `ssm`, ...).
    pub fn as_str(&self) -> &'static str {
        match self {
            Target::S3 => "s3",
            Target::Mirror => "mirror",
            Target::Ssm => "ssm",
            Target::Ssmmessages => "ssmmessages",
            Target::Ec2messages => "ec2messages",
            Target::Kms => "kms",
            Target::Logs => "logs",
            Target::SessionLogBucket => "s3-logs",
            Target::Download => "url",
        }
    }
    /// The service part of the endpoint name (`com.amazonaws.<region>.<service>`).
    pub fn service(&self) -> &'static str {
        match self {
            Target::SessionLogBucket => "s3",
            _ => self.as_str(),
        }
    }
}

/// The paths that decide the Session Manager check, by target name: `ssm`
/// and `ssmmessages`, and the ones the Session Manager preferences add when
/// they need them (`ec2messages` is only traced).
pub const SESSION_DECIDING: &[&str] = &["ssm", "ssmmessages", "kms", "logs", "s3-logs"];

/// One traced path.
#[derive(Clone, Debug)]
pub struct PathTrace {
    /// Where it goes.
    pub target: Target,
    /// Its verdict.
    pub status: Status,
    /// The resource the traffic leaves through (endpoint, NAT gateway, ...).
    pub via: Option<String>,
    /// The hops, in order.
    pub hops: Vec<Hop>,
}

impl PathTrace {
    /// A path from its hops. While the route is known the hops are those
    /// of the one route the traffic takes; while it is open (the subnet is
    /// a parameter, say) they are the hops every route it could take
    /// shares: the workload's own security groups and identity. Either way
    /// a hop that certainly blocks blocks the path.
    fn new(target: Target, hops: Vec<Hop>, via: Option<String>) -> PathTrace {
        let status = all_of(hops.iter().map(|h| h.verdict));
        PathTrace { target, status, via, hops }
    }
}

/// "Certain beats unknown" (SPEC §2): the three-valued conjunction of what
/// must all pass. One certain block decides `unreachable`, whatever else
/// is open; otherwise one open verdict leaves it `unknown`.
fn all_of(verdicts: impl Iterator<Item = Verdict>) -> Status {
    let mut status = Status::Reachable;
    for v in verdicts {
        match v {
            Verdict::Block => return Status::Unreachable,
            Verdict::Unknown => status = Status::Unknown,
            Verdict::Pass => {}
        }
    }
    status
}

/// One check (`dnf` or `ssm`) of one workload.
#[derive(Clone, Debug)]
pub struct Check {
    /// Its verdict.
    pub status: Status,
    /// Codes of the findings that explain an unreachable or unknown status.
    pub reasons: Vec<Code>,
    /// The paths it is made of.
    pub paths: Vec<PathTrace>,
    /// Findings that belong to the check but do not decide it (PN409, PN505).
    pub notes: Vec<Blocker>,
}

impl Check {
    /// A check that needs every path to a `required` target (Session
    /// Manager needs both `ssm` and `ssmmessages`); the other paths are
    /// traced for their notes only (`ec2messages`). It is `unreachable` as
    /// soon as one required path is, with the codes of the certain
    /// blockers as `reasons`; else `unknown` while one is open, with the
    /// codes of the open hops.
    fn new(paths: Vec<PathTrace>, required: &[Target], notes: Vec<Blocker>) -> Check {
        let decisive: Vec<&PathTrace> = paths.iter().filter(|p| required.contains(&p.target)).collect();
        let status = all_of(decisive.iter().map(|p| match p.status {
            Status::Reachable | Status::NotApplicable => Verdict::Pass,
            Status::Unreachable => Verdict::Block,
            Status::Unknown => Verdict::Unknown,
        }));
        let wanted = match status {
            Status::Reachable | Status::NotApplicable => None,
            Status::Unreachable => Some(Verdict::Block),
            Status::Unknown => Some(Verdict::Unknown),
        };
        let mut reasons = Vec::new();
        if let Some(w) = wanted {
            for p in &decisive {
                for h in &p.hops {
                    if h.verdict == w
                        && let Some(b) = &h.blocker
                        && !reasons.contains(&b.code)
                    {
                        reasons.push(b.code);
                    }
                }
            }
        }
        Check { status, reasons, paths, notes }
    }

    /// A check that does not apply to the workload: no paths, no reasons
    /// (SPEC §2; the workload's AMI says why).
    fn not_applicable() -> Check {
        Check { status: Status::NotApplicable, reasons: Vec::new(), paths: Vec::new(), notes: Vec::new() }
    }

    /// The paths the verdict is made of (not the ones traced for notes).
    pub fn required_paths(&self) -> impl Iterator<Item = &PathTrace> {
        self.paths.iter().filter(|p| p.target != Target::Ec2messages)
    }
}

/// The checks of one workload in one subnet.
#[derive(Clone, Debug)]
pub struct WorkloadResult {
    /// Logical ID of the instance or Auto Scaling group.
    pub resource: String,
    /// Where its logical ID is.
    pub span: Span,
    /// Instance or Auto Scaling group.
    pub kind: WorkloadKind,
    /// Logical ID of its subnet, when known.
    pub subnet: Option<String>,
    /// The AMI, which decides what the `dnf` check traces.
    pub image: Ami,
    /// `dnf`.
    pub dnf: Check,
    /// Session Manager.
    pub ssm: Check,
    /// What UserData downloads, each traced (at most
    /// [`userdata::MAX_TRACED`]).
    pub downloads: Vec<(userdata::Download, Check)>,
    /// How many more distinct URLs UserData downloads from, not traced.
    pub untraced_downloads: usize,
    /// The CDK construct path of the workload (`Metadata.aws:cdk:path`),
    /// filled in by the caller that knows the template.
    pub construct_path: Option<String>,
}

/// Traces every workload of `net` for `region`.
pub fn analyze(net: &Network, region: &str) -> Vec<WorkloadResult> {
    net.workloads
        .iter()
        .map(|w| {
            let t = Tracer::new(net, region, w);
            let mut downloads = userdata::downloads(w.user_data.as_ref(), w.init.as_ref());
            let untraced_downloads = downloads.len().saturating_sub(userdata::MAX_TRACED);
            downloads.truncate(userdata::MAX_TRACED);
            WorkloadResult {
                resource: w.id.clone(),
                span: w.span,
                kind: w.kind.clone(),
                subnet: w.subnet.id().map(str::to_string),
                image: w.image.clone(),
                dnf: dnf::check(&t),
                ssm: ssm::check(&t),
                untraced_downloads,
                construct_path: None,
                downloads: downloads
                    .into_iter()
                    .map(|d| {
                        let c = userdata::check(&t, &d);
                        (d, c)
                    })
                    .collect(),
            }
        })
        .collect()
}

/// What `privnet-lint trace --to` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceTarget {
    /// The package repository of the workload's AMI (the dnf path: the
    /// region's Amazon Linux repository on S3, or a distribution mirror).
    S3,
    /// `ssm` (with the instance identity hops).
    Ssm,
    /// `ssmmessages`.
    Ssmmessages,
    /// `ec2messages`.
    Ec2messages,
    /// A URL (`https://…`, `http://…`, `s3://…`) or `host:port`.
    Url(userdata::Download),
}

impl TraceTarget {
    /// Reads `s3`, `ssm`, `ssmmessages`, `ec2messages`, a URL or `host:port`.
    pub fn parse(text: &str) -> Result<TraceTarget, String> {
        let t = text.trim();
        match t.to_ascii_lowercase().as_str() {
            "s3" | "dnf" | "apt" | "zypper" | "repository" => return Ok(TraceTarget::S3),
            "ssm" => return Ok(TraceTarget::Ssm),
            "ssmmessages" => return Ok(TraceTarget::Ssmmessages),
            "ec2messages" => return Ok(TraceTarget::Ec2messages),
            _ => {}
        }
        if let Some(d) = userdata::extract(t).into_iter().next() {
            return Ok(TraceTarget::Url(d));
        }
        if let Some((host, port)) = t.rsplit_once(':')
            && !host.is_empty()
            && !host.contains('/')
            && let Ok(port) = port.parse::<u16>()
        {
            return Ok(TraceTarget::Url(userdata::Download {
                url: format!("{host}:{port}"),
                host: host.to_string(),
                port,
                line: String::new(),
                at: None,
            }));
        }
        Err(format!("`{t}` is not a target: use s3, ssm, ssmmessages, ec2messages, a URL or host:port"))
    }
}

/// Traces one target from one workload (every subnet of an Auto Scaling
/// group): the subnet and the path.
pub fn trace(net: &Network, region: &str, workload: &str, target: &TraceTarget) -> Vec<(Option<String>, PathTrace)> {
    net.workloads
        .iter()
        .filter(|w| w.id == workload)
        .filter_map(|w| {
            let t = Tracer::new(net, region, w);
            let wanted = match target {
                TraceTarget::S3 => Target::S3,
                TraceTarget::Ssm => Target::Ssm,
                TraceTarget::Ssmmessages => Target::Ssmmessages,
                TraceTarget::Ec2messages => Target::Ec2messages,
                TraceTarget::Url(d) => {
                    let c = userdata::check(&t, d);
                    return c.paths.into_iter().next().map(|p| (w.subnet.id().map(str::to_string), p));
                }
            };
            if wanted == Target::S3 {
                // whatever repository the AMI reads (none: not applicable)
                return dnf::check(&t).paths.into_iter().next().map(|p| (w.subnet.id().map(str::to_string), p));
            }
            ssm::check(&t)
                .paths
                .into_iter()
                .find(|p| p.target == wanted)
                .map(|p| (w.subnet.id().map(str::to_string), p))
        })
        .collect()
}

#[cfg(test)]
mod settings_tests;
#[cfg(test)]
mod tests;
