//! ServiceAccount: an identity for processes in pods.

use crate::meta::ObjectMeta;
use crate::resource::kind;

use super::{LocalObjectReference, ObjectReference};

kind! {
    group: "", version: "v1", plural: "serviceaccounts", scope: Namespaced,
    short_names: ["sa"], categories: [];
    /// An identity that pods run as, which RBAC grants permissions to and
    /// which carries the image pull secrets its pods use.
    pub struct ServiceAccount {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// Secrets pods running as this account may use (legacy token
        /// secrets); with the `enforce-mountable-secrets` annotation, the
        /// only ones they may mount.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub secrets: Vec<ObjectReference>,
        /// Registry credentials added to every pod that runs as this account.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub image_pull_secrets: Vec<LocalObjectReference>,
        /// Whether pods running as this account get an API token mounted by
        /// default; a pod's own setting wins.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub automount_service_account_token: Option<bool>,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::resource::StaticResource;
    use crate::test_support::round_trip;

    #[test]
    fn service_account_manifest_round_trips() {
        let manifest = json!({
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {
                "name": "builder",
                "namespace": "ci",
                "uid": "3d2c1b0a-9f8e-4d7c-b6a5-4f3e2d1c0b9a",
                "resourceVersion": "733",
                "creationTimestamp": "2024-05-01T12:00:00Z"
            },
            "automountServiceAccountToken": false,
            "imagePullSecrets": [{"name": "registry-creds"}],
            "secrets": [{"name": "builder-token"}]
        });
        let sa: ServiceAccount = round_trip(&manifest);
        assert_eq!(sa.automount_service_account_token, Some(false));
        assert_eq!(sa.image_pull_secrets[0].name.as_deref(), Some("registry-creds"));
        assert_eq!(sa.secrets[0].name.as_deref(), Some("builder-token"));
    }

    #[test]
    fn minimal_service_account_is_exact() {
        let sa = ServiceAccount {
            metadata: ObjectMeta::named("default").in_namespace("ci"),
            ..ServiceAccount::default()
        };
        assert_eq!(
            serde_json::to_string(&sa).unwrap(),
            r#"{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"default","namespace":"ci"}}"#
        );
        assert_eq!(&*ServiceAccount::API_RESOURCE.short_names, ["sa"]);
    }
}
