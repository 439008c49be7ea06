//! The etcd v3 protocol: messages, gRPC clients and gRPC servers.
//!
//! Generated at build time from the `.proto` files in `store/proto/`, which
//! are written for Keelson from the etcd v3 API reference and keep etcd's
//! package, service, method and message names, field numbers and enum
//! values. So these types are byte-for-byte compatible with etcd, and the
//! gRPC paths (`/etcdserverpb.KV/Range`, `/etcdserverpb.Watch/Watch`, ...)
//! are etcd's: `etcdctl` and every etcd client can talk to a Keelson server,
//! and [`etcdserverpb::kv_client::KvClient`] can talk to etcd.
//!
//! - [`mvccpb`]: [`KeyValue`](mvccpb::KeyValue) and watch
//!   [`Event`](mvccpb::Event)s.
//! - [`etcdserverpb`]: the services KV, Watch, Lease, Cluster and Maintenance
//!   (etcd's Auth service and Maintenance.Downgrade are not part of it). Each
//!   service `Foo` has a client in `foo_client` and a server in `foo_server`.
//!
//! Rust names are prost's renderings of etcd's: fields in snake_case (etcd's
//! `TTL`, `ID` and `peerURLs` become `ttl`, `id` and `peer_ur_ls`), types in
//! upper camel case (`HashKVRequest` becomes [`HashKvRequest`]), enum values
//! without their enum's prefix
//! ([`SortOrder::Descend`](etcdserverpb::range_request::SortOrder::Descend)).
//! A message's nested enums and oneofs live in a module named after it
//! ([`range_request`](etcdserverpb::range_request),
//! [`compare::TargetUnion`](etcdserverpb::compare::TargetUnion)).
//!
//! [`HashKvRequest`]: etcdserverpb::HashKvRequest
//!
//! ```
//! use keelson_store::pb::etcdserverpb::RangeRequest;
//! use prost::Message;
//!
//! let request = RangeRequest { key: b"foo".to_vec(), ..Default::default() };
//! // Field 1 (key), length-delimited: tag 0x0a, length 3, the bytes.
//! assert_eq!(request.encode_to_vec(), b"\x0a\x03foo");
//! ```

// The generated code is included as is, with no `#[allow]`: prost turns
// every comment in the .proto files into a doc comment and tonic documents
// its clients and servers, so `missing_docs` holds as long as every element
// of the .proto files has a comment (keep it so: a new message, field, enum
// value or RPC without one fails the build here). At the time of writing the
// generated code is also clean under clippy; if a newer prost or clippy
// trips a lint, allow it on the module below with the reason.

/// etcd's storage-level types (protobuf package `mvccpb`).
pub mod mvccpb {
    include!(concat!(env!("OUT_DIR"), "/mvccpb.rs"));
}

/// etcd's v3 API (protobuf package `etcdserverpb`): messages, and a client
/// and a server module per service.
pub mod etcdserverpb {
    include!(concat!(env!("OUT_DIR"), "/etcdserverpb.rs"));
}

#[cfg(test)]
mod tests {
    //! Wire-format checks. Every expected byte string is worked out by hand
    //! from etcd's field numbers: a field's tag byte is
    //! `(number << 3) | wire_type`, with wire type 0 for varints (integers,
    //! bools, enums) and 2 for length-delimited fields (bytes, strings,
    //! messages, packed repeated scalars). Matching bytes prove that our
    //! `.proto` files number the fields as etcd does.

    use super::etcdserverpb::{
        Compare, PutRequest, RangeRequest, ResponseHeader, WatchCancelRequest, WatchCreateRequest,
        WatchProgressRequest, WatchRequest, compare, range_request, watch_create_request,
        watch_request,
    };
    use super::mvccpb::{Event, KeyValue, event};
    use prost::Message;

