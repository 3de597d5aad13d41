fn main() {
    std::process::exit(pim_credentials::cli::main());
}
