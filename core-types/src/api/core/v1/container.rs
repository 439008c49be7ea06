//! Containers of core/v1: what runs in a pod, how it is configured, probed
//! and secured, and how its state is reported.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::intstr::IntOrString;
use crate::quantity::Quantity;

/// One container of a pod: an image to run, with its command, environment,
/// resources, mounts, probes and security settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    /// Name of the container, unique in the pod (a DNS label).
    pub name: String,
    /// Image to run; controllers may leave it out in templates that set it
    /// later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Replaces the image's entrypoint; `$(VAR)` references are expanded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    /// Replaces the image's default arguments; `$(VAR)` references are
    /// expanded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Directory the process starts in; the image's default when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    /// Ports the container listens on; informational, except for host ports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<ContainerPort>,
    /// Whole config maps or secrets whose keys become environment variables.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env_from: Vec<EnvFromSource>,
    /// Environment variables, which win over those from `envFrom`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<EnvVar>,
    /// CPU, memory and other resources the container asks for and may use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
    /// Whether changing each resource in place needs a container restart.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resize_policy: Vec<ContainerResizePolicy>,
    /// Overrides the pod's restart policy for this container. On an init
    /// container, `Always` makes it a sidecar that keeps running beside the
    /// main containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<String>,
    /// Rules checked in order when the container exits; the first match
    /// decides, and `restartPolicy` applies when none does (which must then
    /// be set explicitly).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub restart_policy_rules: Vec<ContainerRestartRule>,
    /// Pod volumes mounted into the container's filesystem.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volume_mounts: Vec<VolumeMount>,
    /// Block-device volumes exposed to the container as devices.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volume_devices: Vec<VolumeDevice>,
    /// A check that restarts the container when it fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness_probe: Option<Probe>,
    /// A check that takes the pod out of service endpoints when it fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness_probe: Option<Probe>,
    /// A check that must pass once before the other probes start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup_probe: Option<Probe>,
    /// Actions run right after the container starts and before it stops.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<Lifecycle>,
    /// File in the container whose content becomes the termination message;
    /// `/dev/termination-log` by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_message_path: Option<String>,
    /// `File`, or `FallbackToLogsOnError` to use the end of the log when the
    /// file is empty and the container failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_message_policy: Option<String>,
    /// `Always`, `Never` or `IfNotPresent`: when the image is pulled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_policy: Option<String>,
    /// Privileges and identity of the container's processes; overrides the
    /// pod's security context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<SecurityContext>,
    /// Keep a stdin buffer open for the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdin: Option<bool>,
    /// Close stdin after the first client that attached to it detaches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdin_once: Option<bool>,
    /// Give the container a terminal; needs `stdin` as well.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tty: Option<bool>,
}

/// A temporary container added to a running pod for debugging, through the
/// `pods/ephemeralcontainers` subresource. It has the fields of a
/// [`Container`], but ports, probes, lifecycle and resources are refused.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EphemeralContainer {
    /// Name of the container, unique among all containers of the pod.
    pub name: String,
    /// Image to run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Replaces the image's entrypoint.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    /// Replaces the image's default arguments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Directory the process starts in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    /// Not allowed for ephemeral containers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<ContainerPort>,
    /// Whole config maps or secrets whose keys become environment variables.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env_from: Vec<EnvFromSource>,
    /// Environment variables.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<EnvVar>,
    /// Not allowed for ephemeral containers: they use what the pod has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
    /// Not allowed for ephemeral containers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resize_policy: Vec<ContainerResizePolicy>,
    /// Not allowed for ephemeral containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<String>,
    /// Not allowed for ephemeral containers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub restart_policy_rules: Vec<ContainerRestartRule>,
    /// Pod volumes mounted into the container (no `subPath`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volume_mounts: Vec<VolumeMount>,
    /// Block-device volumes exposed to the container as devices.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volume_devices: Vec<VolumeDevice>,
    /// Not allowed for ephemeral containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness_probe: Option<Probe>,
    /// Not allowed for ephemeral containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness_probe: Option<Probe>,
    /// Not allowed for ephemeral containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup_probe: Option<Probe>,
    /// Not allowed for ephemeral containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<Lifecycle>,
    /// File whose content becomes the termination message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_message_path: Option<String>,
    /// `File` or `FallbackToLogsOnError`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_message_policy: Option<String>,
    /// `Always`, `Never` or `IfNotPresent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_policy: Option<String>,
    /// Privileges and identity of the container's processes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<SecurityContext>,
    /// Keep a stdin buffer open for the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdin: Option<bool>,
    /// Close stdin after the first attached client detaches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdin_once: Option<bool>,
    /// Give the container a terminal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tty: Option<bool>,
    /// Name of a container of the pod whose process namespace this one
    /// joins, so that a debugger can see its processes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_container_name: Option<String>,
}

