//! PersistentVolumeClaim and PersistentVolume: storage requested by users
//! and the volumes that satisfy the requests.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::labels::LabelSelector;
use crate::meta::ObjectMeta;
use crate::quantity::Quantity;
use crate::resource::kind;
use crate::time::Time;

use super::{
    AWSElasticBlockStoreVolumeSource, AzureDiskVolumeSource, FCVolumeSource, FlockerVolumeSource,
    GCEPersistentDiskVolumeSource, HostPathVolumeSource, LocalVolumeSource, NFSVolumeSource,
    NodeSelector, ObjectReference, PhotonPersistentDiskVolumeSource, PortworxVolumeSource,
    QuobyteVolumeSource, SecretReference, TypedLocalObjectReference,
    VsphereVirtualDiskVolumeSource,
};

kind! {
    group: "", version: "v1", plural: "persistentvolumeclaims", scope: Namespaced,
    short_names: ["pvc"], categories: [];
    /// A user's request for storage, which the cluster binds to a
    /// persistent volume (provisioning one if needed).
    pub struct PersistentVolumeClaim {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// The storage asked for.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub spec: Option<PersistentVolumeClaimSpec>,
        /// Whether the claim is bound, and what it got.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status: Option<PersistentVolumeClaimStatus>,
    }
}

/// The storage a [`PersistentVolumeClaim`] asks for.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersistentVolumeClaimSpec {
    /// The ways the volume must be mountable (`ReadWriteOnce`,
    /// `ReadOnlyMany`, `ReadWriteMany`, `ReadWriteOncePod`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_modes: Vec<String>,
    /// Labels an existing volume must have to be bound to the claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<LabelSelector>,
    /// How much storage is requested (`requests.storage`), and at most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<VolumeResourceRequirements>,
    /// The name of the persistent volume to bind to, when chosen up front.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_name: Option<String>,
    /// The storage class to provision from; the empty string asks for a
    /// volume without a class, unset for the default class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class_name: Option<String>,
    /// `Filesystem` (the default) or `Block` for a raw device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_mode: Option<String>,
    /// An existing snapshot or claim in the same namespace to fill the new
    /// volume from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_source: Option<TypedLocalObjectReference>,
    /// Any object to fill the new volume from, possibly in another namespace
    /// (a superset of `dataSource`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_source_ref: Option<TypedObjectReference>,
    /// The volume attributes class the volume should have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_attributes_class_name: Option<String>,
}

/// The storage amounts a claim asks for.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VolumeResourceRequirements {
    /// The most of each resource the volume may have.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub limits: BTreeMap<String, Quantity>,
    /// The least of each resource the volume must have (`storage`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub requests: BTreeMap<String, Quantity>,
}

/// A reference by group, kind, name and optional namespace to any object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TypedObjectReference {
    /// API group of the referent; empty for the core group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_group: Option<String>,
    /// Kind of the referent.
    pub kind: String,
    /// Name of the referent.
    pub name: String,
    /// Namespace of the referent, when it is not the referrer's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// A claim to create, as embedded in ephemeral volumes and StatefulSets'
/// volume claim templates.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersistentVolumeClaimTemplate {
    /// Labels and annotations copied to the claim (the name is chosen by
    /// the owner).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ObjectMeta>,
    /// The spec of the claim.
    pub spec: PersistentVolumeClaimSpec,
}

/// The observed state of a [`PersistentVolumeClaim`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersistentVolumeClaimStatus {
    /// `Pending`, `Bound` or `Lost`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// The access modes of the bound volume.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_modes: Vec<String>,
    /// The resources of the bound volume (`storage`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub capacity: BTreeMap<String, Quantity>,
    /// The latest observations of the claim's state (resizing, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<PersistentVolumeClaimCondition>,
    /// The resources the storage system has allocated, which may exceed
    /// the request while a resize is in progress.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub allocated_resources: BTreeMap<String, Quantity>,
    /// The progress of a resize, per resource
    /// (`ControllerResizeInProgress`, `NodeResizePending`, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub allocated_resource_statuses: BTreeMap<String, String>,
    /// The volume attributes class the volume has now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_volume_attributes_class_name: Option<String>,
    /// The progress of a change of volume attributes class, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modify_volume_status: Option<ModifyVolumeStatus>,
    /// The health of the bound volume as its CSI driver reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_status: Option<VolumeHealthStatus>,
}

