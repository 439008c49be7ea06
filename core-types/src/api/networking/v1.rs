//! `networking.k8s.io` v1 kinds: [`Ingress`], [`IngressClass`] and
//! [`NetworkPolicy`].

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::core::v1::TypedLocalObjectReference;
use crate::intstr::IntOrString;
use crate::labels::LabelSelector;
use crate::meta::ObjectMeta;
use crate::resource::kind;

kind! {
    group: "networking.k8s.io", version: "v1", plural: "ingresses", scope: Namespaced,
    short_names: ["ing"], categories: [];
    /// HTTP(S) routing from outside the cluster to services, carried out by
    /// an ingress controller.
    pub struct Ingress {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// The routes and TLS settings wanted.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub spec: Option<IngressSpec>,
        /// Where the ingress is reachable, as reported by its controller.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status: Option<IngressStatus>,
    }
}

/// The desired state of an [`Ingress`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IngressSpec {
    /// The [`IngressClass`] whose controller should implement this ingress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingress_class_name: Option<String>,
    /// Where requests that match no rule go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_backend: Option<IngressBackend>,
    /// TLS termination: which hosts are served with which certificate.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tls: Vec<IngressTLS>,
    /// Host and path rules; the first match wins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<IngressRule>,
}

/// Where an [`Ingress`] sends matching requests: a service port, or some
/// other object understood by the controller. Exactly one is set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IngressBackend {
    /// A service in the ingress's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<IngressServiceBackend>,
    /// Another object in the ingress's namespace, such as a storage bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<TypedLocalObjectReference>,
}

/// A service port as an [`IngressBackend`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IngressServiceBackend {
    /// The service's name.
    pub name: String,
    /// The service port to send traffic to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<ServiceBackendPort>,
}

/// A service port by name or by number; exactly one is set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceBackendPort {
    /// The port's name in the service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The port's number in the service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<i32>,
}

/// TLS settings for some hosts of an [`Ingress`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IngressTLS {
    /// The host names the certificate covers; empty means the controller's
    /// default host.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<String>,
    /// The Secret holding the certificate and key; unset means SNI-less
    /// default handling by the controller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_name: Option<String>,
}

/// Routing for one host of an [`Ingress`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IngressRule {
    /// The host name to match (a leading `*.` matches one label); unset
    /// matches every host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// HTTP path routing for the host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HTTPIngressRuleValue>,
}

/// The HTTP paths of an [`IngressRule`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HTTPIngressRuleValue {
    /// The paths and where each goes.
    #[serde(default)]
    pub paths: Vec<HTTPIngressPath>,
}

/// One path route of an [`Ingress`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HTTPIngressPath {
    /// The request path to match, starting with `/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// How `path` matches: `Exact`, `Prefix` or `ImplementationSpecific`.
    #[serde(default)]
    pub path_type: String,
    /// Where matching requests go.
    #[serde(default)]
    pub backend: IngressBackend,
}

/// The observed state of an [`Ingress`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IngressStatus {
    /// The load balancer in front of the ingress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer: Option<IngressLoadBalancerStatus>,
}

/// The load balancer that exposes an [`Ingress`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IngressLoadBalancerStatus {
    /// The load balancer's entry points.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ingress: Vec<IngressLoadBalancerIngress>,
}

/// One entry point of an ingress load balancer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IngressLoadBalancerIngress {
    /// The entry point's IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// The entry point's DNS name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// The state of each port of the entry point.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<IngressPortStatus>,
}

/// The state of one load balancer port.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IngressPortStatus {
    /// The port number.
    pub port: i32,
    /// `TCP`, `UDP` or `SCTP`.
    pub protocol: String,
    /// Why the port is not working, as a CamelCase reason; unset when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

kind! {
    group: "networking.k8s.io", version: "v1", plural: "ingressclasses", scope: Cluster,
    short_names: [], categories: [];
    /// A class of ingresses and the controller that implements them; an
    /// ingress chooses one by `spec.ingressClassName`.
    pub struct IngressClass {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// The controller and its configuration.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub spec: Option<IngressClassSpec>,
    }
}

