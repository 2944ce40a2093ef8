//! Findings where the fix is, when the deciding resource is deployed
//! (`--account-state`, SPEC §7): the finding points at the template node
//! that names the resource (the model already put its span there), its
//! `resource` is the template resource that node belongs to, its `state`
//! says where the deployed resource was read, and its fix is the AWS CLI
//! command that changes the account (or the template change that works
//! around it). Hops on deployed resources carry their `state` too.
//!
//! A workload without a subnet is traced in each default subnet of the
//! default VPC it may land in; when every zone gives the same verdict one
//! result stays and says so, otherwise each says its zone.

use crate::finding::{Code, Finding};
use crate::network::ami::Repository;
use crate::network::bpa::BlockMode;
use crate::network::deployed::Deployed;
use crate::network::region::s3_prefix_list;
use crate::network::session::{Need, Preferences};
use crate::network::{Az, EndpointKind, Network, Workload};
use crate::reach::{Blocker, Check, Hop, HopKind, PathTrace, Status, Target, WorkloadResult};

/// Everything a deployed blocker's fix needs: the model, the region, the
/// workload, the path and the hop.
struct At<'a> {
    net: &'a Network,
    region: &'a str,
    w: Option<&'a Workload>,
    path: &'a PathTrace,
    hop: &'a Hop,
}

/// Puts the traced paths of `results` in terms of the account: one result
/// per workload placed in the default VPC when every zone agrees, the
/// `state` of every hop on a deployed resource, and the fix of every
/// blocker on one as an AWS CLI command.
pub fn paths(net: &Network, region: &str, results: &mut Vec<WorkloadResult>) {
    zones(net, results);
    for r in results.iter_mut() {
        let w = net.workloads.iter().find(|w| w.id == r.resource && w.subnet.id() == r.subnet.as_deref());
        let checks = std::iter::once(&mut r.dnf)
            .chain(std::iter::once(&mut r.ssm))
            .chain(r.downloads.iter_mut().map(|(_, c)| c));
        for c in checks {
            annotate_check(net, region, w, c);
        }
    }
}

fn annotate_check(net: &Network, region: &str, w: Option<&Workload>, c: &mut Check) {
    for p in &mut c.paths {
        annotate_path(net, region, w, p);
    }
}

/// [`paths`] for one traced path (`privnet-lint trace`) of workload
/// `workload` in `subnet`.
pub fn trace(net: &Network, region: &str, workload: &str, subnet: Option<&str>, p: &mut PathTrace) {
    let w = net.workloads.iter().find(|w| w.id == workload && w.subnet.id() == subnet);
    annotate_path(net, region, w, p);
}

/// The `state` of every hop of `p` on a deployed resource, and the fix of
/// every blocker on one.
fn annotate_path(net: &Network, region: &str, w: Option<&Workload>, p: &mut PathTrace) {
    {
        let fixes: Vec<Option<String>> = p
            .hops
            .iter()
            .map(|h| {
                let b = h.blocker.as_ref()?;
                let d = net.deployed(b.resource.as_deref()?)?;
                fix(&At { net, region, w, path: p, hop: h }, b, d)
            })
            .collect();
        for (h, fix) in p.hops.iter_mut().zip(fixes) {
            if let Some(d) = h.resource.as_deref().and_then(|r| net.deployed(r)) {
                h.state = Some(d.state.clone());
                if let Some(role) = &d.role
                    && h.kind == HopKind::RouteTable
                {
                    h.detail.push_str(&format!(" ({role})"));
                }
            }
            match (&mut h.blocker, fix) {
                (Some(b), Some(fix)) => b.fix = fix,
                // a template snippet: a deployed resource is named by its ID
                (Some(b), None) => b.fix = unref_deployed(net, &b.fix),
                _ => {}
            }
        }
    }
}

