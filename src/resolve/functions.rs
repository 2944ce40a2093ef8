//! Intrinsic functions and pseudo parameters (AWS-SEMANTICS §7).

use ipnet::IpNet;

use super::value::{Open, Part, RNode, Unknown, Val, from_parts, split_symbolic, to_parts};
use super::{RefKind, Resolver};
use crate::finding::{Code, Finding};
use crate::source::{Node, Span, Value};
use crate::template::intrinsic::{GetAttName, SubPart, getatt_args, sub_parts};

fn unknown(reason: impl Into<String>, span: Span) -> Val {
    Val::Unknown(Unknown::new(reason.into(), span))
}

/// Attributes that return the resource's own ID, the same value as `Ref`
/// (CFN resource reference, "Return values").
fn is_id_attribute(ty: &str, attr: &str) -> bool {
    matches!(
        (ty, attr),
        ("AWS::EC2::VPC", "VpcId")
            | ("AWS::EC2::Subnet", "SubnetId")
            | ("AWS::EC2::SecurityGroup", "GroupId")
            | ("AWS::EC2::RouteTable", "RouteTableId")
            | ("AWS::EC2::InternetGateway", "InternetGatewayId")
            | ("AWS::EC2::NatGateway", "NatGatewayId")
            | ("AWS::EC2::NetworkAcl", "Id")
            | ("AWS::EC2::VPCEndpoint", "Id")
            | ("AWS::EC2::LaunchTemplate", "LaunchTemplateId")
            | ("AWS::EC2::Instance", "InstanceId")
            | ("AWS::EC2::TransitGateway", "Id")
            | ("AWS::EC2::EIP", "PublicIp")
            | ("AWS::EC2::NetworkInterface", "Id")
            | ("AWS::EC2::PrefixList", "PrefixListId")
    )
}

/// Attributes whose value is one of the resource's own properties.
fn property_attribute(ty: &str, attr: &str) -> Option<&'static str> {
    Some(match (ty, attr) {
        ("AWS::EC2::VPC", "CidrBlock") => "CidrBlock",
        ("AWS::EC2::Subnet", "CidrBlock") => "CidrBlock",
        ("AWS::EC2::Subnet", "VpcId") => "VpcId",
        ("AWS::EC2::Subnet", "AvailabilityZone") => "AvailabilityZone",
        ("AWS::EC2::SecurityGroup", "VpcId") => "VpcId",
        ("AWS::EC2::RouteTable", "VpcId") => "VpcId",
        ("AWS::EC2::NetworkAcl", "VpcId") => "VpcId",
        ("AWS::IAM::InstanceProfile", "InstanceProfileName") => "InstanceProfileName",
        _ => return None,
    })
}

