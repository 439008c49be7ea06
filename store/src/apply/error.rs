//! The apply layer's errors: etcd's request errors, with etcd's messages and
//! gRPC codes, apart from the fatal storage errors.

use tonic::Code;

use crate::mvcc;

/// Why a request was refused, or why the store failed.
///
/// Every variant but [`Storage`](Error::Storage) answers one request: its
/// `Display` is etcd's message, word for word, and
/// [`grpc_code`](Error::grpc_code) is etcd's gRPC code, so etcd clients
/// recognize it. [`Storage`](Error::Storage) is fatal (see
/// [`Error::is_fatal`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A request, compare or operation has an empty key.
    #[error("etcdserver: key is not provided")]
    KeyNotProvided,
    /// A put with `ignore_value` or `ignore_lease` names a key that does not
    /// exist, or a transaction holds an empty operation (etcd answers both
    /// so).
    #[error("etcdserver: key not found")]
    KeyNotFound,
    /// A put with `ignore_value` also carries a value.
    #[error("etcdserver: value is provided")]
    ValueProvided,
    /// A put with `ignore_lease` also carries a lease.
    #[error("etcdserver: lease is provided")]
    LeaseProvided,
    /// A transaction (or one nested in it) has more compares or operations
    /// in a branch than [`Limits::max_txn_ops`](super::Limits::max_txn_ops)
    /// allows.
    #[error("etcdserver: too many operations in txn request")]
    TooManyOps,
    /// A branch of a transaction writes the same key twice: two puts, or a
    /// put inside a deleted range, also across nested transactions.
    #[error("etcdserver: duplicate key given in txn request")]
    DuplicateKey,
    /// The encoded request is larger than
    /// [`Limits::max_request_bytes`](super::Limits::max_request_bytes).
    #[error("etcdserver: request is too large")]
    RequestTooLarge,
    /// The revision asked for is below the compact revision: its history is
    /// gone.
    #[error("etcdserver: mvcc: required revision has been compacted")]
    Compacted {
        /// The oldest revision that can still be read.
        compact_revision: i64,
    },
    /// The revision asked for is above the store's current revision.
    #[error("etcdserver: mvcc: required revision is a future revision")]
    FutureRevision {
        /// The revision asked for.
        revision: i64,
        /// The store's current revision.
        current_revision: i64,
    },
    /// A put names a lease that is not granted, or a revocation names one.
    #[error("etcdserver: requested lease not found")]
    LeaseNotFound,
    /// A grant names an id that is granted already.
    #[error("etcdserver: lease already exists")]
    LeaseExists,
    /// A grant asks for more than [`lease::MAX_TTL`](crate::lease::MAX_TTL)
    /// seconds.
    #[error("etcdserver: too large lease TTL")]
    LeaseTtlTooLarge,
    /// The database is over its space quota, or a NOSPACE alarm is active,
    /// and the request could grow it (a put, a transaction with puts, a
    /// lease grant).
    #[error("etcdserver: mvcc: database space exceeded")]
    NoSpace,
    /// Fatal: the engine could not reach or read its disk.
    #[error(transparent)]
    Storage(mvcc::Error),
}

/// The result type of the apply layer.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The gRPC status code etcd answers this error with.
    #[must_use]
    pub fn grpc_code(&self) -> Code {
        match self {
            Self::KeyNotProvided
            | Self::KeyNotFound
            | Self::ValueProvided
            | Self::LeaseProvided
            | Self::TooManyOps
            | Self::DuplicateKey
            | Self::RequestTooLarge => Code::InvalidArgument,
            Self::Compacted { .. } | Self::FutureRevision { .. } | Self::LeaseTtlTooLarge => {
                Code::OutOfRange
            }
            Self::LeaseNotFound => Code::NotFound,
            Self::LeaseExists => Code::FailedPrecondition,
            Self::NoSpace => Code::ResourceExhausted,
            Self::Storage(_) => Code::Internal,
        }
    }

    /// Whether the store can no longer be trusted, as opposed to an error
    /// that answers one request. A fatal error MUST stop the member.
    #[must_use]
    pub fn is_fatal(&self) -> bool {
        matches!(self, Self::Storage(_))
    }
}

impl From<mvcc::Error> for Error {
    fn from(error: mvcc::Error) -> Self {
        match error {
            mvcc::Error::Compacted { compact_revision } => Self::Compacted { compact_revision },
            mvcc::Error::FutureRevision { revision, current_revision } => {
                Self::FutureRevision { revision, current_revision }
            }
            mvcc::Error::KeyNotProvided => Self::KeyNotProvided,
            fatal => Self::Storage(fatal),
        }
    }
}

impl From<Error> for tonic::Status {
    fn from(error: Error) -> Self {
        Self::new(error.grpc_code(), error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_codes_are_etcds() {
        let cases = [
            (Error::KeyNotProvided, "etcdserver: key is not provided", Code::InvalidArgument),
            (Error::KeyNotFound, "etcdserver: key not found", Code::InvalidArgument),
            (Error::ValueProvided, "etcdserver: value is provided", Code::InvalidArgument),
            (Error::LeaseProvided, "etcdserver: lease is provided", Code::InvalidArgument),
            (
                Error::TooManyOps,
                "etcdserver: too many operations in txn request",
                Code::InvalidArgument,
            ),
            (
                Error::DuplicateKey,
                "etcdserver: duplicate key given in txn request",
                Code::InvalidArgument,
            ),
            (Error::RequestTooLarge, "etcdserver: request is too large", Code::InvalidArgument),
            (
                Error::Compacted { compact_revision: 3 },
                "etcdserver: mvcc: required revision has been compacted",
                Code::OutOfRange,
            ),
            (
                Error::FutureRevision { revision: 9, current_revision: 4 },
                "etcdserver: mvcc: required revision is a future revision",
                Code::OutOfRange,
            ),
            (Error::LeaseNotFound, "etcdserver: requested lease not found", Code::NotFound),
            (Error::LeaseExists, "etcdserver: lease already exists", Code::FailedPrecondition),
            (Error::LeaseTtlTooLarge, "etcdserver: too large lease TTL", Code::OutOfRange),
            (Error::NoSpace, "etcdserver: mvcc: database space exceeded", Code::ResourceExhausted),
        ];
        for (error, message, code) in cases {
            assert_eq!(error.to_string(), message);
            assert_eq!(error.grpc_code(), code, "{message}");
            assert!(!error.is_fatal());
            let status = tonic::Status::from(error);
            assert_eq!((status.code(), status.message()), (code, message));
        }
    }

    #[test]
    fn engine_errors_map_onto_request_errors_or_storage() {
        let compacted = Error::from(mvcc::Error::Compacted { compact_revision: 5 });
        assert!(matches!(compacted, Error::Compacted { compact_revision: 5 }));
        let future = Error::from(mvcc::Error::FutureRevision { revision: 8, current_revision: 7 });
        assert!(matches!(future, Error::FutureRevision { revision: 8, current_revision: 7 }));
        assert!(matches!(Error::from(mvcc::Error::KeyNotProvided), Error::KeyNotProvided));
        let fatal = Error::from(mvcc::Error::Corrupted { detail: "bad page".into() });
        assert!(fatal.is_fatal());
        assert_eq!(fatal.grpc_code(), Code::Internal);
        assert_eq!(fatal.to_string(), "storage is corrupted: bad page");
    }
}
