//! The `grapevine` binary.

fn main() -> std::process::ExitCode {
    grapevine_api::cli::main()
}
