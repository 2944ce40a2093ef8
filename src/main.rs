//! The `privnet-lint` binary: hands over to the library's command line.

/// mimalloc instead of glibc's malloc. Loading a template makes millions of
/// small allocations (tree nodes, keys, scalars), and glibc's cost per
/// allocation grows with the heap (free-list consolidation): on a generated
/// 100,000-resource template the whole run took 3.0 s with glibc and 1.8 s
/// with mimalloc, 10,000 resources 258 ms and 170 ms, the seed the same. Built
/// with `no_thp`: transparent huge pages made the large runs vary between
/// 1.4 and 3.5 s (kernel time zeroing and compacting 2 MiB pages).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(privnet_lint::cli::main());
}
