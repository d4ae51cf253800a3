/** Money to the installation's decimals; ratios to 4 places (0.01 percentage points), so screen and API agree. */
export function roundMoney(amount: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(amount * factor) / factor;
}

export const roundRatio = (ratio: number): number => Math.round(ratio * 10_000) / 10_000;
