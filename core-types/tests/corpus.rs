//! The manifest corpus in `tests/data/`: every document round-trips through
//! Keelson's model unchanged, `k8s-openapi` (an independent implementation of
//! the same wire format) reads and writes it to the same JSON, and together
//! the documents use every field that the model has.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use keelson_core_types::codec;
use keelson_core_types::registry::Registry;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Decodes with `Ours` and with `Theirs`, and returns both re-encodings.
fn both<Ours, Theirs>(doc: &Value) -> Result<(Value, Value), String>
where
    Ours: DeserializeOwned + Serialize,
    Theirs: DeserializeOwned + Serialize,
{
    let ours: Ours = serde_json::from_value(doc.clone()).map_err(|e| format!("keelson: {e}"))?;
    let theirs: Theirs =
        serde_json::from_value(doc.clone()).map_err(|e| format!("k8s-openapi: {e}"))?;
    Ok((serde_json::to_value(ours).unwrap(), serde_json::to_value(theirs).unwrap()))
}

macro_rules! dispatch {
    ($($api_version:literal $kind:literal => $ours:ty, $theirs:ty;)*) => {
        fn round_trip(api_version: &str, kind: &str, doc: &Value) -> Result<(Value, Value), String> {
            match (api_version, kind) {
                $(($api_version, $kind) => both::<$ours, $theirs>(doc),)*
                _ => Err(format!("no model for {api_version} {kind}")),
            }
        }
    };
}

use k8s_openapi::api as k8s;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1 as k8s_apiext;
use keelson_core_types::api as ours;

dispatch! {
    "v1" "Namespace" => ours::core::v1::Namespace, k8s::core::v1::Namespace;
    "v1" "Node" => ours::core::v1::Node, k8s::core::v1::Node;
    "v1" "Pod" => ours::core::v1::Pod, k8s::core::v1::Pod;
    "v1" "PodTemplate" => ours::core::v1::PodTemplate, k8s::core::v1::PodTemplate;
    "v1" "Binding" => ours::core::v1::Binding, k8s::core::v1::Binding;
    "v1" "Service" => ours::core::v1::Service, k8s::core::v1::Service;
    "v1" "Endpoints" => ours::core::v1::Endpoints, k8s::core::v1::Endpoints;
    "v1" "ConfigMap" => ours::core::v1::ConfigMap, k8s::core::v1::ConfigMap;
    "v1" "Secret" => ours::core::v1::Secret, k8s::core::v1::Secret;
    "v1" "ServiceAccount" => ours::core::v1::ServiceAccount, k8s::core::v1::ServiceAccount;
    "v1" "PersistentVolume" => ours::core::v1::PersistentVolume, k8s::core::v1::PersistentVolume;
    "v1" "PersistentVolumeClaim" => ours::core::v1::PersistentVolumeClaim, k8s::core::v1::PersistentVolumeClaim;
    "v1" "ReplicationController" => ours::core::v1::ReplicationController, k8s::core::v1::ReplicationController;
    "v1" "Event" => ours::core::v1::Event, k8s::core::v1::Event;
    "v1" "ResourceQuota" => ours::core::v1::ResourceQuota, k8s::core::v1::ResourceQuota;
    "v1" "LimitRange" => ours::core::v1::LimitRange, k8s::core::v1::LimitRange;
    "apps/v1" "Deployment" => ours::apps::v1::Deployment, k8s::apps::v1::Deployment;
    "apps/v1" "ReplicaSet" => ours::apps::v1::ReplicaSet, k8s::apps::v1::ReplicaSet;
    "apps/v1" "DaemonSet" => ours::apps::v1::DaemonSet, k8s::apps::v1::DaemonSet;
    "apps/v1" "StatefulSet" => ours::apps::v1::StatefulSet, k8s::apps::v1::StatefulSet;
    "apps/v1" "ControllerRevision" => ours::apps::v1::ControllerRevision, k8s::apps::v1::ControllerRevision;
    "batch/v1" "Job" => ours::batch::v1::Job, k8s::batch::v1::Job;
    "batch/v1" "CronJob" => ours::batch::v1::CronJob, k8s::batch::v1::CronJob;
    "discovery.k8s.io/v1" "EndpointSlice" => ours::discovery::v1::EndpointSlice, k8s::discovery::v1::EndpointSlice;
    "networking.k8s.io/v1" "Ingress" => ours::networking::v1::Ingress, k8s::networking::v1::Ingress;
    "networking.k8s.io/v1" "IngressClass" => ours::networking::v1::IngressClass, k8s::networking::v1::IngressClass;
    "networking.k8s.io/v1" "NetworkPolicy" => ours::networking::v1::NetworkPolicy, k8s::networking::v1::NetworkPolicy;
    "coordination.k8s.io/v1" "Lease" => ours::coordination::v1::Lease, k8s::coordination::v1::Lease;
    "autoscaling/v2" "HorizontalPodAutoscaler" => ours::autoscaling::v2::HorizontalPodAutoscaler, k8s::autoscaling::v2::HorizontalPodAutoscaler;
    "policy/v1" "PodDisruptionBudget" => ours::policy::v1::PodDisruptionBudget, k8s::policy::v1::PodDisruptionBudget;
    "policy/v1" "Eviction" => ours::policy::v1::Eviction, k8s::policy::v1::Eviction;
    "scheduling.k8s.io/v1" "PriorityClass" => ours::scheduling::v1::PriorityClass, k8s::scheduling::v1::PriorityClass;
    "storage.k8s.io/v1" "StorageClass" => ours::storage::v1::StorageClass, k8s::storage::v1::StorageClass;
    "rbac.authorization.k8s.io/v1" "Role" => ours::rbac::v1::Role, k8s::rbac::v1::Role;
    "rbac.authorization.k8s.io/v1" "ClusterRole" => ours::rbac::v1::ClusterRole, k8s::rbac::v1::ClusterRole;
    "rbac.authorization.k8s.io/v1" "RoleBinding" => ours::rbac::v1::RoleBinding, k8s::rbac::v1::RoleBinding;
    "rbac.authorization.k8s.io/v1" "ClusterRoleBinding" => ours::rbac::v1::ClusterRoleBinding, k8s::rbac::v1::ClusterRoleBinding;
    "apiextensions.k8s.io/v1" "CustomResourceDefinition" => ours::apiextensions::v1::CustomResourceDefinition, k8s_apiext::CustomResourceDefinition;
}

