//! Rules for [`ObjectMeta`] on create and on update.
//!
//! ```
//! use keelson_core_types::meta::ObjectMeta;
//! use keelson_core_types::validation::field::Path;
//! use keelson_core_types::validation::meta::validate_object_meta;
//! use keelson_core_types::validation::names::name_is_dns_subdomain;
//!
//! let path = Path::new("metadata");
//! let meta = ObjectMeta::named("settings").in_namespace("default");
//! assert!(validate_object_meta(&meta, true, name_is_dns_subdomain, &path).is_empty());
//!
//! let errors = validate_object_meta(&ObjectMeta::named("settings"), true, name_is_dns_subdomain, &path);
//! assert_eq!(errors.to_string(), "metadata.namespace: Required value");
//! ```

use std::collections::BTreeSet;

use super::field::{BadValue, Error, ErrorList, Path};
use super::labels::{Origin, validate_annotations, validate_labels, validate_reserved_keys};
use super::names::{NameFn, is_dns1123_label, is_qualified_name};
use crate::meta::{ManagedFieldsEntry, ObjectMeta, OwnerReference};

/// The finalizer that makes deletion orphan the object's dependents.
pub const FINALIZER_ORPHAN_DEPENDENTS: &str = "orphan";
/// The finalizer that makes deletion wait for the object's dependents.
pub const FINALIZER_DELETE_DEPENDENTS: &str = "foregroundDeletion";
/// The longest field manager name, in bytes.
pub const FIELD_MANAGER_MAX_LENGTH: usize = 128;
/// The longest subresource name in a managed-fields entry, in bytes.
pub const SUBRESOURCE_MAX_LENGTH: usize = 256;

/// The message of an error about a field that may not change.
const IMMUTABLE: &str = "field is immutable";

fn is_empty(value: &Option<String>) -> bool {
    value.as_deref().is_none_or(str::is_empty)
}

/// Validates the metadata of a new object, as the system writes it (no
/// reserved-key policy; see [`validate_object_meta_from`]).
///
/// - `name` must be set and pass `name_fn`, unless `generateName` is set
///   (the server then generates the name before storing the object); a
///   `generateName` must pass `name_fn` as a prefix.
/// - `namespace` is required and must be a DNS-1123 label when
///   `namespaced`, and forbidden otherwise.
/// - `generation` must not be negative.
/// - labels, annotations, owner references, finalizers and managed fields
///   must be well formed (see [`validate_owner_references`],
///   [`validate_finalizers`], [`validate_managed_fields`]).
pub fn validate_object_meta(
    meta: &ObjectMeta,
    namespaced: bool,
    name_fn: NameFn,
    path: &Path,
) -> ErrorList {
    validate_object_meta_from(Origin::System, meta, namespaced, name_fn, path)
}

/// [`validate_object_meta`] for metadata written by `origin`: with
/// [`Origin::User`], reserved label and annotation keys outside the
/// allow-list are forbidden.
pub fn validate_object_meta_from(
    origin: Origin,
    meta: &ObjectMeta,
    namespaced: bool,
    name_fn: NameFn,
    path: &Path,
) -> ErrorList {
    let mut errors = ErrorList::new();

    let generate_name = meta.generate_name.as_deref().unwrap_or("");
    if !generate_name.is_empty() {
        let field = path.child("generateName");
        errors.extend(
            name_fn(generate_name, true)
                .into_iter()
                .map(|m| Error::invalid(&field, generate_name, m)),
        );
    }
    let name_path = path.child("name");
    match meta.name.as_deref().unwrap_or("") {
        "" if generate_name.is_empty() => {
            errors.push(Error::required(&name_path, "name or generateName is required"));
        }
        "" => {}
        name => {
            errors.extend(
                name_fn(name, false).into_iter().map(|m| Error::invalid(&name_path, name, m)),
            );
        }
    }

    let namespace_path = path.child("namespace");
    let namespace = meta.namespace.as_deref().unwrap_or("");
    if namespaced {
        if namespace.is_empty() {
            errors.push(Error::required(&namespace_path, ""));
        } else {
            errors.extend(
                is_dns1123_label(namespace)
                    .into_iter()
                    .map(|m| Error::invalid(&namespace_path, namespace, m)),
            );
        }
    } else if !namespace.is_empty() {
        errors
            .push(Error::forbidden(&namespace_path, "must not be set on a cluster-scoped object"));
    }

    if let Some(generation) = meta.generation
        && generation < 0
    {
        errors.push(Error::invalid(
            &path.child("generation"),
            generation,
            "must be greater than or equal to 0",
        ));
    }

    errors.append(validate_labels(&meta.labels, origin, &path.child("labels")));
    errors.append(validate_annotations(&meta.annotations, origin, &path.child("annotations")));
    errors
        .append(validate_owner_references(&meta.owner_references, &path.child("ownerReferences")));
    errors.append(validate_finalizers(&meta.finalizers, &path.child("finalizers")));
    errors.append(validate_managed_fields(&meta.managed_fields, &path.child("managedFields")));
    errors
}

