//! What a Raft log entry carries: an etcd request, tagged with the member
//! that proposed it and the proposal's id, in protobuf.
//!
//! The id lets the proposing member answer the caller waiting for it when
//! the entry is applied, whatever order entries come back in; the other
//! members apply the request and answer nobody.

use prost::Message;

use crate::apply::Request;
use crate::pb::etcdserverpb::{
    AlarmRequest, CompactionRequest, DeleteRangeRequest, LeaseGrantRequest, LeaseRevokeRequest,
    PutRequest, TxnRequest,
};

/// A request as the log carries it.
#[derive(Clone, PartialEq)]
pub(crate) struct Proposal {
    /// The member that proposed it.
    pub(crate) member: u64,
    /// The proposal's id, unique on its member.
    pub(crate) id: u64,
    /// The request.
    pub(crate) request: Request,
}

impl std::fmt::Debug for Proposal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proposal")
            .field("member", &self.member)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Why an entry's data is not a proposal.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DecodeError {
    /// The bytes are not the protobuf message.
    #[error("a log entry does not decode: {0}")]
    Protobuf(#[from] prost::DecodeError),
    /// The message carries no request.
    #[error("a log entry carries no request")]
    Empty,
}

impl Proposal {
    /// The entry data that carries it; takes the request, so that it is
    /// encoded without a copy.
    pub(crate) fn into_data(self) -> Vec<u8> {
        let body = match self.request {
            Request::Put(request) => Body::Put(request),
            Request::DeleteRange(request) => Body::DeleteRange(request),
            Request::Txn(request) => Body::Txn(request),
            Request::Compaction(request) => Body::Compaction(request),
            Request::LeaseGrant(request) => Body::LeaseGrant(request),
            Request::LeaseRevoke(request) => Body::LeaseRevoke(request),
            Request::Alarm(request) => Body::Alarm(request),
        };
        Wire { member: self.member, id: self.id, body: Some(body) }.encode_to_vec()
    }

    /// The proposal an entry's data carries.
    pub(crate) fn decode(data: &[u8]) -> Result<Self, DecodeError> {
        let Wire { member, id, body } = Wire::decode(data)?;
        let request = match body.ok_or(DecodeError::Empty)? {
            Body::Put(request) => Request::Put(request),
            Body::DeleteRange(request) => Request::DeleteRange(request),
            Body::Txn(request) => Request::Txn(request),
            Body::Compaction(request) => Request::Compaction(request),
            Body::LeaseGrant(request) => Request::LeaseGrant(request),
            Body::LeaseRevoke(request) => Request::LeaseRevoke(request),
            Body::Alarm(request) => Request::Alarm(request),
        };
        Ok(Self { member, id, request })
    }
}

/// The protobuf message: field numbers are part of the on-disk format of
/// the log, never to be reused.
#[derive(Clone, PartialEq, Message)]
struct Wire {
    #[prost(uint64, tag = "1")]
    member: u64,
    #[prost(uint64, tag = "2")]
    id: u64,
    #[prost(oneof = "Body", tags = "3, 4, 5, 6, 7, 8, 9")]
    body: Option<Body>,
}

#[derive(Clone, PartialEq, prost::Oneof)]
enum Body {
    #[prost(message, tag = "3")]
    Put(PutRequest),
    #[prost(message, tag = "4")]
    DeleteRange(DeleteRangeRequest),
    #[prost(message, tag = "5")]
    Txn(TxnRequest),
    #[prost(message, tag = "6")]
    Compaction(CompactionRequest),
    #[prost(message, tag = "7")]
    LeaseGrant(LeaseGrantRequest),
    #[prost(message, tag = "8")]
    LeaseRevoke(LeaseRevokeRequest),
    #[prost(message, tag = "9")]
    Alarm(AlarmRequest),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_request_round_trips() {
        let requests = [
            Request::Put(PutRequest {
                key: b"k".to_vec(),
                value: b"v".to_vec(),
                lease: 7,
                ..Default::default()
            }),
            Request::DeleteRange(DeleteRangeRequest {
                key: b"a".to_vec(),
                range_end: b"b".to_vec(),
                prev_kv: true,
            }),
            Request::Txn(TxnRequest::default()),
            Request::Compaction(CompactionRequest { revision: 9, physical: true }),
            Request::LeaseGrant(LeaseGrantRequest { ttl: 5, id: 3 }),
            Request::LeaseRevoke(LeaseRevokeRequest { id: 3 }),
            Request::Alarm(AlarmRequest { action: 1, member_id: 2, alarm: 1 }),
        ];
        for (id, request) in (1..).zip(requests) {
            let proposal = Proposal { member: 0xabc, id, request };
            let decoded = Proposal::decode(&proposal.clone().into_data()).unwrap();
            assert_eq!(decoded, proposal);
        }
    }

    #[test]
    fn data_that_is_not_a_proposal_is_refused() {
        assert!(matches!(Proposal::decode(b"\xff\xff"), Err(DecodeError::Protobuf(_))));
        let empty = Wire { member: 1, id: 2, body: None }.encode_to_vec();
        assert!(matches!(Proposal::decode(&empty), Err(DecodeError::Empty)));
    }
}
