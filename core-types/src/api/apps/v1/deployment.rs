//! Deployment: declarative rollouts of replicated pods through ReplicaSets.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::core::v1::PodTemplateSpec;
use crate::intstr::IntOrString;
use crate::labels::LabelSelector;
use crate::meta::ObjectMeta;
use crate::resource::kind;
use crate::time::Time;

kind! {
    group: "apps", version: "v1", plural: "deployments", scope: Namespaced,
    short_names: ["deploy"], categories: ["all"];
    /// Keeps a number of identical pods running and moves them to a new pod
    /// template step by step, through one ReplicaSet per template revision.
    pub struct Deployment {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// The pods wanted and how to roll out changes to them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub spec: Option<DeploymentSpec>,
        /// The rollout's progress as last seen by the controller.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status: Option<DeploymentStatus>,
    }
}

/// The desired state of a [`Deployment`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentSpec {
    /// How many pods to run; 1 when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    /// Which pods belong to the deployment; must match the template's
    /// labels and cannot be changed after creation.
    pub selector: LabelSelector,
    /// The pods to create.
    pub template: PodTemplateSpec,
    /// How old pods are replaced by new ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<DeploymentStrategy>,
    /// Seconds a new pod must be ready, without a container crashing, before
    /// it counts as available; 0 when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_ready_seconds: Option<i32>,
    /// How many old ReplicaSets to keep for rolling back; 10 when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_history_limit: Option<i32>,
    /// When true, changes to the template do not start a rollout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused: Option<bool>,
    /// Seconds without progress after which the rollout is reported as
    /// failed (`Progressing` becomes `False`); 600 when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress_deadline_seconds: Option<i32>,
}

/// How a [`Deployment`] replaces its pods.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentStrategy {
    /// `RollingUpdate` (the default) or `Recreate` (delete all old pods
    /// before creating new ones).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// Limits of a rolling update; only with `type: RollingUpdate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolling_update: Option<RollingUpdateDeployment>,
}

/// The pace of a [`Deployment`]'s rolling update.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RollingUpdateDeployment {
    /// How many pods (or what percentage of `replicas`, rounded down) may be
    /// unavailable during the update; 25% when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unavailable: Option<IntOrString>,
    /// How many pods (or what percentage, rounded up) may be created above
    /// `replicas` during the update; 25% when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_surge: Option<IntOrString>,
}

/// The observed state of a [`Deployment`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentStatus {
    /// The `metadata.generation` the controller last acted on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Pods selected by the deployment that are not being deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    /// Pods that run the current template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_replicas: Option<i32>,
    /// Pods whose `Ready` condition is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_replicas: Option<i32>,
    /// Pods that have been ready for at least `minReadySeconds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_replicas: Option<i32>,
    /// Pods still missing to reach the wanted available count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unavailable_replicas: Option<i32>,
    /// Pods being deleted (they have a deletion timestamp) but not yet gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminating_replicas: Option<i32>,
    /// The latest observations of the rollout (`Available`, `Progressing`,
    /// `ReplicaFailure`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<DeploymentCondition>,
    /// A counter mixed into the hash of new ReplicaSet names when a name
    /// clashes with an existing one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collision_count: Option<i32>,
}

/// One observation of a [`Deployment`]'s state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentCondition {
    /// The condition type: `Available`, `Progressing` or `ReplicaFailure`.
    #[serde(rename = "type")]
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// When the controller last refreshed the condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_update_time: Option<Time>,
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
    fn deployment_round_trips() {
        let manifest = json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "annotations": {"deployment.kubernetes.io/revision": "2"},
                "creationTimestamp": "2024-05-01T12:00:00Z",
                "generation": 2,
                "labels": {"app": "web"},
                "name": "web",
                "namespace": "default",
                "resourceVersion": "81234",
                "uid": "0b9d7f5e-5a43-4d0c-9c55-2a7e3b9f4d10"
            },
            "spec": {
                "paused": false,
                "progressDeadlineSeconds": 600,
                "minReadySeconds": 5,
                "replicas": 3,
                "revisionHistoryLimit": 10,
                "selector": {
                    "matchLabels": {"app": "web"},
                    "matchExpressions": [
                        {"key": "tier", "operator": "In", "values": ["frontend"]}
                    ]
                },
                "strategy": {
                    "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1},
                    "type": "RollingUpdate"
                },
                "template": {
                    "metadata": {"labels": {"app": "web", "tier": "frontend"}},
                    "spec": {"containers": [{"image": "nginx:1.27", "name": "nginx"}]}
                }
            },
            "status": {
                "availableReplicas": 2,
                "collisionCount": 1,
                "conditions": [
                    {
                        "lastTransitionTime": "2024-05-01T12:00:10Z",
                        "lastUpdateTime": "2024-05-01T12:00:10Z",
                        "message": "Deployment has minimum availability.",
                        "reason": "MinimumReplicasAvailable",
                        "status": "True",
                        "type": "Available"
                    },
                    {
                        "lastTransitionTime": "2024-05-01T12:00:00Z",
                        "lastUpdateTime": "2024-05-01T12:05:00Z",
                        "message": "ReplicaSet \"web-7c5ddbdf54\" is progressing.",
                        "reason": "ReplicaSetUpdated",
                        "status": "True",
                        "type": "Progressing"
                    }
                ],
                "observedGeneration": 2,
                "readyReplicas": 2,
                "replicas": 4,
                "terminatingReplicas": 1,
                "unavailableReplicas": 2,
                "updatedReplicas": 1
            }
        });
        let deploy =
            round_trip_with_oracle::<Deployment, k8s_openapi::api::apps::v1::Deployment>(&manifest);
        let spec = deploy.spec.unwrap();
        let rolling = spec.strategy.unwrap().rolling_update.unwrap();
        assert_eq!(rolling.max_surge, Some(IntOrString::String("25%".into())));
        assert_eq!(rolling.max_unavailable, Some(IntOrString::Int(1)));
        let status = deploy.status.unwrap();
        assert_eq!(status.conditions[1].type_, "Progressing");
        assert_eq!(status.terminating_replicas, Some(1));
    }

    #[test]
    fn minimal_deployment_writes_type_fields_first() {
        let deploy = Deployment {
            metadata: ObjectMeta::named("web"),
            spec: Some(DeploymentSpec {
                selector: LabelSelector {
                    match_labels: [("app".to_owned(), "web".to_owned())].into(),
                    ..LabelSelector::default()
                },
                ..DeploymentSpec::default()
            }),
            status: None,
        };
        assert_eq!(
            serde_json::to_string(&deploy).unwrap(),
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"selector":{"matchLabels":{"app":"web"}},"template":{}}}"#
        );
    }

    #[test]
    fn deployment_api_resource() {
        let ar = Deployment::API_RESOURCE;
        assert_eq!(ar.api_version, "apps/v1");
        assert_eq!(ar.kind, "Deployment");
        assert_eq!(ar.plural, "deployments");
        assert_eq!(ar.scope, Scope::Namespaced);
        assert_eq!(ar.short_names.as_ref(), ["deploy"]);
        assert_eq!(ar.categories.as_ref(), ["all"]);
    }
}
