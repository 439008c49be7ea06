//! Reading and writing objects: JSON, YAML (multi-document streams too), and
//! a strict decoder that reports unknown fields by path.
//!
//! Kubernetes drops fields it does not know when it decodes an object, and
//! so does every `Deserialize` impl in this crate. [`from_json_strict`] and
//! [`from_yaml_strict`] decode the same way but also return the path of every
//! field that was dropped, which is what the API server needs for
//! `fieldValidation=Strict` and `Warn`.
//!
//! ```
//! use keelson_core_types::api::core::v1::ConfigMap;
//! use keelson_core_types::codec;
//!
//! let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  colour: blue\ndata:\n  k: v\n";
//! let (cm, unknown) = codec::from_yaml_strict::<ConfigMap>(yaml).unwrap();
//! assert_eq!(cm.data["k"], "v");
//! assert_eq!(unknown, vec!["metadata.colour".to_string()]);
//! ```

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::dynamic::DynamicObject;
use crate::meta::TypeMeta;
use crate::resource::StaticResource;

/// Result of a codec operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why an object could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is not valid JSON for the type.
    #[error("invalid JSON: {0}")]
    Json(#[source] serde_json::Error),
    /// The input is not valid YAML for the type.
    #[error("invalid YAML: {0}")]
    Yaml(#[source] serde_yaml_ng::Error),
    /// The input is valid JSON or YAML but not an object.
    #[error("an object must be a JSON or YAML mapping, not {found}")]
    NotAnObject {
        /// What was found instead (`an array`, `null`, ...).
        found: &'static str,
    },
    /// The input names another kind than the one expected.
    #[error("expected {expected_api_version} {expected_kind}, got {api_version:?} {kind:?}")]
    TypeMismatch {
        /// The `apiVersion` expected.
        expected_api_version: String,
        /// The `kind` expected.
        expected_kind: String,
        /// The `apiVersion` found.
        api_version: String,
        /// The `kind` found.
        kind: String,
    },
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Json(e)
    }
}

impl From<serde_yaml_ng::Error> for Error {
    fn from(e: serde_yaml_ng::Error) -> Self {
        Error::Yaml(e)
    }
}

fn describe(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Refuses JSON input whose top level is not an object (serde would accept
/// an array as a struct in field order).
fn require_json_object(json: &[u8]) -> Result<()> {
    match json.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => Ok(()),
        _ => {
            let v: serde_json::Value = serde_json::from_slice(json)?;
            Err(Error::NotAnObject { found: describe(&v) })
        }
    }
}

fn require_value_object(v: &serde_json::Value) -> Result<()> {
    if v.is_object() { Ok(()) } else { Err(Error::NotAnObject { found: describe(v) }) }
}

/// Checks that `types` is empty or names `K`'s kind.
pub fn check_type_meta<K: StaticResource>(types: &TypeMeta) -> Result<()> {
    let ar = K::API_RESOURCE;
    let version_ok = types.api_version.is_empty() || types.api_version == ar.api_version;
    let kind_ok = types.kind.is_empty() || types.kind == ar.kind;
    if version_ok && kind_ok {
        Ok(())
    } else {
        Err(Error::TypeMismatch {
            expected_api_version: ar.api_version.to_string(),
            expected_kind: ar.kind.to_string(),
            api_version: types.api_version.clone(),
            kind: types.kind.clone(),
        })
    }
}

/// Decodes a typed object from JSON, checking `apiVersion` and `kind` when
/// present. Unknown fields are dropped.
pub fn from_json<K: StaticResource + DeserializeOwned>(json: &[u8]) -> Result<K> {
    require_json_object(json)?;
    check_type_meta::<K>(&serde_json::from_slice::<TypeMeta>(json)?)?;
    Ok(serde_json::from_slice(json)?)
}

/// Decodes a typed object from JSON and returns the paths of the unknown
/// fields that were dropped (`spec.containers[0].imagePolicy`).
pub fn from_json_strict<K: StaticResource + DeserializeOwned>(
    json: &[u8],
) -> Result<(K, Vec<String>)> {
    require_json_object(json)?;
    check_type_meta::<K>(&serde_json::from_slice::<TypeMeta>(json)?)?;
    let mut de = serde_json::Deserializer::from_slice(json);
    let mut unknown = Vec::new();
    let obj = serde_ignored::deserialize(&mut de, |path| record(&mut unknown, &path))?;
    de.end()?;
    Ok((obj, unknown))
}

/// Decodes a typed object from a YAML document. Unknown fields are dropped.
pub fn from_yaml<K: StaticResource + DeserializeOwned>(yaml: &str) -> Result<K> {
    let value: serde_json::Value = serde_yaml_ng::from_str(yaml)?;
    require_value_object(&value)?;
    check_type_meta::<K>(&serde_json::from_value::<TypeMeta>(value.clone())?)?;
    Ok(serde_json::from_value(value)?)
}

/// Decodes a typed object from a YAML document and returns the paths of the
/// unknown fields that were dropped.
pub fn from_yaml_strict<K: StaticResource + DeserializeOwned>(
    yaml: &str,
) -> Result<(K, Vec<String>)> {
    let value: serde_json::Value = serde_yaml_ng::from_str(yaml)?;
    require_value_object(&value)?;
    check_type_meta::<K>(&serde_json::from_value::<TypeMeta>(value.clone())?)?;
    let mut unknown = Vec::new();
    let obj = serde_ignored::deserialize(value, |path| record(&mut unknown, &path))?;
    Ok((obj, unknown))
}

/// Splits a YAML stream (`---`-separated documents) into JSON values,
/// skipping empty documents, as `kubectl apply -f` does.
pub fn yaml_documents(yaml: &str) -> Result<Vec<serde_json::Value>> {
    use serde::Deserialize;
    let mut docs = Vec::new();
    for doc in serde_yaml_ng::Deserializer::from_str(yaml) {
        let value = serde_json::Value::deserialize(doc)?;
        if !value.is_null() {
            require_value_object(&value)?;
            docs.push(value);
        }
    }
    Ok(docs)
}

/// Decodes every object of a YAML stream, of whatever kind.
pub fn objects_from_yaml(yaml: &str) -> Result<Vec<DynamicObject>> {
    yaml_documents(yaml)?.into_iter().map(|v| Ok(serde_json::from_value(v)?)).collect()
}

/// Encodes an object as JSON.
pub fn to_json<T: Serialize + ?Sized>(obj: &T) -> Result<Vec<u8>> {
    Ok(serde_json::to_vec(obj)?)
}

/// Encodes an object as a YAML document.
pub fn to_yaml<T: Serialize + ?Sized>(obj: &T) -> Result<String> {
    Ok(serde_yaml_ng::to_string(obj)?)
}

/// Encodes objects as a YAML stream, documents separated by `---`.
pub fn to_yaml_stream<T: Serialize>(objs: &[T]) -> Result<String> {
    let mut out = String::new();
    for (i, obj) in objs.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&serde_yaml_ng::to_string(obj)?);
    }
    Ok(out)
}

