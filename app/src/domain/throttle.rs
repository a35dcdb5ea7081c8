//! How failed sign-ins slow further attempts down.
//!
//! Failures are counted per account identifier (whether or not the account exists, so the
//! answer never tells which) and per client address. A few free attempts, then a wait that
//! doubles with each failure up to a ceiling: guessing becomes hopeless while the real owner
//! waits minutes at most and is never locked out for good. A success clears the account's
//! count; a quiet period forgets it.

/// One throttling rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failures allowed before any wait.
    pub free: u32,
    /// The first wait, in seconds; it doubles with each further failure.
    pub base_secs: u64,
    /// The longest wait, in seconds: the owner is never locked out for longer than this.
    pub max_secs: u64,
    /// After this many quiet seconds the failures are forgotten.
    pub forget_after_secs: i64,
}

/// Per account: after 5 failures 30 s, then 1, 2, 4, 8 minutes, then 15 minutes at most.
/// Ten wrong passwords in a row therefore cost 15 minutes before the eleventh try: about a
/// hundred guesses a day, while the owner waits a quarter of an hour at worst.
pub const ACCOUNT: Policy = Policy {
    free: 5,
    base_secs: 30,
    max_secs: 15 * 60,
    forget_after_secs: 24 * 60 * 60,
};

/// Per client address: more room (a shared network, a family on one router), same ceiling.
pub const ADDRESS: Policy = Policy {
    free: 20,
    base_secs: 30,
    max_secs: 15 * 60,
    forget_after_secs: 60 * 60,
};

/// Sign-ups per client address: a school class signing up together fits in the free ones; a
/// script making accounts by the thousand waits.
pub const SIGN_UP: Policy = Policy {
    free: 20,
    base_secs: 60,
    max_secs: 15 * 60,
    forget_after_secs: 60 * 60,
};

/// Once an address is over [`ADDRESS`]'s limit its sign-in attempts are not refused (a school
/// or an office behind one NAT would all be locked out by one guesser) but taken one at a time,
/// each after this pause: guessing from there slows to a crawl, a person with the right
/// password gets in a little later.
pub const ADDRESS_PACE_MILLIS: u64 = 1000;

/// How long an attempt waits for its turn behind others from the same busy address before it
/// is answered "too many attempts".
pub const ADDRESS_QUEUE_MAX_SECS: u64 = 20;

impl Policy {
    /// The failures still counted at `now` (after a quiet period they are forgotten).
    pub fn effective_failures(&self, failures: u32, last_failure_at: i64, now: i64) -> u32 {
        if now.saturating_sub(last_failure_at) > self.forget_after_secs {
            0
        } else {
            failures
        }
    }

    /// The wait, in seconds, that `failures` earn.
    pub fn wait_secs(&self, failures: u32) -> u64 {
        if failures < self.free {
            return 0;
        }
        let doublings = (failures - self.free).min(32);
        self.base_secs
            .saturating_mul(1u64 << doublings)
            .min(self.max_secs)
    }

    /// Seconds left before the next attempt is allowed at `now`; 0 means go ahead. Never more
    /// than the wait itself, even if the clock went backwards since the last failure.
    pub fn retry_after(&self, failures: u32, last_failure_at: i64, now: i64) -> u64 {
        let failures = self.effective_failures(failures, last_failure_at, now);
        let wait = self.wait_secs(failures);
        let until = last_failure_at.saturating_add(wait as i64);
        (until.saturating_sub(now).max(0) as u64).min(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_clock_that_went_backwards_never_stretches_the_wait() {
        assert_eq!(ACCOUNT.retry_after(0, 5000, 1000), 0);
        assert_eq!(ACCOUNT.retry_after(6, 5000, 1000), 60);
    }

    #[test]
    fn the_first_attempts_are_free() {
        for failures in 0..ACCOUNT.free {
            assert_eq!(ACCOUNT.retry_after(failures, 1000, 1000), 0);
        }
    }

    #[test]
    fn ten_wrong_passwords_slow_the_account_down_for_minutes_not_forever() {
        assert_eq!(ACCOUNT.retry_after(5, 1000, 1000), 30);
        assert_eq!(ACCOUNT.retry_after(9, 1000, 1000), 8 * 60);
        assert_eq!(ACCOUNT.retry_after(10, 1000, 1000), 15 * 60);
        assert_eq!(ACCOUNT.retry_after(10, 1000, 1000 + 15 * 60), 0);
        assert_eq!(ACCOUNT.retry_after(1000, 1000, 1000), 15 * 60);
    }

    #[test]
    fn failures_are_forgotten_after_a_quiet_day() {
        let later = 1000 + ACCOUNT.forget_after_secs + 1;
        assert_eq!(ACCOUNT.effective_failures(50, 1000, later), 0);
    }

    proptest! {
        #[test]
        fn the_wait_never_exceeds_the_ceiling(failures in any::<u32>(), last in -1_000_000i64..1_000_000, now in -1_000_000i64..1_000_000) {
            prop_assert!(ACCOUNT.retry_after(failures, last, now) <= ACCOUNT.max_secs);
            prop_assert!(ADDRESS.retry_after(failures, last, now) <= ADDRESS.max_secs);
        }

        #[test]
        fn more_failures_never_mean_a_shorter_wait(failures in 0u32..200) {
            prop_assert!(ACCOUNT.wait_secs(failures) <= ACCOUNT.wait_secs(failures + 1));
        }
    }
}
