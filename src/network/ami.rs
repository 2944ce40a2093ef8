//! The AMI a workload runs, as far as the template names it: its operating
//! system family (which decides the package repository the `dnf` check
//! traces) and whether it ships SSM Agent (PN505).
//!
//! A template names the family only through an AMI *public parameter* of
//! Systems Manager Parameter Store, as `ImageId: resolve:ssm:<name>`,
//! `{{resolve:ssm:<name>}}`, or the `Default` (or `--parameter` value) of an
//! `AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>` parameter (SSM UG,
//! "Calling AMI public parameters"; "Discovering public parameters in
//! Parameter Store" lists the owners: `ami-amazon-linux-latest`,
//! `ami-windows-latest`, `bottlerocket`, `canonical`, `ecs`, `eks`, …). A
//! literal `ami-…` ID, from a `Mappings` table or a parameter, says nothing:
//! the family is unknown, and the `dnf` check assumes Amazon Linux 2023
//! (SPEC §2).

use serde::Serialize;

use crate::resolve::{RNode, Val};

/// The operating system family of an AMI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AmiFamily {
    /// Amazon Linux 2023.
    Al2023,
    /// Amazon Linux 2.
    Al2,
    /// Amazon Linux (AMI) 1, end of support 2023-12-31.
    Al1,
    /// Ubuntu Server (Canonical).
    Ubuntu,
    /// Debian.
    Debian,
    /// SUSE Linux Enterprise Server.
    Suse,
    /// Windows Server.
    Windows,
    /// macOS on EC2 Mac instances.
    Macos,
    /// Bottlerocket: no package manager.
    Bottlerocket,
    /// Not known from the template (the `dnf` check assumes AL2023).
    Unknown,
}

/// Which build of the family: the base AMI, its minimal variant, or the
/// ECS- or EKS-optimized AMI built on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    /// The standard AMI.
    Standard,
    /// A minimal AMI (fewer packages; AL2023 minimal has no SSM Agent).
    Minimal,
    /// The Amazon ECS-optimized AMI.
    EcsOptimized,
    /// The Amazon EKS-optimized AMI.
    EksOptimized,
    /// An AWS Deep Learning AMI.
    DeepLearning,
}

/// Whether the AMI ships SSM Agent (SSM UG, "Find AMIs with the SSM Agent
/// preinstalled").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Agent {
    /// On AWS's list (or, for Bottlerocket, run by its control container).
    Preinstalled,
    /// Known not to include it.
    Absent,
    /// Cannot be told.
    Unknown,
}

/// The AMI of a workload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ami {
    /// Its operating system family.
    pub family: AmiFamily,
    /// Which build.
    pub variant: Variant,
    /// Whether it ships SSM Agent.
    pub agent: Agent,
    /// The public parameter that names it, when it is one.
    pub parameter: Option<String>,
    /// What `ImageId` is, when the family is unknown (for messages).
    pub unknown_because: Option<String>,
}

/// The package repository a family's package manager reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Repository {
    /// Amazon Linux: buckets on S3 in the instance's own region.
    S3 {
        /// The bucket the mirror list comes from (the one traced).
        bucket: String,
        /// The host name the package manager connects to.
        host: String,
        /// `443` (HTTPS) or `80` (AL1's plain HTTP).
        port: u16,
        /// Every bucket an S3 endpoint policy must allow `s3:GetObject` on,
        /// with `${AWS::Region}` for the region (for the PN406 fix).
        policy_buckets: Vec<String>,
    },
    /// A distribution mirror on the internet: reachable only through a NAT
    /// gateway or an internet gateway, never through an S3 gateway endpoint.
    Mirror {
        /// The host name traced.
        host: String,
        /// Its port.
        port: u16,
        /// The URL as the AMI configures it.
        url: String,
        /// Other hosts the package manager also reads (security updates).
        also: Vec<String>,
        /// Where this is written down.
        source: &'static str,
    },
    /// The family has no package manager the check applies to: why.
    NotApplicable(String),
}

