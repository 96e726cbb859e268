//! One integration binary: the real bot against a fake Telegram Bot API, a real SQLite
//! file and a local feed server. Support first, then one module per area.

mod support;

mod app;
mod binary;
mod support_selftest;

mod approvals;
mod archive;
mod bad_config;
mod broadcast;
mod commands;
mod crash;
mod digest;
mod erasure;
mod experience;
mod fairness;
mod feed_safety;
mod formatting;
mod ingest;
mod media;
mod media_intake;
mod ops;
mod outage;
mod reader;
mod schedule;
mod scheduled_approvals;
mod search;
mod topics;
mod worker;
