//! Pod and PodTemplate. The parts of a pod spec live in `container.rs`,
//! `volume.rs` and `affinity.rs`; the status in `pod_status.rs`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::meta::ObjectMeta;
use crate::quantity::Quantity;
use crate::resource::kind;

use super::{
    Affinity, AppArmorProfile, Container, EphemeralContainer, LocalObjectReference, PodStatus,
    ResourceRequirements, SELinuxOptions, SeccompProfile, Sysctl, Toleration,
    TopologySpreadConstraint, Volume, WindowsSecurityContextOptions,
};

kind! {
    group: "", version: "v1", plural: "pods", scope: Namespaced,
    short_names: ["po"], categories: ["all"];
    /// A group of containers that run together on one node, sharing its
    /// network namespace and volumes.
    pub struct Pod {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// What the pod should run.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub spec: Option<PodSpec>,
        /// What the pod is doing, as last reported by its node.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status: Option<PodStatus>,
    }
}

kind! {
    group: "", version: "v1", plural: "podtemplates", scope: Namespaced,
    short_names: [], categories: [];
    /// A stored pod template that other objects can refer to.
    pub struct PodTemplate {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// The pods this template describes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub template: Option<PodTemplateSpec>,
    }
}

/// A pod template: the metadata and spec of pods a controller creates.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodTemplateSpec {
    /// Metadata given to each pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ObjectMeta>,
    /// The spec of each pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<PodSpec>,
}

/// The desired state of a [`Pod`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodSpec {
    /// Volumes the containers can mount.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<Volume>,
    /// Containers run one after another, each to completion, before the
    /// main containers start (sidecars, with `restartPolicy: Always`, keep
    /// running).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub init_containers: Vec<Container>,
    /// The main containers of the pod; at least one.
    #[serde(default)]
    pub containers: Vec<Container>,
    /// Debugging containers added to the running pod; set only through the
    /// `ephemeralcontainers` subresource.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ephemeral_containers: Vec<EphemeralContainer>,
    /// `Always` (the default), `OnFailure` or `Never`: when exited
    /// containers are restarted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<String>,
    /// Seconds between the stop signal and the kill when the pod is deleted;
    /// 30 by default, 0 kills at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_grace_period_seconds: Option<i64>,
    /// Seconds after the start after which the pod is failed and its
    /// containers killed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_deadline_seconds: Option<i64>,
    /// `ClusterFirst` (the default), `ClusterFirstWithHostNet`, `Default`
    /// or `None`: how the pod's `resolv.conf` is built.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_policy: Option<String>,
    /// Labels the node must have for the pod to run there.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub node_selector: BTreeMap<String, String>,
    /// The service account the pod runs as; `default` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// Deprecated alias of `serviceAccountName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account: Option<String>,
    /// Whether the service account's token is mounted into the containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automount_service_account_token: Option<bool>,
    /// The node the pod is bound to; set by the scheduler (or by hand to
    /// bypass it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_name: Option<String>,
    /// Use the node's network namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_network: Option<bool>,
    /// Use the node's process ID namespace.
    #[serde(default, rename = "hostPID", skip_serializing_if = "Option::is_none")]
    pub host_pid: Option<bool>,
    /// Use the node's IPC namespace.
    #[serde(default, rename = "hostIPC", skip_serializing_if = "Option::is_none")]
    pub host_ipc: Option<bool>,
    /// Let all containers of the pod see each other's processes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_process_namespace: Option<bool>,
    /// Security settings for all containers and the pod's volumes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<PodSecurityContext>,
    /// Secrets used to pull the containers' images.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub image_pull_secrets: Vec<LocalObjectReference>,
    /// The pod's host name; the pod's name when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// With a headless service of this name, gives the pod the DNS name
    /// `<hostname>.<subdomain>.<namespace>.svc.<cluster domain>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subdomain: Option<String>,
    /// Node and pod affinity rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<Affinity>,
    /// The scheduler that places the pod; `default-scheduler` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduler_name: Option<String>,
    /// Taints the pod tolerates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tolerations: Vec<Toleration>,
    /// Extra entries for the pod's `/etc/hosts`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub host_aliases: Vec<HostAlias>,
    /// Name of a PriorityClass giving the pod's priority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority_class_name: Option<String>,
    /// The priority, filled in from `priorityClassName` at admission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i32>,
    /// DNS settings merged into what `dnsPolicy` produces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_config: Option<PodDNSConfig>,
    /// Extra conditions that must be true for the pod to count as ready.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub readiness_gates: Vec<PodReadinessGate>,
    /// Name of a RuntimeClass selecting the container runtime handler.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_class_name: Option<String>,
    /// Whether service addresses are injected as environment variables
    /// (docker-links style); true by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_service_links: Option<bool>,
    /// `PreemptLowerPriority` (the default) or `Never`: whether the pod may
    /// evict lower-priority pods to be scheduled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preemption_policy: Option<String>,
    /// Resources used by the pod's sandbox on top of its containers, filled
    /// in from the RuntimeClass at admission.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub overhead: BTreeMap<String, Quantity>,
    /// How the pod and its peers are spread across zones, nodes and other
    /// domains.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topology_spread_constraints: Vec<TopologySpreadConstraint>,
    /// Set the kernel host name to the fully qualified domain name.
    #[serde(default, rename = "setHostnameAsFQDN", skip_serializing_if = "Option::is_none")]
    pub set_hostname_as_fqdn: Option<bool>,
    /// The operating system the containers need; validation uses it to
    /// refuse settings of the other OS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<PodOS>,
    /// Whether the pod uses the node's user namespace; false gives it its
    /// own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_users: Option<bool>,
    /// While any gate is present, the scheduler leaves the pod alone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scheduling_gates: Vec<PodSchedulingGate>,
    /// Dynamically allocated resources (DRA claims) the pod needs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_claims: Vec<PodResourceClaim>,
    /// Resources for the pod as a whole, shared by its containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
    /// The host name the pod sees, winning over `hostname` and `subdomain`
    /// (a DNS subdomain of at most 64 characters). It does not change DNS
    /// records, and needs `hostNetwork` and `setHostnameAsFQDN` off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname_override: Option<String>,
    /// The scheduling group (such as a PodGroup for gang scheduling) the
    /// pod is placed with; the pod is scheduled on its own when unset.
    /// Cannot be changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduling_group: Option<PodSchedulingGroup>,
    /// Controllers that handle an eviction request for the pod, tried from
    /// the highest priority down (at most 10; set at creation only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub eviction_responders: Vec<EvictionResponder>,
}

