/**
 * One way to keep a Map of recent entries bounded: a key set again moves to the back, and past
 * `max` entries the oldest goes. Insertion order is then age order, so for entries that all live
 * the same time the first to expire are the first to go: a full table sheds expired entries
 * before live ones, with no sweep and no timer per entry.
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) map.delete(map.keys().next().value as K);
}
