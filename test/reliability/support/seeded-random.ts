/**
 * A seeded PRNG (mulberry32) and generators of hostile JSON: every fuzz run with the same seed sends
 * the same inputs, so a failure names its seed and case and can be replayed.
 */
export type Random = () => number;

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261126);

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

export function int(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

const NASTY_STRINGS = [
  '',
  ' ',
  '0',
  '-1',
  '1e309',
  'null',
  'true',
  '__proto__',
  'constructor',
  'toString',
  "'; drop table deals; --",
  '%00',
  '\u0000',
  '\ud800',
  '😀'.repeat(50),
  'é'.repeat(300),
  'x'.repeat(5000),
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '{"a":',
];

const NASTY_NUMBERS = [0, -1, 1.5, -0.0001, 2 ** 53, 2 ** 63, -(2 ** 63), 1e308, Number.MAX_SAFE_INTEGER + 2];

export function randomString(random: Random): string {
  if (random() < 0.6) return pick(random, NASTY_STRINGS);
  return Array.from({ length: int(random, 0, 40) }, () => String.fromCharCode(int(random, 0, 0xffff))).join(
    '',
  );
}

export function randomScalar(random: Random): unknown {
  switch (int(random, 0, 4)) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return pick(random, NASTY_NUMBERS);
    default:
      return randomString(random);
  }
}

export function randomJson(random: Random, depth = 0): unknown {
  const roll = random();
  if (depth > 4 || roll < 0.4) return randomScalar(random);
  if (roll < 0.7) return Array.from({ length: int(random, 0, 5) }, () => randomJson(random, depth + 1));
  const keys = [
    '__proto__',
    'constructor',
    'portalId',
    'objectId',
    'id',
    'steps',
    'pipelines',
    randomString(random),
  ];
  return Object.fromEntries(
    Array.from({ length: int(random, 0, 5) }, () => [pick(random, keys), randomJson(random, depth + 1)]),
  );
}

/** A copy of `value` with one field (at any depth) replaced by hostile JSON, or removed. */
export function mutate(random: Random, value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 6) return randomJson(random);
  if (Array.isArray(value)) {
    if (value.length === 0 || random() < 0.15) return randomJson(random);
    const copy = [...value];
    const index = int(random, 0, copy.length - 1);
    copy[index] = random() < 0.3 ? randomJson(random) : mutate(random, copy[index], depth + 1);
    return copy;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return randomJson(random);
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const [key, inner] = pick(random, entries);
  const roll = random();
  if (roll < 0.15) delete copy[key];
  else if (roll < 0.45) copy[key] = randomJson(random);
  else copy[key] = mutate(random, inner, depth + 1);
  return copy;
}
