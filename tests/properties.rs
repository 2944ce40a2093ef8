//! Properties of the evaluators and the resolver, checked on generated
//! inputs (proptest): security-group port ranges and protocols, CIDR
//! containment, network-ACL evaluation order, and intrinsic functions.

use ipnet::Ipv4Net;
use privnet_lint::network::Ident;
use privnet_lint::network::nacl::{NaclEntry, NaclVerdict, NetworkAcl, Remote};
use privnet_lint::network::sg::{Peer, Protocol, SgRule, Target, Verdict, allows, peer_matches};
use privnet_lint::resolve::{Context, Val, resolve};
use privnet_lint::source::{Span, parse};
use privnet_lint::template::Template;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::net::Ipv4Addr;

fn rule(protocol: &str, from: i64, to: i64, peer: Peer) -> SgRule {
    SgRule {
        span: Span::default(),
        standalone: None,
        protocol: Protocol::parse(protocol),
        from,
        to,
        peer,
        peer_span: Span::default(),
    }
}

fn anywhere() -> Peer {
    Peer::V4("0.0.0.0/0".parse().unwrap())
}

const S3: Target<'static> = Target::Public { region: "us-east-1", is_s3: true };

fn ordered_ports() -> impl Strategy<Value = (i64, i64)> {
    (0i64..=65535, 0i64..=65535).prop_map(|(a, b)| (a.min(b), a.max(b)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// A TCP rule allowing FromPort..ToPort allows every port in it and
    /// none outside.
    #[test]
    fn tcp_rule_allows_exactly_its_port_range((from, to) in ordered_ports(), pick in 0usize..5, random in 0i64..=65535, proto in prop_oneof![Just("tcp"), Just("6"), Just("TCP")]) {
        // the edges of the range most of the time, where off-by-one errors live
        let port = [from, to, from - 1, to + 1, random][pick].clamp(0, 65535);
        let r = rule(proto, from, to, anywhere());
        prop_assert_eq!(r.covers_tcp(port), Some(from <= port && port <= to));
        let v = allows(std::slice::from_ref(&r), port, &S3);
        prop_assert_eq!(matches!(v, Verdict::Allow(_)), from <= port && port <= to, "{:?}", v);
        prop_assert!(!matches!(v, Verdict::Unknown(_)));
    }

    /// `-1` is every protocol and every port, whatever the port fields say.
    #[test]
    fn all_protocols_ignore_ports(from in -1i64..=65535, to in -1i64..=65535, port in 0i64..=65535) {
        let r = rule("-1", from, to, anywhere());
        prop_assert_eq!(r.covers_tcp(port), Some(true));
        prop_assert!(matches!(allows(&[r], port, &S3), Verdict::Allow(_)));
    }

    /// ICMP (type/code in the port fields), UDP and other protocol numbers
    /// never carry TCP, whatever their port fields say.
    #[test]
    fn other_protocols_never_allow_tcp(
        proto in prop_oneof![Just("icmp"), Just("1"), Just("icmpv6"), Just("58"), Just("udp"), Just("17"), Just("50")],
        from in -1i64..=65535, to in -1i64..=65535, port in 0i64..=65535,
    ) {
        let r = rule(proto, from, to, anywhere());
        prop_assert_eq!(r.covers_tcp(port), Some(false));
        prop_assert_eq!(allows(&[r], port, &S3), Verdict::Deny);
    }

    /// A CIDR rule covers exactly the addresses inside its block: compared
    /// with a single address (a /32), it matches if and only if the block
    /// contains it, and it is never undecided.
    #[test]
    fn cidr_rule_covers_exactly_its_addresses(net in any::<u32>(), len in 1u8..=32, addr in any::<u32>(), near in any::<bool>()) {
        let block = Ipv4Net::new(Ipv4Addr::from(net), len).unwrap().trunc();
        // half the time, an address close to the block (just inside or outside)
        let addr = if near { u32::from(block.network()).wrapping_add(addr % (1 << 8)).wrapping_sub(1 << 7) } else { addr };
        let host = Ipv4Net::new(Ipv4Addr::from(addr), 32).unwrap();
        let groups: [Ident; 0] = [];
        let t = Target::Private { cidr: Some(host), groups: &groups };
        let got = peer_matches(&Peer::V4(block), &t, Span::default());
        prop_assert_eq!(got, Ok(block.contains(&Ipv4Addr::from(addr))), "{} vs {}", block, host);
    }
}

fn nacl_entry(n: i64, egress: bool, proto: &str, ports: Option<(i64, i64)>, allow: bool, cidr: &str) -> NaclEntry {
    NaclEntry {
        id: format!("E{n}{}", if egress { "out" } else { "in" }),
        span: Span::default(),
        number: n,
        egress,
        protocol: Protocol::parse(proto),
        ports,
        allow,
        cidr: Ok(Some(cidr.parse().unwrap())),
    }
}

/// The addresses NACL entries in the generated tests name; the remote end is
/// 10.0.1.0/24, which the first two contain and the last does not.
const NACL_CIDRS: [&str; 3] = ["0.0.0.0/0", "10.0.0.0/16", "10.1.0.0/16"];
const REMOTE: &str = "10.0.1.0/24";

#[derive(Clone, Debug)]
struct GenEntry {
    number: i64,
    egress: bool,
    proto: &'static str,
    ports: Option<(i64, i64)>,
    allow: bool,
    cidr: usize,
}

fn gen_entry() -> impl Strategy<Value = GenEntry> {
    (
        1i64..=32766,
        any::<bool>(),
        prop_oneof![Just("6"), Just("tcp"), Just("-1"), Just("17"), Just("1")],
        proptest::option::of((0i64..=20, 0i64..=20).prop_map(|(a, b)| (a.min(b), a.max(b)))),
        any::<bool>(),
        0usize..NACL_CIDRS.len(),
    )
        .prop_map(|(number, egress, proto, ports, allow, cidr)| GenEntry {
            number,
            egress,
            proto,
            ports,
            allow,
            cidr,
        })
}

/// The model: for one port, the lowest-numbered entry of that direction that
/// matches protocol, port and address decides; none matching is the final
/// `*` deny. `Some(id)` when allowed, `Err(id)` when denied by an entry.
fn reference(entries: &[GenEntry], egress: bool, port: i64) -> Result<String, Option<String>> {
    let remote: Ipv4Net = REMOTE.parse().unwrap();
    let mut sorted: Vec<&GenEntry> = entries.iter().filter(|e| e.egress == egress).collect();
    sorted.sort_by_key(|e| e.number);
    for e in sorted {
        let covers_port = match e.proto {
            "-1" => true,
            "6" | "tcp" => e.ports.is_none_or(|(lo, hi)| lo <= port && port <= hi),
            _ => false,
        };
        let net: Ipv4Net = NACL_CIDRS[e.cidr].parse().unwrap();
        if covers_port && net.contains(&remote) {
            let id = format!("E{}{}", e.number, if e.egress { "out" } else { "in" });
            return if e.allow { Ok(id) } else { Err(Some(id)) };
        }
    }
    Err(None)
}

fn build_acl(entries: &[GenEntry]) -> NetworkAcl {
    let mut list: Vec<NaclEntry> =
        entries.iter().map(|e| nacl_entry(e.number, e.egress, e.proto, e.ports, e.allow, NACL_CIDRS[e.cidr])).collect();
    // as the model builder keeps them: sorted by rule number
    list.sort_by_key(|e| e.number);
    NetworkAcl {
        id: "Acl".into(),
        span: Span::default(),
        vpc: Ident::Resource("Vpc".into()),
        entries: list,
        is_default: false,
    }
}

fn unique_numbers(entries: Vec<GenEntry>) -> Vec<GenEntry> {
    // rule numbers are unique per direction (EC2 rejects duplicates)
    let mut seen = std::collections::HashSet::new();
    entries.into_iter().filter(|e| seen.insert((e.number, e.egress))).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Lowest rule number wins, the first match decides, an unmatched port
    /// meets the final `*` deny, and a range is allowed only when every port
    /// of it is.
    #[test]
    fn nacl_first_match_in_rule_number_order(entries in proptest::collection::vec(gen_entry(), 0..8).prop_map(unique_numbers), egress in any::<bool>(), (lo, hi) in (0i64..=20, 0i64..=20).prop_map(|(a, b)| (a.min(b), a.max(b)))) {
        let acl = build_acl(&entries);
        let remote = Remote::Private(Some(REMOTE.parse().unwrap()));
        for port in lo..=hi {
            let want = match reference(&entries, egress, port) {
                Ok(_) => NaclVerdict::Allow,
                Err(by) => NaclVerdict::Deny(by),
            };
            prop_assert_eq!(acl.evaluate(egress, port, port, remote), want, "port {}", port);
        }
        let verdicts: Vec<_> = (lo..=hi).map(|p| reference(&entries, egress, p)).collect();
        let got = acl.evaluate(egress, lo, hi, remote);
        if verdicts.iter().all(|v| v.is_ok()) {
            prop_assert_eq!(got, NaclVerdict::Allow);
        } else if verdicts.iter().all(|v| v.is_err()) {
            prop_assert!(matches!(got, NaclVerdict::Deny(_)), "{:?}", got);
        } else {
            prop_assert!(matches!(got, NaclVerdict::Partial(Some(_))), "{:?}", got);
        }
    }

    /// Egress and ingress are independent: entries of the other direction
    /// change nothing.
    #[test]
    fn nacl_directions_are_independent(entries in proptest::collection::vec(gen_entry(), 0..8).prop_map(unique_numbers), other in proptest::collection::vec(gen_entry(), 0..8), egress in any::<bool>(), port in 0i64..=20) {
        let remote = Remote::Private(Some(REMOTE.parse().unwrap()));
        let same: Vec<GenEntry> = entries.iter().filter(|e| e.egress == egress).cloned().collect();
        let mut mixed = same.clone();
        mixed.extend(other.into_iter().map(|mut e| { e.egress = !egress; e }));
        let mixed = unique_numbers(mixed);
        prop_assert_eq!(build_acl(&same).evaluate(egress, port, port, remote), build_acl(&mixed).evaluate(egress, port, port, remote));
    }
}

/// Resolves `expr` as the property `P` of a resource (JSON template, so
/// generated strings need no YAML quoting), with a condition `C` that holds
/// when `left == right`.
fn resolve_expr(expr: Value, left: &str, right: &str) -> Val {
    let template = json!({
        "Conditions": { "C": { "Fn::Equals": [left, right] } },
        "Resources": { "R": { "Type": "Test::Thing", "Properties": { "P": expr } } }
    });
    let text = serde_json::to_string_pretty(&template).unwrap();
    let doc = parse(Some("t.json"), &text);
    let root = doc.root.expect("parses");
    let (t, _) = Template::new(&root).expect("template");
    let r = resolve(&t, &Context::new("us-east-1"));
    let res = r.resources.iter().find(|x| x.id == "R").expect("R");
    res.prop("P").map(|v| v.val.clone()).unwrap_or(Val::NoValue)
}

fn resolve_plain(expr: Value) -> Val {
    resolve_expr(expr, "a", "a")
}

fn strings(v: &Val) -> Option<Vec<String>> {
    match v {
        Val::List(items) => items.iter().map(|i| i.text().map(str::to_string)).collect(),
        _ => None,
    }
}

fn word() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ._/-]{0,8}"
}

