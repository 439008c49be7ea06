//! `apps` v1 kinds.
