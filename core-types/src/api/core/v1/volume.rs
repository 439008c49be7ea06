//! Volumes of core/v1: what a pod can mount and where the data comes from.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::labels::LabelSelector;
use crate::quantity::Quantity;

use super::*;

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
    /// A git repository cloned into an empty directory (deprecated: clone
    /// in an init container instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_repo: Option<GitRepoVolumeSource>,
    /// An AWS EBS disk attached to the node (legacy in-tree driver).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_elastic_block_store: Option<AWSElasticBlockStoreVolumeSource>,
    /// An Azure data disk (legacy in-tree driver).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure_disk: Option<AzureDiskVolumeSource>,
    /// An Azure Files share (legacy in-tree driver).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure_file: Option<AzureFileVolumeSource>,
    /// A CephFS filesystem (legacy in-tree driver).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cephfs: Option<CephFSVolumeSource>,
    /// An OpenStack Cinder volume (legacy in-tree driver).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cinder: Option<CinderVolumeSource>,
    /// A Fibre Channel disk attached to the node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fc: Option<FCVolumeSource>,
    /// A volume mounted by an exec-based FlexVolume driver on the node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flex_volume: Option<FlexVolumeSource>,
    /// A Flocker dataset (removed driver, kept for old objects).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flocker: Option<FlockerVolumeSource>,
    /// A GCE persistent disk (legacy in-tree driver).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gce_persistent_disk: Option<GCEPersistentDiskVolumeSource>,
    /// A GlusterFS volume (removed driver, kept for old objects).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub glusterfs: Option<GlusterfsVolumeSource>,
    /// An iSCSI disk attached to the node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iscsi: Option<ISCSIVolumeSource>,
    /// A VMware Photon Controller disk (removed driver, kept for old
    /// objects).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photon_persistent_disk: Option<PhotonPersistentDiskVolumeSource>,
    /// A Portworx volume (legacy in-tree driver).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portworx_volume: Option<PortworxVolumeSource>,
    /// A Quobyte volume (removed driver, kept for old objects).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quobyte: Option<QuobyteVolumeSource>,
    /// A Ceph RBD block image (legacy in-tree driver).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rbd: Option<RBDVolumeSource>,
    /// A Dell EMC ScaleIO volume (removed driver, kept for old objects).
    #[serde(default, rename = "scaleIO", skip_serializing_if = "Option::is_none")]
    pub scale_io: Option<ScaleIOVolumeSource>,
    /// A StorageOS volume (removed driver, kept for old objects).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storageos: Option<StorageOSVolumeSource>,
    /// A vSphere VMDK disk (legacy in-tree driver).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vsphere_volume: Option<VsphereVirtualDiskVolumeSource>,
}

/// A directory that starts empty when the pod is placed on a node and is
/// deleted with the pod.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EmptyDirVolumeSource {
    /// Storage to use: empty for the node's disk, `Memory` for tmpfs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<String>,
    /// Permission bits of the directory itself, in decimal in JSON (`01777`
    /// is 1023); 0777 when unset. An `fsGroup` overrides it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<i32>,
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
    /// Owner UID of the files, for those without their own `user`; the
    /// runtime's default (root) when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_user: Option<i64>,
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
    /// Owner UID of the files, for those without their own `user`; the
    /// runtime's default (root) when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_user: Option<i64>,
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
    /// Owner UID of this file; the volume's default user when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<i64>,
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
    /// Owner UID of the files, for those without their own `user`; the
    /// runtime's default (root) when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_user: Option<i64>,
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
    /// Owner UID of this file; the volume's default user when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<i64>,
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
    /// Owner UID of the files, for those without their own `user`; the
    /// runtime's default (root) when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_user: Option<i64>,
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
    /// The certificates of matching ClusterTrustBundles, as one PEM file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_trust_bundle: Option<ClusterTrustBundleProjection>,
    /// A private key and a certificate issued for this pod, which the
    /// kubelet requests and renews.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_certificate: Option<PodCertificateProjection>,
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
    /// Owner UID of the token file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<i64>,
}

