//! [`CustomResourceDefinition`] and the types of its spec and status.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::json_schema::JSONSchemaProps;
use crate::bytes::ByteString;
use crate::meta::ObjectMeta;
use crate::resource::kind;
use crate::time::Time;

kind! {
    group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions",
    scope: Cluster, short_names: ["crd", "crds"], categories: ["api-extensions"];
    /// Adds a new kind to the API: its names, its versions and the schema
    /// that validates its objects. The object's name is `<plural>.<group>`.
    pub struct CustomResourceDefinition {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// The kind to serve.
        #[serde(default)]
        pub spec: CustomResourceDefinitionSpec,
        /// Whether the kind is being served, and under which names.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status: Option<CustomResourceDefinitionStatus>,
    }
}

/// The desired state of a [`CustomResourceDefinition`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomResourceDefinitionSpec {
    /// The API group of the new kind (`stable.example.com`).
    #[serde(default)]
    pub group: String,
    /// The names of the new kind and of its resource.
    #[serde(default)]
    pub names: CustomResourceDefinitionNames,
    /// `Namespaced` or `Cluster`.
    #[serde(default)]
    pub scope: String,
    /// The versions served; exactly one is the storage version.
    #[serde(default)]
    pub versions: Vec<CustomResourceDefinitionVersion>,
    /// How objects are converted between versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversion: Option<CustomResourceConversion>,
    /// Legacy switch that keeps fields not in the schema; must be false for
    /// v1 definitions, which use `x-kubernetes-preserve-unknown-fields`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preserve_unknown_fields: Option<bool>,
}

/// The names under which a custom kind is served.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomResourceDefinitionNames {
    /// The lower-case plural used in URLs (`crontabs`).
    #[serde(default)]
    pub plural: String,
    /// The lower-case singular (`crontab`); defaults to the lower-cased kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub singular: Option<String>,
    /// Abbreviations accepted by kubectl (`ct`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub short_names: Vec<String>,
    /// The kind in CamelCase (`CronTab`).
    #[serde(default)]
    pub kind: String,
    /// The kind of lists of it; defaults to `<kind>List`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_kind: Option<String>,
    /// Groups of resources this one belongs to for kubectl (`all`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
}

/// One version of a custom kind.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomResourceDefinitionVersion {
    /// The version name (`v1`, `v1beta2`), used in `apiVersion`.
    #[serde(default)]
    pub name: String,
    /// Whether the version is served by the API.
    #[serde(default)]
    pub served: bool,
    /// Whether objects are stored in this version; exactly one version is.
    #[serde(default)]
    pub storage: bool,
    /// Whether the version is deprecated; clients using it get a warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<bool>,
    /// The warning sent instead of the default one for a deprecated version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecation_warning: Option<String>,
    /// The schema that validates and prunes objects of this version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<CustomResourceValidation>,
    /// The `status` and `scale` subresources this version serves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subresources: Option<CustomResourceSubresources>,
    /// Extra columns for `kubectl get`; empty means just the age.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub additional_printer_columns: Vec<CustomResourceColumnDefinition>,
    /// Fields that field selectors may filter on, besides the name and
    /// namespace.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub selectable_fields: Vec<SelectableField>,
}

/// The schema of a custom kind's version.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomResourceValidation {
    /// A structural OpenAPI v3 schema of the whole object.
    #[serde(rename = "openAPIV3Schema", default, skip_serializing_if = "Option::is_none")]
    pub open_api_v3_schema: Option<JSONSchemaProps>,
}

/// The subresources a custom kind's version serves.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomResourceSubresources {
    /// When present, `/status` is served and the main resource ignores
    /// changes to `status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<CustomResourceSubresourceStatus>,
    /// When present, `/scale` is served, mapping a `Scale` onto these paths.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<CustomResourceSubresourceScale>,
}

/// Turns the `status` subresource on; it has no settings and is written `{}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CustomResourceSubresourceStatus {}

/// Where the `scale` subresource finds replica counts in a custom object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomResourceSubresourceScale {
    /// The JSON path under `.spec` of the desired replica count
    /// (`.spec.replicas`).
    #[serde(default)]
    pub spec_replicas_path: String,
    /// The JSON path under `.status` of the observed replica count
    /// (`.status.replicas`).
    #[serde(default)]
    pub status_replicas_path: String,
    /// The JSON path under `.status` of the label selector, as a string, that
    /// horizontal pod autoscalers use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_selector_path: Option<String>,
}

