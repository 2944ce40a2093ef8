//! Findings on a template the CDK synthesized speak CDK: the fix names the
//! construct (by its construct path) and the construct property or method
//! to change in the app, not the CloudFormation YAML nobody edits, and a
//! finding on an `ec2.Vpc` subnet's route table says which kind of subnet
//! it is.
//!
//! The CDK words, from aws-cdk-lib's `aws-ec2` and `aws-iam` API reference:
//! `Vpc.addGatewayEndpoint` / `addInterfaceEndpoint` with
//! `GatewayVpcEndpointAwsService.S3` and `InterfaceVpcEndpointAwsService.SSM`,
//! `SSM_MESSAGES`, `EC2_MESSAGES` (private DNS on by default); the `Vpc`
//! props `enableDnsHostnames` / `enableDnsSupport` (true by default);
//! `SecurityGroup` `allowAllOutbound` and `addEgressRule`; `Instance`
//! `ssmSessionPermissions`; `ManagedPolicy.fromAwsManagedPolicyName`;
//! `ServicePrincipal`. The subnet kind is the `aws-cdk:subnet-type` tag
//! `ec2.Vpc` puts on every subnet (`Public`, `Private`, `Isolated` for
//! `SubnetType.PUBLIC`, `PRIVATE_WITH_EGRESS`, `PRIVATE_ISOLATED`).

use crate::finding::{Code, Finding};
use crate::network::Network;
use crate::network::region::s3_prefix_list;
use crate::resolve::{RNode, Resolved, Val};

/// The construct a construct path names: an L2 construct's L1 resource is
/// its child `Resource` (`App/Vpc/Resource` is the `ec2.Vpc` `App/Vpc`).
pub fn construct(path: &str) -> &str {
    path.strip_suffix("/Resource").unwrap_or(path)
}

/// The `ec2.SubnetType` of a subnet `ec2.Vpc` made, from its tags.
pub fn subnet_type(resolved: &Resolved, subnet: &str) -> Option<&'static str> {
    let tags = resolved.resource(subnet)?.prop("Tags")?;
    let Val::List(items) = &tags.val else { return None };
    let value = items.iter().find_map(|t| {
        (t.get("Key").and_then(RNode::text) == Some("aws-cdk:subnet-type")).then(|| t.get("Value")?.text())?
    })?;
    match value {
        "Public" => Some("PUBLIC"),
        "Private" => Some("PRIVATE_WITH_EGRESS"),
        "Isolated" => Some("PRIVATE_ISOLATED"),
        _ => None,
    }
}

