fn main() -> std::process::ExitCode {
    shipdeck::cli::main()
}
