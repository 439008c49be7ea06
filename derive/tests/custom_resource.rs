//! `#[derive(CustomResource)]` and `#[derive(StructuralSchema)]` at run time:
//! the JSON of the generated kinds, their API resource facts, and their
//! CustomResourceDefinitions.

use std::collections::BTreeMap;

use keelson_core_types::api::apiextensions::v1::CustomResourceDefinition;
use keelson_core_types::intstr::IntOrString;
use keelson_core_types::quantity::Quantity;
use keelson_core_types::resource::{Resource, ResourceExt, Scope, StaticResource};
use keelson_core_types::schema::{self, check_structural};
use keelson_derive::{CustomResource, StructuralSchema};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// A replicated database with a backup policy.
#[derive(CustomResource, Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[resource(group = "db.example.com", version = "v1alpha1", kind = "DatabasePolicy")]
#[resource(namespaced, status = "DatabasePolicyStatus", derive = "PartialEq")]
#[resource(shortname = "dbp", shortname = "dbpol", category = "all", category = "databases")]
// Two columns sharing `type`, `format` and `priority`: CI runs clippy with
// `-D warnings` on this file, which fails if the attribute syntax ever trips
// `clippy::duplicated_attributes` again.
#[resource(
    printcolumn = r#"{"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas", "description": "Desired replicas", "format": "int32", "priority": 0}"#,
    printcolumn = r#"{"name": "Ready", "type": "integer", "jsonPath": ".status.readyReplicas", "format": "int32", "priority": 0}"#
)]
#[resource(printcolumn = r#"{
    "name": "Age",
    "type": "date",
    "jsonPath": ".metadata.creationTimestamp",
    "priority": 1
}"#)]
#[resource(scale(
    spec_replicas_path = ".spec.replicas",
    status_replicas_path = ".status.readyReplicas",
    label_selector_path = ".status.selector"
))]
#[serde(rename_all = "camelCase")]
pub struct DatabasePolicySpec {
    /// How many database servers to run.
    pub replicas: i32,
    /// Which database engine.
    pub engine: Engine,
    /// Where backups go.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backups: Vec<Backup>,
    /// How the servers are reached.
    pub endpoint: Endpoint,
    /// Disk per server.
    pub storage: Quantity,
    /// Port, by number or name.
    pub port: IntOrString,
    /// Labels for the servers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub server_labels: BTreeMap<String, String>,
    /// Passed to the engine unchanged.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    #[schemars(schema_with = "keelson_core_types::schema::preserve_unknown_fields")]
    pub settings: Value,
    /// Replica zones, in pairs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zone_pairs: Vec<Pair<String>>,
    /// The database name.
    pub database: DatabaseName,
}

/// A database engine: a string enum.
#[derive(StructuralSchema, Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// PostgreSQL.
    Postgres,
    /// MySQL.
    Mysql,
}

/// Where backups go: an externally tagged enum of data variants.
#[derive(StructuralSchema, Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Backup {
    /// To a bucket.
    Bucket {
        /// The bucket's URL.
        url: String,
    },
    /// To a volume, by claim name.
    Volume(String),
}

/// How the servers are reached: an internally tagged enum.
#[derive(StructuralSchema, Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type")]
pub enum Endpoint {
    /// Inside the cluster only.
    ClusterIp {
        /// The port to listen on.
        port: i32,
    },
    /// Through a load balancer.
    LoadBalancer {
        /// The address to ask for.
        address: String,
        /// The load balancer class, if not the default.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        class: Option<String>,
    },
}

/// Two of a kind: a generic struct.
#[derive(StructuralSchema, Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Pair<T> {
    /// The first.
    pub first: T,
    /// The second.
    pub second: T,
}

/// A newtype.
#[derive(StructuralSchema, Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DatabaseName(pub String);

/// What the controller observed.
#[derive(
    StructuralSchema, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "camelCase")]
pub struct DatabasePolicyStatus {
    /// Servers ready to serve.
    pub ready_replicas: i32,
    /// The label selector of the servers, for the scale subresource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
}

/// A cluster-wide mailbox, with no status.
#[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[resource(group = "mail.example.org", version = "v2", kind = "Mailbox")]
pub struct MailboxSpec {
    /// The address.
    pub address: String,
}

