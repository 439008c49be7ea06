//! The legacy in-tree volume sources (cloud disks, network filesystems,
//! gitRepo). Kubernetes keeps them for old manifests; new workloads use CSI.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;

/// A repository cloned with `git` into the volume when the pod starts.
/// Deprecated: it runs `git` on the node as root.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GitRepoVolumeSource {
    /// URL of the repository.
    pub repository: String,
    /// Commit to check out; the default branch's head when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// Directory to clone into, relative to the volume; `.` clones into the
    /// volume's root. May not contain `..`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<String>,
}

/// An AWS Elastic Block Store volume, attached to the node and then
/// mounted. The volume must be in the node's availability zone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AWSElasticBlockStoreVolumeSource {
    /// The EBS volume ID (`vol-...`).
    #[serde(rename = "volumeID")]
    pub volume_id: String,
    /// Filesystem to mount (`ext4`, `xfs`); `ext4` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_type: Option<String>,
    /// Partition number to mount; the whole device when unset or 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<i32>,
    /// Mount read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
}

/// An Azure managed or blob data disk attached to the node.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AzureDiskVolumeSource {
    /// Name of the disk.
    pub disk_name: String,
    /// URI of the disk in blob storage.
    #[serde(rename = "diskURI")]
    pub disk_uri: String,
    /// Host caching: `None`, `ReadOnly` or `ReadWrite`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caching_mode: Option<String>,
    /// Filesystem to mount; `ext4` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_type: Option<String>,
    /// `Shared` (several disks per storage account), `Dedicated` (one per
    /// account) or `Managed` (the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Mount read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
}

/// An Azure Files (SMB) share mounted into a pod.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AzureFileVolumeSource {
    /// Secret in the pod's namespace with the storage account's name and
    /// key.
    pub secret_name: String,
    /// Name of the share.
    pub share_name: String,
    /// Mount read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
}

/// A CephFS filesystem mounted into a pod.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CephFSVolumeSource {
    /// Addresses of the Ceph monitors (`host:port`).
    #[serde(default)]
    pub monitors: Vec<String>,
    /// Path inside the filesystem to mount; `/` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The Ceph (RADOS) user; `admin` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Keyring file on the node for the user; `/etc/ceph/user.secret` when
    /// unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_file: Option<String>,
    /// Secret in the pod's namespace with the user's key, instead of
    /// `secretFile`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    /// Mount read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
}

/// An OpenStack Cinder volume attached to the node.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CinderVolumeSource {
    /// The Cinder volume ID.
    #[serde(rename = "volumeID")]
    pub volume_id: String,
    /// Filesystem to mount; `ext4` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_type: Option<String>,
    /// Mount read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// Secret in the pod's namespace with the OpenStack credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
}

/// A Fibre Channel disk, found by target WWNs and LUN or by WWIDs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FCVolumeSource {
    /// World wide names of the targets.
    #[serde(default, rename = "targetWWNs", skip_serializing_if = "Vec::is_empty")]
    pub target_wwns: Vec<String>,
    /// LUN of the disk behind the targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lun: Option<i32>,
    /// World wide identifiers of the disk, instead of targets and LUN.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wwids: Vec<String>,
    /// Filesystem to mount; `ext4` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_type: Option<String>,
    /// Mount read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
}

/// A volume set up by a FlexVolume driver: an executable the kubelet
/// calls on the node.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FlexVolumeSource {
    /// Name of the driver (`vendor/driver`).
    pub driver: String,
    /// Filesystem to mount; the driver decides when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_type: Option<String>,
    /// Secret in the pod's namespace passed to the driver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    /// Mount read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// Driver-specific options.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
}

/// A dataset of the Flocker control service, by name or by UUID.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FlockerVolumeSource {
    /// Name of the dataset (its `name` metadata).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset_name: Option<String>,
    /// UUID of the dataset.
    #[serde(default, rename = "datasetUUID", skip_serializing_if = "Option::is_none")]
    pub dataset_uuid: Option<String>,
}

/// A Google Compute Engine persistent disk attached to the node.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GCEPersistentDiskVolumeSource {
    /// Name of the disk in GCE.
    pub pd_name: String,
    /// Filesystem to mount; `ext4` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_type: Option<String>,
    /// Partition number to mount; the whole device when unset or 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<i32>,
    /// Mount read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
}

/// A GlusterFS volume mounted into a pod.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GlusterfsVolumeSource {
    /// Endpoints object in the pod's namespace listing the Gluster servers.
    pub endpoints: String,
    /// Name of the Gluster volume.
    pub path: String,
    /// Mount read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
}

