//! The CDK cloud assembly manifest reader: any text is a list of artifacts
//! and findings on the manifest, never a panic, and every span it reports
//! lies inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use privnet_lint::fuzzing::check_manifest;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        check_manifest(text);
    }
});