fn policy() -> DatabasePolicy {
    DatabasePolicy::new(
        "orders",
        DatabasePolicySpec {
            replicas: 3,
            engine: Engine::Postgres,
            backups: vec![Backup::Bucket { url: "s3://backups".into() }],
            endpoint: Endpoint::LoadBalancer { address: "10.0.0.1".into(), class: None },
            storage: Quantity::parse("10Gi").unwrap(),
            port: IntOrString::Int(5432),
            server_labels: BTreeMap::new(),
            settings: Value::Null,
            zone_pairs: vec![Pair { first: "a".into(), second: "b".into() }],
            database: DatabaseName("orders".into()),
        },
    )
}

#[test]
fn serializes_type_meta_first_and_omits_a_missing_status() {
    let mut db = policy();
    db.metadata.namespace = Some("shop".into());
    assert_eq!(
        serde_json::to_string(&db).unwrap(),
        concat!(
            r#"{"apiVersion":"db.example.com/v1alpha1","kind":"DatabasePolicy","#,
            r#""metadata":{"name":"orders","namespace":"shop"},"#,
            r#""spec":{"replicas":3,"engine":"postgres","backups":[{"bucket":{"url":"s3://backups"}}],"#,
            r#""endpoint":{"type":"LoadBalancer","address":"10.0.0.1"},"storage":"10Gi","port":5432,"#,
            r#""zonePairs":[{"first":"a","second":"b"}],"database":"orders"}}"#
        )
    );

    db.status = Some(DatabasePolicyStatus { ready_replicas: 2, selector: None });
    let json = serde_json::to_value(&db).unwrap();
    assert_eq!(json["status"], json!({ "readyReplicas": 2 }));

    let mailbox = Mailbox::new("ops", MailboxSpec { address: "ops@example.org".into() });
    assert_eq!(
        serde_json::to_string(&mailbox).unwrap(),
        r#"{"apiVersion":"mail.example.org/v2","kind":"Mailbox","metadata":{"name":"ops"},"spec":{"address":"ops@example.org"}}"#
    );
}

#[test]
fn deserializes_ignoring_type_meta_and_unknown_fields() {
    let json = json!({
        "apiVersion": "db.example.com/v1alpha1",
        "kind": "DatabasePolicy",
        "metadata": { "name": "orders", "uid": "u-1" },
        "spec": {
            "replicas": 1,
            "engine": "mysql",
            "endpoint": { "type": "ClusterIp", "port": 5432 },
            "storage": "1Gi",
            "port": "sql",
            "settings": { "anything": [1, 2] },
            "database": "d",
            "futureField": true
        },
        "status": { "readyReplicas": 1, "selector": "app=db" },
        "somethingElse": {}
    });
    let db: DatabasePolicy = serde_json::from_value(json).unwrap();
    assert_eq!(db.uid(), Some("u-1"));
    assert_eq!(db.spec.engine, Engine::Mysql);
    assert_eq!(db.spec.endpoint, Endpoint::ClusterIp { port: 5432 });
    assert_eq!(db.spec.port, IntOrString::String("sql".into()));
    assert_eq!(db.spec.settings, json!({ "anything": [1, 2] }));
    assert_eq!(db.status.as_ref().and_then(|s| s.selector.as_deref()), Some("app=db"));

    // Round trip, and the extra `derive = "PartialEq"`.
    let again: DatabasePolicy = serde_json::from_value(serde_json::to_value(&db).unwrap()).unwrap();
    assert_eq!(again, db);

    // A missing spec is an error; missing metadata and status are not.
    let err = serde_json::from_value::<Mailbox>(json!({ "kind": "Mailbox" })).unwrap_err();
    assert!(err.to_string().contains("missing field `spec`"), "{err}");
    let mailbox: Mailbox = serde_json::from_value(json!({ "spec": { "address": "a" } })).unwrap();
    assert_eq!(mailbox.metadata.name, None);
}

