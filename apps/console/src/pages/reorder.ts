/**
 * Moving a policy in evaluation order through the API's `position` (rules are evaluated by position,
 * then id). A move is one PUT of the moved rule when an integer fits strictly between its new
 * neighbours. When none does (equal or adjacent positions), the positions around the new place are
 * renumbered: a window of neighbours grows (below first, then above) until the positions at its
 * edges leave room for every rule in it, the window's rules get evenly spaced positions there, and
 * only the rules whose position changes are PUT. Rules far from the move are never touched (a rule
 * the native API would not take back as is, e.g. one naming a route that does not exist yet after
 * an import, is then usually left alone).
 *
 * NOT ATOMIC when more than one rule is PUT: the API has no batch reorder, so each PUT is its own
 * write (its own revision); a gateway reloading between two of them enforces an intermediate order
 * for that moment, and a failure part-way (another writer, or a rule the API refuses to take back)
 * leaves the order partly renumbered: the page shows the error line and the order as it now is.
 */
export interface Placed {
  id: number;
  position: number;
}

export const MAX_POSITION = 1_000_000_000;
export const STEP = 10;

/** The PUTs (id → new position) that move `rules[from]` to index `to`; `rules` is in evaluation order. */
export function moveTo(rules: Placed[], from: number, to: number): Placed[] {
  if (from === to || from < 0 || to < 0 || from >= rules.length || to >= rules.length) return [];
  const order = [...rules];
  const [moved] = order.splice(from, 1);
  order.splice(to, 0, moved);
  // The window [a, b] of `order` to renumber, and the open interval (lo, hi) its positions must fit in.
  const edges = (a: number, b: number) => ({ lo: a > 0 ? order[a - 1].position : -1, hi: b < order.length - 1 ? order[b + 1].position : MAX_POSITION + 1 });
  let a = to;
  let b = to;
  for (let grow = 0; ; grow++) {
    const { lo, hi } = edges(a, b);
    if (hi - lo - 1 >= b - a + 1) break;
    if ((grow % 2 === 0 && b < order.length - 1) || a === 0) b++;
    else a--;
  }
  const { lo, hi } = edges(a, b);
  const k = b - a + 1;
  // Open-ended below the last rule: steps of STEP; else evenly spaced in (lo, hi).
  const gap = b === order.length - 1 ? Math.min(STEP, (hi - lo) / (k + 1)) : (hi - lo) / (k + 1);
  const out: Placed[] = [];
  for (let i = 0; i < k; i++) {
    const r = order[a + i];
    const position = Math.floor(lo + gap * (i + 1));
    if (position !== r.position) out.push({ id: r.id, position });
  }
  return out;
}

/** Applies PUTs to a list and sorts it as the API does (position, then id): what the page shows after a move. */
export function applyMoves(rules: Placed[], moves: Placed[]): Placed[] {
  const next = new Map(moves.map((m) => [m.id, m.position]));
  return rules.map((r) => ({ ...r, position: next.get(r.id) ?? r.position })).sort((a, b) => a.position - b.position || a.id - b.id);
}
