//! `autoscaling` v2 kinds: the [`HorizontalPodAutoscaler`], which sets a
//! workload's replica count from observed metrics.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::labels::LabelSelector;
use crate::meta::ObjectMeta;
use crate::quantity::Quantity;
use crate::resource::kind;
use crate::time::Time;

kind! {
    group: "autoscaling", version: "v2", plural: "horizontalpodautoscalers",
    scope: Namespaced, short_names: ["hpa"], categories: ["all"];
    /// Scales a workload (through its `scale` subresource) between a minimum
    /// and a maximum replica count to keep metrics near their targets.
    pub struct HorizontalPodAutoscaler {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// What to scale, within which bounds, on which metrics.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub spec: Option<HorizontalPodAutoscalerSpec>,
        /// The autoscaler's last observations and decisions.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status: Option<HorizontalPodAutoscalerStatus>,
    }
}

/// The desired behaviour of a [`HorizontalPodAutoscaler`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HorizontalPodAutoscalerSpec {
    /// The workload to scale; it must have a `scale` subresource.
    pub scale_target_ref: CrossVersionObjectReference,
    /// The fewest replicas to scale down to; 1 when unset. 0 is allowed only
    /// with the `HPAScaleToZero` feature and an object or external metric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_replicas: Option<i32>,
    /// The most replicas to scale up to.
    pub max_replicas: i32,
    /// The metrics to follow; the largest replica count any of them asks for
    /// wins. 80% average CPU utilization when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<MetricSpec>,
    /// How fast to scale up and down; the built-in defaults when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behavior: Option<HorizontalPodAutoscalerBehavior>,
}

/// A reference to an object by API version, kind and name, in the
/// autoscaler's namespace.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CrossVersionObjectReference {
    /// Kind of the referent (`Deployment`).
    pub kind: String,
    /// Name of the referent.
    pub name: String,
    /// API version of the referent (`apps/v1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
}

/// One metric a [`HorizontalPodAutoscaler`] follows. `type` says which of
/// the source fields is set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MetricSpec {
    /// `Resource`, `ContainerResource`, `Pods`, `Object` or `External`.
    #[serde(rename = "type")]
    pub type_: String,
    /// A CPU or memory metric over the target's pods; for `type: Resource`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<ResourceMetricSource>,
    /// A CPU or memory metric of one container of the target's pods; for
    /// `type: ContainerResource`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_resource: Option<ContainerResourceMetricSource>,
    /// A custom metric averaged over the target's pods; for `type: Pods`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pods: Option<PodsMetricSource>,
    /// A custom metric of another object in the namespace; for
    /// `type: Object`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<ObjectMetricSource>,
    /// A metric from outside the cluster; for `type: External`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external: Option<ExternalMetricSource>,
}

/// A resource metric (as in requests and limits) over all containers of the
/// target's pods.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceMetricSource {
    /// The resource name (`cpu`, `memory`).
    pub name: String,
    /// The value to aim for.
    pub target: MetricTarget,
}

/// A resource metric of one named container in each of the target's pods.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContainerResourceMetricSource {
    /// The resource name (`cpu`, `memory`).
    pub name: String,
    /// The value to aim for.
    pub target: MetricTarget,
    /// The container whose usage counts.
    pub container: String,
}

/// A custom metric reported for each of the target's pods and averaged.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodsMetricSource {
    /// Which metric.
    pub metric: MetricIdentifier,
    /// The value to aim for; only `AverageValue` targets make sense here.
    pub target: MetricTarget,
}

/// A custom metric describing one object, such as requests per second on an
/// Ingress.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMetricSource {
    /// The object the metric describes.
    pub described_object: CrossVersionObjectReference,
    /// The value to aim for.
    pub target: MetricTarget,
    /// Which metric.
    pub metric: MetricIdentifier,
}

