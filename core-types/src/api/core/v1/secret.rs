//! secret types of core/v1.
