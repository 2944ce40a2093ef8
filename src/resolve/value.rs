//! Resolved values: what a property is worth in one region, with the parts
//! that only exist after deployment kept symbolic.

use crate::source::Span;

/// Why a value cannot be known before deployment, and where that comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unknown {
    /// What would decide it ("parameter `SubnetId` has no value").
    pub reason: String,
    /// The node the unknown comes from.
    pub span: Span,
}

/// A piece of a string built by `Fn::Sub` or `Fn::Join`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Known text.
    Text(String),
    /// The `Ref` value of a resource (its physical ID or name).
    Ref(String),
    /// A resource attribute.
    Att(String, String),
    /// Something unknown.
    Unknown(Unknown),
}

/// A resolved value.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number, as text.
    Num(String),
    /// A known string.
    Str(String),
    /// A list.
    List(Vec<RNode>),
    /// A mapping.
    Map(Vec<REntry>),
    /// The `Ref` value of a resource of this template.
    Ref(String),
    /// `Fn::GetAtt` of a resource of this template.
    Att(String, String),
    /// A string with symbolic parts.
    Text(Vec<Part>),
    /// The value of a public or private SSM parameter, read at deploy time
    /// (an `AWS::SSM::Parameter::Value<…>` parameter): the parameter's name.
    Ssm(String),
    /// `Fn::ImportValue`: the export's name when it is known.
    Import(Option<String>, Span),
    /// Not knowable before deployment.
    Unknown(Unknown),
    /// `AWS::NoValue`: removed by the enclosing mapping or list.
    NoValue,
}

/// A resolved node: a value and the template node it comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct RNode {
    /// Where it is in the template.
    pub span: Span,
    /// Its value.
    pub val: Val,
}

/// An entry of a resolved mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct REntry {
    /// The key.
    pub key: String,
    /// Where the key is.
    pub key_span: Span,
    /// The value.
    pub value: RNode,
}

impl REntry {
    /// The span to underline when the user must edit this property: the key
    /// and, when it fits on the key's line, the value too.
    pub fn edit_span(&self) -> Span {
        let whole = self.key_span.to(self.value.span);
        if whole.is_single_line() && whole.end.offset >= whole.start.offset { whole } else { self.key_span }
    }
}

