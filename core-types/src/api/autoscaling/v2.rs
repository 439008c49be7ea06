//! `autoscaling` v2 kinds.
