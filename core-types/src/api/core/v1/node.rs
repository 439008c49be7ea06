//! Node: a machine that runs pods.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::meta::ObjectMeta;
use crate::quantity::Quantity;
use crate::resource::kind;
use crate::time::Time;

kind! {
    group: "", version: "v1", plural: "nodes", scope: Cluster,
    short_names: ["no"], categories: [];
    /// A worker machine, physical or virtual, on which the kubelet runs
    /// pods.
    pub struct Node {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// How the node should be used (pod addresses, taints, cordoning).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub spec: Option<NodeSpec>,
        /// What the kubelet reports about the node.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status: Option<NodeStatus>,
    }
}

/// The desired state of a [`Node`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeSpec {
    /// The pod IP range given to the node; the first of `podCIDRs`.
    #[serde(default, rename = "podCIDR", skip_serializing_if = "Option::is_none")]
    pub pod_cidr: Option<String>,
    /// The pod IP ranges given to the node, at most one per IP family.
    #[serde(default, rename = "podCIDRs", skip_serializing_if = "Vec::is_empty")]
    pub pod_cidrs: Vec<String>,
    /// The cloud provider's ID of the machine (`<provider>://<id>`).
    #[serde(default, rename = "providerID", skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
    /// When true the node is cordoned: no new pods are scheduled to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unschedulable: Option<bool>,
    /// Taints that keep pods without a matching toleration away.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taints: Vec<Taint>,
    /// Deprecated external ID of the node; no longer used.
    #[serde(default, rename = "externalID", skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Where the kubelet was told to load its configuration from, for the
    /// removed dynamic kubelet configuration feature; kept for old objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_source: Option<NodeConfigSource>,
    /// Node-level rules for preempting pods on this node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_preemption_policy: Option<NodePodPreemptionPolicy>,
}

/// Node-level rules for preempting pods on a node.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodePodPreemptionPolicy {
    /// Who has asked (autoscalers, operators, administrators) that in-place
    /// pod resizes on this node never preempt other pods; any entry turns
    /// that preemption off.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disable_resize_preemption: Vec<String>,
}

/// A source of kubelet configuration (dynamic kubelet configuration, which
/// has been removed); exactly one field is set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeConfigSource {
    /// A config map holding a `KubeletConfiguration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map: Option<ConfigMapNodeConfigSource>,
}

/// A config map used as a kubelet configuration source.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigMapNodeConfigSource {
    /// Namespace of the config map.
    pub namespace: String,
    /// Name of the config map.
    pub name: String,
    /// UID of the config map; only in the node's status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// Resource version of the config map; only in the node's status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<String>,
    /// The key of the config map that holds the `KubeletConfiguration`.
    pub kubelet_config_key: String,
}

/// What the kubelet did with the configuration source of its node spec.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeConfigStatus {
    /// The configuration the kubelet has saved and will try to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned: Option<NodeConfigSource>,
    /// The configuration the kubelet is running with: the assigned one or
    /// the last known good one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<NodeConfigSource>,
    /// The configuration the kubelet falls back to when the assigned one
    /// fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_known_good: Option<NodeConfigSource>,
    /// What went wrong while applying the configuration source, if
    /// anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A mark on a node that repels pods which do not tolerate it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Taint {
    /// The taint key (`node.kubernetes.io/not-ready`).
    pub key: String,
    /// The taint value, matched by `Equal` tolerations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// What happens to pods that do not tolerate it: `NoSchedule`,
    /// `PreferNoSchedule` or `NoExecute`.
    pub effect: String,
    /// When a `NoExecute` taint was added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_added: Option<Time>,
}

