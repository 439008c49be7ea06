//! Keelson's benchmarks.
//!
//! Micro benchmarks live in `benches/` and run with criterion
//! (`cargo bench -p keelson-benches --bench codec`); the comparative
//! harness that runs Keelson beside its peers grows here as components land.
//! Results, with the command that produced each, are in `docs/benchmarks.md`.
//!
//! The fixtures are shared by benchmarks and tests:
//!
//! ```
//! let pod: keelson_core_types::api::core::v1::Pod =
//!     serde_json::from_str(keelson_benches::fixtures::POD_JSON).unwrap();
//! assert_eq!(pod.metadata.namespace.as_deref(), Some("shop"));
//! ```

/// Realistic objects as an API server returns them.
pub mod fixtures {
    /// A running Deployment pod with an init container, probes, volumes,
    /// affinity, tolerations, managed fields and a full status.
    pub const POD_JSON: &str = include_str!("../data/pod.json");
}

#[cfg(test)]
mod tests {
    use super::fixtures::POD_JSON;
    use keelson_core_types::api::core::v1::Pod;

    /// Both decoders must read the fixture to the same JSON, or the
    /// benchmark would compare different work.
    #[test]
    fn both_models_read_the_fixture_to_the_same_json() {
        let ours: Pod = serde_json::from_str(POD_JSON).unwrap();
        let theirs: k8s_openapi::api::core::v1::Pod = serde_json::from_str(POD_JSON).unwrap();
        assert_eq!(serde_json::to_value(&ours).unwrap(), serde_json::to_value(&theirs).unwrap());
        assert_eq!(ours.spec.as_ref().unwrap().containers.len(), 1);
    }
}
