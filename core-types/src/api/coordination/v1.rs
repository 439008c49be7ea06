//! `coordination.k8s.io` v1 kinds: [`Lease`], the lock behind leader
//! election and node heartbeats.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::meta::ObjectMeta;
use crate::resource::kind;
use crate::time::MicroTime;

kind! {
    group: "coordination.k8s.io", version: "v1", plural: "leases", scope: Namespaced,
    short_names: [], categories: [];
    /// A lock held by one holder at a time and renewed while held; leader
    /// election and node heartbeats use it.
    pub struct Lease {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// Who holds the lease and until when.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub spec: Option<LeaseSpec>,
    }
}

/// The state of a [`Lease`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LeaseSpec {
    /// The identity of the current holder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder_identity: Option<String>,
    /// How long, in seconds after `renewTime`, candidates must wait before
    /// they may take the lease over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_duration_seconds: Option<i32>,
    /// When the current holder acquired the lease.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acquire_time: Option<MicroTime>,
    /// When the current holder last renewed the lease.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renew_time: Option<MicroTime>,
    /// How many times the lease has changed hands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_transitions: Option<i32>,
    /// How the next holder is chosen under coordinated leader election
    /// (`OldestEmulationVersion`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
    /// The holder that should take over next; the current holder is expected
    /// to step down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_holder: Option<String>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::resource::{Scope, StaticResource};
    use crate::test_support::round_trip_with_oracle;

    #[test]
    fn lease_round_trips() {
        let manifest = json!({
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {"name": "kube-scheduler", "namespace": "kube-system"},
            "spec": {
                "holderIdentity": "cp-1_7c1e",
                "leaseDurationSeconds": 15,
                "acquireTime": "2024-05-01T12:00:00.123456Z",
                "renewTime": "2024-05-01T12:03:10.000001Z",
                "leaseTransitions": 4,
                "strategy": "OldestEmulationVersion",
                "preferredHolder": "cp-2_93ab"
            }
        });
        let lease =
            round_trip_with_oracle::<Lease, k8s_openapi::api::coordination::v1::Lease>(&manifest);
        let spec = lease.spec.as_ref().unwrap();
        assert_eq!(spec.lease_transitions, Some(4));
        assert_eq!(spec.acquire_time.unwrap().0.subsec_microsecond(), 123_456);
    }

    #[test]
    fn lease_api_resource() {
        let ar = Lease::API_RESOURCE;
        assert_eq!(ar.api_version, "coordination.k8s.io/v1");
        assert_eq!(ar.kind, "Lease");
        assert_eq!(ar.plural, "leases");
        assert_eq!(ar.scope, Scope::Namespaced);
        assert!(ar.short_names.is_empty() && ar.categories.is_empty());
    }
}
