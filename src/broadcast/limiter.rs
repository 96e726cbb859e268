//! Our own scheduler over the queue rather than teloxide's `Throttle` or `governor`:
//! Throttle queues requests in memory (lost on a crash, blind to what the queue knows
//! about groups and retry_after), and governor's GCRA allows bursts that Telegram's
//! per-second counting does not. A sliding window with even spacing gives a steady
//! stream that never exceeds the configured rate in any window.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// At most `per_second` sends in any window of one second (plus a small margin for the
/// jitter between our clock and Telegram's), spaced evenly.
#[derive(Debug)]
pub struct RateLimiter {
    window: Duration,
    max_in_window: usize,
    spacing: Duration,
    recent: VecDeque<Instant>,
    next_slot: Option<Instant>,
}

/// Loopback and scheduler jitter can bring two sends a few milliseconds closer on
/// arrival than they left; the margin keeps Telegram's count within the limit anyway.
const WINDOW_MARGIN: Duration = Duration::from_millis(10);

impl RateLimiter {
    pub fn per_second(per_second: u32) -> Self {
        let max_in_window = per_second.max(1) as usize;
        let window = Duration::from_secs(1) + WINDOW_MARGIN;
        Self {
            window,
            max_in_window,
            spacing: window / max_in_window as u32,
            recent: VecDeque::with_capacity(max_in_window + 1),
            next_slot: None,
        }
    }

    /// Waits for the next slot and takes it. The schedule advances from the planned
    /// instant, so the timer's millisecond rounding does not add up and cost a few percent
    /// of the rate; the window remembers when the slot was really taken, so a late wake-up
    /// on a busy machine cannot squeeze more sends into a second.
    pub async fn acquire(&mut self) {
        let planned = self.next_free_slot(Instant::now());
        tokio::time::sleep_until(planned).await;
        self.take_slot(planned, Instant::now());
    }

    fn next_free_slot(&self, now: Instant) -> Instant {
        let mut at = self.next_slot.map_or(now, |slot| slot.max(now));
        if self.recent.len() >= self.max_in_window
            && let Some(oldest) = self.recent.front()
        {
            at = at.max(*oldest + self.window);
        }
        at
    }

    fn take_slot(&mut self, planned: Instant, taken: Instant) {
        self.recent.push_back(taken);
        while self.recent.len() > self.max_in_window {
            self.recent.pop_front();
        }
        self.next_slot = Some(planned + self.spacing);
    }
}

/// Telegram's per-chat limits: one message a second to a chat, twenty a minute to a
/// group (one every three seconds keeps any minute at twenty). Shared between the worker
/// and its send tasks, which push a chat back when Telegram says `retry_after`.
#[derive(Debug, Default)]
pub struct ChatSpacing {
    next_allowed: Mutex<HashMap<i64, Instant>>,
}

/// A tenth of a second more than Telegram's figures: two sends leave us that far apart but
/// may arrive closer, when the first one was held up on the way.
pub const PRIVATE_CHAT_SPACING: Duration = Duration::from_millis(1_100);
pub const GROUP_SPACING: Duration = Duration::from_millis(3_100);

impl ChatSpacing {
    /// How long the chat must still wait, or None if it may be sent to now.
    pub fn wait_for(&self, chat_id: i64, now: Instant) -> Option<Duration> {
        let map = self.next_allowed.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&chat_id)
            .filter(|at| **at > now)
            .map(|at| *at - now)
    }

    /// Books the chat until `now + spacing` (never shortening a longer hold).
    pub fn hold(&self, chat_id: i64, now: Instant, spacing: Duration) {
        let mut map = self.next_allowed.lock().unwrap_or_else(|e| e.into_inner());
        let until = now + spacing;
        let entry = map.entry(chat_id).or_insert(until);
        if *entry < until {
            *entry = until;
        }
        // Forget chats whose hold has passed, so memory follows the send rate, not the
        // number of subscribers.
        if map.len() > 4096 {
            map.retain(|_, at| *at > now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn never_more_than_the_rate_in_any_window() {
        let mut limiter = RateLimiter::per_second(25);
        let start = Instant::now();
        let mut times = Vec::new();
        for _ in 0..200 {
            limiter.acquire().await;
            times.push(Instant::now() - start);
        }
        for (i, t) in times.iter().enumerate() {
            let in_window = times[i..]
                .iter()
                .take_while(|u| **u < *t + Duration::from_secs(1))
                .count();
            assert!(
                in_window <= 25,
                "{in_window} sends in the second after {t:?}"
            );
        }
        let achieved = (times.len() - 1) as f64 / (times[times.len() - 1] - times[0]).as_secs_f64();
        assert!(achieved > 24.5, "achieved {achieved}/s");
    }

    #[test]
    fn chats_wait_their_turn() {
        let spacing = ChatSpacing::default();
        let now = Instant::now();
        assert_eq!(spacing.wait_for(1, now), None);
        spacing.hold(1, now, GROUP_SPACING);
        spacing.hold(1, now, PRIVATE_CHAT_SPACING);
        assert_eq!(spacing.wait_for(1, now), Some(GROUP_SPACING));
        assert_eq!(spacing.wait_for(1, now + GROUP_SPACING), None);
    }
}
