//! `discovery.k8s.io` v1 kinds: [`EndpointSlice`], the scalable successor of
//! core/v1 `Endpoints`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::core::v1::ObjectReference;
use crate::meta::ObjectMeta;
use crate::resource::kind;

kind! {
    group: "discovery.k8s.io", version: "v1", plural: "endpointslices", scope: Namespaced,
    short_names: [], categories: [];
    /// A slice of the network endpoints behind a service; a service's
    /// endpoints are spread over as many slices as needed, each labelled
    /// `kubernetes.io/service-name`.
    pub struct EndpointSlice {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// The kind of address every endpoint in the slice carries: `IPv4`,
        /// `IPv6` or `FQDN`.
        #[serde(default)]
        pub address_type: String,
        /// The endpoints in this slice.
        #[serde(default)]
        pub endpoints: Vec<Endpoint>,
        /// The ports every endpoint in the slice exposes; empty means any port.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub ports: Vec<EndpointPort>,
    }
}

/// One backend of an [`EndpointSlice`]: usually a pod.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    /// The endpoint's addresses, of the slice's address type; consumers use
    /// the first one.
    #[serde(default)]
    pub addresses: Vec<String>,
    /// Whether the endpoint can take traffic right now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<EndpointConditions>,
    /// The endpoint's host name, used for DNS records of headless services.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// The object (usually a Pod) this endpoint stands for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_ref: Option<ObjectReference>,
    /// Old-style topology labels of the endpoint's node; superseded by
    /// `nodeName` and `zone`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub deprecated_topology: BTreeMap<String, String>,
    /// The node that hosts the endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_name: Option<String>,
    /// The zone the endpoint runs in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// Where the endpoint should preferably be used, for topology-aware
    /// routing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hints: Option<EndpointHints>,
}

/// The readiness of an [`Endpoint`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointConditions {
    /// Whether the endpoint is ready for traffic; unset means unknown,
    /// treated as ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready: Option<bool>,
    /// Whether the endpoint could serve traffic, regardless of whether it is
    /// shutting down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serving: Option<bool>,
    /// Whether the endpoint is shutting down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminating: Option<bool>,
}

/// Routing hints of an [`Endpoint`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointHints {
    /// The zones whose clients should use this endpoint.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub for_zones: Vec<ForZone>,
    /// The nodes whose clients should use this endpoint.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub for_nodes: Vec<ForNode>,
}

/// A zone named in [`EndpointHints`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ForZone {
    /// The zone's name.
    pub name: String,
}

/// A node named in [`EndpointHints`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ForNode {
    /// The node's name.
    pub name: String,
}

/// A port exposed by the endpoints of an [`EndpointSlice`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointPort {
    /// The port's name, matching the service port's name; may be empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `TCP`, `UDP` or `SCTP`; TCP when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// The port number; unset means every port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
    /// The application protocol spoken on the port (`http`, `kubernetes.io/h2c`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_protocol: Option<String>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::resource::{Scope, StaticResource};
    use crate::test_support::round_trip_with_oracle;

    #[test]
    fn endpoint_slice_round_trips() {
        let manifest = json!({
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {
                "name": "web-abc12",
                "namespace": "shop",
                "labels": {"kubernetes.io/service-name": "web"}
            },
            "addressType": "IPv4",
            "endpoints": [{
                "addresses": ["10.1.2.3"],
                "conditions": {"ready": true, "serving": true, "terminating": false},
                "hostname": "web-0",
                "targetRef": {"kind": "Pod", "namespace": "shop", "name": "web-0", "uid": "u-1"},
                "deprecatedTopology": {"topology.kubernetes.io/region": "eu"},
                "nodeName": "node-a",
                "zone": "eu-1a",
                "hints": {"forZones": [{"name": "eu-1a"}], "forNodes": [{"name": "node-a"}]}
            }, {
                "addresses": ["10.1.2.4"]
            }],
            "ports": [{"name": "http", "protocol": "TCP", "port": 8080, "appProtocol": "http"}]
        });
        let slice = round_trip_with_oracle::<
            EndpointSlice,
            k8s_openapi::api::discovery::v1::EndpointSlice,
        >(&manifest);
        assert_eq!(slice.endpoints[0].hints.as_ref().unwrap().for_nodes[0].name, "node-a");
    }

    #[test]
    fn empty_endpoints_are_always_written() {
        let slice = EndpointSlice { address_type: "IPv6".into(), ..EndpointSlice::default() };
        assert_eq!(
            serde_json::to_value(&slice).unwrap(),
            json!({
                "apiVersion": "discovery.k8s.io/v1",
                "kind": "EndpointSlice",
                "metadata": {},
                "addressType": "IPv6",
                "endpoints": []
            })
        );
    }

    #[test]
    fn endpoint_slice_api_resource() {
        let ar = EndpointSlice::API_RESOURCE;
        assert_eq!(ar.api_version, "discovery.k8s.io/v1");
        assert_eq!(ar.kind, "EndpointSlice");
        assert_eq!(ar.plural, "endpointslices");
        assert_eq!(ar.scope, Scope::Namespaced);
        assert!(ar.short_names.is_empty());
    }
}
