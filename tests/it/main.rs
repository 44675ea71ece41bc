//! plinth's integration tests: one harness, one module per area. They drive
//! the real `plinth` binary the way a user does.

mod addons;
mod aws;
mod cli;
mod conformance;
mod docs;
mod drift;
mod faults;
mod fmt;
mod graph;
mod json;
mod kubernetes;
mod modules;
mod pki;
mod platform;
mod plugins;
mod reliability;
mod s3_backend;
mod safety;
mod support;
mod tftest;
mod truncation;