/// `text` with `!Ref ID` turned into `ID` where `ID` is a deployed resource
/// (it is no logical ID of the template: CloudFormation would reject the Ref).
fn unref_deployed(net: &Network, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("!Ref ") {
        let after = &rest[i + 5..];
        let end = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).unwrap_or(after.len());
        out.push_str(&rest[..i]);
        if net.deployed(&after[..end]).is_none() {
            out.push_str("!Ref ");
        }
        out.push_str(&after[..end]);
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Findings on deployed resources: located on the template resource whose
/// node names them, with where they were read.
pub fn findings(net: &Network, findings: &mut [Finding]) {
    for f in findings {
        let Some(d) = f.resource.as_deref().and_then(|r| net.deployed(r)) else { continue };
        f.state = Some(d.state.clone());
        match &d.anchor {
            Some(a) => {
                f.resource = Some(a.resource.clone());
                if f.span.is_none() {
                    f.span = Some(a.span);
                }
            }
            // an account setting: the path put the finding on the workload
            None => f.resource = f.span.and_then(|s| net.workloads.iter().find(|w| w.span == s)).map(|w| w.id.clone()),
        }
    }
}

/// The route table ID of the workload's subnet.
fn route_table_of(at: &At<'_>) -> Option<String> {
    let s = at.net.subnet(at.w?.subnet.id()?)?;
    s.route_table.as_ref()?.id().map(str::to_string)
}

/// The first IPv4 block of the workload's VPC.
fn vpc_cidr(at: &At<'_>) -> Option<String> {
    let s = at.net.subnet(at.w?.subnet.id()?)?;
    at.net.vpc_of_subnet(s)?.cidrs.first().map(ToString::to_string)
}

/// The workload's subnet and VPC IDs.
fn placement(at: &At<'_>) -> (String, String) {
    let s = at.w.and_then(|w| at.net.subnet(w.subnet.id()?));
    let subnet = s.map(|s| s.id.clone()).unwrap_or_else(|| "<subnet-id>".into());
    let vpc = s.and_then(|s| s.vpc.id()).unwrap_or("<vpc-id>").to_string();
    (subnet, vpc)
}

/// The TCP port the path uses: the repository's for `dnf`, 443 otherwise.
fn port(at: &At<'_>) -> u16 {
    match (&at.path.target, at.w) {
        (Target::S3 | Target::Mirror, Some(w)) => match w.image.repository(at.region) {
            Repository::S3 { port, .. } | Repository::Mirror { port, .. } => port,
            Repository::NotApplicable(_) => 443,
        },
        _ => 443,
    }
}

/// The AWS managed policy ARN prefix of the region's partition.
fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// The AWS CLI command (or template change) that fixes blocker `b` on the
/// deployed resource `d`.
fn fix(at: &At<'_>, b: &Blocker, d: &Deployed) -> Option<String> {
    let id = d.state.id.as_str();
    let r = at.region;
    let (subnet, vpc) = placement(at);
    Some(match b.code {
        Code::PN101 if at.path.target == Target::Mirror => format!(
            "Route the subnet's traffic to the internet through a NAT gateway (the mirror is on the internet):\n  aws ec2 create-route --region {r} --route-table-id {id} --destination-cidr-block 0.0.0.0/0 --nat-gateway-id <nat-gateway-id>"
        ),
        Code::PN101 => {
            let table_vpc = at.net.route_table(id).and_then(|t| t.vpc.id()).unwrap_or(&vpc);
            format!(
                "Add an S3 gateway endpoint on route table {id} (free, no internet needed):\n  aws ec2 create-vpc-endpoint --region {r} --vpc-id {table_vpc} --service-name com.amazonaws.{r}.s3 --route-table-ids {id}\nor launch into a subnet whose route table has it."
            )
        }
        Code::PN102 => {
            let table = route_table_of(at).unwrap_or_else(|| "<route-table-id>".into());
            format!(
                "Add the subnet's route table to the S3 gateway endpoint:\n  aws ec2 modify-vpc-endpoint --region {r} --vpc-endpoint-id {id} --add-route-table-ids {table}"
            )
        }
        Code::PN103 | Code::PN401 => {
            let services: Vec<&str> = match at.path.target {
                Target::Ssm | Target::Ssmmessages | Target::Ec2messages if b.code == Code::PN401 => {
                    vec![at.path.target.service()]
                }
                _ => vec!["ssm", "ssmmessages", "ec2messages"],
            };
            let cmds: Vec<String> = services
                .iter()
                .map(|s| format!("  aws ec2 create-vpc-endpoint --region {r} --vpc-endpoint-type Interface --vpc-id {vpc} --service-name com.amazonaws.{r}.{s} --subnet-ids {subnet} --security-group-ids <endpoint-sg-id> --private-dns-enabled"))
                .collect();
            format!(
                "Create the interface endpoints with private DNS (their security group must admit tcp/443 from the instances):\n{}\nor declare them in this template (AWS::EC2::VPCEndpoint with `VpcId` and `SubnetIds` of the deployed VPC).",
                cmds.join("\n")
            )
        }
        Code::PN402 => format!(
            "Turn on private DNS for the endpoint:\n  aws ec2 modify-vpc-endpoint --region {r} --vpc-endpoint-id {id} --private-dns-enabled"
        ),
        Code::PN403 => format!(
            "Turn on DNS resolution in the VPC:\n  aws ec2 modify-vpc-attribute --region {r} --vpc-id {id} --enable-dns-support '{{\"Value\":true}}'"
        ),
        Code::PN404 => format!(
            "Turn on DNS hostnames in the VPC (private DNS of interface endpoints needs both DNS attributes):\n  aws ec2 modify-vpc-attribute --region {r} --vpc-id {id} --enable-dns-hostnames '{{\"Value\":true}}'"
        ),
        Code::PN201 => {
            let p = port(at);
            let peer = match (at.path.target == Target::S3, s3_prefix_list(r)) {
                (true, Some(pl)) => format!("PrefixListIds=[{{PrefixListId={pl}}}]"),
                _ => "IpRanges=[{CidrIp=0.0.0.0/0}]".to_string(),
            };
            format!(
                "Allow it in security group {id}:\n  aws ec2 authorize-security-group-egress --region {r} --group-id {id} --ip-permissions 'IpProtocol=tcp,FromPort={p},ToPort={p},{peer}'\nor give the workload a security group of this template that allows it (`SecurityGroupIds`)."
            )
        }
        Code::PN202 => {
            let cidr = vpc_cidr(at).unwrap_or_else(|| "<vpc-cidr>".into());
            format!(
                "Allow HTTPS to the VPC's interface endpoints in security group {id}:\n  aws ec2 authorize-security-group-egress --region {r} --group-id {id} --ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{{CidrIp={cidr}}}]'"
            )
        }
        Code::PN203 => {
            let source =
                at.w.and_then(|w| w.groups.first())
                    .and_then(|g| g.id())
                    .filter(|g| at.net.deployed(g).is_some())
                    .map(|g| format!("--source-group {g}"))
                    .or_else(|| {
                        let s = at.net.subnet(at.w?.subnet.id()?)?;
                        s.cidr.map(|c| format!("--cidr {c}"))
                    })
                    .unwrap_or_else(|| "--cidr <instances' subnet CIDR>".into());
            format!(
                "Admit HTTPS from the instances in the endpoint's security group {id}:\n  aws ec2 authorize-security-group-ingress --region {r} --group-id {id} --protocol tcp --port 443 {source}"
            )
        }
        Code::PN301 | Code::PN302 => {
            let acl = id.split(' ').next().unwrap_or(id);
            let egress = at.hop.kind == HopKind::NaclOutbound;
            let (from, to) = if b.code == Code::PN302 { (1024, 65535) } else { (port(at), port(at)) };
            let private = at
                .path
                .via
                .as_deref()
                .and_then(|v| at.net.endpoint(v))
                .is_some_and(|e| e.kind == EndpointKind::Interface);
            let cidr = if private { vpc_cidr(at).unwrap_or_else(|| "<vpc-cidr>".into()) } else { "0.0.0.0/0".into() };
            let first = at
                .net
                .nacl(acl)
                .and_then(|a| a.entries.iter().filter(|e| e.egress == egress).map(|e| e.number).min())
                .unwrap_or(100);
            let number = if first > 1 { first - 1 } else { 1 };
            format!(
                "Allow it in network ACL {acl} before any deny (rule numbers are evaluated lowest first):\n  aws ec2 create-network-acl-entry --region {r} --network-acl-id {acl} {} --rule-number {number} --protocol tcp --port-range From={from},To={to} --cidr-block {cidr} --rule-action allow",
                if egress { "--egress" } else { "--ingress" }
            )
        }
        Code::PN406 | Code::PN412 => format!(
            "Add a statement that allows it to the endpoint's policy (keep the others), then:\n  aws ec2 modify-vpc-endpoint --region {r} --vpc-endpoint-id {id} --policy-document file://policy.json"
        ),
        Code::PN502 if b.why.contains("explicitly denies") => format!(
            "Take the Session Manager actions out of the Deny statement of role {id} (`aws iam put-role-policy` for an inline policy, a new version of a customer managed one), or detach the policy that holds it (`aws iam detach-role-policy --role-name {id} --policy-arn …`)."
        ),
        Code::PN502 if b.why.contains("permissions boundary") => format!(
            "Allow the Session Manager actions in the boundary policy, or remove it:\n  aws iam delete-role-permissions-boundary --role-name {id}"
        ),
        Code::PN502 if at.net.role(id).is_some() => format!(
            "Attach the policy Session Manager needs to role {id}:\n  aws iam attach-role-policy --role-name {id} --policy-arn arn:{}:iam::aws:policy/AmazonSSMManagedInstanceCore\nor use an instance profile of this template whose role has it.",
            partition(r)
        ),
        Code::PN502 => format!(
            "Add a role to instance profile {id}:\n  aws iam add-role-to-instance-profile --instance-profile-name {id} --role-name <role-with-AmazonSSMManagedInstanceCore>"
        ),
        Code::PN503 => format!(
            "Let EC2 assume role {id}:\n  aws iam update-assume-role-policy --role-name {id} --policy-document '{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":{{\"Service\":\"ec2.amazonaws.com\"}},\"Action\":\"sts:AssumeRole\"}}]}}'"
        ),
        Code::PN105 if at.net.subnet(id).is_some() => format!(
            "Give the workload a public address: `AssociatePublicIpAddress: true` on its primary network interface in this template, or map one on launch in the subnet:\n  aws ec2 modify-subnet-attribute --region {r} --subnet-id {id} --map-public-ip-on-launch"
        ),
        Code::PN107 => block_public_access_fix(at)?,
        Code::PN413 => session_preferences_fix(at, id)?,
        Code::PN005 if b.why.contains("save the output of") => {
            "Save the output of that AWS CLI call with the other account state files (`--output json`), and run again."
                .to_string()
        }
        _ => return None,
    })
}

/// PN107 under the account's Block Public Access: an exclusion of the
/// subnet the traffic leaves from (the NAT gateway's, on a NAT path), by
/// AWS CLI for a deployed subnet or in the template for one of its own.
fn block_public_access_fix(at: &At<'_>) -> Option<String> {
    let Some((Ok(mode), _)) = &at.net.account.block_public_access.mode else { return None };
    let r = at.region;
    let nat_subnet = at
        .path
        .hops
        .iter()
        .find(|h| h.kind == HopKind::NatGateway)
        .and_then(|h| at.net.nat(h.resource.as_deref()?))
        .and_then(|n| n.subnet.as_ref()?.id());
    let subnet = match nat_subnet {
        Some(s) => s.to_string(),
        None => placement(at).0,
    };
    // block-ingress drops the replies: only a two-way exclusion lets them in
    let exclusion = if *mode == BlockMode::Ingress { "allow-bidirectional" } else { "allow-egress" };
    let (cli, property) = if at.net.deployed(&subnet).is_some() {
        (format!("--subnet-id {subnet}"), format!("SubnetId: {subnet}"))
    } else {
        (format!("--subnet-id <the ID of {subnet} once deployed>"), format!("SubnetId: !Ref {subnet}"))
    };
    Some(format!(
        "Exclude the subnet from the account's VPC Block Public Access ({exclusion}):\n  aws ec2 create-vpc-block-public-access-exclusion --region {r} {cli} --internet-gateway-exclusion-mode {exclusion}\nor declare the exclusion in this template:\n  Exclusion:\n    Type: AWS::EC2::VPCBlockPublicAccessExclusion\n    Properties:\n      {property}\n      InternetGatewayExclusionMode: {exclusion}\nor reach S3 and Systems Manager through VPC endpoints (an S3 gateway endpoint, interface endpoints for ssm and ssmmessages with private DNS), which Block Public Access does not affect."
    ))
}

/// PN413 on a deployed resource: what the Session Manager preferences need
/// from it (the role's actions, a `kms` or `logs` endpoint, the route to S3
/// or the endpoint policy for the log bucket).
fn session_preferences_fix(at: &At<'_>, id: &str) -> Option<String> {
    let r = at.region;
    let (need, service) = match at.path.target {
        Target::Kms => (Need::Kms, "kms"),
        Target::Logs => (Need::Logs, "logs"),
        Target::SessionLogBucket => (Need::S3, "s3"),
        _ => return None,
    };
    let encrypted = matches!(&at.net.account.session, Some(Preferences::Known(p)) if p.bucket_encrypted);
    Some(match at.hop.kind {
        HopKind::Iam => {
            let actions: Vec<String> = need.actions(encrypted).iter().map(|a| format!("\"{a}\"")).collect();
            format!(
                "Allow it in a policy of role {id}:\n  aws iam put-role-policy --role-name {id} --policy-name session-manager-preferences --policy-document '{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":[{}],\"Resource\":\"*\"}}]}}'",
                actions.join(",")
            )
        }
        HopKind::InterfaceEndpoint => {
            let (subnet, vpc) = placement(at);
            format!(
                "Create the {service} interface endpoint with private DNS (its security group must admit tcp/443 from the instances):\n  aws ec2 create-vpc-endpoint --region {r} --vpc-endpoint-type Interface --vpc-id {vpc} --service-name com.amazonaws.{r}.{service} --subnet-ids {subnet} --security-group-ids <endpoint-sg-id> --private-dns-enabled"
            )
        }
        HopKind::RouteTable => {
            let table = id.split(' ').next().unwrap_or(id);
            let (_, vpc) = placement(at);
            format!(
                "Add an S3 gateway endpoint on route table {table}, for the session log bucket:\n  aws ec2 create-vpc-endpoint --region {r} --vpc-id {vpc} --service-name com.amazonaws.{r}.s3 --route-table-ids {table}"
            )
        }
        HopKind::EndpointPolicy => format!(
            "Add a statement that allows `s3:PutObject` on the session log bucket to the endpoint's policy (keep the others), then:\n  aws ec2 modify-vpc-endpoint --region {r} --vpc-endpoint-id {id} --policy-document file://policy.json"
        ),
        _ => return None,
    })
}

/// The verdicts a result is compared by across zones.
fn verdicts(r: &WorkloadResult) -> Vec<(Status, Vec<Code>)> {
    std::iter::once(&r.dnf)
        .chain(std::iter::once(&r.ssm))
        .chain(r.downloads.iter().map(|(_, c)| c))
        .map(|c| (c.status, c.reasons.clone()))
        .collect()
}

/// Collapses the copies of a workload placed in each default subnet of the
/// default VPC: one result when every zone agrees, else each says its zone.
fn zones(net: &Network, results: &mut Vec<WorkloadResult>) {
    let default_subnet = |r: &WorkloadResult| {
        r.subnet
            .as_deref()
            .and_then(|s| net.deployed(s))
            .and_then(|d| d.role.as_deref())
            .is_some_and(|role| role.starts_with("a default subnet"))
    };
    let zone = |r: &WorkloadResult| {
        r.subnet
            .as_deref()
            .and_then(|s| net.subnet(s))
            .and_then(|s| s.az.as_ref())
            .map(Az::to_string)
            .unwrap_or_default()
    };
    let mut out: Vec<WorkloadResult> = Vec::with_capacity(results.len());
    let mut i = 0;
    while i < results.len() {
        let mut j = i + 1;
        while j < results.len() && results[j].resource == results[i].resource && default_subnet(&results[j]) {
            j += 1;
        }
        if !default_subnet(&results[i]) || j == i + 1 {
            out.push(results[i].clone());
            i = j.max(i + 1);
            continue;
        }
        let group = &results[i..j];
        let zones: Vec<String> = group.iter().map(zone).collect();
        if group.iter().all(|r| verdicts(r) == verdicts(&group[0])) {
            let mut kept = group[0].clone();
            say(
                &mut kept,
                &format!("the same verdict in each default subnet of the default VPC (zones {})", zones.join(", ")),
            );
            out.push(kept);
        } else {
            for (r, z) in group.iter().zip(&zones) {
                let mut r = r.clone();
                say(
                    &mut r,
                    &format!("in the default subnet of zone {z}: the verdict differs by zone ({})", zones.join(", ")),
                );
                out.push(r);
            }
        }
        i = j;
    }
    *results = out;
}

/// Appends `note` to the workload hop of every path of `r`.
fn say(r: &mut WorkloadResult, note: &str) {
    let checks =
        std::iter::once(&mut r.dnf).chain(std::iter::once(&mut r.ssm)).chain(r.downloads.iter_mut().map(|(_, c)| c));
    for c in checks {
        for p in &mut c.paths {
            if let Some(h) = p.hops.iter_mut().find(|h| h.kind == HopKind::Workload) {
                h.detail.push_str(&format!("; {note}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::StateRef;

    #[test]
    fn template_snippets_name_deployed_resources_by_id() {
        let mut net = Network::default();
        let state = StateRef { file: "s.json".into(), pointer: "/Vpcs/0".into(), id: "vpc-0abc".into() };
        net.deployed.insert("vpc-0abc".into(), Deployed { state, anchor: None, role: None });
        assert_eq!(
            unref_deployed(&net, "VpcId: !Ref vpc-0abc\nSubnetIds: [!Ref PrivateSubnet]\n!Ref vpc-0abc"),
            "VpcId: vpc-0abc\nSubnetIds: [!Ref PrivateSubnet]\nvpc-0abc"
        );
        assert_eq!(unref_deployed(&net, "no ref here"), "no ref here");
        assert_eq!(unref_deployed(&net, "!Ref "), "!Ref ");
    }
}
