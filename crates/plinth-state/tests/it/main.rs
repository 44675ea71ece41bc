//! Integration tests for plinth-state (one test binary).

mod addr;
mod local;
mod model;
mod statefile;

pub const REALISTIC: &str = include_str!("fixtures/realistic.tfstate");
