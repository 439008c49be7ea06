//! ConfigMap.

use std::collections::BTreeMap;

use crate::bytes::ByteString;
use crate::meta::ObjectMeta;
use crate::resource::kind;

kind! {
    group: "", version: "v1", plural: "configmaps", scope: Namespaced,
    short_names: ["cm"], categories: [];
    /// Non-secret configuration data for pods to read as files or
    /// environment variables.
    pub struct ConfigMap {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// UTF-8 values by key.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        pub data: BTreeMap<String, String>,
        /// Binary values by key, base64 on the wire.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        pub binary_data: BTreeMap<String, ByteString>,
        /// When true, the data cannot be changed after creation.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub immutable: Option<bool>,
    }
}
