//! Range requests: etcd's `RangeRequest` onto the engine's
//! [`RangeOptions`], and the engine's answers back into protocol messages.

use super::Header;
use crate::mvcc::{self, RangeOptions, SortOrder, SortTarget};
use crate::pb::etcdserverpb::range_request;
use crate::pb::etcdserverpb::{RangeRequest, RangeResponse, ResponseHeader};
use crate::pb::mvccpb;

/// The engine's options for a range request: every field maps one to one.
/// An unknown sort order reads as none and an unknown sort target as the
/// key (etcd has no error for them). `serializable` only matters to the
/// layer that chooses where to read, so it is not part of the options.
pub(super) fn options(request: &RangeRequest) -> RangeOptions {
    let sort_order = match range_request::SortOrder::try_from(request.sort_order) {
        Ok(range_request::SortOrder::Ascend) => SortOrder::Ascend,
        Ok(range_request::SortOrder::Descend) => SortOrder::Descend,
        Ok(range_request::SortOrder::None) | Err(_) => SortOrder::None,
    };
    let sort_target = match range_request::SortTarget::try_from(request.sort_target) {
        Ok(range_request::SortTarget::Version) => SortTarget::Version,
        Ok(range_request::SortTarget::Create) => SortTarget::Create,
        Ok(range_request::SortTarget::Mod) => SortTarget::Mod,
        Ok(range_request::SortTarget::Value) => SortTarget::Value,
        Ok(range_request::SortTarget::Key) | Err(_) => SortTarget::Key,
    };
    RangeOptions {
        key: request.key.clone(),
        range_end: request.range_end.clone(),
        revision: request.revision,
        limit: request.limit,
        count_only: request.count_only,
        keys_only: request.keys_only,
        sort_order,
        sort_target,
        min_mod_revision: request.min_mod_revision,
        max_mod_revision: request.max_mod_revision,
        min_create_revision: request.min_create_revision,
        max_create_revision: request.max_create_revision,
    }
}

/// The protocol's answer for an engine result.
pub(super) fn response(result: mvcc::RangeResult, header: ResponseHeader) -> RangeResponse {
    RangeResponse {
        header: Some(header),
        kvs: result.kvs.into_iter().map(key_value).collect(),
        more: result.more,
        count: result.count,
    }
}

/// A key-value pair as the protocol carries it.
pub(super) fn key_value(kv: mvcc::KeyValue) -> mvccpb::KeyValue {
    mvccpb::KeyValue {
        key: kv.key,
        create_revision: kv.create_revision,
        mod_revision: kv.mod_revision,
        version: kv.version,
        value: kv.value,
        lease: kv.lease,
    }
}

impl Header {
    /// The response header at `revision`.
    #[must_use]
    pub fn at(&self, revision: i64) -> ResponseHeader {
        ResponseHeader {
            cluster_id: self.cluster_id,
            member_id: self.member_id,
            revision,
            raft_term: self.raft_term,
        }
    }
}

/// A header inside a transaction's responses: etcd fills only the revision.
pub(super) fn nested_header(revision: i64) -> Option<ResponseHeader> {
    Some(ResponseHeader { revision, ..ResponseHeader::default() })
}

#[cfg(test)]
mod tests {
    use super::super::Error;
    use super::super::testing::{Fixture, kv};
    use super::*;