/// A public parameter path, without `resolve:ssm:`, braces, a leading `/`
/// and a `:version` suffix.
fn parameter_path(text: &str) -> Option<String> {
    let t = text.trim();
    let t = t.strip_prefix("{{").and_then(|r| r.strip_suffix("}}")).unwrap_or(t).trim();
    let t = t.strip_prefix("resolve:ssm:").unwrap_or(t);
    // `name:12` pins a parameter version
    let t = match t.rsplit_once(':') {
        Some((name, version)) if !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => t,
    };
    let t = t.trim();
    (t.starts_with('/') || t.starts_with("aws/")).then(|| t.to_string())
}

/// A Ubuntu release named by number (`22.04`) or code name (`jammy`):
/// `Some(true)` from 16.04 on, which ship the agent (as a snap).
fn ubuntu_with_agent(release: &str) -> Option<bool> {
    if let Some((major, _)) = release.split_once('.')
        && let Ok(major) = major.parse::<u32>()
    {
        return Some(major >= 16);
    }
    const BEFORE_16_04: &[&str] = &["precise", "trusty", "utopic", "vivid", "wily"];
    const FROM_16_04: &[&str] = &[
        "xenial", "yakkety", "zesty", "artful", "bionic", "cosmic", "disco", "eoan", "focal", "groovy", "hirsute",
        "impish", "jammy", "kinetic", "lunar", "mantic", "noble", "oracular", "plucky", "questing",
    ];
    if BEFORE_16_04.contains(&release) {
        Some(false)
    } else if FROM_16_04.contains(&release) {
        Some(true)
    } else {
        None
    }
}

impl Ami {
    /// An AMI the template does not identify.
    pub fn unknown(because: impl Into<String>) -> Ami {
        Ami {
            family: AmiFamily::Unknown,
            variant: Variant::Standard,
            agent: Agent::Unknown,
            parameter: None,
            unknown_because: Some(because.into()),
        }
    }

    fn known(family: AmiFamily, variant: Variant, agent: Agent, path: &str) -> Ami {
        Ami { family, variant, agent, parameter: Some(path.to_string()), unknown_because: None }
    }

