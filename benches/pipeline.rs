//! Benchmarks per pipeline stage — load (`source::parse` + sections),
//! resolve, model build, simulation, and the whole `lint_text` — on the seed
//! template, on the real-world corpus (`../shared/corpus/real/`, skipped with
//! a message when absent) and on generated templates; plus the raw parser
//! throughput over the corpus (saphyr-parser events, strict jsonc-parser) next
//! to ours (load + resolve), both in bytes per second.
//!
//! ```sh
//! cargo bench --bench pipeline
//! cargo bench --bench pipeline -- corpus   # a filter
//! ```

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use divan::Bencher;
use divan::counter::{BytesCount, ItemsCount};
use privnet_lint::lint::{Options, lint_text};
use privnet_lint::resolve::{self, Context};
use privnet_lint::source::{self, Format};
use privnet_lint::template::Template;
use privnet_lint::{network, reach};

#[path = "generate.rs"]
#[allow(dead_code)]
mod generate;

const SEED_REGION: &str = "ap-northeast-1";
const REGION: &str = "us-east-1";

fn main() {
    if CORPUS.is_empty() {
        eprintln!("corpus not found at {}: the corpus benchmarks measure nothing", corpus_root().display());
    }
    divan::main();
}

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn corpus_root() -> PathBuf {
    manifest().join("../shared/corpus/real")
}

/// One template file: its path and text (BOM removed).
struct File {
    path: String,
    text: String,
}

static SEED: LazyLock<File> = LazyLock::new(|| {
    let path = manifest().join("fixtures/seed-stack.yaml");
    let text = std::fs::read_to_string(&path).expect("fixtures/seed-stack.yaml");
    File { path: path.display().to_string(), text }
});

/// Every corpus file with a template extension (the ones the CLI walks),
/// as UTF-8, in a fixed order; empty without the corpus.
static CORPUS: LazyLock<Vec<File>> = LazyLock::new(|| {
    let mut files: Vec<File> = walk(&corpus_root())
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            Some(File { path: p.display().to_string(), text: source::strip_bom(&text).to_string() })
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
});

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| ["yaml", "yml", "json", "template"].iter().any(|y| x.eq_ignore_ascii_case(y)))
        {
            out.push(p);
        }
    }
    out
}

fn corpus_bytes() -> BytesCount {
    BytesCount::new(CORPUS.iter().map(|f| f.text.len()).sum::<usize>())
}

fn opts(region: &str) -> Options {
    Options::for_regions([region])
}

/// Parse, read the sections, resolve for `region`; hands the resolved
/// template to `then`. Returns whether it was a template.
fn load_resolve<R>(f: &File, region: &str, then: impl FnOnce(resolve::Resolved) -> R) -> Option<R> {
    let doc = source::parse(Some(&f.path), &f.text);
    let root = doc.root.as_ref()?;
    let (t, _) = Template::new(root).ok()?;
    Some(then(resolve::resolve(&t, &Context::new(region))))
}

/// The raw parser: every saphyr-parser event pulled (YAML), or the strict
/// jsonc-parser AST (JSON); nothing kept.
fn raw_parse(f: &File) -> usize {
    match source::detect_format(Some(&f.path), &f.text) {
        Format::Json => {
            let options = source::strict_json_options();
            let collect =
                jsonc_parser::CollectOptions { comments: jsonc_parser::CommentCollectionStrategy::Off, tokens: false };
            match jsonc_parser::parse_to_ast(&f.text, &collect, &options) {
                Ok(r) => usize::from(r.value.is_some()),
                Err(_) => 0,
            }
        }
        _ => {
            let mut n = 0;
            for e in saphyr_parser::Parser::new_from_str(&f.text) {
                if e.is_err() {
                    break;
                }
                n += 1;
            }
            n
        }
    }
}

// ---------------------------------------------------------------- seed

mod seed {
    use super::*;

    #[divan::bench]
    fn load() -> usize {
        let doc = source::parse(Some(&SEED.path), &SEED.text);
        let root = doc.root.as_ref().expect("the seed parses");
        Template::new(root).map(|(t, _)| t.resources.len()).unwrap_or(0)
    }

    #[divan::bench]
    fn resolve(b: Bencher) {
        let doc = source::parse(Some(&SEED.path), &SEED.text);
        let (t, _) = Template::new(doc.root.as_ref().expect("the seed parses")).expect("a template");
        let ctx = Context::new(SEED_REGION);
        b.bench_local(|| resolve::resolve(&t, &ctx));
    }

    #[divan::bench]
    fn model(b: Bencher) {
        let resolved = load_resolve(&SEED, SEED_REGION, |r| r).expect("a template");
        b.bench_local(|| network::build(&resolved));
    }