/// Every document of every corpus file, with the file it came from.
fn corpus() -> Vec<(PathBuf, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut docs = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let parsed = match file.extension().and_then(|e| e.to_str()) {
            Some("json") => vec![serde_json::from_str(&text).unwrap()],
            Some("yaml" | "yml") => {
                codec::yaml_documents(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
            }
            _ => continue,
        };
        for doc in parsed {
            // A `List` file holds its objects in `items`.
            if doc["kind"] == "List" {
                docs.extend(
                    doc["items"].as_array().unwrap().iter().map(|d| (file.clone(), d.clone())),
                );
            } else {
                docs.push((file.clone(), doc));
            }
        }
    }
    docs
}

/// Kubernetes treats `null` as absent; so do both models.
fn strip_nulls(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// Names the first place two values differ. With `numbers_by_value`,
/// `50` and `50.0` are equal: Go (and so Kubernetes and Keelson) writes a
/// whole float as `50`, while k8s-openapi writes `50.0`.
fn first_difference(a: &Value, b: &Value, path: &str, numbers_by_value: bool) -> Option<String> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if numbers_by_value && x.as_f64() == y.as_f64() => {
            None
        }
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()).collect::<BTreeSet<_>>() {
                let (va, vb) = (x.get(k).unwrap_or(&Value::Null), y.get(k).unwrap_or(&Value::Null));
                if let Some(d) = first_difference(va, vb, &format!("{path}.{k}"), numbers_by_value)
                {
                    return Some(d);
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (va, vb))| {
                first_difference(va, vb, &format!("{path}[{i}]"), numbers_by_value)
            })
        }
        _ if a == b => None,
        _ => Some(format!("{path}: {a} != {b}")),
    }
}