    #[test]
    fn every_field_maps_onto_the_engine() {
        let request = RangeRequest {
            key: b"a".to_vec(),
            range_end: b"z".to_vec(),
            limit: 3,
            revision: 9,
            sort_order: range_request::SortOrder::Descend as i32,
            sort_target: range_request::SortTarget::Mod as i32,
            serializable: true,
            keys_only: true,
            count_only: true,
            min_mod_revision: 1,
            max_mod_revision: 2,
            min_create_revision: 3,
            max_create_revision: 4,
        };
        let want = RangeOptions {
            key: b"a".to_vec(),
            range_end: b"z".to_vec(),
            revision: 9,
            limit: 3,
            count_only: true,
            keys_only: true,
            sort_order: SortOrder::Descend,
            sort_target: SortTarget::Mod,
            min_mod_revision: 1,
            max_mod_revision: 2,
            min_create_revision: 3,
            max_create_revision: 4,
        };
        assert_eq!(options(&request), want);
        let targets = [
            (0, SortTarget::Key),
            (1, SortTarget::Version),
            (2, SortTarget::Create),
            (3, SortTarget::Mod),
            (4, SortTarget::Value),
            (99, SortTarget::Key),
        ];
        for (target, want) in targets {
            let request = RangeRequest { sort_target: target, ..RangeRequest::default() };
            assert_eq!(options(&request).sort_target, want, "target {target}");
        }
        let orders = [
            (0, SortOrder::None),
            (1, SortOrder::Ascend),
            (2, SortOrder::Descend),
            (-1, SortOrder::None),
        ];
        for (order, want) in orders {
            let request = RangeRequest { sort_order: order, ..RangeRequest::default() };
            assert_eq!(options(&request).sort_order, want, "order {order}");
        }
    }

    fn get(f: &Fixture, request: RangeRequest) -> RangeResponse {
        f.applier().range(&request).unwrap()
    }

    fn keys(response: &RangeResponse) -> String {
        response.kvs.iter().map(|kv| String::from_utf8_lossy(&kv.key).into_owned()).collect()
    }

    #[test]
    fn ranges_answer_with_etcds_fields() {
        let f = Fixture::new();
        for (key, value) in [("a", "3"), ("b", "1"), ("c", "2"), ("d", "0")] {
            f.put(key, value); // revisions 2, 3, 4, 5
        }
        let req = |key: &str, end: &str| RangeRequest {
            key: key.into(),
            range_end: end.into(),
            ..RangeRequest::default()
        };
        let one = get(&f, req("b", ""));
        assert_eq!(one.kvs, [kv("b", "1", 3, 3, 1)]);
        assert_eq!((one.count, one.more), (1, false));
        assert_eq!(one.header, Some(f.header.at(5)));
        assert_eq!(keys(&get(&f, req("b", "d"))), "bc");
        assert_eq!(keys(&get(&f, req("b", "\0"))), "bcd");
        let limited = get(&f, RangeRequest { limit: 2, ..req("a", "\0") });
        assert_eq!((keys(&limited), limited.count, limited.more), ("ab".into(), 4, true));
        let by_value = RangeRequest {
            sort_order: range_request::SortOrder::Descend as i32,
            sort_target: range_request::SortTarget::Value as i32,
            ..req("a", "\0")
        };
        assert_eq!(keys(&get(&f, by_value)), "acbd");
        let counted = get(&f, RangeRequest { count_only: true, ..req("a", "\0") });
        assert_eq!((counted.kvs.len(), counted.count), (0, 4));
        let bare = get(&f, RangeRequest { keys_only: true, ..req("a", "") });
        assert_eq!(bare.kvs[0].value, b"");
        let old = get(&f, RangeRequest { revision: 3, ..req("a", "\0") });
        assert_eq!((keys(&old), old.header.unwrap().revision), ("ab".into(), 5));
        let recent = RangeRequest { min_mod_revision: 4, ..req("a", "\0") };
        assert_eq!(keys(&get(&f, recent)), "cd");
        let early = RangeRequest { max_create_revision: 3, ..req("a", "\0") };
        assert_eq!(keys(&get(&f, early)), "ab");
    }

    #[test]
    fn ranges_refuse_missing_keys_and_unreadable_revisions() {
        let f = Fixture::new();
        f.put("a", "1");
        f.put("a", "2");
        f.store.compact(3).unwrap();
        let at =
            |revision| RangeRequest { key: b"a".to_vec(), revision, ..RangeRequest::default() };
        let applier = f.applier();
        assert!(matches!(applier.range(&at(2)), Err(Error::Compacted { compact_revision: 3 })));
        assert!(matches!(applier.range(&at(4)), Err(Error::FutureRevision { revision: 4, .. })));
        assert_eq!(applier.range(&at(3)).unwrap().kvs, [kv("a", "2", 2, 3, 2)]);
        let empty = RangeRequest::default();
        assert!(matches!(applier.range(&empty), Err(Error::KeyNotProvided)));
    }
}
