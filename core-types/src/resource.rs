//! The [`Resource`] trait: what the API machinery needs to know about a kind,
//! and [`ApiResource`], the same facts as a value.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::meta::{ObjectMeta, OwnerReference};

/// Whether objects of a kind live in a namespace or in the cluster as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scope {
    /// Objects live in a namespace (`/api/v1/namespaces/{ns}/pods`).
    Namespaced,
    /// Objects are cluster-wide (`/api/v1/nodes`).
    Cluster,
}

/// The facts about one kind that clients and servers need: its group,
/// version, kind, plural resource name, scope, short names and categories.
///
/// Built-in kinds have theirs as constants ([`StaticResource::API_RESOURCE`]);
/// custom resources and discovery produce them at run time.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiResource {
    /// API group; empty for the core group.
    pub group: Cow<'static, str>,
    /// API version within the group (`v1`).
    pub version: Cow<'static, str>,
    /// `group/version`, or `version` for the core group.
    pub api_version: Cow<'static, str>,
    /// Kind in CamelCase (`Deployment`).
    pub kind: Cow<'static, str>,
    /// Lower-case plural name used in paths (`deployments`).
    pub plural: Cow<'static, str>,
    /// Namespaced or cluster-scoped.
    pub scope: Scope,
    /// Abbreviations accepted by kubectl (`deploy`).
    pub short_names: Cow<'static, [Cow<'static, str>]>,
    /// Groups the kind belongs to for kubectl (`all`).
    pub categories: Cow<'static, [Cow<'static, str>]>,
}

impl ApiResource {
    /// A run-time description of a kind, for custom resources and untyped
    /// code. Short names and categories start empty.
    pub fn new(group: &str, version: &str, kind: &str, plural: &str, scope: Scope) -> Self {
        let api_version =
            if group.is_empty() { version.to_owned() } else { format!("{group}/{version}") };
        ApiResource {
            group: Cow::Owned(group.to_owned()),
            version: Cow::Owned(version.to_owned()),
            api_version: Cow::Owned(api_version),
            kind: Cow::Owned(kind.to_owned()),
            plural: Cow::Owned(plural.to_owned()),
            scope,
            short_names: Cow::Borrowed(&[]),
            categories: Cow::Borrowed(&[]),
        }
    }

    /// The lower-case singular name (`deployment`).
    pub fn singular(&self) -> String {
        self.kind.to_ascii_lowercase()
    }

    /// Whether objects of this kind live in namespaces.
    pub fn namespaced(&self) -> bool {
        self.scope == Scope::Namespaced
    }

    /// The storage key prefix for the kind: `/registry/<group>/<plural>`,
    /// with the group left out for the core group.
    pub fn registry_prefix(&self) -> String {
        if self.group.is_empty() {
            format!("/registry/{}", self.plural)
        } else {
            format!("/registry/{}/{}", self.group, self.plural)
        }
    }
}

/// A kind of API object: its type information and its metadata.
///
/// Typed kinds have `DynamicType = ()` and also implement
/// [`StaticResource`]; [`DynamicObject`](crate::dynamic::DynamicObject) carries
/// an [`ApiResource`] as its dynamic type.
pub trait Resource {
    /// What must be known at run time to describe the kind: `()` for kinds
    /// known at compile time.
    type DynamicType: Clone + Send + Sync + 'static;

    /// The description of the kind.
    fn api_resource(dt: &Self::DynamicType) -> Cow<'_, ApiResource>;

    /// The object's metadata.
    fn meta(&self) -> &ObjectMeta;

    /// The object's metadata, mutably.
    fn meta_mut(&mut self) -> &mut ObjectMeta;
}

/// A kind whose description is known at compile time.
pub trait StaticResource: Resource<DynamicType = ()> {
    /// The description of the kind.
    const API_RESOURCE: ApiResource;
}

/// Convenience accessors for every [`Resource`].
pub trait ResourceExt: Resource {
    /// The name, or the empty string when unset.
    fn name_any(&self) -> &str {
        self.meta().name.as_deref().unwrap_or("")
    }

    /// The namespace, if set.
    fn namespace(&self) -> Option<&str> {
        self.meta().namespace.as_deref()
    }

