//! The migrations run up, down and up again on SQLite and on PostgreSQL, and every entity
//! round-trips a row through the table its migration created.

use chrono::{SubsecRound, Utc};
use grapevine_entity::tables::*;
use grapevine_migration::{Migrator, MigratorTrait, SchemaManager};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, Database, DatabaseConnection, EntityTrait, ModelTrait,
    PaginatorTrait, Set,
};
use serde_json::json;
use uuid::Uuid;

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const DEFAULT_ADMIN_URL: &str = "postgres://root@127.0.0.1:5432/postgres";

/// Every table the migrations create, so `down` can be checked to remove them all.
const TABLES: &[&str] = &[
    "tenants",
    "tenant_secrets",
    "users",
    "api_keys",
    "campaigns",
    "campaign_variants",
    "reward_rules",
    "campaign_materials",
    "participants",
    "enrolments",
    "referral_links",
    "emails",
    "suppressions",
    "job_outbox",
    "job_runs",
    "audit_log",
    "webhook_endpoints",
    "webhook_deliveries",
    "webhook_attempts",
    "tracking_tallies",
    "staff_sessions",
    "recommendation_dismissals",
];

#[tokio::test]
async fn migrations_go_up_down_and_up_again_on_sqlite() -> TestResult {
    let dir = tempfile::tempdir()?;
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("migrations.db").display()
    );
    let db = Database::connect(&url).await?;
    let outcome = up_down_up(&db).await;
    db.close().await?;
    outcome
}

