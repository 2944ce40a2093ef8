//! Finding and reading state files: paths and folders, region folders,
//! recognition by top-level key, and the errors for files that cannot be used.
//!
//! A file is recognized by its top-level keys (SPEC §7), never by its
//! name — except the two outputs that name no resource: `Entries` of
//! `get-managed-prefix-list-entries` (the name must contain the `pl-…` ID)
//! and `Routes` of `search-transit-gateway-routes` (the `tgw-rtb-…` ID).
//! JSON files without a known key are someone else's and are skipped.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::cloudformation::{Export, Stack};
use super::error::StateError;
use super::firewall::{NetworkAcl, PrefixListEntry, PrefixListItem, SecurityGroup};
use super::iam::{ManagedPolicyDetail, RoleDetail};
use super::instance::{NetworkInterface, Reservation};
use super::routing::{
    EgressOnlyInternetGateway, InternetGateway, NatGateway, RouteTable, TransitGateway, TransitGatewayAttachment,
    TransitGatewayRoute, TransitGatewayRouteTable, VpcPeeringConnection,
};
use super::ssm::{SESSION_PREFERENCES_DOCUMENT, SessionPreferences, SsmDocument};
use super::vpc::{DhcpOptions, DnsAttribute, Subnet, Vpc, VpcBlockPublicAccessExclusion, VpcBlockPublicAccessOptions};
use super::{Kind, is_region_name};
use crate::project::ProjectRoot;

/// State files larger than this are refused (an account's whole IAM is a
/// few MiB).
pub const MAX_STATE_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// A state file to read.
#[derive(Clone, Debug)]
pub(crate) struct Found {
    /// Where it is.
    pub path: PathBuf,
    /// How it is shown.
    pub display: Arc<str>,
    /// The region of the nearest region-named folder it is in.
    pub region: Option<String>,
    /// Named as a path (not found by walking a folder): it must hold state.
    pub named: bool,
}

/// The state files under `paths`: a file as given, a folder walked for
/// `*.json` in name order. A path given twice (or inside another given
/// folder) is read once.
pub(crate) fn find(paths: &[PathBuf], within: Option<&ProjectRoot>) -> Result<Vec<Found>, StateError> {
    let mut out: Vec<Found> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for root in paths {
        let meta = std::fs::metadata(root)
            .map_err(|e| StateError::Unreadable { path: root.display().to_string(), reason: describe(&e) })?;
        // the root's own name counts as a folder (`--account-state .` inside `eu-west-1/`)
        let canonical = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
        if meta.is_file() {
            let region = canonical.parent().and_then(folder_region);
            if seen.insert(canonical.clone()) {
                out.push(Found { path: root.clone(), display: root.display().to_string().into(), region, named: true });
            }
            continue;
        }
        let root_region = folder_region(&canonical);
        let walker = walkdir::WalkDir::new(root).follow_links(true).sort_by_file_name();
        for entry in walker {
            let entry = entry.map_err(|e| StateError::Unreadable {
                path: e.path().unwrap_or(root).display().to_string(),
                reason: e.io_error().map(describe).unwrap_or_else(|| "cannot walk the folder".into()),
            })?;
            let p = entry.path();
            let json = p.extension().is_some_and(|x| x.eq_ignore_ascii_case("json"));
            if !entry.file_type().is_file() || !json {
                continue;
            }
            if within.is_some_and(|root| !root.contains(p)) {
                return Err(StateError::Unreadable {
                    path: p.display().to_string(),
                    reason: "a symbolic link leads out of the project root (the configuration file names this folder)"
                        .into(),
                });
            }
            let key = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
            if !seen.insert(key) {
                continue;
            }
            // the nearest region-named folder between the root and the file
            let inner = p.strip_prefix(root).ok().and_then(Path::parent);
            let region = inner
                .into_iter()
                .flat_map(|i| i.ancestors())
                .find_map(|a| a.file_name().and_then(|n| n.to_str()).filter(|n| is_region_name(n)))
                .map(str::to_string)
                .or_else(|| root_region.clone());
            out.push(Found { path: p.to_path_buf(), display: p.display().to_string().into(), region, named: false });
        }
    }
    Ok(out)
}

fn folder_region(dir: &Path) -> Option<String> {
    dir.file_name().and_then(|n| n.to_str()).filter(|n| is_region_name(n)).map(str::to_string)
}

