//! Campaigns with their variants, reward rules and per-channel materials.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Campaigns::Table)
                    .col(pk_uuid(Campaigns::Id))
                    .col(uuid(Campaigns::TenantId))
                    .col(string(Campaigns::Name))
                    .col(text(Campaigns::Description))
                    .col(string(Campaigns::Status))
                    .col(json_binary(Campaigns::Goals))
                    .col(json_binary(Campaigns::Audience))
                    .col(timestamp_with_time_zone(Campaigns::StartsAt))
                    .col(timestamp_with_time_zone_null(Campaigns::EndsAt))
                    .col(string(Campaigns::TimeZone))
                    .col(string_len(Campaigns::Currency, 3))
                    .col(big_integer_null(Campaigns::BudgetMinor))
                    .col(integer(Campaigns::AttributionWindowDays))
                    .col(string(Campaigns::AttributionModel))
                    .col(integer(Campaigns::HoldDays))
                    .col(string_null(Campaigns::LandingUrl))
                    .col(integer(Campaigns::HoldoutBps))
                    .col(uuid_null(Campaigns::CreatedBy))
                    .col(timestamp_with_time_zone(Campaigns::CreatedAt))
                    .col(timestamp_with_time_zone(Campaigns::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Campaigns::LaunchedAt))
                    .col(timestamp_with_time_zone_null(Campaigns::EndedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_campaigns_tenant")
                            .from(Campaigns::Table, Campaigns::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_campaigns_tenant_id")
                    .table(Campaigns::Table)
                    .col(Campaigns::TenantId)
                    .col(Campaigns::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CampaignVariants::Table)
                    .col(pk_uuid(CampaignVariants::Id))
                    .col(uuid(CampaignVariants::TenantId))
                    .col(uuid(CampaignVariants::CampaignId))
                    .col(string(CampaignVariants::Name))
                    .col(integer(CampaignVariants::Weight))
                    .col(timestamp_with_time_zone(CampaignVariants::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_campaign_variants_tenant")
                            .from(CampaignVariants::Table, CampaignVariants::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_campaign_variants_campaign")
                            .from(CampaignVariants::Table, CampaignVariants::CampaignId)
                            .to(Campaigns::Table, Campaigns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_campaign_variants_campaign_name")
                    .table(CampaignVariants::Table)
                    .col(CampaignVariants::CampaignId)
                    .col(CampaignVariants::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RewardRules::Table)
                    .col(pk_uuid(RewardRules::Id))
                    .col(uuid(RewardRules::TenantId))
                    .col(uuid(RewardRules::CampaignId))
                    .col(uuid_null(RewardRules::VariantId))
                    .col(string(RewardRules::Side))
                    .col(string(RewardRules::Trigger))
                    .col(integer_null(RewardRules::MaxPurchases))
                    .col(big_integer(RewardRules::MinOrderMinor))
                    .col(string(RewardRules::Kind))
                    .col(string(RewardRules::RewardType))
                    .col(big_integer_null(RewardRules::AmountMinor))
                    .col(integer_null(RewardRules::Bps))
                    .col(json_binary(RewardRules::Tiers))
                    .col(big_integer_null(RewardRules::PerReferrerCapMinor))
                    .col(timestamp_with_time_zone(RewardRules::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reward_rules_tenant")
                            .from(RewardRules::Table, RewardRules::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reward_rules_campaign")
                            .from(RewardRules::Table, RewardRules::CampaignId)
                            .to(Campaigns::Table, Campaigns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reward_rules_variant")
                            .from(RewardRules::Table, RewardRules::VariantId)
                            .to(CampaignVariants::Table, CampaignVariants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_reward_rules_campaign")
                    .table(RewardRules::Table)
                    .col(RewardRules::CampaignId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_reward_rules_variant")
                    .table(RewardRules::Table)
                    .col(RewardRules::VariantId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CampaignMaterials::Table)
                    .col(pk_uuid(CampaignMaterials::Id))
                    .col(uuid(CampaignMaterials::TenantId))
                    .col(uuid(CampaignMaterials::CampaignId))
                    .col(string(CampaignMaterials::Channel))
                    .col(text(CampaignMaterials::ShareText))
                    .col(text(CampaignMaterials::EmailSubject))
                    .col(text(CampaignMaterials::EmailHtml))
                    .col(text(CampaignMaterials::EmailText))
                    .col(timestamp_with_time_zone(CampaignMaterials::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_campaign_materials_tenant")
                            .from(CampaignMaterials::Table, CampaignMaterials::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_campaign_materials_campaign")
                            .from(CampaignMaterials::Table, CampaignMaterials::CampaignId)
                            .to(Campaigns::Table, Campaigns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_campaign_materials_campaign_channel")
                    .table(CampaignMaterials::Table)
                    .col(CampaignMaterials::CampaignId)
                    .col(CampaignMaterials::Channel)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CampaignMaterials::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(RewardRules::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(CampaignVariants::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Campaigns::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    Id,
    TenantId,
    Name,
    Description,
    Status,
    Goals,
    Audience,
    StartsAt,
    EndsAt,
    TimeZone,
    Currency,
    BudgetMinor,
    AttributionWindowDays,
    AttributionModel,
    HoldDays,
    LandingUrl,
    HoldoutBps,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    LaunchedAt,
    EndedAt,
}

#[derive(DeriveIden)]
enum CampaignVariants {
    Table,
    Id,
    TenantId,
    CampaignId,
    Name,
    Weight,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RewardRules {
    Table,
    Id,
    TenantId,
    CampaignId,
    VariantId,
    Side,
    Trigger,
    MaxPurchases,
    MinOrderMinor,
    Kind,
    RewardType,
    AmountMinor,
    Bps,
    Tiers,
    PerReferrerCapMinor,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CampaignMaterials {
    Table,
    Id,
    TenantId,
    CampaignId,
    Channel,
    ShareText,
    EmailSubject,
    EmailHtml,
    EmailText,
    UpdatedAt,
}