/// The desired state of an [`IngressClass`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IngressClassSpec {
    /// The controller's name, a domain-prefixed path such as
    /// `example.com/ingress-controller`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller: Option<String>,
    /// An object holding extra settings for the controller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<IngressClassParametersReference>,
}

/// A reference to the object that configures an ingress controller.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IngressClassParametersReference {
    /// The object's API group; empty for the core group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_group: Option<String>,
    /// The object's kind.
    pub kind: String,
    /// The object's name.
    pub name: String,
    /// `Cluster` (the default) or `Namespace`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The object's namespace, set exactly when `scope` is `Namespace`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

kind! {
    group: "networking.k8s.io", version: "v1", plural: "networkpolicies", scope: Namespaced,
    short_names: ["netpol"], categories: [];
    /// Which traffic may reach, and leave, a set of pods; pods selected by no
    /// policy accept everything.
    pub struct NetworkPolicy {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// The pods the policy covers and the traffic it allows.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub spec: Option<NetworkPolicySpec>,
    }
}

/// The desired state of a [`NetworkPolicy`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NetworkPolicySpec {
    /// The pods in the policy's namespace that it applies to; empty selects
    /// them all.
    #[serde(default)]
    pub pod_selector: LabelSelector,
    /// Incoming traffic allowed to the selected pods; any rule may match.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ingress: Vec<NetworkPolicyIngressRule>,
    /// Outgoing traffic allowed from the selected pods; any rule may match.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub egress: Vec<NetworkPolicyEgressRule>,
    /// The directions the policy restricts: `Ingress`, `Egress` or both.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy_types: Vec<String>,
}

/// Incoming traffic allowed by a [`NetworkPolicy`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NetworkPolicyIngressRule {
    /// The destination ports allowed; empty allows every port.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<NetworkPolicyPort>,
    /// The sources allowed; empty allows every source.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub from: Vec<NetworkPolicyPeer>,
}

/// Outgoing traffic allowed by a [`NetworkPolicy`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NetworkPolicyEgressRule {
    /// The destination ports allowed; empty allows every port.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<NetworkPolicyPort>,
    /// The destinations allowed; empty allows every destination.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<NetworkPolicyPeer>,
}

/// The other end of traffic allowed by a [`NetworkPolicy`]: pods, namespaces
/// or an IP range.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NetworkPolicyPeer {
    /// Pods selected by label, in the namespaces chosen by
    /// `namespaceSelector` or else in the policy's own namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_selector: Option<LabelSelector>,
    /// Namespaces selected by label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_selector: Option<LabelSelector>,
    /// An IP range; cannot be combined with the selectors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_block: Option<IPBlock>,
}

/// An IP range in CIDR notation with holes cut out of it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IPBlock {
    /// The range, such as `10.0.0.0/8` or `2001:db8::/64`.
    pub cidr: String,
    /// Sub-ranges of `cidr` that are excluded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub except: Vec<String>,
}

