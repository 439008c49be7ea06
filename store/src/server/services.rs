//! The unary services: KV, Maintenance and Cluster.

use std::sync::Arc;

use tonic::{Request, Response, Status};

use super::{ETCD_VERSION, Member};
use crate::pb::etcdserverpb::alarm_request::AlarmAction;
use crate::pb::etcdserverpb::cluster_server::Cluster;
use crate::pb::etcdserverpb::kv_server::Kv;
use crate::pb::etcdserverpb::maintenance_server::Maintenance;
use crate::pb::etcdserverpb::{
    AlarmRequest, AlarmResponse, AlarmType, CompactionRequest, CompactionResponse,
    DefragmentRequest, DefragmentResponse, DeleteRangeRequest, DeleteRangeResponse, HashKvRequest,
    HashKvResponse, HashRequest, HashResponse, Member as MemberInfo, MemberAddRequest,
    MemberAddResponse, MemberListRequest, MemberListResponse, MemberPromoteRequest,
    MemberPromoteResponse, MemberRemoveRequest, MemberRemoveResponse, MemberUpdateRequest,
    MemberUpdateResponse, MoveLeaderRequest, MoveLeaderResponse, PutRequest, PutResponse,
    RangeRequest, RangeResponse, SnapshotRequest, SnapshotResponse, StatusRequest, StatusResponse,
    TxnRequest, TxnResponse,
};
use crate::{apply, mvcc};

type Answer<T> = Result<Response<T>, Status>;

/// The KV service: reads served from the local store, writes proposed.
#[derive(Clone, Debug)]
pub(super) struct KvService(pub(super) Arc<Member>);

/// A response of the wrong kind for its request: a bug, reported as such.
pub(super) fn mismatch(response: &apply::Response) -> Status {
    Status::internal(format!("keelson-store: the request was answered with {response:?}"))
}

#[tonic::async_trait]
impl Kv for KvService {
    async fn range(&self, request: Request<RangeRequest>) -> Answer<RangeResponse> {
        self.0.read_barrier(request.get_ref().serializable).await?;
        Ok(Response::new(self.0.applier().range(request.get_ref())?))
    }

    async fn put(&self, request: Request<PutRequest>) -> Answer<PutResponse> {
        match self.0.propose(apply::Request::Put(request.into_inner())).await? {
            apply::Response::Put(response) => Ok(Response::new(response)),
            other => Err(mismatch(&other)),
        }
    }

    async fn delete_range(
        &self,
        request: Request<DeleteRangeRequest>,
    ) -> Answer<DeleteRangeResponse> {
        match self.0.propose(apply::Request::DeleteRange(request.into_inner())).await? {
            apply::Response::DeleteRange(response) => Ok(Response::new(response)),
            other => Err(mismatch(&other)),
        }
    }

    async fn txn(&self, request: Request<TxnRequest>) -> Answer<TxnResponse> {
        match self.0.propose(apply::Request::Txn(request.into_inner())).await? {
            apply::Response::Txn(response) => Ok(Response::new(response)),
            other => Err(mismatch(&other)),
        }
    }

    async fn compact(&self, request: Request<CompactionRequest>) -> Answer<CompactionResponse> {
        match self.0.propose(apply::Request::Compaction(request.into_inner())).await? {
            apply::Response::Compaction(response) => Ok(Response::new(response)),
            other => Err(mismatch(&other)),
        }
    }
}

/// The Maintenance service of a single member.
#[derive(Clone, Debug)]
pub(super) struct MaintenanceService(pub(super) Arc<Member>);

#[tonic::async_trait]
impl Maintenance for MaintenanceService {
    type SnapshotStream = tokio_stream::Empty<Result<SnapshotResponse, Status>>;

    async fn alarm(&self, request: Request<AlarmRequest>) -> Answer<AlarmResponse> {
        let request = request.into_inner();
        check_alarm(&request)?;
        // Every action goes through the log, GET included, as in etcd.
        Ok(Response::new(self.0.alarm(request).await?))
    }

