//! Kinds of `autoscaling`.

pub mod v2;