#[tokio::test]
async fn migrations_go_up_down_and_up_again_on_postgres() -> TestResult {
    let admin_url = std::env::var("GRAPEVINE_TEST_DATABASE_URL")
        .unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned());
    let name = format!("mig_{}", Uuid::new_v4().simple());
    let mut url = url::Url::parse(&admin_url)?;
    url.set_path(&name);

    let admin = Database::connect(&admin_url).await?;
    admin
        .execute_unprepared(&format!(r#"CREATE DATABASE "{name}""#))
        .await?;

    let outcome = async {
        let db = Database::connect(url.as_str()).await?;
        let outcome = up_down_up(&db).await;
        db.close().await?;
        outcome
    }
    .await;

    // Drop the database whatever happened, then report the first failure.
    let dropped = admin
        .execute_unprepared(&format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#))
        .await;
    admin.close().await?;
    outcome?;
    dropped?;
    Ok(())
}

async fn up_down_up(db: &DatabaseConnection) -> TestResult {
    Migrator::up(db, None).await?;
    assert_tables(db, true).await?;
    insert_one_of_each(db).await?;

    // Down with data in place: the drop order must respect the foreign keys.
    Migrator::down(db, None).await?;
    assert_tables(db, false).await?;
    assert!(Migrator::get_applied_migrations(db).await?.is_empty());

    Migrator::up(db, None).await?;
    assert_tables(db, true).await?;
    insert_one_of_each(db).await?;
    Ok(())
}

async fn assert_tables(db: &DatabaseConnection, present: bool) -> TestResult {
    let manager = SchemaManager::new(db);
    for table in TABLES {
        assert_eq!(
            manager.has_table(*table).await?,
            present,
            "table {table} present should be {present}"
        );
    }
    Ok(())
}

/// Inserts one row into every table through its entity, reads each back unchanged, then
/// deletes the tenant and checks the delete cascaded.
async fn insert_one_of_each(db: &DatabaseConnection) -> TestResult {
    // Both backends keep microseconds at most.
    let now = Utc::now().trunc_subsecs(6);
    let tenant_id = Uuid::now_v7();

    let tenant = tenants::ActiveModel {
        id: Set(tenant_id),
        slug: Set(format!("acme-{}", tenant_id.simple())),
        name: Set("Acme".to_owned()),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    assert_read_back::<tenants::Entity>(db, tenant.id, &tenant).await?;

    let secret = tenant_secrets::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        name: Set("stripe_secret_key".to_owned()),
        ciphertext: Set("bm9uY2V8Y2lwaGVy".to_owned()),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    assert_read_back::<tenant_secrets::Entity>(db, secret.id, &secret).await?;

    let user = users::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        email: Set(format!("ada-{}@example.com", tenant_id.simple())),
        name: Set("Ada".to_owned()),
        role: Set(Role::MarketingManager),
        password_hash: Set("$argon2id$v=19$...".to_owned()),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        last_login_at: Set(None),
    }
    .insert(db)
    .await?;
    assert_read_back::<users::Entity>(db, user.id, &user).await?;

    let api_key = api_keys::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        kind: Set(ApiKeyKind::Publishable),
        name: Set("widget".to_owned()),
        prefix: Set("gv_pk_123456".to_owned()),
        key_hash: Set(format!("{:0>64}", tenant_id.simple())),
        allowed_origins: Set(json!(["https://shop.example.com"])),
        created_by: Set(Some(user.id)),
        created_at: Set(now),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    assert_read_back::<api_keys::Entity>(db, api_key.id, &api_key).await?;

    let session = staff_sessions::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        user_id: Set(user.id),
        secret_hash: Set(format!("{:0>64}", user.id.simple())),
        user_agent: Set(Some("Mozilla/5.0".to_owned())),
        created_at: Set(now),
        last_used_at: Set(now),
        expires_at: Set(now + chrono::Duration::days(7)),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    assert_read_back::<staff_sessions::Entity>(db, session.id, &session).await?;

    let campaign = campaigns::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        name: Set("Spring referrals".to_owned()),
        description: Set("Give 10, get 10".to_owned()),
        status: Set(CampaignStatus::Draft),
        goals: Set(json!({"referrals": 100})),
        audience: Set(json!({"countries": ["DE", "FR"]})),
        starts_at: Set(now),
        ends_at: Set(None),
        time_zone: Set("Europe/Berlin".to_owned()),
        currency: Set("EUR".to_owned()),
        budget_minor: Set(Some(1_000_000)),
        attribution_window_days: Set(30),
        attribution_model: Set(AttributionModel::LastTouch),
        hold_days: Set(14),
        landing_url: Set(Some("https://shop.example.com/welcome".to_owned())),
        holdout_bps: Set(500),
        created_by: Set(Some(user.id)),
        created_at: Set(now),
        updated_at: Set(now),
        launched_at: Set(None),
        ended_at: Set(None),
        fraud_policy: Set(None),
        budget_reserved_minor: Set(0),
    }
    .insert(db)
    .await?;
    assert_read_back::<campaigns::Entity>(db, campaign.id, &campaign).await?;

    let variant = campaign_variants::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        campaign_id: Set(campaign.id),
        name: Set("a".to_owned()),
        weight: Set(50),
        created_at: Set(now),
        stopped_at: Set(Some(now)),
        stop_reason: Set(Some("converts worse".to_owned())),
    }
    .insert(db)
    .await?;
    assert_read_back::<campaign_variants::Entity>(db, variant.id, &variant).await?;

    let dismissal = recommendation_dismissals::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        campaign_id: Set(campaign.id),
        kind: Set("budget_runs_out".to_owned()),
        note: Set(Some("the budget is topped up monthly".to_owned())),
        dismissed_by: Set(Some(user.id)),
        dismissed_at: Set(now),
    }
    .insert(db)
    .await?;
    assert_read_back::<recommendation_dismissals::Entity>(db, dismissal.id, &dismissal).await?;

    let rule = reward_rules::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        campaign_id: Set(campaign.id),
        variant_id: Set(Some(variant.id)),
        side: Set(RewardSide::Referrer),
        trigger: Set(RewardTrigger::FirstPurchase),
        max_purchases: Set(None),
        min_order_minor: Set(2_000),
        kind: Set(RewardKind::Fixed),
        reward_type: Set(RewardType::GiftCard),
        amount_minor: Set(Some(1_000)),
        bps: Set(None),
        tiers: Set(json!([])),
        per_referrer_cap_minor: Set(Some(10_000)),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    assert_read_back::<reward_rules::Entity>(db, rule.id, &rule).await?;

    let material = campaign_materials::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        campaign_id: Set(campaign.id),
        channel: Set(Channel::Email),
        share_text: Set("Join me".to_owned()),
        email_subject: Set("A gift".to_owned()),
        email_html: Set("<p>Hi</p>".to_owned()),
        email_text: Set("Hi".to_owned()),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    assert_read_back::<campaign_materials::Entity>(db, material.id, &material).await?;

    let participant = participants::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        external_id: Set("cust-1".to_owned()),
        email: Set("Grace@Example.com".to_owned()),
        email_normalized: Set("grace@example.com".to_owned()),
        first_name: Set(Some("Grace".to_owned())),
        tags: Set(json!(["vip"])),
        order_count: Set(3),
        country: Set(Some("DE".to_owned())),
        created_at: Set(now),
        updated_at: Set(now),
        payout_account_id: Set(Some("acct_1".to_owned())),
        payout_status: Set(PayoutOnboarding::Complete),
        tax_status: Set(TaxStatus::OnFile),
    }
    .insert(db)
    .await?;
    assert_read_back::<participants::Entity>(db, participant.id, &participant).await?;

    let enrolment = enrolments::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        campaign_id: Set(campaign.id),
        participant_id: Set(participant.id),
        eligible: Set(true),
        bucket: Set("a".to_owned()),
        variant_id: Set(Some(variant.id)),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    assert_read_back::<enrolments::Entity>(db, enrolment.id, &enrolment).await?;

    let link = referral_links::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        campaign_id: Set(campaign.id),
        enrolment_id: Set(enrolment.id),
        participant_id: Set(participant.id),
        code: Set(format!("GRACE{}", tenant_id.simple())),
        kind: Set(LinkKind::Channel),
        channel: Set(Some(Channel::Qr)),
        created_at: Set(now),
        disabled_at: Set(None),
    }
    .insert(db)
    .await?;
    assert_read_back::<referral_links::Entity>(db, link.id, &link).await?;

    let email = emails::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        campaign_id: Set(Some(campaign.id)),
        participant_id: Set(Some(participant.id)),
        kind: Set(EmailKind::RewardEarned),
        dedupe_key: Set(format!("reward_earned:{}", tenant_id.simple())),
        to_address: Set("grace@example.com".to_owned()),
        subject: Set("You earned a reward".to_owned()),
        html: Set("<p>Well done</p>".to_owned()),
        text: Set("Well done".to_owned()),
        state: Set(EmailState::Unknown),
        attempts: Set(1),
        last_error: Set(Some("connection reset after DATA".to_owned())),
        created_at: Set(now),
        updated_at: Set(now),
        sent_at: Set(None),
    }
    .insert(db)
    .await?;
    assert_read_back::<emails::Entity>(db, email.id, &email).await?;

    let suppression = suppressions::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        email_normalized: Set("grace@example.com".to_owned()),
        reason: Set("unsubscribed".to_owned()),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    assert_read_back::<suppressions::Entity>(db, suppression.id, &suppression).await?;

    let job = job_outbox::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(None),
        kind: Set("send_email".to_owned()),
        payload: Set(json!({"email_id": email.id})),
        state: Set(JobState::Dispatched),
        attempts: Set(0),
        max_attempts: Set(5),
        available_at: Set(now),
        dispatched_at: Set(Some(now)),
        dispatch_token: Set(Some(Uuid::now_v7())),
        lease_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        finished_at: Set(None),
        traceparent: Set(Some(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_owned(),
        )),
    }
    .insert(db)
    .await?;
    assert_read_back::<job_outbox::Entity>(db, job.id, &job).await?;

    let run = job_runs::ActiveModel {
        id: Set(Uuid::now_v7()),
        job_id: Set(job.id),
        kind: Set("send_email".to_owned()),
        attempt: Set(1),
        worker: Set("worker-1".to_owned()),
        outcome: Set(JobRunOutcome::Running),
        error: Set(None),
        started_at: Set(now),
        finished_at: Set(None),
    }
    .insert(db)
    .await?;
    assert_read_back::<job_runs::Entity>(db, run.id, &run).await?;

    let audit = audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        actor_id: Set(Some(user.id)),
        actor: Set("user".to_owned()),
        action: Set("campaign.create".to_owned()),
        entity: Set("campaign".to_owned()),
        entity_id: Set(Some(campaign.id)),
        data: Set(json!({"name": "Spring referrals"})),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    assert_read_back::<audit_log::Entity>(db, audit.id, &audit).await?;

    // Deleting the tenant takes its rows with it (foreign keys are enforced on both backends).
    tenant.delete(db).await?;
    assert_eq!(campaigns::Entity::find().count(db).await?, 0);
    assert_eq!(referral_links::Entity::find().count(db).await?, 0);
    assert_eq!(audit_log::Entity::find().count(db).await?, 0);
    // The outbox has no tenant foreign key: its rows stay.
    assert_eq!(job_runs::Entity::find().count(db).await?, 1);
    Ok(())
}

async fn assert_read_back<E>(db: &DatabaseConnection, id: Uuid, expected: &E::Model) -> TestResult
where
    E: EntityTrait,
    E::Model: PartialEq + std::fmt::Debug,
    <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<Uuid>,
{
    let found = E::find_by_id(id).one(db).await?;
    assert_eq!(found.as_ref(), Some(expected));
    Ok(())
}
