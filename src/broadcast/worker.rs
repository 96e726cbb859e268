//! Drains the delivery queue. Order of each step, and why:
//! claim (lease in the database) → check the chat's spacing → wait for a global slot →
//! send → record. A crash between send and record is the only way to a duplicate, and
//! it is bounded by the sends in flight; a crash anywhere else loses nothing, because an
//! unrecorded claim simply becomes due again when its lease runs out.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, MessageId};
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::limiter::{ChatSpacing, GROUP_SPACING, PRIVATE_CHAT_SPACING, RateLimiter};
use super::media;
use super::sender::{self, SendOutcome};
use crate::domain::{Announcement, Attachment, Hold, Lang, MessageRole, StatementId};
use crate::ops::TelegramLink;
use crate::send_budget::SendBudget;
use crate::storage::{
    ChatKind, ClaimedDelivery, DeliveryAction, DeliveryResult, Storage, StorageError,
};
use crate::telegram::keyboards::{card_keyboard, digest_keyboard};
use crate::text::{announcement_card, caption_card, catalogue, digest};

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Messages per second overall; None only for benchmarks of the machinery itself.
    pub rate: Option<u32>,
    /// Requests to Telegram at the same time.
    pub concurrency: usize,
    /// Deliveries claimed per query.
    pub batch: u32,
    /// How long a claim holds before another run may take the delivery over.
    pub lease: Duration,
    /// How long a delivery keeps being retried after failures that may pass (network,
    /// time-out, 5xx), counted from when it was queued (`DELIVERY_GIVE_UP_HOURS`).
    pub give_up_after: Duration,
    /// The longest pause between two probes while Telegram cannot be reached.
    pub probe_max_backoff: Duration,
    /// How often an idle worker looks for retries that have come due.
    pub idle_poll: Duration,
    /// How long in-flight sends may take to finish at shutdown.
    pub shutdown_grace: Duration,
    /// How long a restarted worker waits before resuming a broadcast (see
    /// `pause_after_restart`); zero only for benchmarks that start on a fresh queue.
    pub resume_pause: Duration,
    /// Who gets the completion report of each broadcast.
    pub admins: Vec<crate::domain::ChatId>,
    pub report_lang: Lang,
    /// What time it is, for quiet hours and DELIVERY_GIVE_UP_HOURS; tests set it.
    pub clock: Clock,
}

/// The worker's idea of now. A fixed or shifted clock lets tests step into quiet hours.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>);

impl Clock {
    pub fn system() -> Self {
        Self(Arc::new(Utc::now))
    }

    pub fn from_fn(now: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        Self(Arc::new(now))
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.0)()
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clock")
    }
}

impl WorkerConfig {
    pub fn new(rate: u32, admins: Vec<crate::domain::ChatId>, report_lang: Lang) -> Self {
        Self {
            rate: Some(rate),
            concurrency: 16,
            batch: 64,
            lease: Duration::from_secs(60),
            give_up_after: Duration::from_secs(24 * 3600),
            probe_max_backoff: Duration::from_secs(60),
            idle_poll: Duration::from_secs(1),
            shutdown_grace: Duration::from_secs(8),
            resume_pause: GROUP_SPACING,
            admins,
            report_lang,
            clock: Clock::system(),
        }
    }
}

pub struct Worker {
    storage: Storage,
    bot: Bot,
    queue_signal: Arc<Notify>,
    config: WorkerConfig,
    spacing: Arc<ChatSpacing>,
    link: Arc<TelegramLink>,
    budget: Option<Arc<SendBudget>>,
    limiter: Option<RateLimiter>,
    /// Sends under way; a step does not wait for them, so the next batch is claimed while
    /// the last sends of this one are still on the wire.
    in_flight: JoinSet<Settled>,
    /// Started by the first step that has an outcome to record.
    recording: Option<Recording>,
    /// Cancelled by `run`'s caller; a waiting step gives its claims back.
    shutdown: CancellationToken,
}