    /// The AMI named by an `ImageId` text: a public parameter path
    /// (`resolve:ssm:/aws/service/…`, `{{resolve:ssm:…}}`, or a parameter
    /// name held by an `AWS::SSM::Parameter::Value` parameter).
    pub fn from_text(image: &str) -> Ami {
        let Some(path) = parameter_path(image) else {
            let shown = image.trim();
            return if shown.starts_with("ami-") {
                Ami::unknown(format!(
                    "`ImageId` is the AMI ID `{shown}`, which does not say which operating system it is"
                ))
            } else {
                Ami::unknown(format!("`ImageId` is `{shown}`, not an AMI public parameter"))
            };
        };
        let Some(rest) = path.trim_start_matches('/').strip_prefix("aws/service/") else {
            return Ami::unknown(format!(
                "`ImageId` is the SSM parameter `{path}` of the account, not an AWS public parameter"
            ));
        };
        let segs: Vec<&str> = rest.split('/').collect();
        let seg = |i: usize| segs.get(i).copied().unwrap_or("");
        use AmiFamily as F;
        use Variant as V;
        match seg(0) {
            // SSM UG "Calling AMI public parameters"; the names are those of
            // the AMIs (al2023-ami-…, amzn2-ami-…, amzn-ami-…). The minimal
            // AL2023 AMI has no SSM Agent (AL2023 UG "Comparing AL2023 AMI
            // types"); AWS's list names neither minimal AL2 nor minimal AL1.
            "ami-amazon-linux-latest" => {
                let name = seg(1);
                let minimal = name.contains("-minimal-");
                if name.starts_with("al2023-ami") {
                    if minimal {
                        Ami::known(F::Al2023, V::Minimal, Agent::Absent, &path)
                    } else {
                        Ami::known(F::Al2023, V::Standard, Agent::Preinstalled, &path)
                    }
                } else if name.starts_with("amzn2-ami") {
                    let (v, a) =
                        if minimal { (V::Minimal, Agent::Unknown) } else { (V::Standard, Agent::Preinstalled) };
                    Ami::known(F::Al2, v, a, &path)
                } else if name.starts_with("amzn-ami") {
                    let (v, a) =
                        if minimal { (V::Minimal, Agent::Unknown) } else { (V::Standard, Agent::Preinstalled) };
                    Ami::known(F::Al1, v, a, &path)
                } else {
                    Ami::unknown(format!("`{path}` is not an Amazon Linux AMI name privnet-lint knows"))
                }
            }
            // ECS Developer Guide, "Retrieving Amazon ECS-optimized Linux AMI
            // metadata": /aws/service/ecs/optimized-ami/amazon-linux-2023/…,
            // …/amazon-linux-2/…, …/amazon-linux/… (AL1). AWS's agent list
            // names the ECS-optimized AL2 AMIs, not AL1's; the AL2023 one is
            // built from the minimal AMI, and its build adds the agent
            // (aws/amazon-ecs-ami, variables.pkr.hcl: packages_al2023
            // includes amazon-ssm-agent).
            "ecs" if seg(1) == "optimized-ami" => match seg(2) {
                "amazon-linux-2023" => Ami::known(F::Al2023, V::EcsOptimized, Agent::Preinstalled, &path),
                "amazon-linux-2" => Ami::known(F::Al2, V::EcsOptimized, Agent::Preinstalled, &path),
                "amazon-linux" => Ami::known(F::Al1, V::EcsOptimized, Agent::Unknown, &path),
                _ => Ami::unknown(format!("`{path}` is not an ECS-optimized AMI privnet-lint knows")),
            },
            // EKS UG, "Retrieve recommended Amazon Linux AMI IDs":
            // /aws/service/eks/optimized-ami/<k8s>/amazon-linux-2023/<arch>/…,
            // …/amazon-linux-2[-arm64|-gpu]/…; AWS's agent list names "Amazon
            // EKS-Optimized Amazon Linux AMIs".
            "eks" if seg(1) == "optimized-ami" => {
                let os = seg(3);
                if os.starts_with("amazon-linux-2023") {
                    Ami::known(F::Al2023, V::EksOptimized, Agent::Preinstalled, &path)
                } else if os.starts_with("amazon-linux-2") {
                    Ami::known(F::Al2, V::EksOptimized, Agent::Preinstalled, &path)
                } else {
                    Ami::unknown(format!("`{path}` is not an EKS-optimized AMI privnet-lint knows"))
                }
            }
            // Bottlerocket: /aws/service/bottlerocket/<variant>/<arch>/latest/image_id.
            // Its control container, on by default, runs SSM Agent
            // (bottlerocket.dev "Host Containers").
            "bottlerocket" => Ami::known(F::Bottlerocket, V::Standard, Agent::Preinstalled, &path),
            // Canonical: /aws/service/canonical/ubuntu/server/<release>/stable/current/<arch>/hvm/ebs-gp2/ami-id.
            // Ubuntu Server 16.04 and later ship the agent (a snap from 18.04).
            "canonical" if seg(1) == "ubuntu" => {
                let agent = match (seg(2), ubuntu_with_agent(seg(3))) {
                    ("server" | "pro-server", Some(true)) => Agent::Preinstalled,
                    ("server" | "pro-server", Some(false)) => Agent::Absent,
                    _ => Agent::Unknown,
                };
                let variant = if seg(2).contains("minimal") { V::Minimal } else { V::Standard };
                Ami::known(F::Ubuntu, variant, agent, &path)
            }
            // Debian: /aws/service/debian/release/<version>/latest/<arch>.
            // Not on AWS's agent list: Debian AMIs do not include it.
            "debian" => Ami::known(F::Debian, V::Standard, Agent::Absent, &path),
            // SUSE: /aws/service/suse/sles/<version>/<arch>/latest; SLES 12
            // and 15 ship the agent.
            "suse" => {
                let agent = if seg(1).starts_with("sles") { Agent::Preinstalled } else { Agent::Unknown };
                Ami::known(F::Suse, V::Standard, agent, &path)
            }
            // /aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base
            // (ECS- and EKS-optimized Windows AMIs live here too).
            "ami-windows-latest" => {
                let variant = if seg(1).contains("ECS_Optimized") {
                    V::EcsOptimized
                } else if seg(1).contains("EKS_Optimized") {
                    V::EksOptimized
                } else {
                    V::Standard
                };
                Ami::known(F::Windows, variant, Agent::Preinstalled, &path)
            }
            "ec2-macos" => Ami::known(F::Macos, V::Standard, Agent::Preinstalled, &path),
            // /aws/service/deeplearning/ami/<arch>/<name>-amazon-linux-2023/latest/ami-id
            // or …-ubuntu-22.04/…; the DLAMI release notes list the agent's version.
            "deeplearning" => {
                let name = seg(3);
                if name.contains("amazon-linux-2023") {
                    Ami::known(F::Al2023, V::DeepLearning, Agent::Preinstalled, &path)
                } else if name.contains("amazon-linux-2") {
                    Ami::known(F::Al2, V::DeepLearning, Agent::Preinstalled, &path)
                } else if name.contains("ubuntu") {
                    Ami::known(F::Ubuntu, V::DeepLearning, Agent::Preinstalled, &path)
                } else {
                    Ami::unknown(format!("`{path}` is not a Deep Learning AMI privnet-lint knows"))
                }
            }
            _ => Ami::unknown(format!("`{path}` is not an AMI public parameter privnet-lint knows")),
        }
    }

