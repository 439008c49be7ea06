//! Scheduling constraints of core/v1: node and pod affinity, tolerations
//! and topology spread.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::labels::LabelSelector;

/// A node selector: the node must match at least one of the terms.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeSelector {
    /// The alternatives (ORed together); an empty list matches no node.
    #[serde(default)]
    pub node_selector_terms: Vec<NodeSelectorTerm>,
}

/// One alternative of a [`NodeSelector`]: every requirement in it must hold.
/// A term with no requirements matches no node.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeSelectorTerm {
    /// Requirements on the node's labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub match_expressions: Vec<NodeSelectorRequirement>,
    /// Requirements on the node's fields (only `metadata.name` is supported).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub match_fields: Vec<NodeSelectorRequirement>,
}

/// A requirement on one node label or field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeSelectorRequirement {
    /// The label key or field path the requirement is about.
    pub key: String,
    /// `In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt` or `Lt`.
    pub operator: String,
    /// The values to compare with: several for `In`/`NotIn`, none for
    /// `Exists`/`DoesNotExist`, a single integer for `Gt`/`Lt`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

/// Where a pod prefers or needs to be scheduled, relative to nodes and to
/// other pods.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Affinity {
    /// Constraints on the node's labels and fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_affinity: Option<NodeAffinity>,
    /// Run near pods that match: in the same topology domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_affinity: Option<PodAffinity>,
    /// Stay away from pods that match: not in the same topology domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_anti_affinity: Option<PodAntiAffinity>,
}

/// Which nodes a pod may run on, and which it prefers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeAffinity {
    /// Nodes that do not match are never chosen; a pod already running is
    /// not moved when labels change later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_during_scheduling_ignored_during_execution: Option<NodeSelector>,
    /// Terms that raise a node's score by their weight when they match.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preferred_during_scheduling_ignored_during_execution: Vec<PreferredSchedulingTerm>,
}

/// A weighted node preference.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreferredSchedulingTerm {
    /// Added to the score of matching nodes (1-100).
    pub weight: i32,
    /// What a node must match to get the weight.
    pub preference: NodeSelectorTerm,
}

/// Pods this pod should be placed with.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodAffinity {
    /// Terms that must all hold on the chosen node.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_during_scheduling_ignored_during_execution: Vec<PodAffinityTerm>,
    /// Terms that raise a node's score by their weight when they hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preferred_during_scheduling_ignored_during_execution: Vec<WeightedPodAffinityTerm>,
}

/// Pods this pod should be kept apart from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodAntiAffinity {
    /// Terms none of which may hold on the chosen node.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_during_scheduling_ignored_during_execution: Vec<PodAffinityTerm>,
    /// Terms that lower a node's score by their weight when they hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preferred_during_scheduling_ignored_during_execution: Vec<WeightedPodAffinityTerm>,
}

/// A set of pods and a topology: the term holds on a node when a matching
/// pod runs in the node's domain of `topologyKey`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodAffinityTerm {
    /// Which pods count; none when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_selector: Option<LabelSelector>,
    /// Namespaces to look in, added to those `namespaceSelector` picks; the
    /// pod's own namespace when both are empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<String>,
    /// Node label whose value defines the domain (`topology.kubernetes.io/zone`).
    pub topology_key: String,
    /// Namespaces to look in, by their labels; `{}` means all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_selector: Option<LabelSelector>,
    /// Label keys of this pod whose values are added to the selector as
    /// `key in (value)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub match_label_keys: Vec<String>,
    /// Label keys of this pod whose values are added to the selector as
    /// `key notin (value)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mismatch_label_keys: Vec<String>,
}

/// A weighted pod (anti-)affinity preference.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WeightedPodAffinityTerm {
    /// Added to (or, for anti-affinity, taken from) the score of nodes where
    /// the term holds (1-100).
    pub weight: i32,
    /// The term.
    pub pod_affinity_term: PodAffinityTerm,
}

/// Lets a pod run on nodes whose taints match.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Toleration {
    /// The taint key; empty with `Exists` tolerates every taint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// `Equal` (the default) or `Exists`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// The taint value to match with `Equal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`; empty matches all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<String>,
    /// For `NoExecute`: how long the pod stays bound after the taint
    /// appears; forever when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toleration_seconds: Option<i64>,
}

/// How evenly matching pods must be spread across a topology.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TopologySpreadConstraint {
    /// The largest allowed difference in matching pods between two domains.
    pub max_skew: i32,
    /// Node label whose value defines the domains.
    pub topology_key: String,
    /// `DoNotSchedule` or `ScheduleAnyway`: what to do when the skew cannot
    /// be kept.
    pub when_unsatisfiable: String,
    /// Which pods are counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_selector: Option<LabelSelector>,
    /// The number of domains assumed to exist, when fewer are eligible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_domains: Option<i32>,
    /// `Honor` (the default) or `Ignore`: whether the pod's node affinity
    /// limits the domains counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_affinity_policy: Option<String>,
    /// `Honor` or `Ignore` (the default): whether node taints limit the
    /// domains counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_taints_policy: Option<String>,
    /// Label keys of this pod whose values narrow the selector.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub match_label_keys: Vec<String>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::test_support::round_trip;

    #[test]
    fn node_selector_always_writes_its_terms() {
        assert_eq!(
            serde_json::to_string(&NodeSelector::default()).unwrap(),
            r#"{"nodeSelectorTerms":[]}"#
        );
        let term = NodeSelectorTerm {
            match_expressions: vec![NodeSelectorRequirement {
                key: "zone".into(),
                operator: "Exists".into(),
                values: vec![],
            }],
            match_fields: vec![],
        };
        assert_eq!(
            serde_json::to_string(&term).unwrap(),
            r#"{"matchExpressions":[{"key":"zone","operator":"Exists"}]}"#
        );
    }

    #[test]
    fn affinity_round_trips() {
        let doc = json!({
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                    {"matchExpressions": [{"key": "gpu-count", "operator": "Gt", "values": ["1"]}]}
                ]},
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {"weight": 1, "preference": {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1"]}]}}
                ]
            },
            "podAntiAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [{
                    "weight": 100,
                    "podAffinityTerm": {"labelSelector": {}, "topologyKey": "kubernetes.io/hostname"}
                }]
            }
        });
        let affinity: Affinity = round_trip(&doc);
        let anti = affinity.pod_anti_affinity.as_ref().unwrap();
        // An empty selector (match every pod) is kept apart from none.
        assert_eq!(
            anti.preferred_during_scheduling_ignored_during_execution[0]
                .pod_affinity_term
                .label_selector,
            Some(LabelSelector::default())
        );
        assert!(affinity.pod_affinity.is_none());
    }

    #[test]
    fn tolerations_and_spread_constraints_have_exact_json() {
        let t = Toleration {
            operator: Some("Exists".into()),
            effect: Some("NoExecute".into()),
            toleration_seconds: Some(60),
            ..Toleration::default()
        };
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"operator":"Exists","effect":"NoExecute","tolerationSeconds":60}"#
        );
        let c = TopologySpreadConstraint {
            max_skew: 2,
            topology_key: "kubernetes.io/hostname".into(),
            when_unsatisfiable: "ScheduleAnyway".into(),
            ..TopologySpreadConstraint::default()
        };
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"maxSkew":2,"topologyKey":"kubernetes.io/hostname","whenUnsatisfiable":"ScheduleAnyway"}"#
        );
        let missing = json!({"maxSkew": 1, "topologyKey": "zone"});
        assert!(serde_json::from_value::<TopologySpreadConstraint>(missing).is_err());
    }
}