/// What one [`Worker::step`] did, which decides how the worker waits before the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Nothing is due: the queue is empty, or all of it waits (retries, quiet hours, chat
    /// spacing). Finished broadcasts have been reported. Wait for news or `idle_poll`.
    Idle,
    /// This many deliveries were claimed, and each is now sending, settled without a send
    /// (gone chat, quiet hours, a chat sent to too recently), or back in the queue
    /// (shutdown, outage). Step again at once.
    Dispatched(usize),
    /// Telegram cannot be reached: nothing was claimed. Probe until it answers.
    Unreachable,
    /// The queue could not be read. Try again in a second.
    QueueUnreadable,
}

/// How one send that was in flight ended (what [`Worker::settle`] returns).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub delivery: i64,
    pub result: DeliveryResult,
}

/// The recorder task and the channel it reads.
struct Recording {
    outcomes: mpsc::Sender<(ClaimedDelivery, DeliveryResult)>,
    recorder: tokio::task::JoinHandle<()>,
}

/// What one claimed delivery turns into, ready to send.
enum Job {
    Send {
        html: Arc<str>,
        preview: bool,
        keyboard: Arc<InlineKeyboardMarkup>,
        /// The statement's files; empty for a text statement.
        media: Arc<[Attachment]>,
    },
    Edit {
        html: Arc<str>,
        message: MessageId,
        preview: bool,
        keyboard: Arc<InlineKeyboardMarkup>,
        /// The card is this message's caption (a statement with media).
        caption: bool,
    },
    /// One digest message for the delivery it is dispatched with and `companions`, the
    /// chat's other rows it names: every one of them is recorded as this send ended.
    Digest {
        html: String,
        keyboard: InlineKeyboardMarkup,
        companions: Vec<ClaimedDelivery>,
    },
    Delete {
        message: MessageId,
    },
    /// Every message of a delivery with media.
    DeleteAll {
        messages: Vec<MessageId>,
    },
    /// Nothing to send; record this and move on.
    Settle(DeliveryResult),
}

impl Worker {
    pub fn new(
        storage: Storage,
        bot: Bot,
        queue_signal: Arc<Notify>,
        config: WorkerConfig,
    ) -> Self {
        Self {
            storage,
            bot,
            queue_signal,
            spacing: Arc::new(ChatSpacing::default()),
            link: Arc::default(),
            budget: None,
            limiter: config.rate.map(RateLimiter::per_second),
            in_flight: JoinSet::new(),
            recording: None,
            shutdown: CancellationToken::new(),
            config,
        }
    }

    /// Shares what the worker learns about reaching Telegram (for /healthz and /stats), and
    /// resumes as soon as anyone hears from Telegram again.
    pub fn with_link(mut self, link: Arc<TelegramLink>) -> Self {
        self.link = link;
        self
    }

    /// Draws every send from the budget the replies to people share.
    pub fn with_budget(mut self, budget: Arc<SendBudget>) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Steps until `shutdown`, waiting between steps as each outcome asks; then gives the
    /// sends in flight `shutdown_grace` to finish.
    pub async fn run(mut self, shutdown: CancellationToken) {
        self.shutdown = shutdown;
        self.pause_after_restart().await;
        while !self.shutdown.is_cancelled() {
            match self.step().await {
                Step::Dispatched(_) => {}
                Step::Idle => {
                    tokio::select! {
                        _ = self.queue_signal.notified() => {}
                        _ = tokio::time::sleep(self.config.idle_poll) => {}
                        _ = self.shutdown.cancelled() => {}
                    }
                }
                Step::Unreachable => self.wait_until_reachable().await,
                Step::QueueUnreadable => {
                    sleep_or_cancel(Duration::from_secs(1), &self.shutdown).await;
                }
            }
        }
        self.finish(Some(self.config.shutdown_grace)).await;
    }

    /// Claims one batch and starts its sends, without waiting for them (see [`Step`]).
    pub async fn step(&mut self) -> Step {
        if !self.link.is_reachable() {
            return Step::Unreachable;
        }
        let batch = match self
            .storage
            .claim_deliveries(self.config.batch, self.config.lease)
            .await
        {
            Ok(batch) => batch,
            Err(e) => {
                tracing::error!(error = %e, "cannot claim deliveries; retrying in a second");
                return Step::QueueUnreadable;
            }
        };
        if batch.is_empty() {
            while self.in_flight.try_join_next().is_some() {}
            if self.in_flight.is_empty() {
                self.report_finished_broadcasts().await;
            }
            return Step::Idle;
        }
        let claimed = batch.len();
        self.dispatch(batch).await;
        Step::Dispatched(claimed)
    }

