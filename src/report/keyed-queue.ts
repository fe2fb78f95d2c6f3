/**
 * Values by key, in an order kept by a doubly linked list: appending (or moving to the back),
 * removing any key and reading the front are all O(1). The call ledger (check) and the live calls
 * (proxy, HEP) keep their calls in recency order with it, moving a call to the back on every message;
 * the flood guard keeps its sources so, moving a source to the back on every request.
 *
 * Why not a Map's own insertion order (delete, then set again): V8's ordered hash tables leave a
 * hole per deletion until they rehash, and every walk from the front skips those holes, so reading
 * the front after each message cost the ledger a scan of thousands of holes.
 */

interface Node<K, V> {
  readonly key: K;
  value: V;
  prev: Node<K, V> | null;
  next: Node<K, V> | null;
}

export class KeyedQueue<K, V> {
  readonly #nodes = new Map<K, Node<K, V>>();
  #head: Node<K, V> | null = null;
  #tail: Node<K, V> | null = null;

  get size(): number {
    return this.#nodes.size;
  }

  get(key: K): V | undefined {
    return this.#nodes.get(key)?.value;
  }

  /** The value at the front (the first appended, or least recently moved), if any. */
  first(): V | undefined {
    return this.#head?.value;
  }

  /** The key at the front, if any. */
  firstKey(): K | undefined {
    return this.#head?.key;
  }

  /** Puts `value` at the back under `key`; a key already in the queue moves there. */
  pushBack(key: K, value: V): void {
    let node = this.#nodes.get(key);
    if (node === undefined) {
      node = { key, value, prev: null, next: null };
      this.#nodes.set(key, node);
    } else {
      node.value = value;
      if (node === this.#tail) return;
      this.#unlink(node);
    }
    node.prev = this.#tail;
    node.next = null;
    if (this.#tail === null) this.#head = node;
    else this.#tail.next = node;
    this.#tail = node;
  }

  /** Removes `key`; whether it was there. */
  delete(key: K): boolean {
    const node = this.#nodes.get(key);
    if (node === undefined) return false;
    this.#nodes.delete(key);
    this.#unlink(node);
    return true;
  }

  clear(): void {
    this.#nodes.clear();
    this.#head = null;
    this.#tail = null;
  }

  /** The values, front to back. */
  *values(): IterableIterator<V> {
    for (let node = this.#head; node !== null; node = node.next) yield node.value;
  }

  #unlink(node: Node<K, V>): void {
    if (node.prev === null) this.#head = node.next;
    else node.prev.next = node.next;
    if (node.next === null) this.#tail = node.prev;
    else node.next.prev = node.prev;
    node.prev = null;
    node.next = null;
  }
}