#[test]
fn api_resource_facts() {
    let ar = DatabasePolicy::API_RESOURCE;
    assert_eq!(ar.group, "db.example.com");
    assert_eq!(ar.version, "v1alpha1");
    assert_eq!(ar.api_version, "db.example.com/v1alpha1");
    assert_eq!(ar.kind, "DatabasePolicy");
    assert_eq!(ar.plural, "databasepolicies");
    assert_eq!(ar.scope, Scope::Namespaced);
    assert_eq!(ar.short_names.as_ref(), ["dbp", "dbpol"]);
    assert_eq!(ar.categories.as_ref(), ["all", "databases"]);
    assert_eq!(*DatabasePolicy::api_resource(&()), ar);

    let ar = Mailbox::API_RESOURCE;
    assert_eq!(ar.plural, "mailboxes");
    assert_eq!(ar.scope, Scope::Cluster);
    assert!(ar.short_names.is_empty() && ar.categories.is_empty());
    assert_eq!(ar.registry_prefix(), "/registry/mail.example.org/mailboxes");

    let mut mailbox = Mailbox::new("a", MailboxSpec { address: "a@b".into() });
    mailbox.meta_mut().labels.insert("team".into(), "ops".into());
    assert_eq!(mailbox.labels()["team"], "ops");
}

/// The CRD as JSON, without its schema (checked separately).
fn crd_without_schema<K: CrdOf>() -> (Value, Value) {
    let mut crd = serde_json::to_value(K::crd()).unwrap();
    let schema =
        crd["spec"]["versions"][0].as_object_mut().unwrap().remove("schema").expect("a schema");
    (crd, schema["openAPIV3Schema"].clone())
}

/// The generated `crd()` functions, for `crd_without_schema`.
trait CrdOf {
    fn crd() -> CustomResourceDefinition;
}

impl CrdOf for DatabasePolicy {
    fn crd() -> CustomResourceDefinition {
        DatabasePolicy::crd()
    }
}

impl CrdOf for Mailbox {
    fn crd() -> CustomResourceDefinition {
        Mailbox::crd()
    }
}

#[test]
fn crd_of_a_namespaced_kind_with_status_and_scale() {
    let (crd, _) = crd_without_schema::<DatabasePolicy>();
    assert_eq!(
        crd,
        json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": { "name": "databasepolicies.db.example.com" },
            "spec": {
                "group": "db.example.com",
                "names": {
                    "kind": "DatabasePolicy",
                    "listKind": "DatabasePolicyList",
                    "plural": "databasepolicies",
                    "singular": "databasepolicy",
                    "shortNames": ["dbp", "dbpol"],
                    "categories": ["all", "databases"]
                },
                "scope": "Namespaced",
                "versions": [{
                    "name": "v1alpha1",
                    "served": true,
                    "storage": true,
                    "subresources": {
                        "status": {},
                        "scale": {
                            "specReplicasPath": ".spec.replicas",
                            "statusReplicasPath": ".status.readyReplicas",
                            "labelSelectorPath": ".status.selector"
                        }
                    },
                    "additionalPrinterColumns": [
                        {
                            "name": "Replicas",
                            "type": "integer",
                            "format": "int32",
                            "description": "Desired replicas",
                            "priority": 0,
                            "jsonPath": ".spec.replicas"
                        },
                        {
                            "name": "Ready",
                            "type": "integer",
                            "format": "int32",
                            "priority": 0,
                            "jsonPath": ".status.readyReplicas"
                        },
                        {
                            "name": "Age",
                            "type": "date",
                            "priority": 1,
                            "jsonPath": ".metadata.creationTimestamp"
                        }
                    ]
                }]
            }
        })
    );
}

#[test]
fn crd_of_a_cluster_scoped_kind_without_status() {
    let (crd, schema) = crd_without_schema::<Mailbox>();
    assert_eq!(
        crd,
        json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": { "name": "mailboxes.mail.example.org" },
            "spec": {
                "group": "mail.example.org",
                "names": {
                    "kind": "Mailbox",
                    "listKind": "MailboxList",
                    "plural": "mailboxes",
                    "singular": "mailbox"
                },
                "scope": "Cluster",
                "versions": [{ "name": "v2", "served": true, "storage": true }]
            }
        })
    );
    assert_eq!(
        schema,
        json!({
            "type": "object",
            "description": "A cluster-wide mailbox, with no status.",
            "properties": {
                "apiVersion": { "type": "string" },
                "kind": { "type": "string" },
                "metadata": { "type": "object" },
                "spec": {
                    "type": "object",
                    "description": "A cluster-wide mailbox, with no status.",
                    "properties": {
                        "address": { "type": "string", "description": "The address." }
                    },
                    "required": ["address"]
                }
            },
            "required": ["spec"]
        })
    );
}