    /// Waits for every send in flight and for their outcomes to be written, and says how
    /// each send ended: what a test looks at between steps.
    pub async fn settle(&mut self) -> Vec<Settled> {
        self.finish(None).await
    }

    async fn dispatch(&mut self, batch: Vec<ClaimedDelivery>) {
        let outcomes = self.outcomes();
        let mut contents = ContentCache::default();
        let mut batch = digests_together(batch).into_iter();
        while let Some(unit) = batch.next() {
            // An outage pauses the whole worker: the rest of the batch goes back to the
            // queue untried, instead of spending an attempt on each.
            if self.shutdown.is_cancelled() || !self.link.is_reachable() {
                self.release(std::iter::once(unit).chain(batch.by_ref()).flatten())
                    .await;
                break;
            }
            let chat = unit[0].chat_id;
            if let Some(wait) = self.spacing.wait_for(chat.0, Instant::now()) {
                for delivery in unit {
                    let _ = outcomes
                        .send((delivery, DeliveryResult::RetryAt { after: wait }))
                        .await;
                }
                continue;
            }
            let (delivery, job) = if unit[0].held == Some(Hold::Digest) {
                match self.prepare_digest(unit, &mut contents, &outcomes).await {
                    Some(prepared) => prepared,
                    None => continue,
                }
            } else {
                let mut unit = unit;
                let delivery = unit.remove(0);
                let job = self.prepare(&delivery, &mut contents).await;
                (delivery, job)
            };
            if let Job::Settle(result) = job {
                let _ = outcomes.send((delivery, result)).await;
                continue;
            }
            if !self.take_slot().await {
                let companions = match job {
                    Job::Digest { companions, .. } => companions,
                    _ => Vec::new(),
                };
                self.release(
                    std::iter::once(delivery)
                        .chain(companions)
                        .chain(batch.by_ref().flatten()),
                )
                .await;
                break;
            }
            let spacing = if delivery.chat_kind == ChatKind::Private {
                PRIVATE_CHAT_SPACING
            } else {
                GROUP_SPACING
            };
            self.spacing
                .hold(delivery.chat_id.0, Instant::now(), spacing);
            while self.in_flight.len() >= self.config.concurrency.max(1) {
                self.in_flight.join_next().await;
            }
            self.in_flight.spawn(execute(
                Sending {
                    storage: self.storage.clone(),
                    outcomes: outcomes.clone(),
                    bot: self.bot.clone(),
                    spacing: Arc::clone(&self.spacing),
                    link: Arc::clone(&self.link),
                    give_up_after: self.config.give_up_after,
                    clock: self.config.clock.clone(),
                },
                delivery,
                job,
            ));
        }
    }

    /// Waits for a slot of the worker's rate, then of the budget shared with the replies;
    /// false when shutdown came first.
    async fn take_slot(&mut self) -> bool {
        let Some(limiter) = self.limiter.as_mut() else {
            return true;
        };
        let budget = self.budget.clone();
        let slot = async move {
            limiter.acquire().await;
            if let Some(budget) = budget {
                budget.acquire().await;
            }
        };
        tokio::select! {
            _ = slot => true,
            _ = self.shutdown.cancelled() => false,
        }
    }

    /// The recorder's channel; the recorder starts with the first outcome.
    fn outcomes(&mut self) -> mpsc::Sender<(ClaimedDelivery, DeliveryResult)> {
        let storage = &self.storage;
        let recording = self.recording.get_or_insert_with(|| {
            let (outcomes, recorded) = mpsc::channel(OUTCOME_BUFFER);
            Recording {
                outcomes,
                recorder: tokio::spawn(record_outcomes(storage.clone(), recorded)),
            }
        });
        recording.outcomes.clone()
    }

