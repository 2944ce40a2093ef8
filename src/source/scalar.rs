//! How CloudFormation types a plain YAML scalar.
//!
//! CloudFormation reads YAML 1.1: unquoted `yes`/`no`/`on`/`off`/`y`/`n` are
//! booleans (aws/aws-cli#5257), digits with a leading zero are octal
//! (`012345670123` becomes 1402433619: cloudformation-coverage-roadmap#745),
//! `1:20` is sexagesimal (cfn-language-discussion#31), and dates such as
//! `2010-09-09` stay strings. No YAML library's schema matches that exactly,
//! so the loader keeps raw text and applies these rules itself.

use super::Value;

/// Types a plain (unquoted, untagged) scalar.
pub fn plain(raw: String) -> Value {
    match raw.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => return Value::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Value::Bool(false);
        }
        _ => {}
    }
    if let Some(n) = int(&raw) {
        return Value::Number(n);
    }
    if is_float(&raw) {
        return Value::Number(if raw.contains('_') { raw.replace('_', "") } else { raw });
    }
    Value::String(raw)
}

/// YAML 1.1 `!!int`: decimal, `0b` binary, `0` octal, `0x` hex, `1:20` base 60.
/// Returns canonical decimal text.
fn int(raw: &str) -> Option<String> {
    let (neg, body) = match raw.as_bytes().first()? {
        b'-' => (true, &raw[1..]),
        b'+' => (false, &raw[1..]),
        _ => (false, raw),
    };
    let first = *body.as_bytes().first()?;
    if !first.is_ascii_digit() {
        return None;
    }
    let digits = |s: &str, radix: u32| -> Option<i128> {
        if !s.contains('_') {
            return if s.is_empty() { None } else { i128::from_str_radix(s, radix).ok() };
        }
        let clean: String = s.chars().filter(|c| *c != '_').collect();
        if clean.is_empty() {
            return None;
        }
        i128::from_str_radix(&clean, radix).ok()
    };
    let value = if let Some(b) = body.strip_prefix("0b") {
        digits(b, 2)?
    } else if let Some(h) = body.strip_prefix("0x") {
        digits(h, 16)?
    } else if body.contains(':') {
        // sexagesimal: [1-9][0-9_]*(:[0-5]?[0-9])+
        let mut parts = body.split(':');
        let head = parts.next()?;
        if head.starts_with('0') || !head.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
            return None;
        }
        let mut v = digits(head, 10)?;
        for p in parts {
            if p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let d: i128 = p.parse().ok()?;
            if d > 59 {
                return None;
            }
            v = v.checked_mul(60)?.checked_add(d)?;
        }
        v
    } else if body.len() > 1 && body.starts_with('0') {
        if !body.bytes().all(|b| (b'0'..=b'7').contains(&b) || b == b'_') {
            return None;
        }
        digits(&body[1..], 8)?
    } else {
        if !body.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
            return None;
        }
        match digits(body, 10) {
            Some(v) => v,
            // longer than i128: still an integer, keep its digits
            None => return Some(format!("{}{}", if neg { "-" } else { "" }, body.replace('_', ""))),
        }
    };
    Some(if neg { (-value).to_string() } else { value.to_string() })
}

/// YAML 1.1 `!!float`: needs a dot (`1e3` is a string), or `.inf`/`.nan`.
fn is_float(raw: &str) -> bool {
    let body = raw.strip_prefix(['-', '+']).unwrap_or(raw);
    // every float starts with a digit or a dot: most scalars stop here
    if !body.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return false;
    }
    if matches!(body, ".inf" | ".Inf" | ".INF") || matches!(raw, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let Some(dot) = mantissa.find('.') else { return false };
    let (int_part, frac) = (&mantissa[..dot], &mantissa[dot + 1..]);
    let ok_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    if !ok_digits(int_part) || !ok_digits(frac) || (int_part.is_empty() && frac.is_empty()) {
        return false;
    }
    match exponent {
        None => true,
        Some(e) => {
            let digits = e.strip_prefix(['-', '+']);
            matches!(digits, Some(d) if !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Value {
        Value::Number(s.to_string())
    }
    fn s(s: &str) -> Value {
        Value::String(s.to_string())
    }

    #[test]
    fn cloudformation_reads_yaml_1_1() {
        let cases = [
            ("2010-09-09", s("2010-09-09")),
            ("yes", Value::Bool(true)),
            ("Off", Value::Bool(false)),
            ("y", Value::Bool(true)),
            ("~", Value::Null),
            ("", Value::Null),
            ("443", n("443")),
            ("-1", n("-1")),
            ("0", n("0")),
            ("012345670123", n("1402433619")),
            ("0528", s("0528")),
            ("0x1F", n("31")),
            ("0b101", n("5")),
            ("1:20", n("80")),
            ("1_000", n("1000")),
            ("1.5", n("1.5")),
            ("1e3", s("1e3")),
            ("1.0e+3", n("1.0e+3")),
            (".inf", n(".inf")),
            ("10.0.0.0/16", s("10.0.0.0/16")),
            ("1.2.3", s("1.2.3")),
            ("pl-61a54008", s("pl-61a54008")),
            ("t3.micro", s("t3.micro")),
        ];
        for (raw, want) in cases {
            assert_eq!(plain(raw.to_string()), want, "{raw}");
        }
    }
}