/// A metric from a system outside the cluster, such as a queue length.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExternalMetricSource {
    /// Which metric.
    pub metric: MetricIdentifier,
    /// The value to aim for.
    pub target: MetricTarget,
}

/// A metric's name and, optionally, the labels that narrow it down.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MetricIdentifier {
    /// The metric name.
    pub name: String,
    /// Labels the metrics server uses to pick series; all series of the
    /// metric when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<LabelSelector>,
}

/// The value a metric should be held at. `type` says which field is set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MetricTarget {
    /// `Utilization`, `Value` or `AverageValue`.
    #[serde(rename = "type")]
    pub type_: String,
    /// The total value to aim for; for `type: Value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Quantity>,
    /// The value per pod to aim for; for `type: AverageValue`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average_value: Option<Quantity>,
    /// The average usage to aim for, as a percentage of the pods' requests;
    /// for `type: Utilization` on resource metrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average_utilization: Option<i32>,
}

/// How fast a [`HorizontalPodAutoscaler`] may scale in each direction.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HorizontalPodAutoscalerBehavior {
    /// Limits on scaling up; by default, doubling or adding 4 pods every 15
    /// seconds, whichever is more, with no stabilization window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_up: Option<HPAScalingRules>,
    /// Limits on scaling down; by default any amount, with a 300-second
    /// stabilization window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down: Option<HPAScalingRules>,
}

/// The limits on scaling in one direction.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HPAScalingRules {
    /// Seconds of past recommendations to consider; the most conservative
    /// of them is used, which damps flapping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stabilization_window_seconds: Option<i32>,
    /// Which policy wins when several apply: `Max` (the default), `Min`, or
    /// `Disabled` (never scale in this direction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub select_policy: Option<String>,
    /// How much the replica count may change per period.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<HPAScalingPolicy>,
    /// How far, as a fraction, the metric may stray from its target before
    /// the autoscaler acts (`0.05` for 5%); the cluster-wide default when
    /// unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<Quantity>,
}

/// One limit on how much the replica count may change within a period.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HPAScalingPolicy {
    /// `Pods` (a number of pods) or `Percent` (a percentage of the current
    /// replicas).
    #[serde(rename = "type")]
    pub type_: String,
    /// The number of pods or the percentage.
    pub value: i32,
    /// The length of the period in seconds (at most 1800).
    pub period_seconds: i32,
}

/// The observed state of a [`HorizontalPodAutoscaler`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HorizontalPodAutoscalerStatus {
    /// The `metadata.generation` the autoscaler last acted on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// When the autoscaler last changed the replica count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_scale_time: Option<Time>,
    /// The target's replica count when last seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_replicas: Option<i32>,
    /// The replica count the autoscaler last asked for.
    #[serde(default)]
    pub desired_replicas: i32,
    /// The last read values of the metrics in `spec.metrics`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub current_metrics: Vec<MetricStatus>,
    /// The latest observations of the autoscaler (`AbleToScale`,
    /// `ScalingActive`, `ScalingLimited`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<HorizontalPodAutoscalerCondition>,
}

/// The last read value of one metric. `type` says which field is set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MetricStatus {
    /// `Resource`, `ContainerResource`, `Pods`, `Object` or `External`.
    #[serde(rename = "type")]
    pub type_: String,
    /// The value of a resource metric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<ResourceMetricStatus>,
    /// The value of a container resource metric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_resource: Option<ContainerResourceMetricStatus>,
    /// The value of a pods metric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pods: Option<PodsMetricStatus>,
    /// The value of an object metric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<ObjectMetricStatus>,
    /// The value of an external metric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external: Option<ExternalMetricStatus>,
}

/// The last read value of a resource metric.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceMetricStatus {
    /// The resource name (`cpu`, `memory`).
    pub name: String,
    /// The value read.
    pub current: MetricValueStatus,
}

/// The last read value of a container resource metric.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContainerResourceMetricStatus {
    /// The resource name (`cpu`, `memory`).
    pub name: String,
    /// The value read.
    pub current: MetricValueStatus,
    /// The container whose usage was read.
    pub container: String,
}

