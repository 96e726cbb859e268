//! One person cannot crowd out the rest: each user's commands, button presses and inline
//! queries pass through a token bucket. Past it, one "slow down" note a minute at most, and
//! everything else is dropped before any handler touches the database.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use teloxide::prelude::*;
use teloxide::types::{Me, UpdateKind};

use super::reply::{Preview, client_lang, send_html};
use super::{Context, HandlerResult, JarchiBot};
use crate::config::FairUse;
use crate::text::catalogue::{Phrase, phrase};

/// At most one note a minute: a note per dropped update would be a flood of our own.
const NOTE_EVERY: Duration = Duration::from_secs(60);
/// Above this many remembered users, those whose bucket is full again are forgotten.
const FORGET_ABOVE: usize = 10_000;

#[derive(Debug)]
pub struct FairUseGate {
    limits: FairUse,
    users: Mutex<HashMap<u64, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
    last_note: Option<Instant>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Drop,
    /// Dropped, and the first this minute: tell the user why.
    DropWithNote,
}

impl FairUseGate {
    pub fn new(limits: FairUse) -> Self {
        Self {
            limits,
            users: Mutex::new(HashMap::new()),
        }
    }

    pub fn check(&self, user: u64, now: Instant) -> Verdict {
        let burst = f64::from(self.limits.burst.max(1));
        let refill = self.limits.refill.as_secs_f64().max(f64::MIN_POSITIVE);
        let mut users = self.users.lock().unwrap_or_else(|e| e.into_inner());
        if users.len() > FORGET_ABOVE {
            users.retain(|_, b| {
                let full = b.tokens + now.duration_since(b.updated).as_secs_f64() / refill >= burst;
                let noted_recently = b
                    .last_note
                    .is_some_and(|at| now.duration_since(at) < NOTE_EVERY);
                !full || noted_recently
            });
        }
        let bucket = users.entry(user).or_insert(Bucket {
            tokens: burst,
            updated: now,
            last_note: None,
        });
        let earned = now.duration_since(bucket.updated).as_secs_f64() / refill;
        bucket.tokens = (bucket.tokens + earned).min(burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Verdict::Pass;
        }
        if bucket
            .last_note
            .is_some_and(|at| now.duration_since(at) < NOTE_EVERY)
        {
            return Verdict::Drop;
        }
        bucket.last_note = Some(now);
        Verdict::DropWithNote
    }
}

/// Some(verdict) when the update must not reach the handlers. Only what a person asks of
/// the bot counts: anything in a private chat, commands addressed to this bot in a group,
/// buttons, inline queries; group chatter and other bots' commands cost nothing. jarchi's
/// own admins are not limited.
pub fn over_the_limit(update: Update, ctx: Context, me: Me) -> Option<Verdict> {
    let counts = match &update.kind {
        UpdateKind::Message(msg) => {
            msg.chat.is_private()
                || msg
                    .text()
                    .is_some_and(|t| is_command_for(t, me.user.username.as_deref()))
        }
        UpdateKind::CallbackQuery(_) | UpdateKind::InlineQuery(_) => true,
        _ => false,
    };
    let user = update.from()?;
    if !counts || ctx.settings.is_admin(user.id.0) {
        return None;
    }
    match ctx.fair_use.check(user.id.0, Instant::now()) {
        Verdict::Pass => None,
        refused => Some(refused),
    }
}

/// `/latest` or `/latest@thisbot`, but not `/latest@otherbot`.
fn is_command_for(text: &str, username: Option<&str>) -> bool {
    let Some(command) = text
        .split_whitespace()
        .next()
        .and_then(|t| t.strip_prefix('/'))
    else {
        return false;
    };
    match command.split_once('@') {
        None => true,
        Some((_, addressee)) => username.is_some_and(|name| name.eq_ignore_ascii_case(addressee)),
    }
}

/// Drops the update; the first of a minute gets a note in the user's Telegram language (the
/// database is not asked, not even for their chosen language).
pub async fn refuse(
    bot: JarchiBot,
    update: Update,
    verdict: Verdict,
    ctx: Context,
) -> HandlerResult {
    tracing::debug!(user = ?update.from().map(|u| u.id), "over the fair-use limit; dropped");
    if verdict != Verdict::DropWithNote {
        return Ok(());
    }
    let lang = client_lang(update.from(), ctx.settings.default_lang);
    let note = phrase(Phrase::SlowDown, lang);
    match &update.kind {
        UpdateKind::Message(msg) => {
            send_html(&bot, msg.chat.id, note, Preview::Off).await?;
        }
        UpdateKind::CallbackQuery(query) => {
            bot.answer_callback_query(query.id.clone())
                .text(note)
                .await?;
        }
        // An inline query has no chat to answer in; it is simply not answered.
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate() -> FairUseGate {
        FairUseGate::new(FairUse {
            burst: 5,
            refill: Duration::from_secs(2),
        })
    }

    #[test]
    fn a_burst_then_one_every_refill_then_one_note_a_minute() {
        let gate = gate();
        let start = Instant::now();
        for _ in 0..5 {
            assert_eq!(gate.check(1, start), Verdict::Pass);
        }
        assert_eq!(gate.check(1, start), Verdict::DropWithNote);
        assert_eq!(gate.check(1, start), Verdict::Drop);
        assert_eq!(gate.check(1, start + Duration::from_secs(1)), Verdict::Drop);
        assert_eq!(gate.check(1, start + Duration::from_secs(2)), Verdict::Pass);
        assert_eq!(gate.check(1, start + Duration::from_secs(2)), Verdict::Drop);
        assert_eq!(
            gate.check(1, start + Duration::from_secs(61)),
            Verdict::Pass,
            "refilled meanwhile"
        );
        // 150 updates in 5 s: the burst, two refills, one note.
        let gate = self::gate();
        let verdicts: Vec<Verdict> = (0..150)
            .map(|i| gate.check(2, start + Duration::from_millis(i * 5000 / 150)))
            .collect();
        let passed = verdicts.iter().filter(|v| **v == Verdict::Pass).count();
        let notes = verdicts
            .iter()
            .filter(|v| **v == Verdict::DropWithNote)
            .count();
        assert_eq!((passed, notes), (7, 1));
    }

    #[test]
    fn only_commands_for_this_bot_count_in_groups() {
        let me = Some("jarchi_bot");
        assert!(is_command_for("/latest 3", me));
        assert!(is_command_for("/latest@Jarchi_Bot", me));
        assert!(!is_command_for("/latest@other_bot", me));
        assert!(!is_command_for("hello /latest", me));
        assert!(!is_command_for("", me));
    }

    #[test]
    fn users_have_their_own_buckets() {
        let gate = gate();
        let now = Instant::now();
        for _ in 0..10 {
            gate.check(1, now);
        }
        assert_eq!(gate.check(2, now), Verdict::Pass);
    }
}