    /// Waits for the sends in flight (at most `grace`, after which the rest are abandoned
    /// to their leases), then for the recorder to write every outcome and end.
    async fn finish(&mut self, grace: Option<Duration>) -> Vec<Settled> {
        let mut settled = Vec::new();
        let in_flight = &mut self.in_flight;
        let drain = async {
            while let Some(joined) = in_flight.join_next().await {
                settled.extend(joined.ok());
            }
        };
        let drained = match grace {
            Some(grace) => tokio::time::timeout(grace, drain).await.is_ok(),
            None => {
                drain.await;
                true
            }
        };
        if !drained {
            // Their leases will run out and the next start takes them over.
            tracing::warn!(
                in_flight = self.in_flight.len(),
                "shutdown grace ran out; abandoning sends"
            );
            self.in_flight.abort_all();
        }
        // Every sender is gone now; the recorder writes what is left and ends.
        if let Some(Recording { outcomes, recorder }) = self.recording.take() {
            drop(outcomes);
            if let Err(e) = recorder.await {
                tracing::error!(error = %e, "the delivery recorder ended abnormally");
            }
        }
        settled
    }

    /// Probes Telegram with `getMe`, 1 s after the failure and then twice as long each time
    /// up to `probe_max_backoff`, until it answers; at once when an update arrives meanwhile.
    async fn wait_until_reachable(&self) {
        let since = self.link.unreachable_since();
        tracing::warn!(since = ?since, "Telegram cannot be reached; the broadcast worker pauses until it answers");
        let mut backoff = Duration::from_secs(1);
        loop {
            tokio::select! {
                _ = tokio::time::sleep(backoff) => {}
                _ = self.link.heard() => {}
                _ = self.shutdown.cancelled() => return,
            }
            if self.link.is_reachable() {
                tracing::info!("Telegram answers again; the broadcast worker resumes");
                return;
            }
            match self.bot.get_me().await {
                Ok(_) => {
                    let down_for = self.link.answered().unwrap_or_default();
                    tracing::info!(
                        down_for_secs = down_for.as_secs(),
                        "Telegram answers again; the broadcast worker resumes"
                    );
                    return;
                }
                Err(e) => {
                    tracing::debug!(error = %e, retry_in = ?backoff, "Telegram still cannot be reached");
                }
            }
            backoff = (backoff * 2).min(self.config.probe_max_backoff);
        }
    }

    /// Sends in flight when the previous run died were not recorded; their chats may have
    /// just received a message. Waiting out the longest spacing keeps the per-chat and
    /// per-group limits across a restart, at the cost of three seconds.
    async fn pause_after_restart(&self) {
        match self.storage.has_pending_deliveries().await {
            Ok(true) => {
                tracing::info!("resuming an unfinished broadcast");
                sleep_or_cancel(self.config.resume_pause, &self.shutdown).await;
            }
            Ok(false) => {}
            Err(e) => tracing::error!(error = %e, "cannot read the delivery queue"),
        }
    }

    async fn prepare(&self, delivery: &ClaimedDelivery, contents: &mut ContentCache) -> Job {
        if !delivery.chat_active {
            return Job::Settle(DeliveryResult::Gone {
                error: "the chat went away before delivery".into(),
            });
        }
        // Only new statements wait: an edit or a deletion changes a copy already there,
        // silently, and holding it would leave a wrong or retracted text on show.
        if delivery.action == DeliveryAction::Send
            && let Some(held) = self.hold(delivery)
        {
            return Job::Settle(held);
        }
        let preview = delivery.link_previews;
        if let DeliveryAction::Delete = delivery.action {
            // Id 0 stands for files Telegram took without telling us their ids.
            let messages: Vec<MessageId> = delivery
                .messages
                .iter()
                .filter(|m| m.message_id > 0)
                .map(|m| MessageId(m.message_id))
                .collect();
            if !messages.is_empty() {
                return Job::DeleteAll { messages };
            }
            return match delivery.message_id {
                Some(id) => Job::Delete {
                    message: MessageId(id),
                },
                None => Job::Settle(DeliveryResult::Failed {
                    error: "no message id to delete".into(),
                }),
            };
        }
        let caption = delivery
            .messages
            .iter()
            .find(|m| m.role == MessageRole::Caption);
        let (html, keyboard) = match contents
            .card(
                &self.storage,
                delivery.announcement_id,
                delivery.lang,
                delivery.action == DeliveryAction::Edit && caption.is_some(),
            )
            .await
        {
            Ok(Some(card)) => card,
            Ok(None) => {
                return Job::Settle(DeliveryResult::Failed {
                    error: "the statement was deleted before delivery".into(),
                });
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot read a statement to deliver");
                return Job::Settle(DeliveryResult::RetryAt {
                    after: Duration::from_secs(1),
                });
            }
        };
        match (delivery.action, caption, delivery.message_id) {
            (DeliveryAction::Edit, Some(caption), _) => Job::Edit {
                html,
                message: MessageId(caption.message_id),
                preview,
                keyboard,
                caption: true,
            },
            (DeliveryAction::Edit, None, Some(id)) => Job::Edit {
                html,
                message: MessageId(id),
                preview,
                keyboard,
                caption: false,
            },
            (DeliveryAction::Edit, None, None) => Job::Settle(DeliveryResult::Failed {
                error: "no message id to edit".into(),
            }),
            _ => Job::Send {
                html,
                preview,
                keyboard,
                media: contents.media(delivery.announcement_id),
            },
        }
    }

