//! Kinds of `apiextensions.k8s.io`.

pub mod v1;
