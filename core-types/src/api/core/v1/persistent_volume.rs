//! persistent volume types of core/v1.
