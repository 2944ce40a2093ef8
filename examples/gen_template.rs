//! Writes a generated CloudFormation template to stdout (see
//! `benches/generate.rs`).
//!
//! ```sh
//! cargo run --release --example gen_template -- resources 10000 > /tmp/10k.yaml
//! cargo run --release --example gen_template -- conditions 30 > /tmp/cond30.yaml
//! ```

#[path = "../benches/generate.rs"]
#[allow(dead_code)]
mod generate;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n = args.get(1).and_then(|n| n.parse::<usize>().ok());
    let text = match (args.first().map(String::as_str), n) {
        (Some("resources"), Some(n)) => generate::resources(n),
        (Some("conditions"), Some(k)) => generate::conditions(k),
        _ => {
            eprintln!("usage: gen_template resources N | conditions K");
            std::process::exit(2);
        }
    };
    print!("{text}");
}
