//! Container types of core/v1. (Being filled in.)

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One container of a pod.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    /// Name of the container, unique in the pod (a DNS label).
    pub name: String,
    /// Image to run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}
