//! `policy` v1 kinds: [`PodDisruptionBudget`] and [`Eviction`], the body of
//! a request to the `pods/eviction` subresource that budgets guard.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::intstr::IntOrString;
use crate::labels::LabelSelector;
use crate::meta::{Condition, DeleteOptions, ObjectMeta};
use crate::resource::kind;
use crate::time::Time;

kind! {
    group: "policy", version: "v1", plural: "poddisruptionbudgets", scope: Namespaced,
    short_names: ["pdb"], categories: [];
    /// Limits how many pods of a set may be down at once through voluntary
    /// disruptions (evictions such as node drains).
    pub struct PodDisruptionBudget {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// Which pods are protected and how many must stay up.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub spec: Option<PodDisruptionBudgetSpec>,
        /// How many disruptions are allowed right now.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status: Option<PodDisruptionBudgetStatus>,
    }
}

/// The desired state of a [`PodDisruptionBudget`]. At most one of
/// `minAvailable` and `maxUnavailable` may be set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodDisruptionBudgetSpec {
    /// How many selected pods (or what percentage) must stay available after
    /// an eviction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_available: Option<IntOrString>,
    /// Which pods the budget protects; an empty selector selects every pod in
    /// the namespace, and no selector selects none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<LabelSelector>,
    /// How many selected pods (or what percentage) may be unavailable after
    /// an eviction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unavailable: Option<IntOrString>,
    /// When pods that are running but not ready may be evicted:
    /// `IfHealthyBudget` (the default: only while the budget is met) or
    /// `AlwaysAllow`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unhealthy_pod_eviction_policy: Option<String>,
}

/// The observed state of a [`PodDisruptionBudget`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodDisruptionBudgetStatus {
    /// The `metadata.generation` the disruption controller last acted on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Pods the API server has admitted an eviction for but the controller
    /// has not yet seen deleted, by name, with the time of the eviction.
    /// Entries expire after a couple of minutes if the pod stays.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub disrupted_pods: BTreeMap<String, Time>,
    /// How many more pods may be evicted now.
    #[serde(default)]
    pub disruptions_allowed: i32,
    /// Selected pods that are currently healthy.
    #[serde(default)]
    pub current_healthy: i32,
    /// How many healthy pods the budget requires.
    #[serde(default)]
    pub desired_healthy: i32,
    /// How many pods the budget counts, from the scale of their controllers.
    #[serde(default)]
    pub expected_pods: i32,
    /// The latest observations of the budget (`DisruptionAllowed`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}

