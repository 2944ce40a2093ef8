//! What UserData downloads: URLs (`curl`, `wget`, `yum install http://…`),
//! and `aws s3 cp s3://…`, each checked as an extra target from the
//! workload with its real port and destination (PN601), and S3 URLs of
//! another region, which a gateway endpoint does not serve (PN407).

use std::collections::HashSet;

use super::Tracer;
use super::hops::nacl::EPHEMERAL;
use super::hops::route::{RouteChoice, RouteTableRef};
use super::hops::{block, pass};
use super::{Blocker, Check, Hop, HopKind, PathTrace, Target, Verdict};
use crate::finding::Code;
use crate::network::nacl::Remote;
use crate::network::sg;
use crate::resolve::RNode;
use crate::source::Span;

/// A download found in a UserData script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Download {
    /// The URL as the script has it (with `${X}` for parts known only at deploy time).
    pub url: String,
    /// Host name.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// The script line it is on (resolved), to find it in the template.
    pub line: String,
    /// Where it is written, when known exactly (a cfn-init source or file).
    pub at: Option<crate::source::Span>,
}

/// What a host is, for routing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostKind {
    /// S3 in this region.
    S3(String),
    /// Anything on the internet.
    Internet,
}

/// Distinct URLs traced per workload: a script naming more is hostile or
/// generated, and the rest are reported as not checked (PN005).
pub const MAX_TRACED: usize = 256;

/// Longest script line kept with a download (to find it in the template).
const MAX_LINE: usize = 4096;

/// Extracts the downloads of a script (`http(s)://` and `s3://` URLs),
/// each URL once (at its first line): a script that repeats a download
/// gets one trace for it, however often it repeats.
pub fn extract(script: &str) -> Vec<Download> {
    let mut out: Vec<Download> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for line in script.lines() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        for (_, url) in crate::source::urls(line) {
            if !seen.insert(url) {
                continue;
            }
            let scheme_len = url.find("://").map(|i| i + 3).unwrap_or(0);
            let authority = url[scheme_len..].split('/').next().unwrap_or_default();
            let (host, port) = if url.starts_with("s3://") {
                (format!("{authority}.s3.amazonaws.com"), 443)
            } else {
                let default = if url.starts_with("http://") { 80 } else { 443 };
                match authority.rsplit_once(':') {
                    Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) && !p.is_empty() => {
                        (h.to_string(), p.parse().unwrap_or(default))
                    }
                    _ => (authority.to_string(), default),
                }
            };
            if host.is_empty() {
                continue;
            }
            // the line only helps find the URL in the template; a huge one
            // copied per URL would make memory quadratic
            let line = if line.len() <= MAX_LINE { line.to_string() } else { String::new() };
            out.push(Download { url: url.to_string(), host, port, line, at: None });
        }
    }
    out
}

/// The region of an S3 host name, `None` when it is not S3:
/// `s3.amazonaws.com` (us-east-1), `s3-<region>.amazonaws.com`,
/// `<bucket>.s3.<region>.amazonaws.com`, `….s3.dualstack.<region>.…`.
/// An `s3://bucket` URI (`bucket.s3.amazonaws.com` here) counts as this
/// region: the CLI uses the instance's region.
pub fn s3_region(host: &str, this_region: &str, from_s3_uri: bool) -> Option<String> {
    let h = host.to_ascii_lowercase();
    let base = h.strip_suffix(".amazonaws.com").or_else(|| h.strip_suffix(".amazonaws.com.cn"))?;
    let labels: Vec<&str> = base.split('.').collect();
    let i = labels.iter().position(|l| *l == "s3" || l.starts_with("s3-"))?;
    let label = labels[i];
    if let Some(rest) = label.strip_prefix("s3-") {
        if rest == "external-1" {
            return Some("us-east-1".into());
        }
        let rest = rest.strip_prefix("website-").unwrap_or(rest);
        return Some(rest.to_string());
    }
    let next: Vec<&str> =
        labels[i + 1..].iter().copied().filter(|l| *l != "dualstack" && *l != "accesspoint").collect();
    match next.first() {
        Some(r) => Some(r.to_string()),
        None if from_s3_uri => Some(this_region.to_string()),
        // the legacy global endpoint is in us-east-1
        None => Some("us-east-1".into()),
    }
}