fn describe(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Reads and recognizes one file; `Ok(None)` for JSON that holds no known key.
pub(crate) fn read(found: &Found) -> Result<Option<Recognized>, StateError> {
    let path = found.display.to_string();
    let unreadable = |reason: String| StateError::Unreadable { path: path.clone(), reason };
    let meta = std::fs::metadata(&found.path).map_err(|e| unreadable(describe(&e)))?;
    if !meta.is_file() {
        // a FIFO or device would block or never end
        return Err(unreadable("not a regular file".into()));
    }
    if meta.len() > MAX_STATE_FILE_BYTES {
        return Err(unreadable(format!("over {} MiB", MAX_STATE_FILE_BYTES / 1024 / 1024)));
    }
    let bytes = std::fs::read(&found.path).map_err(|e| unreadable(describe(&e)))?;
    let text = decode(&path, bytes)?;
    let name = found.path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    match recognize(&path, &name, &text)? {
        // a file found in a folder may be anyone's; a file named is meant as state
        None if found.named => Err(StateError::NothingKnown { path }),
        r => Ok(r),
    }
}

/// UTF-8 (with or without a byte-order mark), or UTF-16 with one (what
/// Windows PowerShell 5 writes with `>`).
fn decode(path: &str, bytes: Vec<u8>) -> Result<String, StateError> {
    let utf16 = |b: &[u8], le: bool| -> Option<String> {
        let units: Vec<u16> = b
            .chunks(2)
            .map(|c| {
                let pair = [c[0], c.get(1).copied().unwrap_or(0)];
                if le { u16::from_le_bytes(pair) } else { u16::from_be_bytes(pair) }
            })
            .collect();
        String::from_utf16(&units).ok()
    };
    let decoded = match bytes.as_slice() {
        [0xFF, 0xFE, rest @ ..] => utf16(rest, true),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, false),
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8(rest.to_vec()).ok(),
        _ => String::from_utf8(bytes).ok(),
    };
    decoded.ok_or_else(|| StateError::NotJson {
        path: path.to_string(),
        line: 1,
        column: 1,
        reason: "not UTF-8 text".into(),
    })
}

/// Every top-level key privnet-lint reads. Unknown keys are skipped.
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct Page {
    vpcs: Option<Vec<Vpc>>,
    subnets: Option<Vec<Subnet>>,
    route_tables: Option<Vec<RouteTable>>,
    security_groups: Option<Vec<SecurityGroup>>,
    network_acls: Option<Vec<NetworkAcl>>,
    vpc_endpoints: Option<Vec<super::endpoint::VpcEndpoint>>,
    prefix_lists: Option<Vec<PrefixListItem>>,
    network_interfaces: Option<Vec<NetworkInterface>>,
    egress_only_internet_gateways: Option<Vec<EgressOnlyInternetGateway>>,
    vpc_peering_connections: Option<Vec<VpcPeeringConnection>>,
    vpc_block_public_access_options: Option<VpcBlockPublicAccessOptions>,
    vpc_block_public_access_exclusions: Option<Vec<VpcBlockPublicAccessExclusion>>,
    reservations: Option<Vec<Reservation>>,
    internet_gateways: Option<Vec<InternetGateway>>,
    nat_gateways: Option<Vec<NatGateway>>,
    dhcp_options: Option<Vec<DhcpOptions>>,
    transit_gateways: Option<Vec<TransitGateway>>,
    transit_gateway_attachments: Option<Vec<TransitGatewayAttachment>>,
    transit_gateway_route_tables: Option<Vec<TransitGatewayRouteTable>>,
    exports: Option<Vec<Export>>,
    stacks: Option<Vec<Stack>>,
    role_detail_list: Option<Vec<RoleDetail>>,
    policies: Option<Vec<ManagedPolicyDetail>>,
    // keys whose meaning depends on others or on the file name: read
    // loosely here, checked in `recognize`
    entries: Option<serde_json::Value>,
    routes: Option<serde_json::Value>,
    additional_routes_available: Option<serde_json::Value>,
    vpc_id: Option<serde_json::Value>,
    enable_dns_support: Option<serde_json::Value>,
    enable_dns_hostnames: Option<serde_json::Value>,
    name: Option<serde_json::Value>,
    content: Option<serde_json::Value>,
    document_type: Option<serde_json::Value>,
    document_format: Option<serde_json::Value>,
    next_token: Option<serde_json::Value>,
    is_truncated: Option<serde_json::Value>,
}

