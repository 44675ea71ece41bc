//! Terraform-compatible state: the in-memory model ([`State`]), the v4 state
//! file format ([`statefile`]), and where states are kept ([`Backend`],
//! [`LocalBackend`]).
//!
//! Invariant: only `statefile` knows the file format; the model has no serde
//! derives, and backends move bytes produced by `statefile`.

pub mod addr;
pub mod backend;
pub mod journal;
pub mod local;
pub mod model;
pub mod statefile;

pub use addr::{AbsResource, AbsResourceInstance, InstanceKey, ModuleInstance, Resource, ResourceMode, Target};
pub use backend::{Backend, BackendError, LockId, LockInfo, DEFAULT_WORKSPACE};
pub use local::LocalBackend;
pub use model::{
    AttrPath, DeposedKey, EachMode, InstanceObject, ModuleState, MoveError, ObjectStatus, OutputState, PathStep, ResourceInstance,
    ResourceState, State,
};
pub use statefile::StateFileError;
