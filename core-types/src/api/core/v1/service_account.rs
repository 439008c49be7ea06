//! service account types of core/v1.