/// Validates the metadata of an updated object against the stored one, as
/// the system writes it (no reserved-key policy; see
/// [`validate_object_meta_update_from`]).
///
/// - `name`, `namespace`, `uid`, `creationTimestamp`, `deletionTimestamp`
///   and `deletionGracePeriodSeconds` must not change. As Kubernetes does,
///   the API server should copy the fields clients are not expected to send
///   back (an empty `uid`, the timestamps, the grace period) from `old`
///   into `new` before calling this.
/// - `resourceVersion` must be set: for an unconditional update the server
///   fills in the stored version first.
/// - `generation` must not decrease.
/// - no finalizer may be added once `old` is being deleted.
/// - labels, annotations, owner references, finalizers and managed fields
///   must be well formed, as on create.
pub fn validate_object_meta_update(new: &ObjectMeta, old: &ObjectMeta, path: &Path) -> ErrorList {
    validate_object_meta_update_from(Origin::System, new, old, path)
}

/// [`validate_object_meta_update`] for metadata written by `origin`: with
/// [`Origin::User`], reserved label and annotation keys outside the
/// allow-list may not be added or changed (keeping them as they are in
/// `old` is fine).
pub fn validate_object_meta_update_from(
    origin: Origin,
    new: &ObjectMeta,
    old: &ObjectMeta,
    path: &Path,
) -> ErrorList {
    let mut errors = ErrorList::new();

    let finalizers_path = path.child("finalizers");
    if old.deletion_timestamp.is_some() {
        let added: Vec<String> =
            new.finalizers.iter().filter(|f| !old.finalizers.contains(f)).cloned().collect();
        if !added.is_empty() {
            errors.push(Error::forbidden(
                &finalizers_path,
                format!(
                    "no finalizer may be added while the object is being deleted; added: {}",
                    added.render()
                ),
            ));
        }
    }
    errors.append(validate_finalizers(&new.finalizers, &finalizers_path));

    if is_empty(&new.resource_version) {
        errors.push(Error::invalid(
            &path.child("resourceVersion"),
            new.resource_version.as_deref().unwrap_or(""),
            "must be set on an update",
        ));
    }
    let (new_generation, old_generation) =
        (new.generation.unwrap_or(0), old.generation.unwrap_or(0));
    if new_generation < old_generation {
        errors.push(Error::invalid(
            &path.child("generation"),
            new_generation,
            format!("must not decrease (was {old_generation})"),
        ));
    }

    let string_fields = [
        ("name", &new.name, &old.name),
        ("namespace", &new.namespace, &old.namespace),
        ("uid", &new.uid, &old.uid),
    ];
    for (field, new_value, old_value) in string_fields {
        let (new_value, old_value) =
            (new_value.as_deref().unwrap_or(""), old_value.as_deref().unwrap_or(""));
        if new_value != old_value {
            errors.push(Error::invalid(&path.child(field), new_value, IMMUTABLE));
        }
    }
    let time_fields = [
        ("creationTimestamp", &new.creation_timestamp, &old.creation_timestamp),
        ("deletionTimestamp", &new.deletion_timestamp, &old.deletion_timestamp),
    ];
    for (field, new_value, old_value) in time_fields {
        if new_value != old_value {
            let shown = new_value.map(|t| t.to_string());
            errors.push(Error::invalid(&path.child(field), shown, IMMUTABLE));
        }
    }
    if new.deletion_grace_period_seconds != old.deletion_grace_period_seconds {
        errors.push(Error::invalid(
            &path.child("deletionGracePeriodSeconds"),
            new.deletion_grace_period_seconds,
            IMMUTABLE,
        ));
    }

    let labels_path = path.child("labels");
    let annotations_path = path.child("annotations");
    errors.append(validate_labels(&new.labels, Origin::System, &labels_path));
    errors.append(validate_annotations(&new.annotations, Origin::System, &annotations_path));
    if origin == Origin::User {
        errors.append(validate_reserved_keys(&new.labels, Some(&old.labels), &labels_path));
        errors.append(validate_reserved_keys(
            &new.annotations,
            Some(&old.annotations),
            &annotations_path,
        ));
    }
    errors.append(validate_owner_references(&new.owner_references, &path.child("ownerReferences")));
    errors.append(validate_managed_fields(&new.managed_fields, &path.child("managedFields")));
    errors
}

