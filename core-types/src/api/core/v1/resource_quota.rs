//! ResourceQuota: limits on what a namespace may consume.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::meta::ObjectMeta;
use crate::quantity::Quantity;
use crate::resource::kind;

kind! {
    group: "", version: "v1", plural: "resourcequotas", scope: Namespaced,
    short_names: ["quota"], categories: [];
    /// Caps on the total resources and object counts of a namespace.
    pub struct ResourceQuota {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// The caps to enforce.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub spec: Option<ResourceQuotaSpec>,
        /// The caps in force and current usage.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status: Option<ResourceQuotaStatus>,
    }
}

/// The caps a [`ResourceQuota`] enforces.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceQuotaSpec {
    /// The cap for each resource name (`requests.cpu`, `pods`,
    /// `count/deployments.apps`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub hard: BTreeMap<String, Quantity>,
    /// Only objects in all of these scopes (`Terminating`, `BestEffort`,
    /// ...) count against the quota.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// Scope filters with operators; only matching objects count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope_selector: Option<ScopeSelector>,
}

/// Scope filters of a [`ResourceQuota`], all of which must match.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScopeSelector {
    /// The filters, ANDed together.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub match_expressions: Vec<ScopedResourceSelectorRequirement>,
}

/// One scope filter: a scope name, an operator and values.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScopedResourceSelectorRequirement {
    /// The scope the filter applies to (`PriorityClass`, `Terminating`, ...).
    pub scope_name: String,
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    pub operator: String,
    /// The values for `In` and `NotIn`; empty for the other operators.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

/// The enforced caps and usage of a [`ResourceQuota`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceQuotaStatus {
    /// The caps in force.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub hard: BTreeMap<String, Quantity>,
    /// What the namespace currently uses of each capped resource.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub used: BTreeMap<String, Quantity>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::resource::StaticResource;
    use crate::test_support::round_trip;

    #[test]
    fn resource_quota_manifest_round_trips() {
        let manifest = json!({
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": {
                "name": "compute",
                "namespace": "team-a",
                "uid": "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
                "resourceVersion": "9001",
                "creationTimestamp": "2024-05-01T12:00:00Z"
            },
            "spec": {
                "hard": {"limits.memory": "16Gi", "pods": "20", "requests.cpu": "4"},
                "scopeSelector": {"matchExpressions": [
                    {"operator": "In", "scopeName": "PriorityClass", "values": ["high", "medium"]},
                    {"operator": "Exists", "scopeName": "NotTerminating"}
                ]},
                "scopes": ["NotBestEffort"]
            },
            "status": {
                "hard": {"limits.memory": "16Gi", "pods": "20", "requests.cpu": "4"},
                "used": {"limits.memory": "3Gi", "pods": "5", "requests.cpu": "1500m"}
            }
        });
        let quota: ResourceQuota = round_trip(&manifest);
        let spec = quota.spec.unwrap();
        assert_eq!(spec.scope_selector.unwrap().match_expressions[0].values, ["high", "medium"]);
        assert_eq!(quota.status.unwrap().used["requests.cpu"].as_str(), "1500m");
    }

    #[test]
    fn minimal_resource_quota_is_exact() {
        let quota = ResourceQuota {
            metadata: ObjectMeta::named("q"),
            spec: Some(ResourceQuotaSpec::default()),
            status: None,
        };
        assert_eq!(
            serde_json::to_string(&quota).unwrap(),
            r#"{"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"q"},"spec":{}}"#
        );
        assert_eq!(&*ResourceQuota::API_RESOURCE.short_names, ["quota"]);
    }
}
