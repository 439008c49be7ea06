//! The `Status` object: the body of every API error.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ListMeta;

/// The result of an operation that returns no object, and the body of every
/// error response (`kind: Status`, `apiVersion: v1`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    /// Always `v1` when written by this crate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Always `Status` when written by this crate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// List metadata; usually empty.
    #[serde(default)]
    pub metadata: ListMeta,
    /// `Success` or `Failure`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// A description for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// A machine-readable CamelCase reason (`NotFound`, `AlreadyExists`,
    /// `Conflict`, `Invalid`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Extra data about the reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<StatusDetails>,
    /// The HTTP status code of the response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<i32>,
}

impl Status {
    /// A failure with the given HTTP code, reason and message.
    pub fn failure(code: u16, reason: impl Into<String>, message: impl Into<String>) -> Self {
        Status {
            api_version: Some("v1".into()),
            kind: Some("Status".into()),
            metadata: ListMeta::default(),
            status: Some("Failure".into()),
            message: Some(message.into()),
            reason: Some(reason.into()),
            details: None,
            code: Some(i32::from(code)),
        }
    }

    /// A success with no further data.
    pub fn success() -> Self {
        Status {
            api_version: Some("v1".into()),
            kind: Some("Status".into()),
            status: Some("Success".into()),
            ..Status::default()
        }
    }

    /// Attaches details.
    #[must_use]
    pub fn with_details(mut self, details: StatusDetails) -> Self {
        self.details = Some(details);
        self
    }

    /// Whether this is a failure with the given reason.
    pub fn is_reason(&self, reason: &str) -> bool {
        self.reason.as_deref() == Some(reason)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.message, &self.reason, self.code) {
            (Some(m), _, _) if !m.is_empty() => f.write_str(m),
            (_, Some(r), Some(c)) => write!(f, "{r} ({c})"),
            (_, Some(r), None) => f.write_str(r),
            _ => f.write_str("unknown failure"),
        }
    }
}

impl std::error::Error for Status {}

/// Details of a [`Status`]: which object, and which fields were wrong.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusDetails {
    /// The name of the object concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The group of the object concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The kind (or resource) of the object concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The UID of the object concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// One entry per problem, for example per invalid field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub causes: Vec<StatusCause>,
    /// Seconds the client should wait before retrying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<i32>,
}

/// One cause of a failure, usually one invalid field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusCause {
    /// A machine-readable cause (`FieldValueRequired`, `FieldValueInvalid`,
    /// `FieldValueDuplicate`, ...).
    #[serde(default, rename = "reason", skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// A description of the cause for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The path of the field concerned (`spec.containers[0].name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}