/// Validates owner references: each names its owner's `apiVersion` (with a
/// version), `kind`, `name` and `uid`; core `v1` Events may not own
/// objects; and at most one reference sets `controller: true`.
///
/// Errors name the reference by its index
/// (`metadata.ownerReferences[1].uid`).
pub fn validate_owner_references(references: &[OwnerReference], path: &Path) -> ErrorList {
    let mut errors = ErrorList::new();
    let mut controller: Option<String> = None;
    for (i, reference) in references.iter().enumerate() {
        let path = path.index(i);
        let api_version = reference.api_version.as_str();
        let (group, version) = match api_version.split_once('/') {
            Some((_, version)) if version.contains('/') => ("", ""),
            Some((group, version)) => (group, version),
            None => ("", api_version),
        };
        if version.is_empty() {
            errors.push(Error::invalid(
                &path.child("apiVersion"),
                api_version,
                "must name a version, as 'v1' or 'group/v1' (for example 'apps/v1')",
            ));
        }
        for (field, value) in
            [("kind", &reference.kind), ("name", &reference.name), ("uid", &reference.uid)]
        {
            if value.is_empty() {
                errors.push(Error::invalid(&path.child(field), value, "must not be empty"));
            }
        }
        if group.is_empty() && version == "v1" && reference.kind == "Event" {
            errors.push(Error::invalid(
                &path.child("kind"),
                &reference.kind,
                "a v1 Event may not own other objects",
            ));
        }
        if reference.controller == Some(true) {
            let this = format!("{}/{}", reference.kind, reference.name);
            match &controller {
                Some(first) => errors.push(Error::invalid(
                    &path.child("controller"),
                    true,
                    format!(
                        "only one owner reference may have controller set to true; {first} \
                         already does, so {this} may not"
                    ),
                )),
                None => controller = Some(this),
            }
        }
    }
    errors
}

/// Validates finalizers: each is a qualified name, none appears twice, and
/// `orphan` and `foregroundDeletion` are not both present.
pub fn validate_finalizers(finalizers: &[String], path: &Path) -> ErrorList {
    let mut errors = ErrorList::new();
    let mut seen = BTreeSet::new();
    for (i, finalizer) in finalizers.iter().enumerate() {
        errors.extend(
            is_qualified_name(finalizer).into_iter().map(|m| Error::invalid(path, finalizer, m)),
        );
        if !seen.insert(finalizer.as_str()) {
            errors.push(Error::duplicate(&path.index(i), finalizer));
        }
    }
    if seen.contains(FINALIZER_ORPHAN_DEPENDENTS) && seen.contains(FINALIZER_DELETE_DEPENDENTS) {
        errors.push(Error::invalid(
            path,
            finalizers,
            format!(
                "'{FINALIZER_ORPHAN_DEPENDENTS}' and '{FINALIZER_DELETE_DEPENDENTS}' ask for \
                 opposite deletions and may not both be set"
            ),
        ));
    }
    errors
}

