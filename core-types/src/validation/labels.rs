//! Label and annotation maps: key and value syntax, the annotation size
//! limit, and the reserved `kubernetes.io` / `k8s.io` prefixes.
//!
//! Errors about a key or a value name the map itself (`metadata.labels`)
//! and show the offending key or value, as Kubernetes does. Errors about a
//! reserved key name the key (`metadata.labels[node.kubernetes.io/x]`).
//!
//! ```
//! use std::collections::BTreeMap;
//! use keelson_core_types::validation::field::Path;
//! use keelson_core_types::validation::labels::{validate_labels, Origin};
//!
//! let labels = BTreeMap::from([("app".to_string(), "web".to_string())]);
//! let path = Path::new("metadata").child("labels");
//! assert!(validate_labels(&labels, Origin::User, &path).is_empty());
//!
//! let labels = BTreeMap::from([("kubernetes.io/secret".to_string(), "x".to_string())]);
//! assert_eq!(
//!     validate_labels(&labels, Origin::User, &path).to_string(),
//!     "metadata.labels[kubernetes.io/secret]: Forbidden: the prefix 'kubernetes.io/' \
//!      is reserved for Kubernetes components; this key is not one users may set"
//! );
//! assert!(validate_labels(&labels, Origin::System, &path).is_empty());
//! ```

use std::collections::BTreeMap;

use super::field::{Error, ErrorList, Path};
use super::names::{is_qualified_name, is_valid_label_value};

/// The most bytes all annotation keys and values of one object may take
/// together (256 KiB).
pub const TOTAL_ANNOTATION_SIZE_LIMIT: usize = 256 * 1024;

/// Who is writing the labels or annotations being validated, which decides
/// whether reserved keys may be set.
///
/// See the [module documentation](super) for the policy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Origin {
    /// A component of the system (controllers, the API server itself, a
    /// kubelet): any syntactically valid key may be written. This is
    /// Kubernetes' own behaviour and the default.
    #[default]
    System,
    /// An ordinary user: reserved keys outside the allow-list are
    /// forbidden.
    User,
}

/// The reserved domains: keys whose prefix is one of these or a subdomain
/// of one are reserved.
const RESERVED_DOMAINS: [&str; 2] = ["kubernetes.io", "k8s.io"];

/// Reserved keys users may set, matched exactly.
pub const ALLOWED_RESERVED_KEYS: &[&str] = &[
    "kubernetes.io/metadata.name",
    "kubernetes.io/hostname",
    "kubernetes.io/os",
    "kubernetes.io/arch",
    "kubernetes.io/change-cause",
    "kubernetes.io/description",
    "kubernetes.io/service-account.name",
    "kubernetes.io/service-account.uid",
    "kubernetes.io/ingress.class",
    "kubernetes.io/enforce-mountable-secrets",
    "deployment.kubernetes.io/revision",
    "storageclass.kubernetes.io/is-default-class",
    "controller.kubernetes.io/pod-deletion-cost",
    "cluster-autoscaler.kubernetes.io/safe-to-evict",
    "cluster-autoscaler.kubernetes.io/scale-down-disabled",
];

/// Reserved prefixes under which users may set any key, matched exactly
/// (a subdomain of one of these is not allowed by it).
pub const ALLOWED_RESERVED_PREFIXES: &[&str] = &[
    "app.kubernetes.io",
    "kubectl.kubernetes.io",
    "topology.kubernetes.io",
    "node-role.kubernetes.io",
    "node.kubernetes.io",
    // Settings read by cloud load balancers, ingress controllers and the
    // pod security admission, which users write on their own objects.
    "service.beta.kubernetes.io",
    "service.kubernetes.io",
    "ingress.kubernetes.io",
    "nginx.ingress.kubernetes.io",
    "pod-security.kubernetes.io",
];

/// The prefix of a key (the part before `/`), lower-cased, if it has one.
fn prefix_of(key: &str) -> Option<String> {
    key.split_once('/').map(|(prefix, _)| prefix.to_ascii_lowercase())
}

