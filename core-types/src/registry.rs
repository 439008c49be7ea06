//! The registry of built-in kinds: for each, its [`ApiResource`], the verbs
//! it serves, its subresources and its schema. The API server's discovery
//! documents and OpenAPI are read from here.
//!
//! ```
//! use keelson_core_types::registry::Registry;
//!
//! let registry = Registry::builtin();
//! let deploy = registry.by_short_name("deploy").unwrap();
//! assert_eq!(deploy.resource.api_version, "apps/v1");
//! assert!(deploy.subresources.iter().any(|s| s.name == "scale"));
//! let pods = registry.get("", "v1", "pods").unwrap();
//! assert_eq!(pods.resource.kind, "Pod");
//! ```

use serde_json::Value;

use crate::api;
use crate::resource::{ApiResource, StaticResource};
use crate::schema::structural_schema_for;

/// The verbs of an ordinary resource.
pub const STANDARD_VERBS: &[&str] =
    &["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

const STATUS_VERBS: &[&str] = &["get", "patch", "update"];

/// A subresource of a kind (`pods/status`, `deployments/scale`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subresource {
    /// The name after the slash (`status`).
    pub name: &'static str,
    /// The kind its requests and responses carry (`Pod`, `Scale`).
    pub kind: &'static str,
    /// The group of that kind when it is not the parent's (`autoscaling`
    /// for `Scale`).
    pub group: Option<&'static str>,
    /// The version of that kind when it is not the parent's.
    pub version: Option<&'static str>,
    /// The verbs it serves.
    pub verbs: &'static [&'static str],
}

/// One kind the API serves.
#[derive(Clone, Debug)]
pub struct KindInfo {
    /// Group, version, kind, plural, scope, short names, categories.
    pub resource: ApiResource,
    /// The verbs it serves.
    pub verbs: &'static [&'static str],
    /// Its subresources.
    pub subresources: Vec<Subresource>,
    /// Its structural OpenAPI v3 schema, when it has one.
    pub schema: Option<fn() -> Value>,
}

/// A set of kinds: the built-in ones, plus any the embedder adds (custom
/// resources).
#[derive(Clone, Debug, Default)]
pub struct Registry {
    kinds: Vec<KindInfo>,
}

const fn sub(
    name: &'static str,
    kind: &'static str,
    verbs: &'static [&'static str],
) -> Subresource {
    Subresource { name, kind, group: None, version: None, verbs }
}

const fn status(kind: &'static str) -> Subresource {
    sub("status", kind, STATUS_VERBS)
}

const fn scale() -> Subresource {
    Subresource {
        name: "scale",
        kind: "Scale",
        group: Some("autoscaling"),
        version: Some("v1"),
        verbs: STATUS_VERBS,
    }
}

fn info<K: StaticResource + schemars::JsonSchema>(
    verbs: &'static [&'static str],
    subresources: Vec<Subresource>,
) -> KindInfo {
    KindInfo {
        resource: K::API_RESOURCE,
        verbs,
        subresources,
        schema: Some(structural_schema_for::<K>),
    }
}

impl Registry {
    /// Every built-in kind.
    pub fn builtin() -> Self {
        use api::apiextensions::v1 as apiext;
        use api::core::v1 as core;
        use api::{apps, autoscaling, batch, coordination, discovery, networking, policy, rbac};
        use api::{scheduling, storage};
        let v = STANDARD_VERBS;
        let kinds = vec![
            info::<core::Namespace>(
                &["create", "delete", "get", "list", "patch", "update", "watch"],
                vec![status("Namespace"), sub("finalize", "Namespace", &["update"])],
            ),
            info::<core::Node>(v, vec![status("Node"), sub("proxy", "NodeProxyOptions", &["get"])]),
            info::<core::Pod>(
                v,
                vec![
                    status("Pod"),
                    sub("binding", "Binding", &["create"]),
                    Subresource {
                        name: "eviction",
                        kind: "Eviction",
                        group: Some("policy"),
                        version: Some("v1"),
                        verbs: &["create"],
                    },
                    sub("log", "Pod", &["get"]),
                    sub("exec", "PodExecOptions", &["create", "get"]),
                    sub("ephemeralcontainers", "Pod", STATUS_VERBS),
                ],
            ),
            info::<core::PodTemplate>(v, vec![]),
            info::<core::Binding>(&["create"], vec![]),
            info::<core::Service>(v, vec![status("Service")]),
            info::<core::Endpoints>(v, vec![]),
            info::<core::ConfigMap>(v, vec![]),
            info::<core::Secret>(v, vec![]),
            info::<core::ServiceAccount>(
                v,
                vec![Subresource {
                    name: "token",
                    kind: "TokenRequest",
                    group: Some("authentication.k8s.io"),
                    version: Some("v1"),
                    verbs: &["create"],
                }],
            ),
            info::<core::PersistentVolume>(v, vec![status("PersistentVolume")]),
            info::<core::PersistentVolumeClaim>(v, vec![status("PersistentVolumeClaim")]),
            info::<core::ReplicationController>(v, vec![status("ReplicationController"), scale()]),
            info::<core::Event>(v, vec![]),
            info::<core::ResourceQuota>(v, vec![status("ResourceQuota")]),
            info::<core::LimitRange>(v, vec![]),
            info::<apps::v1::Deployment>(v, vec![status("Deployment"), scale()]),
            info::<apps::v1::ReplicaSet>(v, vec![status("ReplicaSet"), scale()]),
            info::<apps::v1::DaemonSet>(v, vec![status("DaemonSet")]),
            info::<apps::v1::StatefulSet>(v, vec![status("StatefulSet"), scale()]),
            info::<apps::v1::ControllerRevision>(v, vec![]),
            info::<batch::v1::Job>(v, vec![status("Job")]),
            info::<batch::v1::CronJob>(v, vec![status("CronJob")]),
            info::<discovery::v1::EndpointSlice>(v, vec![]),
            info::<networking::v1::Ingress>(v, vec![status("Ingress")]),
            info::<networking::v1::IngressClass>(v, vec![]),
            info::<networking::v1::NetworkPolicy>(v, vec![]),
            info::<coordination::v1::Lease>(v, vec![]),
            info::<autoscaling::v2::HorizontalPodAutoscaler>(
                v,
                vec![status("HorizontalPodAutoscaler")],
            ),
            info::<policy::v1::PodDisruptionBudget>(v, vec![status("PodDisruptionBudget")]),
            info::<scheduling::v1::PriorityClass>(v, vec![]),
            info::<storage::v1::StorageClass>(v, vec![]),
            info::<rbac::v1::Role>(v, vec![]),
            info::<rbac::v1::ClusterRole>(v, vec![]),
            info::<rbac::v1::RoleBinding>(v, vec![]),
            info::<rbac::v1::ClusterRoleBinding>(v, vec![]),
            info::<apiext::CustomResourceDefinition>(v, vec![status("CustomResourceDefinition")]),
        ];
        Registry { kinds }
    }

