//! The one error type of [`Store`](super::Store) operations.

use tonic::{Code, Status};

/// The result type of [`Store`](super::Store) operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a [`Store`](super::Store) operation failed.
///
/// Two kinds, kept apart as etcd's clients keep them:
///
/// - etcd's ordinary answers ([`Compacted`](Error::Compacted),
///   [`KeyNotFound`](Error::KeyNotFound), [`LeaseNotFound`](Error::LeaseNotFound),
///   ...): the request was understood and refused; the store is fine and
///   retrying the same request gets the same answer. [`Error::is_ordinary`]
///   says which.
/// - transport and fatal failures ([`Unavailable`](Error::Unavailable),
///   [`Internal`](Error::Internal)): the store could not answer.
///
/// Over gRPC, errors are recognised by etcd's messages (`etcdserver: ...`),
/// as etcd's own clients recognise them; see [`Error::from_status`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The revision asked for was compacted away
    /// (`etcdserver: mvcc: required revision has been compacted`).
    #[error("required revision has been compacted")]
    Compacted {
        /// The store's compact revision, when the answer carries it: a watch
        /// response does, a KV error over gRPC does not.
        compact_revision: Option<i64>,
    },
    /// The revision asked for is newer than the store's
    /// (`etcdserver: mvcc: required revision is a future revision`).
    #[error("required revision is a future revision")]
    FutureRevision,
    /// The request has an empty key (`etcdserver: key is not provided`).
    #[error("key is not provided")]
    KeyNotProvided,
    /// A put with `ignore_value` or `ignore_lease` names a key that does not
    /// exist (`etcdserver: key not found`).
    #[error("key not found")]
    KeyNotFound,
    /// A put with `ignore_value` also carries a value
    /// (`etcdserver: value is provided`).
    #[error("value is provided together with ignore_value")]
    ValueProvided,
    /// A put with `ignore_lease` also carries a lease
    /// (`etcdserver: lease is provided`).
    #[error("lease is provided together with ignore_lease")]
    LeaseProvided,
    /// A txn has more operations than the store allows
    /// (`etcdserver: too many operations in txn request`).
    #[error("too many operations in txn request")]
    TooManyOps,
    /// A txn writes the same key twice in one branch
    /// (`etcdserver: duplicate key given in txn request`).
    #[error("duplicate key given in txn request")]
    DuplicateKey,
    /// The request is larger than the store accepts
    /// (`etcdserver: request is too large`).
    #[error("request is too large")]
    RequestTooLarge,
    /// The database is over its quota (the NOSPACE alarm); reads still work
    /// (`etcdserver: mvcc: database space exceeded`).
    #[error("database space exceeded")]
    NoSpace,
    /// The lease does not exist, or no longer does
    /// (`etcdserver: requested lease not found`).
    #[error("requested lease not found")]
    LeaseNotFound,
    /// A grant asked for a lease ID that is taken
    /// (`etcdserver: lease already exists`).
    #[error("lease already exists")]
    LeaseExists,
    /// A grant asked for a TTL above the store's maximum
    /// (`etcdserver: too large lease TTL`).
    #[error("too large lease TTL")]
    LeaseTtlTooLarge,
    /// The store canceled a watch for a reason other than compaction.
    #[error("watch canceled: {reason}")]
    WatchCanceled {
        /// The store's `cancel_reason`.
        reason: String,
    },
    /// The store refused the request as malformed, with a message this type
    /// does not know (gRPC `InvalidArgument`, `OutOfRange`, ...).
    #[error("request rejected: {message}")]
    Rejected {
        /// The store's message.
        message: String,
    },
    /// The store could not be reached, or cannot serve right now (no leader,
    /// timeout, connection lost); the request may or may not have been
    /// applied, and may be retried.
    #[error("store unavailable: {message}")]
    Unavailable {
        /// What the transport or the store said.
        message: String,
    },
    /// The store failed (storage error, corruption, a bug, an answer that
    /// breaks the protocol).
    #[error("store failed: {message}")]
    Internal {
        /// What failed and how.
        message: String,
    },
}