/// Whether `key` is reserved for the system's own components: its prefix is
/// `kubernetes.io` or `k8s.io` or a subdomain of either
/// (`node.kubernetes.io/...`, `foo.k8s.io/...`). The prefix is compared
/// without regard to case.
///
/// ```
/// use keelson_core_types::validation::labels::is_reserved_key;
///
/// assert!(is_reserved_key("kubernetes.io/os"));
/// assert!(is_reserved_key("node.kubernetes.io/exclude"));
/// assert!(is_reserved_key("foo.k8s.io/bar"));
/// assert!(!is_reserved_key("example.com/kubernetes.io"));
/// assert!(!is_reserved_key("notkubernetes.io/x"));
/// assert!(!is_reserved_key("pod-template-hash"));
/// ```
pub fn is_reserved_key(key: &str) -> bool {
    prefix_of(key).is_some_and(|prefix| {
        RESERVED_DOMAINS.iter().any(|domain| {
            prefix == *domain || prefix.strip_suffix(domain).is_some_and(|rest| rest.ends_with('.'))
        })
    })
}

/// Whether users may set `key` although it is reserved: it is on the
/// allow-list of well-known keys, or under one of the allowed prefixes.
/// Keys that are not reserved are always allowed.
///
/// ```
/// use keelson_core_types::validation::labels::is_user_settable_key;
///
/// assert!(is_user_settable_key("app.kubernetes.io/name"));
/// assert!(is_user_settable_key("kubectl.kubernetes.io/restartedAt"));
/// assert!(is_user_settable_key("kubernetes.io/hostname"));
/// assert!(is_user_settable_key("example.com/anything"));
/// assert!(!is_user_settable_key("kubernetes.io/secret"));
/// assert!(!is_user_settable_key("deployment.kubernetes.io/max-replicas"));
/// ```
pub fn is_user_settable_key(key: &str) -> bool {
    if !is_reserved_key(key) {
        return true;
    }
    let (prefix, name) = key.split_once('/').unwrap_or(("", key));
    let prefix = prefix.to_ascii_lowercase();
    ALLOWED_RESERVED_PREFIXES.contains(&prefix.as_str())
        || ALLOWED_RESERVED_KEYS
            .iter()
            .any(|allowed| allowed.split_once('/').is_some_and(|(p, n)| p == prefix && n == name))
}

/// The errors for reserved keys of `new` that a user may not set.
///
/// On an update, pass the map as it was in `old`: a reserved key the user
/// keeps with its old value is not an error, so that a user can write back
/// an object on which the system has set reserved keys. A key the user adds
/// or changes is.
pub fn validate_reserved_keys(
    new: &BTreeMap<String, String>,
    old: Option<&BTreeMap<String, String>>,
    path: &Path,
) -> ErrorList {
    new.iter()
        .filter(|(key, value)| {
            !is_user_settable_key(key) && old.and_then(|old| old.get(*key)) != Some(*value)
        })
        .map(|(key, _)| {
            let prefix = key.split_once('/').map_or("", |(p, _)| p);
            Error::forbidden(
                &path.key(key.as_str()),
                format!(
                    "the prefix '{prefix}/' is reserved for Kubernetes components; this key is \
                     not one users may set"
                ),
            )
        })
        .collect()
}

/// Validates a label map: keys must be qualified names, values valid label
/// values. With [`Origin::User`], reserved keys outside the allow-list are
/// forbidden as well.
pub fn validate_labels(
    labels: &BTreeMap<String, String>,
    origin: Origin,
    path: &Path,
) -> ErrorList {
    let mut errors = ErrorList::new();
    for (key, value) in labels {
        errors.extend(is_qualified_name(key).into_iter().map(|m| Error::invalid(path, key, m)));
        errors.extend(
            is_valid_label_value(value).into_iter().map(|m| Error::invalid(path, value, m)),
        );
    }
    if origin == Origin::User {
        errors.append(validate_reserved_keys(labels, None, path));
    }
    errors
}

