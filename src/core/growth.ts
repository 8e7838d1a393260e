/**
 * How far a per-slot array grows when it is full: it doubles while small,
 * then grows by a quarter (at 100,000 users a doubling would leave a third of
 * it unused).
 */
export const grownCapacity = (capacity: number) => Math.max(64, capacity < 65_536 ? capacity * 2 : capacity + (capacity >> 2));
