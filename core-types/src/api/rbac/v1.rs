//! `rbac.authorization.k8s.io` v1 kinds: [`Role`], [`ClusterRole`],
//! [`RoleBinding`] and [`ClusterRoleBinding`].

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::labels::LabelSelector;
use crate::meta::ObjectMeta;
use crate::resource::kind;

kind! {
    group: "rbac.authorization.k8s.io", version: "v1", plural: "roles", scope: Namespaced,
    short_names: [], categories: [];
    /// A set of permissions within one namespace, granted to subjects by a
    /// [`RoleBinding`].
    pub struct Role {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// The permissions; each rule allows something, nothing denies.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub rules: Vec<PolicyRule>,
    }
}

kind! {
    group: "rbac.authorization.k8s.io", version: "v1", plural: "clusterroles", scope: Cluster,
    short_names: [], categories: [];
    /// A set of permissions that can be granted cluster-wide by a
    /// [`ClusterRoleBinding`] or within a namespace by a [`RoleBinding`].
    pub struct ClusterRole {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// The permissions; each rule allows something, nothing denies.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub rules: Vec<PolicyRule>,
        /// When set, the rules are the union of those of the selected cluster
        /// roles, kept up to date by the controller manager.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub aggregation_rule: Option<AggregationRule>,
    }
}

/// One permission: verbs allowed on resources, or on non-resource URLs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRule {
    /// The verbs allowed (`get`, `list`, `watch`, `create`, ...); `*`
    /// allows all.
    #[serde(default)]
    pub verbs: Vec<String>,
    /// The API groups of the resources; `""` is the core group and `*`
    /// every group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub api_groups: Vec<String>,
    /// The resources, with `pods/log`-style entries for subresources; `*`
    /// allows all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    /// The object names the rule is limited to; empty means any name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_names: Vec<String>,
    /// URL paths that are not resources (`/healthz`, `/metrics`, with a
    /// trailing `*` as a prefix match); only meaningful in a cluster role.
    #[serde(rename = "nonResourceURLs", default, skip_serializing_if = "Vec::is_empty")]
    pub non_resource_urls: Vec<String>,
}

/// How a [`ClusterRole`] gathers its rules from other cluster roles.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AggregationRule {
    /// Cluster roles matching any of these selectors contribute their rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cluster_role_selectors: Vec<LabelSelector>,
}

kind! {
    group: "rbac.authorization.k8s.io", version: "v1", plural: "rolebindings", scope: Namespaced,
    short_names: [], categories: [];
    /// Grants a [`Role`] or [`ClusterRole`] to subjects within the binding's
    /// namespace.
    pub struct RoleBinding {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// Who receives the permissions.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub subjects: Vec<Subject>,
        /// The role granted; cannot be changed after creation.
        #[serde(default)]
        pub role_ref: RoleRef,
    }
}

kind! {
    group: "rbac.authorization.k8s.io", version: "v1", plural: "clusterrolebindings", scope: Cluster,
    short_names: [], categories: [];
    /// Grants a [`ClusterRole`] to subjects in every namespace and on
    /// cluster-scoped resources.
    pub struct ClusterRoleBinding {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// Who receives the permissions.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub subjects: Vec<Subject>,
        /// The cluster role granted; cannot be changed after creation.
        #[serde(default)]
        pub role_ref: RoleRef,
    }
}

/// Someone who receives permissions: a user, a group or a service account.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Subject {
    /// `User`, `Group` or `ServiceAccount`.
    pub kind: String,
    /// `rbac.authorization.k8s.io` for users and groups, empty for service
    /// accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_group: Option<String>,
    /// The user, group or service account name.
    pub name: String,
    /// The service account's namespace; unused for users and groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// The role a binding grants.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoleRef {
    /// The role's API group, `rbac.authorization.k8s.io`.
    pub api_group: String,
    /// `Role` or `ClusterRole`.
    pub kind: String,
    /// The role's name.
    pub name: String,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::resource::{Scope, StaticResource};
    use crate::test_support::round_trip_with_oracle;

    #[test]
    fn role_round_trips() {
        let manifest = json!({
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": {"name": "pod-reader", "namespace": "shop"},
            "rules": [
                {"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list", "watch"]},
                {"apiGroups": ["apps"], "resources": ["deployments"],
                 "resourceNames": ["web"], "verbs": ["patch"]}
            ]
        });
        let role = round_trip_with_oracle::<Role, k8s_openapi::api::rbac::v1::Role>(&manifest);
        assert_eq!(role.rules[1].resource_names, ["web"]);
    }

    #[test]
    fn cluster_role_round_trips() {
        let manifest = json!({
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": "monitoring"},
            "aggregationRule": {"clusterRoleSelectors": [
                {"matchLabels": {"rbac.example.com/aggregate-to-monitoring": "true"}}
            ]},
            "rules": [
                {"nonResourceURLs": ["/metrics", "/healthz/*"], "verbs": ["get"]}
            ]
        });
        let role = round_trip_with_oracle::<ClusterRole, k8s_openapi::api::rbac::v1::ClusterRole>(
            &manifest,
        );
        assert_eq!(role.rules[0].non_resource_urls, ["/metrics", "/healthz/*"]);
        assert_eq!(role.aggregation_rule.unwrap().cluster_role_selectors.len(), 1);
    }

    #[test]
    fn role_binding_round_trips() {
        let manifest = json!({
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {"name": "read-pods", "namespace": "shop"},
            "subjects": [
                {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "jane"},
                {"kind": "ServiceAccount", "name": "builder", "namespace": "ci"}
            ],
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "pod-reader"}
        });
        let rb = round_trip_with_oracle::<RoleBinding, k8s_openapi::api::rbac::v1::RoleBinding>(
            &manifest,
        );
        assert_eq!(rb.subjects[1].namespace.as_deref(), Some("ci"));
        assert_eq!(rb.role_ref.name, "pod-reader");
    }

    #[test]
    fn cluster_role_binding_round_trips() {
        let manifest = json!({
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {"name": "ops-admin"},
            "subjects": [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "ops"}],
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"}
        });
        let crb = round_trip_with_oracle::<
            ClusterRoleBinding,
            k8s_openapi::api::rbac::v1::ClusterRoleBinding,
        >(&manifest);
        assert_eq!(crb.role_ref.kind, "ClusterRole");
    }

    #[test]
    fn non_resource_urls_keep_their_json_name() {
        let rule = PolicyRule {
            verbs: vec!["get".into()],
            non_resource_urls: vec!["/version".into()],
            ..PolicyRule::default()
        };
        assert_eq!(
            serde_json::to_value(&rule).unwrap(),
            json!({"verbs": ["get"], "nonResourceURLs": ["/version"]})
        );
    }

    #[test]
    fn api_resources() {
        let cases = [
            (Role::API_RESOURCE, "Role", "roles", Scope::Namespaced),
            (ClusterRole::API_RESOURCE, "ClusterRole", "clusterroles", Scope::Cluster),
            (RoleBinding::API_RESOURCE, "RoleBinding", "rolebindings", Scope::Namespaced),
            (
                ClusterRoleBinding::API_RESOURCE,
                "ClusterRoleBinding",
                "clusterrolebindings",
                Scope::Cluster,
            ),
        ];
        for (ar, kind, plural, scope) in cases {
            assert_eq!(ar.api_version, "rbac.authorization.k8s.io/v1");
            assert_eq!(ar.group, "rbac.authorization.k8s.io");
            assert_eq!(ar.kind, kind);
            assert_eq!(ar.plural, plural);
            assert_eq!(ar.scope, scope);
            assert!(ar.short_names.is_empty());
        }
    }
}