    /// The AMI named by a resolved `ImageId`.
    pub fn of(node: &RNode) -> Ami {
        match &node.val {
            Val::Str(s) => Ami::from_text(s),
            Val::Ssm(name) if parameter_path(name).is_none() => Ami::unknown(format!(
                "`ImageId` is the SSM parameter `{name}` of the account, not an AWS public parameter"
            )),
            Val::Ssm(name) => Ami::from_text(name),
            Val::Text(_) => match node.pattern_text() {
                // `!Sub '{{resolve:ssm:/aws/service/…-${Arch}}}'`: the family
                // is in the known part
                Some(p) if p.contains("aws/service/") => {
                    let mut ami = Ami::from_text(&p);
                    if ami.family == AmiFamily::Unknown {
                        ami.unknown_because = Some(format!("`ImageId` is `{p}`, which is only partly known"));
                    }
                    ami
                }
                Some(p) => Ami::unknown(format!("`ImageId` is `{p}`, which is only partly known")),
                None => Ami::unknown("`ImageId` is not known before deployment"),
            },
            Val::Att(id, attr) => Ami::unknown(format!("`ImageId` is `{id}.{attr}`, known only after deployment")),
            _ => match node.unknown() {
                Some(u) => Ami::unknown(format!("`ImageId` is not known: {}", u.reason)),
                None => Ami::unknown("`ImageId` does not name an AMI public parameter"),
            },
        }
    }

    /// What the AMI is, for messages: "Amazon Linux 2 (ECS-optimized)".
    pub fn describe(&self) -> String {
        let os = match self.family {
            AmiFamily::Al2023 => "Amazon Linux 2023",
            AmiFamily::Al2 => "Amazon Linux 2",
            AmiFamily::Al1 => "Amazon Linux 1",
            AmiFamily::Ubuntu => "Ubuntu",
            AmiFamily::Debian => "Debian",
            AmiFamily::Suse => "SUSE Linux Enterprise Server",
            AmiFamily::Windows => "Windows Server",
            AmiFamily::Macos => "macOS",
            AmiFamily::Bottlerocket => "Bottlerocket",
            AmiFamily::Unknown => return "an AMI the template does not identify".to_string(),
        };
        match self.variant {
            Variant::Standard => os.to_string(),
            Variant::Minimal => format!("{os} minimal"),
            Variant::EcsOptimized => format!("{os} (ECS-optimized)"),
            Variant::EksOptimized => format!("{os} (EKS-optimized)"),
            Variant::DeepLearning => format!("{os} (Deep Learning AMI)"),
        }
    }

