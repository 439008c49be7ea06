//! `apps` v1 kinds: the workload controllers ([`Deployment`], [`ReplicaSet`],
//! [`DaemonSet`], [`StatefulSet`]) and the [`ControllerRevision`] snapshots
//! they keep of their pod templates.

mod controller_revision;
mod daemon_set;
mod deployment;
mod replica_set;
mod stateful_set;

pub use controller_revision::*;
pub use daemon_set::*;
pub use deployment::*;
pub use replica_set::*;
pub use stateful_set::*;

#[cfg(test)]
pub(crate) mod test_support {
    //! Helpers shared by the tests of the `apps` v1 kinds.

    use serde::Serialize;
    use serde::de::DeserializeOwned;
    use serde_json::Value;

    use crate::resource::StaticResource;

    /// Decodes `manifest` with the strict decoder (failing on a wrong
    /// `apiVersion`/`kind` or any unknown field), re-encodes it and checks the
    /// output equals the input; then checks that `k8s-openapi`'s type `O`
    /// also reads and writes the manifest unchanged.
    pub(crate) fn round_trip<K, O>(manifest: &Value) -> K
    where
        K: StaticResource + Serialize + DeserializeOwned,
        O: Serialize + DeserializeOwned,
    {
        let bytes = serde_json::to_vec(manifest).unwrap();
        let (obj, unknown) = crate::codec::from_json_strict::<K>(&bytes).unwrap();
        assert!(unknown.is_empty(), "unknown fields: {unknown:?}");
        assert_eq!(&serde_json::to_value(&obj).unwrap(), manifest);
        let theirs: O = serde_json::from_value(manifest.clone()).unwrap();
        assert_eq!(&serde_json::to_value(&theirs).unwrap(), manifest, "k8s-openapi disagrees");
        obj
    }
}