    #[test]
    fn range_request_uses_etcds_field_numbers() {
        let request = RangeRequest {
            key: b"foo".to_vec(),
            range_end: b"fop".to_vec(),
            limit: 10,
            revision: 5,
            sort_order: range_request::SortOrder::Descend.into(),
            sort_target: range_request::SortTarget::Mod.into(),
            serializable: true,
            keys_only: true,
            max_create_revision: 300,
            ..Default::default()
        };
        let expected: &[u8] = &[
            0x0a, 3, b'f', b'o', b'o', // 1 key
            0x12, 3, b'f', b'o', b'p', // 2 range_end
            0x18, 10, // 3 limit
            0x20, 5, // 4 revision
            0x28, 2, // 5 sort_order = DESCEND
            0x30, 3, // 6 sort_target = MOD
            0x38, 1, // 7 serializable
            0x40, 1, // 8 keys_only
            0x68, 0xac, 0x02, // 13 max_create_revision = 300 (varint 0b10_0101100)
        ];
        assert_eq!(request.encode_to_vec(), expected);
        assert_eq!(RangeRequest::decode(expected).unwrap(), request);
    }

    #[test]
    fn put_request_uses_etcds_field_numbers() {
        let request = PutRequest {
            key: b"k".to_vec(),
            value: b"v".to_vec(),
            lease: 300,
            prev_kv: true,
            ignore_value: false,
            ignore_lease: true,
        };
        let expected: &[u8] = &[
            0x0a, 1, b'k', // 1 key
            0x12, 1, b'v', // 2 value
            0x18, 0xac, 0x02, // 3 lease = 300
            0x20, 1, // 4 prev_kv
            // 5 ignore_value is false: proto3 leaves defaults out.
            0x30, 1, // 6 ignore_lease
        ];
        assert_eq!(request.encode_to_vec(), expected);
    }

    #[test]
    fn watch_request_oneof_uses_etcds_field_numbers() {
        let create = WatchRequest {
            request_union: Some(watch_request::RequestUnion::CreateRequest(WatchCreateRequest {
                key: b"a".to_vec(),
                range_end: b"b".to_vec(),
                start_revision: 42,
                progress_notify: true,
                filters: vec![
                    watch_create_request::FilterType::Noput.into(),
                    watch_create_request::FilterType::Nodelete.into(),
                ],
                prev_kv: true,
                watch_id: 7,
                fragment: true,
            })),
        };
        let expected: &[u8] = &[
            0x0a, 20, // 1 create_request, 20 bytes
            0x0a, 1, b'a', // 1 key
            0x12, 1, b'b', // 2 range_end
            0x18, 42, // 3 start_revision
            0x20, 1, // 4 progress_notify
            0x2a, 2, 0, 1, // 5 filters, packed: NOPUT, NODELETE
            0x30, 1, // 6 prev_kv
            0x38, 7, // 7 watch_id
            0x40, 1, // 8 fragment
        ];
        assert_eq!(create.encode_to_vec(), expected);
        assert_eq!(WatchRequest::decode(expected).unwrap(), create);

        let cancel = WatchRequest {
            request_union: Some(watch_request::RequestUnion::CancelRequest(WatchCancelRequest {
                watch_id: 7,
            })),
        };
        // 2 cancel_request, 2 bytes: 1 watch_id = 7.
        assert_eq!(cancel.encode_to_vec(), [0x12, 2, 0x08, 7]);

        let progress = WatchRequest {
            request_union: Some(watch_request::RequestUnion::ProgressRequest(
                WatchProgressRequest {},
            )),
        };
        // 3 progress_request: present, though empty.
        assert_eq!(progress.encode_to_vec(), [0x1a, 0]);
    }

    #[test]
    fn compare_target_union_uses_etcds_field_numbers() {
        let compare = Compare {
            result: compare::CompareResult::NotEqual.into(),
            target: compare::CompareTarget::Mod.into(),
            key: b"k".to_vec(),
            target_union: Some(compare::TargetUnion::ModRevision(9)),
            range_end: b"l".to_vec(),
        };
        let expected: &[u8] = &[
            0x08, 3, // 1 result = NOT_EQUAL
            0x10, 2, // 2 target = MOD
            0x1a, 1, b'k', // 3 key
            0x30, 9, // 6 mod_revision
            0x82, 0x04, 1, b'l', // 64 range_end: tag (64 << 3) | 2 = 514, varint 0x82 0x04
        ];
        assert_eq!(compare.encode_to_vec(), expected);
        assert_eq!(Compare::decode(expected).unwrap(), compare);

        // "The key does not exist" is `version == 0`: a oneof member is sent
        // even when it holds its default value, unlike a plain field.
        let absent = Compare {
            key: b"k".to_vec(),
            target_union: Some(compare::TargetUnion::Version(0)),
            ..Default::default()
        };
        assert_eq!(absent.encode_to_vec(), [0x1a, 1, b'k', 0x20, 0]);
    }

