//! `scheduling.k8s.io` v1 kinds: [`PriorityClass`].

use crate::meta::ObjectMeta;
use crate::resource::kind;

kind! {
    group: "scheduling.k8s.io", version: "v1", plural: "priorityclasses", scope: Cluster,
    short_names: ["pc"], categories: [];
    /// A named pod priority: pods that name the class in
    /// `spec.priorityClassName` are scheduled, and may preempt others,
    /// according to its value.
    pub struct PriorityClass {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// The priority given to pods of this class; higher wins. Values above
        /// one billion are reserved for system classes.
        #[serde(default)]
        pub value: i32,
        /// Whether pods that name no class get this one; at most one class
        /// may set it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub global_default: Option<bool>,
        /// When to use this class, for people.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub description: Option<String>,
        /// Whether pods of this class may evict lower-priority pods:
        /// `PreemptLowerPriority` (the default) or `Never`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub preemption_policy: Option<String>,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::resource::{Scope, StaticResource};
    use crate::test_support::round_trip_with_oracle;

    #[test]
    fn priority_class_round_trips() {
        let manifest = json!({
            "apiVersion": "scheduling.k8s.io/v1",
            "kind": "PriorityClass",
            "metadata": {"name": "high-priority"},
            "value": 1000000,
            "globalDefault": false,
            "description": "For latency-critical services only.",
            "preemptionPolicy": "Never"
        });
        let pc = round_trip_with_oracle::<
            PriorityClass,
            k8s_openapi::api::scheduling::v1::PriorityClass,
        >(&manifest);
        assert_eq!(pc.value, 1_000_000);
    }

    #[test]
    fn zero_value_is_always_written() {
        let pc = PriorityClass { metadata: ObjectMeta::named("zero"), ..PriorityClass::default() };
        assert_eq!(serde_json::to_value(&pc).unwrap()["value"], json!(0));
    }

    #[test]
    fn priority_class_api_resource() {
        let ar = PriorityClass::API_RESOURCE;
        assert_eq!(ar.api_version, "scheduling.k8s.io/v1");
        assert_eq!(ar.kind, "PriorityClass");
        assert_eq!(ar.plural, "priorityclasses");
        assert_eq!(ar.scope, Scope::Cluster);
        assert_eq!(ar.short_names.as_ref(), ["pc"]);
    }
}