/// A port, or range of ports, allowed by a [`NetworkPolicy`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NetworkPolicyPort {
    /// `TCP` (the default), `UDP` or `SCTP`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// A port number or a named container port; unset means every port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<IntOrString>,
    /// With a numeric `port`, the last port of the range it starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_port: Option<i32>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::resource::{Scope, StaticResource};
    use crate::test_support::round_trip_with_oracle;

    #[test]
    fn ingress_round_trips() {
        let manifest = json!({
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {"name": "shop", "namespace": "web"},
            "spec": {
                "ingressClassName": "nginx",
                "defaultBackend": {
                    "resource": {"apiGroup": "k8s.example.com", "kind": "StorageBucket", "name": "static"}
                },
                "tls": [{"hosts": ["shop.example.com"], "secretName": "shop-tls"}],
                "rules": [{
                    "host": "shop.example.com",
                    "http": {"paths": [
                        {"path": "/", "pathType": "Prefix",
                         "backend": {"service": {"name": "front", "port": {"number": 80}}}},
                        {"path": "/api", "pathType": "Exact",
                         "backend": {"service": {"name": "api", "port": {"name": "http"}}}}
                    ]}
                }]
            },
            "status": {"loadBalancer": {"ingress": [{
                "ip": "203.0.113.7",
                "hostname": "lb.example.net",
                "ports": [{"port": 443, "protocol": "TCP", "error": "PortUnreachable"}]
            }]}}
        });
        let ing =
            round_trip_with_oracle::<Ingress, k8s_openapi::api::networking::v1::Ingress>(&manifest);
        let spec = ing.spec.unwrap();
        let api = &spec.rules[0].http.as_ref().unwrap().paths[1];
        assert_eq!(api.path_type, "Exact");
        assert_eq!(
            api.backend.service.as_ref().unwrap().port.as_ref().unwrap().name.as_deref(),
            Some("http")
        );
    }

    #[test]
    fn ingress_class_round_trips() {
        let manifest = json!({
            "apiVersion": "networking.k8s.io/v1",
            "kind": "IngressClass",
            "metadata": {
                "name": "nginx",
                "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}
            },
            "spec": {
                "controller": "k8s.io/ingress-nginx",
                "parameters": {
                    "apiGroup": "k8s.example.net", "kind": "IngressParameters",
                    "name": "external-lb", "scope": "Namespace", "namespace": "ingress"
                }
            }
        });
        let class = round_trip_with_oracle::<
            IngressClass,
            k8s_openapi::api::networking::v1::IngressClass,
        >(&manifest);
        assert_eq!(class.spec.unwrap().parameters.unwrap().kind, "IngressParameters");
    }

    #[test]
    fn network_policy_round_trips() {
        let manifest = json!({
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": "db", "namespace": "shop"},
            "spec": {
                "podSelector": {"matchLabels": {"role": "db"}},
                "policyTypes": ["Ingress", "Egress"],
                "ingress": [{
                    "from": [
                        {"ipBlock": {"cidr": "172.17.0.0/16", "except": ["172.17.1.0/24"]}},
                        {"namespaceSelector": {"matchLabels": {"project": "shop"}},
                         "podSelector": {"matchExpressions": [
                             {"key": "role", "operator": "In", "values": ["api", "worker"]}
                         ]}}
                    ],
                    "ports": [{"protocol": "TCP", "port": 5432}, {"port": "metrics"}]
                }],
                "egress": [{
                    "to": [{"ipBlock": {"cidr": "10.0.0.0/24"}}],
                    "ports": [{"protocol": "TCP", "port": 32000, "endPort": 32768}]
                }]
            }
        });
        let np = round_trip_with_oracle::<
            NetworkPolicy,
            k8s_openapi::api::networking::v1::NetworkPolicy,
        >(&manifest);
        let spec = np.spec.unwrap();
        assert_eq!(spec.ingress[0].ports[1].port, Some(IntOrString::String("metrics".into())));
        assert_eq!(spec.egress[0].ports[0].end_port, Some(32768));
    }

    #[test]
    fn empty_pod_selector_is_always_written() {
        let np = NetworkPolicy {
            metadata: ObjectMeta::named("deny-all"),
            spec: Some(NetworkPolicySpec {
                policy_types: vec!["Ingress".into()],
                ..NetworkPolicySpec::default()
            }),
        };
        assert_eq!(
            serde_json::to_value(&np).unwrap()["spec"],
            json!({"podSelector": {}, "policyTypes": ["Ingress"]})
        );
    }

    #[test]
    fn api_resources() {
        let ing = Ingress::API_RESOURCE;
        assert_eq!(ing.api_version, "networking.k8s.io/v1");
        assert_eq!(ing.plural, "ingresses");
        assert_eq!(ing.scope, Scope::Namespaced);
        assert_eq!(ing.short_names.as_ref(), ["ing"]);

        let class = IngressClass::API_RESOURCE;
        assert_eq!(class.kind, "IngressClass");
        assert_eq!(class.plural, "ingressclasses");
        assert_eq!(class.scope, Scope::Cluster);
        assert!(class.short_names.is_empty());

        let np = NetworkPolicy::API_RESOURCE;
        assert_eq!(np.kind, "NetworkPolicy");
        assert_eq!(np.plural, "networkpolicies");
        assert_eq!(np.scope, Scope::Namespaced);
        assert_eq!(np.short_names.as_ref(), ["netpol"]);
    }
}
