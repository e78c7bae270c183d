/**
 * Strongly connected components of a graph with a fixed out-degree, given as Cayley graphs
 * (`graphs[g][v·k + a]` is a successor of v). Tarjan's algorithm made iterative, over typed arrays:
 * no recursion (a Cayley graph of 16M nodes has paths far deeper than any call stack).
 * Components are numbered in Tarjan's completion order, which is a reverse topological order:
 * every edge goes from a component to one with a smaller or equal number.
 */
export interface Components {
  /** Component of each node. */
  readonly of: Int32Array;
  readonly count: number;
}

export function stronglyConnectedComponents(nodes: number, k: number, graphs: readonly Uint32Array[]): Components {
  if (graphs.length < 1 || graphs.length > 2) throw new RangeError(`stronglyConnectedComponents: expected 1 or 2 graphs, got ${graphs.length}`);
  const degree = k * graphs.length;
  const g0 = graphs[0];
  const g1 = graphs[graphs.length - 1];
  const index = new Int32Array(nodes).fill(-1);
  const low = new Int32Array(nodes);
  const of = new Int32Array(nodes).fill(-1);
  const stack = new Int32Array(nodes); // Tarjan's stack of visited nodes without a component
  const path = new Int32Array(nodes); // the DFS path (the call stack of the recursive version)
  const nextEdge = new Int32Array(nodes);
  let counter = 0;
  let sp = 0;
  let count = 0;
  for (let root = 0; root < nodes; root++) {
    if (index[root] !== -1) continue;
    let depth = 0;
    index[root] = low[root] = counter++;
    stack[sp++] = root;
    path[depth++] = root;
    nextEdge[root] = 0;
    while (depth > 0) {
      const v = path[depth - 1];
      const e = nextEdge[v];
      if (e < degree) {
        nextEdge[v] = e + 1;
        const w = e < k ? g0[v * k + e] : g1[v * k + e - k];
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack[sp++] = w;
          path[depth++] = w;
          nextEdge[w] = 0;
        } else if (of[w] === -1 && index[w] < low[v]) {
          low[v] = index[w]; // w is on the stack: same component as v or an ancestor's
        }
        continue;
      }
      depth--;
      if (low[v] === index[v]) {
        let w: number;
        do {
          w = stack[--sp];
          of[w] = count;
        } while (w !== v);
        count++;
      }
      if (depth > 0) {
        const u = path[depth - 1];
        if (low[v] < low[u]) low[u] = low[v];
      }
    }
  }
  return { of, count };
}