/// A column that `kubectl get` shows for a custom kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomResourceColumnDefinition {
    /// The column header.
    pub name: String,
    /// The OpenAPI type of the values: `integer`, `number`, `string`,
    /// `boolean` or `date`.
    #[serde(rename = "type")]
    pub type_: String,
    /// An OpenAPI format refining the type (`int32`, `date-time`, `name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// What the column shows, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// 0 shows the column always; higher values only in wide output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i32>,
    /// The JSON path, within each object, of the value shown (`.spec.cronSpec`).
    pub json_path: String,
}

/// A field of a custom kind that field selectors may filter on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SelectableField {
    /// The JSON path of the field (`.spec.color`); it must be a string,
    /// integer or boolean.
    pub json_path: String,
}

/// How objects of a custom kind are converted between versions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomResourceConversion {
    /// `None` (only `apiVersion` changes) or `Webhook`.
    #[serde(default)]
    pub strategy: String,
    /// The webhook to call when the strategy is `Webhook`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<WebhookConversion>,
}

/// A conversion webhook.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookConversion {
    /// How to reach the webhook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_config: Option<WebhookClientConfig>,
    /// The `ConversionReview` versions the webhook understands, preferred
    /// first.
    #[serde(default)]
    pub conversion_review_versions: Vec<String>,
}

/// How the API server reaches a webhook: by URL or through a service.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookClientConfig {
    /// An `https://` URL; set this or `service`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A service in the cluster; set this or `url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceReference>,
    /// PEM certificates that sign the webhook's serving certificate; the
    /// system roots when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_bundle: Option<ByteString>,
}

/// A service that serves a webhook.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceReference {
    /// The service's namespace.
    pub namespace: String,
    /// The service's name.
    pub name: String,
    /// The URL path requests are sent to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The service port; 443 when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
}

/// The observed state of a [`CustomResourceDefinition`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomResourceDefinitionStatus {
    /// The latest observations of the definition's state (`Established`,
    /// `NamesAccepted`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<CustomResourceDefinitionCondition>,
    /// The names actually served, which may lag the spec's while a name
    /// conflicts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_names: Option<CustomResourceDefinitionNames>,
    /// Every version objects have ever been stored in; a version may only be
    /// removed from the spec once it is gone from here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stored_versions: Vec<String>,
    /// The generation of the spec this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}