    /// Adds a kind (a custom resource), replacing any with the same group,
    /// version and plural.
    pub fn insert(&mut self, kind: KindInfo) {
        self.remove(&kind.resource.group, &kind.resource.version, &kind.resource.plural);
        self.kinds.push(kind);
    }

    /// Removes a kind by group, version and plural; returns it if present.
    pub fn remove(&mut self, group: &str, version: &str, plural: &str) -> Option<KindInfo> {
        let i = self.kinds.iter().position(|k| {
            k.resource.group == group
                && k.resource.version == version
                && k.resource.plural == plural
        })?;
        Some(self.kinds.remove(i))
    }

    /// Every kind, in registration order.
    pub fn kinds(&self) -> &[KindInfo] {
        &self.kinds
    }

    /// The kind served at `group`/`version`/`plural`.
    pub fn get(&self, group: &str, version: &str, plural: &str) -> Option<&KindInfo> {
        self.kinds.iter().find(|k| {
            k.resource.group == group
                && k.resource.version == version
                && k.resource.plural == plural
        })
    }

    /// The kind with this `apiVersion` and `kind`.
    pub fn by_kind(&self, api_version: &str, kind: &str) -> Option<&KindInfo> {
        self.kinds.iter().find(|k| k.resource.api_version == api_version && k.resource.kind == kind)
    }

    /// The kind with this short name (`po`, `deploy`).
    pub fn by_short_name(&self, short: &str) -> Option<&KindInfo> {
        self.kinds.iter().find(|k| k.resource.short_names.iter().any(|s| s == short))
    }

    /// The group/versions served, in first-registration order (`v1` first
    /// for the core group).
    pub fn group_versions(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for k in &self.kinds {
            let gv = (k.resource.group.to_string(), k.resource.version.to_string());
            if !out.contains(&gv) {
                out.push(gv);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::Scope;

    #[test]
    fn every_builtin_kind_is_registered_once_with_a_structural_schema() {
        let r = Registry::builtin();
        assert_eq!(r.kinds().len(), 37);
        let mut seen = std::collections::BTreeSet::new();
        for k in r.kinds() {
            let key = (k.resource.group.to_string(), k.resource.plural.to_string());
            assert!(seen.insert(key), "{} registered twice", k.resource.kind);
            let schema = (k.schema.unwrap())();
            assert_eq!(schema["type"], "object", "{}", k.resource.kind);
            if let Err(problems) = crate::schema::check_structural(&schema) {
                panic!("{}: {problems:#?}", k.resource.kind);
            }
        }
    }

    #[test]
    fn lookups() {
        let r = Registry::builtin();
        assert_eq!(r.by_kind("v1", "Node").unwrap().resource.scope, Scope::Cluster);
        assert_eq!(r.by_short_name("svc").unwrap().resource.plural, "services");
        assert!(r.get("apps", "v1", "pods").is_none());
        let gvs = r.group_versions();
        assert_eq!(gvs[0], ("".to_string(), "v1".to_string()));
        assert!(gvs.contains(&("rbac.authorization.k8s.io".to_string(), "v1".to_string())));
        assert_eq!(
            r.by_kind("apps/v1", "Deployment").unwrap().resource.registry_prefix(),
            "/registry/apps/deployments"
        );
    }

    #[test]
    fn custom_kinds_can_be_added_and_removed() {
        let mut r = Registry::builtin();
        let widget = ApiResource::new("example.com", "v1", "Widget", "widgets", Scope::Namespaced);
        r.insert(KindInfo {
            resource: widget,
            verbs: STANDARD_VERBS,
            subresources: vec![],
            schema: None,
        });
        assert!(r.get("example.com", "v1", "widgets").is_some());
        assert!(r.remove("example.com", "v1", "widgets").is_some());
        assert!(r.get("example.com", "v1", "widgets").is_none());
    }
}
