//! replication controller types of core/v1.
