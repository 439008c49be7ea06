//! Secret, and the namespaced reference to one that persistent volume sources
//! use.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::bytes::ByteString;
use crate::meta::ObjectMeta;
use crate::resource::kind;

kind! {
    group: "", version: "v1", plural: "secrets", scope: Namespaced,
    short_names: [], categories: [];
    /// Sensitive data (passwords, tokens, keys) that pods read as files or
    /// environment variables.
    pub struct Secret {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// The secret values by key, as raw bytes (base64 on the wire).
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        pub data: BTreeMap<String, ByteString>,
        /// Write-only plain-text values by key; the server merges them into
        /// `data` on write and never returns them.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        pub string_data: BTreeMap<String, String>,
        /// What the secret holds (`Opaque`, `kubernetes.io/tls`,
        /// `kubernetes.io/dockerconfigjson`, ...), which decides the keys it
        /// must have.
        #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
        pub type_: Option<String>,
        /// When true, the data cannot be changed after creation.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub immutable: Option<bool>,
    }
}

/// A reference to a secret by name and namespace, usable from
/// cluster-scoped objects such as persistent volumes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretReference {
    /// Name of the secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Namespace of the secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::test_support::round_trip;

    #[test]
    fn secret_manifest_round_trips_with_bytes_decoded() {
        let manifest = json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {
                "name": "db-credentials",
                "namespace": "shop",
                "uid": "0b9f3c2e-5d71-4c35-9a7e-1d2f9e6f4a10",
                "resourceVersion": "48213",
                "creationTimestamp": "2024-05-01T12:00:00Z",
                "labels": {"app": "shop"}
            },
            "data": {
                "password": "czNjcjN0IQ==",
                "username": "YWRtaW4="
            },
            "type": "Opaque"
        });
        let secret: Secret = round_trip(&manifest);
        assert_eq!(secret.data["username"].0, b"admin");
        assert_eq!(secret.data["password"].0, b"s3cr3t!");
        assert_eq!(secret.type_.as_deref(), Some("Opaque"));
    }

    #[test]
    fn data_is_base64_on_the_wire() {
        let secret = Secret {
            metadata: ObjectMeta::named("tls"),
            data: [("tls.key".to_string(), ByteString(vec![0, 1, 0xff]))].into(),
            string_data: [("note".to_string(), "plain".to_string())].into(),
            type_: Some("kubernetes.io/tls".to_string()),
            immutable: Some(true),
        };
        assert_eq!(
            serde_json::to_string(&secret).unwrap(),
            r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"tls"},"data":{"tls.key":"AAH/"},"stringData":{"note":"plain"},"type":"kubernetes.io/tls","immutable":true}"#
        );
        let bad = json!({"metadata": {}, "data": {"k": "not base64!"}});
        assert!(serde_json::from_value::<Secret>(bad).is_err());
    }

    #[test]
    fn minimal_secret_is_exact() {
        let secret = Secret { metadata: ObjectMeta::named("empty"), ..Secret::default() };
        assert_eq!(
            serde_json::to_string(&secret).unwrap(),
            r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"empty"}}"#
        );
    }

    #[test]
    fn secret_reference_round_trips() {
        let r: SecretReference = round_trip(&json!({"name": "ceph", "namespace": "storage"}));
        assert_eq!(r.namespace.as_deref(), Some("storage"));
    }
}
