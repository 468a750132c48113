//! Reading secrets: from the environment (for automation) or a terminal
//! prompt with echo off. Never from argv, never echoed, never logged.

use std::io::IsTerminal;

use secrecy::{ExposeSecret, SecretString};

use super::CliError;

/// Reads a secret from `env_var`, else prompts on the terminal.
pub fn read(env_var: &str, prompt: &str) -> Result<SecretString, CliError> {
    if let Ok(v) = std::env::var(env_var) {
        return Ok(SecretString::from(v));
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::new(
            "cli.no_secret",
            format!("no terminal to ask for the {prompt}: type it in a terminal, or set {env_var} for automation"),
        ));
    }
    let text = rpassword::prompt_password(format!("{}: ", capital(prompt)))
        .map_err(|e| CliError::new("cli.prompt_failed", format!("could not read the {prompt}: {e}")))?;
    Ok(SecretString::from(text))
}

/// Reads a new passphrase, asking twice on a terminal.
pub fn read_new(env_var: &str, prompt: &str) -> Result<SecretString, CliError> {
    if std::env::var(env_var).is_ok() {
        return read(env_var, prompt);
    }
    let first = read(env_var, prompt)?;
    let again = read(env_var, &format!("{prompt} again"))?;
    if first.expose_secret() != again.expose_secret() {
        return Err(CliError::new("cli.passphrases_differ", "the two passphrases differ; nothing was changed"));
    }
    Ok(first)
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}
