//! The observed state of a Pod: phase, conditions, IPs and the status of
//! each container and resource claim.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::quantity::Quantity;
use crate::time::Time;

use super::*;

/// The observed state of a [`Pod`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodStatus {
    /// The `metadata.generation` this status was written for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// `Pending`, `Running`, `Succeeded`, `Failed` or `Unknown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// The latest observations of the pod's state.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<PodCondition>,
    /// Why the pod is in its state, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Why the pod is in its state, in CamelCase (`Evicted`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The node the scheduler expects to place the pod on once preempted
    /// pods have gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nominated_node_name: Option<String>,
    /// The primary IP address of the node.
    #[serde(default, rename = "hostIP", skip_serializing_if = "Option::is_none")]
    pub host_ip: Option<String>,
    /// The node's addresses, one per family, primary first.
    #[serde(default, rename = "hostIPs", skip_serializing_if = "Vec::is_empty")]
    pub host_ips: Vec<HostIP>,
    /// The primary IP address of the pod.
    #[serde(default, rename = "podIP", skip_serializing_if = "Option::is_none")]
    pub pod_ip: Option<String>,
    /// The pod's addresses, one per family, primary first.
    #[serde(default, rename = "podIPs", skip_serializing_if = "Vec::is_empty")]
    pub pod_ips: Vec<PodIP>,
    /// When the kubelet accepted the pod, before images were pulled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<Time>,
    /// Status of each init container, in spec order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub init_container_statuses: Vec<ContainerStatus>,
    /// Status of each main container.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub container_statuses: Vec<ContainerStatus>,
    /// `Guaranteed`, `Burstable` or `BestEffort`, from the containers'
    /// requests and limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qos_class: Option<String>,
    /// Status of each ephemeral container.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ephemeral_container_statuses: Vec<ContainerStatus>,
    /// The ResourceClaim generated for each of the pod's template claims.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_claim_statuses: Vec<PodResourceClaimStatus>,
    /// The pod-level requests and limits actually applied, when the spec
    /// sets pod-level resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
    /// The requests the node has set aside for the whole pod.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub allocated_resources: BTreeMap<String, Quantity>,
    /// Deprecated progress of an in-place resize (`Proposed`,
    /// `InProgress`, `Deferred`, `Infeasible`); the `PodResizePending` and
    /// `PodResizeInProgress` conditions replace it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resize: Option<String>,
    /// The ResourceClaim the scheduler made for extended resources that are
    /// served through DRA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extended_resource_claim_status: Option<PodExtendedResourceClaimStatus>,
    /// Node-allocatable resources (`cpu`, `memory`, hugepages, ...) that
    /// DRA claims gave the pod, which the kubelet adds to its cgroups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub node_allocatable_resource_claim_statuses: Vec<NodeAllocatableResourceClaimStatus>,
    /// The health of each volume of the pod, as the node's CSI plugin
    /// reports it through the kubelet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volume_health: Vec<PodVolumeHealth>,
}

/// The ResourceClaim generated for a pod's DRA-backed extended resources.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodExtendedResourceClaimStatus {
    /// Which request of the claim serves each container's extended
    /// resource.
    #[serde(default)]
    pub request_mappings: Vec<ContainerExtendedResourceRequest>,
    /// Name of the generated claim, in the pod's namespace.
    pub resource_claim_name: String,
}

/// Ties a container's extended resource to a request of the generated
/// claim.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContainerExtendedResourceRequest {
    /// The container that asks for the resource.
    pub container_name: String,
    /// The extended resource name in the container's resources.
    pub resource_name: String,
    /// The request of the claim that serves it.
    pub request_name: String,
}

/// Node-allocatable resources allocated to a pod through one DRA claim.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeAllocatableResourceClaimStatus {
    /// The claim, as the pod refers to it.
    pub resource_claim_name: String,
    /// The containers of the pod that use the claim.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub containers: Vec<String>,
    /// Resources the claim's devices map to directly.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mapping: Vec<NodeAllocatableMappedResources>,
    /// Extra resources the claim's devices cost on top.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overhead: Vec<NodeAllocatableOverheadResources>,
}

/// An amount of a node-allocatable resource that a claim's devices map to,
/// shared by the containers that use the claim.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeAllocatableMappedResources {
    /// The resource (`cpu`, `memory`, ...).
    pub name: String,
    /// How much of it the claim got.
    pub quantity: Quantity,
}

/// Overhead of a node-allocatable resource charged for a claim: a fixed
/// part for the pod plus a part for each container using the claim (at
/// least one is set).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeAllocatableOverheadResources {
    /// The resource (`cpu`, `memory`, ...).
    pub name: String,
    /// Charged once for the pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_pod: Option<Quantity>,
    /// Charged for each container that uses the claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_container: Option<Quantity>,
}

/// The health of one volume of a pod on its node.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodVolumeHealth {
    /// Name of the volume in the pod spec.
    pub name: String,
    /// Problems the CSI node plugin reports for the volume (at most 16).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub health_conditions: Vec<VolumeHealthCondition>,
    /// When the current set of conditions first appeared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Time>,
}

/// One observation of a [`Pod`]'s state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodCondition {
    /// `PodScheduled`, `Initialized`, `ContainersReady`, `Ready`,
    /// `PodReadyToStartContainers`, or a readiness gate's type.
    #[serde(rename = "type")]
    pub type_: String,
    /// The `metadata.generation` the condition was written for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// When the condition was last checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_probe_time: Option<Time>,
    /// When the status last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Time>,
    /// A CamelCase machine-readable reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// A message for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// One IP address of a pod.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodIP {
    /// The address.
    pub ip: String,
}

/// One IP address of the node a pod runs on.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HostIP {
    /// The address.
    pub ip: String,
}

/// The ResourceClaim made for one of a pod's template claims.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodResourceClaimStatus {
    /// Name of the entry in the pod's `resourceClaims`.
    pub name: String,
    /// Name of the generated claim; unset when none was needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_claim_name: Option<String>,
}
