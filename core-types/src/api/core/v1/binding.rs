//! binding types of core/v1.
