//! Namespace.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::meta::ObjectMeta;
use crate::resource::kind;

kind! {
    group: "", version: "v1", plural: "namespaces", scope: Cluster,
    short_names: ["ns"], categories: [];
    /// A scope for names: most objects live in a namespace, and deleting the
    /// namespace deletes them.
    pub struct Namespace {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// What the namespace should be.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub spec: Option<NamespaceSpec>,
        /// What the namespace is.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status: Option<NamespaceStatus>,
    }
}

/// The desired state of a [`Namespace`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceSpec {
    /// Cleanups that must finish before the namespace is removed; the
    /// namespace controller owns `kubernetes`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub finalizers: Vec<String>,
}

/// The observed state of a [`Namespace`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceStatus {
    /// `Active` or `Terminating`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// The latest observations of the namespace's state.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<NamespaceCondition>,
}

/// One observation of a [`Namespace`]'s state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceCondition {
    /// The condition type (`NamespaceDeletionContentFailure`, ...).
    #[serde(rename = "type")]
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// When the condition last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<crate::time::Time>,
    /// A CamelCase machine-readable reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// A message for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}
