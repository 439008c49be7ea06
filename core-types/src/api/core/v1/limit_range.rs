//! LimitRange: per-object bounds and defaults for resources in a namespace.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::meta::ObjectMeta;
use crate::quantity::Quantity;
use crate::resource::kind;

kind! {
    group: "", version: "v1", plural: "limitranges", scope: Namespaced,
    short_names: ["limits"], categories: [];
    /// Bounds on the resources each pod, container or claim in a namespace
    /// may ask for, and the defaults filled in when it asks for none.
    pub struct LimitRange {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// The bounds and defaults.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub spec: Option<LimitRangeSpec>,
    }
}

/// The bounds and defaults of a [`LimitRange`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LimitRangeSpec {
    /// One entry per kind of object constrained.
    #[serde(default)]
    pub limits: Vec<LimitRangeItem>,
}

/// The bounds and defaults for one kind of object (`Pod`, `Container` or
/// `PersistentVolumeClaim`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LimitRangeItem {
    /// The kind of object constrained: `Pod`, `Container` or
    /// `PersistentVolumeClaim`.
    #[serde(rename = "type")]
    pub type_: String,
    /// The largest amount of each resource allowed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub max: BTreeMap<String, Quantity>,
    /// The smallest amount of each resource allowed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub min: BTreeMap<String, Quantity>,
    /// The limit given to a container that sets none.
    #[serde(default, rename = "default", skip_serializing_if = "BTreeMap::is_empty")]
    pub default_: BTreeMap<String, Quantity>,
    /// The request given to a container that sets none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub default_request: BTreeMap<String, Quantity>,
    /// The largest allowed ratio of limit to request for each resource.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub max_limit_request_ratio: BTreeMap<String, Quantity>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::resource::StaticResource;
    use crate::test_support::round_trip;

    #[test]
    fn limit_range_manifest_round_trips() {
        let manifest = json!({
            "apiVersion": "v1",
            "kind": "LimitRange",
            "metadata": {
                "name": "defaults",
                "namespace": "team-a",
                "uid": "7d6c5b4a-3f2e-4d1c-8b0a-9f8e7d6c5b4a",
                "resourceVersion": "811",
                "creationTimestamp": "2024-05-01T12:00:00Z"
            },
            "spec": {"limits": [
                {
                    "default": {"cpu": "500m", "memory": "512Mi"},
                    "defaultRequest": {"cpu": "100m", "memory": "128Mi"},
                    "max": {"cpu": "2", "memory": "2Gi"},
                    "maxLimitRequestRatio": {"cpu": "10"},
                    "min": {"cpu": "10m", "memory": "16Mi"},
                    "type": "Container"
                },
                {"max": {"storage": "50Gi"}, "min": {"storage": "1Gi"}, "type": "PersistentVolumeClaim"}
            ]}
        });
        let lr: LimitRange = round_trip(&manifest);
        let limits = lr.spec.unwrap().limits;
        assert_eq!(limits[0].default_["memory"].as_str(), "512Mi");
        assert_eq!(limits[0].max_limit_request_ratio["cpu"].as_str(), "10");
        assert_eq!(limits[1].type_, "PersistentVolumeClaim");
    }

    #[test]
    fn minimal_limit_range_is_exact() {
        let lr =
            LimitRange { metadata: ObjectMeta::named("l"), spec: Some(LimitRangeSpec::default()) };
        assert_eq!(
            serde_json::to_string(&lr).unwrap(),
            r#"{"apiVersion":"v1","kind":"LimitRange","metadata":{"name":"l"},"spec":{"limits":[]}}"#
        );
        assert_eq!(&*LimitRange::API_RESOURCE.short_names, ["limits"]);
    }
}
