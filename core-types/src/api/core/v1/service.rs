//! Service, and the load-balancer status it shares with Ingress.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::intstr::IntOrString;
use crate::meta::{Condition, ObjectMeta};
use crate::resource::kind;

kind! {
    group: "", version: "v1", plural: "services", scope: Namespaced,
    short_names: ["svc"], categories: ["all"];
    /// A stable name and virtual address for a set of pods, with the ports
    /// traffic reaches them on.
    pub struct Service {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// How the service should route traffic.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub spec: Option<ServiceSpec>,
        /// What the cluster has set up for the service (load balancers).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status: Option<ServiceStatus>,
    }
}

/// The desired behaviour of a [`Service`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceSpec {
    /// The ports the service exposes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<ServicePort>,
    /// Labels of the pods that receive the traffic; when empty, endpoints
    /// are managed by hand.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub selector: BTreeMap<String, String>,
    /// The virtual IP of the service, `None` (the string) for a headless
    /// service, or empty to have one allocated.
    #[serde(default, rename = "clusterIP", skip_serializing_if = "Option::is_none")]
    pub cluster_ip: Option<String>,
    /// The virtual IPs of the service, one per IP family; the first equals
    /// `clusterIP`.
    #[serde(default, rename = "clusterIPs", skip_serializing_if = "Vec::is_empty")]
    pub cluster_ips: Vec<String>,
    /// `ClusterIP` (the default), `NodePort`, `LoadBalancer` or
    /// `ExternalName`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// Extra addresses, not managed by the cluster, on which nodes also
    /// accept traffic for the service.
    #[serde(default, rename = "externalIPs", skip_serializing_if = "Vec::is_empty")]
    pub external_ips: Vec<String>,
    /// `ClientIP` to send each client to the same pod, or `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_affinity: Option<String>,
    /// A specific address to ask the cloud load balancer for (deprecated;
    /// provider-specific annotations replace it).
    #[serde(default, rename = "loadBalancerIP", skip_serializing_if = "Option::is_none")]
    pub load_balancer_ip: Option<String>,
    /// Client CIDRs the cloud load balancer lets in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub load_balancer_source_ranges: Vec<String>,
    /// The DNS name an `ExternalName` service is an alias (CNAME) for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_name: Option<String>,
    /// `Cluster` to spread external traffic over all endpoints, or `Local`
    /// to keep it on the node it arrived at and preserve the client address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_traffic_policy: Option<String>,
    /// The node port load balancers probe to find nodes with local
    /// endpoints, when `externalTrafficPolicy` is `Local`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_check_node_port: Option<i32>,
    /// When true, DNS and endpoints include pods that are not ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish_not_ready_addresses: Option<bool>,
    /// Settings of the session affinity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_affinity_config: Option<SessionAffinityConfig>,
    /// The IP families (`IPv4`, `IPv6`) of the service's cluster IPs, in
    /// order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ip_families: Vec<String>,
    /// `SingleStack`, `PreferDualStack` or `RequireDualStack`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_family_policy: Option<String>,
    /// Whether a `LoadBalancer` service gets node ports allocated (true by
    /// default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocate_load_balancer_node_ports: Option<bool>,
    /// The load balancer implementation that should handle the service;
    /// unset means the cloud provider's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer_class: Option<String>,
    /// `Cluster` to route in-cluster traffic to all endpoints, or `Local` to
    /// keep it on the originating node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_traffic_policy: Option<String>,
    /// A hint for how traffic is spread over endpoints (`PreferClose`
    /// favours topologically close ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traffic_distribution: Option<String>,
}

/// One port a [`Service`] exposes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServicePort {
    /// Name of the port, required when there is more than one; endpoints
    /// refer to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `TCP` (the default), `UDP` or `SCTP`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// The application protocol spoken on the port (`http`, `kubernetes.io/h2c`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_protocol: Option<String>,
    /// The port the service listens on.
    pub port: i32,
    /// The port number or named container port on the pods that traffic is
    /// sent to; defaults to `port`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_port: Option<IntOrString>,
    /// The port opened on every node for `NodePort` and `LoadBalancer`
    /// services; allocated when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_port: Option<i32>,
}

/// Settings of a [`Service`]'s session affinity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionAffinityConfig {
    /// Settings of `ClientIP` affinity.
    #[serde(default, rename = "clientIP", skip_serializing_if = "Option::is_none")]
    pub client_ip: Option<ClientIPConfig>,
}

/// Settings of client-IP session affinity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClientIPConfig {
    /// How long a client sticks to one pod, in seconds (default 10800).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<i32>,
}

/// The observed state of a [`Service`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceStatus {
    /// The load balancer in front of the service, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer: Option<LoadBalancerStatus>,
    /// The latest observations of the service's state.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}

/// The state of a load balancer (of a Service or an Ingress).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoadBalancerStatus {
    /// The addresses at which the load balancer accepts traffic.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ingress: Vec<LoadBalancerIngress>,
}

/// One address of a load balancer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoadBalancerIngress {
    /// The IP address of the load balancer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// The DNS name of the load balancer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// `VIP` when traffic is delivered to nodes with the destination set to
    /// the load balancer's IP, `Proxy` when the load balancer rewrites it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_mode: Option<String>,
    /// The state of each port of the load balancer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<PortStatus>,
}