/// A network port of a container.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContainerPort {
    /// A name for the port (an IANA service name), which services can refer
    /// to instead of the number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Port on the node forwarded to this one; rarely needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_port: Option<i32>,
    /// Port number the container listens on (1-65535).
    pub container_port: i32,
    /// `TCP` (the default), `UDP` or `SCTP`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// Node address the host port binds to.
    #[serde(default, rename = "hostIP", skip_serializing_if = "Option::is_none")]
    pub host_ip: Option<String>,
}

/// One environment variable of a container.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnvVar {
    /// Name of the variable.
    pub name: String,
    /// A literal value; `$(VAR)` references to earlier variables are
    /// expanded, `$$(VAR)` escapes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Where to read the value from instead of `value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_from: Option<EnvVarSource>,
}

/// Where an environment variable's value comes from; exactly one field is
/// set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnvVarSource {
    /// A field of the pod, such as `metadata.name` or `status.podIP`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_ref: Option<ObjectFieldSelector>,
    /// A resource limit or request of a container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_field_ref: Option<ResourceFieldSelector>,
    /// A key of a config map in the pod's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map_key_ref: Option<ConfigMapKeySelector>,
    /// A key of a secret in the pod's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_key_ref: Option<SecretKeySelector>,
    /// A key of an env-format file (`KEY=value` lines) in one of the pod's
    /// volumes, typically written there by an init container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_key_ref: Option<FileKeySelector>,
}

/// Selects one key of an env-format file in a volume of the pod.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileKeySelector {
    /// Name of the pod volume that holds the file.
    pub volume_name: String,
    /// Relative path of the file in the volume; may not contain `..`.
    pub path: String,
    /// The key to read; a key that is not valid keeps the pod from starting.
    pub key: String,
    /// When true, a missing key leaves the variable unset instead of
    /// failing pod creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
}

/// Selects a field of the pod object by path.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObjectFieldSelector {
    /// Version of the schema the path is written against; `v1` by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Path of the field, such as `metadata.labels['app']`.
    pub field_path: String,
}

/// Selects a resource limit or request of a container.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceFieldSelector {
    /// The container to read; required in volumes, the current one for
    /// environment variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_name: Option<String>,
    /// What to read, such as `limits.cpu` or `requests.memory`.
    pub resource: String,
    /// The unit the value is divided by (`1m`, `1Mi`); 1 by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub divisor: Option<Quantity>,
}

/// Selects one key of a config map.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigMapKeySelector {
    /// Name of the config map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The key to read.
    pub key: String,
    /// When true, a missing config map or key is not an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
}

/// Selects one key of a secret.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretKeySelector {
    /// Name of the secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The key to read.
    pub key: String,
    /// When true, a missing secret or key is not an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
}

/// A config map or secret whose keys all become environment variables.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnvFromSource {
    /// Prepended to every variable name taken from the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// The config map to read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map_ref: Option<ConfigMapEnvSource>,
    /// The secret to read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<SecretEnvSource>,
}

/// A config map whose keys become environment variables.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigMapEnvSource {
    /// Name of the config map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// When true, a missing config map is not an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
}

/// A secret whose keys become environment variables.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretEnvSource {
    /// Name of the secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// When true, a missing secret is not an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
}

/// The compute resources a container (or pod) asks for and may use.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRequirements {
    /// The most of each resource that may be used (`cpu`, `memory`, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub limits: BTreeMap<String, Quantity>,
    /// The amount of each resource reserved for scheduling; defaults to the
    /// limit when only the limit is given.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub requests: BTreeMap<String, Quantity>,
    /// Dynamically allocated resource claims of the pod that this container
    /// uses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<ResourceClaim>,
}

