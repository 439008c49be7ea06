//! Kinds of `apps`.

pub mod v1;
