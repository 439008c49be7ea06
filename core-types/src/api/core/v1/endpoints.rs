//! Endpoints: the addresses behind a service.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::meta::ObjectMeta;
use crate::resource::kind;

use super::ObjectReference;

kind! {
    group: "", version: "v1", plural: "endpoints", scope: Namespaced,
    short_names: ["ep"], categories: [];
    /// The network addresses and ports that implement a service, kept by the
    /// endpoints controller for services with a selector (superseded by
    /// EndpointSlice, still widely read).
    pub struct Endpoints {
        /// Standard object metadata; the name matches the service's.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// Groups of addresses that share the same set of ports.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub subsets: Vec<EndpointSubset>,
    }
}

/// Addresses that all expose the same ports: every address is reachable on
/// every port.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointSubset {
    /// Addresses ready to receive traffic.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<EndpointAddress>,
    /// Addresses that are not ready yet (or are failing readiness checks).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_ready_addresses: Vec<EndpointAddress>,
    /// The ports open on every address.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<EndpointPort>,
}

/// One address of an endpoint, usually a pod.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointAddress {
    /// The IP address.
    pub ip: String,
    /// The host name of the endpoint, for DNS of headless services.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// The node the endpoint runs on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_name: Option<String>,
    /// The object (usually a pod) that owns the address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_ref: Option<ObjectReference>,
}

/// One port of an endpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointPort {
    /// The name of the port, matching the service port's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The port number.
    pub port: i32,
    /// `TCP` (the default), `UDP` or `SCTP`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// The application protocol spoken on the port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_protocol: Option<String>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::resource::StaticResource;
    use crate::test_support::round_trip;

    #[test]
    fn endpoints_manifest_round_trips() {
        let manifest = json!({
            "apiVersion": "v1",
            "kind": "Endpoints",
            "metadata": {
                "name": "web",
                "namespace": "default",
                "uid": "1c3f0a52-7a89-4b0e-9f54-0c6a1e2b3d4f",
                "resourceVersion": "2201",
                "creationTimestamp": "2024-05-01T12:00:00Z",
                "labels": {"app": "web"},
                "annotations": {
                    "endpoints.kubernetes.io/last-change-trigger-time": "2024-05-01T12:00:05Z"
                }
            },
            "subsets": [{
                "addresses": [{
                    "ip": "10.244.1.12",
                    "nodeName": "worker-1",
                    "targetRef": {"kind": "Pod", "name": "web-7c9d8-abcde", "namespace": "default",
                                  "uid": "5e2d7f1a-2c3b-4d5e-8f9a-0b1c2d3e4f5a"}
                }],
                "notReadyAddresses": [{
                    "ip": "10.244.2.7",
                    "hostname": "web-1",
                    "nodeName": "worker-2",
                    "targetRef": {"kind": "Pod", "name": "web-1", "namespace": "default",
                                  "uid": "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d"}
                }],
                "ports": [
                    {"name": "http", "port": 8080, "protocol": "TCP"},
                    {"name": "grpc", "port": 9090, "protocol": "TCP", "appProtocol": "kubernetes.io/h2c"}
                ]
            }]
        });
        let ep: Endpoints = round_trip(&manifest);
        let subset = &ep.subsets[0];
        assert_eq!(subset.addresses[0].node_name.as_deref(), Some("worker-1"));
        assert_eq!(subset.not_ready_addresses[0].hostname.as_deref(), Some("web-1"));
        assert_eq!(subset.ports[1].port, 9090);
    }

    #[test]
    fn minimal_endpoints_is_exact() {
        let ep = Endpoints {
            metadata: ObjectMeta::named("web"),
            subsets: vec![EndpointSubset {
                addresses: vec![EndpointAddress { ip: "10.0.0.1".into(), ..Default::default() }],
                ports: vec![EndpointPort { port: 80, ..Default::default() }],
                ..Default::default()
            }],
        };
        assert_eq!(
            serde_json::to_string(&ep).unwrap(),
            r#"{"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"web"},"subsets":[{"addresses":[{"ip":"10.0.0.1"}],"ports":[{"port":80}]}]}"#
        );
        assert_eq!(Endpoints::API_RESOURCE.plural, "endpoints");
        assert_eq!(&*Endpoints::API_RESOURCE.short_names, ["ep"]);
    }
}
