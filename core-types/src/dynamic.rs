//! [`DynamicObject`]: an object of any kind, for code that learns kinds at run
//! time (custom resources, generic tools, the API server's CRD handling).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::meta::{ObjectMeta, TypeMeta};
use crate::resource::{ApiResource, Resource};

/// An object whose kind is known only at run time: type meta, metadata, and
/// every other top-level field kept as JSON.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DynamicObject {
    /// `apiVersion` and `kind`, when present.
    #[serde(flatten, default)]
    pub types: Option<TypeMeta>,
    /// The object's metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Every other top-level field (`spec`, `status`, `data`, ...).
    #[serde(flatten)]
    pub data: serde_json::Value,
}

impl DynamicObject {
    /// An empty object of the kind `ar` describes, named `name`.
    pub fn new(name: &str, ar: &ApiResource) -> Self {
        DynamicObject {
            types: Some(TypeMeta::new(ar.api_version.clone(), ar.kind.clone())),
            metadata: ObjectMeta::named(name),
            data: serde_json::Value::Object(serde_json::Map::new()),
        }
    }

    /// Sets the namespace.
    #[must_use]
    pub fn within(mut self, namespace: &str) -> Self {
        self.metadata.namespace = Some(namespace.to_owned());
        self
    }

    /// Sets `data`, the fields beside metadata.
    #[must_use]
    pub fn data(mut self, data: serde_json::Value) -> Self {
        self.data = data;
        self
    }

    /// Converts to a typed object through JSON.
    pub fn try_parse<K: serde::de::DeserializeOwned>(self) -> Result<K, serde_json::Error> {
        serde_json::from_value(serde_json::to_value(self)?)
    }
}

impl Resource for DynamicObject {
    type DynamicType = ApiResource;

    fn api_resource(dt: &ApiResource) -> Cow<'_, ApiResource> {
        Cow::Borrowed(dt)
    }

    fn meta(&self) -> &ObjectMeta {
        &self.metadata
    }

    fn meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::{ResourceExt, Scope};

    #[test]
    fn keeps_unknown_top_level_fields() {
        let json = r#"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"size":3}}"#;
        let obj: DynamicObject = serde_json::from_str(json).unwrap();
        assert_eq!(obj.name_any(), "w");
        assert_eq!(obj.types.as_ref().unwrap().kind, "Widget");
        assert_eq!(obj.data["spec"]["size"], 3);
        let back: serde_json::Value = serde_json::to_value(&obj).unwrap();
        assert_eq!(back, serde_json::from_str::<serde_json::Value>(json).unwrap());
        let ar = ApiResource::new("example.com", "v1", "Widget", "widgets", Scope::Namespaced);
        assert_eq!(DynamicObject::api_resource(&ar).api_version, "example.com/v1");
    }
}
