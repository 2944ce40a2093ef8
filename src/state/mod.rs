//! A source next to templates: the deployed account, read from what
//! read-only AWS CLI calls print (`--account-state PATH`, SPEC §7).
//!
//! Stacks build on networks that already exist — a subnet passed as a
//! parameter, a VPC imported from another stack, a group given by ID, the
//! default VPC. This module reads the saved outputs of `aws ec2 describe-*`,
//! `aws cloudformation list-exports` / `describe-stacks`,
//! `aws iam get-account-authorization-details` and
//! `aws ssm get-document --name SSM-SessionManagerRunShell` into typed
//! resources ([`vpc`], [`routing`], [`firewall`], [`endpoint`],
//! [`instance`], [`iam`], [`cloudformation`], [`ssm`]), merges them by ID
//! and indexes them for one region ([`RegionState`]). It knows nothing
//! about templates: the network model consumes it.
//!
//! Field names and types follow the API references exactly (cited in each
//! module): EC2 (<https://docs.aws.amazon.com/AWSEC2/latest/APIReference/>),
//! CloudFormation (<https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/>),
//! IAM (<https://docs.aws.amazon.com/IAM/latest/APIReference/>) and SSM
//! (<https://docs.aws.amazon.com/systems-manager/latest/APIReference/>).
//! Unknown keys are ignored, and so are enumeration values this version does
//! not know (they are kept as text). Every resource remembers its file and
//! a JSON Pointer to itself ([`Item::origin`]), for findings to say where a
//! deployed resource was read.
//!
//! Loading ([`load`]): a path is a file or a folder walked for `*.json`;
//! files in a folder named after a region (`eu-west-1/`) apply to that
//! region only, the others to every region. Errors ([`StateError`]) name the
//! file, a JSON Pointer and the resource ID, never a value from the file.

pub mod cloudformation;
pub(crate) mod common;
pub mod endpoint;
mod error;
pub mod firewall;
pub mod iam;
mod index;
pub mod instance;
pub mod load;
pub mod routing;
pub mod ssm;
mod view;
pub mod vpc;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

pub use common::{AttributeBooleanValue, Tag, name_tag};
pub use error::{Origin, StateError};
use index::Layer;
pub use view::{DefaultVpc, RegionState, SubnetNetworkAcl, SubnetRouteTable};

/// A deployed resource and where it was read.
#[derive(Clone, Debug, PartialEq)]
pub struct Item<T> {
    /// The resource as the API printed it.
    pub value: T,
    /// Its file and JSON Pointer.
    pub origin: Origin,
}

/// The routes of one transit gateway route table
/// (`search-transit-gateway-routes`).
#[derive(Clone, Debug, PartialEq)]
pub struct TransitGatewayRoutes {
    /// The routes.
    pub routes: Vec<routing::TransitGatewayRoute>,
    /// False when the output said more routes exist (`AdditionalRoutesAvailable`).
    pub complete: bool,
}

/// Which read-only call printed a file (a file may hold several, as
/// `get-account-authorization-details` does).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// `describe-vpcs`.
    Vpcs,
    /// `describe-vpc-attribute --attribute enableDnsSupport`.
    VpcDnsSupport,
    /// `describe-vpc-attribute --attribute enableDnsHostnames`.
    VpcDnsHostnames,
    /// `describe-subnets`.
    Subnets,
    /// `describe-route-tables`.
    RouteTables,
    /// `describe-security-groups`.
    SecurityGroups,
    /// `describe-network-acls`.
    NetworkAcls,
    /// `describe-vpc-endpoints`.
    VpcEndpoints,
    /// `describe-managed-prefix-lists`.
    ManagedPrefixLists,
    /// `describe-prefix-lists`.
    PrefixLists,
    /// `get-managed-prefix-list-entries`.
    PrefixListEntries,
    /// `describe-network-interfaces`.
    NetworkInterfaces,
    /// `describe-egress-only-internet-gateways`.
    EgressOnlyInternetGateways,
    /// `describe-vpc-peering-connections`.
    VpcPeeringConnections,
    /// `describe-vpc-block-public-access-options`.
    BlockPublicAccessOptions,
    /// `describe-vpc-block-public-access-exclusions`.
    BlockPublicAccessExclusions,
    /// `describe-instances`.
    Instances,
    /// `describe-internet-gateways`.
    InternetGateways,
    /// `describe-nat-gateways`.
    NatGateways,
    /// `describe-dhcp-options`.
    DhcpOptions,
    /// `describe-transit-gateways`.
    TransitGateways,
    /// `describe-transit-gateway-attachments`.
    TransitGatewayAttachments,
    /// `describe-transit-gateway-route-tables`.
    TransitGatewayRouteTables,
    /// `search-transit-gateway-routes`.
    TransitGatewayRoutes,
    /// `list-exports`.
    Exports,
    /// `describe-stacks`.
    Stacks,
    /// `get-account-authorization-details`.
    Iam,
    /// `ssm get-document`.
    SsmDocument,
}