/// The scheduling group a pod belongs to; exactly one field is set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodSchedulingGroup {
    /// Name of the PodGroup object for the group (a DNS subdomain); it need
    /// not exist yet when the pod is created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_group_name: Option<String>,
}

/// A controller that takes part in evicting a pod gracefully, reporting
/// its progress on the eviction request.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EvictionResponder {
    /// Domain-prefixed name of the responder (`acme.io/drain`), unique in
    /// the pod; `*.k8s.io` and `*.kubernetes.io` are reserved.
    pub name: String,
    /// 0 to 100000; higher goes first. The pod's managing controller uses
    /// 10000, and 0-999 is reserved for `*.k8s.io` responders.
    pub priority: i32,
}

/// Security settings for a whole pod; a container's own
/// [`SecurityContext`](super::SecurityContext) wins where both are set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodSecurityContext {
    /// SELinux label of all containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub se_linux_options: Option<SELinuxOptions>,
    /// Windows-specific settings of all containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub windows_options: Option<WindowsSecurityContextOptions>,
    /// UID the containers' entrypoints run as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_user: Option<i64>,
    /// GID the containers' entrypoints run as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_group: Option<i64>,
    /// Refuse to start containers that would run as UID 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_non_root: Option<bool>,
    /// Extra groups of the containers' first processes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supplemental_groups: Vec<i64>,
    /// `Merge` (the default) or `Strict`: whether groups from the image's
    /// `/etc/group` are added to `supplementalGroups`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplemental_groups_policy: Option<String>,
    /// A group that owns the pod's volumes and is added to every container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_group: Option<i64>,
    /// Namespaced kernel parameters set for the pod.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sysctls: Vec<Sysctl>,
    /// `OnRootMismatch` or `Always`: when volume ownership is changed to
    /// `fsGroup`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_group_change_policy: Option<String>,
    /// Seccomp filter of all containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seccomp_profile: Option<SeccompProfile>,
    /// AppArmor profile of all containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_armor_profile: Option<AppArmorProfile>,
    /// `Recursive` or `MountOption`: how volumes get the pod's SELinux
    /// label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub se_linux_change_policy: Option<String>,
}

/// DNS settings of a pod.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodDNSConfig {
    /// Name server addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nameservers: Vec<String>,
    /// Search domains.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub searches: Vec<String>,
    /// Resolver options (`ndots`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<PodDNSConfigOption>,
}