    /// The package manager the `dnf` check stands for on this AMI, as the
    /// human output names the check: `dnf` (Amazon Linux, and unknown AMIs,
    /// which are assumed to be AL2023), `apt`, `zypper`.
    pub fn package_manager(&self) -> &'static str {
        match self.family {
            AmiFamily::Ubuntu | AmiFamily::Debian => "apt",
            AmiFamily::Suse => "zypper",
            _ => "dnf",
        }
    }

    /// The repository, for messages: "the Amazon Linux repository".
    pub fn repository_name(&self) -> &'static str {
        match self.family {
            AmiFamily::Ubuntu => "the Ubuntu archive",
            AmiFamily::Debian => "the Debian archive",
            AmiFamily::Suse => "SUSE's update servers",
            _ => "the Amazon Linux repository",
        }
    }

    /// Why the `dnf` check does not apply to this AMI, when it does not
    /// (SPEC §2: `not-applicable`, the workload says why).
    pub fn not_applicable(&self) -> Option<String> {
        match self.family {
            AmiFamily::Windows => {
                Some(format!("{} has no dnf: it gets updates from Windows Update", self.describe()))
            }
            AmiFamily::Macos => Some("macOS has no dnf: it gets updates from Apple's software update".into()),
            // GuardDuty UG, "Managing GuardDuty security agent on
            // Bottlerocket": an immutable root filesystem, no traditional
            // package manager
            AmiFamily::Bottlerocket => Some(
                "Bottlerocket has no package manager: it updates as a whole image through its update API, and software runs in containers"
                    .into(),
            ),
            _ => None,
        }
    }

    /// The repository the package manager of this AMI reads in `region`.
    pub fn repository(&self, region: &str) -> Repository {
        let s3 = |bucket: String, port: u16, policy_buckets: &[&str]| Repository::S3 {
            host: match port {
                // AL1's repo file: http://repo.<region>.amazonaws.com, a
                // bucket of that name on S3
                80 => bucket.clone(),
                _ => format!("{bucket}.s3.dualstack.{region}.amazonaws.com"),
            },
            bucket,
            port,
            policy_buckets: policy_buckets.iter().map(|b| b.to_string()).collect(),
        };
        match self.family {
            // AWS-SEMANTICS §0: AL2023's mirror list is on
            // https://al2023-repos-<region>-de612dc2.s3.dualstack.<region>.amazonaws.com
            AmiFamily::Al2023 => s3(al2023_bucket(region), 443, &["al2023-repos-${AWS::Region}-de612dc2"]),
            // Current AL2 AMIs (which the public parameters name) read
            // https://amazonlinux-2-repos-<region>.s3.dualstack…; AMIs from
            // before mid-2021 http://amazonlinux.<region>.amazonaws.com. An
            // endpoint policy should allow both (EMR Management Guide,
            // "Sample policies for private subnets that access Amazon S3").
            AmiFamily::Al2 => s3(
                format!("amazonlinux-2-repos-{region}"),
                443,
                &["amazonlinux-2-repos-${AWS::Region}", "amazonlinux.${AWS::Region}.amazonaws.com"],
            ),
            // AL1: http://repo.<region>.amazonaws.com (mirror list) and
            // packages.<region>.amazonaws.com, both S3 buckets (VPC UG,
            // "Gateway endpoints for Amazon S3", 2021 edition).
            AmiFamily::Al1 => s3(
                format!("repo.{region}.amazonaws.com"),
                80,
                &["repo.${AWS::Region}.amazonaws.com", "packages.${AWS::Region}.amazonaws.com"],
            ),
            // SPEC §2: an unknown AMI is treated as AL2023; the policy fix
            // names AL2's buckets too
            AmiFamily::Unknown => s3(
                al2023_bucket(region),
                443,
                &["al2023-repos-${AWS::Region}-de612dc2", "amazonlinux-2-repos-${AWS::Region}"],
            ),
            // cloud-init's package_mirrors for EC2 (config/cloud.cfg.tmpl):
            // http://<region>.ec2.archive.ubuntu.com/ubuntu/ for amd64 and
            // http://security.ubuntu.com/ubuntu for security updates (arm64:
            // ports.ubuntu.com). Canonical's mirrors are on the internet, not
            // on S3.
            AmiFamily::Ubuntu => Repository::Mirror {
                host: format!("{region}.ec2.archive.ubuntu.com"),
                port: 80,
                url: format!("http://{region}.ec2.archive.ubuntu.com/ubuntu/"),
                also: vec!["security.ubuntu.com".into()],
                source: "cloud-init's EC2 package_mirrors (config/cloud.cfg.tmpl)",
            },
            // debian-cloud-images, class EC2: apt_cdn=http://cdn-aws.deb.debian.org
            // (the Debian archive on CloudFront)
            AmiFamily::Debian => Repository::Mirror {
                host: "cdn-aws.deb.debian.org".into(),
                port: 80,
                url: "http://cdn-aws.deb.debian.org/debian".into(),
                also: vec!["security.debian.org".into()],
                source: "debian-cloud-images, EC2 class (apt_cdn)",
            },
            // SUSE "Accessing the Public Cloud Update Infrastructure via a
            // Proxy": PAYG instances register with region servers and read
            // the update servers over HTTPS (tcp/443), servers on the public
            // internet, known by IP only (smt-ec2.susecloud.net is written
            // into /etc/hosts)
            AmiFamily::Suse => Repository::Mirror {
                host: "smt-ec2.susecloud.net".into(),
                port: 443,
                url: "https://smt-ec2.susecloud.net/".into(),
                also: vec!["SUSE's region servers (regionsrv in /etc/regionserverclnt.cfg)".into()],
                source: "SUSE, \"Accessing the Public Cloud Update Infrastructure via a Proxy\"",
            },
            AmiFamily::Windows | AmiFamily::Macos | AmiFamily::Bottlerocket => {
                Repository::NotApplicable(self.not_applicable().unwrap_or_default())
            }
        }
    }
}