/// Validates an annotation map: keys must be qualified names once
/// lower-cased (annotation keys may use upper case in their prefix), and
/// all keys and values together may take at most
/// [`TOTAL_ANNOTATION_SIZE_LIMIT`] bytes. Values are free-form. With
/// [`Origin::User`], reserved keys outside the allow-list are forbidden as
/// well.
pub fn validate_annotations(
    annotations: &BTreeMap<String, String>,
    origin: Origin,
    path: &Path,
) -> ErrorList {
    let mut errors = ErrorList::new();
    for key in annotations.keys() {
        errors.extend(
            is_qualified_name(&key.to_ascii_lowercase())
                .into_iter()
                .map(|m| Error::invalid(path, key, m)),
        );
    }
    let total: usize = annotations.iter().map(|(k, v)| k.len() + v.len()).sum();
    if total > TOTAL_ANNOTATION_SIZE_LIMIT {
        errors.push(Error::too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT));
    }
    if origin == Origin::User {
        errors.append(validate_reserved_keys(annotations, None, path));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::field::ErrorType;

    fn map(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
        entries.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn labels_path() -> Path {
        Path::new("metadata").child("labels")
    }

    fn annotations_path() -> Path {
        Path::new("metadata").child("annotations")
    }

    #[test]
    fn valid_labels() {
        let labels = map(&[
            ("app", "web"),
            ("example.com/tier", "front_end.v1"),
            ("empty", ""),
            ("pod-template-hash", "7d9f8b6c5"),
            ("A", &"v".repeat(63)),
        ]);
        assert_eq!(validate_labels(&labels, Origin::User, &labels_path()), ErrorList::new());
    }

    #[test]
    fn invalid_label_keys_and_values_name_the_map_and_show_the_value() {
        let labels = map(&[("bad key", "ok"), ("good", "bad value")]);
        let errors = validate_labels(&labels, Origin::System, &labels_path());
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].field, "metadata.labels");
        assert_eq!(errors[0].type_, ErrorType::Invalid);
        assert_eq!(errors[0].bad_value.as_deref(), Some(r#""bad key""#));
        assert!(errors[0].detail.starts_with("name part "), "{}", errors[0].detail);
        assert_eq!(errors[1].bad_value.as_deref(), Some(r#""bad value""#));
        assert!(
            errors[1]
                .to_string()
                .starts_with(r#"metadata.labels: Invalid value: "bad value": a label value"#)
        );
    }

    #[test]
    fn label_lengths() {
        let path = labels_path();
        assert!(validate_labels(&map(&[(&"k".repeat(63), "v")]), Origin::System, &path).is_empty());
        assert_eq!(
            validate_labels(&map(&[(&"k".repeat(64), "v")]), Origin::System, &path).len(),
            1
        );
        assert!(validate_labels(&map(&[("k", &"v".repeat(63))]), Origin::System, &path).is_empty());
        assert_eq!(
            validate_labels(&map(&[("k", &"v".repeat(64))]), Origin::System, &path).len(),
            1
        );
    }

    #[test]
    fn upper_case_label_prefix_is_invalid_but_annotation_prefix_is_fine() {
        let entries = map(&[("Example.com/Key", "v")]);
        assert_eq!(validate_labels(&entries, Origin::System, &labels_path()).len(), 1);
        assert!(validate_annotations(&entries, Origin::System, &annotations_path()).is_empty());
    }

    #[test]
    fn invalid_annotation_keys() {
        let annotations =
            map(&[("a/b/c", "x"), ("/a", "x"), ("a/", "x"), ("ok", "any\nvalue at all: {}")]);
        let errors = validate_annotations(&annotations, Origin::System, &annotations_path());
        let values: Vec<_> = errors.iter().map(|e| e.bad_value.clone().unwrap()).collect();
        assert_eq!(values, [r#""/a""#, r#""a/""#, r#""a/""#, r#""a/b/c""#]);
        assert!(errors.iter().all(|e| e.field == "metadata.annotations"));
    }

    #[test]
    fn annotation_size_limit_is_inclusive() {
        let path = annotations_path();
        // Key "k" (1 byte) plus a value filling the limit exactly.
        let at_limit = map(&[("k", &"v".repeat(TOTAL_ANNOTATION_SIZE_LIMIT - 1))]);
        assert_eq!(TOTAL_ANNOTATION_SIZE_LIMIT, 262144);
        assert!(validate_annotations(&at_limit, Origin::System, &path).is_empty());

        let over = map(&[("k", &"v".repeat(TOTAL_ANNOTATION_SIZE_LIMIT))]);
        let errors = validate_annotations(&over, Origin::System, &path);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].type_, ErrorType::TooLong);
        assert_eq!(
            errors.to_string(),
            "metadata.annotations: Too long: must have at most 262144 bytes"
        );

        // Keys count too, summed over all entries.
        let split = map(&[("a", &"v".repeat(131071)), ("b", &"v".repeat(131071))]);
        assert!(validate_annotations(&split, Origin::System, &path).is_empty());
        let split_over = map(&[("a", &"v".repeat(131071)), ("bb", &"v".repeat(131071))]);
        assert_eq!(validate_annotations(&split_over, Origin::System, &path).len(), 1);
    }

    #[test]
    fn reserved_keys() {
        for key in [
            "kubernetes.io/os",
            "k8s.io/x",
            "node.kubernetes.io/instance-type",
            "foo.k8s.io/bar",
            "a.b.kubernetes.io/c",
            "Kubernetes.IO/x",
        ] {
            assert!(is_reserved_key(key), "{key}");
        }
        for key in [
            "app",
            "kubernetes.io",
            "example.com/x",
            "notkubernetes.io/x",
            "kubernetes.io.example.com/x",
            "xk8s.io/x",
            "example.com/kubernetes.io/x",
            "pod-template-hash",
        ] {
            assert!(!is_reserved_key(key), "{key}");
        }
    }

    #[test]
    fn user_settable_reserved_keys() {
        for key in [
            "kubernetes.io/metadata.name",
            "kubernetes.io/hostname",
            "kubernetes.io/os",
            "kubernetes.io/arch",
            "kubernetes.io/change-cause",
            "kubernetes.io/description",
            "kubernetes.io/service-account.name",
            "kubernetes.io/service-account.uid",
            "app.kubernetes.io/name",
            "app.kubernetes.io/part-of",
            "kubectl.kubernetes.io/last-applied-configuration",
            "kubectl.kubernetes.io/restartedAt",
            "kubectl.kubernetes.io/default-container",
            "topology.kubernetes.io/zone",
            "node-role.kubernetes.io/control-plane",
            "node.kubernetes.io/exclude-from-external-load-balancers",
            "deployment.kubernetes.io/revision",
            "pod-template-hash",
        ] {
            assert!(is_user_settable_key(key), "{key}");
        }
        for key in [
            "kubernetes.io/secret",
            "k8s.io/anything",
            "deployment.kubernetes.io/desired-replicas",
            "sub.app.kubernetes.io/name",
            "kubernetes.io/hostname2",
            "foo.k8s.io/os",
        ] {
            assert!(!is_user_settable_key(key), "{key}");
        }
    }

    #[test]
    fn reserved_keys_under_both_origins() {
        let entries = map(&[
            ("app", "web"),
            ("app.kubernetes.io/name", "web"),
            ("kubernetes.io/secret", "x"),
            ("node.k8s.io/thing", "y"),
        ]);
        for (validate, path) in [
            (validate_labels as fn(&_, _, &_) -> ErrorList, labels_path()),
            (validate_annotations, annotations_path()),
        ] {
            assert!(validate(&entries, Origin::System, &path).is_empty());
            let errors = validate(&entries, Origin::User, &path);
            let fields: Vec<_> = errors.iter().map(|e| e.field.clone()).collect();
            assert_eq!(
                fields,
                [format!("{path}[kubernetes.io/secret]"), format!("{path}[node.k8s.io/thing]")]
            );
            assert!(errors.iter().all(|e| e.type_ == ErrorType::Forbidden));
            assert!(errors[1].detail.contains("'node.k8s.io/'"));
        }
    }

    #[test]
    fn keys_users_commonly_write_are_settable() {
        for key in [
            "service.beta.kubernetes.io/aws-load-balancer-type",
            "nginx.ingress.kubernetes.io/rewrite-target",
            "pod-security.kubernetes.io/enforce",
            "storageclass.kubernetes.io/is-default-class",
            "kubernetes.io/ingress.class",
            "controller.kubernetes.io/pod-deletion-cost",
        ] {
            assert!(is_user_settable_key(key), "{key}");
        }
        for key in ["kubernetes.io/secret", "batch.kubernetes.io/job-name", "x.k8s.io/y"] {
            assert!(!is_user_settable_key(key), "{key}");
        }
    }

    #[test]
    fn reserved_keys_kept_from_the_old_object_are_allowed() {
        let path = labels_path();
        let old = map(&[("kubernetes.io/secret", "x"), ("k8s.io/other", "1")]);
        let kept = map(&[("kubernetes.io/secret", "x"), ("app", "web")]);
        assert!(validate_reserved_keys(&kept, Some(&old), &path).is_empty());

        let changed = map(&[("kubernetes.io/secret", "y"), ("k8s.io/new", "1")]);
        let errors = validate_reserved_keys(&changed, Some(&old), &path);
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["metadata.labels[k8s.io/new]", "metadata.labels[kubernetes.io/secret]"]
        );
        assert_eq!(validate_reserved_keys(&kept, None, &path).len(), 1);
    }
}
