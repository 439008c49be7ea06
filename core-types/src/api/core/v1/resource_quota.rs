//! resource quota types of core/v1.