    /// Whether a new statement waits, and until when: the one way anything is held back.
    /// Quiet hours first (a digest due in them waits for their end too), then the chat's
    /// next digest for a row not yet held for one.
    fn hold(&self, delivery: &ClaimedDelivery) -> Option<DeliveryResult> {
        let now = self.config.clock.now();
        let for_digest = delivery.held == Some(Hold::Digest);
        if let Some(end) = delivery.quiet_hours.and_then(|q| q.ends_after(now)) {
            return Some(DeliveryResult::Held {
                after: (end - now).to_std().unwrap_or_default(),
                hold: if for_digest {
                    Hold::Digest
                } else {
                    Hold::Quiet
                },
            });
        }
        match delivery.digest {
            Some(hour) if !for_digest => Some(DeliveryResult::Held {
                after: (hour.next_after(now) - now).to_std().unwrap_or_default(),
                hold: Hold::Digest,
            }),
            _ => None,
        }
    }

    /// A chat's due digest rows (those of the batch, and the chat's others claimed now) as
    /// one digest message, returned with the delivery it is dispatched under. Rows that
    /// need no send are settled here; `None` when nothing is left to send. What does not
    /// fit one message goes back to the queue, due now: the next message of the digest.
    async fn prepare_digest(
        &self,
        mut unit: Vec<ClaimedDelivery>,
        contents: &mut ContentCache,
        outcomes: &mpsc::Sender<(ClaimedDelivery, DeliveryResult)>,
    ) -> Option<(ClaimedDelivery, Job)> {
        let first = unit[0].clone();
        match self
            .storage
            .claim_digest_companions(first.chat_id, self.config.lease)
            .await
        {
            Ok(more) => unit.extend(more),
            Err(e) => {
                tracing::warn!(error = %e, "cannot gather a digest; sending what was claimed")
            }
        }
        let settle_all = |unit: Vec<ClaimedDelivery>, result: DeliveryResult| async move {
            for delivery in unit {
                let _ = outcomes.send((delivery, result.clone())).await;
            }
        };
        if !first.chat_active {
            // The first erases the chat, and with it the other rows.
            let gone = DeliveryResult::Gone {
                error: "the chat went away before delivery".into(),
            };
            settle_all(vec![first], gone).await;
            return None;
        }
        if let Some(held) = self.hold(&first) {
            settle_all(unit, held).await;
            return None;
        }
        let mut named = Vec::with_capacity(unit.len());
        for delivery in unit {
            match contents
                .statement(&self.storage, delivery.announcement_id)
                .await
            {
                Ok(Some(statement)) => named.push((statement, delivery)),
                Ok(None) => {
                    let deleted = DeliveryResult::Failed {
                        error: "the statement was deleted before delivery".into(),
                    };
                    let _ = outcomes.send((delivery, deleted)).await;
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot read a statement to deliver");
                    let later = DeliveryResult::RetryAt {
                        after: Duration::from_secs(1),
                    };
                    let _ = outcomes.send((delivery, later)).await;
                }
            }
        }
        named.sort_by_key(|(statement, _)| (statement.published_at, statement.id));
        let statements: Vec<Announcement> = named.iter().map(|(s, _)| s.clone()).collect();
        let digest = digest(&statements, first.lang);
        let included = digest.buttons.len();
        let mut rows = named.into_iter().map(|(_, delivery)| delivery);
        let mut companions: Vec<ClaimedDelivery> = rows.by_ref().take(included).collect();
        let rest: Vec<ClaimedDelivery> = rows.collect();
        settle_all(
            rest,
            DeliveryResult::RetryAt {
                after: Duration::ZERO,
            },
        )
        .await;
        if companions.is_empty() {
            return None;
        }
        let lead = companions.remove(0);
        let keyboard = digest_keyboard(&digest);
        Some((
            lead,
            Job::Digest {
                html: digest.html,
                keyboard,
                companions,
            },
        ))
    }

