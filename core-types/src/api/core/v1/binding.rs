//! Binding: the body of a `pods/binding` request, which assigns a pod to a
//! node.

use crate::meta::ObjectMeta;
use crate::resource::kind;

use super::ObjectReference;

kind! {
    group: "", version: "v1", plural: "bindings", scope: Namespaced,
    short_names: [], categories: [];
    /// Assigns the pod named in `metadata` to the object in `target`
    /// (usually a node). A scheduler posts it to `pods/{name}/binding`.
    pub struct Binding {
        /// Standard object metadata; the name (and namespace) of the pod
        /// being bound.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// What the pod is bound to: a node, given by kind and name.
        pub target: ObjectReference,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::StaticResource;

    #[test]
    fn binding_round_trips_with_type_fields_first() {
        let binding = Binding {
            metadata: ObjectMeta::named("web-0").in_namespace("default"),
            target: ObjectReference {
                api_version: Some("v1".into()),
                kind: Some("Node".into()),
                name: Some("node-a".into()),
                ..ObjectReference::default()
            },
        };
        let json = serde_json::to_string(&binding).unwrap();
        assert_eq!(
            json,
            r#"{"apiVersion":"v1","kind":"Binding","metadata":{"name":"web-0","namespace":"default"},"target":{"apiVersion":"v1","kind":"Node","name":"node-a"}}"#
        );
        let back: Binding = serde_json::from_str(&json).unwrap();
        assert_eq!(back, binding);
        assert_eq!(Binding::API_RESOURCE.plural, "bindings");
        assert!(Binding::API_RESOURCE.namespaced());
    }
}
