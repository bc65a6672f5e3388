//! Keys the embedded default generates on first start and keeps in `keys_file`, so a fresh
//! install is secure without any built-in constant. PostgreSQL deployments must configure them
//! (several replicas must agree), and start-up refuses to guess.

use std::{fs, io::Write, path::Path};

use serde::{Deserialize, Serialize};

use crate::{config::Config, crypto::random_key_b64};

#[derive(Serialize, Deserialize)]
struct KeysFile {
    master_key: String,
    jwt_kid: String,
    jwt_secret: String,
}

/// Fill in missing master and JWT keys: from the keys file, generating it once if absent.
pub fn ensure(mut config: Config) -> anyhow::Result<Config> {
    let need_master = config.secrets.master_key.is_empty();
    let need_jwt = config.auth.jwt_keys.is_empty();
    if !need_master && !need_jwt {
        return Ok(finish(config));
    }
    if !config.is_embedded() {
        let missing = if need_master {
            "secrets.master_key"
        } else {
            "auth.jwt_keys"
        };
        anyhow::bail!(
            "configuration key `{missing}`: required with PostgreSQL (every replica must use the same keys); \
             generate one with `openssl rand -base64 32`"
        );
    }
    let path = Path::new(&config.keys_file);
    let keys = if path.exists() {
        let text = fs::read_to_string(path)?;
        toml::from_str::<KeysFile>(&text).map_err(|e| {
            anyhow::anyhow!(
                "configuration key `keys_file`: {} is not a keys file: {e}",
                path.display()
            )
        })?
    } else {
        let keys = KeysFile {
            master_key: random_key_b64(32),
            jwt_kid: format!("k{}", chrono::Utc::now().format("%Y%m%d")),
            jwt_secret: random_key_b64(48),
        };
        write_private(path, &toml::to_string(&keys)?)?;
        tracing::info!(path = %path.display(), "generated the master and JWT keys for this installation");
        keys
    };
    if need_master {
        config.secrets.master_key = keys.master_key;
    }
    if need_jwt {
        config
            .auth
            .jwt_keys
            .insert(keys.jwt_kid.clone(), keys.jwt_secret);
        config.auth.jwt_active_kid = keys.jwt_kid;
    }
    Ok(finish(config))
}

fn finish(mut config: Config) -> Config {
    if config.auth.jwt_active_kid.is_empty()
        && let Some(kid) = config.auth.jwt_keys.keys().next()
    {
        config.auth.jwt_active_kid = kid.clone();
    }
    config
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    Ok(())
}