/// One resolver option of a pod.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodDNSConfigOption {
    /// The option's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The option's value, for options that take one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// An `/etc/hosts` entry of a pod.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HostAlias {
    /// The IP address.
    pub ip: String,
    /// Names for the address.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hostnames: Vec<String>,
}

/// A pod condition that readiness also depends on.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodReadinessGate {
    /// The condition type in the pod's status that must be `True`.
    pub condition_type: String,
}

/// A gate that keeps a pod from being scheduled until it is removed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodSchedulingGate {
    /// Name of the gate; unique in the pod.
    pub name: String,
}

/// The operating system of a pod.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodOS {
    /// `linux` or `windows`.
    pub name: String,
}

/// A dynamic resource claim of a pod; at most one source is set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodResourceClaim {
    /// Name of the claim within the pod; containers refer to it.
    pub name: String,
    /// An existing ResourceClaim in the pod's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_claim_name: Option<String>,
    /// A ResourceClaimTemplate from which a claim is made for this pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_claim_template_name: Option<String>,
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::codec;
    use crate::intstr::IntOrString;
    use crate::resource::StaticResource;
    use crate::test_support::{round_trip, round_trip_with_oracle};

    /// A web server pod as a cluster would return it: an init container and
    /// a sidecar, every kind of environment source, probe, volume and
    /// scheduling constraint, and a status with containers in each state.
    fn web_pod() -> Value {
        serde_json::from_str(WEB_POD).unwrap()
    }

    const WEB_POD: &str = r#"{
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "web-7d9f8b-x2x7q",
            "namespace": "shop",
            "labels": {"app": "web", "pod-template-hash": "7d9f8b"},
            "uid": "6f1c2a9e-1d2b-4c3d-9e8f-0a1b2c3d4e5f",
            "resourceVersion": "48211",
            "creationTimestamp": "2024-05-01T10:00:00Z"
        },
        "spec": {
            "volumes": [
                {"name": "cache", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}},
                {"name": "logs", "hostPath": {"path": "/var/log/web", "type": "DirectoryOrCreate"}},
                {"name": "config", "configMap": {
                    "name": "web-config",
                    "items": [{"key": "nginx.conf", "path": "nginx.conf", "mode": 292}],
                    "defaultMode": 420,
                    "optional": false
                }},
                {"name": "tls", "secret": {"secretName": "web-tls", "defaultMode": 256, "optional": true}},
                {"name": "data", "persistentVolumeClaim": {"claimName": "web-data", "readOnly": true}},
                {"name": "podinfo", "downwardAPI": {
                    "items": [
                        {"path": "labels", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.labels"}},
                        {"path": "cpu_limit", "resourceFieldRef": {
                            "containerName": "web", "resource": "limits.cpu", "divisor": "1m"
                        }, "mode": 292}
                    ],
                    "defaultMode": 420
                }},
                {"name": "bundle", "projected": {
                    "sources": [
                        {"serviceAccountToken": {"audience": "vault", "expirationSeconds": 3600, "path": "token"}},
                        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                        {"secret": {"name": "creds", "optional": true}},
                        {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"fieldPath": "metadata.namespace"}}]}}
                    ],
                    "defaultMode": 420
                }},
                {"name": "shared", "nfs": {"server": "nfs.example.com", "path": "/exports/shared", "readOnly": true}},
                {"name": "vault", "csi": {
                    "driver": "secrets-store.csi.k8s.io",
                    "readOnly": true,
                    "fsType": "ext4",
                    "volumeAttributes": {"secretProviderClass": "web"},
                    "nodePublishSecretRef": {"name": "csi-creds"}
                }},
                {"name": "scratch", "ephemeral": {"volumeClaimTemplate": {
                    "metadata": {"labels": {"type": "scratch"}},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "storageClassName": "fast",
                        "volumeMode": "Block",
                        "resources": {"requests": {"storage": "1Gi"}}
                    }
                }}},
                {"name": "assets", "image": {"reference": "quay.io/shop/assets:v3", "pullPolicy": "IfNotPresent"}}
            ],
            "initContainers": [
                {
                    "name": "migrate",
                    "image": "registry.example.com/shop/migrate:1.4",
                    "command": ["/migrate"],
                    "args": ["--to", "latest"],
                    "envFrom": [
                        {"configMapRef": {"name": "web-config", "optional": false}},
                        {"prefix": "DB_", "secretRef": {"name": "db"}}
                    ],
                    "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}},
                    "securityContext": {"runAsNonRoot": true}
                },
                {
                    "name": "log-shipper",
                    "image": "fluent/fluent-bit:3.0",
                    "restartPolicy": "Always",
                    "volumeMounts": [{"name": "logs", "mountPath": "/logs", "readOnly": true}]
                }
            ],
            "containers": [
                {
                    "name": "web",
                    "image": "nginx:1.27",
                    "workingDir": "/usr/share/nginx",
                    "ports": [
                        {"name": "http", "containerPort": 8080, "protocol": "TCP"},
                        {"name": "metrics", "containerPort": 9090, "hostPort": 19090, "hostIP": "0.0.0.0"}
                    ],
                    "env": [
                        {"name": "MODE", "value": "production"},
                        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                        {"name": "MEM_LIMIT", "valueFrom": {"resourceFieldRef": {
                            "containerName": "web", "resource": "limits.memory", "divisor": "1Mi"
                        }}},
                        {"name": "LOG_LEVEL", "valueFrom": {"configMapKeyRef": {
                            "name": "web-config", "key": "log-level", "optional": true
                        }}},
                        {"name": "API_KEY", "valueFrom": {"secretKeyRef": {"name": "api", "key": "key"}}}
                    ],
                    "resources": {
                        "limits": {"cpu": "1", "memory": "512Mi"},
                        "requests": {"cpu": "250m", "memory": "256Mi"},
                        "claims": [{"name": "gpu", "request": "single"}]
                    },
                    "resizePolicy": [{"resourceName": "cpu", "restartPolicy": "NotRequired"}],
                    "volumeMounts": [
                        {"name": "config", "mountPath": "/etc/nginx/nginx.conf", "subPath": "nginx.conf", "readOnly": true},
                        {"name": "logs", "mountPath": "/var/log/nginx", "mountPropagation": "HostToContainer"},
                        {"name": "cache", "mountPath": "/cache", "subPathExpr": "$(POD_NAME)"},
                        {"name": "tls", "mountPath": "/tls", "readOnly": true, "recursiveReadOnly": "IfPossible"}
                    ],
                    "volumeDevices": [{"name": "scratch", "devicePath": "/dev/scratch"}],
                    "livenessProbe": {
                        "httpGet": {
                            "path": "/healthz", "port": "http", "scheme": "HTTP",
                            "httpHeaders": [{"name": "X-Probe", "value": "liveness"}]
                        },
                        "initialDelaySeconds": 10,
                        "timeoutSeconds": 2,
                        "periodSeconds": 10,
                        "successThreshold": 1,
                        "failureThreshold": 3,
                        "terminationGracePeriodSeconds": 15
                    },
                    "readinessProbe": {"tcpSocket": {"port": 8080}, "periodSeconds": 5},
                    "startupProbe": {"exec": {"command": ["cat", "/tmp/started"]}, "periodSeconds": 2, "failureThreshold": 30},
                    "lifecycle": {
                        "postStart": {"exec": {"command": ["/bin/sh", "-c", "touch /tmp/started"]}},
                        "preStop": {"sleep": {"seconds": 5}}
                    },
                    "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "FallbackToLogsOnError",
                    "imagePullPolicy": "IfNotPresent",
                    "securityContext": {
                        "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]},
                        "privileged": false,
                        "seLinuxOptions": {"level": "s0:c123,c456"},
                        "runAsUser": 101,
                        "runAsGroup": 101,
                        "runAsNonRoot": true,
                        "readOnlyRootFilesystem": true,
                        "allowPrivilegeEscalation": false,
                        "procMount": "Default",
                        "seccompProfile": {"type": "RuntimeDefault"},
                        "appArmorProfile": {"type": "Localhost", "localhostProfile": "k8s-nginx"}
                    },
                    "stdin": false,
                    "tty": false
                },
                {
                    "name": "api",
                    "image": "registry.example.com/shop/api@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                    "ports": [{"containerPort": 9000, "protocol": "TCP"}],
                    "livenessProbe": {"httpGet": {"host": "127.0.0.1", "path": "/live", "port": 8081}},
                    "readinessProbe": {"grpc": {"port": 9000, "service": "shop.Api"}},
                    "lifecycle": {
                        "postStart": {"tcpSocket": {"port": 9000, "host": "localhost"}},
                        "preStop": {"httpGet": {"path": "/drain", "port": 8081, "scheme": "HTTPS"}}
                    }
                }
            ],
            "ephemeralContainers": [{
                "name": "debugger",
                "image": "busybox:1.36",
                "command": ["sh"],
                "stdin": true,
                "stdinOnce": true,
                "tty": true,
                "targetContainerName": "web"
            }],
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 45,
            "activeDeadlineSeconds": 86400,
            "dnsPolicy": "None",
            "nodeSelector": {"kubernetes.io/os": "linux"},
            "serviceAccountName": "web",
            "serviceAccount": "web",
            "automountServiceAccountToken": false,
            "nodeName": "node-a",
            "hostNetwork": false,
            "hostPID": false,
            "hostIPC": false,
            "shareProcessNamespace": true,
            "securityContext": {
                "seLinuxOptions": {"user": "system_u", "role": "system_r", "type": "container_t", "level": "s0"},
                "windowsOptions": {
                    "gmsaCredentialSpecName": "web-gmsa",
                    "gmsaCredentialSpec": "{}",
                    "runAsUserName": "ContainerUser",
                    "hostProcess": false
                },
                "runAsUser": 1000,
                "runAsGroup": 3000,
                "runAsNonRoot": true,
                "supplementalGroups": [4000],
                "supplementalGroupsPolicy": "Strict",
                "fsGroup": 2000,
                "sysctls": [{"name": "net.ipv4.ip_local_port_range", "value": "1024 65535"}],
                "fsGroupChangePolicy": "OnRootMismatch",
                "seccompProfile": {"type": "Localhost", "localhostProfile": "profiles/web.json"},
                "appArmorProfile": {"type": "RuntimeDefault"},
                "seLinuxChangePolicy": "MountOption"
            },
            "imagePullSecrets": [{"name": "registry"}],
            "hostname": "web-0",
            "subdomain": "web",
            "affinity": {
                "nodeAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{
                        "matchExpressions": [{"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64", "arm64"]}],
                        "matchFields": [{"key": "metadata.name", "operator": "NotIn", "values": ["node-b"]}]
                    }]},
                    "preferredDuringSchedulingIgnoredDuringExecution": [{
                        "weight": 50,
                        "preference": {"matchExpressions": [{"key": "disktype", "operator": "Exists"}]}
                    }]
                },
                "podAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": [{
                        "labelSelector": {"matchLabels": {"app": "cache"}},
                        "topologyKey": "kubernetes.io/hostname"
                    }],
                    "preferredDuringSchedulingIgnoredDuringExecution": [{
                        "weight": 20,
                        "podAffinityTerm": {
                            "labelSelector": {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["backend"]}]},
                            "namespaces": ["shop", "shared"],
                            "topologyKey": "topology.kubernetes.io/zone",
                            "namespaceSelector": {"matchLabels": {"team": "shop"}}
                        }
                    }]
                },
                "podAntiAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": [{
                        "labelSelector": {"matchLabels": {"app": "web"}},
                        "topologyKey": "kubernetes.io/hostname",
                        "matchLabelKeys": ["pod-template-hash"],
                        "mismatchLabelKeys": ["tenant"]
                    }],
                    "preferredDuringSchedulingIgnoredDuringExecution": [{
                        "weight": 100,
                        "podAffinityTerm": {"labelSelector": {}, "namespaceSelector": {}, "topologyKey": "topology.kubernetes.io/zone"}
                    }]
                }
            },
            "schedulerName": "default-scheduler",
            "tolerations": [
                {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                {"key": "dedicated", "operator": "Equal", "value": "web", "effect": "NoSchedule"}
            ],
            "hostAliases": [{"ip": "10.0.0.5", "hostnames": ["db.internal", "db"]}],
            "priorityClassName": "high",
            "priority": 1000,
            "dnsConfig": {
                "nameservers": ["10.96.0.10"],
                "searches": ["shop.svc.cluster.local", "svc.cluster.local"],
                "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}]
            },
            "readinessGates": [{"conditionType": "example.com/lb-ready"}],
            "runtimeClassName": "gvisor",
            "enableServiceLinks": false,
            "preemptionPolicy": "PreemptLowerPriority",
            "overhead": {"cpu": "250m", "memory": "120Mi"},
            "topologySpreadConstraints": [{
                "maxSkew": 1,
                "topologyKey": "topology.kubernetes.io/zone",
                "whenUnsatisfiable": "DoNotSchedule",
                "labelSelector": {"matchLabels": {"app": "web"}},
                "minDomains": 3,
                "nodeAffinityPolicy": "Honor",
                "nodeTaintsPolicy": "Ignore",
                "matchLabelKeys": ["pod-template-hash"]
            }],
            "setHostnameAsFQDN": true,
            "os": {"name": "linux"},
            "hostUsers": false,
            "schedulingGates": [{"name": "example.com/quota"}],
            "resourceClaims": [{"name": "gpu", "resourceClaimTemplateName": "gpu-template"}],
            "resources": {"limits": {"cpu": "2", "memory": "1Gi"}}
        },
        "status": {
            "observedGeneration": 1,
            "phase": "Running",
            "conditions": [
                {"type": "PodReadyToStartContainers", "status": "True", "lastTransitionTime": "2024-05-01T10:00:03Z"},
                {"type": "Initialized", "observedGeneration": 1, "status": "True", "lastTransitionTime": "2024-05-01T10:00:09Z"},
                {
                    "type": "Ready", "status": "False",
                    "lastProbeTime": "2024-05-01T10:05:00Z",
                    "lastTransitionTime": "2024-05-01T10:04:00Z",
                    "reason": "ContainersNotReady",
                    "message": "containers with unready status: [api]"
                },
                {"type": "PodScheduled", "status": "True", "lastTransitionTime": "2024-05-01T10:00:00Z"}
            ],
            "message": "one container is restarting",
            "reason": "Degraded",
            "nominatedNodeName": "node-c",
            "hostIP": "192.168.1.10",
            "hostIPs": [{"ip": "192.168.1.10"}, {"ip": "fd00::10"}],
            "podIP": "10.244.1.7",
            "podIPs": [{"ip": "10.244.1.7"}, {"ip": "fd00:10:244:1::7"}],
            "startTime": "2024-05-01T10:00:01Z",
            "initContainerStatuses": [
                {
                    "name": "migrate",
                    "state": {"terminated": {
                        "exitCode": 0,
                        "reason": "Completed",
                        "startedAt": "2024-05-01T10:00:04Z",
                        "finishedAt": "2024-05-01T10:00:08Z",
                        "containerID": "containerd://aaa111"
                    }},
                    "ready": true,
                    "restartCount": 0,
                    "image": "registry.example.com/shop/migrate:1.4",
                    "imageID": "registry.example.com/shop/migrate@sha256:1111",
                    "containerID": "containerd://aaa111",
                    "started": false
                },
                {
                    "name": "log-shipper",
                    "state": {"running": {"startedAt": "2024-05-01T10:00:09Z"}},
                    "ready": true,
                    "restartCount": 0,
                    "image": "docker.io/fluent/fluent-bit:3.0",
                    "imageID": "docker.io/fluent/fluent-bit@sha256:2222",
                    "containerID": "containerd://bbb222",
                    "started": true
                }
            ],
            "containerStatuses": [
                {
                    "name": "web",
                    "state": {"running": {"startedAt": "2024-05-01T10:03:00Z"}},
                    "lastState": {"terminated": {
                        "exitCode": 137,
                        "signal": 9,
                        "reason": "OOMKilled",
                        "message": "memory limit reached",
                        "startedAt": "2024-05-01T10:00:10Z",
                        "finishedAt": "2024-05-01T10:02:59Z",
                        "containerID": "containerd://ccc333"
                    }},
                    "ready": true,
                    "restartCount": 1,
                    "image": "docker.io/library/nginx:1.27",
                    "imageID": "docker.io/library/nginx@sha256:3333",
                    "containerID": "containerd://ddd444",
                    "started": true,
                    "allocatedResources": {"cpu": "250m", "memory": "256Mi"},
                    "resources": {
                        "limits": {"cpu": "1", "memory": "512Mi"},
                        "requests": {"cpu": "250m", "memory": "256Mi"}
                    },
                    "volumeMounts": [
                        {"name": "config", "mountPath": "/etc/nginx/nginx.conf", "readOnly": true, "recursiveReadOnly": "Disabled"},
                        {"name": "logs", "mountPath": "/var/log/nginx"}
                    ],
                    "user": {"linux": {"uid": 101, "gid": 101, "supplementalGroups": [101, 4000]}}
                },
                {
                    "name": "api",
                    "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container"}},
                    "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}},
                    "ready": false,
                    "restartCount": 7,
                    "image": "registry.example.com/shop/api@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                    "imageID": "registry.example.com/shop/api@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                    "containerID": "containerd://eee555",
                    "started": false
                }
            ],
            "qosClass": "Burstable",
            "ephemeralContainerStatuses": [{
                "name": "debugger",
                "state": {"running": {"startedAt": "2024-05-01T10:06:00Z"}},
                "lastState": {},
                "ready": false,
                "restartCount": 0,
                "image": "docker.io/library/busybox:1.36",
                "imageID": "docker.io/library/busybox@sha256:4444",
                "containerID": "containerd://fff666"
            }],
            "resourceClaimStatuses": [{"name": "gpu", "resourceClaimName": "web-7d9f8b-x2x7q-gpu-4k2mn"}]
        }
    }"#;

    #[test]
    fn web_pod_round_trips_without_unknown_fields() {
        let pod = round_trip::<Pod>(&web_pod());

        // The types behind the JSON are the expected ones.
        let spec = pod.spec.as_ref().unwrap();
        assert_eq!(spec.host_pid, Some(false));
        assert_eq!(spec.set_hostname_as_fqdn, Some(true));
        assert_eq!(spec.volumes.len(), 11);
        let web = &spec.containers[0];
        let live = web.liveness_probe.as_ref().unwrap().http_get.as_ref().unwrap();
        assert_eq!(live.port, IntOrString::String("http".into()));
        let ready = web.readiness_probe.as_ref().unwrap().tcp_socket.as_ref().unwrap();
        assert_eq!(ready.port, IntOrString::Int(8080));
        assert_eq!(web.ports[1].host_ip.as_deref(), Some("0.0.0.0"));
        let status = pod.status.as_ref().unwrap();
        assert_eq!(status.pod_ips[1].ip, "fd00:10:244:1::7");
        let api = &status.container_statuses[1];
        assert_eq!(api.restart_count, 7);
        assert_eq!(api.last_state.as_ref().unwrap().terminated.as_ref().unwrap().exit_code, 1);
        assert!(
            status.ephemeral_container_statuses[0].last_state.as_ref().unwrap().waiting.is_none()
        );
    }

    #[test]
    fn web_pod_matches_k8s_openapi() {
        round_trip_with_oracle::<Pod, k8s_openapi::api::core::v1::Pod>(&web_pod());
    }

    #[test]
    fn type_fields_are_written_first() {
        let pod: Pod = serde_json::from_value(web_pod()).unwrap();
        let json = serde_json::to_string(&pod).unwrap();
        assert!(json.starts_with(r#"{"apiVersion":"v1","kind":"Pod","metadata":{"#), "{json}");
    }

    #[test]
    fn minimal_pod_has_exact_json() {
        let pod = Pod {
            metadata: ObjectMeta::named("hello").in_namespace("default"),
            spec: Some(PodSpec {
                containers: vec![Container {
                    name: "hello".into(),
                    image: Some("busybox:1.36".into()),
                    ..Container::default()
                }],
                ..PodSpec::default()
            }),
            status: None,
        };
        let json = serde_json::to_string(&pod).unwrap();
        assert_eq!(
            json,
            r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"hello","namespace":"default"},"spec":{"containers":[{"name":"hello","image":"busybox:1.36"}]}}"#
        );
        assert_eq!(serde_json::from_str::<Pod>(&json).unwrap(), pod);
    }

    #[test]
    fn empty_fields_are_omitted_but_containers_is_always_written() {
        let spec = PodSpec::default();
        assert_eq!(serde_json::to_value(&spec).unwrap(), json!({"containers": []}));
        let status = PodStatus::default();
        assert_eq!(serde_json::to_value(&status).unwrap(), json!({}));
        let pod = Pod::default();
        assert_eq!(
            serde_json::to_string(&pod).unwrap(),
            r#"{"apiVersion":"v1","kind":"Pod","metadata":{}}"#
        );
        // Nested parts that are present but empty stay, as in Kubernetes.
        let sc = PodSecurityContext::default();
        let spec = PodSpec { security_context: Some(sc), ..PodSpec::default() };
        assert_eq!(
            serde_json::to_value(&spec).unwrap(),
            json!({"containers": [], "securityContext": {}})
        );
    }

    #[test]
    fn pod_template_round_trips() {
        let doc = json!({
            "apiVersion": "v1",
            "kind": "PodTemplate",
            "metadata": {"name": "worker", "namespace": "batch"},
            "template": {
                "metadata": {"labels": {"app": "worker"}},
                "spec": {
                    "containers": [{"name": "worker", "image": "worker:2", "args": ["--queue", "jobs"]}],
                    "restartPolicy": "OnFailure"
                }
            }
        });
        let tpl = round_trip::<PodTemplate>(&doc);
        let spec = tpl.template.unwrap().spec.unwrap();
        assert_eq!(spec.containers[0].args, ["--queue", "jobs"]);
    }

    #[test]
    fn api_resources() {
        let pod = Pod::API_RESOURCE;
        assert_eq!((pod.api_version.as_ref(), pod.kind.as_ref()), ("v1", "Pod"));
        assert_eq!(pod.plural, "pods");
        assert_eq!(pod.short_names.as_ref(), ["po"]);
        assert_eq!(pod.categories.as_ref(), ["all"]);
        assert!(pod.namespaced());
        let tpl = PodTemplate::API_RESOURCE;
        assert_eq!((tpl.kind.as_ref(), tpl.plural.as_ref()), ("PodTemplate", "podtemplates"));
        assert!(tpl.short_names.is_empty());
    }

    #[test]
    fn schema_is_structural_and_documented() {
        let schema = crate::schema::structural_schema_for::<Pod>();
        // Problems inside ObjectMeta's managedFields belong to the meta
        // module; everything of the pod's own must be structural.
        let problems = crate::schema::check_structural(&schema).err().unwrap_or_default();
        let own: Vec<_> = problems.iter().filter(|p| !p.contains("[managedFields]")).collect();
        assert!(own.is_empty(), "{own:?}");
        let spec = &schema["properties"]["spec"]["properties"];
        let image = &spec["containers"]["items"]["properties"]["image"];
        assert_eq!(image["type"], "string");
        assert!(image["description"].as_str().is_some_and(|d| !d.is_empty()));
        let port = &spec["containers"]["items"]["properties"]["livenessProbe"]["properties"]["httpGet"]
            ["properties"]["port"];
        assert_eq!(port["x-kubernetes-int-or-string"], true);
        assert!(spec["hostPID"].is_object());
    }

    #[test]
    fn unknown_fields_are_reported_by_path() {
        let doc = json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "imagePullPolcy": "Always"}]}
        });
        let bytes = serde_json::to_vec(&doc).unwrap();
        let (_, unknown) = codec::from_json_strict::<Pod>(&bytes).unwrap();
        assert_eq!(unknown, ["spec.containers[0].imagePullPolcy"]);
    }

    #[test]
    fn grouping_eviction_and_dra_status_fields_match_k8s_openapi() {
        let doc = json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "trainer-0", "namespace": "ml"},
            "spec": {
                "containers": [{"name": "trainer", "image": "trainer:3.1"}],
                "evictionResponders": [{"name": "acme.io/checkpointer", "priority": 10000}],
                "hostnameOverride": "trainer-0.ml",
                "schedulingGroup": {"podGroupName": "trainer-gang"},
                "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]
            },
            "status": {
                "allocatedResources": {"cpu": "4", "memory": "16Gi"},
                "extendedResourceClaimStatus": {
                    "requestMappings": [{"containerName": "trainer", "requestName": "container-0-request-0", "resourceName": "example.com/gpu"}],
                    "resourceClaimName": "trainer-0-extended-resources-x7k2p"
                },
                "nodeAllocatableResourceClaimStatuses": [{
                    "containers": ["trainer"],
                    "mapping": [{"name": "cpu", "quantity": "2"}],
                    "overhead": [{"name": "memory", "perContainer": "64Mi", "perPod": "128Mi"}],
                    "resourceClaimName": "numa-cpus"
                }],
                "phase": "Running",
                "resize": "InProgress",
                "resources": {"limits": {"memory": "16Gi"}, "requests": {"cpu": "4"}},
                "volumeHealth": [{
                    "healthConditions": [{"message": "2 of 3 replicas", "reason": "VolumeDegraded", "status": "True"}],
                    "lastTransitionTime": "2026-09-01T10:00:00Z",
                    "name": "data"
                }]
            }
        });
        let pod = round_trip_with_oracle::<Pod, k8s_openapi::api::core::v1::Pod>(&doc);
        let spec = pod.spec.unwrap();
        assert_eq!(spec.eviction_responders[0].priority, 10000);
        assert_eq!(spec.scheduling_group.unwrap().pod_group_name.as_deref(), Some("trainer-gang"));
        assert_eq!(spec.hostname_override.as_deref(), Some("trainer-0.ml"));
        let status = pod.status.unwrap();
        assert_eq!(status.allocated_resources["memory"].as_str(), "16Gi");
        let overhead = &status.node_allocatable_resource_claim_statuses[0].overhead[0];
        assert_eq!(overhead.per_pod.as_ref().unwrap().as_str(), "128Mi");
        assert_eq!(status.volume_health[0].health_conditions[0].reason, "VolumeDegraded");
        let mapping = &status.extended_resource_claim_status.unwrap().request_mappings[0];
        assert_eq!(mapping.resource_name, "example.com/gpu");
    }
}
