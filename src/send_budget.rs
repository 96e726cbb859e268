//! One budget of messages per second to Telegram, shared by the broadcast worker and the
//! handlers' replies. Telegram counts every message a bot sends against about 30 a second,
//! whoever sends it; a budget per sender would let the two together exceed it, and one busy
//! sender would get 429s that slow the other.
//!
//! The worker also keeps its own pace (`BROADCAST_RATE`), so in any second broadcasts take
//! at most that many slots and replies always have the rest.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Telegram's figure for one bot, all chats together.
pub const TELEGRAM_MESSAGES_PER_SECOND: u32 = 30;

/// Telegram counts messages as they arrive, and the network can hold one back while the
/// next goes through at once: a first message of a window delayed by up to this much still
/// leaves the window at 30. It costs 5% of the rate, which the broadcast (at most
/// `BROADCAST_RATE`) does not need.
const WINDOW_MARGIN: Duration = Duration::from_millis(50);

#[derive(Debug)]
pub struct SendBudget {
    window: Duration,
    max_in_window: usize,
    /// When the slots of the last window were taken, oldest first.
    taken: Mutex<VecDeque<Instant>>,
}

impl SendBudget {
    pub fn per_second(per_second: u32) -> Self {
        let max_in_window = per_second.max(1) as usize;
        Self {
            window: Duration::from_secs(1) + WINDOW_MARGIN,
            max_in_window,
            taken: Mutex::new(VecDeque::with_capacity(max_in_window + 1)),
        }
    }

    /// Telegram's own limit.
    pub fn telegram() -> Self {
        Self::per_second(TELEGRAM_MESSAGES_PER_SECOND)
    }

    /// Waits until one more message fits in the last second, and takes its slot.
    pub async fn acquire(&self) {
        loop {
            let wait = match self.try_take(Instant::now()) {
                Ok(()) => return,
                Err(wait) => wait,
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Takes a slot now, or says how long until the oldest one leaves the window.
    fn try_take(&self, now: Instant) -> Result<(), Duration> {
        let mut taken = self.taken.lock().unwrap_or_else(|e| e.into_inner());
        while taken
            .front()
            .is_some_and(|at| now.duration_since(*at) >= self.window)
        {
            taken.pop_front();
        }
        if taken.len() < self.max_in_window {
            taken.push_back(now);
            return Ok(());
        }
        let oldest = taken.front().copied().unwrap_or(now);
        Err((oldest + self.window).saturating_duration_since(now))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn many_senders_together_stay_within_the_budget() {
        let budget = Arc::new(SendBudget::per_second(30));
        let start = Instant::now();
        let times = Arc::new(Mutex::new(Vec::new()));
        let mut senders = Vec::new();
        for _ in 0..6 {
            let budget = Arc::clone(&budget);
            let times = Arc::clone(&times);
            senders.push(tokio::spawn(async move {
                for _ in 0..40 {
                    budget.acquire().await;
                    times.lock().unwrap().push(Instant::now() - start);
                }
            }));
        }
        for sender in senders {
            sender.await.unwrap();
        }
        let mut times = times.lock().unwrap().clone();
        times.sort();
        assert_eq!(times.len(), 240);
        for (i, t) in times.iter().enumerate() {
            let in_window = times[i..]
                .iter()
                .take_while(|u| **u < *t + Duration::from_secs(1))
                .count();
            assert!(in_window <= 30, "{in_window} in the second after {t:?}");
        }
    }
}