impl<'d> Resolver<'_, 'd> {
    pub(super) fn function(&mut self, node: &'d Node, name: &str, arg: &'d Node) -> Val {
        let span = node.span;
        match name {
            "Ref" => match arg.as_str() {
                Some(target) => self.reference_value(target, span),
                None => {
                    // LanguageExtensions allows an intrinsic here
                    let inner = self.value(arg);
                    match inner.text() {
                        Some(t) => {
                            let t = t.to_string();
                            self.reference_value(&t, span)
                        }
                        None => unknown("`Ref` whose target cannot be resolved", span),
                    }
                }
            },
            "Fn::GetAtt" => match getatt_args(arg) {
                None => unknown("malformed `Fn::GetAtt`", span),
                Some((id, attr)) => {
                    let attr = match attr {
                        GetAttName::Text(t) => t,
                        GetAttName::Node(n) => match self.value(n).text() {
                            Some(t) => t.to_string(),
                            None => return unknown(format!("`Fn::GetAtt` on `{id}` with an unknown attribute"), span),
                        },
                    };
                    self.reference(&id, RefKind::GetAtt, span);
                    self.attribute(&id, &attr, span)
                }
            },
            "Fn::Sub" => self.sub(arg, span),
            "Fn::Join" => self.join(arg, span),
            "Fn::Select" => self.select(arg, span),
            "Fn::Split" => {
                let Some([delim, source]) = arg.as_seq().and_then(|s| <&[Node; 2]>::try_from(s).ok()) else {
                    return unknown("malformed `Fn::Split`", span);
                };
                let delim = self.value(delim);
                let source = self.value(source);
                match (delim.text(), source.text()) {
                    (Some(d), Some(s)) if !d.is_empty() => {
                        return Val::List(
                            s.split(d).map(|p| RNode::new(source.span, Val::Str(p.to_string()))).collect(),
                        );
                    }
                    (Some(d), None) => {
                        if let Some(items) = split_symbolic(&source.val, d, source.span) {
                            return Val::List(items);
                        }
                    }
                    _ => {}
                }
                match (&source.val, source.unknown()) {
                    (Val::Att(id, a), _) if a == "EndpointIds" => Val::Att(id.clone(), a.clone()),
                    (Val::Att(id, a), _) => unknown(format!("`{id}.{a}` is known only after deployment"), span),
                    (_, Some(u)) => Val::Unknown(u),
                    _ => unknown("`Fn::Split` of a value that is not known", span),
                }
            }
            "Fn::If" => {
                let Some([cond, yes, no]) = arg.as_seq().and_then(|s| <&[Node; 3]>::try_from(s).ok()) else {
                    return unknown("malformed `Fn::If`", span);
                };
                let Some(cond_name) = cond.as_str() else { return unknown("malformed `Fn::If`", span) };
                match self.condition(cond_name) {
                    Some(true) => self.value(yes).val,
                    Some(false) => self.value(no).val,
                    None => {
                        let reason = self.condition_reason(cond_name);
                        let reason = format!("`Fn::If` on condition `{cond_name}`, which cannot be decided: {reason}");
                        Val::Unknown(Unknown { reason, span, open: self.condition_open(cond_name) })
                    }
                }
            }
            "Fn::FindInMap" => self.find_in_map(arg, span),
            "Fn::GetAZs" => {
                let region = match &arg.value {
                    Value::Null => self.ctx.region.clone(),
                    _ => match self.value(arg).text() {
                        Some("") | None => self.ctx.region.clone(),
                        Some(r) => r.to_string(),
                    },
                };
                // The real list depends on the account; these names stand
                // for "the region's zones" (AWS-SEMANTICS §7).
                Val::List(["a", "b", "c"].iter().map(|z| RNode::new(span, Val::Str(format!("{region}{z}")))).collect())
            }
            "Fn::Cidr" => self.cidr(arg, span),
            "Fn::Base64" => {
                // kept decoded: later stages read UserData scripts as text
                self.value(arg).val
            }
            "Fn::ImportValue" => self.import_value(arg, span),
            "Fn::GetStackOutput" => self.stack_output(arg, span),
            // Fn::Length, Fn::ToJsonString and a `DefaultValue` in
            // Fn::FindInMap come with the AWS::LanguageExtensions transform
            // (intrinsic-function-reference-length.html, -ToJsonString.html,
            // -findinmap-enhancements.html in the template reference)
            "Fn::Length" => match self.value(arg).val {
                Val::List(items) => Val::Num(items.len().to_string()),
                _ => unknown("`Fn::Length` of something that is not a known list", span),
            },
            "Fn::ToJsonString" => {
                let v = self.value(arg);
                match to_json(&v) {
                    Some(j) => Val::Str(j),
                    None => unknown("`Fn::ToJsonString` of a value with unknown parts", span),
                }
            }
            "Fn::Transform" => unknown("the output of a macro (`Fn::Transform`) is known only at deploy time", span),
            "Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" => match self.cond_value(node) {
                Some(b) => Val::Bool(b),
                None => unknown(format!("`{name}` that cannot be decided"), span),
            },
            other => unknown(format!("`{other}` is not a function privnet-lint evaluates"), span),
        }
    }

    /// `Fn::GetStackOutput {StackName, OutputName, Region?, RoleArn?}`: the
    /// output of another stack, read when this one is created or updated,
    /// in the stack's own region unless `Region` names another (template
    /// reference, Fn::GetStackOutput,
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getstackoutput.html>).
    /// A stack of the run with that name and output gives its value, else
    /// a deployed stack the account state describes (`describe-stacks`,
    /// SPEC §7); one in another region stays unknown: what lives there
    /// cannot join this region's network.
    fn stack_output(&mut self, arg: &'d Node, span: Span) -> Val {
        let field = |name: &str| arg.get(name);
        let (Some(stack), Some(output)) = (field("StackName"), field("OutputName")) else {
            return unknown("malformed `Fn::GetStackOutput`", span);
        };
        let stack = self.value(stack);
        let output = self.value(output);
        let region = match field("Region") {
            Some(r) => self.value(r).text().map(str::to_string),
            None => Some(self.ctx.region.clone()),
        };
        let (Some(stack), Some(output)) = (stack.text(), output.text()) else {
            return unknown("`Fn::GetStackOutput` of a stack or output whose name is known only at deploy time", span);
        };
        let Some(region) = region else {
            return unknown(
                format!(
                    "`Fn::GetStackOutput` reads `{output}` of stack `{stack}` in a region known only at deploy time"
                ),
                span,
            );
        };
        if region != self.ctx.region {
            return unknown(
                format!(
                    "`Fn::GetStackOutput` reads `{output}` of stack `{stack}` in {region}, another region than {}",
                    self.ctx.region
                ),
                span,
            );
        }
        let mut found =
            self.ctx.stack_outputs.iter().filter(|o| o.stack == stack && o.output == output && o.region == region);
        match (found.next(), found.next()) {
            (Some(o), None) => {
                if let Some(label) = &o.label
                    && !self.imported.contains(label)
                {
                    self.imported.push(label.clone());
                }
                o.value.val.clone()
            }
            _ => unknown(
                format!(
                    "`Fn::GetStackOutput` reads output `{output}` of stack `{stack}`, which is neither linted in this \
                     run (lint its template too: a stack is named by its cloud assembly manifest, by \
                     `--stack-name FILE=NAME`, or by its file name up to the first dot) nor in the account state \
                     (`aws cloudformation describe-stacks` in --account-state)"
                ),
                span,
            ),
        }
    }

    fn cond_value(&mut self, node: &'d Node) -> Option<bool> {
        // Condition functions used as values (rare outside Conditions).
        let record = std::mem::replace(&mut self.record, false);
        let v = self.cond_expr(node);
        self.record = record;
        v
    }

    /// `Ref` of a name: pseudo parameter, parameter or resource.
    pub(super) fn reference_value(&mut self, target: &str, span: Span) -> Val {
        match target {
            "AWS::Region" => return Val::Str(self.ctx.region.clone()),
            "AWS::AccountId" => return Val::Str(self.ctx.account_id.clone()),
            "AWS::Partition" => return Val::Str(self.ctx.partition().to_string()),
            "AWS::URLSuffix" => return Val::Str(self.ctx.url_suffix().to_string()),
            "AWS::StackName" => return Val::Str(self.ctx.stack_name.clone()),
            "AWS::StackId" => {
                return Val::Str(format!(
                    "arn:{}:cloudformation:{}:{}:stack/{}/00000000-0000-0000-0000-000000000000",
                    self.ctx.partition(),
                    self.ctx.region,
                    self.ctx.account_id,
                    self.ctx.stack_name
                ));
            }
            "AWS::NotificationARNs" => return Val::List(Vec::new()),
            "AWS::NoValue" => return Val::NoValue,
            _ => {}
        }
        if let Some(p) = self.t.parameter(target) {
            return self.parameter(p, span);
        }
        if self.t.resource(target).is_some() {
            self.reference(target, RefKind::Ref, span);
            return Val::Ref(target.to_string());
        }
        self.undefined(target, format!("`{target}` is not defined in this template"), span)
    }

    /// A name the template uses but does not define: open, and reported as
    /// PN003 by the template's check unless a macro or module may define it
    /// (or the template is a nested stack, whose findings are its own).
    fn undefined(&self, name: &str, reason: String, span: Span) -> Val {
        let reported = self.t.strict_names() && self.ctx.scope.is_empty();
        let open = Open::Undefined { name: name.to_string(), reported };
        Val::Unknown(Unknown::decided_by(reason, span, open))
    }

    /// `Fn::GetAtt id.attr`.
    fn attribute(&mut self, id: &str, attr: &str, span: Span) -> Val {
        let Some(ri) = self.t.resource_index(id) else {
            return self.undefined(id, format!("`{id}` is not a resource of this template"), span);
        };
        let ty = self.t.resources[ri].ty;
        if is_id_attribute(ty, attr) {
            return Val::Ref(id.to_string());
        }
        if let Some(prop) = property_attribute(ty, attr) {
            if self.attr_stack.contains(&ri) {
                return unknown(format!("`{id}.{attr}` refers back to itself"), span);
            }
            let Some(entry) = self.t.resources[ri].property(prop) else {
                return Val::Att(id.to_string(), attr.to_string());
            };
            self.attr_stack.push(ri);
            let record = std::mem::replace(&mut self.record, false);
            let v = self.value(&entry.value).val;
            self.record = record;
            self.attr_stack.pop();
            return v;
        }
        Val::Att(id.to_string(), attr.to_string())
    }

    fn sub(&mut self, arg: &'d Node, span: Span) -> Val {
        let (text, vars) = match &arg.value {
            Value::String(s) => (s.as_str(), None),
            Value::Seq(items) if items.len() == 2 => match (&items[0].value, items[1].as_map()) {
                (Value::String(s), Some(_)) => (s.as_str(), Some(&items[1])),
                _ => return unknown("malformed `Fn::Sub`", span),
            },
            _ => return unknown("malformed `Fn::Sub`", span),
        };
        let mut parts = Vec::new();
        for part in sub_parts(text) {
            match part {
                SubPart::Text(t) => parts.push(Part::Text(t)),
                SubPart::Var(name) => {
                    let v = match vars.and_then(|v| v.get(name)) {
                        Some(node) => self.value(node),
                        None => match name.split_once('.') {
                            Some((id, attr)) if self.t.resource(id).is_some() => {
                                self.reference(id, RefKind::Sub, span);
                                RNode::new(span, self.attribute(id, attr, span))
                            }
                            _ => {
                                if self.t.resource(name).is_some() {
                                    self.reference(name, RefKind::Sub, span);
                                    RNode::new(span, Val::Ref(name.to_string()))
                                } else {
                                    let v = self.reference_value(name, span);
                                    RNode::new(span, v)
                                }
                            }
                        },
                    };
                    match to_parts(&v.val, v.span) {
                        Some(p) => parts.extend(p),
                        None => parts.push(Part::Unknown(Unknown::new(
                            format!("`${{{name}}}` in `Fn::Sub` is not a string"),
                            span,
                        ))),
                    }
                }
            }
        }
        from_parts(parts)
    }

    fn join(&mut self, arg: &'d Node, span: Span) -> Val {
        let Some([delim, list]) = arg.as_seq().and_then(|s| <&[Node; 2]>::try_from(s).ok()) else {
            return unknown("malformed `Fn::Join`", span);
        };
        let Some(delim) = self.value(delim).text().map(str::to_string) else {
            return unknown("`Fn::Join` with an unknown delimiter", span);
        };
        let list = self.value(list);
        let items = match &list.val {
            Val::List(items) => items,
            _ => return unknown("`Fn::Join` of something that is not a known list", span),
        };
        let mut parts = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                parts.push(Part::Text(delim.clone()));
            }
            match to_parts(&item.val, item.span) {
                Some(p) => parts.extend(p),
                None => return unknown("`Fn::Join` of a list that holds lists or mappings", span),
            }
        }
        from_parts(parts)
    }

    fn select(&mut self, arg: &'d Node, span: Span) -> Val {
        let Some([index, list]) = arg.as_seq().and_then(|s| <&[Node; 2]>::try_from(s).ok()) else {
            return unknown("malformed `Fn::Select`", span);
        };
        let index = self.value(index);
        let list = self.value(list);
        let Some(i) = index.text().and_then(|t| t.trim().parse::<usize>().ok()) else {
            return match index.unknown() {
                Some(u) => Val::Unknown(u),
                None => unknown("`Fn::Select` with an index that is not a number", span),
            };
        };
        match list.val {
            Val::List(mut items) if i < items.len() => items.swap_remove(i).val,
            Val::List(items) => {
                unknown(format!("`Fn::Select` index {i} is out of range for a list of {}", items.len()), span)
            }
            // A Network Firewall endpoint ID is picked out of `EndpointIds`
            // (`az:vpce-…` items) with Select/Split: the value stays "one of
            // X's endpoints", so a route to it can name the firewall.
            Val::Att(id, a) if a == "EndpointIds" => Val::Att(id, a),
            Val::Att(id, a) => unknown(format!("`{id}.{a}` is known only after deployment"), span),
            other => match RNode::new(list.span, other).unknown() {
                Some(u) => Val::Unknown(u),
                None => unknown("`Fn::Select` from something that is not a list", span),
            },
        }
    }

    fn find_in_map(&mut self, arg: &'d Node, span: Span) -> Val {
        let Some(items) = arg.as_seq().filter(|s| s.len() == 3 || s.len() == 4) else {
            return unknown("malformed `Fn::FindInMap`", span);
        };
        let mut keys = Vec::with_capacity(3);
        for item in &items[..3] {
            let v = self.value(item);
            match v.text() {
                Some(t) => keys.push(t.to_string()),
                None => {
                    return match v.unknown() {
                        Some(u) => Val::Unknown(u),
                        None => unknown("`Fn::FindInMap` with a key that is not a string", span),
                    };
                }
            }
        }
        let found =
            self.t.mappings.and_then(|m| m.get(&keys[0])).and_then(|m| m.get(&keys[1])).and_then(|m| m.get(&keys[2]));
        match found {
            Some(node) => {
                let record = std::mem::replace(&mut self.record, false);
                let v = self.value(node).val;
                self.record = record;
                v
            }
            None => {
                if let Some(default) = items.get(3).and_then(|d| d.get("DefaultValue")) {
                    return self.value(default).val;
                }
                let [map, top, second] = [&keys[0], &keys[1], &keys[2]];
                if self.record && self.t.mappings.and_then(|m| m.get(map)).is_some() {
                    let region_note = if top == &self.ctx.region || second == &self.ctx.region {
                        format!(": the stack fails to create in {}", self.ctx.region)
                    } else {
                        String::new()
                    };
                    self.findings.push(
                        Finding::new(
                            Code::PN003,
                            Some(span),
                            format!("`Fn::FindInMap` finds no `{map}` → `{top}` → `{second}`{region_note}"),
                        )
                        .fix(format!("Add the key to the `{map}` mapping, or give a `DefaultValue`.")),
                    );
                }
                unknown(format!("`Fn::FindInMap` finds no `{map}` → `{top}` → `{second}`"), span)
            }
        }
    }

    fn cidr(&mut self, arg: &'d Node, span: Span) -> Val {
        let Some([block, count, bits]) = arg.as_seq().and_then(|s| <&[Node; 3]>::try_from(s).ok()) else {
            return unknown("malformed `Fn::Cidr`", span);
        };
        let block = self.value(block);
        let count = self.value(count).as_i64();
        let bits = self.value(bits).as_i64();
        let Some(block_text) = block.text() else {
            return match block.unknown() {
                Some(u) => Val::Unknown(u),
                None => unknown("`Fn::Cidr` of an address block that is not known", span),
            };
        };
        let (Ok(net), Some(count), Some(bits)) = (block_text.parse::<IpNet>(), count, bits) else {
            return unknown(
                format!("`Fn::Cidr` with arguments that are not a CIDR, count and bit count ({block_text})"),
                span,
            );
        };
        let max = net.max_prefix_len() as i64;
        let new_prefix = max - bits;
        if !(1..=256).contains(&count) || new_prefix < net.prefix_len() as i64 || new_prefix > max {
            return unknown(
                format!("`Fn::Cidr` cannot split {block_text} into {count} blocks of {bits} host bits"),
                span,
            );
        }
        let Ok(subnets) = net.subnets(new_prefix as u8) else {
            return unknown("`Fn::Cidr` arguments out of range", span);
        };
        let out: Vec<RNode> = subnets.take(count as usize).map(|n| RNode::new(span, Val::Str(n.to_string()))).collect();
        if out.len() < count as usize {
            return unknown(
                format!("`Fn::Cidr`: {block_text} holds fewer than {count} blocks of {bits} host bits"),
                span,
            );
        }
        Val::List(out)
    }
}

/// A fully known value as compact JSON, mappings in template order:
/// `{"key1":"value1","key2":"resolvedValue"}` (Fn::ToJsonString,
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-ToJsonString.html>).
fn to_json(v: &RNode) -> Option<String> {
    fn write(v: &RNode, out: &mut String) -> Option<()> {
        let string = |s: &str| serde_json::Value::String(s.to_string()).to_string();
        match &v.val {
            Val::Null => out.push_str("null"),
            Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Val::Num(n) => match n.parse::<serde_json::Number>() {
                Ok(num) => out.push_str(&num.to_string()),
                Err(_) => out.push_str(&string(n)),
            },
            Val::Str(s) => out.push_str(&string(s)),
            Val::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(item, out)?;
                }
                out.push(']');
            }
            Val::Map(entries) => {
                out.push('{');
                for (i, e) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&string(&e.key));
                    out.push(':');
                    write(&e.value, out)?;
                }
                out.push('}');
            }
            _ => return None,
        }
        Some(())
    }
    let mut out = String::new();
    write(v, &mut out)?;
    Some(out)
}