/// One observation of a [`CustomResourceDefinition`]'s state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomResourceDefinitionCondition {
    /// The condition type: `Established`, `NamesAccepted`,
    /// `NonStructuralSchema`, `Terminating` or `KubernetesAPIApprovalPolicyConformant`.
    #[serde(rename = "type")]
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// When the status last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Time>,
    /// A CamelCase machine-readable reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// A message for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The generation of the spec this condition was computed from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::api::apiextensions::v1::{JSONSchemaPropsOrArray, JSONSchemaPropsOrBool};
    use crate::resource::{Scope, StaticResource};
    use crate::test_support::round_trip;

    /// The schema of the CronTab spec, with most of the dialect in use.
    fn spec_schema() -> Value {
        json!({
            "type": "object",
            "required": ["cronSpec", "image"],
            "x-kubernetes-validations": [{
                "rule": "self.replicas <= self.maxReplicas",
                "message": "replicas must not exceed maxReplicas",
                "reason": "FieldValueInvalid",
                "fieldPath": ".replicas"
            }],
            "properties": {
                "cronSpec": {"type": "string", "pattern": "^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$"},
                "image": {"type": "string", "minLength": 1},
                "replicas": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 10, "default": 1},
                "maxReplicas": {"type": "integer", "format": "int32"},
                "ratio": {"type": "number", "multipleOf": 0.25, "exclusiveMinimum": true, "minimum": 0},
                "mode": {"type": "string", "enum": ["Fast", "Safe"], "nullable": true},
                "env": {"type": "object", "additionalProperties": {"type": "string"}},
                "annotations": {"type": "object", "additionalProperties": true},
                "ports": {
                    "type": "array",
                    "x-kubernetes-list-type": "map",
                    "x-kubernetes-list-map-keys": ["name"],
                    "maxItems": 16,
                    "items": {
                        "type": "object",
                        "required": ["name"],
                        "properties": {
                            "name": {"type": "string"},
                            "port": {"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}]}
                        }
                    }
                },
                "pair": {"type": "array", "items": [{"type": "string"}, {"type": "integer"}]},
                "selector": {"type": "object", "x-kubernetes-map-type": "atomic", "properties": {
                    "matchLabels": {"type": "object", "additionalProperties": {"type": "string"}}
                }},
                "template": {"type": "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true}
            }
        })
    }

    /// A full definition: nested schema with both forms of `items` and
    /// `additionalProperties`, extension fields, printer columns,
    /// subresources, a conversion webhook and a status.
    fn crontab_crd() -> Value {
        json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "crontabs.stable.example.com", "generation": 3},
            "spec": {
                "group": "stable.example.com",
                "scope": "Namespaced",
                "names": {
                    "plural": "crontabs", "singular": "crontab", "kind": "CronTab",
                    "listKind": "CronTabList", "shortNames": ["ct"], "categories": ["all"]
                },
                "versions": [{
                    "name": "v1",
                    "served": true,
                    "storage": true,
                    "schema": {"openAPIV3Schema": {
                        "type": "object",
                        "description": "A cron job, the old-fashioned way.",
                        "properties": {
                            "spec": spec_schema(),
                            "status": {
                                "type": "object",
                                "properties": {
                                    "replicas": {"type": "integer"},
                                    "labelSelector": {"type": "string"},
                                    "lastRun": {"type": "string", "format": "date-time"}
                                }
                            }
                        }
                    }},
                    "subresources": {
                        "status": {},
                        "scale": {
                            "specReplicasPath": ".spec.replicas",
                            "statusReplicasPath": ".status.replicas",
                            "labelSelectorPath": ".status.labelSelector"
                        }
                    },
                    "additionalPrinterColumns": [
                        {"name": "Spec", "type": "string", "jsonPath": ".spec.cronSpec", "description": "The schedule"},
                        {"name": "Replicas", "type": "integer", "format": "int32", "jsonPath": ".spec.replicas", "priority": 1},
                        {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}
                    ],
                    "selectableFields": [{"jsonPath": ".spec.image"}]
                }, {
                    "name": "v1beta1",
                    "served": true,
                    "storage": false,
                    "deprecated": true,
                    "deprecationWarning": "stable.example.com/v1beta1 CronTab is deprecated; use v1",
                    "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}
                }],
                "conversion": {
                    "strategy": "Webhook",
                    "webhook": {
                        "conversionReviewVersions": ["v1"],
                        "clientConfig": {
                            "service": {"namespace": "crontab", "name": "converter", "path": "/convert", "port": 8443},
                            "caBundle": "LS0tLS1CRUdJTi0tLS0t"
                        }
                    }
                }
            },
            "status": {
                "conditions": [{
                    "type": "Established", "status": "True",
                    "lastTransitionTime": "2024-05-01T12:00:00Z",
                    "reason": "InitialNamesAccepted", "message": "the initial names have been accepted"
                }],
                "acceptedNames": {"plural": "crontabs", "singular": "crontab", "kind": "CronTab", "listKind": "CronTabList", "shortNames": ["ct"], "categories": ["all"]},
                "storedVersions": ["v1"]
            }
        })
    }

    /// Makes integral floats integers, as Go writes them, so k8s-openapi's
    /// `100.0` compares equal to `100`.
    fn normalize_numbers(v: &mut Value) {
        match v {
            Value::Number(n) => {
                if let Some(f) = n.as_f64().filter(|f| n.is_f64() && f.fract() == 0.0) {
                    *v = json!(f as i64);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(normalize_numbers),
            Value::Object(map) => map.values_mut().for_each(normalize_numbers),
            _ => {}
        }
    }

    #[test]
    fn crd_round_trips() {
        let manifest = crontab_crd();
        let crd = round_trip::<CustomResourceDefinition>(&manifest);

        let v1 = &crd.spec.versions[0];
        let root = v1.schema.as_ref().unwrap().open_api_v3_schema.as_ref().unwrap();
        let spec = &root.properties["spec"];
        assert_eq!(spec.properties["replicas"].maximum, Some(10.0));
        assert_eq!(
            spec.properties["annotations"].additional_properties,
            Some(JSONSchemaPropsOrBool::Bool(true))
        );
        assert_eq!(
            spec.properties["env"].additional_properties_schema().and_then(|s| s.type_.as_deref()),
            Some("string")
        );
        assert!(
            matches!(spec.properties["pair"].items, Some(JSONSchemaPropsOrArray::Schemas(ref l)) if l.len() == 2)
        );
        assert_eq!(
            spec.properties["ports"].items_schema().unwrap().properties["port"]
                .x_kubernetes_int_or_string,
            Some(true)
        );
        assert_eq!(
            v1.subresources.as_ref().unwrap().status,
            Some(CustomResourceSubresourceStatus {})
        );
        assert_eq!(v1.additional_printer_columns[1].priority, Some(1));
        let webhook = crd.spec.conversion.as_ref().unwrap().webhook.as_ref().unwrap();
        assert!(
            webhook
                .client_config
                .as_ref()
                .unwrap()
                .ca_bundle
                .as_ref()
                .unwrap()
                .0
                .starts_with(b"-----BEGIN")
        );
    }

    #[test]
    fn k8s_openapi_agrees() {
        let manifest = crontab_crd();
        let theirs: k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition =
            serde_json::from_value(manifest.clone()).unwrap();
        let mut written = serde_json::to_value(&theirs).unwrap();
        normalize_numbers(&mut written);
        assert_eq!(written, manifest);
    }

    #[test]
    fn status_subresource_is_written_as_empty_object() {
        let sub = CustomResourceSubresources {
            status: Some(CustomResourceSubresourceStatus {}),
            scale: None,
        };
        assert_eq!(serde_json::to_string(&sub).unwrap(), r#"{"status":{}}"#);
        let back: CustomResourceSubresources = serde_json::from_str(r#"{"status":{}}"#).unwrap();
        assert_eq!(back, sub);
        let none: CustomResourceSubresources = serde_json::from_str("{}").unwrap();
        assert_eq!(none.status, None);
    }

    #[test]
    fn minimal_crd_writes_required_fields() {
        let crd = CustomResourceDefinition {
            metadata: ObjectMeta::named("widgets.example.com"),
            spec: CustomResourceDefinitionSpec {
                group: "example.com".into(),
                scope: "Cluster".into(),
                names: CustomResourceDefinitionNames {
                    plural: "widgets".into(),
                    kind: "Widget".into(),
                    ..CustomResourceDefinitionNames::default()
                },
                versions: vec![CustomResourceDefinitionVersion {
                    name: "v1".into(),
                    served: true,
                    storage: true,
                    schema: Some(CustomResourceValidation {
                        open_api_v3_schema: Some(JSONSchemaProps::free_form_object()),
                    }),
                    ..CustomResourceDefinitionVersion::default()
                }],
                ..CustomResourceDefinitionSpec::default()
            },
            status: None,
        };
        assert_eq!(
            serde_json::to_value(&crd).unwrap(),
            json!({
                "apiVersion": "apiextensions.k8s.io/v1",
                "kind": "CustomResourceDefinition",
                "metadata": {"name": "widgets.example.com"},
                "spec": {
                    "group": "example.com",
                    "names": {"plural": "widgets", "kind": "Widget"},
                    "scope": "Cluster",
                    "versions": [{
                        "name": "v1", "served": true, "storage": true,
                        "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}
                    }]
                }
            })
        );
    }

    #[test]
    fn strict_decoding_finds_unknown_fields_inside_schemas() {
        let mut manifest = crontab_crd();
        let v1 = &mut manifest["spec"]["versions"][0];
        let spec = &mut v1["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"];
        spec["ports"]["items"]["properties"]["name"]["colour"] = json!("red");
        spec["env"]["additionalProperties"]["shape"] = json!(1);
        spec["pair"]["items"][1]["size"] = json!(2);
        v1["subresources"]["status"]["extra"] = json!(true);
        let json = serde_json::to_vec(&manifest).unwrap();
        let (crd, unknown) =
            crate::codec::from_json_strict::<CustomResourceDefinition>(&json).unwrap();
        let schema = "spec.versions[0].schema.openAPIV3Schema.properties.spec.properties";
        assert_eq!(
            unknown,
            [
                format!("{schema}.env.additionalProperties.shape"),
                format!("{schema}.pair.items[1].size"),
                format!("{schema}.ports.items.properties.name.colour"),
                "spec.versions[0].subresources.status.extra".to_string(),
            ]
        );
        assert_eq!(serde_json::to_value(&crd).unwrap(), crontab_crd());
    }

    #[test]
    fn crd_schema_is_structural() {
        let s = crate::schema::structural_schema_for::<CustomResourceDefinition>();
        let schema =
            &s["properties"]["spec"]["properties"]["versions"]["items"]["properties"]["schema"];
        assert_eq!(
            schema["properties"]["openAPIV3Schema"]["x-kubernetes-preserve-unknown-fields"],
            json!(true)
        );
        // Metadata's schema belongs to the meta module; check ours.
        crate::schema::check_structural(&s["properties"]["spec"]).unwrap();
        crate::schema::check_structural(&s["properties"]["status"]).unwrap();
    }

    #[test]
    fn crd_api_resource() {
        let ar = CustomResourceDefinition::API_RESOURCE;
        assert_eq!(ar.api_version, "apiextensions.k8s.io/v1");
        assert_eq!(ar.kind, "CustomResourceDefinition");
        assert_eq!(ar.plural, "customresourcedefinitions");
        assert_eq!(ar.scope, Scope::Cluster);
        assert_eq!(ar.short_names.as_ref(), ["crd", "crds"]);
        assert_eq!(ar.categories.as_ref(), ["api-extensions"]);
    }
}