/// The downloads of the workload's UserData, then of its
/// `AWS::CloudFormation::Init` metadata (`sources`, `files.*.source`,
/// `packages.rpm`), each URL once.
pub fn downloads(user_data: Option<&RNode>, init: Option<&RNode>) -> Vec<Download> {
    let mut out = user_data.and_then(RNode::pattern_text).map(|s| extract(&s)).unwrap_or_default();
    let mut seen: HashSet<String> = out.iter().map(|d| d.url.clone()).collect();
    if let Some(init) = init {
        init.walk(&mut |n| {
            if matches!(n.val, crate::resolve::Val::List(_) | crate::resolve::Val::Map(_)) {
                return;
            }
            if let Some(text) = n.pattern_text() {
                for mut d in extract(&text) {
                    if seen.insert(d.url.clone()) {
                        d.at = Some(n.span);
                        out.push(d);
                    }
                }
            }
        });
    }
    out
}

/// Traces one download from the workload of `t`. Every blocker becomes
/// PN601 at the URL, except a cross-region S3 URL without an internet path:
/// PN407.
pub fn check(t: &Tracer<'_>, d: &Download) -> Check {
    let t = &t.on_port(d.port);
    let s3 = s3_region(&d.host, t.region, d.url.starts_with("s3://"));
    let same_region_s3 = s3.as_deref() == Some(t.region);
    let span = d.at.or_else(|| t.w.user_data.as_ref().map(|u| u.span)).unwrap_or(t.w.span);
    let who = if d.at.is_some() { format!("cfn-init on {}", t.w.id) } else { format!("UserData of {}", t.w.id) };
    let target = sg::Target::Public { region: t.region, is_s3: same_region_s3 };
    let what = format!("{}:{}", d.host, d.port);
    let mut hops = vec![t.workload_hop()];
    let (Some(subnet), Some(_)) = (t.subnet, t.vpc) else {
        // the VPC is open; the workload's own groups are not
        hops.push(t.egress_port_hop(&target, &what, d.port));
        return download_check(hops, None, d, &who, span);
    };
    if let Some(h) = t.vpc_dns_hop(&d.host) {
        hops.push(h);
    }
    let mut via = None;
    let mut next = Vec::new();
    match t.public_route(subnet, same_region_s3) {
        RouteChoice::GatewayEndpoint(ep) => {
            hops.push(pass(
                HopKind::RouteTable,
                &ep.id,
                format!("S3 gateway endpoint {} carries S3 traffic for {}", ep.id, t.region),
                ep.route_tables_span,
            ));
            via = Some(ep.id.clone());
        }
        RouteChoice::Route(r) => {
            hops.push(pass(
                HopKind::RouteTable,
                &r.id,
                format!("0.0.0.0/0 ({}) carries the traffic to {}", r.id, d.host),
                r.span,
            ));
            let (h, v) = t.route_target_hops(r, &d.host);
            next = h;
            via = v;
        }
        RouteChoice::Unknown(u) => hops.push(t.unknown_hop(HopKind::RouteTable, &subnet.id, &u)),
        RouteChoice::None => {
            let rt = match t.route_table_of(subnet) {
                RouteTableRef::Table(rt) => rt.id.clone(),
                _ => format!("{} (main route table)", subnet.id),
            };
            let other_region = s3.as_deref().filter(|r| *r != t.region);
            let (code, why, fix) = match other_region {
                Some(r) => (
                    Code::PN407,
                    format!(
                        "{who} downloads {} from S3 in {r}, but the stack is in {}: a gateway endpoint serves only its own region, and route table {rt} has no NAT or internet path",
                        d.url, t.region
                    ),
                    "Download from the stack's own region (e.g. `https://s3.${AWS::Region}.amazonaws.com/...` or a bucket in this region), or give the subnet a NAT gateway route.".to_string(),
                ),
                None => (
                    Code::PN601,
                    format!("{who} downloads {} ({}:{}), but route table {rt} has no route to it (no NAT or internet path)", d.url, d.host, d.port),
                    "Route 0.0.0.0/0 to a NAT gateway, or fetch the file from S3 in this region through the gateway endpoint (or bake it into the AMI).".to_string(),
                ),
            };
            hops.push(block(
                HopKind::RouteTable,
                &rt,
                why.clone(),
                Blocker { code, span, resource: Some(t.w.id.clone()), why, fix },
            ));
        }
    }
    hops.push(t.egress_port_hop(&target, &what, d.port));
    hops.push(t.nacl_hop(subnet, true, (d.port as i64, d.port as i64), Remote::Public, &d.host, false));
    hops.push(t.nacl_hop(subnet, false, EPHEMERAL, Remote::Public, &d.host, true));
    hops.extend(next);
    hops.push(pass(HopKind::Destination, &d.host, d.url.clone(), span));
    download_check(hops, via, d, &who, span)
}

