//! Kubernetes' validation rules, with Kubernetes-style messages that name
//! the offending field.
//!
//! Validation is pure: functions take a value and a [`field::Path`] and
//! return a [`field::ErrorList`], empty when the value is valid. The API
//! server turns a non-empty list into a `422 Invalid` [`Status`] with
//! [`field::to_status`].
//!
//! - [`field`]: paths (`spec.containers[0].name`), errors and error lists,
//!   and the conversion to a `Status`.
//! - [`names`]: DNS names, qualified names, label values, environment
//!   variable names, ports, IP addresses, CIDRs, percentages, and the
//!   [`NameFn`] rules for `metadata.name`.
//! - [`labels`]: label and annotation maps, and the reserved-key policy.
//! - [`meta`]: `ObjectMeta` on create and on update.
//!
//! ```
//! use keelson_core_types::meta::ObjectMeta;
//! use keelson_core_types::validation::{field, meta, names};
//!
//! let object = ObjectMeta::named("Web_1").in_namespace("default");
//! let errors = meta::validate_object_meta(
//!     &object,
//!     true,
//!     names::name_is_dns_subdomain,
//!     &field::Path::new("metadata"),
//! );
//! let status = field::to_status(&errors, "ConfigMap", "", "Web_1");
//! assert_eq!(status.code, Some(422));
//! let cause = &status.details.unwrap().causes[0];
//! assert_eq!(cause.reason.as_deref(), Some("FieldValueInvalid"));
//! assert_eq!(cause.field.as_deref(), Some("metadata.name"));
//! ```
//!
//! # Reserved label and annotation keys
//!
//! Keys whose prefix is `kubernetes.io` or `k8s.io`, or a subdomain of
//! either (`node.kubernetes.io/...`, `foo.k8s.io/...`), are reserved for the
//! system's own components ([`labels::is_reserved_key`]). Kubernetes itself
//! does not enforce this; Keelson can, depending on who writes the keys
//! ([`labels::Origin`]):
//!
//! 1. [`Origin::System`] (the default, and what the
//!    `validate_*` functions without an origin use): any syntactically valid
//!    key is accepted, exactly as Kubernetes accepts it.
//! 2. [`Origin::User`]: a reserved key is
//!    `Forbidden`, at the path of the key
//!    (`metadata.labels[kubernetes.io/foo]`), unless users may set it
//!    ([`labels::is_user_settable_key`]):
//!    - the exact keys `kubernetes.io/metadata.name`,
//!      `kubernetes.io/hostname`, `kubernetes.io/os`, `kubernetes.io/arch`,
//!      `kubernetes.io/change-cause`, `kubernetes.io/description`,
//!      `kubernetes.io/service-account.name`,
//!      `kubernetes.io/service-account.uid` and
//!      `deployment.kubernetes.io/revision`
//!      ([`labels::ALLOWED_RESERVED_KEYS`]);
//!    - any key under the prefixes `app.kubernetes.io` (the recommended
//!      labels), `kubectl.kubernetes.io` (kubectl's own annotations),
//!      `topology.kubernetes.io`, `node-role.kubernetes.io` and
//!      `node.kubernetes.io` ([`labels::ALLOWED_RESERVED_PREFIXES`]);
//!      subdomains of these prefixes are not included.
//! 3. On an update by a user, a reserved key that the stored object already
//!    has with the same value is accepted, so that a user can write back an
//!    object the system has labeled; adding a reserved key or changing its
//!    value is forbidden.
//!
//! Keys without a prefix (`pod-template-hash`, `app`) are never reserved.
//! Prefixes are compared without regard to case, since annotation keys may
//! use upper case.
//!
//! # Differences from Kubernetes
//!
//! The rules and message structure follow Kubernetes; the detail wording is
//! Keelson's own. Where behaviour differs, it is on purpose:
//!
//! - IPv4 addresses with leading zeros (`010.0.0.1`) are rejected.
//! - Annotation keys are lower-cased ASCII-only before checking, so
//!   non-ASCII letters never pass.
//! - Owner-reference errors name the reference's index
//!   (`metadata.ownerReferences[1].uid`), and duplicate finalizers are
//!   rejected.
//! - Managed-fields `operation` and `fieldsType` errors are
//!   `Unsupported value` errors listing the choices.
//!
//! [`Status`]: crate::meta::Status

pub mod field;
pub mod labels;
pub mod meta;
pub mod names;

pub use field::{Error, ErrorList, ErrorType, Path};
pub use labels::{Origin, is_reserved_key, validate_annotations, validate_labels};
pub use meta::{validate_object_meta, validate_object_meta_update};
pub use names::NameFn;
