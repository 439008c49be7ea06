//! affinity types of core/v1.
