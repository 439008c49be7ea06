//! Volumes of core/v1: what a pod can mount and where the data comes from.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::quantity::Quantity;

use super::{
    LocalObjectReference, ObjectFieldSelector, PersistentVolumeClaimTemplate, ResourceFieldSelector,
};

/// A named volume of a pod, which its containers can mount. Exactly one
/// source field is set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Volume {
    /// Name of the volume, unique in the pod (a DNS label); mounts refer to
    /// it.
    pub name: String,
    /// A scratch directory that lives as long as the pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub empty_dir: Option<EmptyDirVolumeSource>,
    /// A file or directory of the node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_path: Option<HostPathVolumeSource>,
    /// The keys of a config map, as files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map: Option<ConfigMapVolumeSource>,
    /// The keys of a secret, as files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<SecretVolumeSource>,
    /// A persistent volume claim in the pod's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent_volume_claim: Option<PersistentVolumeClaimVolumeSource>,
    /// Fields of the pod and resources of its containers, as files.
    #[serde(default, rename = "downwardAPI", skip_serializing_if = "Option::is_none")]
    pub downward_api: Option<DownwardAPIVolumeSource>,
    /// Several sources (config maps, secrets, downward API, tokens) merged
    /// into one directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub projected: Option<ProjectedVolumeSource>,
    /// An NFS export.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nfs: Option<NFSVolumeSource>,
    /// A volume provided inline by a CSI driver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csi: Option<CSIVolumeSource>,
    /// An OCI image or artifact, mounted read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageVolumeSource>,
    /// A persistent volume claim made for this pod from a template and
    /// deleted with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ephemeral: Option<EphemeralVolumeSource>,
}

/// A directory that starts empty when the pod is placed on a node and is
/// deleted with the pod.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EmptyDirVolumeSource {
    /// Storage to use: empty for the node's disk, `Memory` for tmpfs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<String>,
    /// The most the directory may hold; the pod is evicted beyond it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_limit: Option<Quantity>,
}

/// The keys of a config map projected as files.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigMapVolumeSource {
    /// Name of the config map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Only these keys, at these paths; every key under its own name when
    /// empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<KeyToPath>,
    /// Permission bits of the files, in decimal in JSON (`0644` is 420).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_mode: Option<i32>,
    /// When true, a missing config map or key is not an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
}

/// The keys of a secret projected as files.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretVolumeSource {
    /// Name of the secret in the pod's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_name: Option<String>,
    /// Only these keys, at these paths; every key under its own name when
    /// empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<KeyToPath>,
    /// Permission bits of the files; 0644 by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_mode: Option<i32>,
    /// When true, a missing secret or key is not an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
}

/// Maps one key of a config map or secret to a file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct KeyToPath {
    /// The key to project.
    pub key: String,
    /// Relative path of the file; may not contain `..`.
    pub path: String,
    /// Permission bits of this file; the volume's default mode when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<i32>,
}

/// Mounts the volume bound to a persistent volume claim.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersistentVolumeClaimVolumeSource {
    /// Name of the claim in the pod's namespace.
    pub claim_name: String,
    /// Mount read-only even if the volume allows writes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
}

/// Pod fields and container resources written to files.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DownwardAPIVolumeSource {
    /// The files to write.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<DownwardAPIVolumeFile>,
    /// Permission bits of the files; 0644 by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_mode: Option<i32>,
}

/// One downward API file; exactly one of `fieldRef` and `resourceFieldRef`
/// is set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DownwardAPIVolumeFile {
    /// Relative path of the file; may not contain `..`.
    pub path: String,
    /// A pod field: name, namespace, uid, labels or annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_ref: Option<ObjectFieldSelector>,
    /// A resource limit or request of a container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_field_ref: Option<ResourceFieldSelector>,
    /// Permission bits of this file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<i32>,
}

/// Several sources merged into one directory.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProjectedVolumeSource {
    /// The sources, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<VolumeProjection>,
    /// Permission bits of the files; 0644 by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_mode: Option<i32>,
}

/// One source of a projected volume; exactly one field is set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VolumeProjection {
    /// Keys of a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<SecretProjection>,
    /// Pod fields and container resources.
    #[serde(default, rename = "downwardAPI", skip_serializing_if = "Option::is_none")]
    pub downward_api: Option<DownwardAPIProjection>,
    /// Keys of a config map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map: Option<ConfigMapProjection>,
    /// A service account token the kubelet requests and refreshes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_token: Option<ServiceAccountTokenProjection>,
}

/// Keys of a secret in a projected volume.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretProjection {
    /// Name of the secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Only these keys, at these paths.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<KeyToPath>,
    /// When true, a missing secret or key is not an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
}

/// Keys of a config map in a projected volume.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigMapProjection {
    /// Name of the config map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Only these keys, at these paths.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<KeyToPath>,
    /// When true, a missing config map or key is not an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
}

/// Downward API files in a projected volume.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DownwardAPIProjection {
    /// The files to write.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<DownwardAPIVolumeFile>,
}