    async fn status(&self, _: Request<StatusRequest>) -> Answer<StatusResponse> {
        let member = &self.0;
        let header = member.header();
        let db_size = member.db_size();
        let node = member.node_status();
        let errors = member.store.alarms().into_iter().map(alarm_text).collect();
        Ok(Response::new(StatusResponse {
            header: Some(header),
            version: ETCD_VERSION.into(),
            db_size,
            leader: node.leader,
            raft_index: node.commit,
            raft_term: header.raft_term,
            raft_applied_index: node.applied,
            errors,
            db_size_in_use: db_size,
            is_learner: false,
            storage_version: String::new(),
            db_size_quota: member.config.db_size_quota(),
            downgrade_info: None,
        }))
    }

    async fn defragment(&self, _: Request<DefragmentRequest>) -> Answer<DefragmentResponse> {
        // redb reuses freed pages itself; there is nothing to rewrite.
        Ok(Response::new(DefragmentResponse { header: Some(self.0.header()) }))
    }

    async fn hash(&self, _: Request<HashRequest>) -> Answer<HashResponse> {
        let revision = self.0.store.current_revision();
        let (hash, _) = self.0.store.hash_kv(revision).map_err(apply::Error::from)?;
        Ok(Response::new(HashResponse { header: Some(self.0.header_at(revision)), hash }))
    }

    async fn hash_kv(&self, request: Request<HashKvRequest>) -> Answer<HashKvResponse> {
        let current = self.0.store.current_revision();
        let revision = match request.get_ref().revision {
            0 => current,
            revision => revision,
        };
        let (hash, compact_revision) =
            self.0.store.hash_kv(revision).map_err(apply::Error::from)?;
        Ok(Response::new(HashKvResponse {
            header: Some(self.0.header_at(current)),
            hash,
            compact_revision,
            hash_revision: revision,
        }))
    }

    async fn snapshot(&self, _: Request<SnapshotRequest>) -> Answer<Self::SnapshotStream> {
        Err(Status::unimplemented("keelson-store: snapshots are not supported yet"))
    }

    async fn move_leader(&self, request: Request<MoveLeaderRequest>) -> Answer<MoveLeaderResponse> {
        // A single member is always the leader; it can only "move" to itself.
        if request.get_ref().target_id != self.0.config.member_id {
            return Err(Status::failed_precondition("etcdserver: bad leader transferee"));
        }
        Ok(Response::new(MoveLeaderResponse { header: Some(self.0.header()) }))
    }
}

/// Refuses the alarm requests etcd 3.4 crashes on: an unknown action, and
/// activating an alarm that is neither NOSPACE nor CORRUPT.
fn check_alarm(request: &AlarmRequest) -> Result<(), Status> {
    let action = AlarmAction::try_from(request.action).map_err(|_| {
        Status::invalid_argument(format!("keelson-store: unknown alarm action {}", request.action))
    })?;
    let known = [AlarmType::Nospace as i32, AlarmType::Corrupt as i32];
    if action == AlarmAction::Activate && !known.contains(&request.alarm) {
        return Err(Status::invalid_argument(format!(
            "keelson-store: only NOSPACE and CORRUPT alarms can be activated, not {}",
            alarm_name(request.alarm)
        )));
    }
    Ok(())
}

/// An alarm type's name, or its number if it has none.
fn alarm_name(alarm: i32) -> String {
    AlarmType::try_from(alarm)
        .map_or_else(|_| alarm.to_string(), |known| known.as_str_name().into())
}

/// An active alarm as etcd's `Status` lists it in `errors`, and etcdctl's
/// `alarm list` prints it: the protobuf text format of its `AlarmMember`,
/// each field that is not zero as `name:value` followed by a space, the
/// alarm by its name (by its number if it has none), e.g.
/// `memberID:10276657743932975437 alarm:NOSPACE `.
fn alarm_text(alarm: mvcc::Alarm) -> String {
    let mut text = String::new();
    if alarm.member_id != 0 {
        text.push_str(&format!("memberID:{} ", alarm.member_id));
    }
    if alarm.alarm != 0 {
        text.push_str(&format!("alarm:{} ", alarm_name(alarm.alarm)));
    }
    text
}

