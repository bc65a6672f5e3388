//! The `grapevine` command line.

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use serde_json::json;

use crate::{Application, Config, Parts, db, keys, services, telemetry};

/// Grapevine: referral campaigns, end to end.
#[derive(Parser, Debug)]
#[command(name = "grapevine", version, about)]
pub struct Cli {
    /// Configuration file (default: ./grapevine.toml if present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Address to listen on (overrides `listen` / GRAPEVINE_LISTEN).
    #[arg(long, global = true)]
    listen: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Migrate, serve and work in one process (the default).
    All,
    /// Serve HTTP only (migrations must have run).
    Serve,
    /// Run the outbox relay and job workers only.
    Work,
    /// Apply database migrations and exit.
    Migrate,
    /// Seed a demo tenant, staff, campaign and participants; print what to try.
    Demo {
        /// Print one JSON object instead of prose.
        #[arg(long)]
        json: bool,
    },
    /// Mint a staff JWT for an existing user.
    Token {
        /// The user's email.
        #[arg(long)]
        email: String,
    },
    /// Manage tenants.
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// Print the GraphQL schema (SDL).
    Schema {
        /// Write it to this file instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum TenantCommand {
    /// Create a tenant, optionally with its first admin.
    Create {
        /// URL-safe slug.
        #[arg(long)]
        slug: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Email of the first admin.
        #[arg(long)]
        admin_email: Option<String>,
        /// Password of the first admin (or GRAPEVINE_ADMIN_PASSWORD).
        #[arg(long, env = "GRAPEVINE_ADMIN_PASSWORD", hide_env_values = true)]
        admin_password: Option<String>,
    },
}

/// Entry point: parse, load configuration, run; errors end with a message and exit code 1
/// (2 for bad configuration).
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Schema { out }) = &cli.command {
        let sdl = crate::graphql::sdl();
        return match out {
            Some(path) => match std::fs::write(path, sdl) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: writing {}: {e}", path.display());
                    ExitCode::FAILURE
                }
            },
            None => {
                print!("{sdl}");
                ExitCode::SUCCESS
            }
        };
    }
    let config = match load(&cli) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&config.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: starting the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command.unwrap_or(Command::All), config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn load(cli: &Cli) -> anyhow::Result<Config> {
    let mut config = Config::load(cli.config.as_deref())?;
    if let Some(listen) = &cli.listen {
        config.listen = listen.clone();
        config.public_url = String::new();
        config = config.validated()?;
    }
    keys::ensure(config)
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::All => {
            serve(
                config,
                Parts {
                    http: true,
                    jobs: true,
                },
                true,
            )
            .await
        }
        Command::Serve => {
            serve(
                config,
                Parts {
                    http: true,
                    jobs: false,
                },
                false,
            )
            .await
        }
        Command::Work => {
            serve(
                config,
                Parts {
                    http: false,
                    jobs: true,
                },
                false,
            )
            .await
        }
        Command::Migrate => {
            let conn = db::connect(&config.database_url, 2).await?;
            db::migrate(&conn).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Demo { json } => {
            let conn = db::connect(&config.database_url, 2).await?;
            db::migrate(&conn).await?;
            let demo = services::demo::seed(&conn, &config).await?;
            if json {
                println!("{}", serde_json::to_string(&demo.to_json())?);
            } else {
                println!("{}", demo.to_prose());
            }
            Ok(())
        }
        Command::Token { email } => {
            let conn = db::connect(&config.database_url, 2).await?;
            let token = services::demo::mint_token(&conn, &config, &email).await?;
            println!("{token}");
            Ok(())
        }
        Command::Tenant {
            command:
                TenantCommand::Create {
                    slug,
                    name,
                    admin_email,
                    admin_password,
                },
        } => {
            let conn = db::connect(&config.database_url, 2).await?;
            db::migrate(&conn).await?;
            let now = chrono::Utc::now();
            let tenant = services::tenants::create(&conn, &slug, &name, now)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.message()))?;
            let mut out = json!({ "tenant_id": tenant.id, "slug": tenant.slug });
            if let Some(email) = admin_email {
                let password = admin_password.ok_or_else(|| anyhow::anyhow!("--admin-password (or GRAPEVINE_ADMIN_PASSWORD) is required with --admin-email"))?;
                let user = services::users::create(
                    &conn,
                    &crate::auth::Principal::Anonymous,
                    tenant.id,
                    &email,
                    "Administrator",
                    grapevine_entity::tables::Role::Admin,
                    &password,
                    now,
                )
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.message()))?;
                out["admin_user_id"] = json!(user.id);
            }
            println!("{out}");
            Ok(())
        }
        Command::Schema { .. } => Ok(()),
    }
}

async fn serve(config: Config, parts: Parts, migrate: bool) -> anyhow::Result<()> {
    let app = Application::build(config.clone(), parts, None, migrate).await?;
    if parts.http {
        tracing::info!(listen = %config.listen, port = app.port(), graphql = %format!("{}/graphql", app.state().config.public_url), "serving");
    }
    app.run_until_stopped().await
}
