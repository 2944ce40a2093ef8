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
    /// The value the template leaves open that would decide it, when it is
    /// one the user can give (a parameter, an import, an ID, the default
    /// VPC): every unknown it causes gets one note (PN005) at the value.
    pub open: Option<Open>,
}

impl Unknown {
    /// An unknown that no single value given by the user decides.
    pub fn new(reason: impl Into<String>, span: Span) -> Unknown {
        Unknown { reason: reason.into(), span, open: None }
    }
    /// An unknown that `open` decides.
    pub fn decided_by(reason: impl Into<String>, span: Span, open: Open) -> Unknown {
        Unknown { reason: reason.into(), span, open: Some(open) }
    }
}

/// A value the template leaves open and the user can give: what decides
/// the checks that are `unknown` (SPEC §2).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Open {
    /// A parameter without a value or `Default`.
    Parameter {
        /// Its logical ID.
        name: String,
        /// Its `Type`.
        ty: String,
        /// Where its name is declared in `Parameters`.
        declared: Span,
        /// The template that declares it: empty for the template being
        /// analyzed, else the label of a nested stack or of another file of
        /// the run (`NetworkStack`, `network.yaml`).
        scope: String,
    },
    /// An `Fn::ImportValue` whose export no template of the run provides.
    Import {
        /// The export's name (`*` for the parts known only at deploy time).
        name: String,
    },
    /// An `Fn::ImportValue` that several templates of the run export (names
    /// built from `${AWS::StackName}`): which one it reads depends on the
    /// stack names they are deployed with.
    Exporters {
        /// The import's name as written (`${ParentVPCStack}-SubnetsPrivate`).
        name: String,
        /// The templates that export it, in run order.
        templates: Vec<String>,
    },
    /// A stack-name parameter without a value that `Fn::ImportValue` names
    /// are built from (`!Sub '${ParentVPCStack}-SubnetAPrivate'`): the stack
    /// it names decides every import built from it, so its imports share
    /// one note (keyed by [`Open::deciding`]).
    ParentStack(Box<ParentStack>),
    /// A name the template uses (`Ref`, `Fn::GetAtt`) but does not define:
    /// a resource that a module or macro adds, or a mistake.
    Undefined {
        /// The name.
        name: String,
        /// Whether the template's own check reports it (PN003): always,
        /// unless a macro, module or unexpanded loop may define it.
        reported: bool,
    },
    /// A resource given by its ID (`subnet-0123…`, `sg-0123…`): it exists
    /// in the account, outside the template.
    Id {
        /// The ID as written.
        id: String,
    },
    /// The account's default VPC, where a workload without a subnet launches.
    DefaultVpc,
    /// Something about a deployed resource that the account state
    /// (`--account-state`) does not say: the output of one AWS CLI call
    /// would.
    State {
        /// What is not known, in words (`whether VPC vpc-… has DNS hostnames on`).
        what: String,
        /// The call whose output says it.
        call: String,
    },
}

/// A stack-name parameter that import names are built from
/// ([`Open::ParentStack`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParentStack {
    /// The parameter's logical ID.
    pub parameter: String,
    /// Where its name is declared in `Parameters`.
    pub declared: Span,
    /// The template that declares it (as in [`Open::Parameter`]).
    pub scope: String,
    /// The import's name as written (`${ParentVPCStack}-SubnetAPrivate`).
    pub import: String,
    /// The templates of the run that export every name of that shape: two
    /// or more (which one is open), or none.
    pub exporters: Vec<String>,
    /// The templates that export some of the names but not all, each with
    /// what it lacks (``vpc.yaml lacks `${AWS::StackName}-VPC` ``).
    pub lacking: Vec<String>,
}

impl Open {
    /// The same value seen from a template that merges this one's resources
    /// under `label` (a parameter keeps the file it is declared in).
    pub fn under(&mut self, label: &str) {
        match self {
            Open::Parameter { scope, .. } => *scope = labelled(label, scope),
            Open::ParentStack(p) => p.scope = labelled(label, &p.scope),
            // its PN003 is in that template's own result
            Open::Undefined { reported, .. } => *reported = false,
            _ => {}
        }
    }

    /// The value that decides: the same for every import built from one
    /// stack-name parameter (its import name left out).
    pub fn deciding(&self) -> Open {
        match self {
            Open::ParentStack(p) => Open::ParentStack(Box::new(ParentStack { import: String::new(), ..(**p).clone() })),
            other => other.clone(),
        }
    }
}

/// `scope` seen from a template that merges it under `label`.
fn labelled(label: &str, scope: &str) -> String {
    if scope.is_empty() { label.to_string() } else { format!("{label}/{scope}") }
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
    /// Every open value in this node as seen from a template that merges
    /// it under `label` (see [`Open::under`]).
    pub fn open_under(&mut self, label: &str) {
        let under = |u: &mut Unknown| {
            if let Some(o) = &mut u.open {
                o.under(label);
            }
        };
        match &mut self.val {
            Val::Unknown(u) => under(u),
            Val::Text(parts) => parts.iter_mut().for_each(|p| {
                if let Part::Unknown(u) = p {
                    under(u);
                }
            }),
            Val::List(items) => items.iter_mut().for_each(|i| i.open_under(label)),
            Val::Map(entries) => entries.iter_mut().for_each(|e| e.value.open_under(label)),
            _ => {}
        }
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
            Val::Import(Some(name), span) => Some(Unknown::decided_by(
                format!("`Fn::ImportValue {name}` is an export of another stack"),
                *span,
                Open::Import { name: name.clone() },
            )),
            Val::Import(None, span) => Some(Unknown::new("an `Fn::ImportValue` of another stack", *span)),
            Val::Ssm(name) => {
                Some(Unknown::new(format!("the value of SSM parameter `{name}` is read at deploy time"), self.span))
            }
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

/// `Fn::Split` of a string with symbolic parts, such as the
/// `!Join [',', [!Ref SubnetA, !Ref SubnetB]]` a stack exports and another
/// splits: the references come back as items. Only for a delimiter that no
/// physical ID, name or ARN contains (no letter, digit, `-`, `_`, `.`, `:`
/// or `/`), and only when no part is unknown (an unknown part may hold the
/// delimiter). `None` when it cannot be split.
pub fn split_symbolic(v: &Val, delimiter: &str, span: Span) -> Option<Vec<RNode>> {
    let safe = !delimiter.is_empty()
        && delimiter.chars().all(|c| !c.is_alphanumeric() && !matches!(c, '-' | '_' | '.' | ':' | '/'));
    let parts: Vec<Part> = match v {
        Val::Text(parts) => parts.clone(),
        // a lone reference is one item; a lone attribute may be a list
        // joined by the service, so it is not split
        Val::Ref(id) => vec![Part::Ref(id.clone())],
        _ => return None,
    };
    if !safe || parts.iter().any(|p| matches!(p, Part::Unknown(_))) {
        return None;
    }
    let mut items: Vec<Vec<Part>> = vec![Vec::new()];
    for p in parts {
        match p {
            Part::Text(t) => {
                let mut pieces = t.split(delimiter);
                if let (Some(first), Some(current)) = (pieces.next(), items.last_mut()) {
                    current.push(Part::Text(first.to_string()));
                }
                for piece in pieces {
                    items.push(vec![Part::Text(piece.to_string())]);
                }
            }
            other => {
                if let Some(current) = items.last_mut() {
                    current.push(other);
                }
            }
        }
    }
    Some(items.into_iter().map(|parts| RNode::new(span, from_parts(parts))).collect())
}
