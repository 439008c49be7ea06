//! StatefulSet: pods with stable names and their own storage.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::core::v1::{PersistentVolumeClaim, PodTemplateSpec};
use crate::intstr::IntOrString;
use crate::labels::LabelSelector;
use crate::meta::ObjectMeta;
use crate::resource::kind;
use crate::time::Time;

kind! {
    group: "apps", version: "v1", plural: "statefulsets", scope: Namespaced,
    short_names: ["sts"], categories: ["all"];
    /// Runs numbered pods (`web-0`, `web-1`, ...) that keep their name and
    /// their persistent volume claims when they are rescheduled.
    pub struct StatefulSet {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// The pods and claims wanted and how to update them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub spec: Option<StatefulSetSpec>,
        /// The pods as last seen by the controller.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status: Option<StatefulSetStatus>,
    }
}

/// The desired state of a [`StatefulSet`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatefulSetSpec {
    /// How many pods to run; 1 when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    /// Which pods belong to the set; must match the template's labels and
    /// cannot be changed after creation.
    pub selector: LabelSelector,
    /// The pods to create. Each pod also gets a claim from every entry of
    /// `volumeClaimTemplates`, mounted by the template's volumes.
    pub template: PodTemplateSpec,
    /// Claims made for each pod (`<claim>-<set>-<ordinal>`) and mounted by
    /// the template's volumes of the same name; they keep the pod's data
    /// across rescheduling.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volume_claim_templates: Vec<PersistentVolumeClaim>,
    /// The headless Service that gives the pods their DNS names
    /// (`web-0.<serviceName>.<namespace>.svc`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_name: Option<String>,
    /// `OrderedReady` (the default: create and delete pods one at a time, in
    /// order) or `Parallel`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_management_policy: Option<String>,
    /// How pods are replaced when the template changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_strategy: Option<StatefulSetUpdateStrategy>,
    /// How many old ControllerRevisions to keep for rolling back; 10 when
    /// unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_history_limit: Option<i32>,
    /// Seconds a new pod must be ready, without a container crashing, before
    /// it counts as available; 0 when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_ready_seconds: Option<i32>,
    /// What happens to the claims made from `volumeClaimTemplates` when the
    /// set is deleted or scaled down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent_volume_claim_retention_policy:
        Option<StatefulSetPersistentVolumeClaimRetentionPolicy>,
    /// The numbering of the pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordinals: Option<StatefulSetOrdinals>,
}

/// How a [`StatefulSet`] replaces its pods.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatefulSetUpdateStrategy {
    /// `RollingUpdate` (the default: replace pods from the highest ordinal
    /// down) or `OnDelete` (replace a pod only after someone deletes it).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// Limits of a rolling update; only with `type: RollingUpdate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolling_update: Option<RollingUpdateStatefulSetStrategy>,
}

/// The extent and pace of a [`StatefulSet`]'s rolling update.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RollingUpdateStatefulSetStrategy {
    /// Only pods with an ordinal at or above this number are updated, for
    /// staged rollouts; 0 when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<i32>,
    /// How many pods (or what percentage, rounded up) may be unavailable
    /// during the update; 1 when unset. Honoured only where the
    /// `MaxUnavailableStatefulSet` feature is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unavailable: Option<IntOrString>,
}

/// Whether a [`StatefulSet`]'s claims outlive its pods.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatefulSetPersistentVolumeClaimRetentionPolicy {
    /// `Retain` (the default) or `Delete`: what happens to the claims when
    /// the set is deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when_deleted: Option<String>,
    /// `Retain` (the default) or `Delete`: what happens to the claims of
    /// pods removed by scaling down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when_scaled: Option<String>,
}

/// The numbering of a [`StatefulSet`]'s pods.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatefulSetOrdinals {
    /// The ordinal of the first pod; pods are numbered `start` to
    /// `start + replicas - 1`. 0 when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<i32>,
}

/// The observed state of a [`StatefulSet`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatefulSetStatus {
    /// The `metadata.generation` the controller last acted on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Pods the controller created.
    #[serde(default)]
    pub replicas: i32,
    /// Pods whose `Ready` condition is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_replicas: Option<i32>,
    /// Pods that run the revision named by `currentRevision`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_replicas: Option<i32>,
    /// Pods that run the revision named by `updateRevision`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_replicas: Option<i32>,
    /// The ControllerRevision the pods below the update partition run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_revision: Option<String>,
    /// The ControllerRevision being rolled out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_revision: Option<String>,
    /// A counter mixed into the hash of new ControllerRevision names when a
    /// name clashes with an existing one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collision_count: Option<i32>,
    /// The latest observations of the set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<StatefulSetCondition>,
    /// Pods that have been ready for at least `minReadySeconds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_replicas: Option<i32>,
}