/// Validates managed-fields entries: `operation` is `Apply` or `Update`,
/// `fieldsType` (when set) is `FieldsV1`, the manager name has at most 128
/// bytes of printable characters, and the subresource at most 256 bytes.
pub fn validate_managed_fields(entries: &[ManagedFieldsEntry], path: &Path) -> ErrorList {
    let mut errors = ErrorList::new();
    for (i, entry) in entries.iter().enumerate() {
        let path = path.index(i);
        let operation = entry.operation.as_deref().unwrap_or("");
        if !matches!(operation, "Apply" | "Update") {
            errors.push(Error::not_supported(
                &path.child("operation"),
                operation,
                &["Apply", "Update"],
            ));
        }
        let fields_type = entry.fields_type.as_deref().unwrap_or("");
        if !fields_type.is_empty() && fields_type != "FieldsV1" {
            errors.push(Error::not_supported(
                &path.child("fieldsType"),
                fields_type,
                &["FieldsV1"],
            ));
        }
        let manager = entry.manager.as_deref().unwrap_or("");
        let manager_path = path.child("manager");
        if manager.len() > FIELD_MANAGER_MAX_LENGTH {
            errors.push(Error::too_long(&manager_path, FIELD_MANAGER_MAX_LENGTH));
        }
        if manager.chars().any(char::is_control) {
            errors.push(Error::invalid(
                &manager_path,
                manager,
                "must contain only printable characters",
            ));
        }
        if entry.subresource.as_deref().unwrap_or("").len() > SUBRESOURCE_MAX_LENGTH {
            errors.push(Error::too_long(&path.child("subresource"), SUBRESOURCE_MAX_LENGTH));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Time;
    use crate::validation::field::ErrorType;
    use crate::validation::names::{
        name_is_dns_label, name_is_dns_subdomain, name_is_dns1035_label,
    };

    fn path() -> Path {
        Path::new("metadata")
    }

    fn fields(errors: &ErrorList) -> Vec<String> {
        errors.iter().map(|e| format!("{} {:?}", e.field, e.type_)).collect()
    }

    fn owner(kind: &str, name: &str, controller: bool) -> OwnerReference {
        OwnerReference {
            api_version: "apps/v1".into(),
            kind: kind.into(),
            name: name.into(),
            uid: format!("uid-{name}"),
            controller: controller.then_some(true),
            block_owner_deletion: None,
        }
    }

    fn t(s: &str) -> Time {
        s.parse().unwrap()
    }

    #[test]
    fn a_valid_namespaced_object() {
        let meta = ObjectMeta {
            generation: Some(3),
            owner_references: vec![owner("ReplicaSet", "web-1", true), owner("Other", "x", false)],
            finalizers: vec!["example.com/cleanup".into(), "kubernetes".into()],
            managed_fields: vec![ManagedFieldsEntry {
                manager: Some("kubectl-client-side-apply".into()),
                operation: Some("Update".into()),
                fields_type: Some("FieldsV1".into()),
                ..ManagedFieldsEntry::default()
            }],
            ..ObjectMeta::named("web-1.abc")
                .in_namespace("prod")
                .label("app", "web")
                .annotation("example.com/Note", "anything")
        };
        assert_eq!(
            validate_object_meta(&meta, true, name_is_dns_subdomain, &path()),
            ErrorList::new()
        );
    }

    #[test]
    fn namespace_is_required_for_namespaced_and_forbidden_for_cluster_scoped() {
        let unnamespaced = ObjectMeta::named("a");
        let namespaced = ObjectMeta::named("a").in_namespace("default");

        let errors = validate_object_meta(&unnamespaced, true, name_is_dns_subdomain, &path());
        assert_eq!(errors.to_string(), "metadata.namespace: Required value");
        assert!(
            validate_object_meta(&unnamespaced, false, name_is_dns_subdomain, &path()).is_empty()
        );

        let errors = validate_object_meta(&namespaced, false, name_is_dns_subdomain, &path());
        assert_eq!(
            errors.to_string(),
            "metadata.namespace: Forbidden: must not be set on a cluster-scoped object"
        );
        assert!(validate_object_meta(&namespaced, true, name_is_dns_subdomain, &path()).is_empty());

        // An empty string counts as unset.
        let empty_ns = ObjectMeta::named("a").in_namespace("");
        assert!(validate_object_meta(&empty_ns, false, name_is_dns_subdomain, &path()).is_empty());
        assert_eq!(validate_object_meta(&empty_ns, true, name_is_dns_subdomain, &path()).len(), 1);
    }

    #[test]
    fn namespace_must_be_a_dns_label() {
        for bad in ["a.b", "Prod", "-x", &"n".repeat(64)] {
            let meta = ObjectMeta::named("a").in_namespace(bad);
            let errors = validate_object_meta(&meta, true, name_is_dns_subdomain, &path());
            assert!(!errors.is_empty(), "{bad}");
            assert!(
                errors
                    .iter()
                    .all(|e| e.field == "metadata.namespace" && e.type_ == ErrorType::Invalid)
            );
        }
        let ok = ObjectMeta::named("a").in_namespace("n".repeat(63));
        assert!(validate_object_meta(&ok, true, name_is_dns_subdomain, &path()).is_empty());
    }

    #[test]
    fn name_rules() {
        let none = ObjectMeta::default();
        assert_eq!(
            validate_object_meta(&none, false, name_is_dns_subdomain, &path()).to_string(),
            "metadata.name: Required value: name or generateName is required"
        );
        let empty = ObjectMeta::named("");
        assert_eq!(validate_object_meta(&empty, false, name_is_dns_subdomain, &path()).len(), 1);

        let bad = ObjectMeta::named("Foo_Bar");
        let errors = validate_object_meta(&bad, false, name_is_dns_subdomain, &path());
        assert_eq!(errors.len(), 1);
        assert!(
            errors
                .to_string()
                .starts_with(r#"metadata.name: Invalid value: "Foo_Bar": a DNS-1123 subdomain"#)
        );

        // The name function decides: dots are fine in a subdomain, not in a label.
        let dotted = ObjectMeta::named("a.b");
        assert!(validate_object_meta(&dotted, false, name_is_dns_subdomain, &path()).is_empty());
        assert_eq!(validate_object_meta(&dotted, false, name_is_dns_label, &path()).len(), 1);
        let digit = ObjectMeta::named("1svc").in_namespace("default");
        assert_eq!(validate_object_meta(&digit, true, name_is_dns1035_label, &path()).len(), 1);
    }

    #[test]
    fn generate_name() {
        let generated = ObjectMeta { generate_name: Some("web-".into()), ..ObjectMeta::default() };
        assert!(validate_object_meta(&generated, false, name_is_dns_subdomain, &path()).is_empty());

        let bad = ObjectMeta { generate_name: Some("Web-".into()), ..ObjectMeta::default() };
        let errors = validate_object_meta(&bad, false, name_is_dns_subdomain, &path());
        assert_eq!(fields(&errors), ["metadata.generateName Invalid"]);

        // Both given: both checked.
        let both = ObjectMeta { generate_name: Some("x-".into()), ..ObjectMeta::named("x-abcde") };
        assert!(validate_object_meta(&both, false, name_is_dns_subdomain, &path()).is_empty());
    }

    #[test]
    fn negative_generation() {
        let meta = ObjectMeta { generation: Some(-1), ..ObjectMeta::named("a") };
        assert_eq!(
            validate_object_meta(&meta, false, name_is_dns_subdomain, &path()).to_string(),
            "metadata.generation: Invalid value: -1: must be greater than or equal to 0"
        );
        let zero = ObjectMeta { generation: Some(0), ..ObjectMeta::named("a") };
        assert!(validate_object_meta(&zero, false, name_is_dns_subdomain, &path()).is_empty());
    }

    #[test]
    fn labels_and_annotations_are_checked_with_their_paths() {
        let meta = ObjectMeta::named("a").label("bad key", "v").annotation("/x", "v");
        let errors = validate_object_meta(&meta, false, name_is_dns_subdomain, &path());
        assert_eq!(fields(&errors), ["metadata.labels Invalid", "metadata.annotations Invalid"]);
    }

    #[test]
    fn reserved_keys_depend_on_the_origin() {
        let meta = ObjectMeta::named("a")
            .label("kubernetes.io/secret", "x")
            .label("app.kubernetes.io/name", "a");
        assert!(validate_object_meta(&meta, false, name_is_dns_subdomain, &path()).is_empty());
        let errors =
            validate_object_meta_from(Origin::User, &meta, false, name_is_dns_subdomain, &path());
        assert_eq!(fields(&errors), ["metadata.labels[kubernetes.io/secret] Forbidden"]);
    }

    #[test]
    fn owner_references() {
        let refs = vec![
            OwnerReference { api_version: String::new(), ..owner("A", "a", false) },
            OwnerReference {
                api_version: "apps/".into(),
                kind: String::new(),
                ..owner("B", "b", false)
            },
            OwnerReference { name: String::new(), uid: String::new(), ..owner("C", "c", false) },
            OwnerReference { api_version: "a/b/c".into(), ..owner("D", "d", false) },
            OwnerReference { api_version: "v1".into(), ..owner("Event", "e", false) },
            OwnerReference {
                api_version: "events.k8s.io/v1".into(),
                ..owner("Event", "e2", false)
            },
            OwnerReference { api_version: "v1".into(), ..owner("ConfigMap", "cm", false) },
        ];
        let errors = validate_owner_references(&refs, &path().child("ownerReferences"));
        assert_eq!(
            fields(&errors),
            [
                "metadata.ownerReferences[0].apiVersion Invalid",
                "metadata.ownerReferences[1].apiVersion Invalid",
                "metadata.ownerReferences[1].kind Invalid",
                "metadata.ownerReferences[2].name Invalid",
                "metadata.ownerReferences[2].uid Invalid",
                "metadata.ownerReferences[3].apiVersion Invalid",
                "metadata.ownerReferences[4].kind Invalid",
            ]
        );
        assert_eq!(
            errors[4].to_string(),
            r#"metadata.ownerReferences[2].uid: Invalid value: "": must not be empty"#
        );
    }

    #[test]
    fn at_most_one_controller() {
        let refs = vec![
            owner("ReplicaSet", "a", true),
            owner("Other", "b", false),
            owner("Job", "c", true),
        ];
        let errors = validate_owner_references(&refs, &path().child("ownerReferences"));
        assert_eq!(
            errors.to_string(),
            "metadata.ownerReferences[2].controller: Invalid value: true: only one owner reference \
             may have controller set to true; ReplicaSet/a already does, so Job/c may not"
        );
        let one = vec![owner("ReplicaSet", "a", true), owner("Job", "c", false)];
        assert!(validate_owner_references(&one, &path()).is_empty());
    }

    #[test]
    fn finalizers() {
        let p = path().child("finalizers");
        let good: Vec<String> =
            ["kubernetes", "example.com/x", FINALIZER_ORPHAN_DEPENDENTS].map(String::from).into();
        assert!(validate_finalizers(&good, &p).is_empty());

        let bad: Vec<String> = ["a/b/c", "example.com/x", "example.com/x"].map(String::from).into();
        let errors = validate_finalizers(&bad, &p);
        assert_eq!(
            fields(&errors),
            ["metadata.finalizers Invalid", "metadata.finalizers[2] Duplicate"]
        );
        assert_eq!(
            errors[1].to_string(),
            r#"metadata.finalizers[2]: Duplicate value: "example.com/x""#
        );

        let both: Vec<String> =
            [FINALIZER_ORPHAN_DEPENDENTS, FINALIZER_DELETE_DEPENDENTS].map(String::from).into();
        let errors = validate_finalizers(&both, &p);
        assert_eq!(errors.len(), 1);
        assert!(errors.to_string().starts_with(
            r#"metadata.finalizers: Invalid value: ["orphan", "foregroundDeletion"]: "#
        ));
    }

    #[test]
    fn managed_fields() {
        let entries = vec![
            ManagedFieldsEntry {
                operation: Some("Apply".into()),
                manager: Some("m".repeat(128)),
                ..Default::default()
            },
            ManagedFieldsEntry {
                operation: Some("Patch".into()),
                fields_type: Some("FieldsV2".into()),
                manager: Some("m".repeat(129)),
                subresource: Some("s".repeat(257)),
                ..Default::default()
            },
            ManagedFieldsEntry {
                operation: None,
                manager: Some("tab\there".into()),
                ..Default::default()
            },
        ];
        let errors = validate_managed_fields(&entries, &path().child("managedFields"));
        assert_eq!(
            fields(&errors),
            [
                "metadata.managedFields[1].operation NotSupported",
                "metadata.managedFields[1].fieldsType NotSupported",
                "metadata.managedFields[1].manager TooLong",
                "metadata.managedFields[1].subresource TooLong",
                "metadata.managedFields[2].operation NotSupported",
                "metadata.managedFields[2].manager Invalid",
            ]
        );
        assert_eq!(
            errors[0].to_string(),
            r#"metadata.managedFields[1].operation: Unsupported value: "Patch": supported values: "Apply", "Update""#
        );
    }

    fn stored() -> ObjectMeta {
        ObjectMeta {
            uid: Some("1234".into()),
            resource_version: Some("7".into()),
            generation: Some(2),
            creation_timestamp: Some(t("2024-05-01T12:00:00Z")),
            ..ObjectMeta::named("web").in_namespace("prod").label("app", "web")
        }
    }

    #[test]
    fn an_unchanged_update_is_valid() {
        let old = stored();
        let mut new = old.clone();
        new.labels.insert("tier".into(), "front".into());
        new.generation = Some(3);
        assert_eq!(validate_object_meta_update(&new, &old, &path()), ErrorList::new());
    }

    #[test]
    fn immutable_fields() {
        let old = stored();
        let new = ObjectMeta {
            name: Some("web2".into()),
            namespace: Some("dev".into()),
            uid: Some("5678".into()),
            creation_timestamp: Some(t("2024-05-02T12:00:00Z")),
            deletion_timestamp: Some(t("2024-05-03T12:00:00Z")),
            deletion_grace_period_seconds: Some(30),
            ..old.clone()
        };
        let errors = validate_object_meta_update(&new, &old, &path());
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                r#"metadata.name: Invalid value: "web2": field is immutable"#,
                r#"metadata.namespace: Invalid value: "dev": field is immutable"#,
                r#"metadata.uid: Invalid value: "5678": field is immutable"#,
                r#"metadata.creationTimestamp: Invalid value: "2024-05-02T12:00:00Z": field is immutable"#,
                r#"metadata.deletionTimestamp: Invalid value: "2024-05-03T12:00:00Z": field is immutable"#,
                "metadata.deletionGracePeriodSeconds: Invalid value: 30: field is immutable",
            ]
        );

        // Clearing a set field is a change too.
        let cleared = ObjectMeta { uid: None, creation_timestamp: None, ..old.clone() };
        let errors = validate_object_meta_update(&cleared, &old, &path());
        assert_eq!(
            errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                r#"metadata.uid: Invalid value: "": field is immutable"#,
                "metadata.creationTimestamp: Invalid value: null: field is immutable",
            ]
        );
    }

    #[test]
    fn update_needs_a_resource_version_and_a_non_decreasing_generation() {
        let old = stored();
        let new = ObjectMeta { resource_version: None, generation: Some(1), ..old.clone() };
        let errors = validate_object_meta_update(&new, &old, &path());
        assert_eq!(
            errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                r#"metadata.resourceVersion: Invalid value: "": must be set on an update"#,
                "metadata.generation: Invalid value: 1: must not decrease (was 2)",
            ]
        );
    }

    #[test]
    fn no_new_finalizers_while_deleting() {
        let mut old = stored();
        old.finalizers = vec!["example.com/a".into()];
        let mut new = old.clone();
        new.finalizers.push("example.com/b".into());
        // Not being deleted: adding is fine.
        assert!(validate_object_meta_update(&new, &old, &path()).is_empty());

        old.deletion_timestamp = Some(t("2024-05-03T12:00:00Z"));
        new.deletion_timestamp = old.deletion_timestamp;
        let errors = validate_object_meta_update(&new, &old, &path());
        assert_eq!(
            errors.to_string(),
            r#"metadata.finalizers: Forbidden: no finalizer may be added while the object is being deleted; added: ["example.com/b"]"#
        );
        // Removing finalizers while deleting is fine.
        new.finalizers.clear();
        assert!(validate_object_meta_update(&new, &old, &path()).is_empty());
    }

    #[test]
    fn update_checks_labels_annotations_owners_and_finalizers() {
        let old = stored();
        let mut new = old.clone();
        new.labels.insert("bad key".into(), "v".into());
        new.annotations.insert("k".into(), "v".repeat(262144));
        new.owner_references.push(owner("", "x", false));
        new.finalizers = vec!["f".into(), "f".into()];
        let errors = validate_object_meta_update(&new, &old, &path());
        assert_eq!(
            fields(&errors),
            [
                "metadata.finalizers[1] Duplicate",
                "metadata.labels Invalid",
                "metadata.annotations TooLong",
                "metadata.ownerReferences[0].kind Invalid",
            ]
        );
    }

    #[test]
    fn user_updates_may_keep_but_not_add_reserved_keys() {
        let mut old = stored();
        old.labels.insert("kubernetes.io/managed".into(), "yes".into());
        old.annotations.insert("k8s.io/note".into(), "n".into());
        let kept = old.clone();
        assert!(validate_object_meta_update_from(Origin::User, &kept, &old, &path()).is_empty());

        let mut changed = old.clone();
        changed.labels.insert("kubernetes.io/managed".into(), "no".into());
        changed.annotations.insert("foo.k8s.io/new".into(), "n".into());
        changed.annotations.insert("kubectl.kubernetes.io/restartedAt".into(), "now".into());
        let errors = validate_object_meta_update_from(Origin::User, &changed, &old, &path());
        assert_eq!(
            fields(&errors),
            [
                "metadata.labels[kubernetes.io/managed] Forbidden",
                "metadata.annotations[foo.k8s.io/new] Forbidden"
            ]
        );
        assert!(validate_object_meta_update(&changed, &old, &path()).is_empty());
    }
}