/// etcd's messages for its ordinary errors, as etcd's clients match them.
const ORDINARY: &[(&str, Error)] = &[
    (
        "etcdserver: mvcc: required revision has been compacted",
        Error::Compacted { compact_revision: None },
    ),
    ("etcdserver: mvcc: required revision is a future revision", Error::FutureRevision),
    ("etcdserver: key is not provided", Error::KeyNotProvided),
    ("etcdserver: key not found", Error::KeyNotFound),
    ("etcdserver: value is provided", Error::ValueProvided),
    ("etcdserver: lease is provided", Error::LeaseProvided),
    ("etcdserver: too many operations in txn request", Error::TooManyOps),
    ("etcdserver: duplicate key given in txn request", Error::DuplicateKey),
    ("etcdserver: request is too large", Error::RequestTooLarge),
    ("etcdserver: mvcc: database space exceeded", Error::NoSpace),
    ("etcdserver: requested lease not found", Error::LeaseNotFound),
    ("etcdserver: lease already exists", Error::LeaseExists),
    ("etcdserver: too large lease TTL", Error::LeaseTtlTooLarge),
];

impl Error {
    /// Whether this is one of etcd's ordinary answers (the store works and
    /// refused the request), rather than a transport or fatal failure.
    #[must_use]
    pub fn is_ordinary(&self) -> bool {
        !matches!(self, Self::Unavailable { .. } | Self::Internal { .. })
    }

    /// The error an etcd gRPC status stands for: etcd's ordinary errors by
    /// their message (what etcd's clients do), then by gRPC code.
    #[must_use]
    pub fn from_status(status: &Status) -> Self {
        let message = status.message();
        if let Some((_, error)) = ORDINARY.iter().find(|(known, _)| *known == message) {
            return error.clone();
        }
        let message = message.to_owned();
        match status.code() {
            Code::Unavailable | Code::DeadlineExceeded | Code::Cancelled | Code::Aborted => {
                Self::Unavailable { message }
            }
            Code::InvalidArgument
            | Code::OutOfRange
            | Code::FailedPrecondition
            | Code::NotFound => Self::Rejected { message },
            // etcd answers `Unknown` for "leader changed", "request timed
            // out" and friends: the request may be retried.
            Code::Unknown if message.starts_with("etcdserver: ") => Self::Unavailable { message },
            code => Self::Internal { message: format!("gRPC status {code:?}: {message}") },
        }
    }
}

impl From<Status> for Error {
    fn from(status: Status) -> Self {
        Self::from_status(&status)
    }
}

impl From<tonic::transport::Error> for Error {
    fn from(error: tonic::transport::Error) -> Self {
        // The transport error's own message is terse; its sources say why.
        let mut message = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        Self::Unavailable { message }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etcd_messages_map_to_ordinary_errors() {
        for (message, expected) in ORDINARY {
            let code = if *expected == Error::LeaseNotFound {
                Code::NotFound
            } else {
                Code::InvalidArgument
            };
            let error = Error::from(Status::new(code, *message));
            assert_eq!(&error, expected, "{message}");
            assert!(error.is_ordinary(), "{message}");
        }
    }

    #[test]
    fn transport_failures_are_not_ordinary() {
        let unavailable = Error::from(Status::unavailable("connection refused"));
        assert_eq!(unavailable, Error::Unavailable { message: "connection refused".into() });
        assert!(!unavailable.is_ordinary());
        let leader = Error::from(Status::unknown("etcdserver: leader changed"));
        assert!(matches!(leader, Error::Unavailable { .. }));
        let internal = Error::from(Status::internal("disk gone"));
        assert_eq!(internal, Error::Internal { message: "gRPC status Internal: disk gone".into() });
        assert!(!internal.is_ordinary());
        let odd = Error::from(Status::invalid_argument("etcdserver: something new"));
        assert_eq!(odd, Error::Rejected { message: "etcdserver: something new".into() });
    }
}