/// The health of a volume, as reported by its storage driver.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VolumeHealthStatus {
    /// The driver's latest health observations; empty when all is well.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub health_conditions: Vec<VolumeHealthCondition>,
    /// When the health conditions last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Time>,
}

/// One health observation of a volume.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VolumeHealthCondition {
    /// `True`, `False` or `Unknown`: whether the problem named by `reason`
    /// is present.
    pub status: String,
    /// A CamelCase name of the problem (`VolumeNotFound`,
    /// `VolumeDegraded`, ...).
    pub reason: String,
    /// Details for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// One observation of a [`PersistentVolumeClaim`]'s state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersistentVolumeClaimCondition {
    /// The condition type (`Resizing`, `FileSystemResizePending`,
    /// `ModifyingVolume`, ...).
    #[serde(rename = "type")]
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// When the condition was last checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_probe_time: Option<Time>,
    /// When the condition last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Time>,
    /// A CamelCase machine-readable reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// A message for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The progress of changing a claim's volume attributes class.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModifyVolumeStatus {
    /// The class being applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_volume_attributes_class_name: Option<String>,
    /// `Pending`, `InProgress` or `Infeasible`.
    pub status: String,
}

kind! {
    group: "", version: "v1", plural: "persistentvolumes", scope: Cluster,
    short_names: ["pv"], categories: [];
    /// A piece of storage in the cluster, provisioned by an administrator or
    /// dynamically from a storage class, that claims bind to.
    pub struct PersistentVolume {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// What the volume is and where its data lives.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub spec: Option<PersistentVolumeSpec>,
        /// Whether the volume is available, bound or released.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status: Option<PersistentVolumeStatus>,
    }
}

/// What a [`PersistentVolume`] is; exactly one volume source is set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersistentVolumeSpec {
    /// The size of the volume (`storage`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub capacity: BTreeMap<String, Quantity>,
    /// The ways the volume can be mounted (`ReadWriteOnce`, `ReadOnlyMany`,
    /// `ReadWriteMany`, `ReadWriteOncePod`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_modes: Vec<String>,
    /// What happens to the volume when its claim is deleted: `Retain`,
    /// `Delete` or the deprecated `Recycle`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent_volume_reclaim_policy: Option<String>,
    /// The storage class the volume belongs to; only claims asking for the
    /// same class bind to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class_name: Option<String>,
    /// Mount options used when the volume is mounted (`hard`, `nfsvers=4.1`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mount_options: Vec<String>,
    /// `Filesystem` (the default) or `Block` for a raw device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_mode: Option<String>,
    /// The nodes the volume can be reached from; pods using it are scheduled
    /// there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_affinity: Option<VolumeNodeAffinity>,
    /// The claim the volume is bound (or reserved) to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_ref: Option<ObjectReference>,
    /// The volume attributes class of the volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_attributes_class_name: Option<String>,
    /// A directory on the node (single-node testing only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_path: Option<HostPathVolumeSource>,
    /// A disk, partition or directory local to one node; needs
    /// `nodeAffinity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local: Option<LocalVolumeSource>,
    /// An NFS export.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nfs: Option<NFSVolumeSource>,
    /// A volume managed by a CSI driver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csi: Option<CSIPersistentVolumeSource>,
    /// An AWS EBS disk (legacy in-tree driver, migrated to CSI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_elastic_block_store: Option<AWSElasticBlockStoreVolumeSource>,
    /// An Azure data disk (legacy in-tree driver, migrated to CSI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure_disk: Option<AzureDiskVolumeSource>,
    /// An Azure Files share (legacy in-tree driver, migrated to CSI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure_file: Option<AzureFilePersistentVolumeSource>,
    /// A CephFS filesystem (legacy in-tree driver).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cephfs: Option<CephFSPersistentVolumeSource>,
    /// An OpenStack Cinder volume (legacy in-tree driver, migrated to CSI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cinder: Option<CinderPersistentVolumeSource>,
    /// A Fibre Channel disk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fc: Option<FCVolumeSource>,
    /// A volume of an exec-based FlexVolume driver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flex_volume: Option<FlexPersistentVolumeSource>,
    /// A Flocker dataset (removed driver, kept for old objects).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flocker: Option<FlockerVolumeSource>,
    /// A GCE persistent disk (legacy in-tree driver, migrated to CSI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gce_persistent_disk: Option<GCEPersistentDiskVolumeSource>,
    /// A GlusterFS volume (removed driver, kept for old objects).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub glusterfs: Option<GlusterfsPersistentVolumeSource>,
    /// An iSCSI disk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iscsi: Option<ISCSIPersistentVolumeSource>,
    /// A VMware Photon Controller disk (removed driver, kept for old
    /// objects).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photon_persistent_disk: Option<PhotonPersistentDiskVolumeSource>,
    /// A Portworx volume (legacy in-tree driver, migrated to CSI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portworx_volume: Option<PortworxVolumeSource>,
    /// A Quobyte volume (removed driver, kept for old objects).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quobyte: Option<QuobyteVolumeSource>,
    /// A Ceph RBD block image (legacy in-tree driver).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rbd: Option<RBDPersistentVolumeSource>,
    /// A Dell EMC ScaleIO volume (removed driver, kept for old objects).
    #[serde(default, rename = "scaleIO", skip_serializing_if = "Option::is_none")]
    pub scale_io: Option<ScaleIOPersistentVolumeSource>,
    /// A StorageOS volume (removed driver, kept for old objects).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storageos: Option<StorageOSPersistentVolumeSource>,
    /// A vSphere VMDK disk (legacy in-tree driver, migrated to CSI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vsphere_volume: Option<VsphereVirtualDiskVolumeSource>,
}

