//! Kinds of `policy`.

pub mod v1;