    /// The UID, if set.
    fn uid(&self) -> Option<&str> {
        self.meta().uid.as_deref()
    }

    /// The resource version, if set.
    fn resource_version(&self) -> Option<&str> {
        self.meta().resource_version.as_deref()
    }

    /// The labels.
    fn labels(&self) -> &BTreeMap<String, String> {
        &self.meta().labels
    }

    /// The labels, mutably.
    fn labels_mut(&mut self) -> &mut BTreeMap<String, String> {
        &mut self.meta_mut().labels
    }

    /// The annotations.
    fn annotations(&self) -> &BTreeMap<String, String> {
        &self.meta().annotations
    }

    /// The annotations, mutably.
    fn annotations_mut(&mut self) -> &mut BTreeMap<String, String> {
        &mut self.meta_mut().annotations
    }

    /// The finalizers.
    fn finalizers(&self) -> &[String] {
        &self.meta().finalizers
    }

    /// The owner references.
    fn owner_references(&self) -> &[OwnerReference] {
        &self.meta().owner_references
    }

    /// An owner reference to this object with `controller: true`, for
    /// dependents it manages. `None` when the object has no name or UID yet.
    fn controller_owner_ref(&self, dt: &Self::DynamicType) -> Option<OwnerReference>
    where
        Self: Sized,
    {
        let ar = Self::api_resource(dt);
        Some(OwnerReference {
            api_version: ar.api_version.to_string(),
            kind: ar.kind.to_string(),
            name: self.meta().name.clone()?,
            uid: self.meta().uid.clone()?,
            controller: Some(true),
            block_owner_deletion: Some(true),
        })
    }
}

impl<K: Resource + ?Sized> ResourceExt for K {}

pub mod with_type_meta {
    //! Serialization support for typed kinds.
    //!
    //! Kinds derive their field serialization with `#[serde(remote = "Self")]`
    //! and wrap the serializer in [`TypeMetaSerializer`], which adds the two
    //! type fields when the struct begins. Anything but a struct is refused.

    use serde::Serializer;
    use serde::ser::{Error, Impossible, SerializeStruct};

    /// A serializer that writes `apiVersion` and `kind` before a struct's
    /// own fields.
    #[derive(Debug)]
    pub struct TypeMetaSerializer<S> {
        /// The serializer that writes the output.
        pub inner: S,
        /// The `apiVersion` to write.
        pub api_version: &'static str,
        /// The `kind` to write.
        pub kind: &'static str,
    }

    macro_rules! refuse {
        ($($method:ident($($arg:ty),*) -> $ret:ty;)*) => {
            $(fn $method(self, $(_: $arg),*) -> Result<$ret, S::Error> {
                Err(S::Error::custom("a typed object must serialize as a struct"))
            })*
        };
    }

    impl<S: Serializer> Serializer for TypeMetaSerializer<S> {
        type Ok = S::Ok;
        type Error = S::Error;
        type SerializeSeq = Impossible<S::Ok, S::Error>;
        type SerializeTuple = Impossible<S::Ok, S::Error>;
        type SerializeTupleStruct = Impossible<S::Ok, S::Error>;
        type SerializeTupleVariant = Impossible<S::Ok, S::Error>;
        type SerializeMap = Impossible<S::Ok, S::Error>;
        type SerializeStruct = S::SerializeStruct;
        type SerializeStructVariant = Impossible<S::Ok, S::Error>;

        fn serialize_struct(
            self,
            name: &'static str,
            len: usize,
        ) -> Result<Self::SerializeStruct, S::Error> {
            let mut st = self.inner.serialize_struct(name, len + 2)?;
            st.serialize_field("apiVersion", self.api_version)?;
            st.serialize_field("kind", self.kind)?;
            Ok(st)
        }