/// Names one of the pod's resource claims used by a container.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceClaim {
    /// Name of an entry in the pod's `resourceClaims`.
    pub name: String,
    /// Only this request of the claim, when set; otherwise the whole claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
}

/// How a container reacts when one of its resources is resized in place.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContainerResizePolicy {
    /// The resource (`cpu` or `memory`).
    pub resource_name: String,
    /// `NotRequired` or `RestartContainer`.
    pub restart_policy: String,
}

/// One rule of a container's `restartPolicyRules`: what to do when the
/// container exits in a way that matches.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContainerRestartRule {
    /// What to do on a match; `Restart` is the only action.
    pub action: String,
    /// Matches on the container's exit code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_codes: Option<ContainerRestartRuleOnExitCodes>,
}

/// A match of a [`ContainerRestartRule`] on the container's exit code.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContainerRestartRuleOnExitCodes {
    /// `In` (the exit code is one of `values`) or `NotIn`.
    pub operator: String,
    /// The exit codes to compare with (at most 255).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<i32>,
}

/// A pod volume mounted at a path in a container.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VolumeMount {
    /// Name of the pod volume.
    pub name: String,
    /// Mount read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// `Disabled`, `IfPossible` or `Enabled`: whether a read-only mount is
    /// also read-only in its submounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recursive_read_only: Option<String>,
    /// Where the volume appears in the container; must not contain `:`.
    pub mount_path: String,
    /// A path inside the volume to mount instead of its root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_path: Option<String>,
    /// `None`, `HostToContainer` or `Bidirectional`: how mounts propagate
    /// between host and container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mount_propagation: Option<String>,
    /// Like `subPath`, with `$(VAR)` references to the container's
    /// environment expanded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_path_expr: Option<String>,
    /// Extra Linux options for the bind mount into the container: any of
    /// `noexec`, `nodev` and `nosuid` (not for image volumes; ignored on
    /// Windows).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bind_mount_options: Vec<String>,
}

/// A raw block volume exposed as a device in a container.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VolumeDevice {
    /// Name of a persistent volume claim of the pod.
    pub name: String,
    /// Path of the device inside the container.
    pub device_path: String,
}

/// A periodic health check of a container; exactly one of `exec`,
/// `httpGet`, `tcpSocket` and `grpc` is set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Probe {
    /// Run a command in the container; exit status 0 is success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<ExecAction>,
    /// Send an HTTP GET; a 2xx or 3xx status is success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_get: Option<HTTPGetAction>,
    /// Open a TCP connection; connecting is success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp_socket: Option<TCPSocketAction>,
    /// Call the gRPC health checking service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grpc: Option<GRPCAction>,
    /// Seconds after the container starts before the first check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_delay_seconds: Option<i32>,
    /// Seconds before a check counts as failed; 1 by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<i32>,
    /// Seconds between checks; 10 by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_seconds: Option<i32>,
    /// Successes in a row needed after a failure; 1 by default and for
    /// liveness and startup probes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_threshold: Option<i32>,
    /// Failures in a row before the probe gives up; 3 by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_threshold: Option<i32>,
    /// Grace period when a failed probe kills the container; overrides the
    /// pod's value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_grace_period_seconds: Option<i64>,
}

/// Runs a command inside the container (not in a shell).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExecAction {
    /// The command and its arguments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
}

/// An HTTP GET request made by the kubelet.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HTTPGetAction {
    /// The request path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Port number or named container port.
    pub port: IntOrString,
    /// Host to connect to; the pod IP by default (set `Host` in
    /// `httpHeaders` for virtual hosting instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// `HTTP` (the default) or `HTTPS`; certificates are not verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    /// Extra request headers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub http_headers: Vec<HTTPHeader>,
    /// The HTTP version to speak on the connection; HTTP/1.1 when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
}

/// One header of an [`HTTPGetAction`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HTTPHeader {
    /// Header name.
    pub name: String,
    /// Header value.
    pub value: String,
}

/// Opens a TCP connection.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TCPSocketAction {
    /// Port number or named container port.
    pub port: IntOrString,
    /// Host to connect to; the pod IP by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

