//! What to give for a value the template leaves open ([`Open`]), so that
//! the checks it decides are traced: the advice of its PN005 note and of
//! every unknown hop it causes.

use crate::resolve::Open;

/// How to give the value so that the checks it decides are traced.
pub fn advice(open: &Open) -> String {
    match open {
        Open::Parameter { name, scope, .. } if is_nested(scope) => format!(
            "Pass `{name}` in the `Parameters` of the AWS::CloudFormation::Stack `{scope}` that nests this template (a nested stack gets its values only from its parent), or give it a `Default`."
        ),
        Open::Parameter { name, ty, .. } => match id_example(ty) {
            Some((example, what)) => format!(
                "Pass the value the stack is deployed with, `--parameter {name}={example}`, and the account's saved state with --account-state, which describes that {what} (an ID alone names something outside the template)."
            ),
            None => format!(
                "Pass the value the stack is deployed with: `--parameter {name}=<value>` (for the ID of an existing resource, also pass the account's saved state with --account-state)."
            ),
        },
        Open::Import { name } => format!(
            "Lint the template that exports `{name}` in the same run (`privnet-lint app.yaml network.yaml`), or pass the account's saved state with --account-state (its exports, from `aws cloudformation list-exports`)."
        ),
        Open::Exporters { templates, .. } => format!(
            "Lint this template with only the one it is deployed with ({}), or pass the account's saved state with --account-state (its exports, from `aws cloudformation list-exports`).",
            templates.join(" or ")
        ),
        Open::ParentStack(p) if p.exporters.len() > 1 => format!(
            "Lint this template with only the one `{}` names ({}), or pass the stack's name with `--parameter {}=<stack name>` and the account's saved state with --account-state (its exports, from `aws cloudformation list-exports`).",
            p.parameter,
            p.exporters.join(" or "),
            p.parameter
        ),
        Open::ParentStack(p) => format!(
            "Lint the template of the stack `{parameter}` names in the same run (`privnet-lint vpc.yaml app.yaml`): when it is the only one exporting every name the imports need, `{parameter}` is bound to it (PN010). Or pass the stack's name with `--parameter {parameter}=<stack name>` and the account's saved state with --account-state (its exports, from `aws cloudformation list-exports`).",
            parameter = p.parameter
        ),
        Open::Undefined { name, reported: true } => {
            format!("Correct the name, or declare the parameter or resource `{name}` in the template.")
        }
        Open::Undefined { name, reported: false } => format!(
            "Lint the template as CloudFormation receives it, once the module or macro that may define `{name}` is expanded (for rain modules, the output of `rain pkg`), or declare `{name}` in the template."
        ),
        Open::Id { id } => format!(
            "Pass the account's saved state with --account-state, which describes `{id}`, or declare the resource in the template."
        ),
        Open::State { call, .. } => format!(
            "Save the output of `{call}` (`--output json`) with the other files of the account state, and run again."
        ),
        Open::DefaultVpc => "Give the workload a subnet (`SubnetId` on an instance or its network interface, `VPCZoneIdentifier` on an Auto Scaling group): the subnet decides the route, the network ACLs and the endpoints. Or pass the account's saved state with --account-state, which describes the default VPC and its default subnets.".into(),
    }
}

/// A nested stack's scope (logical IDs are alphanumeric), not another
/// file of the run (`network.yaml`).
fn is_nested(scope: &str) -> bool {
    scope.split('/').next().is_some_and(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// An example value and what it names, for the AWS-specific parameter types.
fn id_example(ty: &str) -> Option<(&'static str, &'static str)> {
    let inner = ty.strip_prefix("List<").and_then(|t| t.strip_suffix('>'));
    let list = inner.is_some();
    Some(match (inner.unwrap_or(ty), list) {
        ("AWS::EC2::Subnet::Id", false) => ("subnet-0123456789abcdef0", "subnet"),
        ("AWS::EC2::Subnet::Id", true) => ("subnet-0123456789abcdef0,subnet-0fedcba9876543210", "subnets"),
        ("AWS::EC2::VPC::Id", _) => ("vpc-0123456789abcdef0", "VPC"),
        ("AWS::EC2::SecurityGroup::Id", false) => ("sg-0123456789abcdef0", "security group"),
        ("AWS::EC2::SecurityGroup::Id", true) => ("sg-0123456789abcdef0", "security groups"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    #[test]
    fn advice_fits_the_parameter() {
        let p = |ty: &str, scope: &str| Open::Parameter {
            name: "Subnet".into(),
            ty: ty.into(),
            declared: Span::default(),
            scope: scope.into(),
        };
        let a = advice(&p("AWS::EC2::Subnet::Id", ""));
        assert!(a.contains("--parameter Subnet=subnet-") && a.contains("--account-state"), "{a}");
        let a = advice(&p("List<AWS::EC2::Subnet::Id>", ""));
        assert!(a.contains("subnet-0123456789abcdef0,subnet-"), "{a}");
        let a = advice(&p("String", ""));
        assert!(a.contains("--parameter Subnet=<value>"), "{a}");
        // a parameter of another file of the run takes --parameter too
        let a = advice(&p("String", "network.yaml"));
        assert!(a.contains("--parameter Subnet=<value>"), "{a}");
        // a nested stack's only from its parent
        let a = advice(&p("AWS::EC2::Subnet::Id", "NetworkStack"));
        assert!(a.contains("`Parameters` of the AWS::CloudFormation::Stack `NetworkStack`"), "{a}");
    }

    #[test]
    fn several_exporters_are_told_apart_by_linting_one() {
        let open = Open::Exporters { name: "${Parent}-Vpc".into(), templates: vec!["a.yaml".into(), "b.yaml".into()] };
        let a = advice(&open);
        assert!(a.contains("only the one it is deployed with (a.yaml or b.yaml)") && !a.contains("--parameter"), "{a}");
    }
}
