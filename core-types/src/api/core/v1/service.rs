//! service types of core/v1.
