//! The whole pipeline: load, resolve, simulate, and render every output
//! format (human, json, concise, github, sarif, markdown, trace text/JSON,
//! graph DOT/Mermaid).
#![no_main]

use libfuzzer_sys::fuzz_target;
use privnet_lint::fuzzing::check_pipeline;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        check_pipeline(text);
    }
});
