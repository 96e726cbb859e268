//! The command line: its grammar here, one function per subcommand in [`subcommands`].
//! `jarchi` alone runs the bot.

pub mod subcommands;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "jarchi",
    version,
    about = "جارچی: carries an organisation's statements to its followers on Telegram",
    long_about = "jarchi reads its configuration from the environment and from a .env file \
                  in the current folder (see .env.example)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand, PartialEq, Eq)]
pub enum Command {
    /// Run the bot (the default).
    Run,
    /// Apply database migrations and exit.
    Migrate,
    /// Read RSS, Atom or JSON feeds (files or http(s) URLs) into the archive, without
    /// sending anything to anyone. Several at once (`jarchi import archive/*.xml`) merge
    /// the search index once, at the end, instead of once per file.
    Import {
        /// For a URL: read up to this many pages, following the feed's `next` links or
        /// WordPress's `?paged=2…`, to backfill older statements.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
        pages: u16,
        /// For a file: refuse it if larger than this many bytes (default: the 5 MiB cap
        /// every fetched feed has).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
        max_bytes: Option<u64>,
        /// File paths or http(s) URLs, read in this order.
        #[arg(required = true)]
        sources: Vec<String>,
    },
    /// Write a consistent copy of the database to PATH, even while the bot runs.
    Backup {
        /// A new file (an existing one is never overwritten).
        path: std::path::PathBuf,
    },
    /// Inspect the configuration.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Ask the running bot's ops listener (OPS_LISTEN) whether it is healthy: exit 0 if so,
    /// 1 if not. For container health checks, where there is no curl.
    Healthcheck,
}

#[derive(Debug, Subcommand, PartialEq, Eq)]
pub enum ConfigAction {
    /// Print the effective configuration, secrets masked; exit 2 if it is invalid.
    Check,
}

impl Cli {
    pub fn command(&self) -> &Command {
        self.command.as_ref().unwrap_or(&Command::Run)
    }
}

/// Exit status for configuration mistakes, distinct from runtime failures (1).
pub const EXIT_CONFIG: u8 = 2;

/// Runs one subcommand to its end.
pub async fn execute(command: &Command) -> ExitCode {
    match command {
        Command::Run => subcommands::run().await,
        Command::Migrate => subcommands::migrate().await,
        Command::Import {
            sources,
            pages,
            max_bytes,
        } => subcommands::import(sources, *pages, *max_bytes).await,
        Command::Backup { path } => subcommands::backup(path).await,
        Command::Config {
            action: ConfigAction::Check,
        } => subcommands::config_check(),
        Command::Healthcheck => subcommands::healthcheck().await,
    }
}

/// One line on stderr, never a backtrace: the reader is an operator.
pub fn fail(code: u8, message: &str) -> ExitCode {
    eprintln!("jarchi: {message}");
    ExitCode::from(code)
}
