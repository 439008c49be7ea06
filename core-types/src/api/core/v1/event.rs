//! core/v1 Event: a report of something that happened to an object.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::meta::ObjectMeta;
use crate::resource::kind;
use crate::time::{MicroTime, Time};

use super::ObjectReference;

kind! {
    group: "", version: "v1", plural: "events", scope: Namespaced,
    short_names: ["ev"], categories: [];
    /// A report of something that happened to an object (a pod was
    /// scheduled, an image pull failed), kept for a short while.
    pub struct Event {
        /// Standard object metadata.
        #[serde(default)]
        pub metadata: ObjectMeta,
        /// The object the event is about.
        pub involved_object: ObjectReference,
        /// A short CamelCase reason for the event (`Scheduled`, `BackOff`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub reason: Option<String>,
        /// A message for people describing what happened.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub message: Option<String>,
        /// The component (and host) that reported the event; older
        /// reporters fill this instead of `reportingComponent`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub source: Option<EventSource>,
        /// When the event was first seen.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub first_timestamp: Option<Time>,
        /// When the event was last seen.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub last_timestamp: Option<Time>,
        /// How many times the event has been seen.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub count: Option<i32>,
        /// `Normal` or `Warning`.
        #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
        pub type_: Option<String>,
        /// When the event was first observed, with microseconds (set by newer
        /// reporters).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub event_time: Option<MicroTime>,
        /// How often a recurring event has been seen, for newer reporters.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub series: Option<EventSeries>,
        /// What was done, or failed to be done, about the object
        /// (`Binding`, `Pulling`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub action: Option<String>,
        /// A second object involved in the event.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub related: Option<ObjectReference>,
        /// The controller that reported the event (`kubernetes.io/kubelet`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub reporting_component: Option<String>,
        /// The instance of the controller that reported the event
        /// (`kubelet-worker-1`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub reporting_instance: Option<String>,
    }
}

/// The component that reported an [`Event`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventSource {
    /// The reporting component (`kubelet`, `default-scheduler`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    /// The node the event was reported from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

/// A summary of a recurring [`Event`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventSeries {
    /// How many times the event has occurred so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<i32>,
    /// When the last occurrence was seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_observed_time: Option<MicroTime>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::resource::StaticResource;
    use crate::test_support::round_trip;

    #[test]
    fn kubelet_event_round_trips() {
        let manifest = json!({
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {
                "name": "web-7c9d8-abcde.17c8a1b2c3d4e5f6",
                "namespace": "default",
                "uid": "8f7e6d5c-4b3a-4291-8c7d-6e5f4a3b2c1d",
                "resourceVersion": "5120",
                "creationTimestamp": "2024-05-01T12:00:10Z"
            },
            "involvedObject": {
                "apiVersion": "v1",
                "kind": "Pod",
                "name": "web-7c9d8-abcde",
                "namespace": "default",
                "uid": "5e2d7f1a-2c3b-4d5e-8f9a-0b1c2d3e4f5a",
                "resourceVersion": "5001",
                "fieldPath": "spec.containers{web}"
            },
            "reason": "BackOff",
            "message": "Back-off pulling image \"registry.example.com/web:1.2\"",
            "source": {"component": "kubelet", "host": "worker-1"},
            "firstTimestamp": "2024-05-01T12:00:10Z",
            "lastTimestamp": "2024-05-01T12:04:40Z",
            "count": 12,
            "type": "Warning",
            "reportingComponent": "kubelet",
            "reportingInstance": "worker-1"
        });
        let ev: Event = round_trip(&manifest);
        assert_eq!(ev.involved_object.field_path.as_deref(), Some("spec.containers{web}"));
        assert_eq!(ev.count, Some(12));
        assert_eq!(ev.last_timestamp.unwrap().to_string(), "2024-05-01T12:04:40Z");
    }

    #[test]
    fn scheduler_event_round_trips() {
        let manifest = json!({
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": "web-1.17c8a1b2c3d4e5f7", "namespace": "default"},
            "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": "web-1",
                               "namespace": "default"},
            "action": "Binding",
            "eventTime": "2024-05-01T12:00:01.123456Z",
            "message": "Successfully assigned default/web-1 to worker-2",
            "reason": "Scheduled",
            "related": {"apiVersion": "v1", "kind": "Node", "name": "worker-2"},
            "reportingComponent": "default-scheduler",
            "reportingInstance": "default-scheduler-control-plane",
            "series": {"count": 3, "lastObservedTime": "2024-05-01T12:05:00.000001Z"},
            "source": {},
            "type": "Normal"
        });
        let ev: Event = round_trip(&manifest);
        assert_eq!(ev.event_time.unwrap().to_string(), "2024-05-01T12:00:01.123456Z");
        assert_eq!(ev.series.unwrap().count, Some(3));
        assert_eq!(ev.related.unwrap().kind.as_deref(), Some("Node"));
    }

    #[test]
    fn null_timestamps_from_go_clients_decode_as_unset() {
        // Go writes an unset non-pointer timestamp as null.
        let ev: Event = serde_json::from_value(json!({
            "metadata": {"name": "e"},
            "involvedObject": {"kind": "Pod", "name": "p"},
            "eventTime": null,
            "firstTimestamp": null,
            "lastTimestamp": null
        }))
        .unwrap();
        assert_eq!((ev.event_time, ev.first_timestamp, ev.last_timestamp), (None, None, None));
    }

    #[test]
    fn minimal_event_is_exact() {
        let ev = Event { metadata: ObjectMeta::named("e"), ..Event::default() };
        assert_eq!(
            serde_json::to_string(&ev).unwrap(),
            r#"{"apiVersion":"v1","kind":"Event","metadata":{"name":"e"},"involvedObject":{}}"#
        );
        assert!(serde_json::from_value::<Event>(json!({"metadata": {}})).is_err());
        assert_eq!(&*Event::API_RESOURCE.short_names, ["ev"]);
    }
}
