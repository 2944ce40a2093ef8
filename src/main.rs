//! The `privnet-lint` binary: parses arguments and hands over to the library.

use clap::Parser;

fn main() {
    let cli = privnet_lint::cli::Cli::parse();
    std::process::exit(privnet_lint::cli::run(cli));
}