/// Records an ignored field, except the type fields that typed kinds write
/// themselves and so do not hold as struct fields. Objects embed whole kinds
/// (a StatefulSet's `volumeClaimTemplates` are PersistentVolumeClaims), so
/// `apiVersion` and `kind` are accepted at any depth.
pub(crate) fn record(unknown: &mut Vec<String>, path: &serde_ignored::Path<'_>) {
    if let serde_ignored::Path::Map { key, .. } = path
        && (key == "apiVersion" || key == "kind")
    {
        return;
    }
    unknown.push(render(path));
}

/// Renders a path as Kubernetes does: `spec.containers[0].name`.
fn render(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", render(parent)),
        Path::Map { parent, key } => {
            let parent = render(parent);
            if parent.is_empty() { key.clone() } else { format!("{parent}.{key}") }
        }
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => render(parent),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::core::v1::{ConfigMap, Namespace};

    #[test]
    fn wrong_kind_is_refused() {
        let json = br#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"a"}}"#;
        let err = from_json::<ConfigMap>(json).unwrap_err();
        assert!(matches!(err, Error::TypeMismatch { .. }), "{err}");
        assert_eq!(err.to_string(), r#"expected v1 ConfigMap, got "v1" "Secret""#);
        let wrong_version = br#"{"apiVersion":"apps/v1","kind":"ConfigMap"}"#;
        assert!(from_json::<ConfigMap>(wrong_version).is_err());
        let untyped = br#"{"metadata":{"name":"a"}}"#;
        assert_eq!(from_json::<ConfigMap>(untyped).unwrap().metadata.name.as_deref(), Some("a"));
    }

    #[test]
    fn strict_json_reports_paths_of_unknown_fields() {
        let json = br#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a","nam":"typo","ownerReferences":[{"apiVersion":"v1","kind":"X","name":"n","uid":"u","extra":1}]},"spec":{"finalizers":["kubernetes"],"bogus":true},"top":1}"#;
        let (ns, unknown) = from_json_strict::<Namespace>(json).unwrap();
        assert_eq!(ns.metadata.name.as_deref(), Some("a"));
        assert_eq!(
            unknown,
            vec!["metadata.nam", "metadata.ownerReferences[0].extra", "spec.bogus", "top"]
        );
        let (_, none) =
            from_json_strict::<Namespace>(br#"{"apiVersion":"v1","kind":"Namespace"}"#).unwrap();
        assert!(none.is_empty());
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        for bad in [&b"{"[..], b"[]", b"null", b"{\"metadata\":{\"name\":5}}", b"\xff\xfe"] {
            assert!(from_json::<ConfigMap>(bad).is_err(), "{bad:?} accepted");
            assert!(from_json_strict::<ConfigMap>(bad).is_err(), "{bad:?} accepted");
        }
        assert!(from_yaml::<ConfigMap>("metadata: [unclosed").is_err());
        assert!(from_yaml::<ConfigMap>("- a\n- b\n").is_err());
        assert_eq!(
            from_json::<ConfigMap>(b" [1]").unwrap_err().to_string(),
            "an object must be a JSON or YAML mapping, not an array"
        );
        assert!(yaml_documents("a: b\n---\n- [").is_err());
    }

    #[test]
    fn yaml_streams_skip_empty_documents() {
        let yaml = "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n---\n# only a comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n";
        let objs = objects_from_yaml(yaml).unwrap();
        assert_eq!(objs.len(), 2);
        assert_eq!(objs[1].types.as_ref().unwrap().kind, "ConfigMap");
        let cms = vec![
            ConfigMap { metadata: crate::meta::ObjectMeta::named("x"), ..Default::default() },
            ConfigMap { metadata: crate::meta::ObjectMeta::named("y"), ..Default::default() },
        ];
        let stream = to_yaml_stream(&cms).unwrap();
        assert_eq!(stream.matches("---").count(), 1);
        let back: Vec<ConfigMap> = yaml_documents(&stream)
            .unwrap()
            .into_iter()
            .map(|v| serde_json::from_value(v).unwrap())
            .collect();
        assert_eq!(back, cms);
    }
}