    async fn release(&self, deliveries: impl Iterator<Item = ClaimedDelivery>) {
        let ids: Vec<i64> = deliveries.map(|d| d.id).collect();
        if let Err(e) = self.storage.release_deliveries(&ids).await {
            tracing::warn!(error = %e, "cannot release claims; their leases will expire");
        }
    }

    /// Tells each admin, once, how a finished broadcast went.
    async fn report_finished_broadcasts(&self) {
        let finished = match self.storage.take_finished_broadcasts().await {
            Ok(ids) => ids,
            Err(e) => {
                tracing::error!(error = %e, "cannot look for finished broadcasts");
                return;
            }
        };
        for id in finished {
            let figures = match self.storage.broadcast_figures(id).await {
                Ok(Some(figures)) => figures,
                Ok(None) => continue,
                Err(e) => {
                    tracing::error!(error = %e, "cannot summarise a broadcast");
                    continue;
                }
            };
            tracing::info!(
                announcement = id.0,
                sent = figures.sent,
                failed = figures.failed,
                gone = figures.gone,
                rate = figures.rate.unwrap_or(0.0),
                "broadcast finished"
            );
            let report = catalogue::broadcast_report(&figures, self.config.report_lang);
            for admin in &self.config.admins {
                if let Some(budget) = &self.budget {
                    budget.acquire().await;
                }
                if let SendOutcome::Sent(_) =
                    sender::send_message(&self.bot, (*admin).into(), &report, false, None).await
                {
                    continue;
                }
                tracing::debug!("an admin could not be sent the broadcast report");
            }
        }
    }
}

/// What a send task needs besides its delivery.
struct Sending {
    storage: Storage,
    outcomes: mpsc::Sender<(ClaimedDelivery, DeliveryResult)>,
    bot: Bot,
    spacing: Arc<ChatSpacing>,
    link: Arc<TelegramLink>,
    give_up_after: Duration,
    clock: Clock,
}