impl Kind {
    /// The AWS CLI call that prints it (for messages such as "run …").
    pub fn call(self) -> &'static str {
        match self {
            Kind::Vpcs => "aws ec2 describe-vpcs",
            Kind::VpcDnsSupport => "aws ec2 describe-vpc-attribute --attribute enableDnsSupport --vpc-id VPC",
            Kind::VpcDnsHostnames => "aws ec2 describe-vpc-attribute --attribute enableDnsHostnames --vpc-id VPC",
            Kind::Subnets => "aws ec2 describe-subnets",
            Kind::RouteTables => "aws ec2 describe-route-tables",
            Kind::SecurityGroups => "aws ec2 describe-security-groups",
            Kind::NetworkAcls => "aws ec2 describe-network-acls",
            Kind::VpcEndpoints => "aws ec2 describe-vpc-endpoints",
            Kind::ManagedPrefixLists => "aws ec2 describe-managed-prefix-lists",
            Kind::PrefixLists => "aws ec2 describe-prefix-lists",
            Kind::PrefixListEntries => "aws ec2 get-managed-prefix-list-entries --prefix-list-id PL > PL.json",
            Kind::NetworkInterfaces => "aws ec2 describe-network-interfaces",
            Kind::EgressOnlyInternetGateways => "aws ec2 describe-egress-only-internet-gateways",
            Kind::VpcPeeringConnections => "aws ec2 describe-vpc-peering-connections",
            Kind::BlockPublicAccessOptions => "aws ec2 describe-vpc-block-public-access-options",
            Kind::BlockPublicAccessExclusions => "aws ec2 describe-vpc-block-public-access-exclusions",
            Kind::Instances => "aws ec2 describe-instances",
            Kind::InternetGateways => "aws ec2 describe-internet-gateways",
            Kind::NatGateways => "aws ec2 describe-nat-gateways",
            Kind::DhcpOptions => "aws ec2 describe-dhcp-options",
            Kind::TransitGateways => "aws ec2 describe-transit-gateways",
            Kind::TransitGatewayAttachments => "aws ec2 describe-transit-gateway-attachments",
            Kind::TransitGatewayRouteTables => "aws ec2 describe-transit-gateway-route-tables",
            Kind::TransitGatewayRoutes => {
                "aws ec2 search-transit-gateway-routes --transit-gateway-route-table-id TGW_RTB --filters Name=state,Values=active,blackhole > TGW_RTB.json"
            }
            Kind::Exports => "aws cloudformation list-exports",
            Kind::Stacks => "aws cloudformation describe-stacks",
            Kind::Iam => "aws iam get-account-authorization-details",
            Kind::SsmDocument => "aws ssm get-document --name SSM-SessionManagerRunShell",
        }
    }

    /// True for what is the same in every region (IAM).
    pub fn global(self) -> bool {
        matches!(self, Kind::Iam)
    }
}

/// A file the state was read from.
#[derive(Clone, Debug)]
pub struct StateFile {
    /// The path as shown.
    pub path: Arc<str>,
    /// The region folder it is in, if any.
    pub region: Option<String>,
    /// The calls whose output it holds.
    pub kinds: Vec<Kind>,
}

