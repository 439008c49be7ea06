//! limit range types of core/v1.