/// The last read value of a pods metric.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodsMetricStatus {
    /// Which metric.
    pub metric: MetricIdentifier,
    /// The value read.
    pub current: MetricValueStatus,
}

/// The last read value of an object metric.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMetricStatus {
    /// Which metric.
    pub metric: MetricIdentifier,
    /// The value read.
    pub current: MetricValueStatus,
    /// The object the metric describes.
    pub described_object: CrossVersionObjectReference,
}

/// The last read value of an external metric.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExternalMetricStatus {
    /// Which metric.
    pub metric: MetricIdentifier,
    /// The value read.
    pub current: MetricValueStatus,
}

/// A metric's value as read, in whichever forms apply to it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MetricValueStatus {
    /// The total value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Quantity>,
    /// The value per pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average_value: Option<Quantity>,
    /// The average usage as a percentage of the pods' requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average_utilization: Option<i32>,
}

/// One observation of a [`HorizontalPodAutoscaler`]'s state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HorizontalPodAutoscalerCondition {
    /// The condition type: `AbleToScale`, `ScalingActive` or
    /// `ScalingLimited`.
    #[serde(rename = "type")]
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// When the status last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Time>,
    /// The `metadata.generation` the condition was written for; older than
    /// the current generation means the condition may be stale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
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
    fn hpa_with_every_metric_type_round_trips() {
        let manifest = json!({
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {
                "creationTimestamp": "2024-05-01T12:00:00Z",
                "name": "web",
                "namespace": "default",
                "resourceVersion": "70021",
                "uid": "6e7f8a9b-0c1d-4e2f-8a3b-4c5d6e7f8a9b"
            },
            "spec": {
                "behavior": {
                    "scaleDown": {
                        "policies": [{"periodSeconds": 15, "type": "Percent", "value": 100}],
                        "selectPolicy": "Max",
                        "stabilizationWindowSeconds": 300,
                        "tolerance": "50m"
                    },
                    "scaleUp": {
                        "policies": [
                            {"periodSeconds": 15, "type": "Pods", "value": 4},
                            {"periodSeconds": 15, "type": "Percent", "value": 100}
                        ],
                        "selectPolicy": "Max",
                        "stabilizationWindowSeconds": 0
                    }
                },
                "maxReplicas": 10,
                "metrics": [
                    {
                        "resource": {
                            "name": "cpu",
                            "target": {"averageUtilization": 70, "type": "Utilization"}
                        },
                        "type": "Resource"
                    },
                    {
                        "containerResource": {
                            "container": "nginx",
                            "name": "memory",
                            "target": {"averageValue": "200Mi", "type": "AverageValue"}
                        },
                        "type": "ContainerResource"
                    },
                    {
                        "pods": {
                            "metric": {"name": "packets-per-second"},
                            "target": {"averageValue": "1k", "type": "AverageValue"}
                        },
                        "type": "Pods"
                    },
                    {
                        "object": {
                            "describedObject": {
                                "apiVersion": "networking.k8s.io/v1",
                                "kind": "Ingress",
                                "name": "main-route"
                            },
                            "metric": {"name": "requests-per-second"},
                            "target": {"type": "Value", "value": "10k"}
                        },
                        "type": "Object"
                    },
                    {
                        "external": {
                            "metric": {
                                "name": "queue_messages_ready",
                                "selector": {"matchLabels": {"queue": "worker_tasks"}}
                            },
                            "target": {"averageValue": "30", "type": "AverageValue"}
                        },
                        "type": "External"
                    }
                ],
                "minReplicas": 2,
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}
            },
            "status": {
                "conditions": [
                    {
                        "lastTransitionTime": "2024-05-01T12:01:00Z",
                        "message": "recommended size matches current size",
                        "observedGeneration": 1,
                        "reason": "ReadyForNewScale",
                        "status": "True",
                        "type": "AbleToScale"
                    },
                    {
                        "lastTransitionTime": "2024-05-01T12:01:00Z",
                        "message": "the desired count is within the acceptable range",
                        "reason": "DesiredWithinRange",
                        "status": "False",
                        "type": "ScalingLimited"
                    }
                ],
                "currentMetrics": [
                    {
                        "resource": {
                            "current": {"averageUtilization": 45, "averageValue": "90m"},
                            "name": "cpu"
                        },
                        "type": "Resource"
                    },
                    {
                        "containerResource": {
                            "container": "nginx",
                            "current": {"averageValue": "120Mi"},
                            "name": "memory"
                        },
                        "type": "ContainerResource"
                    },
                    {
                        "pods": {
                            "current": {"averageValue": "850"},
                            "metric": {"name": "packets-per-second"}
                        },
                        "type": "Pods"
                    },
                    {
                        "object": {
                            "current": {"value": "8500"},
                            "describedObject": {
                                "apiVersion": "networking.k8s.io/v1",
                                "kind": "Ingress",
                                "name": "main-route"
                            },
                            "metric": {"name": "requests-per-second"}
                        },
                        "type": "Object"
                    },
                    {
                        "external": {
                            "current": {"averageValue": "12"},
                            "metric": {
                                "name": "queue_messages_ready",
                                "selector": {"matchLabels": {"queue": "worker_tasks"}}
                            }
                        },
                        "type": "External"
                    }
                ],
                "currentReplicas": 3,
                "desiredReplicas": 3,
                "lastScaleTime": "2024-05-01T12:30:00Z",
                "observedGeneration": 1
            }
        });
        let hpa = round_trip_with_oracle::<
            HorizontalPodAutoscaler,
            k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler,
        >(&manifest);
        let spec = hpa.spec.unwrap();
        assert_eq!(spec.scale_target_ref.kind, "Deployment");
        assert_eq!(spec.metrics[0].resource.as_ref().unwrap().target.average_utilization, Some(70));
        let object = spec.metrics[3].object.as_ref().unwrap();
        assert_eq!(object.target.value.as_ref().map(Quantity::as_str), Some("10k"));
        let behavior = spec.behavior.unwrap();
        let scale_down = behavior.scale_down.unwrap();
        assert_eq!(scale_down.tolerance.as_ref().map(Quantity::as_str), Some("50m"));
        assert_eq!(behavior.scale_up.unwrap().policies.len(), 2);
        let status = hpa.status.unwrap();
        assert_eq!(status.desired_replicas, 3);
        assert_eq!(status.conditions[0].observed_generation, Some(1));
        assert_eq!(status.conditions[1].observed_generation, None);
        let container = status.current_metrics[1].container_resource.as_ref().unwrap();
        assert_eq!(container.current.average_value.as_ref().map(Quantity::as_str), Some("120Mi"));
    }

    #[test]
    fn max_replicas_and_target_are_required() {
        let body = br#"{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler",
            "spec":{"scaleTargetRef":{"kind":"Deployment","name":"web"}}}"#;
        assert!(crate::codec::from_json::<HorizontalPodAutoscaler>(body).is_err());
        let body = br#"{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler",
            "spec":{"maxReplicas":3}}"#;
        assert!(crate::codec::from_json::<HorizontalPodAutoscaler>(body).is_err());
    }

    #[test]
    fn hpa_api_resource() {
        let ar = HorizontalPodAutoscaler::API_RESOURCE;
        assert_eq!(ar.api_version, "autoscaling/v2");
        assert_eq!(ar.kind, "HorizontalPodAutoscaler");
        assert_eq!(ar.plural, "horizontalpodautoscalers");
        assert_eq!(ar.scope, Scope::Namespaced);
        assert_eq!(ar.short_names.as_ref(), ["hpa"]);
        assert_eq!(ar.categories.as_ref(), ["all"]);
    }
}
