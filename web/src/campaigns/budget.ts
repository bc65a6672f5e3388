import type { MoneyValue } from '../format';

/** Reward cost over the budget (1.0 = exhausted); null without a budget or in another currency. */
export function budgetUsed(
  rewardCost: MoneyValue | null | undefined,
  budget: MoneyValue | null | undefined,
): number | null {
  if (!rewardCost || !budget || rewardCost.currency !== budget.currency) return null;
  const cap = BigInt(budget.amountMinor);
  if (cap <= 0n) return null;
  // Scaled integer division keeps precision for any i64 amount.
  return Number((BigInt(rewardCost.amountMinor) * 10000n) / cap) / 10000;
}
