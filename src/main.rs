//! Thin by design: parse the command line, start the runtime, hand over to `cli`.

use std::process::ExitCode;

use clap::Parser;

use jarchi::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Two workers whatever the machine: the bot waits on the network, it does not compute,
    // and every worker thread costs memory (README, "How small it is").
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return cli::fail(1, &format!("cannot start the async runtime: {e}")),
    };
    runtime.block_on(cli::execute(cli.command()))
}