    #[divan::bench]
    fn simulate(b: Bencher) {
        let net = load_resolve(&SEED, SEED_REGION, |r| network::build(&r)).expect("a template");
        b.bench_local(|| reach::analyze(&net, SEED_REGION));
    }

    #[divan::bench]
    fn lint(b: Bencher) {
        let o = opts(SEED_REGION);
        b.bench_local(|| lint_text(&SEED.path, &SEED.text, &o));
    }
}

// ---------------------------------------------------------------- corpus

mod corpus {
    use super::*;

    /// saphyr-parser / jsonc-parser alone over the whole corpus.
    #[divan::bench(sample_count = 10)]
    fn raw_parser_throughput(b: Bencher) {
        b.counter(corpus_bytes()).bench_local(|| CORPUS.iter().map(raw_parse).sum::<usize>());
    }

    /// Our loader and resolver over the whole corpus.
    #[divan::bench(sample_count = 10)]
    fn load_resolve_throughput(b: Bencher) {
        b.counter(corpus_bytes()).bench_local(|| {
            CORPUS.iter().filter_map(|f| load_resolve(f, REGION, |r| r.resources.len())).sum::<usize>()
        });
    }

    #[divan::bench(sample_count = 10)]
    fn load(b: Bencher) {
        b.counter(corpus_bytes()).bench_local(|| {
            CORPUS
                .iter()
                .map(|f| {
                    let doc = source::parse(Some(&f.path), &f.text);
                    doc.root.as_ref().and_then(|r| Template::new(r).ok()).map_or(0, |(t, _)| t.resources.len())
                })
                .sum::<usize>()
        });
    }

    #[divan::bench(sample_count = 10)]
    fn model(b: Bencher) {
        let resolved: Vec<_> = CORPUS.iter().filter_map(|f| load_resolve(f, REGION, |r| r)).collect();
        b.counter(ItemsCount::new(resolved.len()))
            .bench_local(|| resolved.iter().map(|r| network::build(r).workloads.len()).sum::<usize>());
    }

    #[divan::bench(sample_count = 10)]
    fn simulate(b: Bencher) {
        let nets: Vec<_> = CORPUS.iter().filter_map(|f| load_resolve(f, REGION, |r| network::build(&r))).collect();
        b.counter(ItemsCount::new(nets.iter().map(|n| n.workloads.len()).sum::<usize>()))
            .bench_local(|| nets.iter().map(|n| reach::analyze(n, REGION).len()).sum::<usize>());
    }

    /// `lint_text` file by file (one thread).
    #[divan::bench(sample_count = 10)]
    fn lint(b: Bencher) {
        let o = opts(REGION);
        b.counter(corpus_bytes())
            .bench_local(|| CORPUS.iter().map(|f| lint_text(&f.path, &f.text, &o).len()).sum::<usize>());
    }
}

// ---------------------------------------------------------------- generated

mod generated {
    use super::*;

    const SIZES: &[usize] = &[1_000, 10_000, 100_000];

    fn file(n: usize) -> File {
        File { path: format!("generated-{n}.yaml"), text: generate::resources(n) }
    }

    /// The whole `lint_text` on a template of `n` resources.
    #[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
    fn lint(b: Bencher, n: usize) {
        let f = file(n);
        let o = opts(REGION);
        b.counter(ItemsCount::new(n)).bench_local(|| lint_text(&f.path, &f.text, &o));
    }

    #[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
    fn load_resolve(b: Bencher, n: usize) {
        let f = file(n);
        b.counter(BytesCount::new(f.text.len())).bench_local(|| super::load_resolve(&f, REGION, |r| r.resources.len()));
    }

    #[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
    fn model(b: Bencher, n: usize) {
        let f = file(n);
        let resolved = super::load_resolve(&f, REGION, |r| r).expect("a template");
        b.counter(ItemsCount::new(n)).bench_local(|| network::build(&resolved));
    }

    /// Simulation: workloads × paths grow with `n` (two workloads per 22
    /// resources); the per-workload time should stay flat.
    #[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
    fn simulate(b: Bencher, n: usize) {
        let f = file(n);
        let net = super::load_resolve(&f, REGION, |r| network::build(&r)).expect("a template");
        b.counter(ItemsCount::new(net.workloads.len())).bench_local(|| reach::analyze(&net, REGION));
    }

    /// 30 independent conditions used by `Fn::If`.
    #[divan::bench(sample_count = 10)]
    fn conditions_30(b: Bencher) {
        let f = File { path: "conditions-30.yaml".to_string(), text: generate::conditions(30) };
        let o = opts(REGION);
        b.bench_local(|| lint_text(&f.path, &f.text, &o));
    }
}