/// Rewrites the fixes (and, for route tables, the messages) of findings
/// on CDK resources, for `region`.
pub fn speak_cdk(findings: &mut [Finding], resolved: &Resolved, net: &Network, region: &str) {
    let path_of = |id: &str| resolved.resource(id).and_then(|r| r.construct_path.as_deref()).map(construct);
    for f in findings.iter_mut() {
        let (Some(path), Some(id)) = (f.construct_path.clone(), f.resource.clone()) else { continue };
        let here = construct(&path).to_string();
        // the ec2.Vpc a route table, endpoint or VPC belongs to
        let vpc_of = |id: &str| -> Option<String> {
            let vpc = net
                .route_tables
                .iter()
                .find(|t| t.id == id)
                .map(|t| &t.vpc)
                .or_else(|| net.endpoints.iter().find(|e| e.id == id).map(|e| &e.vpc))?;
            path_of(vpc.id()?).map(str::to_string)
        };
        let fix = match f.code {
            Code::PN101 => {
                let vpc = vpc_of(&id).unwrap_or_else(|| "the ec2.Vpc".to_string());
                let kinds: Vec<&str> = net
                    .subnets
                    .iter()
                    .filter(|s| s.route_table.as_ref().and_then(|r| r.id()) == Some(id.as_str()))
                    .filter_map(|s| subnet_type(resolved, &s.id))
                    .collect();
                if let Some(kind) = kinds.first() {
                    f.message.push_str(&format!(" (the route table of a {kind} subnet of ec2.Vpc {vpc})"));
                }
                format!(
                    "In the CDK app, give the ec2.Vpc `{vpc}` an S3 gateway endpoint:\n  \
                     vpc.addGatewayEndpoint('S3', {{ service: ec2.GatewayVpcEndpointAwsService.S3 }});\n\
                     or put the instance in a PRIVATE_WITH_EGRESS subnet of a VPC with a NAT gateway \
                     (`vpcSubnets: {{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }}`)."
                )
            }
            Code::PN102 => format!(
                "In the CDK app, add the instance's subnets to the `subnets` of the S3 gateway endpoint `{here}`:\n  \
                 vpc.addGatewayEndpoint('S3', {{ service: ec2.GatewayVpcEndpointAwsService.S3, \
                 subnets: [{{ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }}] }});\n\
                 (the subnet type of the instance's `vpcSubnets`; without `subnets`, the endpoint serves every subnet)."
            ),
            Code::PN103 | Code::PN401 => {
                let vpc = if f.code == Code::PN401 { Some(here.clone()) } else { vpc_of(&id) };
                let vpc = vpc.unwrap_or_else(|| "the ec2.Vpc".to_string());
                format!(
                    "In the CDK app, give the ec2.Vpc `{vpc}` the Session Manager interface endpoints \
                     (private DNS is on by default):\n  \
                     vpc.addInterfaceEndpoint('Ssm', {{ service: ec2.InterfaceVpcEndpointAwsService.SSM }});\n  \
                     vpc.addInterfaceEndpoint('SsmMessages', {{ service: ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES }});\n  \
                     vpc.addInterfaceEndpoint('Ec2Messages', {{ service: ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES }});\n\
                     or put the instance in a PRIVATE_WITH_EGRESS subnet of a VPC with a NAT gateway."
                )
            }
            Code::PN402 => format!(
                "In the CDK app, turn private DNS back on for the interface endpoint `{here}`: remove \
                 `privateDnsEnabled: false` from its options (`privateDnsEnabled: true` is the default)."
            ),
            Code::PN403 => format!(
                "In the CDK app, remove `enableDnsSupport: false` from the ec2.Vpc `{here}` (`enableDnsSupport: true` is the default)."
            ),
            Code::PN404 => format!(
                "In the CDK app, remove `enableDnsHostnames: false` from the ec2.Vpc `{here}` (`enableDnsHostnames: true` is the default)."
            ),
            Code::PN201 => {
                let peer = match s3_prefix_list(region) {
                    Some(pl) => format!("ec2.Peer.prefixList('{pl}')"),
                    None => "ec2.Peer.anyIpv4()".to_string(),
                };
                let created = if net.groups.iter().any(|g| g.id == id && g.cdk_no_egress) {
                    " was created with allowAllOutbound: false; allow"
                } else {
                    ": allow"
                };
                format!(
                    "In the CDK app, the security group `{here}`{created} HTTPS to S3 \
                     (the prefix list of S3 in {region}):\n  \
                     securityGroup.addEgressRule({peer}, ec2.Port.tcp(443), 'dnf from S3');\n\
                     or create it with `allowAllOutbound: true`."
                )
            }
            Code::PN202 => {
                let created = if net.groups.iter().any(|g| g.id == id && g.cdk_no_egress) {
                    " was created with allowAllOutbound: false; allow"
                } else {
                    ": allow"
                };
                format!(
                    "In the CDK app, the security group `{here}`{created} HTTPS to the interface endpoints:\n  \
                     instance.connections.allowTo(endpoint, ec2.Port.tcp(443));\n\
                     (for each of the ssm, ssmmessages and ec2messages endpoints), or create it with `allowAllOutbound: true`."
                )
            }
            Code::PN203 => format!(
                "In the CDK app, let the instance through the interface endpoint's security group `{here}`:\n  \
                 endpoint.connections.allowDefaultPortFrom(instance);\n\
                 (an endpoint made with `open: true`, the default, admits the whole VPC CIDR)."
            ),
            Code::PN501 => "In the CDK app, give the instance a role: ec2.Instance creates one (or takes `role`); \
                            for an ec2.CfnInstance, pass an iam.InstanceProfile:\n  \
                            new iam.InstanceProfile(this, 'Profile', { role });"
                .to_string(),
            // an explicit Deny is fixed by removing it, as the fix says
            Code::PN502 if f.fix.as_deref().is_some_and(|x| x.contains("AmazonSSMManagedInstanceCore")) => format!(
                "In the CDK app, give the role `{here}` the Session Manager permissions:\n  \
                 role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'));\n\
                 or, on the ec2.Instance, set `ssmSessionPermissions: true`."
            ),
            Code::PN503 => format!(
                "In the CDK app, let EC2 assume the role `{here}`:\n  \
                 assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com')"
            ),
            Code::PN504 => format!(
                "In the CDK app, remove `httpEndpoint: false` from the ec2.LaunchTemplate `{here}` \
                 (the instance metadata endpoint must stay on for the SSM agent's credentials)."
            ),
            _ => continue,
        };
        f.fix = Some(fix);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_l1_resource_names_its_l2_construct() {
        assert_eq!(construct("App/Vpc/Resource"), "App/Vpc");
        assert_eq!(construct("App/Instance/InstanceProfile"), "App/Instance/InstanceProfile");
        assert_eq!(construct("Resource"), "Resource");
    }
}
