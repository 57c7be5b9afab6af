//! The `sim` binary: parse the command line, run it, print the error once, exit 0/1/2.

use clap::Parser;

fn main() {
    let cli = sim::cli::Cli::parse();
    if let Err(e) = sim::app::run(cli) {
        eprintln!("error: {e}");
        std::process::exit(e.exit_code());
    }
}
