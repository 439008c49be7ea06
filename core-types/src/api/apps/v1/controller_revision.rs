//! ControllerRevision: an immutable snapshot of a controller's template.

use crate::meta::ObjectMeta;
use crate::resource::kind;

kind! {
    group: "apps", version: "v1", plural: "controllerrevisions", scope: Namespaced,
    short_names: [], categories: [];
    /// A numbered, immutable snapshot of the state a DaemonSet or StatefulSet
    /// rolls out, kept so the controller can tell revisions apart and roll
    /// back to an older one.
    pub struct ControllerRevision {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// The snapshot itself: a partial object (usually a patch holding the
        /// pod template), stored as the controller wrote it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub data: Option<serde_json::Value>,
        /// The revision number; higher numbers are newer.
        pub revision: i64,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::resource::{Scope, StaticResource};
    use crate::test_support::round_trip_with_oracle;

    #[test]
    fn controller_revision_round_trips() {
        let manifest = json!({
            "apiVersion": "apps/v1",
            "kind": "ControllerRevision",
            "data": {
                "spec": {
                    "template": {
                        "$patch": "replace",
                        "metadata": {"labels": {"k8s-app": "node-exporter"}},
                        "spec": {"containers": [{
                            "image": "quay.io/prometheus/node-exporter:v1.8.1",
                            "name": "node-exporter"
                        }]}
                    }
                }
            },
            "metadata": {
                "annotations": {"deprecated.daemonset.template.generation": "3"},
                "creationTimestamp": "2024-05-01T12:00:00Z",
                "labels": {"controller-revision-hash": "6d8f9b7c5", "k8s-app": "node-exporter"},
                "name": "node-exporter-6d8f9b7c5",
                "namespace": "monitoring",
                "ownerReferences": [{
                    "apiVersion": "apps/v1",
                    "blockOwnerDeletion": true,
                    "controller": true,
                    "kind": "DaemonSet",
                    "name": "node-exporter",
                    "uid": "a7b3c9d1-2e4f-4a6b-8c0d-1e2f3a4b5c6d"
                }],
                "resourceVersion": "55001",
                "uid": "f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b"
            },
            "revision": 3
        });
        let rev = round_trip_with_oracle::<
            ControllerRevision,
            k8s_openapi::api::apps::v1::ControllerRevision,
        >(&manifest);
        assert_eq!(rev.revision, 3);
        assert_eq!(rev.data.unwrap()["spec"]["template"]["$patch"], "replace");
    }

    #[test]
    fn revision_is_required() {
        let body =
            br#"{"apiVersion":"apps/v1","kind":"ControllerRevision","metadata":{"name":"x"}}"#;
        assert!(crate::codec::from_json::<ControllerRevision>(body).is_err());
    }

    #[test]
    fn controller_revision_api_resource() {
        let ar = ControllerRevision::API_RESOURCE;
        assert_eq!(ar.api_version, "apps/v1");
        assert_eq!(ar.plural, "controllerrevisions");
        assert_eq!(ar.scope, Scope::Namespaced);
        assert!(ar.short_names.is_empty());
        assert!(ar.categories.is_empty());
    }
}
