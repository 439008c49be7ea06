//! ReplicaSet: a fixed number of pods from one template.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::core::v1::PodTemplateSpec;
use crate::labels::LabelSelector;
use crate::meta::ObjectMeta;
use crate::resource::kind;
use crate::time::Time;

kind! {
    group: "apps", version: "v1", plural: "replicasets", scope: Namespaced,
    short_names: ["rs"], categories: ["all"];
    /// Keeps a given number of pods matching a selector running, creating
    /// them from its template. Usually owned and driven by a Deployment.
    pub struct ReplicaSet {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// The pods wanted.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub spec: Option<ReplicaSetSpec>,
        /// The pods as last seen by the controller.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status: Option<ReplicaSetStatus>,
    }
}

/// The desired state of a [`ReplicaSet`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaSetSpec {
    /// How many pods to run; 1 when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    /// Seconds a new pod must be ready, without a container crashing, before
    /// it counts as available; 0 when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_ready_seconds: Option<i32>,
    /// Which pods count towards `replicas`; must match the template's labels.
    pub selector: LabelSelector,
    /// The pods to create when too few match the selector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<PodTemplateSpec>,
}

/// The observed state of a [`ReplicaSet`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaSetStatus {
    /// Pods selected that are not being deleted.
    #[serde(default)]
    pub replicas: i32,
    /// Pods whose labels match the template's labels exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fully_labeled_replicas: Option<i32>,
    /// Pods whose `Ready` condition is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_replicas: Option<i32>,
    /// Pods that have been ready for at least `minReadySeconds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_replicas: Option<i32>,
    /// Pods being deleted (they have a deletion timestamp) but not yet gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminating_replicas: Option<i32>,
    /// The `metadata.generation` the controller last acted on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// The latest observations of the set (`ReplicaFailure`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<ReplicaSetCondition>,
}

/// One observation of a [`ReplicaSet`]'s state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaSetCondition {
    /// The condition type (`ReplicaFailure`).
    #[serde(rename = "type")]
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// When the status last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Time>,
    /// A CamelCase machine-readable reason for the status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// A message for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::resource::{Scope, StaticResource};
    use crate::test_support::round_trip_with_oracle;

    #[test]
    fn replica_set_round_trips() {
        let manifest = json!({
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "annotations": {
                    "deployment.kubernetes.io/desired-replicas": "3",
                    "deployment.kubernetes.io/max-replicas": "4",
                    "deployment.kubernetes.io/revision": "1"
                },
                "creationTimestamp": "2024-05-01T12:00:00Z",
                "generation": 1,
                "labels": {"app": "web", "pod-template-hash": "7c5ddbdf54"},
                "name": "web-7c5ddbdf54",
                "namespace": "default",
                "ownerReferences": [{
                    "apiVersion": "apps/v1",
                    "blockOwnerDeletion": true,
                    "controller": true,
                    "kind": "Deployment",
                    "name": "web",
                    "uid": "0b9d7f5e-5a43-4d0c-9c55-2a7e3b9f4d10"
                }],
                "resourceVersion": "81240",
                "uid": "4c1e2f8a-8d2b-4f3e-a0a1-5e6b7c8d9e0f"
            },
            "spec": {
                "minReadySeconds": 5,
                "replicas": 3,
                "selector": {"matchLabels": {"app": "web", "pod-template-hash": "7c5ddbdf54"}},
                "template": {
                    "metadata": {"labels": {"app": "web", "pod-template-hash": "7c5ddbdf54"}},
                    "spec": {"containers": [{"image": "nginx:1.27", "name": "nginx"}]}
                }
            },
            "status": {
                "availableReplicas": 2,
                "conditions": [{
                    "lastTransitionTime": "2024-05-01T12:01:00Z",
                    "message": "pods \"web-7c5ddbdf54-x\" is forbidden: exceeded quota",
                    "reason": "FailedCreate",
                    "status": "True",
                    "type": "ReplicaFailure"
                }],
                "fullyLabeledReplicas": 3,
                "observedGeneration": 1,
                "readyReplicas": 2,
                "replicas": 3,
                "terminatingReplicas": 0
            }
        });
        let rs =
            round_trip_with_oracle::<ReplicaSet, k8s_openapi::api::apps::v1::ReplicaSet>(&manifest);
        assert_eq!(rs.metadata.controller_ref().map(|r| r.kind.as_str()), Some("Deployment"));
        let status = rs.status.unwrap();
        assert_eq!(status.replicas, 3);
        assert_eq!(status.conditions[0].reason.as_deref(), Some("FailedCreate"));
    }

    #[test]
    fn status_replicas_is_always_written() {
        let rs = ReplicaSet { status: Some(ReplicaSetStatus::default()), ..ReplicaSet::default() };
        let value = serde_json::to_value(&rs).unwrap();
        assert_eq!(value["status"], json!({"replicas": 0}));
    }

    #[test]
    fn replica_set_api_resource() {
        let ar = ReplicaSet::API_RESOURCE;
        assert_eq!(ar.api_version, "apps/v1");
        assert_eq!(ar.plural, "replicasets");
        assert_eq!(ar.scope, Scope::Namespaced);
        assert_eq!(ar.short_names.as_ref(), ["rs"]);
        assert_eq!(ar.categories.as_ref(), ["all"]);
    }
}
