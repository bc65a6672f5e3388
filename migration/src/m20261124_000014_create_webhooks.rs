//! Outgoing webhooks: the endpoints tenants register, one delivery per (event, endpoint), and
//! every attempt at a delivery with the receiver's answer.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn cascade_fk(
    name: &str,
    from: (impl IntoIden + 'static, impl IntoIden + 'static),
    to: (impl IntoIden + 'static, impl IntoIden + 'static),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden + 'static,
    cols: Vec<Alias>,
    unique: bool,
) -> Result<(), DbErr> {
    let mut index = Index::create().name(name).table(table).to_owned();
    for col in cols {
        index.col(col);
    }
    if unique {
        index.unique();
    }
    manager.create_index(index).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WebhookEndpoints::Table)
                    .col(pk_uuid(WebhookEndpoints::Id))
                    .col(uuid(WebhookEndpoints::TenantId))
                    .col(text(WebhookEndpoints::Url))
                    .col(text(WebhookEndpoints::Description))
                    .col(json_binary(WebhookEndpoints::EventTypes))
                    .col(boolean(WebhookEndpoints::Enabled))
                    .col(text(WebhookEndpoints::SecretCiphertext))
                    .col(string(WebhookEndpoints::SecretHint))
                    .col(timestamp_with_time_zone(WebhookEndpoints::CreatedAt))
                    .col(timestamp_with_time_zone(WebhookEndpoints::UpdatedAt))
                    .foreign_key(&mut cascade_fk(
                        "fk_webhook_endpoints_tenant",
                        (WebhookEndpoints::Table, WebhookEndpoints::TenantId),
                        (Tenants::Table, Tenants::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_webhook_endpoints_tenant",
            WebhookEndpoints::Table,
            vec![Alias::new("tenant_id")],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDeliveries::Table)
                    .col(pk_uuid(WebhookDeliveries::Id))
                    .col(uuid(WebhookDeliveries::TenantId))
                    .col(uuid(WebhookDeliveries::EndpointId))
                    .col(uuid(WebhookDeliveries::EventId))
                    .col(string(WebhookDeliveries::EventType))
                    .col(text(WebhookDeliveries::Body))
                    .col(string(WebhookDeliveries::State))
                    .col(integer(WebhookDeliveries::Sequence))
                    .col(integer(WebhookDeliveries::Attempts))
                    .col(integer_null(WebhookDeliveries::LastStatus))
                    .col(text_null(WebhookDeliveries::LastError))
                    .col(timestamp_with_time_zone(WebhookDeliveries::CreatedAt))
                    .col(timestamp_with_time_zone(WebhookDeliveries::UpdatedAt))
                    .col(timestamp_with_time_zone_null(
                        WebhookDeliveries::DeliveredAt,
                    ))
                    .foreign_key(&mut cascade_fk(
                        "fk_webhook_deliveries_tenant",
                        (WebhookDeliveries::Table, WebhookDeliveries::TenantId),
                        (Tenants::Table, Tenants::Id),
                    ))
                    .foreign_key(&mut cascade_fk(
                        "fk_webhook_deliveries_endpoint",
                        (WebhookDeliveries::Table, WebhookDeliveries::EndpointId),
                        (WebhookEndpoints::Table, WebhookEndpoints::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        // One delivery per event and endpoint: an event emitted twice is delivered once.
        index(
            manager,
            "ux_webhook_deliveries_endpoint_event",
            WebhookDeliveries::Table,
            vec![Alias::new("endpoint_id"), Alias::new("event_id")],
            true,
        )
        .await?;
        index(
            manager,
            "idx_webhook_deliveries_tenant_state",
            WebhookDeliveries::Table,
            vec![Alias::new("tenant_id"), Alias::new("state")],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookAttempts::Table)
                    .col(pk_uuid(WebhookAttempts::Id))
                    .col(uuid(WebhookAttempts::TenantId))
                    .col(uuid(WebhookAttempts::DeliveryId))
                    .col(integer(WebhookAttempts::Sequence))
                    .col(integer(WebhookAttempts::Attempt))
                    .col(timestamp_with_time_zone(WebhookAttempts::StartedAt))
                    .col(big_integer(WebhookAttempts::DurationMs))
                    .col(integer_null(WebhookAttempts::StatusCode))
                    .col(text_null(WebhookAttempts::Error))
                    .col(text_null(WebhookAttempts::ResponseBody))
                    .foreign_key(&mut cascade_fk(
                        "fk_webhook_attempts_tenant",
                        (WebhookAttempts::Table, WebhookAttempts::TenantId),
                        (Tenants::Table, Tenants::Id),
                    ))
                    .foreign_key(&mut cascade_fk(
                        "fk_webhook_attempts_delivery",
                        (WebhookAttempts::Table, WebhookAttempts::DeliveryId),
                        (WebhookDeliveries::Table, WebhookDeliveries::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_webhook_attempts_delivery",
            WebhookAttempts::Table,
            vec![Alias::new("delivery_id")],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            WebhookAttempts::Table.into_iden(),
            WebhookDeliveries::Table.into_iden(),
            WebhookEndpoints::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum WebhookEndpoints {
    Table,
    Id,
    TenantId,
    Url,
    Description,
    EventTypes,
    Enabled,
    SecretCiphertext,
    SecretHint,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    TenantId,
    EndpointId,
    EventId,
    EventType,
    Body,
    State,
    Sequence,
    Attempts,
    LastStatus,
    LastError,
    CreatedAt,
    UpdatedAt,
    DeliveredAt,
}

#[derive(DeriveIden)]
enum WebhookAttempts {
    Table,
    Id,
    TenantId,
    DeliveryId,
    Sequence,
    Attempt,
    StartedAt,
    DurationMs,
    StatusCode,
    Error,
    ResponseBody,
}