#[test]
fn crd_schema_is_structural_and_complete() {
    let (_, schema) = crd_without_schema::<DatabasePolicy>();
    assert_eq!(check_structural(&schema), Ok(()), "{schema:#}");

    // Nothing is lost decoding into `CustomResourceDefinition`: the schema is
    // the kind's structural schema, less the Rust type's name.
    let mut expected = schema::structural_schema_for::<DatabasePolicy>();
    expected.as_object_mut().unwrap().remove("title");
    assert_eq!(schema, expected);

    assert_eq!(schema["required"], json!(["spec"]));
    assert_eq!(schema["description"], "A replicated database with a backup policy.");
    assert_eq!(schema["properties"]["metadata"], json!({ "type": "object" }));
    let spec = &schema["properties"]["spec"]["properties"];
    assert_eq!(spec["engine"]["enum"], json!(["postgres", "mysql"]));
    let backup = &spec["backups"]["items"];
    assert_eq!(backup["type"], "object");
    assert_eq!(backup["properties"]["volume"]["type"], "string");
    assert_eq!(backup["oneOf"], json!([{ "required": ["bucket"] }, { "required": ["volume"] }]));
    let endpoint = &spec["endpoint"];
    assert_eq!(endpoint["properties"]["type"]["enum"], json!(["ClusterIp", "LoadBalancer"]));
    assert_eq!(
        endpoint["oneOf"],
        json!([{ "required": ["type", "port"] }, { "required": ["type", "address"] }])
    );
    assert_eq!(spec["settings"]["x-kubernetes-preserve-unknown-fields"], true);
    assert_eq!(spec["port"]["x-kubernetes-int-or-string"], true);
    assert_eq!(spec["zonePairs"]["items"]["properties"]["first"]["type"], "string");
    assert_eq!(spec["database"]["type"], "string");
    let status = &schema["properties"]["status"];
    assert_eq!(status["properties"]["readyReplicas"]["format"], "int32");
}

#[test]
fn crd_decodes_as_a_custom_resource_definition() {
    let crd = DatabasePolicy::crd();
    assert_eq!(crd.metadata.name.as_deref(), Some("databasepolicies.db.example.com"));
    assert_eq!(crd.spec.names.list_kind.as_deref(), Some("DatabasePolicyList"));
    assert_eq!(crd.spec.versions.len(), 1);
    let json = serde_json::to_vec(&crd).unwrap();
    let (again, unknown) =
        keelson_core_types::codec::from_json_strict::<CustomResourceDefinition>(&json).unwrap();
    assert_eq!(unknown, Vec::<String>::new());
    assert_eq!(again, crd);
}

/// Kinds whose plural is derived from an irregular ending, or given.
mod plurals {
    use super::*;

    macro_rules! kinds {
        ($($kind:literal $spec:ident $(plural = $plural:literal)? $(column = $column:literal)?;)*) => {$(
            /// A test kind.
            #[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
            #[resource(group = "example.com", version = "v1", kind = $kind $(, plural = $plural)?)]
            $(#[resource(printcolumn = $column)])?
            pub(crate) struct $spec {}
        )*};
    }

    kinds! {
        "Gateway" GatewaySpec;
        "Proxy" ProxySpec;
        "Match" MatchSpec;
        "Mesh" MeshSpec;
        "Quiz" QuizSpec;
        "Bus" BusSpec;
        "Widget" WidgetSpec;
        "Person" PersonSpec plural = "people"
            column = r#"{"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}"#;
    }

    #[test]
    fn plural_names() {
        let plurals = [
            Gateway::API_RESOURCE.plural,
            Proxy::API_RESOURCE.plural,
            Match::API_RESOURCE.plural,
            Mesh::API_RESOURCE.plural,
            Quiz::API_RESOURCE.plural,
            Bus::API_RESOURCE.plural,
            Widget::API_RESOURCE.plural,
            Person::API_RESOURCE.plural,
        ];
        assert_eq!(
            plurals,
            ["gateways", "proxies", "matches", "meshes", "quizes", "buses", "widgets", "people"]
        );
        let crd = serde_json::to_value(Person::crd()).unwrap();
        assert_eq!(crd["spec"]["names"]["singular"], "person");
        // A column given through a `macro_rules!` literal.
        assert_eq!(
            crd["spec"]["versions"][0]["additionalPrinterColumns"],
            json!([{ "name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp" }])
        );
    }
}

/// Shapes that `#[derive(StructuralSchema)]` accepts but that
/// `schema::make_structural` (core-types) does not yet turn into a correct
/// structural schema.
mod known_gaps {
    use super::*;