/// Calls the standard gRPC health check.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GRPCAction {
    /// Port number of the gRPC server.
    pub port: i32,
    /// Service name sent in the health check request; empty means the
    /// server as a whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// How to connect: `Plaintext` (also when unset) or `TLS`, which does
    /// not check the server's certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
}

/// Waits for a number of seconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SleepAction {
    /// How long to sleep.
    pub seconds: i64,
}

/// Actions the kubelet runs at points of a container's life.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Lifecycle {
    /// Run right after the container is created; a failure kills it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_start: Option<LifecycleHandler>,
    /// Run before the container is stopped; the grace period keeps running
    /// meanwhile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_stop: Option<LifecycleHandler>,
    /// The signal that stops the container (`SIGTERM`, `SIGUSR1`, ...)
    /// instead of the image's or runtime's default; needs `spec.os.name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_signal: Option<String>,
}

/// One lifecycle action; exactly one field is set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleHandler {
    /// Run a command in the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<ExecAction>,
    /// Send an HTTP GET.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_get: Option<HTTPGetAction>,
    /// Open a TCP connection (kept for compatibility; not run as a hook).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp_socket: Option<TCPSocketAction>,
    /// Wait before going on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sleep: Option<SleepAction>,
}

/// Privileges and identity of one container; fields set here win over the
/// pod's [`PodSecurityContext`](super::PodSecurityContext).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecurityContext {
    /// Linux capabilities to add to or drop from the runtime's default set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Capabilities>,
    /// Run as privileged: nearly root on the host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privileged: Option<bool>,
    /// SELinux label of the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub se_linux_options: Option<SELinuxOptions>,
    /// Windows-specific settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub windows_options: Option<WindowsSecurityContextOptions>,
    /// UID the entrypoint runs as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_user: Option<i64>,
    /// GID the entrypoint runs as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_group: Option<i64>,
    /// Refuse to start the container if it would run as UID 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_non_root: Option<bool>,
    /// Mount the container's root filesystem read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only_root_filesystem: Option<bool>,
    /// Whether a process may gain more privileges than its parent
    /// (`no_new_privs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_privilege_escalation: Option<bool>,
    /// `Default` or `Unmasked`: how `/proc` is masked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proc_mount: Option<String>,
    /// Seccomp filter of the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seccomp_profile: Option<SeccompProfile>,
    /// AppArmor profile of the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_armor_profile: Option<AppArmorProfile>,
}

/// Linux capabilities to add and drop.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Capabilities {
    /// Capabilities to add (`NET_ADMIN`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add: Vec<String>,
    /// Capabilities to drop (`ALL`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drop: Vec<String>,
}

/// A seccomp profile.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeccompProfile {
    /// `RuntimeDefault`, `Unconfined` or `Localhost`.
    #[serde(rename = "type")]
    pub type_: String,
    /// For `Localhost`: the profile's path under the kubelet's seccomp
    /// directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub localhost_profile: Option<String>,
}

/// An AppArmor profile.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppArmorProfile {
    /// `RuntimeDefault`, `Unconfined` or `Localhost`.
    #[serde(rename = "type")]
    pub type_: String,
    /// For `Localhost`: the name of a profile loaded on the node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub localhost_profile: Option<String>,
}

/// An SELinux label.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SELinuxOptions {
    /// The SELinux user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The SELinux role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The SELinux type.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// The SELinux level (MLS/MCS range).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
}

/// Settings that apply only to Windows containers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WindowsSecurityContextOptions {
    /// Name of the GMSA credential spec resource to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gmsa_credential_spec_name: Option<String>,
    /// The GMSA credential spec itself, inlined by the admission webhook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gmsa_credential_spec: Option<String>,
    /// Windows user name the entrypoint runs as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_user_name: Option<String>,
    /// Run as a host process container, with access to the node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_process: Option<bool>,
}

/// A namespaced kernel parameter to set for the pod.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Sysctl {
    /// Name of the parameter (`net.ipv4.ip_local_port_range`).
    pub name: String,
    /// Value to set.
    pub value: String,
}

#[cfg(test)]
mod tests {
    use crate::api::core::v1::{ContainerStateTerminated, ContainerStatus, ResourceHealth};
    use serde_json::json;

