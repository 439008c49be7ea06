//! Property tests for the validation rules: grammar-generated names are
//! accepted, names breaking the grammar are rejected, and no validator
//! panics on arbitrary input.

use std::collections::BTreeMap;

use keelson_core_types::meta::{ObjectMeta, OwnerReference};
use keelson_core_types::validation::field::{Path, to_status};
use keelson_core_types::validation::labels::{
    Origin, is_reserved_key, is_user_settable_key, validate_annotations, validate_labels,
};
use keelson_core_types::validation::meta::{
    validate_object_meta, validate_object_meta_from, validate_object_meta_update,
};
use keelson_core_types::validation::names;
use proptest::prelude::*;

/// The DNS-1123 label grammar, at most 63 bytes.
const DNS1123_LABEL: &str = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";

proptest! {
    #[test]
    fn grammar_labels_are_accepted(label in DNS1123_LABEL) {
        prop_assert!(label.len() <= 63);
        prop_assert_eq!(names::is_dns1123_label(&label), Vec::<String>::new());
        // A label is also a subdomain, a label value and a qualified name.
        prop_assert!(names::is_dns1123_subdomain(&label).is_empty());
        prop_assert!(names::is_valid_label_value(&label).is_empty());
        prop_assert!(names::is_qualified_name(&label).is_empty());
        // And a generateName prefix, with or without a trailing '-'.
        let prefix = format!("{}-", &label[..label.len().min(62)]);
        prop_assert!(names::name_is_dns_label(&prefix, true).is_empty());
    }

    #[test]
    fn grammar_subdomains_are_accepted(parts in prop::collection::vec(DNS1123_LABEL, 1..4)) {
        let subdomain = parts.join(".");
        prop_assume!(subdomain.len() <= 253);
        prop_assert!(names::is_dns1123_subdomain(&subdomain).is_empty());
        let key = [subdomain.as_str(), parts[0].as_str()].join("/");
        prop_assert!(names::is_qualified_name(&key).is_empty());
    }

    #[test]
    fn upper_case_or_underscore_is_rejected(
        label in DNS1123_LABEL,
        at in any::<prop::sample::Index>(),
        bad in prop::sample::select(vec!['_', 'A', 'Z', 'Q']),
    ) {
        let mut chars: Vec<char> = label.chars().collect();
        let i = at.index(chars.len() + 1);
        chars.insert(i, bad);
        let name: String = chars.into_iter().collect();
        prop_assert!(!names::is_dns1123_label(&name).is_empty(), "{name:?}");
        prop_assert!(!names::is_dns1123_subdomain(&name).is_empty(), "{name:?}");
        prop_assert!(!names::is_dns1035_label(&name).is_empty(), "{name:?}");
        prop_assert!(!names::name_is_dns_subdomain(&name, false).is_empty(), "{name:?}");
    }

    #[test]
    fn over_long_labels_are_rejected(label in "[a-z]{64,100}") {
        prop_assert!(!names::is_dns1123_label(&label).is_empty());
        prop_assert!(!names::is_valid_label_value(&label).is_empty());
    }

    #[test]
    fn name_validators_never_panic(s in any::<String>(), prefix in any::<bool>(), n in any::<i64>()) {
        let rules: [fn(&str) -> Vec<String>; 14] = [
            names::is_dns1123_label,
            names::is_dns1123_subdomain,
            names::is_dns1035_label,
            names::is_qualified_name,
            names::is_valid_label_value,
            names::is_c_identifier,
            names::is_env_var_name,
            names::is_config_map_key,
            names::is_valid_port_name,
            names::is_valid_ip,
            names::is_valid_cidr,
            names::is_valid_percent,
            names::is_valid_path_segment_name,
            |s| names::name_is_dns1035_label(s, true),
        ];
        for rule in rules {
            let _ = rule(&s);
        }
        let name_fns: [names::NameFn; 4] = [
            names::name_is_dns_subdomain,
            names::name_is_dns_label,
            names::name_is_dns1035_label,
            names::name_is_path_segment,
        ];
        for name_fn in name_fns {
            let _ = name_fn(&s, prefix);
        }
        let _ = names::is_valid_port_num(n);
        let _ = is_reserved_key(&s);
        let _ = is_user_settable_key(&s);
    }

    #[test]
    fn slash_and_unicode_heavy_inputs_never_panic(s in "[/.a-zA-Z0-9_é世-]{0,80}") {
        let _ = names::is_qualified_name(&s);
        let _ = names::name_is_dns_subdomain(&s, true);
        let _ = is_reserved_key(&s);
        let _ = is_user_settable_key(&s);
    }

    #[test]
    fn metadata_validators_never_panic(
        name in proptest::option::of(any::<String>()),
        generate_name in proptest::option::of(any::<String>()),
        namespace in proptest::option::of(any::<String>()),
        labels in prop::collection::btree_map(any::<String>(), any::<String>(), 0..4),
        annotations in prop::collection::btree_map(any::<String>(), any::<String>(), 0..4),
        finalizers in prop::collection::vec(any::<String>(), 0..4),
        owner in (any::<String>(), any::<String>(), any::<String>(), any::<Option<bool>>()),
        generation in proptest::option::of(any::<i64>()),
        namespaced in any::<bool>(),
    ) {
        let meta = ObjectMeta {
            name,
            generate_name,
            namespace,
            labels,
            annotations,
            finalizers,
            generation,
            owner_references: vec![OwnerReference {
                api_version: owner.0,
                kind: owner.1,
                name: owner.2,
                uid: String::new(),
                controller: owner.3,
                block_owner_deletion: None,
            }],
            ..ObjectMeta::default()
        };
        let path = Path::new("metadata");
        let errors = validate_object_meta(&meta, namespaced, names::name_is_dns_subdomain, &path);
        // The owner reference has no uid, so there is always at least one error,
        // and every error becomes one cause.
        prop_assert!(!errors.is_empty());
        let status = to_status(&errors, "ConfigMap", "", meta.name.as_deref().unwrap_or(""));
        prop_assert_eq!(status.code, Some(422));
        prop_assert_eq!(status.details.unwrap().causes.len(), errors.len());

        let _ = validate_object_meta_from(Origin::User, &meta, namespaced, names::name_is_path_segment, &path);
        let _ = validate_object_meta_update(&meta, &ObjectMeta::default(), &path);
        let _ = validate_labels(&meta.labels, Origin::User, &path.child("labels"));
        let _ = validate_annotations(&meta.annotations, Origin::User, &path.child("annotations"));
    }

    #[test]
    fn valid_label_maps_pass(
        labels in prop::collection::btree_map(DNS1123_LABEL, "([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?", 0..6),
    ) {
        let labels: BTreeMap<String, String> = labels;
        let path = Path::new("metadata").child("labels");
        prop_assert!(validate_labels(&labels, Origin::User, &path).is_empty());
        prop_assert!(validate_annotations(&labels, Origin::User, &path).is_empty());
    }
}