/// The Cluster service of a single member: the member list, and no
/// membership changes until Raft replication lands.
#[derive(Clone, Debug)]
pub(super) struct ClusterService(pub(super) Arc<Member>);

/// The answer to a membership change.
fn no_membership_changes(what: &str) -> Status {
    Status::unimplemented(format!(
        "keelson-store: {what} needs Raft replication, which this single-member store does not run yet"
    ))
}

#[tonic::async_trait]
impl Cluster for ClusterService {
    async fn member_add(&self, _: Request<MemberAddRequest>) -> Answer<MemberAddResponse> {
        Err(no_membership_changes("adding a member"))
    }

    async fn member_remove(&self, _: Request<MemberRemoveRequest>) -> Answer<MemberRemoveResponse> {
        Err(no_membership_changes("removing a member"))
    }

    async fn member_update(&self, _: Request<MemberUpdateRequest>) -> Answer<MemberUpdateResponse> {
        Err(no_membership_changes("updating a member"))
    }

    async fn member_list(&self, _: Request<MemberListRequest>) -> Answer<MemberListResponse> {
        let config = &self.0.config;
        let me = MemberInfo {
            id: config.member_id,
            name: config.name.clone(),
            peer_ur_ls: config.peer_urls.clone(),
            client_ur_ls: config.client_urls.clone(),
            is_learner: false,
        };
        // The other members as the initial cluster names them; their
        // client URLs are not known here.
        let others = config.initial_cluster.iter().filter(|peer| peer.id != config.member_id);
        let others = others.map(|peer| MemberInfo {
            id: peer.id,
            name: peer.name.clone(),
            peer_ur_ls: peer.peer_urls.clone(),
            client_ur_ls: Vec::new(),
            is_learner: false,
        });
        let members = std::iter::once(me).chain(others).collect();
        Ok(Response::new(MemberListResponse { header: Some(self.0.header()), members }))
    }

    async fn member_promote(
        &self,
        _: Request<MemberPromoteRequest>,
    ) -> Answer<MemberPromoteResponse> {
        Err(no_membership_changes("promoting a member"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alarms_read_as_etcds_text_format() {
        let text = |member_id, alarm| alarm_text(mvcc::Alarm { member_id, alarm });
        assert_eq!(
            text(10_276_657_743_932_975_437, 1),
            "memberID:10276657743932975437 alarm:NOSPACE "
        );
        assert_eq!(text(5, 2), "memberID:5 alarm:CORRUPT ");
        assert_eq!(text(5, 9), "memberID:5 alarm:9 ");
        assert_eq!(text(0, 1), "alarm:NOSPACE ", "zero fields are left out");
        assert_eq!(text(5, 0), "memberID:5 ");
        assert_eq!(text(0, 0), "");
    }

    #[test]
    fn alarm_requests_etcd_crashes_on_are_refused() {
        let request = |action: i32, alarm: i32| AlarmRequest { action, member_id: 1, alarm };
        let (get, activate, deactivate) = (0, 1, 2);
        for fine in [
            request(get, 0),
            request(get, 9),
            request(activate, 1),
            request(activate, 2),
            request(deactivate, 0),
            request(deactivate, 1),
        ] {
            assert!(check_alarm(&fine).is_ok(), "{fine:?}");
        }
        let refused = |request| {
            check_alarm(&request).map_err(|status| (status.code(), status.message().to_owned()))
        };
        assert_eq!(
            refused(request(7, 1)),
            Err((tonic::Code::InvalidArgument, "keelson-store: unknown alarm action 7".into()))
        );
        let message = "keelson-store: only NOSPACE and CORRUPT alarms can be activated, not";
        assert_eq!(
            refused(request(activate, 0)),
            Err((tonic::Code::InvalidArgument, format!("{message} NONE")))
        );
        assert_eq!(
            refused(request(activate, 5)),
            Err((tonic::Code::InvalidArgument, format!("{message} 5")))
        );
    }
}