/// The nodes a [`PersistentVolume`] can be reached from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VolumeNodeAffinity {
    /// The nodes that can reach the volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<NodeSelector>,
}

/// A persistent volume managed by a CSI driver.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CSIPersistentVolumeSource {
    /// The name of the driver (`ebs.csi.aws.com`).
    pub driver: String,
    /// The driver's identifier of the volume.
    pub volume_handle: String,
    /// Mount the volume read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// The filesystem to mount (`ext4`, `xfs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_type: Option<String>,
    /// Driver-specific attributes of the volume, passed to each call.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub volume_attributes: BTreeMap<String, String>,
    /// Credentials for attaching and detaching the volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller_publish_secret_ref: Option<SecretReference>,
    /// Credentials for staging the volume on a node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_stage_secret_ref: Option<SecretReference>,
    /// Credentials for mounting the volume into a pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_publish_secret_ref: Option<SecretReference>,
    /// Credentials for growing the volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller_expand_secret_ref: Option<SecretReference>,
    /// Credentials for growing the filesystem on a node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_expand_secret_ref: Option<SecretReference>,
}

/// An Azure Files share used by a persistent volume; the secret may live
/// in any namespace.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AzureFilePersistentVolumeSource {
    /// Secret with the storage account's name and key.
    pub secret_name: String,
    /// Namespace of that secret; the claim's namespace when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_namespace: Option<String>,
    /// Name of the share.
    pub share_name: String,
    /// Mount read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
}

/// A CephFS filesystem used by a persistent volume.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CephFSPersistentVolumeSource {
    /// Addresses of the Ceph monitors (`host:port`).
    #[serde(default)]
    pub monitors: Vec<String>,
    /// Path inside the filesystem to mount; `/` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The Ceph (RADOS) user; `admin` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Keyring file on the node for the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_file: Option<String>,
    /// Secret with the user's key, instead of `secretFile`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<SecretReference>,
    /// Mount read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
}

/// An OpenStack Cinder volume used by a persistent volume.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CinderPersistentVolumeSource {
    /// The Cinder volume ID.
    #[serde(rename = "volumeID")]
    pub volume_id: String,
    /// Filesystem to mount; `ext4` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_type: Option<String>,
    /// Mount read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// Secret with the OpenStack credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<SecretReference>,
}

