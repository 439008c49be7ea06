//! endpoints types of core/v1.