async fn execute(sending: Sending, mut delivery: ClaimedDelivery, job: Job) -> Settled {
    let Sending {
        storage,
        outcomes,
        bot,
        spacing,
        link,
        give_up_after,
        clock,
    } = sending;
    let chat = ChatId::from(delivery.chat_id);
    let started = Instant::now();
    let digest_sent = matches!(job, Job::Digest { .. });
    let mut companions = Vec::new();
    let outcome = match job {
        Job::Send {
            html,
            preview,
            keyboard,
            media,
        } if !media.is_empty() => {
            let sent = media::send_with_media(
                &bot,
                chat,
                &html,
                &media,
                preview,
                &delivery.messages,
                &keyboard,
            )
            .await;
            delivery.messages.extend(sent.delivered);
            sent.outcome
        }
        Job::Send {
            html,
            preview,
            keyboard,
            ..
        } => sender::send_message(&bot, chat, &html, preview, Some(&keyboard)).await,
        Job::Edit {
            html,
            message,
            keyboard,
            caption: true,
            ..
        } => media::edit_caption(&bot, chat, message, &html, &keyboard).await,
        Job::Edit {
            html,
            message,
            preview,
            keyboard,
            ..
        } => sender::edit_message(&bot, chat, message, &html, preview, Some(&keyboard)).await,
        Job::Delete { message } => sender::delete_message(&bot, chat, message).await,
        Job::DeleteAll { messages } => media::delete_all(&bot, chat, &messages).await,
        Job::Digest {
            html,
            keyboard,
            companions: named,
        } => {
            companions = named;
            // Several statements in one message: no single page to preview.
            sender::send_message(&bot, chat, &html, false, Some(&keyboard)).await
        }
        Job::Settle(result) => return record(&outcomes, delivery, result).await,
    };
    crate::ops::record_delivery(outcome.metric_label(), started.elapsed());
    // Only a probe or an update clears the link: a send that was on its way before the
    // outage may still succeed after it began.
    if matches!(outcome, SendOutcome::Transient(_)) && link.failed() {
        tracing::warn!("a send could not reach Telegram; pausing the broadcast");
    }
    let result = match outcome {
        SendOutcome::Sent(id) => DeliveryResult::Sent {
            message_id: id.map(|m| m.0),
        },
        SendOutcome::RetryAfter(wait) => {
            spacing.hold(delivery.chat_id.0, Instant::now(), wait);
            tracing::warn!(delivery = delivery.id, retry_after = ?wait, "Telegram asked us to slow down");
            DeliveryResult::RetryAt { after: wait }
        }
        SendOutcome::Migrated(new_chat) => {
            if let Err(e) = storage
                .migrate_chat(delivery.chat_id, new_chat.into())
                .await
            {
                tracing::error!(error = %e, "cannot follow a migrated group");
            }
            tracing::info!(
                delivery = delivery.id,
                "a group became a supergroup; following it"
            );
            DeliveryResult::RetryAt {
                after: Duration::ZERO,
            }
        }
        SendOutcome::Gone(error) => {
            tracing::info!(
                delivery = delivery.id,
                "a chat is gone; it will not be sent to again"
            );
            DeliveryResult::Gone { error }
        }
        SendOutcome::Transient(error) => {
            let attempts = delivery.attempts + 1;
            let queued_for = (clock.now() - delivery.created_at)
                .to_std()
                .unwrap_or_default();
            let give_up = queued_for >= give_up_after;
            if give_up {
                tracing::error!(delivery = delivery.id, attempts, %error, "a delivery failed for DELIVERY_GIVE_UP_HOURS; giving up");
            } else {
                tracing::warn!(delivery = delivery.id, attempts, %error, "a send failed; will retry");
            }
            DeliveryResult::Transient {
                error,
                backoff: backoff(attempts),
                give_up,
            }
        }
        SendOutcome::Failed(error) => {
            tracing::warn!(delivery = delivery.id, %error, "Telegram refused a delivery");
            DeliveryResult::Failed { error }
        }
    };
    // A digest's other rows end as its message did. No message id for them: a revision
    // has no card of theirs to edit. A gone chat is erased by the first, rows and all.
    if !matches!(result, DeliveryResult::Gone { .. }) {
        let shared = match &result {
            DeliveryResult::Sent { .. } => DeliveryResult::Sent { message_id: None },
            other => other.clone(),
        };
        for companion in companions {
            record(&outcomes, companion, shared.clone()).await;
        }
    }
    let result = match result {
        DeliveryResult::Sent { .. } if digest_sent => DeliveryResult::Sent { message_id: None },
        other => other,
    };
    record(&outcomes, delivery, result).await
}

async fn record(
    outcomes: &mpsc::Sender<(ClaimedDelivery, DeliveryResult)>,
    delivery: ClaimedDelivery,
    result: DeliveryResult,
) -> Settled {
    let settled = Settled {
        delivery: delivery.id,
        result: result.clone(),
    };
    if outcomes.send((delivery, result)).await.is_err() {
        tracing::error!("the delivery recorder is gone; this delivery's lease will expire");
    }
    settled
}

/// Outcomes waiting to be written; the recorder empties it in batches.
const OUTCOME_BUFFER: usize = 4096;
const RECORD_BATCH: usize = 256;

