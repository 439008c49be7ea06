//! Kinds of the core group (`v1`).

pub mod v1;