    use super::*;
    use crate::test_support::{round_trip, round_trip_with_oracle};

    #[test]
    fn a_bare_container_writes_only_its_name() {
        let c = Container { name: "app".into(), ..Container::default() };
        assert_eq!(serde_json::to_string(&c).unwrap(), r#"{"name":"app"}"#);
        let e = EphemeralContainer { name: "dbg".into(), ..EphemeralContainer::default() };
        assert_eq!(serde_json::to_string(&e).unwrap(), r#"{"name":"dbg"}"#);
    }

    #[test]
    fn probe_ports_keep_names_and_numbers() {
        let probe: Probe = serde_json::from_value(json!({
            "httpGet": {"path": "/", "port": "http"},
            "tcpSocket": {"port": 5432},
            "grpc": {"port": 9000}
        }))
        .unwrap();
        assert_eq!(probe.http_get.as_ref().unwrap().port, IntOrString::String("http".into()));
        assert_eq!(probe.tcp_socket.as_ref().unwrap().port, IntOrString::Int(5432));
        assert_eq!(probe.grpc.as_ref().unwrap().service, None);
        assert_eq!(
            serde_json::to_string(&probe).unwrap(),
            r#"{"httpGet":{"path":"/","port":"http"},"tcpSocket":{"port":5432},"grpc":{"port":9000}}"#
        );
    }

    #[test]
    fn acronym_fields_use_kubernetes_spelling() {
        let port = ContainerPort {
            container_port: 80,
            host_ip: Some("127.0.0.1".into()),
            ..ContainerPort::default()
        };
        assert_eq!(
            serde_json::to_string(&port).unwrap(),
            r#"{"containerPort":80,"hostIP":"127.0.0.1"}"#
        );
        let terminated = ContainerStateTerminated {
            exit_code: 2,
            container_id: Some("containerd://1".into()),
            ..ContainerStateTerminated::default()
        };
        assert_eq!(
            serde_json::to_string(&terminated).unwrap(),
            r#"{"exitCode":2,"containerID":"containerd://1"}"#
        );
    }

    #[test]
    fn container_status_always_writes_its_required_fields() {
        let status = ContainerStatus { name: "app".into(), ..ContainerStatus::default() };
        assert_eq!(
            serde_json::to_string(&status).unwrap(),
            r#"{"name":"app","ready":false,"restartCount":0,"image":"","imageID":""}"#
        );
        // They are required on input too.
        let missing = serde_json::from_value::<ContainerStatus>(json!({"name": "app"}));
        assert!(missing.is_err());
    }

    #[test]
    fn env_sources_round_trip() {
        let doc = json!([
            {"name": "A", "value": "1"},
            {"name": "B", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}},
            {"name": "C", "valueFrom": {"resourceFieldRef": {"resource": "requests.cpu", "divisor": "1m"}}},
            {"name": "D", "valueFrom": {"configMapKeyRef": {"name": "cm", "key": "k"}}},
            {"name": "E", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k", "optional": true}}}
        ]);
        let env: Vec<EnvVar> = round_trip(&doc);
        let c = env[2].value_from.as_ref().unwrap().resource_field_ref.as_ref().unwrap();
        assert_eq!(c.divisor.as_ref().unwrap().as_str(), "1m");
    }

    #[test]
    fn lifecycle_handlers_round_trip() {
        let doc = json!({
            "postStart": {"httpGet": {"port": 8080, "httpHeaders": [{"name": "X", "value": "y"}]}},
            "preStop": {"sleep": {"seconds": 10}}
        });
        let lifecycle: Lifecycle = round_trip(&doc);
        assert_eq!(lifecycle.pre_stop.as_ref().unwrap().sleep.as_ref().unwrap().seconds, 10);
    }

    #[test]
    fn security_context_round_trips() {
        let doc = json!({
            "capabilities": {"drop": ["ALL"]},
            "seLinuxOptions": {"type": "spc_t"},
            "windowsOptions": {"gmsaCredentialSpecName": "g", "hostProcess": true},
            "runAsUser": 0,
            "procMount": "Unmasked",
            "seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"},
            "appArmorProfile": {"type": "Unconfined"}
        });
        let sc: SecurityContext = round_trip(&doc);
        assert_eq!(sc.se_linux_options.as_ref().unwrap().type_.as_deref(), Some("spc_t"));
        assert_eq!(sc.run_as_user, Some(0));
    }

    #[test]
    fn restart_rules_file_env_and_probe_options_match_k8s_openapi() {
        let doc = json!({
            "name": "trainer",
            "image": "registry.example.com/trainer:3.1",
            "env": [{"name": "TOKEN", "valueFrom": {"fileKeyRef": {
                "key": "TOKEN", "optional": false, "path": "env/creds.env", "volumeName": "config"
            }}}],
            "restartPolicy": "Never",
            "restartPolicyRules": [{"action": "Restart", "exitCodes": {"operator": "In", "values": [42, 43]}}],
            "volumeMounts": [{"bindMountOptions": ["noexec", "nosuid"], "mountPath": "/config", "name": "config"}],
            "livenessProbe": {"grpc": {"mode": "TLS", "port": 9443}},
            "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080, "protocol": "HTTP2"}},
            "lifecycle": {"preStop": {"sleep": {"seconds": 5}}, "stopSignal": "SIGUSR1"}
        });
        let c = round_trip_with_oracle::<Container, k8s_openapi::api::core::v1::Container>(&doc);
        let from = c.env[0].value_from.as_ref().unwrap().file_key_ref.as_ref().unwrap();
        assert_eq!((from.volume_name.as_str(), from.path.as_str()), ("config", "env/creds.env"));
        assert_eq!(c.restart_policy_rules[0].exit_codes.as_ref().unwrap().values, [42, 43]);
        assert_eq!(c.volume_mounts[0].bind_mount_options, ["noexec", "nosuid"]);
        assert_eq!(c.liveness_probe.unwrap().grpc.unwrap().mode.as_deref(), Some("TLS"));
        assert_eq!(c.lifecycle.unwrap().stop_signal.as_deref(), Some("SIGUSR1"));
        // An exit-code match without values writes no `values`.
        let rule = ContainerRestartRuleOnExitCodes { operator: "NotIn".into(), values: vec![] };
        assert_eq!(serde_json::to_string(&rule).unwrap(), r#"{"operator":"NotIn"}"#);

        let e = round_trip_with_oracle::<
            EphemeralContainer,
            k8s_openapi::api::core::v1::EphemeralContainer,
        >(&json!({"name": "dbg", "restartPolicyRules": [{"action": "Restart"}]}));
        assert_eq!(e.restart_policy_rules[0].action, "Restart");
    }

    #[test]
    fn device_health_stop_signal_and_image_volume_status_match_k8s_openapi() {
        let doc = json!({
            "name": "trainer",
            "ready": true,
            "restartCount": 0,
            "image": "registry.example.com/trainer:3.1",
            "imageID": "registry.example.com/trainer@sha256:00ff",
            "allocatedResourcesStatus": [
                {"name": "claim:gpu/a100", "resources": [
                    {"health": "Unhealthy", "message": "XID 79", "resourceID": "gpu-3"}
                ]},
                {"name": "example.com/fpga", "resources": [{"resourceID": "fpga-0"}]}
            ],
            "stopSignal": "SIGTERM",
            "volumeMounts": [{"mountPath": "/models", "name": "weights", "readOnly": true,
                "volumeStatus": {"image": {"imageRef": "registry.example.com/weights@sha256:abcd"}}}]
        });
        let status = round_trip_with_oracle::<
            ContainerStatus,
            k8s_openapi::api::core::v1::ContainerStatus,
        >(&doc);
        let gpu = &status.allocated_resources_status[0].resources[0];
        assert_eq!((gpu.resource_id.as_str(), gpu.health.as_deref()), ("gpu-3", Some("Unhealthy")));
        assert_eq!(status.stop_signal.as_deref(), Some("SIGTERM"));
        let image = status.volume_mounts[0].volume_status.as_ref().unwrap().image.as_ref();
        assert_eq!(image.unwrap().image_ref, "registry.example.com/weights@sha256:abcd");
        // The device ID is required.
        assert!(serde_json::from_value::<ResourceHealth>(json!({"health": "Healthy"})).is_err());
    }
}
