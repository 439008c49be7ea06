//! Pod, PodTemplate and their parts. (Being filled in: see container.rs,
//! volume.rs and affinity.rs for the pieces of a pod spec.)

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::meta::ObjectMeta;
use crate::resource::kind;

use super::Container;

kind! {
    group: "", version: "v1", plural: "pods", scope: Namespaced,
    short_names: ["po"], categories: ["all"];
    /// A group of containers that run together on one node.
    pub struct Pod {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// What the pod should run.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub spec: Option<PodSpec>,
    }
}

/// The desired state of a [`Pod`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodSpec {
    /// The containers of the pod; at least one.
    pub containers: Vec<Container>,
}

/// A pod template: the metadata and spec of pods a controller creates.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodTemplateSpec {
    /// Metadata given to each pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ObjectMeta>,
    /// The spec of each pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<PodSpec>,
}
