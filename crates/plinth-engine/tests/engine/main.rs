//! Data-driven engine tests: inline configuration and the mock provider
//! (`plinth_provider::mock`) in, plan, apply-call and state snapshots out
//! (`expect-test`; `UPDATE_EXPECT=1 cargo test -p plinth-engine --test engine`
//! rewrites them — then check each against Terraform). The harness is in
//! `harness.rs`.

mod harness;

mod basics;
mod conditions;
mod data;
mod deferral;
mod expansion;
mod failures;
mod language;
mod lifecycle;
mod more;
mod moved;
mod ordering;
mod orphans;
mod refresh;
mod sensitive;
mod targeting;
