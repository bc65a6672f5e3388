//! The `grapevine` command line.

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use serde_json::json;

use crate::{Application, Config, Parts, db, keys, telemetry};
use grapevine_entity::ops;

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
    /// Seed a demo shop with 90 days of referral history (once; later runs only print): prints
    /// the console's address and a sign-in for each staff role.
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
    /// Export and import campaign designs as JSON documents.
    Campaign {
        #[command(subcommand)]
        command: CampaignCommand,
    },
    /// Import data from files.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Take new events into the reporting rollups now (one pass of the scheduled job), or with
    /// `--rebuild` recompute every day of every campaign from the events (after a bulk load or a
    /// change of a campaign's time zone), with a progress bar.
    Rollup {
        /// Recompute everything instead of taking in what changed.
        #[arg(long)]
        rebuild: bool,
        /// Only this campaign (with `--rebuild`).
        #[arg(long)]
        campaign: Option<uuid::Uuid>,
    },
    /// Print the GraphQL schema (SDL).
    Schema {
        /// Write it to this file instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum CampaignCommand {
    /// Print a campaign's design as a JSON document (format grapevine.campaign/v1).
    Export {
        /// The tenant's slug.
        #[arg(long)]
        tenant: String,
        /// The campaign's id.
        id: uuid::Uuid,
    },
    /// Create a draft campaign from a JSON document.
    Import {
        /// The tenant's slug.
        #[arg(long)]
        tenant: String,
        /// Name the new campaign this instead of the document's name.
        #[arg(long)]
        name: Option<String>,
        /// The document.
        file: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum ImportCommand {
    /// Enrol the participants of a CSV file in a campaign (header-named columns: external_id,
    /// email, first_name, tags, order_count, country); good rows go in, bad rows are reported.
    Participants {
        /// The tenant's slug.
        #[arg(long)]
        tenant: String,
        /// The campaign's id.
        #[arg(long)]
        campaign: uuid::Uuid,
        /// Also write the error report (line, column, code, message) to this CSV file.
        #[arg(long)]
        errors: Option<PathBuf>,
        /// The CSV file.
        file: PathBuf,
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
            let conn = db::connect(config.database_url.expose(), 2).await?;
            db::migrate(&conn).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Demo { json } => {
            // The history's jobs, click writer and staff set-up overlap a little: a few more
            // connections than the other one-shot commands.
            let url = crate::demo::database_url(config.database_url.expose());
            let conn = db::connect(&url, 4).await?;
            let seeding = async {
                db::migrate(&conn).await?;
                crate::demo::seed(&conn, &config).await
            };
            let demo = tracing::instrument::WithSubscriber::with_subscriber(
                seeding,
                crate::demo::quiet(&config),
            )
            .await?;
            if json {
                println!("{}", serde_json::to_string(&demo.to_json())?);
            } else {
                println!("{}", demo.to_prose());
            }
            Ok(())
        }
        Command::Token { email } => {
            let conn = db::connect(config.database_url.expose(), 2).await?;
            let token = crate::demo::mint_token(&conn, &config, &email).await?;
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
            let conn = db::connect(config.database_url.expose(), 2).await?;
            db::migrate(&conn).await?;
            let now = chrono::Utc::now();
            let tenant = ops::tenants::create(&conn, &slug, &name, now)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.message()))?;
            let mut out = json!({ "tenant_id": tenant.id, "slug": tenant.slug });
            if let Some(email) = admin_email {
                let password = admin_password.ok_or_else(|| anyhow::anyhow!("--admin-password (or GRAPEVINE_ADMIN_PASSWORD) is required with --admin-email"))?;
                let user = ops::users::create(
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
        Command::Import {
            command:
                ImportCommand::Participants {
                    tenant,
                    campaign,
                    errors,
                    file,
                },
        } => {
            crate::cli_transfer::import_participants(
                &config,
                &tenant,
                campaign,
                &file,
                errors.as_deref(),
            )
            .await
        }
        Command::Campaign {
            command: CampaignCommand::Export { tenant, id },
        } => crate::cli_transfer::export_campaign(&config, &tenant, id).await,
        Command::Campaign {
            command: CampaignCommand::Import { tenant, name, file },
        } => crate::cli_transfer::import_campaign(&config, &tenant, &file, name).await,
        Command::Rollup { rebuild, campaign } => rollup(&config, rebuild, campaign).await,
        Command::Schema { .. } => Ok(()),
    }
}

async fn rollup(config: &Config, rebuild: bool, only: Option<uuid::Uuid>) -> anyhow::Result<()> {
    use grapevine_entity::ops::rollups;
    use grapevine_entity::tables::campaigns;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    let conn = db::connect(config.database_url.expose(), 2).await?;
    let now = chrono::Utc::now();
    if !rebuild {
        let overlap = chrono::Duration::seconds(
            i64::try_from(config.analytics.rollup_overlap_secs).unwrap_or(120),
        );
        let done = rollups::refresh(&conn, overlap, now).await?;
        println!(
            "{}",
            json!({ "buckets": done.buckets, "rows_written": done.rows })
        );
        return Ok(());
    }
    let mut select = campaigns::Entity::find();
    if let Some(id) = only {
        select = select.filter(campaigns::Column::Id.eq(id));
    }
    let found = select.all(&conn).await?;
    if let Some(id) = only
        && found.is_empty()
    {
        anyhow::bail!("no campaign {id}");
    }
    let mut plan = Vec::new();
    for campaign in found {
        let days = rollups::campaign_days(&conn, &campaign).await?;
        plan.push((campaign, days));
    }
    let total: usize = plan.iter().map(|(_, d)| d.len()).sum();
    let bar = indicatif::ProgressBar::new(u64::try_from(total).unwrap_or(u64::MAX));
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} campaign-days ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut written = 0;
    for (campaign, days) in &plan {
        for day in days {
            written += rollups::recompute(&conn, campaign, *day, now).await?;
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    println!(
        "{}",
        json!({ "campaigns": plan.len(), "buckets": total, "rows_written": written })
    );
    Ok(())
}

async fn serve(config: Config, parts: Parts, migrate: bool) -> anyhow::Result<()> {
    let app = Application::build(config.clone(), parts, None, migrate).await?;
    if parts.http {
        tracing::info!(listen = %config.listen, port = app.port(), graphql = %format!("{}/graphql", app.state().config.public_url), "serving");
    }
    app.run_until_stopped().await
}