/// The observed state of a [`Node`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeStatus {
    /// The total resources of the node (`cpu`, `memory`, `pods`, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub capacity: BTreeMap<String, Quantity>,
    /// The resources available to pods: capacity minus system reservations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub allocatable: BTreeMap<String, Quantity>,
    /// Deprecated lifecycle phase (`Pending`, `Running`, `Terminated`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// The latest observations of the node's health (`Ready`,
    /// `MemoryPressure`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<NodeCondition>,
    /// The addresses the node is reachable at.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<NodeAddress>,
    /// The ports of the daemons running on the node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daemon_endpoints: Option<NodeDaemonEndpoints>,
    /// Versions and identifiers of the node's software and hardware.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_info: Option<NodeSystemInfo>,
    /// Container images present on the node.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<ContainerImage>,
    /// Volumes the node has attached and in use.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volumes_in_use: Vec<String>,
    /// Volumes attached to the node.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volumes_attached: Vec<AttachedVolume>,
    /// The container runtime handlers the node offers, and what each
    /// supports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runtime_handlers: Vec<NodeRuntimeHandler>,
    /// Optional kubelet features the node supports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<NodeFeatures>,
    /// What the kubelet did with `spec.configSource` (dynamic kubelet
    /// configuration, removed; kept for old objects).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<NodeConfigStatus>,
    /// Feature-gated capabilities the node declares it has, which the
    /// scheduler can match pods against.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub declared_features: Vec<String>,
}

/// One observation of a [`Node`]'s health.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeCondition {
    /// The condition type (`Ready`, `MemoryPressure`, `DiskPressure`,
    /// `PIDPressure`, `NetworkUnavailable`).
    #[serde(rename = "type")]
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// When the kubelet last reported the condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_heartbeat_time: Option<Time>,
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

/// One address of a [`Node`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeAddress {
    /// `InternalIP`, `ExternalIP`, `Hostname`, `InternalDNS` or
    /// `ExternalDNS`.
    #[serde(rename = "type")]
    pub type_: String,
    /// The address.
    pub address: String,
}

/// The ports of the daemons on a [`Node`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeDaemonEndpoints {
    /// Where the kubelet listens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubelet_endpoint: Option<DaemonEndpoint>,
}

/// The port a daemon listens on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DaemonEndpoint {
    /// The port number (capitalised `Port` on the wire).
    #[serde(rename = "Port")]
    pub port: i32,
}

/// Versions and identifiers of a [`Node`]'s software and hardware.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeSystemInfo {
    /// The machine ID from `/etc/machine-id`.
    #[serde(rename = "machineID")]
    pub machine_id: String,
    /// The hardware UUID reported by the firmware.
    #[serde(rename = "systemUUID")]
    pub system_uuid: String,
    /// The boot ID; it changes on every reboot.
    #[serde(rename = "bootID")]
    pub boot_id: String,
    /// The kernel version (`uname -r`).
    pub kernel_version: String,
    /// The operating system image (`Ubuntu 24.04 LTS`).
    pub os_image: String,
    /// The container runtime and its version (`containerd://1.7.18`).
    pub container_runtime_version: String,
    /// The kubelet version.
    pub kubelet_version: String,
    /// The kube-proxy version as the kubelet reports it (deprecated).
    pub kube_proxy_version: String,
    /// The operating system (`linux`, `windows`).
    pub operating_system: String,
    /// The CPU architecture (`amd64`, `arm64`).
    pub architecture: String,
    /// The node's swap memory, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swap: Option<NodeSwapStatus>,
    /// Whether the kubelet itself runs inside a user namespace (as in
    /// rootless setups).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running_in_user_namespace: Option<bool>,
}

/// Swap memory of a [`Node`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeSwapStatus {
    /// Total swap, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<i64>,
}

/// A container image present on a [`Node`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContainerImage {
    /// The names the image is known by (tags and digests).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    /// The size of the image in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<i64>,
}

/// A volume attached to a [`Node`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttachedVolume {
    /// The unique name of the volume.
    pub name: String,
    /// The device path at which the volume should be available.
    pub device_path: String,
}

/// A container runtime handler of a [`Node`] (a runtime class handler).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeRuntimeHandler {
    /// The handler name; empty for the default handler.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the handler supports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<NodeRuntimeHandlerFeatures>,
}

/// What a container runtime handler supports.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeRuntimeHandlerFeatures {
    /// Whether read-only mounts can be made recursively read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recursive_read_only_mounts: Option<bool>,
    /// Whether pods can run in their own user namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_namespaces: Option<bool>,
}

