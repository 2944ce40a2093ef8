//! Hostile input stays linear: a UserData script of many URLs (distinct,
//! and one URL repeated) linted and rendered in the human and JSON formats,
//! at 0.5, 1 and 2 MiB, so the scaling from one size to the next shows.
//! Budget (issue 14): 1 MiB of URLs lints in under 1 s in a release build.
//!
//! ```sh
//! cargo bench --bench hostile
//! ```

use divan::Bencher;
use divan::counter::BytesCount;
use privnet_lint::lint::{Options, lint_text};
use privnet_lint::report::{self, Report};

fn main() {
    divan::main();
}

const KIB: usize = 1024;

/// The PN601 fixture (a private subnet with endpoints, so every download is
/// traced) with a UserData of about `bytes` bytes of `curl` lines.
fn template(bytes: usize, distinct: bool) -> String {
    let base = include_str!("../fixtures/rules/PN601-userdata-url-unreachable.fail.yaml");
    let start = base.find("          #!/bin/bash").expect("fixture UserData");
    let end = base[start..].find("chmod +x").and_then(|i| base[start + i..].find('\n').map(|j| start + i + j));
    let end = end.expect("fixture UserData end");
    let mut script = String::with_capacity(bytes + 64);
    let mut i = 0usize;
    while script.len() < bytes {
        if distinct {
            script.push_str(&format!("          curl http://h{i}.example.com/x\n"));
        } else {
            script.push_str("          curl http://a\n");
        }
        i += 1;
    }
    format!("{}{}{}", &base[..start], script.trim_end(), &base[end..])
}

fn lint_and_render(text: &str) -> usize {
    let results = lint_text("hostile.yaml", text, &Options::default());
    let report = Report { results };
    let human = report::human::render(&report, report::human::Style::default());
    let json = report::json::render(&report);
    human.len() + json.len()
}

#[divan::bench(args = [512 * KIB, 1024 * KIB, 2048 * KIB], sample_count = 5)]
fn distinct_urls(b: Bencher, bytes: usize) {
    let text = template(bytes, true);
    b.counter(BytesCount::new(text.len())).bench(|| lint_and_render(divan::black_box(&text)));
}

#[divan::bench(args = [512 * KIB, 1024 * KIB, 2048 * KIB], sample_count = 5)]
fn repeated_url(b: Bencher, bytes: usize) {
    let text = template(bytes, false);
    b.counter(BytesCount::new(text.len())).bench(|| lint_and_render(divan::black_box(&text)));
}
