//! Command-line interface.

/// Entry point: parses arguments, runs the command, returns the process exit code.
pub fn main() -> i32 {
    0
}
