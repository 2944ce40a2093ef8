//! privnet-lint: can the EC2 instances of a CloudFormation template run `dnf`
//! and open a Session Manager shell, and if not, which hop drops the traffic
//! and which line of the template to change.
//!
//! The pipeline runs one way (see `STYLE.md`): [`source`] (spanned tree) →
//! [`template`] (sections, resources) → [`resolve`] (values for one region) →
//! [`network`] (typed model; the dependency graph) → [`reach`] (the simulator) →
//! [`rules`] (findings) → [`report`] (output formats). [`state`] is a second
//! source: the deployed account, read from saved AWS CLI outputs.
#![warn(missing_docs)]
// Findings travel in `Err` on rare paths (a file that does not parse); boxing
// them everywhere would cost more clarity than the size saves.
#![allow(clippy::result_large_err)]

pub mod analyzed_region;
pub mod cdk;
pub mod config;
pub mod finding;
pub mod lint;
pub mod network;
pub mod project;
pub mod reach;
pub mod resolve;
pub mod rules;
pub mod source;
pub mod stacks;
pub mod state;
pub mod suppress;
pub mod template;

pub use lint::{FileResult, Options, lint_text};
pub mod cli;
#[doc(hidden)]
pub mod fuzzing;
pub mod report;