impl RNode {
    /// A node holding `val` at `span`.
    pub fn new(span: Span, val: Val) -> RNode {
        RNode { span, val }
    }
    /// The entries, if this is a mapping.
    pub fn as_map(&self) -> Option<&[REntry]> {
        match &self.val {
            Val::Map(e) => Some(e),
            _ => None,
        }
    }
    /// The items, if this is a list.
    pub fn as_list(&self) -> Option<&[RNode]> {
        match &self.val {
            Val::List(items) => Some(items),
            _ => None,
        }
    }
    /// The entry under `key`, if this is a mapping that has it.
    pub fn entry(&self, key: &str) -> Option<&REntry> {
        self.as_map()?.iter().find(|e| e.key == key)
    }
    /// The value under `key`, if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&RNode> {
        self.entry(key).map(|e| &e.value)
    }
    /// The known text of a scalar (string, number, boolean).
    pub fn text(&self) -> Option<&str> {
        match &self.val {
            Val::Str(s) | Val::Num(s) => Some(s),
            Val::Bool(true) => Some("true"),
            Val::Bool(false) => Some("false"),
            _ => None,
        }
    }
    /// A boolean the way CloudFormation reads one: `true`, `"true"`, `"True"`.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.val {
            Val::Bool(b) => Some(*b),
            Val::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Val::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }
    /// An integer (`443`, `"443"`).
    pub fn as_i64(&self) -> Option<i64> {
        self.text()?.trim().parse().ok()
    }
    /// The logical ID this value refers to: `Ref X`, or an attribute that is
    /// X's ID (the resolver turns those into `Ref`).
    pub fn as_ref_id(&self) -> Option<&str> {
        match &self.val {
            Val::Ref(id) => Some(id),
            _ => None,
        }
    }
    /// Why this value is unknown, when it is.
    pub fn unknown(&self) -> Option<Unknown> {
        match &self.val {
            Val::Unknown(u) => Some(u.clone()),
            Val::Import(name, span) => Some(Unknown {
                reason: match name {
                    Some(n) => format!("`Fn::ImportValue {n}` is an export of another stack"),
                    None => "an `Fn::ImportValue` of another stack".to_string(),
                },
                span: *span,
            }),
            Val::Ssm(name) => Some(Unknown {
                reason: format!("the value of SSM parameter `{name}` is read at deploy time"),
                span: self.span,
            }),
            Val::Text(parts) => parts.iter().find_map(|p| match p {
                Part::Unknown(u) => Some(u.clone()),
                _ => None,
            }),
            _ => None,
        }
    }
    /// The string as text with symbolic parts written `${Id}` /
    /// `${Id.Attr}` and unknown parts as `${?}`: for matching patterns in
    /// strings (service names, URLs) that are only partly known.
    pub fn pattern_text(&self) -> Option<String> {
        let mut out = String::new();
        let part = |out: &mut String, p: &Part| match p {
            Part::Text(t) => out.push_str(t),
            Part::Ref(id) => {
                out.push_str("${");
                out.push_str(id);
                out.push('}');
            }
            Part::Att(id, a) => {
                out.push_str("${");
                out.push_str(id);
                out.push('.');
                out.push_str(a);
                out.push('}');
            }
            Part::Unknown(_) => out.push_str("${?}"),
        };
        match &self.val {
            Val::Str(s) | Val::Num(s) => out.push_str(s),
            Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Val::Text(parts) => parts.iter().for_each(|p| part(&mut out, p)),
            Val::Ref(id) => part(&mut out, &Part::Ref(id.clone())),
            Val::Att(id, a) => part(&mut out, &Part::Att(id.clone(), a.clone())),
            _ => return None,
        }
        Some(out)
    }
    /// Every node of this subtree, depth first (self included).
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a RNode)) {
        f(self);
        match &self.val {
            Val::List(items) => items.iter().for_each(|i| i.walk(f)),
            Val::Map(entries) => entries.iter().for_each(|e| e.value.walk(f)),
            _ => {}
        }
    }
}

/// Turns a scalar or symbolic value into string parts (for `Fn::Sub` and
/// `Fn::Join`); `None` for lists and mappings.
pub fn to_parts(v: &Val, span: Span) -> Option<Vec<Part>> {
    Some(match v {
        Val::Str(s) | Val::Num(s) => vec![Part::Text(s.clone())],
        Val::Bool(b) => vec![Part::Text(b.to_string())],
        Val::Null => vec![Part::Text(String::new())],
        Val::Ref(id) => vec![Part::Ref(id.clone())],
        Val::Att(id, a) => vec![Part::Att(id.clone(), a.clone())],
        Val::Text(parts) => parts.clone(),
        Val::Unknown(u) => vec![Part::Unknown(u.clone())],
        Val::Ssm(_) | Val::Import(..) => {
            let node = RNode::new(span, v.clone());
            vec![Part::Unknown(node.unknown()?)]
        }
        Val::List(_) | Val::Map(_) | Val::NoValue => return None,
    })
}

/// Joins parts back into a value: a known string when every part is text,
/// the symbolic value itself for a lone `Ref`/attribute/unknown.
pub fn from_parts(parts: Vec<Part>) -> Val {
    let mut merged: Vec<Part> = Vec::with_capacity(parts.len());
    for p in parts {
        match (merged.last_mut(), p) {
            (Some(Part::Text(a)), Part::Text(b)) => a.push_str(&b),
            (_, Part::Text(b)) if b.is_empty() => {}
            (_, p) => merged.push(p),
        }
    }
    match merged.len() {
        0 => Val::Str(String::new()),
        1 => match merged.pop() {
            Some(Part::Text(t)) => Val::Str(t),
            Some(Part::Ref(id)) => Val::Ref(id),
            Some(Part::Att(id, a)) => Val::Att(id, a),
            Some(Part::Unknown(u)) => Val::Unknown(u),
            None => Val::Str(String::new()),
        },
        _ => Val::Text(merged),
    }
}
