//! DaemonSet: one pod on each eligible node.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::core::v1::PodTemplateSpec;
use crate::intstr::IntOrString;
use crate::labels::LabelSelector;
use crate::meta::ObjectMeta;
use crate::resource::kind;
use crate::time::Time;

kind! {
    group: "apps", version: "v1", plural: "daemonsets", scope: Namespaced,
    short_names: ["ds"], categories: ["all"];
    /// Runs a copy of a pod on every node its template can be scheduled to,
    /// such as a log collector or a network agent.
    pub struct DaemonSet {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// The pod to run on each node and how to update it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub spec: Option<DaemonSetSpec>,
        /// The pods as last seen by the controller.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status: Option<DaemonSetStatus>,
    }
}

/// The desired state of a [`DaemonSet`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DaemonSetSpec {
    /// Which pods belong to the daemon set; must match the template's labels
    /// and cannot be changed after creation.
    pub selector: LabelSelector,
    /// The pod to run on each node.
    pub template: PodTemplateSpec,
    /// How pods are replaced when the template changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_strategy: Option<DaemonSetUpdateStrategy>,
    /// Seconds a new pod must be ready, without a container crashing, before
    /// it counts as available; 0 when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_ready_seconds: Option<i32>,
    /// How many old ControllerRevisions to keep for rolling back; 10 when
    /// unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_history_limit: Option<i32>,
}

/// How a [`DaemonSet`] replaces its pods.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DaemonSetUpdateStrategy {
    /// `RollingUpdate` (the default) or `OnDelete` (replace a pod only after
    /// someone deletes it).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// Limits of a rolling update; only with `type: RollingUpdate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolling_update: Option<RollingUpdateDaemonSet>,
}

/// The pace of a [`DaemonSet`]'s rolling update.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RollingUpdateDaemonSet {
    /// How many nodes (or what percentage of them, rounded up) may be without
    /// an available pod during the update; 1 when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unavailable: Option<IntOrString>,
    /// How many nodes (or what percentage, rounded up) may run an old and a
    /// new pod side by side during the update; 0 when unset. Cannot be
    /// non-zero together with a non-zero `maxUnavailable`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_surge: Option<IntOrString>,
}

/// The observed state of a [`DaemonSet`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DaemonSetStatus {
    /// Nodes that should run the pod and run at least one.
    #[serde(default)]
    pub current_number_scheduled: i32,
    /// Nodes that run the pod but should not.
    #[serde(default)]
    pub number_misscheduled: i32,
    /// Nodes that should run the pod.
    #[serde(default)]
    pub desired_number_scheduled: i32,
    /// Nodes whose pod is ready.
    #[serde(default)]
    pub number_ready: i32,
    /// The `metadata.generation` the controller last acted on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Nodes that run a pod from the current template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_number_scheduled: Option<i32>,
    /// Nodes whose pod has been ready for at least `minReadySeconds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_available: Option<i32>,
    /// Nodes that should run the pod but have none available.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_unavailable: Option<i32>,
    /// A counter mixed into the hash of new ControllerRevision names when a
    /// name clashes with an existing one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collision_count: Option<i32>,
    /// The latest observations of the daemon set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<DaemonSetCondition>,
}

/// One observation of a [`DaemonSet`]'s state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DaemonSetCondition {
    /// The condition type.
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
    fn daemon_set_round_trips() {
        let manifest = json!({
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": {
                "annotations": {"deprecated.daemonset.template.generation": "3"},
                "creationTimestamp": "2024-05-01T12:00:00Z",
                "generation": 3,
                "labels": {"k8s-app": "node-exporter"},
                "name": "node-exporter",
                "namespace": "monitoring",
                "resourceVersion": "55012",
                "uid": "a7b3c9d1-2e4f-4a6b-8c0d-1e2f3a4b5c6d"
            },
            "spec": {
                "minReadySeconds": 10,
                "revisionHistoryLimit": 10,
                "selector": {"matchLabels": {"k8s-app": "node-exporter"}},
                "template": {
                    "metadata": {"labels": {"k8s-app": "node-exporter"}},
                    "spec": {"containers": [{
                        "image": "quay.io/prometheus/node-exporter:v1.8.1",
                        "name": "node-exporter"
                    }]}
                },
                "updateStrategy": {
                    "rollingUpdate": {"maxSurge": 0, "maxUnavailable": "10%"},
                    "type": "RollingUpdate"
                }
            },
            "status": {
                "collisionCount": 0,
                "conditions": [{
                    "lastTransitionTime": "2024-05-01T12:03:00Z",
                    "message": "waiting for pods to become ready",
                    "reason": "Progressing",
                    "status": "False",
                    "type": "Ready"
                }],
                "currentNumberScheduled": 5,
                "desiredNumberScheduled": 5,
                "numberAvailable": 4,
                "numberMisscheduled": 0,
                "numberReady": 4,
                "numberUnavailable": 1,
                "observedGeneration": 3,
                "updatedNumberScheduled": 5
            }
        });
        let ds =
            round_trip_with_oracle::<DaemonSet, k8s_openapi::api::apps::v1::DaemonSet>(&manifest);
        let strategy = ds.spec.unwrap().update_strategy.unwrap();
        let rolling = strategy.rolling_update.unwrap();
        assert_eq!(rolling.max_surge, Some(IntOrString::Int(0)));
        assert_eq!(rolling.max_unavailable, Some(IntOrString::String("10%".into())));
        let status = ds.status.unwrap();
        assert_eq!(status.desired_number_scheduled, 5);
        assert_eq!(status.number_unavailable, Some(1));
    }

    #[test]
    fn required_counters_are_always_written() {
        let status = serde_json::to_value(DaemonSetStatus::default()).unwrap();
        assert_eq!(
            status,
            json!({
                "currentNumberScheduled": 0,
                "numberMisscheduled": 0,
                "desiredNumberScheduled": 0,
                "numberReady": 0
            })
        );
    }

    #[test]
    fn daemon_set_api_resource() {
        let ar = DaemonSet::API_RESOURCE;
        assert_eq!(ar.api_version, "apps/v1");
        assert_eq!(ar.plural, "daemonsets");
        assert_eq!(ar.scope, Scope::Namespaced);
        assert_eq!(ar.short_names.as_ref(), ["ds"]);
        assert_eq!(ar.categories.as_ref(), ["all"]);
    }
}