/// Optional kubelet features a [`Node`] supports.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeFeatures {
    /// Whether the node honours a pod's `supplementalGroupsPolicy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplemental_groups_policy: Option<bool>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::resource::{Scope, StaticResource};
    use crate::test_support::{round_trip, round_trip_with_oracle};

    #[test]
    fn node_manifest_round_trips() {
        let condition = |type_: &str, status: &str, reason: &str, message: &str| {
            json!({
                "lastHeartbeatTime": "2024-05-01T12:30:00Z",
                "lastTransitionTime": "2024-05-01T12:00:00Z",
                "message": message,
                "reason": reason,
                "status": status,
                "type": type_
            })
        };
        let resources = json!({
            "cpu": "8",
            "ephemeral-storage": "102626232Ki",
            "hugepages-1Gi": "0",
            "hugepages-2Mi": "0",
            "memory": "32734572Ki",
            "pods": "110"
        });
        let manifest = json!({
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": "worker-1",
                "uid": "e1d2c3b4-a596-4877-8a9b-0c1d2e3f4a5b",
                "resourceVersion": "12034",
                "creationTimestamp": "2024-05-01T11:59:30Z",
                "labels": {
                    "kubernetes.io/arch": "amd64",
                    "kubernetes.io/hostname": "worker-1",
                    "kubernetes.io/os": "linux"
                },
                "annotations": {"node.alpha.kubernetes.io/ttl": "0"}
            },
            "spec": {
                "podCIDR": "10.244.1.0/24",
                "podCIDRs": ["10.244.1.0/24", "fd00:10:244:1::/64"],
                "providerID": "kind://docker/kind/worker-1",
                "taints": [
                    {"effect": "NoSchedule", "key": "dedicated", "value": "gpu"},
                    {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable",
                     "timeAdded": "2024-05-01T12:40:00Z"}
                ],
                "unschedulable": true
            },
            "status": {
                "addresses": [
                    {"address": "172.18.0.3", "type": "InternalIP"},
                    {"address": "worker-1", "type": "Hostname"}
                ],
                "allocatable": resources,
                "capacity": resources,
                "conditions": [
                    condition("MemoryPressure", "False", "KubeletHasSufficientMemory",
                              "kubelet has sufficient memory available"),
                    condition("Ready", "True", "KubeletReady", "kubelet is posting ready status")
                ],
                "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                "features": {"supplementalGroupsPolicy": true},
                "images": [
                    {"names": ["registry.k8s.io/etcd@sha256:4e535f53f767", "registry.k8s.io/etcd:3.5.15-0"],
                     "sizeBytes": 56909194},
                    {"names": ["registry.k8s.io/pause:3.10"], "sizeBytes": 320368}
                ],
                "nodeInfo": {
                    "architecture": "amd64",
                    "bootID": "4c1b2a3d-5e6f-4789-8abc-def012345678",
                    "containerRuntimeVersion": "containerd://1.7.18",
                    "kernelVersion": "6.8.0-45-generic",
                    "kubeProxyVersion": "v1.31.0",
                    "kubeletVersion": "v1.31.0",
                    "machineID": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
                    "operatingSystem": "linux",
                    "osImage": "Debian GNU/Linux 12 (bookworm)",
                    "swap": {"capacity": 2147479552},
                    "systemUUID": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
                },
                "phase": "Running",
                "runtimeHandlers": [
                    {"features": {"recursiveReadOnlyMounts": true, "userNamespaces": true},
                     "name": "runc"},
                    {"features": {"recursiveReadOnlyMounts": true, "userNamespaces": true},
                     "name": ""}
                ],
                "volumesAttached": [
                    {"devicePath": "", "name": "kubernetes.io/csi/ebs.csi.aws.com^vol-0a1b2c3d"}
                ],
                "volumesInUse": ["kubernetes.io/csi/ebs.csi.aws.com^vol-0a1b2c3d"]
            }
        });
        let node: Node = round_trip(&manifest);

        let spec = node.spec.unwrap();
        assert_eq!(spec.pod_cidrs.len(), 2);
        assert_eq!(spec.taints[1].time_added.unwrap().to_string(), "2024-05-01T12:40:00Z");
        let status = node.status.unwrap();
        assert_eq!(status.allocatable["memory"].as_str(), "32734572Ki");
        assert_eq!(status.daemon_endpoints.unwrap().kubelet_endpoint.unwrap().port, 10250);
        assert_eq!(status.node_info.unwrap().machine_id, "0f1e2d3c4b5a69788796a5b4c3d2e1f0");
        assert_eq!(status.runtime_handlers[1].name.as_deref(), Some(""));
        assert_eq!(status.conditions[1].type_, "Ready");
    }

    #[test]
    fn minimal_node_is_exact() {
        let node = Node {
            metadata: ObjectMeta::named("n1"),
            spec: Some(NodeSpec {
                taints: vec![Taint {
                    key: "k".into(),
                    effect: "NoSchedule".into(),
                    ..Taint::default()
                }],
                ..NodeSpec::default()
            }),
            status: None,
        };
        assert_eq!(
            serde_json::to_string(&node).unwrap(),
            r#"{"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"},"spec":{"taints":[{"key":"k","effect":"NoSchedule"}]}}"#
        );
        let ar = Node::API_RESOURCE;
        assert_eq!((ar.scope, &*ar.plural), (Scope::Cluster, "nodes"));
        assert_eq!(&*ar.short_names, ["no"]);
    }

    #[test]
    fn config_source_preemption_policy_and_declared_features_match_k8s_openapi() {
        let source = |rv: Option<&str>| {
            let mut cm = json!({"kubeletConfigKey": "kubelet", "name": "kubelet-config", "namespace": "kube-system"});
            if let Some(rv) = rv {
                cm["resourceVersion"] = json!(rv);
                cm["uid"] = json!("3a4b5c6d-7e8f-4a0b-9c1d-2e3f4a5b6c7d");
            }
            json!({"configMap": cm})
        };
        let manifest = json!({
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": "worker-7"},
            "spec": {
                "configSource": source(None),
                "podPreemptionPolicy": {"disableResizePreemption": ["cluster-autoscaler", "ops-team"]}
            },
            "status": {
                "config": {
                    "active": source(Some("41")),
                    "assigned": source(Some("42")),
                    "error": "failed to validate the assigned configuration",
                    "lastKnownGood": source(Some("41"))
                },
                "declaredFeatures": ["InPlacePodVerticalScaling", "PodLevelResources"],
                "nodeInfo": {
                    "architecture": "arm64", "bootID": "b", "containerRuntimeVersion": "containerd://2.1.0",
                    "kernelVersion": "6.8.0", "kubeProxyVersion": "", "kubeletVersion": "v1.37.0",
                    "machineID": "m", "operatingSystem": "linux", "osImage": "Debian 13",
                    "runningInUserNamespace": true, "systemUUID": "s"
                }
            }
        });
        let node = round_trip_with_oracle::<Node, k8s_openapi::api::core::v1::Node>(&manifest);
        let spec = node.spec.unwrap();
        let cm = spec.config_source.unwrap().config_map.unwrap();
        assert_eq!((cm.kubelet_config_key.as_str(), cm.uid), ("kubelet", None));
        assert_eq!(spec.pod_preemption_policy.unwrap().disable_resize_preemption.len(), 2);
        let status = node.status.unwrap();
        let config = status.config.unwrap();
        let assigned = config.assigned.unwrap().config_map.unwrap();
        assert_eq!(assigned.resource_version.as_deref(), Some("42"));
        assert_eq!(status.declared_features[1], "PodLevelResources");
        assert_eq!(status.node_info.unwrap().running_in_user_namespace, Some(true));
        // The config map's namespace, name and key are required.
        let partial = json!({"name": "kubelet-config", "namespace": "kube-system"});
        assert!(serde_json::from_value::<ConfigMapNodeConfigSource>(partial).is_err());
    }
}
