//! [`List`]: the `<Kind>List` objects returned by LIST requests.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::meta::{ListMeta, TypeMeta};
use crate::resource::StaticResource;

/// A list of objects of one kind, as a LIST request returns it
/// (`kind: PodList`).
#[derive(Clone, Debug, PartialEq)]
pub struct List<K> {
    /// `apiVersion` and `kind` of the list (`v1`, `PodList`).
    pub types: TypeMeta,
    /// The resource version the list was read at and the continue token.
    pub metadata: ListMeta,
    /// The objects.
    pub items: Vec<K>,
}

impl<K: StaticResource> List<K> {
    /// A list of `items` with the list kind of `K`.
    pub fn new(items: Vec<K>) -> Self {
        let ar = K::API_RESOURCE;
        List {
            types: TypeMeta::new(ar.api_version, format!("{}List", ar.kind)),
            metadata: ListMeta::default(),
            items,
        }
    }
}

impl<K> Default for List<K> {
    fn default() -> Self {
        List { types: TypeMeta::default(), metadata: ListMeta::default(), items: Vec::new() }
    }
}

impl<K> IntoIterator for List<K> {
    type Item = K;
    type IntoIter = std::vec::IntoIter<K>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireRef<'a, K> {
    #[serde(skip_serializing_if = "str::is_empty")]
    api_version: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    kind: &'a str,
    metadata: &'a ListMeta,
    items: &'a [K],
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "K: DeserializeOwned"))]
struct Wire<K> {
    #[serde(default)]
    api_version: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    metadata: ListMeta,
    // Kubernetes writes `"items": null` for an empty list of some kinds.
    #[serde(default = "Vec::new", deserialize_with = "null_as_empty")]
    items: Vec<K>,
}

fn null_as_empty<'de, D: Deserializer<'de>, K: Deserialize<'de>>(d: D) -> Result<Vec<K>, D::Error> {
    Ok(Option::<Vec<K>>::deserialize(d)?.unwrap_or_default())
}

impl<K: Serialize> Serialize for List<K> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        WireRef {
            api_version: &self.types.api_version,
            kind: &self.types.kind,
            metadata: &self.metadata,
            items: &self.items,
        }
        .serialize(serializer)
    }
}

impl<'de, K: DeserializeOwned> Deserialize<'de> for List<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let w = Wire::<K>::deserialize(deserializer)?;
        Ok(List {
            types: TypeMeta { api_version: w.api_version, kind: w.kind },
            metadata: w.metadata,
            items: w.items,
        })
    }
}