/// The trust anchors of one or more ClusterTrustBundles, concatenated into
/// a file of a projected volume. Name a bundle with `name`, or select
/// bundles with `signerName` and `labelSelector`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterTrustBundleProjection {
    /// The one bundle to use, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Use the bundles of this signer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer_name: Option<String>,
    /// With `signerName`: only the bundles with these labels; none when
    /// unset, all when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_selector: Option<LabelSelector>,
    /// When true, no matching bundle is not an error: the file is left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
    /// Relative path of the PEM file in the volume.
    pub path: String,
    /// Owner UID of the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<i64>,
}

/// A key pair and certificate chain issued to the pod through a
/// PodCertificateRequest, written to a projected volume.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodCertificateProjection {
    /// The signer to ask for the certificate.
    pub signer_name: String,
    /// The kind of private key the kubelet generates (`RSA3072`,
    /// `ECDSAP256`, `ED25519`, ...).
    pub key_type: String,
    /// The longest lifetime to ask for, in seconds; the signer may issue a
    /// shorter one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_expiration_seconds: Option<i32>,
    /// Where to write the key followed by the certificate chain, as one
    /// PEM file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_bundle_path: Option<String>,
    /// Where to write the private key alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_path: Option<String>,
    /// Where to write the certificate chain alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_chain_path: Option<String>,
    /// Owner UID of the files written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<i64>,
    /// Extra key-value pairs copied into the certificate request for the
    /// signer to use.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub user_annotations: BTreeMap<String, String>,
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
    use crate::test_support::{round_trip, round_trip_with_oracle};

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
                ..DownwardAPIVolumeSource::default()
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

    #[test]
    fn legacy_in_tree_sources_match_k8s_openapi() {
        let doc = json!([
            {"name": "git", "gitRepo": {"directory": ".", "repository": "https://git.example.com/site.git", "revision": "v2"}},
            {"name": "ebs", "awsElasticBlockStore": {"fsType": "ext4", "partition": 1, "readOnly": true, "volumeID": "vol-0abc"}},
            {"name": "adisk", "azureDisk": {"cachingMode": "ReadOnly", "diskName": "d1", "diskURI": "https://acct.blob.core.windows.net/vhds/d1.vhd", "fsType": "ext4", "kind": "Managed", "readOnly": false}},
            {"name": "afile", "azureFile": {"readOnly": true, "secretName": "azure-creds", "shareName": "share"}},
            {"name": "ceph", "cephfs": {"monitors": ["10.0.0.1:6789"], "path": "/data", "readOnly": true, "secretFile": "/etc/ceph/u.secret", "secretRef": {"name": "ceph"}, "user": "u"}},
            {"name": "cinder", "cinder": {"fsType": "xfs", "readOnly": false, "secretRef": {"name": "os"}, "volumeID": "c-1"}},
            {"name": "fc", "fc": {"fsType": "ext4", "lun": 2, "readOnly": true, "targetWWNs": ["500a0982991b8dc5"], "wwids": ["3600508b400105e210000900000490000"]}},
            {"name": "flex", "flexVolume": {"driver": "acme/lvm", "fsType": "ext4", "options": {"size": "1G"}, "readOnly": false, "secretRef": {"name": "flex"}}},
            {"name": "flocker", "flocker": {"datasetName": "db", "datasetUUID": "0b6f8c2e-1111-4c55-9a1e-2d7c1a5e8f00"}},
            {"name": "gce", "gcePersistentDisk": {"fsType": "ext4", "partition": 0, "pdName": "disk-1", "readOnly": true}},
            {"name": "gluster", "glusterfs": {"endpoints": "glusterfs-cluster", "path": "vol0", "readOnly": true}},
            {"name": "iscsi", "iscsi": {"chapAuthDiscovery": true, "chapAuthSession": true, "fsType": "ext4", "initiatorName": "iqn.2024-01.com.example:node1", "iqn": "iqn.2001-04.com.example:storage.disk1", "iscsiInterface": "default", "lun": 0, "portals": ["10.0.2.16:3260"], "readOnly": false, "secretRef": {"name": "chap"}, "targetPortal": "10.0.2.15:3260"}},
            {"name": "photon", "photonPersistentDisk": {"fsType": "ext4", "pdID": "p-1"}},
            {"name": "px", "portworxVolume": {"fsType": "ext4", "readOnly": false, "volumeID": "px-1"}},
            {"name": "quobyte", "quobyte": {"group": "g", "readOnly": true, "registry": "registry:7861", "tenant": "t", "user": "u", "volume": "v"}},
            {"name": "rbd", "rbd": {"fsType": "ext4", "image": "img", "keyring": "/etc/ceph/keyring", "monitors": ["10.0.0.1:6789"], "pool": "kube", "readOnly": true, "secretRef": {"name": "ceph"}, "user": "admin"}},
            {"name": "sio", "scaleIO": {"fsType": "xfs", "gateway": "https://sio:443/api", "protectionDomain": "pd", "readOnly": false, "secretRef": {"name": "sio"}, "sslEnabled": true, "storageMode": "ThinProvisioned", "storagePool": "sp", "system": "sys", "volumeName": "vol"}},
            {"name": "sos", "storageos": {"fsType": "ext4", "readOnly": false, "secretRef": {"name": "sos"}, "volumeName": "v", "volumeNamespace": "ns"}},
            {"name": "vsphere", "vsphereVolume": {"fsType": "ext4", "storagePolicyID": "id-1", "storagePolicyName": "gold", "volumePath": "[ds1] vols/v.vmdk"}}
        ]);
        let volumes =
            round_trip_with_oracle::<Vec<Volume>, Vec<k8s_openapi::api::core::v1::Volume>>(&doc);
        assert_eq!(volumes[1].aws_elastic_block_store.as_ref().unwrap().volume_id, "vol-0abc");
        assert_eq!(volumes[11].iscsi.as_ref().unwrap().lun, 0);
        assert_eq!(volumes[16].scale_io.as_ref().unwrap().secret_ref.name.as_deref(), Some("sio"));
        // Required fields are required.
        let no_lun = json!({"iqn": "i", "targetPortal": "p"});
        assert!(serde_json::from_value::<ISCSIVolumeSource>(no_lun).is_err());
        let no_secret = json!({"gateway": "g", "system": "s"});
        assert!(serde_json::from_value::<ScaleIOVolumeSource>(no_secret).is_err());
    }

    #[test]
    fn file_owners_and_new_projections_match_k8s_openapi() {
        let doc = json!([
            {"name": "scratch", "emptyDir": {"medium": "Memory", "mode": 1023}},
            {"name": "cm", "configMap": {"defaultUser": 1000, "items": [{"key": "k", "path": "p", "user": 0}], "name": "cm"}},
            {"name": "sec", "secret": {"defaultUser": 1000, "items": [{"key": "k", "mode": 256, "path": "p", "user": 1001}], "secretName": "s"}},
            {"name": "info", "downwardAPI": {"defaultUser": 1000, "items": [{"fieldRef": {"fieldPath": "metadata.uid"}, "path": "uid", "user": 1002}]}},
            {"name": "proj", "projected": {"defaultUser": 65532, "sources": [
                {"serviceAccountToken": {"audience": "vault", "path": "token", "user": 65532}},
                {"clusterTrustBundle": {"labelSelector": {"matchLabels": {"tier": "edge"}}, "optional": true, "path": "ca.pem", "signerName": "example.com/edge", "user": 0}},
                {"clusterTrustBundle": {"name": "root-ca", "path": "root.pem"}},
                {"podCertificate": {"certificateChainPath": "chain.pem", "credentialBundlePath": "bundle.pem", "keyPath": "key.pem", "keyType": "ECDSAP256", "maxExpirationSeconds": 86400, "signerName": "example.com/mtls", "user": 65532, "userAnnotations": {"spiffe": "true"}}}
            ]}}
        ]);
        let volumes =
            round_trip_with_oracle::<Vec<Volume>, Vec<k8s_openapi::api::core::v1::Volume>>(&doc);
        assert_eq!(volumes[0].empty_dir.as_ref().unwrap().mode, Some(0o1777));
        assert_eq!(volumes[1].config_map.as_ref().unwrap().items[0].user, Some(0));
        let sources = &volumes[4].projected.as_ref().unwrap().sources;
        let bundle = sources[1].cluster_trust_bundle.as_ref().unwrap();
        assert_eq!(bundle.label_selector.as_ref().unwrap().match_labels["tier"], "edge");
        let cert = sources[3].pod_certificate.as_ref().unwrap();
        assert_eq!(
            (cert.key_type.as_str(), cert.max_expiration_seconds),
            ("ECDSAP256", Some(86400))
        );
        assert!(
            serde_json::from_value::<PodCertificateProjection>(json!({"keyType": "RSA3072"}))
                .is_err()
        );
    }
}