/// A FlexVolume driver's volume used by a persistent volume.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FlexPersistentVolumeSource {
    /// Name of the driver (`vendor/driver`).
    pub driver: String,
    /// Filesystem to mount; the driver decides when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_type: Option<String>,
    /// Secret passed to the driver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<SecretReference>,
    /// Mount read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// Driver-specific options.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
}

/// A GlusterFS volume used by a persistent volume.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GlusterfsPersistentVolumeSource {
    /// Endpoints object listing the Gluster servers.
    pub endpoints: String,
    /// Name of the Gluster volume.
    pub path: String,
    /// Mount read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// Namespace of the endpoints object; the claim's namespace when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoints_namespace: Option<String>,
}

/// An iSCSI disk used by a persistent volume.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ISCSIPersistentVolumeSource {
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
    /// Secret with the CHAP credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<SecretReference>,
    /// Initiator IQN to use instead of the node's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initiator_name: Option<String>,
}

/// A Ceph RADOS block device image used by a persistent volume.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RBDPersistentVolumeSource {
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
    /// Keyring file on the node for the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyring: Option<String>,
    /// Secret with the user's key, instead of `keyring`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<SecretReference>,
    /// Mount read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
}

/// A ScaleIO (PowerFlex) volume used by a persistent volume.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScaleIOPersistentVolumeSource {
    /// Address of the ScaleIO API gateway.
    pub gateway: String,
    /// Name of the storage system.
    pub system: String,
    /// Secret with the gateway credentials.
    pub secret_ref: SecretReference,
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

/// A StorageOS volume used by a persistent volume.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StorageOSPersistentVolumeSource {
    /// Name of the volume in its StorageOS namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_name: Option<String>,
    /// StorageOS namespace of the volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_namespace: Option<String>,
    /// Filesystem to mount; `ext4` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_type: Option<String>,
    /// Mount read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// The secret with the StorageOS API credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<ObjectReference>,
}