#[test]
fn every_document_round_trips_and_matches_k8s_openapi() {
    let docs = corpus();
    assert!(docs.len() >= 37, "the corpus has only {} documents", docs.len());
    let mut failures = Vec::new();
    for (file, mut doc) in docs {
        strip_nulls(&mut doc);
        let av = doc["apiVersion"].as_str().unwrap_or_default().to_owned();
        let kind = doc["kind"].as_str().unwrap_or_default().to_owned();
        let name = doc["metadata"]["name"].as_str().unwrap_or_default().to_owned();
        let at = format!("{} ({kind} {name})", file.file_name().unwrap().to_string_lossy());
        match round_trip(&av, &kind, &doc) {
            Err(e) => failures.push(format!("{at}: {e}")),
            Ok((ours, theirs)) => {
                if let Some(d) = first_difference(&doc, &ours, "", false) {
                    failures.push(format!("{at}: keelson's round trip differs at {d}"));
                }
                if let Some(d) = first_difference(&theirs, &ours, "", true) {
                    failures.push(format!("{at}: k8s-openapi differs from keelson at {d}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// Collects the field paths a schema models: `.spec.containers[].name`.
fn schema_paths(schema: &Value, path: &str, out: &mut BTreeSet<String>) {
    let open = schema.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true))
        || schema.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true));
    if open {
        return;
    }
    if let Some(Value::Object(props)) = schema.get("properties") {
        for (name, p) in props {
            let child = format!("{path}.{name}");
            out.insert(child.clone());
            schema_paths(p, &child, out);
        }
    }
    if let Some(items @ Value::Object(_)) = schema.get("items") {
        schema_paths(items, &format!("{path}[]"), out);
    }
    if let Some(ap @ Value::Object(_)) = schema.get("additionalProperties") {
        schema_paths(ap, &format!("{path}{{}}"), out);
    }
}

/// Collects the field paths a document uses, in the same notation; `maps`
/// holds the paths the schema says are maps, whose keys are not fields.
fn doc_paths(doc: &Value, path: &str, maps: &BTreeSet<String>, out: &mut BTreeSet<String>) {
    match doc {
        Value::Object(fields) if maps.contains(path) => {
            for v in fields.values() {
                doc_paths(v, &format!("{path}{{}}"), maps, out);
            }
        }
        Value::Object(fields) => {
            for (k, v) in fields {
                let child = format!("{path}.{k}");
                out.insert(child.clone());
                doc_paths(v, &child, maps, out);
            }
        }
        Value::Array(items) => {
            items.iter().for_each(|i| doc_paths(i, &format!("{path}[]"), maps, out))
        }
        _ => {}
    }
}

fn map_paths(schema: &Value, path: &str, out: &mut BTreeSet<String>) {
    if let Some(Value::Object(props)) = schema.get("properties") {
        for (name, p) in props {
            map_paths(p, &format!("{path}.{name}"), out);
        }
    }
    if let Some(items @ Value::Object(_)) = schema.get("items") {
        map_paths(items, &format!("{path}[]"), out);
    }
    if let Some(ap @ Value::Object(_)) = schema.get("additionalProperties") {
        out.insert(path.to_owned());
        map_paths(ap, &format!("{path}{{}}"), out);
    }
}

#[test]
fn the_corpus_uses_every_kind_and_every_modelled_field() {
    let registry = Registry::builtin();
    let mut used: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut maps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for k in registry.kinds() {
        let mut m = BTreeSet::new();
        map_paths(&(k.schema.unwrap())(), "", &mut m);
        maps.insert(k.resource.kind.to_string(), m);
    }
    for (_, doc) in corpus() {
        let kind = doc["kind"].as_str().unwrap_or_default().to_owned();
        let m = maps.get(&kind).cloned().unwrap_or_default();
        doc_paths(&doc, "", &m, used.entry(kind).or_default());
    }
    let mut missing = Vec::new();
    for k in registry.kinds() {
        let kind = k.resource.kind.to_string();
        let Some(seen) = used.get(&kind) else {
            missing.push(format!("{kind}: no document"));
            continue;
        };
        let mut modelled = BTreeSet::new();
        schema_paths(&(k.schema.unwrap())(), "", &mut modelled);
        // Metadata is shared by every kind; the ObjectMeta corpus covers it once.
        let unused: Vec<_> = modelled
            .difference(seen)
            .filter(|p| !p.starts_with(".metadata.") || kind == "ConfigMap")
            .cloned()
            .collect();
        if !unused.is_empty() {
            missing.push(format!("{kind}: {} unused fields: {}", unused.len(), unused.join(" ")));
        }
    }
    assert!(missing.is_empty(), "the corpus misses:\n{}", missing.join("\n"));
}
