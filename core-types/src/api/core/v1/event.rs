//! event types of core/v1.