/// The observed state of a [`PersistentVolume`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersistentVolumeStatus {
    /// `Pending`, `Available`, `Bound`, `Released` or `Failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// A message for people about the volume's state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// A CamelCase reason for a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When the phase last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_phase_transition_time: Option<Time>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::resource::{Scope, StaticResource};
    use crate::test_support::{round_trip, round_trip_with_oracle};

    #[test]
    fn bound_claim_round_trips() {
        let manifest = json!({
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {
                "name": "data-db-0",
                "namespace": "shop",
                "uid": "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d",
                "resourceVersion": "7702",
                "creationTimestamp": "2024-05-01T12:00:00Z",
                "annotations": {
                    "pv.kubernetes.io/bind-completed": "yes",
                    "volume.kubernetes.io/storage-provisioner": "ebs.csi.aws.com"
                },
                "finalizers": ["kubernetes.io/pvc-protection"],
                "labels": {"app": "db"}
            },
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "dataSource": {"apiGroup": "snapshot.storage.k8s.io", "kind": "VolumeSnapshot",
                               "name": "db-snap"},
                "dataSourceRef": {"apiGroup": "snapshot.storage.k8s.io", "kind": "VolumeSnapshot",
                                  "name": "db-snap", "namespace": "backups"},
                "resources": {"limits": {"storage": "20Gi"}, "requests": {"storage": "10Gi"}},
                "selector": {"matchLabels": {"tier": "fast"}},
                "storageClassName": "gp3",
                "volumeAttributesClassName": "silver",
                "volumeMode": "Filesystem",
                "volumeName": "pvc-6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d"
            },
            "status": {
                "accessModes": ["ReadWriteOnce"],
                "allocatedResourceStatuses": {"storage": "ControllerResizeInProgress"},
                "allocatedResources": {"storage": "20Gi"},
                "capacity": {"storage": "10Gi"},
                "conditions": [{
                    "lastProbeTime": null,
                    "lastTransitionTime": "2024-05-01T12:10:00Z",
                    "status": "True",
                    "type": "Resizing"
                }],
                "currentVolumeAttributesClassName": "bronze",
                "modifyVolumeStatus": {"status": "InProgress",
                                       "targetVolumeAttributesClassName": "silver"},
                "phase": "Bound"
            }
        });
        // Go writes the unset probe time as null; it reads back as unset.
        let mut expected = manifest.clone();
        expected["status"]["conditions"][0].as_object_mut().unwrap().remove("lastProbeTime");
        let pvc: PersistentVolumeClaim = serde_json::from_value(manifest).unwrap();
        assert_eq!(serde_json::to_value(&pvc).unwrap(), expected);
        let pvc: PersistentVolumeClaim = round_trip(&expected);

        let spec = pvc.spec.unwrap();
        assert_eq!(spec.resources.unwrap().requests["storage"].as_str(), "10Gi");
        assert_eq!(spec.data_source_ref.unwrap().namespace.as_deref(), Some("backups"));
        let status = pvc.status.unwrap();
        assert_eq!(status.allocated_resource_statuses["storage"], "ControllerResizeInProgress");
        assert_eq!(status.modify_volume_status.unwrap().status, "InProgress");
        assert_eq!(status.conditions[0].last_probe_time, None);
    }

    #[test]
    fn csi_volume_round_trips() {
        let manifest = json!({
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {
                "name": "pvc-6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d",
                "uid": "0a9b8c7d-6e5f-4a3b-8c1d-0e9f8a7b6c5d",
                "resourceVersion": "7690",
                "creationTimestamp": "2024-05-01T12:00:02Z",
                "annotations": {"pv.kubernetes.io/provisioned-by": "ebs.csi.aws.com"},
                "finalizers": ["external-provisioner.volume.kubernetes.io/finalizer",
                               "kubernetes.io/pv-protection"]
            },
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "capacity": {"storage": "10Gi"},
                "claimRef": {
                    "apiVersion": "v1",
                    "kind": "PersistentVolumeClaim",
                    "name": "data-db-0",
                    "namespace": "shop",
                    "resourceVersion": "7680",
                    "uid": "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d"
                },
                "csi": {
                    "controllerExpandSecretRef": {"name": "ebs-creds", "namespace": "kube-system"},
                    "driver": "ebs.csi.aws.com",
                    "fsType": "ext4",
                    "nodeStageSecretRef": {"name": "ebs-creds", "namespace": "kube-system"},
                    "readOnly": false,
                    "volumeAttributes": {
                        "storage.kubernetes.io/csiProvisionerIdentity": "1714564800000-1234-ebs.csi.aws.com"
                    },
                    "volumeHandle": "vol-0a1b2c3d4e5f67890"
                },
                "mountOptions": ["noatime"],
                "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                    {"key": "topology.ebs.csi.aws.com/zone", "operator": "In",
                     "values": ["eu-west-1a"]}
                ]}]}},
                "persistentVolumeReclaimPolicy": "Delete",
                "storageClassName": "gp3",
                "volumeAttributesClassName": "bronze",
                "volumeMode": "Filesystem"
            },
            "status": {
                "lastPhaseTransitionTime": "2024-05-01T12:00:03Z",
                "phase": "Bound"
            }
        });
        let pv: PersistentVolume = round_trip(&manifest);
        let spec = pv.spec.unwrap();
        let csi = spec.csi.unwrap();
        assert_eq!(csi.volume_handle, "vol-0a1b2c3d4e5f67890");
        assert_eq!(csi.node_stage_secret_ref.unwrap().namespace.as_deref(), Some("kube-system"));
        let required = spec.node_affinity.unwrap().required.unwrap();
        assert_eq!(required.node_selector_terms[0].match_expressions[0].values, ["eu-west-1a"]);
        assert_eq!(spec.claim_ref.unwrap().name.as_deref(), Some("data-db-0"));
    }

    #[test]
    fn host_path_local_and_nfs_volumes_round_trip() {
        let host_path = json!({
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {"name": "scratch"},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "capacity": {"storage": "1Gi"},
                "hostPath": {"path": "/data/scratch", "type": ""},
                "persistentVolumeReclaimPolicy": "Retain"
            },
            "status": {"phase": "Available"}
        });
        let pv: PersistentVolume = round_trip(&host_path);
        assert_eq!(pv.spec.unwrap().host_path.unwrap().type_.as_deref(), Some(""));

        let local = json!({
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {"name": "local-ssd"},
            "spec": {
                "capacity": {"storage": "375Gi"},
                "local": {"fsType": "xfs", "path": "/mnt/disks/ssd0"},
                "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                    {"key": "kubernetes.io/hostname", "operator": "In", "values": ["worker-1"]}
                ]}]}},
                "storageClassName": "local-storage",
                "volumeMode": "Block"
            },
            "status": {"message": "claim was deleted", "phase": "Released"}
        });
        let pv: PersistentVolume = round_trip(&local);
        assert_eq!(pv.spec.unwrap().local.unwrap().path, "/mnt/disks/ssd0");

        let nfs = json!({
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {"name": "shared"},
            "spec": {
                "accessModes": ["ReadWriteMany"],
                "capacity": {"storage": "100Gi"},
                "mountOptions": ["hard", "nfsvers=4.1"],
                "nfs": {"path": "/exports/shared", "readOnly": true, "server": "nfs.example.com"}
            },
            "status": {"phase": "Failed", "reason": "RecyclerFailed"}
        });
        let pv: PersistentVolume = round_trip(&nfs);
        assert_eq!(pv.spec.unwrap().nfs.unwrap().server, "nfs.example.com");
    }

    #[test]
    fn claim_template_round_trips() {
        let template = json!({
            "metadata": {"labels": {"app": "db"}},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}},
                "storageClassName": "gp3"
            }
        });
        let t: PersistentVolumeClaimTemplate = round_trip(&template);
        assert_eq!(t.spec.storage_class_name.as_deref(), Some("gp3"));
        // The spec is required, and always written.
        assert!(serde_json::from_value::<PersistentVolumeClaimTemplate>(json!({})).is_err());
        assert_eq!(
            serde_json::to_string(&PersistentVolumeClaimTemplate::default()).unwrap(),
            r#"{"spec":{}}"#
        );
    }

    #[test]
    fn minimal_objects_are_exact() {
        let pvc = PersistentVolumeClaim {
            metadata: ObjectMeta::named("c").in_namespace("ns"),
            spec: Some(PersistentVolumeClaimSpec {
                access_modes: vec!["ReadWriteOnce".into()],
                ..Default::default()
            }),
            status: None,
        };
        assert_eq!(
            serde_json::to_string(&pvc).unwrap(),
            r#"{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"c","namespace":"ns"},"spec":{"accessModes":["ReadWriteOnce"]}}"#
        );
        let pv = PersistentVolume { metadata: ObjectMeta::named("v"), ..Default::default() };
        assert_eq!(
            serde_json::to_string(&pv).unwrap(),
            r#"{"apiVersion":"v1","kind":"PersistentVolume","metadata":{"name":"v"}}"#
        );
        let (pv_ar, pvc_ar) = (PersistentVolume::API_RESOURCE, PersistentVolumeClaim::API_RESOURCE);
        assert_eq!((pv_ar.scope, &*pv_ar.short_names), (Scope::Cluster, &["pv".into()][..]));
        assert_eq!((pvc_ar.scope, &*pvc_ar.short_names), (Scope::Namespaced, &["pvc".into()][..]));
    }

    #[test]
    fn legacy_persistent_volume_sources_match_k8s_openapi() {
        let pv = |name: &str, source: &str, body: serde_json::Value| {
            let mut doc = json!({
                "apiVersion": "v1",
                "kind": "PersistentVolume",
                "metadata": {"name": name},
                "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "10Gi"}}
            });
            doc["spec"][source] = body;
            doc
        };
        let secret = json!({"name": "storage-creds", "namespace": "storage"});
        let docs = [
            pv(
                "ebs",
                "awsElasticBlockStore",
                json!({"fsType": "ext4", "volumeID": "aws://eu-west-1a/vol-0abc"}),
            ),
            pv(
                "adisk",
                "azureDisk",
                json!({"diskName": "d", "diskURI": "/subscriptions/s/disks/d", "kind": "Managed"}),
            ),
            pv(
                "afile",
                "azureFile",
                json!({"secretName": "azure", "secretNamespace": "storage", "shareName": "s"}),
            ),
            pv(
                "ceph",
                "cephfs",
                json!({"monitors": ["10.0.0.1:6789"], "secretRef": secret, "user": "k8s"}),
            ),
            pv("cinder", "cinder", json!({"secretRef": secret, "volumeID": "c-1"})),
            pv("fc", "fc", json!({"lun": 0, "targetWWNs": ["500a0982991b8dc5"]})),
            pv(
                "flex",
                "flexVolume",
                json!({"driver": "acme/nfs", "options": {"share": "/x"}, "secretRef": secret}),
            ),
            pv("flocker", "flocker", json!({"datasetName": "db"})),
            pv("gce", "gcePersistentDisk", json!({"pdName": "disk-1"})),
            pv(
                "gluster",
                "glusterfs",
                json!({"endpoints": "gluster", "endpointsNamespace": "storage", "path": "vol0"}),
            ),
            pv(
                "iscsi",
                "iscsi",
                json!({"chapAuthSession": true, "iqn": "iqn.2001-04.com.example:disk1", "lun": 3, "secretRef": secret, "targetPortal": "10.0.2.15:3260"}),
            ),
            pv("photon", "photonPersistentDisk", json!({"pdID": "p-1"})),
            pv("px", "portworxVolume", json!({"volumeID": "px-1"})),
            pv("quobyte", "quobyte", json!({"registry": "r:7861", "volume": "v"})),
            pv(
                "rbd",
                "rbd",
                json!({"image": "img", "monitors": ["10.0.0.1:6789"], "pool": "kube", "secretRef": secret}),
            ),
            pv(
                "sio",
                "scaleIO",
                json!({"gateway": "https://sio/api", "secretRef": secret, "system": "sys"}),
            ),
            pv(
                "sos",
                "storageos",
                json!({"secretRef": {"kind": "Secret", "name": "sos", "namespace": "storage"}, "volumeName": "v"}),
            ),
            pv("vsphere", "vsphereVolume", json!({"volumePath": "[ds1] vols/v.vmdk"})),
        ];
        let mut specs = Vec::new();
        for doc in &docs {
            let pv = round_trip_with_oracle::<
                PersistentVolume,
                k8s_openapi::api::core::v1::PersistentVolume,
            >(doc);
            specs.push(pv.spec.unwrap());
        }
        let ns = |r: &Option<SecretReference>| r.as_ref().unwrap().namespace.clone();
        assert_eq!(ns(&specs[3].cephfs.as_ref().unwrap().secret_ref).as_deref(), Some("storage"));
        assert_eq!(specs[10].iscsi.as_ref().unwrap().lun, 3);
        assert_eq!(
            specs[15].scale_io.as_ref().unwrap().secret_ref.name.as_deref(),
            Some("storage-creds")
        );
        let sos = specs[16].storageos.as_ref().unwrap().secret_ref.as_ref().unwrap();
        assert_eq!(sos.kind.as_deref(), Some("Secret"));
        assert_eq!(
            specs[9].glusterfs.as_ref().unwrap().endpoints_namespace.as_deref(),
            Some("storage")
        );
    }

    #[test]
    fn claim_health_status_matches_k8s_openapi() {
        let manifest = json!({
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data-db-0", "namespace": "shop"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}},
            "status": {
                "healthStatus": {
                    "healthConditions": [{"message": "the backing volume was deleted", "reason": "VolumeNotFound", "status": "True"}],
                    "lastTransitionTime": "2026-09-01T10:00:00Z"
                },
                "phase": "Bound"
            }
        });
        let pvc = round_trip_with_oracle::<
            PersistentVolumeClaim,
            k8s_openapi::api::core::v1::PersistentVolumeClaim,
        >(&manifest);
        let health = pvc.status.unwrap().health_status.unwrap();
        assert_eq!(health.health_conditions[0].reason, "VolumeNotFound");
        assert!(health.last_transition_time.is_some());
        assert!(
            serde_json::from_value::<VolumeHealthCondition>(json!({"status": "True"})).is_err()
        );
    }
}