    #[test]
    fn response_header_decodes_from_etcds_field_numbers() {
        let bytes: &[u8] = &[
            0x08, 0xac, 0x02, // 1 cluster_id = 300
            // 2 member_id = u64::MAX: 64 one bits, 7 per byte.
            0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x18,
            100, // 3 revision
            0x20, 2, // 4 raft_term
        ];
        let header = ResponseHeader::decode(bytes).unwrap();
        assert_eq!(
            header,
            ResponseHeader { cluster_id: 300, member_id: u64::MAX, revision: 100, raft_term: 2 }
        );
    }

    #[test]
    fn event_and_key_value_use_etcds_field_numbers() {
        let kv = KeyValue {
            key: b"k".to_vec(),
            create_revision: 2,
            mod_revision: 3,
            version: 1,
            value: b"v".to_vec(),
            lease: 4,
        };
        let kv_bytes: &[u8] = &[0x0a, 1, b'k', 0x10, 2, 0x18, 3, 0x20, 1, 0x2a, 1, b'v', 0x30, 4];
        assert_eq!(kv.encode_to_vec(), kv_bytes);

        let event = Event { r#type: event::EventType::Delete.into(), kv: None, prev_kv: Some(kv) };
        let mut expected = vec![0x08, 1, 0x1a, 14]; // 1 type = DELETE; 3 prev_kv, 14 bytes
        expected.extend_from_slice(kv_bytes);
        assert_eq!(event.encode_to_vec(), expected);
    }

    /// The servers answer under etcd's service names, which make the first
    /// half of every gRPC path (`/etcdserverpb.KV/...`).
    #[test]
    fn servers_use_etcds_service_names() {
        use super::etcdserverpb::{
            cluster_server, kv_server, lease_server, maintenance_server, watch_server,
        };
        assert_eq!(kv_server::SERVICE_NAME, "etcdserverpb.KV");
        assert_eq!(watch_server::SERVICE_NAME, "etcdserverpb.Watch");
        assert_eq!(lease_server::SERVICE_NAME, "etcdserverpb.Lease");
        assert_eq!(cluster_server::SERVICE_NAME, "etcdserverpb.Cluster");
        assert_eq!(maintenance_server::SERVICE_NAME, "etcdserverpb.Maintenance");
    }

    mod paths {
        //! The clients call etcd's gRPC paths. A recording transport stands in
        //! for the network: it notes each request's path and fails it.

        use crate::pb::etcdserverpb::{
            self as pb, cluster_client::ClusterClient, kv_client::KvClient,
            lease_client::LeaseClient, maintenance_client::MaintenanceClient,
            watch_client::WatchClient,
        };
        // `tonic::codegen` is hidden from tonic's docs, but it is the stable
        // surface generated code is written against; it saves this test
        // direct dependencies on `http`, `tower-service` and `tokio-stream`.
        use tonic::codegen::{Service, http, tokio_stream};

        use std::future::Future;
        use std::pin::pin;
        use std::sync::{Arc, Mutex};
        use std::task::{Context, Poll, Waker};

        /// A transport that records the path of every request and fails it.
        #[derive(Clone, Default)]
        struct Recorder(Arc<Mutex<Vec<String>>>);

        impl Recorder {
            fn paths(&self) -> Vec<String> {
                self.0.lock().unwrap().clone()
            }
        }

        impl Service<http::Request<tonic::body::Body>> for Recorder {
            type Response = http::Response<tonic::body::Body>;
            type Error = std::io::Error;
            type Future = std::future::Ready<Result<Self::Response, Self::Error>>;

            fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
                Poll::Ready(Ok(()))
            }

            fn call(&mut self, request: http::Request<tonic::body::Body>) -> Self::Future {
                self.0.lock().unwrap().push(request.uri().path().to_owned());
                std::future::ready(Err(std::io::Error::other("recorded")))
            }
        }

        /// Runs a call on the recorder to completion: it never waits, so one
        /// poll finishes it. The call fails by construction.
        fn run<T>(call: impl Future<Output = Result<T, tonic::Status>>) {
            let mut cx = Context::from_waker(Waker::noop());
            match pin!(call).poll(&mut cx) {
                Poll::Ready(result) => assert!(result.is_err(), "the recorder fails every call"),
                Poll::Pending => panic!("a call on the recorder must finish in one poll"),
            }
        }

        fn empty<T>() -> tokio_stream::Empty<T> {
            tokio_stream::empty()
        }

        #[test]
        fn kv() {
            let recorder = Recorder::default();
            let mut client = KvClient::new(recorder.clone());
            run(client.range(pb::RangeRequest::default()));
            run(client.put(pb::PutRequest::default()));
            run(client.delete_range(pb::DeleteRangeRequest::default()));
            run(client.txn(pb::TxnRequest::default()));
            run(client.compact(pb::CompactionRequest::default()));
            assert_eq!(
                recorder.paths(),
                [
                    "/etcdserverpb.KV/Range",
                    "/etcdserverpb.KV/Put",
                    "/etcdserverpb.KV/DeleteRange",
                    "/etcdserverpb.KV/Txn",
                    "/etcdserverpb.KV/Compact",
                ]
            );
        }

        #[test]
        fn watch() {
            let recorder = Recorder::default();
            let mut client = WatchClient::new(recorder.clone());
            run(client.watch(empty()));
            assert_eq!(recorder.paths(), ["/etcdserverpb.Watch/Watch"]);
        }

        #[test]
        fn lease() {
            let recorder = Recorder::default();
            let mut client = LeaseClient::new(recorder.clone());
            run(client.lease_grant(pb::LeaseGrantRequest::default()));
            run(client.lease_revoke(pb::LeaseRevokeRequest::default()));
            run(client.lease_keep_alive(empty()));
            run(client.lease_time_to_live(pb::LeaseTimeToLiveRequest::default()));
            run(client.lease_leases(pb::LeaseLeasesRequest::default()));
            assert_eq!(
                recorder.paths(),
                [
                    "/etcdserverpb.Lease/LeaseGrant",
                    "/etcdserverpb.Lease/LeaseRevoke",
                    "/etcdserverpb.Lease/LeaseKeepAlive",
                    "/etcdserverpb.Lease/LeaseTimeToLive",
                    "/etcdserverpb.Lease/LeaseLeases",
                ]
            );
        }

        #[test]
        fn cluster() {
            let recorder = Recorder::default();
            let mut client = ClusterClient::new(recorder.clone());
            run(client.member_add(pb::MemberAddRequest::default()));
            run(client.member_remove(pb::MemberRemoveRequest::default()));
            run(client.member_update(pb::MemberUpdateRequest::default()));
            run(client.member_list(pb::MemberListRequest::default()));
            run(client.member_promote(pb::MemberPromoteRequest::default()));
            assert_eq!(
                recorder.paths(),
                [
                    "/etcdserverpb.Cluster/MemberAdd",
                    "/etcdserverpb.Cluster/MemberRemove",
                    "/etcdserverpb.Cluster/MemberUpdate",
                    "/etcdserverpb.Cluster/MemberList",
                    "/etcdserverpb.Cluster/MemberPromote",
                ]
            );
        }

        #[test]
        fn maintenance() {
            let recorder = Recorder::default();
            let mut client = MaintenanceClient::new(recorder.clone());
            run(client.alarm(pb::AlarmRequest::default()));
            run(client.status(pb::StatusRequest::default()));
            run(client.defragment(pb::DefragmentRequest::default()));
            run(client.hash(pb::HashRequest::default()));
            run(client.hash_kv(pb::HashKvRequest::default()));
            run(client.snapshot(pb::SnapshotRequest::default()));
            run(client.move_leader(pb::MoveLeaderRequest::default()));
            assert_eq!(
                recorder.paths(),
                [
                    "/etcdserverpb.Maintenance/Alarm",
                    "/etcdserverpb.Maintenance/Status",
                    "/etcdserverpb.Maintenance/Defragment",
                    "/etcdserverpb.Maintenance/Hash",
                    "/etcdserverpb.Maintenance/HashKV",
                    "/etcdserverpb.Maintenance/Snapshot",
                    "/etcdserverpb.Maintenance/MoveLeader",
                ]
            );
        }
    }
}
