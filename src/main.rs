//! The `keyward` binary: parse, run, exit with the documented code.

fn main() {
    let code = keyward::cli::run(keyward::Platform::keyward(), std::env::args_os());
    std::process::exit(code);
}
