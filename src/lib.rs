//! jarchi (جارچی): carries an organisation's statements to its followers on Telegram.
//!
//! Rooms (see `docs/architecture.md`): `domain` and `text` are pure leaves; `storage` is
//! the only place with SQL; `publish` is the one door in; `telegram` answers commands;
//! `startup` wires everything together.

pub mod broadcast;
pub mod cli;
pub mod config;
pub mod domain;
pub mod ingest;
pub mod ops;
pub mod publish;
pub mod schedule;
pub mod send_budget;
pub mod startup;
pub mod storage;
pub mod telegram;
pub mod telemetry;
pub mod text;