/// One observation of a [`StatefulSet`]'s state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatefulSetCondition {
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
    use serde_json::{Value, json};

    use super::*;
    use crate::resource::{Scope, StaticResource};
    use crate::test_support::round_trip_with_oracle;

    type K8sStatefulSet = k8s_openapi::api::apps::v1::StatefulSet;

    fn manifest() -> Value {
        json!({
            "apiVersion": "apps/v1",
            "kind": "StatefulSet",
            "metadata": {
                "creationTimestamp": "2024-05-01T12:00:00Z",
                "generation": 4,
                "labels": {"app": "db"},
                "name": "db",
                "namespace": "data",
                "resourceVersion": "90311",
                "uid": "2d4f6a8b-0c1e-4f3a-9b5d-7e9f1a3c5e7b"
            },
            "spec": {
                "minReadySeconds": 0,
                "ordinals": {"start": 1},
                "persistentVolumeClaimRetentionPolicy": {
                    "whenDeleted": "Retain",
                    "whenScaled": "Delete"
                },
                "podManagementPolicy": "Parallel",
                "replicas": 3,
                "revisionHistoryLimit": 10,
                "selector": {"matchLabels": {"app": "db"}},
                "serviceName": "db-headless",
                "template": {
                    "metadata": {"labels": {"app": "db"}},
                    "spec": {"containers": [{"image": "postgres:16", "name": "postgres"}]}
                },
                "updateStrategy": {
                    "rollingUpdate": {"maxUnavailable": 1, "partition": 2},
                    "type": "RollingUpdate"
                },
                "volumeClaimTemplates": [{
                    "apiVersion": "v1",
                    "kind": "PersistentVolumeClaim",
                    "metadata": {"name": "data"},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "10Gi"}},
                        "storageClassName": "standard",
                        "volumeMode": "Filesystem"
                    },
                    "status": {"phase": "Pending"}
                }]
            },
            "status": {
                "availableReplicas": 3,
                "collisionCount": 0,
                "currentReplicas": 2,
                "currentRevision": "db-5d7c9f8b6",
                "observedGeneration": 4,
                "readyReplicas": 3,
                "replicas": 3,
                "updateRevision": "db-7f6b8d9c4",
                "updatedReplicas": 1
            }
        })
    }

    #[test]
    fn stateful_set_round_trips() {
        let sts = round_trip_with_oracle::<StatefulSet, K8sStatefulSet>(&manifest());
        let spec = sts.spec.unwrap();
        assert_eq!(spec.ordinals.unwrap().start, Some(1));
        let rolling = spec.update_strategy.unwrap().rolling_update.unwrap();
        assert_eq!(rolling.partition, Some(2));
        assert_eq!(rolling.max_unavailable, Some(IntOrString::Int(1)));
        assert_eq!(
            spec.persistent_volume_claim_retention_policy.unwrap().when_scaled.as_deref(),
            Some("Delete")
        );
        let claim = &spec.volume_claim_templates[0];
        assert_eq!(claim.metadata.name.as_deref(), Some("data"));
        let requests = &claim.spec.as_ref().unwrap().resources.as_ref().unwrap().requests;
        assert_eq!(requests["storage"].as_str(), "10Gi");
        assert_eq!(sts.status.unwrap().update_revision.as_deref(), Some("db-7f6b8d9c4"));
    }

    #[test]
    fn stateful_set_conditions_round_trip() {
        let mut manifest = manifest();
        manifest["status"]["conditions"] = json!([{
            "lastTransitionTime": "2024-05-01T12:10:00Z",
            "message": "partition reached",
            "reason": "RolloutPaused",
            "status": "True",
            "type": "Paused"
        }]);
        let sts = round_trip_with_oracle::<StatefulSet, K8sStatefulSet>(&manifest);
        assert_eq!(sts.status.unwrap().conditions[0].type_, "Paused");
    }

    #[test]
    fn claim_templates_carry_the_claim_health_status() {
        let mut manifest = manifest();
        manifest["spec"]["volumeClaimTemplates"][0]["status"]["healthStatus"] = json!({
            "healthConditions": [{"reason": "VolumeDegraded", "status": "False"}],
            "lastTransitionTime": "2024-05-01T12:20:00Z"
        });
        let sts = round_trip_with_oracle::<StatefulSet, K8sStatefulSet>(&manifest);
        let claim = &sts.spec.unwrap().volume_claim_templates[0];
        let health = claim.status.as_ref().unwrap().health_status.as_ref().unwrap();
        assert_eq!(health.health_conditions[0].status, "False");
    }

    #[test]
    fn stateful_set_api_resource() {
        let ar = StatefulSet::API_RESOURCE;
        assert_eq!(ar.api_version, "apps/v1");
        assert_eq!(ar.plural, "statefulsets");
        assert_eq!(ar.scope, Scope::Namespaced);
        assert_eq!(ar.short_names.as_ref(), ["sts"]);
        assert_eq!(ar.categories.as_ref(), ["all"]);
    }
}