kind! {
    group: "policy", version: "v1", plural: "eviction", scope: Namespaced,
    short_names: [], categories: [];
    /// A request to evict one pod, honouring its disruption budgets. It is
    /// never stored: it is POSTed to the pod's `eviction` subresource, which
    /// is why its resource name is `eviction` rather than a plural.
    pub struct Eviction {
        /// Names the pod to evict (name and namespace).
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// Options for the deletion that the eviction performs.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub delete_options: Option<DeleteOptions>,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::resource::{Scope, StaticResource};
    use crate::test_support::round_trip_with_oracle;

    type K8sPdb = k8s_openapi::api::policy::v1::PodDisruptionBudget;

    #[test]
    fn pod_disruption_budget_round_trips() {
        let manifest = json!({
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": {
                "creationTimestamp": "2024-05-01T12:00:00Z",
                "generation": 1,
                "name": "web",
                "namespace": "default",
                "resourceVersion": "88120",
                "uid": "7f8a9b0c-1d2e-4f3a-8b4c-5d6e7f8a9b0c"
            },
            "spec": {
                "minAvailable": "50%",
                "selector": {"matchLabels": {"app": "web"}},
                "unhealthyPodEvictionPolicy": "AlwaysAllow"
            },
            "status": {
                "conditions": [{
                    "lastTransitionTime": "2024-05-01T12:00:05Z",
                    "message": "",
                    "observedGeneration": 1,
                    "reason": "SufficientPods",
                    "status": "True",
                    "type": "DisruptionAllowed"
                }],
                "currentHealthy": 3,
                "desiredHealthy": 2,
                "disruptedPods": {"web-7c5ddbdf54-abcde": "2024-05-01T12:10:00Z"},
                "disruptionsAllowed": 1,
                "expectedPods": 4,
                "observedGeneration": 1
            }
        });
        let pdb = round_trip_with_oracle::<PodDisruptionBudget, K8sPdb>(&manifest);
        let spec = pdb.spec.unwrap();
        assert_eq!(spec.min_available, Some(IntOrString::String("50%".into())));
        assert_eq!(spec.max_unavailable, None);
        let status = pdb.status.unwrap();
        assert_eq!(status.disruptions_allowed, 1);
        assert_eq!(
            status.disrupted_pods["web-7c5ddbdf54-abcde"].to_string(),
            "2024-05-01T12:10:00Z"
        );
        assert_eq!(status.conditions[0].reason, "SufficientPods");
    }

    #[test]
    fn max_unavailable_integer_round_trips() {
        let manifest = json!({
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": {"name": "zk", "namespace": "data"},
            "spec": {"maxUnavailable": 1, "selector": {}},
            "status": {
                "currentHealthy": 0,
                "desiredHealthy": 0,
                "disruptionsAllowed": 0,
                "expectedPods": 0
            }
        });
        let pdb = round_trip_with_oracle::<PodDisruptionBudget, K8sPdb>(&manifest);
        let spec = pdb.spec.unwrap();
        assert_eq!(spec.max_unavailable, Some(IntOrString::Int(1)));
        assert_eq!(spec.selector, Some(LabelSelector::default()));
    }

    #[test]
    fn eviction_round_trips() {
        let manifest = json!({
            "apiVersion": "policy/v1",
            "kind": "Eviction",
            "deleteOptions": {
                "apiVersion": "v1",
                "gracePeriodSeconds": 30,
                "kind": "DeleteOptions",
                "preconditions": {"uid": "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"}
            },
            "metadata": {"name": "web-7c5ddbdf54-abcde", "namespace": "default"}
        });
        let eviction =
            round_trip_with_oracle::<Eviction, k8s_openapi::api::policy::v1::Eviction>(&manifest);
        assert_eq!(eviction.metadata.name.as_deref(), Some("web-7c5ddbdf54-abcde"));
        let options = eviction.delete_options.unwrap();
        assert_eq!(options.grace_period_seconds, Some(30));
        assert_eq!(options.kind.as_deref(), Some("DeleteOptions"));
        assert_eq!(
            options.preconditions.unwrap().uid.as_deref(),
            Some("0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d")
        );
    }

    #[test]
    fn api_resources() {
        let pdb = PodDisruptionBudget::API_RESOURCE;
        assert_eq!(pdb.api_version, "policy/v1");
        assert_eq!(pdb.plural, "poddisruptionbudgets");
        assert_eq!(pdb.scope, Scope::Namespaced);
        assert_eq!(pdb.short_names.as_ref(), ["pdb"]);
        assert!(pdb.categories.is_empty());

        let eviction = Eviction::API_RESOURCE;
        assert_eq!(eviction.api_version, "policy/v1");
        assert_eq!(eviction.kind, "Eviction");
        assert_eq!(eviction.plural, "eviction");
        assert_eq!(eviction.scope, Scope::Namespaced);
        assert!(eviction.short_names.is_empty());
    }

    #[test]
    fn every_delete_option_matches_k8s_openapi() {
        let manifest = json!({
            "apiVersion": "policy/v1",
            "kind": "Eviction",
            "metadata": {"name": "db-0", "namespace": "shop"},
            "deleteOptions": {
                "apiVersion": "meta.k8s.io/v1",
                "dryRun": ["All"],
                "gracePeriodSeconds": 0,
                "ignoreStoreReadErrorWithClusterBreakingPotential": false,
                "kind": "DeleteOptions",
                "orphanDependents": false,
                "preconditions": {"resourceVersion": "7702", "uid": "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d"},
                "propagationPolicy": "Foreground"
            }
        });
        let eviction =
            round_trip_with_oracle::<Eviction, k8s_openapi::api::policy::v1::Eviction>(&manifest);
        let options = eviction.delete_options.unwrap();
        assert_eq!(options.dry_run, ["All"]);
        assert_eq!(options.preconditions.unwrap().resource_version.as_deref(), Some("7702"));
        assert_eq!(options.ignore_store_read_error_with_cluster_breaking_potential, Some(false));
        // Empty options are an empty object.
        assert_eq!(serde_json::to_string(&DeleteOptions::default()).unwrap(), "{}");
    }
}
