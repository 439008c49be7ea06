//! node types of core/v1.
