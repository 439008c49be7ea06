//! Kinds of `batch`.

pub mod v1;
