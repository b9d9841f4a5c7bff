//! What a heartbeat that never left hands to the next one: its counters. The kiosk keeps one
//! heartbeat waiting in the outbox (the newest state is what the fleet wants), but a count
//! (how often a visitor called staff) is events, not state: it must add up until the server
//! acknowledges a heartbeat carrying it, or the screen's "staff has been called" was a lie.

use serde_json::Value;

/// The fields of a heartbeat that count events since the last one delivered.
pub const HEARTBEAT_COUNTERS: [&str; 1] = ["staff_calls"];

/// Adds `older`'s counters to `newer`'s (a counter missing or not a whole number counts 0).
pub(crate) fn carry_counters(newer: &mut Value, older: &Value) {
    let Some(map) = newer.as_object_mut() else {
        return;
    };
    for field in HEARTBEAT_COUNTERS {
        let before = older.get(field).and_then(Value::as_u64).unwrap_or(0);
        if before == 0 {
            continue;
        }
        let now = map.get(field).and_then(Value::as_u64).unwrap_or(0);
        map.insert(field.to_owned(), now.saturating_add(before).into());
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_unsent_heartbeats_staff_calls_add_to_the_next_ones() {
        let mut newer = json!({"seq": 2, "staff_calls": 1});
        carry_counters(&mut newer, &json!({"seq": 1, "staff_calls": 2}));
        assert_eq!(newer, json!({"seq": 2, "staff_calls": 3}));
        let mut none_yet = json!({"seq": 3});
        carry_counters(&mut none_yet, &json!({"staff_calls": 4}));
        assert_eq!(none_yet["staff_calls"], 4);
        let mut unchanged = json!({"seq": 4});
        carry_counters(&mut unchanged, &json!({"staff_calls": "lots", "seq": 3}));
        assert_eq!(unchanged, json!({"seq": 4}));
        let mut full = json!({"staff_calls": u64::MAX});
        carry_counters(&mut full, &json!({"staff_calls": 1}));
        assert_eq!(full["staff_calls"], u64::MAX);
    }
}