/// The check of one download from its hops: every blocker is PN601 (or
/// PN407), at the URL.
fn download_check(mut hops: Vec<Hop>, via: Option<String>, d: &Download, who: &str, span: Span) -> Check {
    for h in &mut hops {
        if let Some(b) = &mut h.blocker
            && h.verdict == Verdict::Block
            && b.code != Code::PN407
            && !b.why.starts_with(who)
        {
            b.why = format!("{who} downloads {} ({}:{}), but {}", d.url, d.host, d.port, b.why);
            b.code = Code::PN601;
            b.span = span;
        }
    }
    Check::new(vec![PathTrace::new(Target::Download, hops, via)], &[Target::Download], Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_urls_and_s3_uris() {
        let script = "#!/bin/bash\nsudo yum -y install http://s3-ap-northeast-1.amazonaws.com/amazon-ssm-ap-northeast-1/latest/linux_amd64/amazon-ssm-agent.rpm\ncurl -fsSL 'https://example.com:8443/x.sh' | bash\naws s3 cp s3://my-bucket/app.tar.gz /opt/\n# curl http://commented.example/\n";
        let d = extract(script);
        assert_eq!(d.len(), 3, "{d:?}");
        assert_eq!(d[0].host, "s3-ap-northeast-1.amazonaws.com");
        assert_eq!(d[0].port, 80);
        assert_eq!(d[1].host, "example.com");
        assert_eq!(d[1].port, 8443);
        assert_eq!(d[2].url, "s3://my-bucket/app.tar.gz");
        assert_eq!(d[2].port, 443);
    }

    #[test]
    fn s3_regions() {
        assert_eq!(s3_region("s3-ap-northeast-1.amazonaws.com", "us-east-1", false).as_deref(), Some("ap-northeast-1"));
        assert_eq!(s3_region("b.s3.eu-west-1.amazonaws.com", "us-east-1", false).as_deref(), Some("eu-west-1"));
        assert_eq!(
            s3_region("b.s3.dualstack.us-west-2.amazonaws.com", "us-east-1", false).as_deref(),
            Some("us-west-2")
        );
        assert_eq!(s3_region("s3.amazonaws.com", "eu-west-1", false).as_deref(), Some("us-east-1"));
        assert_eq!(s3_region("b.s3.amazonaws.com", "eu-west-1", true).as_deref(), Some("eu-west-1"));
        assert_eq!(s3_region("github.com", "eu-west-1", false), None);
        assert_eq!(s3_region("ssm.us-east-1.amazonaws.com", "us-east-1", false), None);
    }
}
