//! `policy` v1 kinds.
