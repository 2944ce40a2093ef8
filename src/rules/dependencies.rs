//! Findings about the order CloudFormation creates resources in: a
//! circular dependency (PN008).

use crate::finding::{Code, Finding};
use crate::network::graph::{Cycle, ResourceGraph};
use crate::resolve::RefKind;

/// PN008 for every circular dependency of `graph`: CloudFormation rejects
/// the template ("Circular dependency between resources: [A, B]") before it
/// creates anything. Located at the first reference of the loop, with the
/// others as related locations.
pub fn cycle_findings(graph: &ResourceGraph<'_>) -> Vec<Finding> {
    graph.cycles().iter().filter_map(finding).collect()
}

fn finding(c: &Cycle<'_>) -> Option<Finding> {
    let first = c.steps.first()?;
    let names: Vec<&str> = c.members.iter().map(|m| m.id.as_str()).collect();
    let how = |kind: RefKind| match kind {
        RefKind::Ref => "Ref",
        RefKind::GetAtt => "Fn::GetAtt",
        RefKind::Sub => "Fn::Sub",
        RefKind::DependsOn => "DependsOn",
    };
    let path: Vec<String> = c
        .steps
        .iter()
        .map(|s| {
            let to = if s.to.id == s.from.id { "itself" } else { s.to.id.as_str() };
            format!(
                "{} refers to {to} ({} at {}, line {})",
                s.from.id,
                how(s.reference.kind),
                s.reference.path,
                s.reference.span.start.line
            )
        })
        .collect();
    let groups = c.members.iter().all(|m| m.ty == "AWS::EC2::SecurityGroup");
    let fix = if groups {
        "Move the rules that name another group (or the group itself) out of `SecurityGroupIngress`/`SecurityGroupEgress` \
         into their own `AWS::EC2::SecurityGroupIngress` or `AWS::EC2::SecurityGroupEgress` resources: a standalone rule \
         depends on both groups, and neither group depends on the other."
            .to_string()
    } else {
        "Break the loop: remove a `DependsOn` that is not needed, or move one of the references into a resource of its \
         own (an association, attachment or rule resource) that depends on both."
            .to_string()
    };
    let mut f = Finding::new(
        Code::PN008,
        Some(first.reference.span),
        format!(
            "circular dependency between resources [{}]: {}; CloudFormation rejects the template before it creates anything",
            names.join(", "),
            path.join(", ")
        ),
    )
    .on(&first.from.id)
    .fix(fix);
    for s in c.steps.iter().skip(1) {
        f = f.related(s.reference.span, format!("{} → {}", s.from.id, s.to.id));
    }
    Some(f)
}