/// The queue's one writer of outcomes: whatever has arrived is committed together, so a
/// thousand sends a second cost a few transactions, not a thousand.
async fn record_outcomes(
    storage: Storage,
    mut recorded: mpsc::Receiver<(ClaimedDelivery, DeliveryResult)>,
) {
    let mut batch = Vec::with_capacity(RECORD_BATCH);
    while recorded.recv_many(&mut batch, RECORD_BATCH).await > 0 {
        let mut attempt = 0;
        while let Err(e) = storage.record_deliveries(&batch).await {
            attempt += 1;
            if attempt >= 3 {
                // The claims stay leased and are retried after the lease: a possible
                // duplicate, never a loss.
                tracing::error!(error = %e, deliveries = batch.len(), "cannot record deliveries");
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        batch.clear();
    }
}

/// 2, 4, 8 … seconds, at most a minute. Only a chat that fails alone waits this long: an
/// outage pauses the worker as a whole, so a delivery that failed when it began has failed
/// once, and is due again seconds after Telegram answers.
fn backoff(attempts: i64) -> Duration {
    let exponent = u32::try_from(attempts.clamp(1, 6)).unwrap_or(6);
    Duration::from_secs(2u64.pow(exponent)).min(Duration::from_secs(60))
}

async fn sleep_or_cancel(duration: Duration, shutdown: &CancellationToken) {
    tokio::select! {
        _ = tokio::time::sleep(duration) => {}
        _ = shutdown.cancelled() => {}
    }
}

/// Statements read and formatted once per batch and language, not once per subscriber.
#[derive(Default)]
struct ContentCache {
    statements: HashMap<StatementId, Option<Announcement>>,
    cards: HashMap<(StatementId, Lang, bool), Card>,
}

/// A card's HTML and the buttons that ride on it.
type Card = (Arc<str>, Arc<InlineKeyboardMarkup>);

impl ContentCache {
    async fn statement(
        &mut self,
        storage: &Storage,
        id: StatementId,
    ) -> Result<Option<Announcement>, StorageError> {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.statements.entry(id) {
            slot.insert(storage.announcement(id).await?);
        }
        Ok(self.statements.get(&id).cloned().flatten())
    }

    /// The card of a statement and the buttons that ride on it; the card as a revised
    /// caption when `caption` (see `text::caption_card`).
    async fn card(
        &mut self,
        storage: &Storage,
        id: StatementId,
        lang: Lang,
        caption: bool,
    ) -> Result<Option<Card>, StorageError> {
        if let Some((html, keyboard)) = self.cards.get(&(id, lang, caption)) {
            return Ok(Some((Arc::clone(html), Arc::clone(keyboard))));
        }
        let Some(statement) = self.statement(storage, id).await? else {
            return Ok(None);
        };
        let html: Arc<str> = if caption {
            caption_card(&statement, lang).into()
        } else {
            announcement_card(&statement, lang).into()
        };
        let keyboard = Arc::new(card_keyboard(&statement, lang));
        self.cards.insert(
            (id, lang, caption),
            (Arc::clone(&html), Arc::clone(&keyboard)),
        );
        Ok(Some((html, keyboard)))
    }

    /// The files of a statement [`card`](Self::card) read.
    fn media(&self, id: StatementId) -> Arc<[Attachment]> {
        match self.statements.get(&id) {
            Some(Some(statement)) => statement.media.as_slice().into(),
            _ => Arc::from([]),
        }
    }
}

/// The batch as units of work: one delivery each, except a chat's rows held for its digest,
/// which go together (in the place of the first) to become one message.
fn digests_together(batch: Vec<ClaimedDelivery>) -> Vec<Vec<ClaimedDelivery>> {
    let mut units: Vec<Vec<ClaimedDelivery>> = Vec::with_capacity(batch.len());
    let mut digest_of_chat: HashMap<i64, usize> = HashMap::new();
    for delivery in batch {
        let is_digest =
            delivery.action == DeliveryAction::Send && delivery.held == Some(Hold::Digest);
        if !is_digest {
            units.push(vec![delivery]);
            continue;
        }
        match digest_of_chat.get(&delivery.chat_id.0) {
            Some(&unit) => units[unit].push(delivery),
            None => {
                digest_of_chat.insert(delivery.chat_id.0, units.len());
                units.push(vec![delivery]);
            }
        }
    }
    units
}