fn delimiter() -> impl Strategy<Value = String> {
    prop_oneof![Just(",".to_string()), Just("|".to_string()), Just("::".to_string()), Just(";".to_string())]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// `Fn::Split` undoes `Fn::Join` (items without the delimiter), and
    /// `Fn::Join` undoes `Fn::Split` (any text).
    #[test]
    fn join_split_round_trip(items in proptest::collection::vec(word(), 1..6), d in delimiter(), text in "[a-z,|;:]{0,20}") {
        let split = resolve_plain(json!({ "Fn::Split": [d, { "Fn::Join": [d, items] }] }));
        prop_assert_eq!(strings(&split), Some(items.clone()));
        let joined = resolve_plain(json!({ "Fn::Join": [d, { "Fn::Split": [d, text] }] }));
        prop_assert_eq!(joined.clone(), Val::Str(text.clone()), "{:?}", joined);
    }

    /// `Fn::Select` picks item `i` of a list in range; out of range it is an
    /// unknown value (CloudFormation rejects the template), never a panic.
    #[test]
    fn select_in_and_out_of_range(items in proptest::collection::vec(word(), 0..6), i in 0usize..10) {
        let got = resolve_plain(json!({ "Fn::Select": [i.to_string(), items] }));
        if i < items.len() {
            prop_assert_eq!(got, Val::Str(items[i].clone()));
        } else {
            prop_assert!(matches!(got, Val::Unknown(_)), "{:?}", got);
        }
    }

    /// `Fn::Sub` of text without `${` is the text itself.
    #[test]
    fn sub_without_variables_is_identity(text in "[^$]{0,30}") {
        prop_assert_eq!(resolve_plain(json!({ "Fn::Sub": text })), Val::Str(text.clone()));
        prop_assert_eq!(resolve_plain(json!({ "Fn::Sub": [text, {}] })), Val::Str(text.clone()));
    }

    /// `Fn::If` picks the first value when the condition holds, else the
    /// second.
    #[test]
    fn if_picks_by_condition(left in "[a-c]{1,2}", right in "[a-c]{1,2}", yes in word(), no in word()) {
        let got = resolve_expr(json!({ "Fn::If": ["C", yes, no] }), &left, &right);
        let want = if left == right { yes } else { no };
        prop_assert_eq!(got, Val::Str(want));
    }

    /// `Fn::Cidr` returns `count` blocks of `bits` host bits, pairwise
    /// disjoint and inside the block.
    #[test]
    fn cidr_blocks_are_disjoint_and_inside(addr in any::<u32>(), len in 8u8..=28, bits in 2i64..=24, count in 1i64..=256) {
        let block = Ipv4Net::new(Ipv4Addr::from(addr), len).unwrap().trunc();
        let got = resolve_plain(json!({ "Fn::Cidr": [block.to_string(), count.to_string(), bits.to_string()] }));
        let sub_len = 32 - bits;
        let fits = sub_len >= len as i64 && count <= 1i64 << (sub_len - len as i64).min(62);
        if !fits {
            prop_assert!(matches!(got, Val::Unknown(_)), "{:?}", got);
            return Ok(());
        }
        let nets: Vec<Ipv4Net> = strings(&got).expect("a list").iter().map(|s| s.parse().unwrap()).collect();
        prop_assert_eq!(nets.len() as i64, count);
        for (i, n) in nets.iter().enumerate() {
            prop_assert_eq!(n.prefix_len() as i64, sub_len);
            prop_assert!(block.contains(n), "{} outside {}", n, block);
            for m in &nets[i + 1..] {
                prop_assert!(!n.contains(m) && !m.contains(n), "{} overlaps {}", n, m);
            }
        }
    }
}
