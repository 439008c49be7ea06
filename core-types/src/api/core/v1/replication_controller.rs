//! ReplicationController: the original controller that keeps N pods running.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::meta::ObjectMeta;
use crate::resource::kind;
use crate::time::Time;

use super::PodTemplateSpec;

kind! {
    group: "", version: "v1", plural: "replicationcontrollers", scope: Namespaced,
    short_names: ["rc"], categories: ["all"];
    /// Keeps a number of copies of a pod running (the predecessor of
    /// ReplicaSet and Deployment).
    pub struct ReplicationController {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// How many pods to run, and from what template.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub spec: Option<ReplicationControllerSpec>,
        /// How many pods run and are ready.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status: Option<ReplicationControllerStatus>,
    }
}

/// The desired state of a [`ReplicationController`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplicationControllerSpec {
    /// How many pods to run (1 when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    /// Seconds a new pod must be ready, without crashing, before it counts
    /// as available.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_ready_seconds: Option<i32>,
    /// Labels of the pods the controller counts as its own; defaults to the
    /// template's labels.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub selector: BTreeMap<String, String>,
    /// The pods to create when there are too few.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<PodTemplateSpec>,
}

/// The observed state of a [`ReplicationController`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplicationControllerStatus {
    /// How many pods the controller currently has (always written; a
    /// missing value reads as 0).
    #[serde(default)]
    pub replicas: i32,
    /// How many of its pods carry all the template's labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fully_labeled_replicas: Option<i32>,
    /// How many of its pods are ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_replicas: Option<i32>,
    /// How many of its pods have been ready for at least `minReadySeconds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_replicas: Option<i32>,
    /// The generation of the spec this status was computed from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// The latest observations of the controller's state.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<ReplicationControllerCondition>,
}

/// One observation of a [`ReplicationController`]'s state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplicationControllerCondition {
    /// The condition type (`ReplicaFailure`).
    #[serde(rename = "type")]
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// When the condition last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Time>,
    /// A CamelCase machine-readable reason.
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
    use crate::resource::StaticResource;
    use crate::test_support::round_trip;

    #[test]
    fn replication_controller_manifest_round_trips() {
        // The template's pod spec is left out: its types are filled in
        // elsewhere and tested there.
        let manifest = json!({
            "apiVersion": "v1",
            "kind": "ReplicationController",
            "metadata": {
                "name": "legacy-web",
                "namespace": "default",
                "uid": "4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d",
                "resourceVersion": "3310",
                "generation": 2,
                "creationTimestamp": "2024-05-01T12:00:00Z",
                "labels": {"app": "legacy-web"}
            },
            "spec": {
                "minReadySeconds": 5,
                "replicas": 3,
                "selector": {"app": "legacy-web"},
                "template": {"metadata": {"labels": {"app": "legacy-web"}}}
            },
            "status": {
                "availableReplicas": 2,
                "conditions": [{
                    "lastTransitionTime": "2024-05-01T12:02:00Z",
                    "message": "pods \"legacy-web-x\" is forbidden: exceeded quota",
                    "reason": "FailedCreate",
                    "status": "True",
                    "type": "ReplicaFailure"
                }],
                "fullyLabeledReplicas": 3,
                "observedGeneration": 2,
                "readyReplicas": 2,
                "replicas": 3
            }
        });
        let rc: ReplicationController = round_trip(&manifest);
        assert_eq!(rc.spec.unwrap().selector["app"], "legacy-web");
        let status = rc.status.unwrap();
        assert_eq!((status.replicas, status.ready_replicas), (3, Some(2)));
        assert_eq!(status.conditions[0].reason.as_deref(), Some("FailedCreate"));
    }

    #[test]
    fn minimal_replication_controller_is_exact() {
        let rc = ReplicationController {
            metadata: ObjectMeta::named("rc"),
            spec: Some(ReplicationControllerSpec { replicas: Some(0), ..Default::default() }),
            status: Some(ReplicationControllerStatus::default()),
        };
        assert_eq!(
            serde_json::to_string(&rc).unwrap(),
            r#"{"apiVersion":"v1","kind":"ReplicationController","metadata":{"name":"rc"},"spec":{"replicas":0},"status":{"replicas":0}}"#
        );
        let ar = ReplicationController::API_RESOURCE;
        assert_eq!((&*ar.short_names, &*ar.categories), (&["rc".into()][..], &["all".into()][..]));
    }
}