    /// A string enum with documented variants: schemars writes a `oneOf` of
    /// one-value string schemas.
    #[derive(StructuralSchema, Clone, Debug, Serialize, Deserialize, JsonSchema)]
    pub(crate) enum Documented {
        /// The first.
        First,
        /// The second.
        Second,
    }

    /// An internally tagged enum with a unit variant: both `oneOf` branches
    /// require only the tag, so every object matches both and fails `oneOf`.
    #[derive(StructuralSchema, Clone, Debug, Serialize, Deserialize, JsonSchema)]
    #[serde(tag = "type")]
    pub(crate) enum Tagged {
        /// No data.
        Plain,
        /// Only optional data.
        Fancy {
            /// Optional.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            level: Option<i32>,
        },
    }

    /// The gaps, as fields.
    #[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
    #[resource(group = "gaps.example.com", version = "v1", kind = "Gap")]
    #[serde(rename_all = "camelCase")]
    pub(crate) struct GapSpec {
        /// `oneOf` of string schemas instead of one string enum.
        documented: Documented,
        /// `anyOf: [<enum>, null]` instead of the enum's schema with
        /// `nullable: true`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        optional_enum: Option<Backup>,
        /// Branches that cannot be told apart.
        tagged: Tagged,
    }

    #[test]
    fn known_gaps_of_make_structural() {
        let schema = schema::structural_schema_for::<Gap>();
        assert_eq!(check_structural(&schema), Ok(()), "{schema:#}");
        let spec = &schema["properties"]["spec"]["properties"];
        assert_eq!(spec["documented"]["enum"], json!(["First", "Second"]));
        assert_eq!(spec["optionalEnum"]["nullable"], true);
        let branches = spec["tagged"]["oneOf"].as_array().map_or(&[][..], Vec::as_slice);
        for (i, a) in branches.iter().enumerate() {
            for b in &branches[i + 1..] {
                assert_ne!(a, b, "two oneOf branches match the same objects");
            }
        }
    }
}

/// core-types under another path, as through the `keelson` facade
/// (`crate = "::keelson::types"`).
mod reexport {
    pub(crate) use keelson_core_types as types;
}

/// A kind whose derives name core-types through `crate = "..."`.
mod renamed_crate {
    use super::*;

    /// A gadget.
    #[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
    #[resource(crate = "crate::reexport::types", group = "example.com", version = "v1")]
    #[resource(kind = "Gadget", status = "GadgetStatus", namespaced)]
    pub(crate) struct GadgetSpec {
        /// Its size.
        pub(crate) size: Size,
    }

    /// A size.
    #[derive(StructuralSchema, Clone, Debug, Serialize, Deserialize, JsonSchema)]
    #[structural(crate = "crate::reexport::types")]
    pub(crate) struct Size(pub(crate) i64);

    /// A gadget's status.
    #[derive(StructuralSchema, Clone, Debug, Serialize, Deserialize, JsonSchema)]
    #[structural(crate = "crate::reexport::types")]
    pub(crate) struct GadgetStatus {
        /// Whether it works.
        pub(crate) working: bool,
    }

    #[test]
    fn kinds_work_with_core_types_under_another_path() {
        let gadget = Gadget::new("g", GadgetSpec { size: Size(2) });
        assert_eq!(
            serde_json::to_string(&gadget).unwrap(),
            r#"{"apiVersion":"example.com/v1","kind":"Gadget","metadata":{"name":"g"},"spec":{"size":2}}"#
        );
        assert_eq!(Gadget::API_RESOURCE.scope, Scope::Namespaced);
        let crd = serde_json::to_value(Gadget::crd()).unwrap();
        assert_eq!(crd["spec"]["versions"][0]["subresources"], json!({ "status": {} }));
    }
}
