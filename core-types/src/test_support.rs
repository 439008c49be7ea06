//! Round-trip checks shared by the unit tests of the kinds and their parts.
//!
//! A kind's tests decode a manifest, check that no field of it was dropped,
//! write it back and compare with the input. Most also ask k8s-openapi to
//! read and write the same manifest, as an independent opinion of what the
//! wire format is.

use std::collections::BTreeSet;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::codec;

/// Decodes `manifest` as a `T`, fails on any field `T` does not know (the
/// type fields `apiVersion` and `kind` are accepted at any depth, as the
/// strict decoder does), writes the value back and checks the JSON is the
/// input unchanged. Returns the decoded value for further assertions.
pub(crate) fn round_trip<T: Serialize + DeserializeOwned>(manifest: &Value) -> T {
    let mut unknown = Vec::new();
    let obj: T = serde_ignored::deserialize(manifest, |path| codec::record(&mut unknown, &path))
        .unwrap_or_else(|e| panic!("cannot decode the manifest: {e}"));
    assert!(unknown.is_empty(), "unknown fields: {unknown:?}");
    let written = serde_json::to_value(&obj).unwrap_or_else(|e| panic!("cannot encode: {e}"));
    assert_same(&written, manifest, "re-encoding changed the manifest");
    obj
}

/// [`round_trip`], and then checks that k8s-openapi's `Theirs` also reads
/// the manifest and writes back exactly the same JSON as ours.
pub(crate) fn round_trip_with_oracle<Ours, Theirs>(manifest: &Value) -> Ours
where
    Ours: Serialize + DeserializeOwned,
    Theirs: Serialize + DeserializeOwned,
{
    let ours = round_trip::<Ours>(manifest);
    let theirs: Theirs = serde_json::from_value(manifest.clone())
        .unwrap_or_else(|e| panic!("k8s-openapi cannot decode the manifest: {e}"));
    let written =
        serde_json::to_value(&theirs).unwrap_or_else(|e| panic!("k8s-openapi cannot encode: {e}"));
    // `round_trip` has shown that ours writes `manifest`.
    assert_same(&written, manifest, "k8s-openapi disagrees");
    ours
}

/// Panics with the first place where `written` and `expected` differ.
fn assert_same(written: &Value, expected: &Value, what: &str) {
    if let Some(diff) = first_difference(written, expected) {
        let show = |v: Option<&Value>| v.map_or_else(|| "nothing".to_string(), Value::to_string);
        let path = if diff.path.is_empty() { "the top level" } else { diff.path.as_str() };
        panic!(
            "{what} at `{path}`: wrote {}, expected {}\nwhole output: {written}",
            show(diff.written),
            show(diff.expected),
        );
    }
}

/// Where two JSON values first differ, and what each holds there (`None`
/// for a missing key or array element).
#[derive(Debug, PartialEq)]
struct Difference<'a> {
    /// The path, rendered as the strict decoder renders it:
    /// `spec.containers[0].image`; empty for the top level.
    path: String,
    /// What the written value holds at `path`.
    written: Option<&'a Value>,
    /// What the expected value holds at `path`.
    expected: Option<&'a Value>,
}

/// The first difference between `written` and `expected`, walking object
/// keys in sorted order and arrays by index; `None` when they are equal.
fn first_difference<'a>(written: &'a Value, expected: &'a Value) -> Option<Difference<'a>> {
    diff_at(String::new(), Some(written), Some(expected))
}

fn diff_at<'a>(
    path: String,
    written: Option<&'a Value>,
    expected: Option<&'a Value>,
) -> Option<Difference<'a>> {
    match (written, expected) {
        (Some(Value::Object(w)), Some(Value::Object(e))) => {
            let keys: BTreeSet<&String> = w.keys().chain(e.keys()).collect();
            keys.into_iter().find_map(|key| {
                let child = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                diff_at(child, w.get(key), e.get(key))
            })
        }
        (Some(Value::Array(w)), Some(Value::Array(e))) => (0..w.len().max(e.len()))
            .find_map(|i| diff_at(format!("{path}[{i}]"), w.get(i), e.get(i))),
        (w, e) if w == e => None,
        (written, expected) => Some(Difference { path, written, expected }),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::api::apiextensions::v1::JSONSchemaProps;
    use crate::api::core::v1::{ConfigMap, Namespace};

    #[test]
    fn first_difference_names_the_path() {
        let written = json!({"a": 1, "spec": {"containers": [{"name": "c", "image": "x:1"}]}});
        let same = written.clone();
        assert_eq!(first_difference(&written, &same), None);

        let mut expected = written.clone();
        expected["spec"]["containers"][0]["image"] = json!("x:2");
        let diff = first_difference(&written, &expected).unwrap();
        assert_eq!(diff.path, "spec.containers[0].image");
        assert_eq!(diff.written, Some(&json!("x:1")));
        assert_eq!(diff.expected, Some(&json!("x:2")));

        let longer = json!({"a": 1, "spec": {"containers": [{"name": "c", "image": "x:1"}, {}]}});
        let diff = first_difference(&written, &longer).unwrap();
        assert_eq!((diff.path.as_str(), diff.written), ("spec.containers[1]", None));

        let (short, full) = (json!({"b": 1}), json!({"a": 1, "b": 1}));
        let diff = first_difference(&short, &full).unwrap();
        assert_eq!((diff.path.as_str(), diff.expected), ("a", Some(&json!(1))));

        let (array, object) = (json!([1]), json!({}));
        assert_eq!(first_difference(&array, &object).unwrap().path, "");
        // Integers and floats are different JSON, as they are to `assert_eq!`.
        assert!(first_difference(&json!(100), &json!(100.0)).is_some());
    }

    #[test]
    fn round_trip_returns_the_decoded_value() {
        let manifest = json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "a", "ownerReferences": [
                {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "u-1"}
            ]},
            "data": {"k": "v"}
        });
        let cm =
            round_trip_with_oracle::<ConfigMap, k8s_openapi::api::core::v1::ConfigMap>(&manifest);
        assert_eq!(cm.data["k"], "v");
        assert_eq!(cm.metadata.owner_references[0].kind, "Deployment");
    }

    #[test]
    #[should_panic(
        expected = r#"unknown fields: ["metadata.ownerReferences[0].extra", "spec.bogus"]"#
    )]
    fn round_trip_reports_unknown_fields_by_path() {
        round_trip::<Namespace>(&json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": "a", "ownerReferences": [
                {"apiVersion": "v1", "kind": "X", "name": "n", "uid": "u", "extra": 1}
            ]},
            "spec": {"bogus": true}
        }));
    }

    #[test]
    #[should_panic(expected = "re-encoding changed the manifest at `apiVersion`: wrote \"v1\"")]
    fn round_trip_fails_when_the_output_differs() {
        // The kind writes its type fields, which this manifest leaves out.
        round_trip::<Namespace>(&json!({"metadata": {"name": "a"}}));
    }

    #[test]
    #[should_panic(expected = "k8s-openapi disagrees at `maximum`: wrote 10.0, expected 10")]
    fn round_trip_with_oracle_fails_when_k8s_openapi_writes_other_json() {
        // k8s-openapi holds bounds as floats and writes `10` back as `10.0`.
        round_trip_with_oracle::<
            JSONSchemaProps,
            k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::JSONSchemaProps,
        >(&json!({"type": "integer", "maximum": 10}));
    }
}