/// The account state, merged and indexed: one layer for files outside
/// region folders, one per region folder. [`AccountState::region`] gives the
/// view of one region.
#[derive(Debug, Default)]
pub struct AccountState {
    global: Layer,
    regions: BTreeMap<String, Layer>,
    files: Vec<StateFile>,
}

/// True for text shaped like a region name (`eu-west-1`, `us-gov-west-1`):
/// a two-letter area, one or two words, a number of one or two digits.
pub fn is_region_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    let letters = |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase());
    (3..=4).contains(&parts.len())
        && parts[0].len() == 2
        && parts[..parts.len() - 1].iter().all(letters)
        && parts.last().is_some_and(|p| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
}

impl AccountState {
    /// Reads every state file under `paths`. Files in region folders of
    /// regions not in `regions` are not read (an empty `regions` reads all).
    pub fn load(paths: &[PathBuf], regions: &[String]) -> Result<AccountState, StateError> {
        AccountState::load_within(paths, regions, None)
    }

    /// [`AccountState::load`] for paths the configuration file names: every
    /// file found in a folder must be inside `within` (the project root),
    /// symbolic links resolved.
    pub fn load_within(
        paths: &[PathBuf],
        regions: &[String],
        within: Option<&crate::project::ProjectRoot>,
    ) -> Result<AccountState, StateError> {
        let found: Vec<load::Found> = load::find(paths, within)?
            .into_iter()
            .filter(|f| f.region.as_ref().is_none_or(|r| regions.is_empty() || regions.contains(r)))
            .collect();
        let read: Vec<Result<Option<load::Recognized>, StateError>> = found.par_iter().map(load::read).collect();
        let mut recognized = Vec::new();
        for (f, r) in found.into_iter().zip(read) {
            if let Some(r) = r? {
                recognized.push((f.display, f.region, r));
            }
        }
        AccountState::build(recognized)
    }

    /// Reads state from texts: `(file name shown, region folder, JSON text)`
    /// (for tests and benchmarks; the file name decides `Entries` as on disk).
    pub fn from_texts(files: &[(&str, Option<&str>, &str)]) -> Result<AccountState, StateError> {
        let read: Vec<Result<Option<load::Recognized>, StateError>> = files
            .par_iter()
            .map(|(path, _, text)| {
                let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
                load::recognize(path, name, text)
            })
            .collect();
        let mut recognized = Vec::new();
        for ((path, region, _), r) in files.iter().zip(read) {
            if let Some(r) = r? {
                recognized.push((Arc::from(*path), region.map(str::to_string), r));
            }
        }
        AccountState::build(recognized)
    }

    fn build(files: Vec<(Arc<str>, Option<String>, load::Recognized)>) -> Result<AccountState, StateError> {
        let mut state = AccountState::default();
        let (global, regional): (Vec<_>, Vec<_>) = files.into_iter().partition(|(_, region, _)| region.is_none());
        for (path, region, r) in global.into_iter().chain(regional) {
            state.files.push(StateFile { path: path.clone(), region: region.clone(), kinds: r.kinds.clone() });
            match region {
                None => state.global.add(&path, r, None)?,
                Some(region) => state.regions.entry(region).or_default().add(&path, r, Some(&state.global))?,
            }
        }
        state.global.index()?;
        for layer in state.regions.values_mut() {
            layer.index()?;
        }
        Ok(state)
    }

    /// What applies in `region`: its folder's files, then the files
    /// outside region folders.
    pub fn region(&self, region: &str) -> RegionState<'_> {
        RegionState::new(self.regions.get(region), &self.global)
    }

    /// The files read, global ones first, each in path order.
    pub fn files(&self) -> &[StateFile] {
        &self.files
    }

    /// Files outside region folders that hold regional resources (anything
    /// but IAM): they apply to every analyzed region, which is worth saying
    /// when a run analyzes several.
    pub fn regional_files_outside_region_folders(&self) -> Vec<&str> {
        self.files
            .iter()
            .filter(|f| f.region.is_none() && f.kinds.iter().any(|k| !k.global()))
            .map(|f| &*f.path)
            .collect()
    }

    /// The region folders read.
    pub fn region_folders(&self) -> impl Iterator<Item = &str> {
        self.regions.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests;
