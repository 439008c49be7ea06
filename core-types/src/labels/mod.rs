//! Labels and label selectors.
//!
//! A label selector comes in two forms:
//!
//! - [`LabelSelector`], the form stored in objects (`matchLabels` and
//!   `matchExpressions`), which serializes as Kubernetes does;
//! - [`Selector`], the parsed form used to match labels, which reads and
//!   prints the string form used in `?labelSelector=` and `kubectl -l`:
//!   `env=prod`, `env==prod`, `tier!=web`, `env in (prod,qa)`,
//!   `tier notin (db)`, `canary`, `!canary`, `replicas>1`, `replicas<5`,
//!   separated by commas.
//!
//! ```
//! use std::collections::BTreeMap;
//! use keelson_core_types::labels::{LabelSelector, Selector};
//!
//! let selector = Selector::parse("env in (prod, qa), !canary").unwrap();
//! let labels = BTreeMap::from([("env".to_string(), "qa".to_string())]);
//! assert!(selector.matches(&labels));
//! assert_eq!(selector.to_string(), "!canary,env in (prod,qa)");
//!
//! let object_form = LabelSelector::try_from(&selector).unwrap();
//! assert_eq!(object_form.match_expressions.len(), 2);
//! assert_eq!(Selector::try_from(&object_form).unwrap(), selector);
//! ```

mod convert;
mod parser;
mod selector;
mod validation;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use self::convert::ConversionError;
pub use self::parser::{ParseError, ParseErrorKind};
pub use self::selector::{Labels, Operator, Requirement, RequirementError, Selector};

/// Why a string could not become a [`LabelSelector`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The string is not a valid selector.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The selector uses something a `LabelSelector` cannot express.
    #[error(transparent)]
    Conversion(#[from] ConversionError),
}

/// A result whose error defaults to this module's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A label selector as it appears in objects (`spec.selector` of a
/// Deployment): `matchLabels` and `matchExpressions`, all of which must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelector {
    /// Labels that must be present with exactly these values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub match_labels: BTreeMap<String, String>,
    /// Set-based requirements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub match_expressions: Vec<LabelSelectorRequirement>,
}

/// One set-based requirement of a [`LabelSelector`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelectorRequirement {
    /// The label key.
    pub key: String,
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    pub operator: String,
    /// The values for `In` and `NotIn`; empty for the others.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}
