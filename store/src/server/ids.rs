//! Member and cluster IDs derived as etcd derives them, so that a member
//! started with etcd's flags reports the IDs etcd would.

/// The ID etcd gives a member of a new cluster: the first 8 bytes
/// (big-endian) of the SHA-1 of its sorted peer URLs, concatenated, followed
/// by the cluster token (`--initial-cluster-token`).
///
/// ```
/// use keelson_store::server::{etcd_cluster_id, etcd_member_id};
///
/// // A fresh etcd without flags: member 8e9e05c52164694d of cluster cdf818194e3a8c32.
/// let member = etcd_member_id(&["http://localhost:2380".to_owned()], "etcd-cluster");
/// assert_eq!(member, 0x8e9e_05c5_2164_694d);
/// assert_eq!(etcd_cluster_id(&[member]), 0xcdf8_1819_4e3a_8c32);
/// ```
#[must_use]
pub fn etcd_member_id(peer_urls: &[String], token: &str) -> u64 {
    let mut urls = peer_urls.to_vec();
    urls.sort();
    let mut input = urls.concat().into_bytes();
    input.extend_from_slice(token.as_bytes());
    sha1_prefix(&input)
}

/// The cluster ID etcd derives from its members' IDs: the first 8 bytes
/// (big-endian) of the SHA-1 of the sorted IDs, each as 8 big-endian bytes.
#[must_use]
pub fn etcd_cluster_id(member_ids: &[u64]) -> u64 {
    let mut ids = member_ids.to_vec();
    ids.sort_unstable();
    let input: Vec<u8> = ids.iter().flat_map(|id| id.to_be_bytes()).collect();
    sha1_prefix(&input)
}

/// The first 8 bytes of `input`'s SHA-1, big-endian.
fn sha1_prefix(input: &[u8]) -> u64 {
    let digest = sha1_smol::Sha1::from(input).digest().bytes();
    let mut prefix = [0; 8];
    prefix.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_derived_as_etcd_derives_them() {
        let member_id = etcd_member_id(&["http://localhost:2380".into()], "etcd-cluster");
        assert_eq!(member_id, 0x8e9e_05c5_2164_694d);
        assert_eq!(etcd_cluster_id(&[member_id]), 0xcdf8_1819_4e3a_8c32);
        // Peer URLs and member IDs are sorted before hashing.
        let urls = |urls: &[&str]| urls.iter().map(|url| (*url).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            etcd_member_id(&urls(&["http://b:2380", "http://a:2380"]), "t"),
            etcd_member_id(&urls(&["http://a:2380", "http://b:2380"]), "t"),
        );
        assert_eq!(etcd_cluster_id(&[2, 1]), etcd_cluster_id(&[1, 2]));
        assert_ne!(etcd_cluster_id(&[1]), etcd_cluster_id(&[1, 2]));
    }
}