/// What one file holds, typed.
#[derive(Default)]
pub(crate) struct Recognized {
    pub vpcs: Vec<Vpc>,
    pub dns: Vec<(String, DnsAttribute, bool)>,
    pub subnets: Vec<Subnet>,
    pub route_tables: Vec<RouteTable>,
    pub security_groups: Vec<SecurityGroup>,
    pub network_acls: Vec<NetworkAcl>,
    pub vpc_endpoints: Vec<super::endpoint::VpcEndpoint>,
    /// `PrefixLists[]` items with their index.
    pub prefix_lists: Vec<PrefixListItem>,
    /// The prefix list the file name names, and its entries.
    pub entries: Option<(String, Vec<PrefixListEntry>)>,
    pub network_interfaces: Vec<NetworkInterface>,
    pub egress_only_internet_gateways: Vec<EgressOnlyInternetGateway>,
    pub vpc_peering_connections: Vec<VpcPeeringConnection>,
    pub block_public_access: Option<VpcBlockPublicAccessOptions>,
    pub block_public_access_exclusions: Vec<VpcBlockPublicAccessExclusion>,
    pub reservations: Vec<Reservation>,
    pub internet_gateways: Vec<InternetGateway>,
    pub nat_gateways: Vec<NatGateway>,
    pub dhcp_options: Vec<DhcpOptions>,
    pub transit_gateways: Vec<TransitGateway>,
    pub transit_gateway_attachments: Vec<TransitGatewayAttachment>,
    pub transit_gateway_route_tables: Vec<TransitGatewayRouteTable>,
    /// The transit gateway route table the file name names, its routes, and
    /// whether the output says more routes exist.
    pub transit_gateway_routes: Option<(String, Vec<TransitGatewayRoute>, bool)>,
    pub exports: Vec<Export>,
    pub stacks: Vec<Stack>,
    pub roles: Vec<RoleDetail>,
    pub policies: Vec<ManagedPolicyDetail>,
    pub ssm_document: Option<SsmDocument>,
    /// The calls whose output this is.
    pub kinds: Vec<Kind>,
}

