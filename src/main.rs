//! The `privnet-lint` binary: hands over to the library's command line.

fn main() {
    std::process::exit(privnet_lint::cli::main());
}
