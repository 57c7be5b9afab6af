//! Event Hubs' valid worker counts: with P partitions spread evenly, only the distinct values
//! of ceil(P / c) for c = 1..=P partitions per worker balance the load; the target scaler
//! rounds its want up to the next one, so never more instances than partitions
//! [code EventHubsTargetScaler.cs].

/// The valid worker counts of `partitions`, ascending (16 -> 1, 2, 3, 4, 6, 8, 16).
pub fn valid_worker_counts(partitions: u32) -> Vec<u32> {
    let mut counts: Vec<u32> = (1..=partitions).map(|c| partitions.div_ceil(c)).collect();
    counts.sort_unstable();
    counts.dedup();
    counts
}

/// The smallest valid worker count at or above `wanted` (0 stays 0; above the partitions,
/// the partitions).
pub fn round_up_to_valid(wanted: u32, partitions: u32) -> u32 {
    if wanted == 0 || partitions == 0 {
        return 0;
    }
    valid_worker_counts(partitions)
        .into_iter()
        .find(|&n| n >= wanted)
        .unwrap_or(partitions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_partitions_allow_seven_worker_counts() {
        assert_eq!(valid_worker_counts(16), vec![1, 2, 3, 4, 6, 8, 16]);
        assert_eq!(valid_worker_counts(1), vec![1]);
        assert_eq!(valid_worker_counts(10), vec![1, 2, 3, 4, 5, 10]);
    }

    #[test]
    fn wants_round_up_and_never_pass_the_partitions() {
        assert_eq!(round_up_to_valid(5, 16), 6);
        assert_eq!(round_up_to_valid(9, 16), 16);
        assert_eq!(round_up_to_valid(63, 16), 16);
        assert_eq!(round_up_to_valid(4, 16), 4);
        assert_eq!(round_up_to_valid(0, 16), 0);
    }
}