/// Reads `text` (the file `path`, named `name`): `Ok(None)` when it holds
/// no key privnet-lint reads.
pub(crate) fn recognize(path: &str, name: &str, text: &str) -> Result<Option<Recognized>, StateError> {
    let trimmed = text.trim_start();
    if !trimmed.starts_with('{') {
        // valid JSON that is not an object is someone else's file
        return match serde_json::from_str::<IgnoredAny>(text) {
            Ok(_) => Ok(None),
            Err(e) => Err(not_json(path, &e)),
        };
    }
    // one pass that tracks where it is, so a wrong shape has its pointer
    let mut de = serde_json::Deserializer::from_str(text);
    let page: Page = match serde_path_to_error::deserialize(&mut de) {
        Ok(page) => page,
        Err(e) if e.inner().is_data() => {
            return Err(StateError::Shape {
                path: path.into(),
                pointer: json_pointer(e.path()),
                problem: problem(e.inner()),
            });
        }
        Err(e) => return Err(not_json(path, e.inner())),
    };
    // what follows the object must be whitespace
    de.end().map_err(|e| not_json(path, &e))?;
    let mut r = Recognized::default();
    let mut kinds = Vec::new();
    macro_rules! take {
        ($field:ident, $kind:expr) => {
            if let Some(v) = page.$field {
                kinds.push($kind);
                r.$field = v;
            }
        };
    }
    take!(vpcs, Kind::Vpcs);
    take!(subnets, Kind::Subnets);
    take!(route_tables, Kind::RouteTables);
    take!(security_groups, Kind::SecurityGroups);
    take!(network_acls, Kind::NetworkAcls);
    take!(vpc_endpoints, Kind::VpcEndpoints);
    take!(network_interfaces, Kind::NetworkInterfaces);
    take!(egress_only_internet_gateways, Kind::EgressOnlyInternetGateways);
    take!(vpc_peering_connections, Kind::VpcPeeringConnections);
    take!(reservations, Kind::Instances);
    take!(internet_gateways, Kind::InternetGateways);
    take!(nat_gateways, Kind::NatGateways);
    take!(dhcp_options, Kind::DhcpOptions);
    take!(transit_gateways, Kind::TransitGateways);
    take!(transit_gateway_attachments, Kind::TransitGatewayAttachments);
    take!(transit_gateway_route_tables, Kind::TransitGatewayRouteTables);
    take!(exports, Kind::Exports);
    take!(stacks, Kind::Stacks);
    if let Some(lists) = page.prefix_lists {
        let aws = lists.iter().any(PrefixListItem::has_cidrs);
        let managed = lists.iter().any(|l| !l.has_cidrs());
        kinds.extend(aws.then_some(Kind::PrefixLists).into_iter().chain(managed.then_some(Kind::ManagedPrefixLists)));
        if lists.is_empty() {
            // an empty list says as much for either call
            kinds.push(Kind::ManagedPrefixLists);
        }
        r.prefix_lists = lists;
    }
    if let Some(options) = page.vpc_block_public_access_options {
        kinds.push(Kind::BlockPublicAccessOptions);
        r.block_public_access = Some(options);
    }
    if let Some(exclusions) = page.vpc_block_public_access_exclusions {
        kinds.push(Kind::BlockPublicAccessExclusions);
        r.block_public_access_exclusions = exclusions;
    }
    if page.role_detail_list.is_some() || page.policies.is_some() {
        kinds.push(Kind::Iam);
        r.roles = page.role_detail_list.unwrap_or_default();
        r.policies = page.policies.unwrap_or_default();
    }
    if let Some(entries) = page.entries {
        match resource_id(name, "pl-", 8, 17) {
            Some(id) => {
                let list: Vec<PrefixListEntry> = typed(path, "/Entries", entries)?;
                kinds.push(Kind::PrefixListEntries);
                r.entries = Some((id, list));
            }
            None if looks_like_entries(&entries) => return Err(StateError::EntriesWithoutId { path: path.into() }),
            None => {}
        }
    }
    if let Some(routes) = page.routes
        && let Some(id) = resource_id(name, "tgw-rtb-", 17, 17)
    {
        let list: Vec<TransitGatewayRoute> = typed(path, "/Routes", routes)?;
        let more = page.additional_routes_available.as_ref().and_then(serde_json::Value::as_bool) == Some(true);
        kinds.push(Kind::TransitGatewayRoutes);
        r.transit_gateway_routes = Some((id, list, more));
    }
    if let Some(serde_json::Value::String(vpc)) = &page.vpc_id {
        for (attribute, value) in [
            (DnsAttribute::EnableDnsSupport, &page.enable_dns_support),
            (DnsAttribute::EnableDnsHostnames, &page.enable_dns_hostnames),
        ] {
            let Some(value) = value else { continue };
            let pointer = format!("/{}", attribute.key());
            let v: super::common::AttributeBooleanValue = typed(path, &pointer, value.clone())?;
            kinds.push(match attribute {
                DnsAttribute::EnableDnsSupport => Kind::VpcDnsSupport,
                DnsAttribute::EnableDnsHostnames => Kind::VpcDnsHostnames,
            });
            if let Some(b) = v.value {
                r.dns.push((vpc.clone(), attribute, b));
            }
        }
    }
    if let (Some(serde_json::Value::String(doc)), Some(serde_json::Value::String(content))) =
        (&page.name, &page.content)
    {
        let text_of = |v: &Option<serde_json::Value>| v.as_ref().and_then(|v| v.as_str()).map(str::to_string);
        let document_type = text_of(&page.document_type);
        let session_doc =
            doc == SESSION_PREFERENCES_DOCUMENT || document_type.as_deref().is_some_and(|t| t == "Session");
        let session = if session_doc {
            Some(SessionPreferences::from_content(content).map_err(|problem| StateError::Shape {
                path: path.into(),
                pointer: "/Content".into(),
                problem: problem.into(),
            })?)
        } else {
            None
        };
        kinds.push(Kind::SsmDocument);
        r.ssm_document = Some(SsmDocument {
            name: doc.clone(),
            document_type,
            document_format: text_of(&page.document_format),
            session,
        });
    }
    if kinds.is_empty() {
        return Ok(None);
    }
    if page.next_token.as_ref().is_some_and(|t| !t.is_null()) {
        return Err(StateError::Truncated { path: path.into(), key: "NextToken" });
    }
    if page.is_truncated.as_ref().and_then(serde_json::Value::as_bool) == Some(true) {
        return Err(StateError::Truncated { path: path.into(), key: "IsTruncated" });
    }
    r.kinds = kinds;
    Ok(Some(r))
}

