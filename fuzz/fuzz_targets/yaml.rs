//! The YAML loader: any text parses to a tree or a finding, never a panic,
//! and every span it reports lies inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use privnet_lint::fuzzing::check_loader;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        check_loader("fuzz.yaml", text);
    }
});