/// A bound service account token written to a file of a projected volume.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceAccountTokenProjection {
    /// Who the token is meant for; the API server's audience when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// Requested lifetime in seconds (at least 600; 3600 by default); the
    /// kubelet renews the token before it expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_seconds: Option<i64>,
    /// Relative path of the token file.
    pub path: String,
}

/// A volume that a CSI driver provides inline, for the life of the pod.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CSIVolumeSource {
    /// Name of the CSI driver.
    pub driver: String,
    /// Mount read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// Filesystem to mount; the driver decides when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_type: Option<String>,
    /// Driver-specific parameters.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub volume_attributes: BTreeMap<String, String>,
    /// A secret in the pod's namespace passed to the driver's publish call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_publish_secret_ref: Option<LocalObjectReference>,
}

/// An OCI image or artifact mounted as a read-only volume.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImageVolumeSource {
    /// The image reference, as for a container image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// `Always`, `Never` or `IfNotPresent`: when the image is pulled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_policy: Option<String>,
}

/// A file or directory of the node mounted into the pod.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HostPathVolumeSource {
    /// The path on the node; a symlink is followed to its target.
    pub path: String,
    /// What must be at the path (`""`, `DirectoryOrCreate`, `Directory`,
    /// `FileOrCreate`, `File`, `Socket`, `CharDevice`, `BlockDevice`).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
}

/// A disk, partition or directory local to one node, used by a
/// persistent volume.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LocalVolumeSource {
    /// Full path of the directory or block device on the node.
    pub path: String,
    /// Filesystem to format a block device with (`ext4`, `xfs`, ...); a
    /// filesystem is picked automatically when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_type: Option<String>,
}

/// An NFS export mounted into the pod.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NFSVolumeSource {
    /// Host name or IP address of the NFS server.
    pub server: String,
    /// The exported path on the server.
    pub path: String,
    /// Mount the export read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
}

/// A volume backed by a claim that is created with the pod (named
/// `<pod>-<volume>`) and owned by it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EphemeralVolumeSource {
    /// The claim to create; its spec is copied unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_claim_template: Option<PersistentVolumeClaimTemplate>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::test_support::round_trip;

    #[test]
    fn a_volume_writes_its_name_and_one_source() {
        let v = Volume {
            name: "info".into(),
            downward_api: Some(DownwardAPIVolumeSource {
                items: vec![DownwardAPIVolumeFile {
                    path: "name".into(),
                    field_ref: Some(ObjectFieldSelector {
                        api_version: None,
                        field_path: "metadata.name".into(),
                    }),
                    ..DownwardAPIVolumeFile::default()
                }],
                default_mode: None,
            }),
            ..Volume::default()
        };
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"name":"info","downwardAPI":{"items":[{"path":"name","fieldRef":{"fieldPath":"metadata.name"}}]}}"#
        );
    }

    #[test]
    fn persistent_volume_sources_use_their_wire_names() {
        let host = HostPathVolumeSource { path: "/data".into(), type_: Some("Directory".into()) };
        assert_eq!(serde_json::to_string(&host).unwrap(), r#"{"path":"/data","type":"Directory"}"#);
        let local = LocalVolumeSource { path: "/mnt/disk".into(), fs_type: Some("xfs".into()) };
        assert_eq!(
            serde_json::to_string(&local).unwrap(),
            r#"{"path":"/mnt/disk","fsType":"xfs"}"#
        );
        let nfs: NFSVolumeSource =
            serde_json::from_value(json!({"server": "s", "path": "/e", "readOnly": false}))
                .unwrap();
        assert_eq!(nfs.read_only, Some(false));
        assert!(serde_json::from_value::<NFSVolumeSource>(json!({"path": "/e"})).is_err());
    }

    #[test]
    fn every_source_round_trips() {
        let doc = json!([
            {"name": "a", "emptyDir": {}},
            {"name": "b", "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}},
            {"name": "c", "hostPath": {"path": "/run/sock", "type": "Socket"}},
            {"name": "d", "configMap": {"name": "cm", "items": [{"key": "k", "path": "p", "mode": 256}]}},
            {"name": "e", "secret": {"secretName": "s", "defaultMode": 384}},
            {"name": "f", "persistentVolumeClaim": {"claimName": "pvc"}},
            {"name": "g", "projected": {"sources": [
                {"serviceAccountToken": {"path": "token"}},
                {"downwardAPI": {"items": [{"path": "mem", "resourceFieldRef": {"containerName": "c", "resource": "limits.memory"}}]}}
            ]}},
            {"name": "h", "nfs": {"server": "10.0.0.1", "path": "/"}},
            {"name": "i", "csi": {"driver": "d.example.com", "volumeAttributes": {"size": "1"}}},
            {"name": "j", "ephemeral": {"volumeClaimTemplate": {"spec": {"accessModes": ["ReadWriteOnce"]}}}},
            {"name": "k", "image": {"reference": "r:1"}}
        ]);
        let volumes: Vec<Volume> = round_trip(&doc);
        assert_eq!(volumes[0].empty_dir, Some(EmptyDirVolumeSource::default()));
        assert!(volumes[9].ephemeral.as_ref().unwrap().volume_claim_template.is_some());
    }
}
