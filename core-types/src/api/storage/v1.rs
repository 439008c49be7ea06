//! `storage.k8s.io` v1 kinds: [`StorageClass`].

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::meta::ObjectMeta;
use crate::resource::kind;

kind! {
    group: "storage.k8s.io", version: "v1", plural: "storageclasses", scope: Cluster,
    short_names: ["sc"], categories: [];
    /// A kind of storage offered by the cluster: claims that name the class
    /// get volumes made by its provisioner with its parameters.
    pub struct StorageClass {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// The volume plugin or CSI driver that makes the volumes
        /// (`ebs.csi.aws.com`, `kubernetes.io/no-provisioner`).
        #[serde(default)]
        pub provisioner: String,
        /// Settings passed to the provisioner; their meaning is its own.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        pub parameters: BTreeMap<String, String>,
        /// What happens to a volume when its claim is deleted: `Delete` (the
        /// default) or `Retain`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub reclaim_policy: Option<String>,
        /// Mount options for the volumes, such as `["ro", "soft"]`; not
        /// checked, a bad one makes mounting fail.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub mount_options: Vec<String>,
        /// Whether claims of this class may be grown after creation.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub allow_volume_expansion: Option<bool>,
        /// When volumes are made and bound: `Immediate` (the default) or
        /// `WaitForFirstConsumer`, which waits for a pod to be scheduled.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub volume_binding_mode: Option<String>,
        /// Where volumes may be made; empty means anywhere.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub allowed_topologies: Vec<TopologySelectorTerm>,
    }
}

/// A set of topology requirements, all of which must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TopologySelectorTerm {
    /// Requirements on topology labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub match_label_expressions: Vec<TopologySelectorLabelRequirement>,
}

/// A topology label that must have one of the listed values.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TopologySelectorLabelRequirement {
    /// The label key, such as `topology.kubernetes.io/zone`.
    pub key: String,
    /// The values allowed.
    #[serde(default)]
    pub values: Vec<String>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::resource::{Scope, StaticResource};
    use crate::test_support::round_trip_with_oracle;

    #[test]
    fn storage_class_round_trips() {
        let manifest = json!({
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {
                "name": "fast",
                "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}
            },
            "provisioner": "ebs.csi.aws.com",
            "parameters": {"type": "gp3", "iops": "4000"},
            "reclaimPolicy": "Retain",
            "mountOptions": ["noatime"],
            "allowVolumeExpansion": true,
            "volumeBindingMode": "WaitForFirstConsumer",
            "allowedTopologies": [{"matchLabelExpressions": [
                {"key": "topology.kubernetes.io/zone", "values": ["eu-1a", "eu-1b"]}
            ]}]
        });
        let sc = round_trip_with_oracle::<StorageClass, k8s_openapi::api::storage::v1::StorageClass>(
            &manifest,
        );
        assert_eq!(sc.parameters["iops"], "4000");
        assert_eq!(sc.allowed_topologies[0].match_label_expressions[0].values.len(), 2);
    }

    #[test]
    fn provisioner_is_always_written() {
        let sc = StorageClass::default();
        assert_eq!(serde_json::to_value(&sc).unwrap()["provisioner"], json!(""));
    }

    #[test]
    fn storage_class_api_resource() {
        let ar = StorageClass::API_RESOURCE;
        assert_eq!(ar.api_version, "storage.k8s.io/v1");
        assert_eq!(ar.kind, "StorageClass");
        assert_eq!(ar.plural, "storageclasses");
        assert_eq!(ar.scope, Scope::Cluster);
        assert_eq!(ar.short_names.as_ref(), ["sc"]);
    }
}
