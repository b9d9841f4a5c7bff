//! How long the kiosk waits for a visitor who stopped touching it: after a minute "Are you
//! still there?", and the visit wiped at ninety seconds (personal data never waits for the
//! next person in the queue); with nobody in front of it, the welcome screen dims after three
//! minutes. The app's shell keeps the clocks; the times are rules, kept here.

use std::time::Duration;

/// "Are you still there?" shows after this long without a touch.
pub const WARN_AFTER: Duration = Duration::from_mins(1);
/// The visit is wiped after this long without a touch.
pub const WIPE_AFTER: Duration = Duration::from_secs(90);
/// The welcome screen dims after this long with nobody in front of it and no touch.
pub const DIM_AFTER: Duration = Duration::from_mins(3);

/// The seconds the warning counts down before the wipe.
pub fn countdown_seconds() -> u64 {
    WIPE_AFTER.saturating_sub(WARN_AFTER).as_secs()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_warning_comes_before_the_wipe_and_counts_down_half_a_minute() {
        assert!(WARN_AFTER < WIPE_AFTER);
        assert_eq!(countdown_seconds(), 30);
        assert!(DIM_AFTER > WIPE_AFTER, "a visit is wiped before the screen dims");
    }
}