/// The state of one port of a load balancer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PortStatus {
    /// The port number.
    pub port: i32,
    /// `TCP`, `UDP` or `SCTP`.
    pub protocol: String,
    /// Why the port could not be set up, as a CamelCase reason; unset when
    /// it works.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::resource::StaticResource;
    use crate::test_support::round_trip;

    #[test]
    fn cluster_ip_service_round_trips() {
        let manifest = json!({
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": "web",
                "namespace": "default",
                "uid": "6f0c7a0e-2b1b-4d55-8f0a-3b3c1d8f2e11",
                "resourceVersion": "1042",
                "creationTimestamp": "2024-05-01T12:00:00Z",
                "labels": {"app": "web"}
            },
            "spec": {
                "clusterIP": "10.96.14.7",
                "clusterIPs": ["10.96.14.7"],
                "internalTrafficPolicy": "Cluster",
                "ipFamilies": ["IPv4"],
                "ipFamilyPolicy": "SingleStack",
                "ports": [
                    {"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080},
                    {"name": "grpc", "port": 9090, "protocol": "TCP", "targetPort": "grpc",
                     "appProtocol": "kubernetes.io/h2c"}
                ],
                "selector": {"app": "web"},
                "sessionAffinity": "ClientIP",
                "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 10800}},
                "trafficDistribution": "PreferClose",
                "type": "ClusterIP"
            },
            "status": {"loadBalancer": {}}
        });
        let svc: Service = round_trip(&manifest);
        let spec = svc.spec.unwrap();
        assert_eq!(spec.ports[0].target_port, Some(IntOrString::Int(8080)));
        assert_eq!(spec.ports[1].target_port, Some(IntOrString::String("grpc".into())));
        assert_eq!(spec.cluster_ip.as_deref(), Some("10.96.14.7"));
        assert_eq!(svc.status.unwrap().load_balancer, Some(LoadBalancerStatus::default()));
    }

    #[test]
    fn load_balancer_service_round_trips() {
        let manifest = json!({
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "edge", "namespace": "ingress"},
            "spec": {
                "allocateLoadBalancerNodePorts": true,
                "clusterIP": "10.96.0.50",
                "clusterIPs": ["10.96.0.50", "fd00:10:96::32"],
                "externalIPs": ["192.0.2.10"],
                "externalTrafficPolicy": "Local",
                "healthCheckNodePort": 31500,
                "ipFamilies": ["IPv4", "IPv6"],
                "ipFamilyPolicy": "PreferDualStack",
                "loadBalancerClass": "example.com/lb",
                "loadBalancerIP": "198.51.100.7",
                "loadBalancerSourceRanges": ["203.0.113.0/24"],
                "ports": [{"name": "https", "nodePort": 30443, "port": 443, "protocol": "TCP",
                           "targetPort": 8443}],
                "publishNotReadyAddresses": false,
                "selector": {"app": "edge"},
                "sessionAffinity": "None",
                "type": "LoadBalancer"
            },
            "status": {
                "conditions": [{
                    "type": "LoadBalancerReady",
                    "status": "True",
                    "observedGeneration": 3,
                    "lastTransitionTime": "2024-05-01T12:01:00Z",
                    "reason": "Provisioned",
                    "message": "load balancer is ready"
                }],
                "loadBalancer": {"ingress": [
                    {"ip": "198.51.100.7", "ipMode": "VIP",
                     "ports": [{"port": 443, "protocol": "TCP"}]},
                    {"hostname": "lb.example.com",
                     "ports": [{"port": 443, "protocol": "UDP", "error": "UnsupportedProtocol"}]}
                ]}
            }
        });
        let svc: Service = round_trip(&manifest);
        let status = svc.status.unwrap();
        let ingress = &status.load_balancer.unwrap().ingress;
        assert_eq!(ingress[1].ports[0].error.as_deref(), Some("UnsupportedProtocol"));
        assert_eq!(status.conditions[0].observed_generation, Some(3));
    }

    #[test]
    fn external_name_service_round_trips() {
        let manifest = json!({
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "db", "namespace": "default"},
            "spec": {"externalName": "db.example.com", "type": "ExternalName"}
        });
        let svc: Service = round_trip(&manifest);
        assert_eq!(svc.spec.unwrap().external_name.as_deref(), Some("db.example.com"));
    }

    #[test]
    fn minimal_service_is_exact() {
        let svc = Service {
            metadata: ObjectMeta::named("web"),
            spec: Some(ServiceSpec {
                ports: vec![ServicePort { port: 80, ..ServicePort::default() }],
                ..ServiceSpec::default()
            }),
            status: None,
        };
        assert_eq!(
            serde_json::to_string(&svc).unwrap(),
            r#"{"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},"spec":{"ports":[{"port":80}]}}"#
        );
    }

    #[test]
    fn api_resource_matches_kubernetes() {
        let ar = Service::API_RESOURCE;
        assert_eq!((&*ar.plural, &*ar.api_version), ("services", "v1"));
        assert_eq!(&*ar.short_names, ["svc"]);
        assert_eq!(&*ar.categories, ["all"]);
    }
}