/// `pl-0a1b…` (or `tgw-rtb-…`) in a file name: the prefix followed by
/// `min..=max` lowercase hexadecimal digits, not inside a longer run.
fn resource_id(name: &str, prefix: &str, min: usize, max: usize) -> Option<String> {
    let mut from = 0;
    while let Some(at) = name[from..].find(prefix) {
        let start = from + at;
        let before_ok = start == 0 || !name.as_bytes()[start - 1].is_ascii_alphanumeric();
        let digits = name[start + prefix.len()..].bytes().take_while(|b| b.is_ascii_hexdigit()).count();
        let after = name.as_bytes().get(start + prefix.len() + digits);
        let after_ok = after.is_none_or(|b| !b.is_ascii_alphanumeric());
        if before_ok && after_ok && (min..=max).contains(&digits) {
            return Some(name[start..start + prefix.len() + digits].to_ascii_lowercase());
        }
        from = start + prefix.len();
    }
    None
}

/// `[{"Cidr": …}, …]`: what get-managed-prefix-list-entries prints.
fn looks_like_entries(v: &serde_json::Value) -> bool {
    v.as_array().is_some_and(|items| items.iter().all(|i| i.get("Cidr").is_some()))
}

/// A loosely read value as its type, with errors pointing below `pointer`.
fn typed<T: serde::de::DeserializeOwned>(path: &str, pointer: &str, v: serde_json::Value) -> Result<T, StateError> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let inner = json_pointer(e.path());
        StateError::Shape { path: path.into(), pointer: format!("{pointer}{inner}"), problem: problem(e.inner()) }
    })
}

/// A serde_path_to_error path as a JSON Pointer (RFC 6901).
fn json_pointer(p: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for s in p.iter() {
        out.push('/');
        match s {
            Segment::Seq { index } => out.push_str(&index.to_string()),
            Segment::Map { key } => out.push_str(&key.replace('~', "~0").replace('/', "~1")),
            Segment::Enum { variant } => out.push_str(&variant.replace('~', "~0").replace('/', "~1")),
            Segment::Unknown => out.push('?'),
        }
    }
    out
}

/// What serde says is wrong, without the value it found (state files hold
/// account IDs and ARNs).
fn problem(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let message = match full.rfind(" at line ") {
        Some(at) if e.line() > 0 => &full[..at],
        _ => full.as_str(),
    };
    let expected = |m: &str| m.rsplit_once(", expected ").map(|(_, x)| x.to_string());
    if message.starts_with("invalid type:") || message.starts_with("invalid value:") {
        return match expected(message) {
            Some(x) => format!("has the wrong type: expected {x}"),
            None => "has the wrong type".into(),
        };
    }
    if message.starts_with("invalid length") {
        return match expected(message) {
            Some(x) => format!("has the wrong length: expected {x}"),
            None => "has the wrong length".into(),
        };
    }
    if let Some(field) = message.strip_prefix("missing field ") {
        return format!("lacks the field {field}");
    }
    if let Some(field) = message.strip_prefix("duplicate field ") {
        return format!("repeats the field {field}");
    }
    if message.starts_with("expected ") {
        // our own messages (policy documents, booleans)
        return format!("has the wrong shape: {message}");
    }
    "has the wrong shape".into()
}

fn not_json(path: &str, e: &serde_json::Error) -> StateError {
    let full = e.to_string();
    let reason = match full.rfind(" at line ") {
        Some(at) => full[..at].to_string(),
        None => full,
    };
    StateError::NotJson { path: path.into(), line: e.line().max(1), column: e.column().max(1), reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_ids_in_file_names() {
        assert_eq!(resource_id("pl-0a1b2c3d4e5f67890.json", "pl-", 8, 17).as_deref(), Some("pl-0a1b2c3d4e5f67890"));
        assert_eq!(resource_id("entries-pl-63a5400a.json", "pl-", 8, 17).as_deref(), Some("pl-63a5400a"));
        assert_eq!(resource_id("pl-63a5.json", "pl-", 8, 17), None);
        assert_eq!(resource_id("apl-63a5400a.json", "pl-", 8, 17), None);
        assert_eq!(resource_id("pl-63a5400ag.json", "pl-", 8, 17), None);
        assert_eq!(
            resource_id("tgw-rtb-0a1b2c3d4e5f67890.json", "tgw-rtb-", 17, 17).as_deref(),
            Some("tgw-rtb-0a1b2c3d4e5f67890")
        );
    }

    #[test]
    fn problems_never_echo_values() {
        let text = r#"{"Subnets": [{"SubnetId": "subnet-1", "MapPublicIpOnLaunch": "123456789012"}]}"#;
        let Err(e) = serde_json::from_str::<Page>(text) else { panic!("loaded") };
        let p = problem(&e);
        assert!(!p.contains("123456789012"), "{p}");
        assert_eq!(p, "has the wrong type: expected a boolean");
    }
}