/// An iSCSI disk, logged in to from the node and then mounted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ISCSIVolumeSource {
    /// The target portal (`ip:port`; port 3260 when left out).
    pub target_portal: String,
    /// IQN of the target.
    pub iqn: String,
    /// LUN of the disk on the target.
    pub lun: i32,
    /// The iSCSI interface to use; `default` (TCP) when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iscsi_interface: Option<String>,
    /// Filesystem to mount; `ext4` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_type: Option<String>,
    /// Mount read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// More portals of the same target, for multipath.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub portals: Vec<String>,
    /// Authenticate discovery with CHAP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chap_auth_discovery: Option<bool>,
    /// Authenticate sessions with CHAP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chap_auth_session: Option<bool>,
    /// Secret in the pod's namespace with the CHAP credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    /// Initiator IQN to use instead of the node's; with
    /// `iscsiInterface`, creates an interface `<portal>:<name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initiator_name: Option<String>,
}

/// A VMware Photon Controller persistent disk.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PhotonPersistentDiskVolumeSource {
    /// ID of the disk in Photon Controller.
    #[serde(rename = "pdID")]
    pub pd_id: String,
    /// Filesystem to mount; `ext4` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_type: Option<String>,
}

/// A Portworx volume.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PortworxVolumeSource {
    /// ID of the Portworx volume.
    #[serde(rename = "volumeID")]
    pub volume_id: String,
    /// Filesystem to mount; `ext4` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_type: Option<String>,
    /// Mount read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
}

/// A Quobyte volume mounted into a pod.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuobyteVolumeSource {
    /// Registry services (`host:port`, comma-separated) to find the volume
    /// through.
    pub registry: String,
    /// Name of the Quobyte volume.
    pub volume: String,
    /// Mount read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// User the volume's files are mapped to; the service account when
    /// unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Group the volume's files are mapped to; none when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Tenant that owns the volume, for dynamically provisioned volumes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
}

/// A Ceph RADOS block device image mapped on the node and mounted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RBDVolumeSource {
    /// Addresses of the Ceph monitors.
    #[serde(default)]
    pub monitors: Vec<String>,
    /// Name of the image.
    pub image: String,
    /// Filesystem to mount; `ext4` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_type: Option<String>,
    /// RADOS pool of the image; `rbd` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<String>,
    /// RADOS user; `admin` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Keyring file on the node for the user; `/etc/ceph/keyring` when
    /// unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyring: Option<String>,
    /// Secret in the pod's namespace with the user's key, instead of
    /// `keyring`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    /// Mount read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
}

/// A ScaleIO (PowerFlex) volume.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScaleIOVolumeSource {
    /// Address of the ScaleIO API gateway.
    pub gateway: String,
    /// Name of the storage system.
    pub system: String,
    /// Secret in the pod's namespace with the gateway credentials.
    pub secret_ref: LocalObjectReference,
    /// Talk to the gateway over TLS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssl_enabled: Option<bool>,
    /// Protection domain of the storage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protection_domain: Option<String>,
    /// Storage pool of the protection domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_pool: Option<String>,
    /// `ThinProvisioned` (the default) or `ThickProvisioned`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_mode: Option<String>,
    /// Name of an existing volume in the system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_name: Option<String>,
    /// Filesystem to mount; `xfs` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_type: Option<String>,
    /// Mount read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
}

/// A StorageOS volume.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StorageOSVolumeSource {
    /// Name of the volume in its StorageOS namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_name: Option<String>,
    /// StorageOS namespace of the volume; the pod's namespace when unset,
    /// `default` if StorageOS has no such namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_namespace: Option<String>,
    /// Filesystem to mount; `ext4` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_type: Option<String>,
    /// Mount read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// Secret in the pod's namespace with the StorageOS API credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
}

/// A vSphere virtual disk (VMDK) attached to the node.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VsphereVirtualDiskVolumeSource {
    /// Datastore path of the disk (`[datastore] folder/disk.vmdk`).
    pub volume_path: String,
    /// Filesystem to mount; `ext4` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_type: Option<String>,
    /// Name of the storage policy (SPBM) of the disk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_policy_name: Option<String>,
    /// ID of that storage policy.
    #[serde(default, rename = "storagePolicyID", skip_serializing_if = "Option::is_none")]
    pub storage_policy_id: Option<String>,
}