/// The AL2023 repository bucket of `region`.
pub fn al2023_bucket(region: &str) -> String {
    format!("al2023-repos-{region}-de612dc2")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn family(text: &str) -> (AmiFamily, Variant, Agent) {
        let a = Ami::from_text(text);
        (a.family, a.variant, a.agent)
    }

    #[test]
    fn public_parameter_paths() {
        use AmiFamily as F;
        use Variant as V;
        let table: &[(&str, (AmiFamily, Variant, Agent))] = &[
            (
                "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
                (F::Al2023, V::Standard, Agent::Preinstalled),
            ),
            (
                "{{resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-minimal-kernel-default-arm64}}",
                (F::Al2023, V::Minimal, Agent::Absent),
            ),
            (
                "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64:12",
                (F::Al2023, V::Standard, Agent::Preinstalled),
            ),
            (
                "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2",
                (F::Al2, V::Standard, Agent::Preinstalled),
            ),
            (
                "/aws/service/ami-amazon-linux-latest/amzn2-ami-kernel-5.10-hvm-x86_64-gp2",
                (F::Al2, V::Standard, Agent::Preinstalled),
            ),
            (
                "/aws/service/ami-amazon-linux-latest/amzn2-ami-minimal-hvm-x86_64-ebs",
                (F::Al2, V::Minimal, Agent::Unknown),
            ),
            (
                "/aws/service/ami-amazon-linux-latest/amzn-ami-hvm-x86_64-gp2",
                (F::Al1, V::Standard, Agent::Preinstalled),
            ),
            (
                "/aws/service/ami-amazon-linux-latest/amzn-ami-minimal-hvm-x86_64-s3",
                (F::Al1, V::Minimal, Agent::Unknown),
            ),
            (
                "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
                (F::Al2023, V::EcsOptimized, Agent::Preinstalled),
            ),
            (
                "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id",
                (F::Al2023, V::EcsOptimized, Agent::Preinstalled),
            ),
            (
                "/aws/service/ecs/optimized-ami/amazon-linux-2/recommended/image_id",
                (F::Al2, V::EcsOptimized, Agent::Preinstalled),
            ),
            (
                "/aws/service/ecs/optimized-ami/amazon-linux-2/kernel-5.10/gpu/recommended/image_id",
                (F::Al2, V::EcsOptimized, Agent::Preinstalled),
            ),
            (
                "/aws/service/ecs/optimized-ami/amazon-linux/recommended/image_id",
                (F::Al1, V::EcsOptimized, Agent::Unknown),
            ),
            (
                "/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/recommended/image_id",
                (F::Al2023, V::EksOptimized, Agent::Preinstalled),
            ),
            (
                "/aws/service/eks/optimized-ami/1.29/amazon-linux-2-arm64/recommended/image_id",
                (F::Al2, V::EksOptimized, Agent::Preinstalled),
            ),
            (
                "/aws/service/bottlerocket/aws-ecs-2/x86_64/latest/image_id",
                (F::Bottlerocket, V::Standard, Agent::Preinstalled),
            ),
            (
                "/aws/service/bottlerocket/aws-k8s-1.31/arm64/latest/image_id",
                (F::Bottlerocket, V::Standard, Agent::Preinstalled),
            ),
            (
                "resolve:ssm:/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id",
                (F::Ubuntu, V::Standard, Agent::Preinstalled),
            ),
            (
                "/aws/service/canonical/ubuntu/server/noble/stable/current/arm64/hvm/ebs-gp3/ami-id",
                (F::Ubuntu, V::Standard, Agent::Preinstalled),
            ),
            (
                "/aws/service/canonical/ubuntu/server/14.04/stable/current/amd64/hvm/ebs-gp2/ami-id",
                (F::Ubuntu, V::Standard, Agent::Absent),
            ),
            (
                "/aws/service/canonical/ubuntu/server-minimal/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id",
                (F::Ubuntu, V::Minimal, Agent::Unknown),
            ),
            ("/aws/service/debian/release/12/latest/amd64", (F::Debian, V::Standard, Agent::Absent)),
            ("/aws/service/suse/sles/15-sp5/x86_64/latest", (F::Suse, V::Standard, Agent::Preinstalled)),
            (
                "/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base",
                (F::Windows, V::Standard, Agent::Preinstalled),
            ),
            (
                "/aws/service/ami-windows-latest/Windows_Server-2019-English-Full-ECS_Optimized/image_id",
                (F::Windows, V::EcsOptimized, Agent::Preinstalled),
            ),
            ("/aws/service/ec2-macos/sonoma/arm64_mac/latest/image_id", (F::Macos, V::Standard, Agent::Preinstalled)),
            (
                "/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-amazon-linux-2023/latest/ami-id",
                (F::Al2023, V::DeepLearning, Agent::Preinstalled),
            ),
            // what says nothing
            ("ami-0123456789abcdef0", (F::Unknown, V::Standard, Agent::Unknown)),
            ("/golden/ami", (F::Unknown, V::Standard, Agent::Unknown)),
            ("/aws/service/freebsd/amd64/base/ufs/14.1/RELEASE", (F::Unknown, V::Standard, Agent::Unknown)),
            (
                "/aws/service/ecs/optimized-ami/windows_server/2019/english/full/recommended/image_id",
                (F::Unknown, V::Standard, Agent::Unknown),
            ),
        ];
        for (text, want) in table {
            assert_eq!(family(text), *want, "{text}");
        }
    }

    #[test]
    fn unknown_amis_say_why() {
        let a = Ami::from_text("ami-0123456789abcdef0");
        assert!(a.unknown_because.as_deref().is_some_and(|w| w.contains("ami-0123456789abcdef0")));
        let a = Ami::from_text("/golden/ami");
        assert!(a.unknown_because.as_deref().is_some_and(|w| w.contains("of the account")));
        assert_eq!(Ami::from_text("/aws/service/debian/release/12/latest/amd64").unknown_because, None);
    }

    #[test]
    fn repositories() {
        let al2 = Ami::from_text("/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2");
        match al2.repository("us-east-1") {
            Repository::S3 { bucket, host, port, policy_buckets } => {
                assert_eq!(bucket, "amazonlinux-2-repos-us-east-1");
                assert_eq!(host, "amazonlinux-2-repos-us-east-1.s3.dualstack.us-east-1.amazonaws.com");
                assert_eq!(port, 443);
                assert!(policy_buckets.contains(&"amazonlinux.${AWS::Region}.amazonaws.com".to_string()));
            }
            other => panic!("{other:?}"),
        }
        let al1 = Ami::from_text("/aws/service/ami-amazon-linux-latest/amzn-ami-hvm-x86_64-gp2");
        assert!(
            matches!(al1.repository("eu-west-1"), Repository::S3 { port: 80, ref host, .. } if host == "repo.eu-west-1.amazonaws.com")
        );
        let al2023 =
            Ami::from_text("resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64");
        assert!(
            matches!(al2023.repository("ap-northeast-1"), Repository::S3 { ref bucket, .. } if bucket == "al2023-repos-ap-northeast-1-de612dc2")
        );
        let ubuntu =
            Ami::from_text("/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id");
        assert!(
            matches!(ubuntu.repository("eu-west-1"), Repository::Mirror { port: 80, ref host, .. } if host == "eu-west-1.ec2.archive.ubuntu.com")
        );
        assert_eq!(ubuntu.package_manager(), "apt");
        let windows = Ami::from_text("/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base");
        assert!(matches!(windows.repository("us-east-1"), Repository::NotApplicable(_)));
        let br = Ami::from_text("/aws/service/bottlerocket/aws-ecs-2/x86_64/latest/image_id");
        assert!(matches!(br.repository("us-east-1"), Repository::NotApplicable(_)));
    }
}
