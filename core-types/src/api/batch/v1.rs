//! `batch` v1 kinds.
