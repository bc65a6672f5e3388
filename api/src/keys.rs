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
    let keys = match read(path)? {
        Some(keys) => keys,
        None => {
            let fresh = KeysFile {
                master_key: random_key_b64(32),
                jwt_kid: format!("k{}", chrono::Utc::now().format("%Y%m%d")),
                jwt_secret: random_key_b64(48),
            };
            if publish(path, &toml::to_string(&fresh)?)? {
                tracing::info!(path = %path.display(), "generated the master and JWT keys for this installation");
                fresh
            } else {
                // Another process starting at the same moment published its keys first: use those.
                read(path)?.ok_or_else(|| {
                    anyhow::anyhow!("configuration key `keys_file`: {} vanished", path.display())
                })?
            }
        }
    };
    if need_master {
        config.secrets.master_key = keys.master_key.into();
    }
    if need_jwt {
        config
            .auth
            .jwt_keys
            .insert(keys.jwt_kid.clone(), keys.jwt_secret.into());
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

/// The keys file, if it exists (it is only ever published whole, see `publish`).
fn read(path: &Path) -> anyhow::Result<Option<KeysFile>> {
    match fs::read_to_string(path) {
        Ok(text) => toml::from_str::<KeysFile>(&text).map(Some).map_err(|e| {
            anyhow::anyhow!(
                "configuration key `keys_file`: {} is not a keys file: {e}",
                path.display()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(anyhow::anyhow!(
            "configuration key `keys_file`: reading {}: {e}",
            path.display()
        )),
    }
}

/// Write the file under a temporary name (owner-only), then link it to its final name, which fails
/// if it exists: another process never sees a half-written file, and exactly one writer wins.
/// Returns false when another process won.
fn publish(path: &Path, text: &str) -> anyhow::Result<bool> {
    let tmp = path.with_extension(format!(
        "tmp-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    ));
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    drop(file);
    let linked = fs::hard_link(&tmp, path);
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e.into()),
    }
}