        refuse! {
            serialize_bool(bool) -> S::Ok;
            serialize_i8(i8) -> S::Ok;
            serialize_i16(i16) -> S::Ok;
            serialize_i32(i32) -> S::Ok;
            serialize_i64(i64) -> S::Ok;
            serialize_u8(u8) -> S::Ok;
            serialize_u16(u16) -> S::Ok;
            serialize_u32(u32) -> S::Ok;
            serialize_u64(u64) -> S::Ok;
            serialize_f32(f32) -> S::Ok;
            serialize_f64(f64) -> S::Ok;
            serialize_char(char) -> S::Ok;
            serialize_str(&str) -> S::Ok;
            serialize_bytes(&[u8]) -> S::Ok;
            serialize_none() -> S::Ok;
            serialize_unit() -> S::Ok;
            serialize_unit_struct(&'static str) -> S::Ok;
            serialize_unit_variant(&'static str, u32, &'static str) -> S::Ok;
            serialize_seq(Option<usize>) -> Self::SerializeSeq;
            serialize_tuple(usize) -> Self::SerializeTuple;
            serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
            serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
            serialize_map(Option<usize>) -> Self::SerializeMap;
            serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
        }

        fn serialize_some<T: ?Sized + serde::Serialize>(self, _: &T) -> Result<S::Ok, S::Error> {
            Err(S::Error::custom("a typed object must serialize as a struct"))
        }

        fn serialize_newtype_struct<T: ?Sized + serde::Serialize>(
            self,
            _: &'static str,
            _: &T,
        ) -> Result<S::Ok, S::Error> {
            Err(S::Error::custom("a typed object must serialize as a struct"))
        }

        fn serialize_newtype_variant<T: ?Sized + serde::Serialize>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<S::Ok, S::Error> {
            Err(S::Error::custom("a typed object must serialize as a struct"))
        }

        fn is_human_readable(&self) -> bool {
            self.inner.is_human_readable()
        }
    }
}

/// Joins a group and version into an `apiVersion` at compile time.
#[doc(hidden)]
#[macro_export]
macro_rules! __api_version {
    ("", $version:tt) => {
        $version
    };
    ($group:tt, $version:tt) => {
        concat!($group, "/", $version)
    };
}

/// Defines a built-in kind: the struct with its derives, its serde
/// implementation writing `apiVersion` and `kind`, and its [`Resource`] and
/// [`StaticResource`] implementations.
///
/// The struct must have a `metadata: ObjectMeta` field.
macro_rules! kind {
    (
        group: $group:tt, version: $version:tt, plural: $plural:literal,
        scope: $scope:ident, short_names: [$($short:literal),* $(,)?],
        categories: [$($cat:literal),* $(,)?];
        $(#[$attr:meta])*
        pub struct $name:ident { $($body:tt)* }
    ) => {
        $(#[$attr])*
        #[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        #[serde(remote = "Self", rename_all = "camelCase")]
        #[schemars(transform = $crate::schema::add_type_meta)]
        pub struct $name { $($body)* }

        impl $crate::resource::StaticResource for $name {
            const API_RESOURCE: $crate::resource::ApiResource = $crate::resource::ApiResource {
                group: std::borrow::Cow::Borrowed($group),
                version: std::borrow::Cow::Borrowed($version),
                api_version: std::borrow::Cow::Borrowed($crate::__api_version!($group, $version)),
                kind: std::borrow::Cow::Borrowed(stringify!($name)),
                plural: std::borrow::Cow::Borrowed($plural),
                scope: $crate::resource::Scope::$scope,
                short_names: std::borrow::Cow::Borrowed(&[$(std::borrow::Cow::Borrowed($short)),*]),
                categories: std::borrow::Cow::Borrowed(&[$(std::borrow::Cow::Borrowed($cat)),*]),
            };
        }

        impl $crate::resource::Resource for $name {
            type DynamicType = ();

            fn api_resource(_: &()) -> std::borrow::Cow<'_, $crate::resource::ApiResource> {
                static API_RESOURCE: $crate::resource::ApiResource =
                    <$name as $crate::resource::StaticResource>::API_RESOURCE;
                std::borrow::Cow::Borrowed(&API_RESOURCE)
            }

            fn meta(&self) -> &$crate::meta::ObjectMeta {
                &self.metadata
            }

            fn meta_mut(&mut self) -> &mut $crate::meta::ObjectMeta {
                &mut self.metadata
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                $name::serialize(self, $crate::resource::with_type_meta::TypeMetaSerializer {
                    inner: serializer,
                    api_version: $crate::__api_version!($group, $version),
                    kind: stringify!($name),
                })
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $name::deserialize(deserializer)
            }
        }
    };
}

pub(crate) use kind;
