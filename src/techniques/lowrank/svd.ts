/** Thin SVD of a row-major matrix: A ≈ U·diag(s)·Vᵀ with k = min(rows, cols). */
export interface Svd {
  /** Left singular vectors, rows × k, row-major, orthonormal columns. */
  u: Float64Array;
  /** Singular values, k of them, descending, ≥ 0. */
  s: Float64Array;
  /** Right singular vectors, cols × k, row-major, orthonormal columns. */
  v: Float64Array;
  rows: number;
  cols: number;
  k: number;
}

const EPS = 2.220446049250313e-16;
const MAX_SWEEPS = 60;

/**
 * Thin SVD A[rows×cols] = U·diag(s)·Vᵀ in float64: Householder QR of the tall orientation, then
 * one-sided (Hestenes) Jacobi rotations on R until all column pairs are orthogonal to ≈ 1e-15.
 */
export function svd(a: Float64Array | Float32Array, rows: number, cols: number): Svd {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new RangeError(`svd: rows and cols must be positive integers, got ${rows}×${cols}.`);
  }
  if (a.length !== rows * cols) {
    throw new RangeError(`svd: expected ${rows}×${cols} = ${rows * cols} values, got ${a.length}.`);
  }
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]!)) throw new RangeError(`svd: value ${i} is not finite (${a[i]}).`);
  }
  if (rows >= cols) {
    const r = tallSvd(a, rows, cols, false);
    return { u: r.u, s: r.s, v: r.v, rows, cols, k: cols };
  }
  // Wide: Aᵀ = U'·S·V'ᵀ, so A = V'·S·U'ᵀ.
  const r = tallSvd(a, cols, rows, true);
  return { u: r.v, s: r.s, v: r.u, rows, cols, k: rows };
}

/**
 * SVD of the tall m×n (m ≥ n) matrix M, where M = A if !transposed (A is m×n row-major) or
 * M = Aᵀ if transposed (A is n×m row-major). When m > n, a Householder QR first shrinks the
 * problem to the n×n factor R (M = Q·R), so the Jacobi sweeps touch n-long columns, not m-long.
 */
function tallSvd(a: Float64Array | Float32Array, m: number, n: number, transposed: boolean) {
  const w = new Float64Array(m * n); // column j of M at w[j·m .. j·m + m)
  if (transposed) {
    // A is n×m row-major, so column j of M = Aᵀ is row j of A: a plain copy.
    w.set(a);
  } else {
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) w[j * m + i] = a[i * n + j]!;
  }
  let uCols: Float64Array;
  let s: Float64Array;
  let v: Float64Array;
  if (m > n) {
    const r = new Float64Array(n * n);
    householderQr(w, m, n, r);
    ({ uCols, s, v } = jacobi(r, n, n));
    const full = new Float64Array(m * n);
    for (let j = 0; j < n; j++) full.set(uCols.subarray(j * n, j * n + n), j * m);
    applyQ(w, m, n, full);
    uCols = full;
  } else {
    ({ uCols, s, v } = jacobi(w, m, n));
  }
  const u = new Float64Array(m * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) u[i * n + j] = uCols[j * m + i]!;
  return { u, s, v };
}

/**
 * In-place Householder QR of the column-major m×n matrix w: R (n×n, column-major) goes to r and
 * the unit reflector of step j is left in w[j·m + j .. j·m + m), so Q = H₀·H₁·…·Hₙ₋₁.
 */
function householderQr(w: Float64Array, m: number, n: number, r: Float64Array) {
  for (let j = 0; j < n; j++) {
    const o = j * m + j;
    const len = m - j;
    const norm = Math.sqrt(dot(w, o, w, o, len));
    const alpha = w[o]! > 0 ? -norm : norm;
    for (let i = 0; i < j; i++) r[j * n + i] = w[j * m + i]!;
    r[j * n + j] = alpha;
    w[o] = w[o]! - alpha; // v = x − α·e₁, then normalized
    const vNorm = Math.sqrt(dot(w, o, w, o, len));
    if (vNorm === 0) continue; // x is already α·e₁ (here 0): H = I, stored as v = 0
    for (let i = 0; i < len; i++) w[o + i] = w[o + i]! / vNorm;
    for (let k = j + 1; k < n; k++) {
      const ok = k * m + j;
      const p = 2 * dot(w, o, w, ok, len);
      for (let i = 0; i < len; i++) w[ok + i] = w[ok + i]! - p * w[o + i]!;
    }
  }
}

/** x ← Q·x for each column of the column-major m×n x, with Q's reflectors as left in w. */
function applyQ(w: Float64Array, m: number, n: number, x: Float64Array) {
  for (let j = n - 1; j >= 0; j--) {
    const o = j * m + j;
    const len = m - j;
    for (let c = 0; c < n; c++) {
      const oc = c * m + j;
      const p = 2 * dot(w, o, x, oc, len);
      if (p !== 0) for (let i = 0; i < len; i++) x[oc + i] = x[oc + i]! - p * w[o + i]!;
    }
  }
}

/**
 * One-sided Jacobi on the column-major m×n (m ≥ n) matrix w, destroyed in place. Returns U as
 * column-major m×n (orthonormal columns), s descending, V row-major n×n.
 */
function jacobi(w: Float64Array, m: number, n: number) {
  const vt = new Float64Array(n * n); // column j of V at vt[j·n ..): starts as the identity
  for (let j = 0; j < n; j++) vt[j * n + j] = 1;

  const norms = new Float64Array(n); // squared column norms, kept up to date by the rotations
  let total = 0;
  for (let j = 0; j < n; j++) {
    norms[j] = dot(w, j * m, w, j * m, m);
    total += norms[j]!;
  }
  const tiny = Number.MIN_VALUE / EPS + EPS * EPS * total;
  const tol = m * EPS;

  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let j = 0; j < n - 1; j++) {
      for (let k = j + 1; k < n; k++) {
        const alpha = norms[j]!;
        const beta = norms[k]!;
        if (alpha <= tiny || beta <= tiny) continue;
        const gamma = dot(w, j * m, w, k * m, m);
        if (Math.abs(gamma) <= tol * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        // Rotation angle that zeroes the off-diagonal of [[α, γ], [γ, β]].
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        rotate(w, j * m, k * m, m, c, s);
        rotate(vt, j * n, k * n, n, c, s);
        norms[j] = alpha - t * gamma;
        norms[k] = beta + t * gamma;
      }
    }
    // Recompute norms so rounding in the running updates never accumulates across sweeps.
    for (let j = 0; j < n; j++) norms[j] = dot(w, j * m, w, j * m, m);
    if (!rotated) break;
  }

  const order = Array.from({ length: n }, (_, j) => j).sort((x, y) => norms[y]! - norms[x]!);
  const s = new Float64Array(n);
  const uCols = new Float64Array(m * n);
  const v = new Float64Array(n * n);
  const sMax = Math.sqrt(norms[order[0]!]!);
  const cutoff = Math.max(sMax * m * EPS * 4, Number.MIN_VALUE);
  const deficient: number[] = [];
  order.forEach((src, dst) => {
    const sigma = Math.sqrt(norms[src]!);
    s[dst] = sigma;
    for (let i = 0; i < n; i++) v[i * n + dst] = vt[src * n + i]!;
    if (sigma <= cutoff) {
      deficient.push(dst);
      return;
    }
    for (let i = 0; i < m; i++) uCols[dst * m + i] = w[src * m + i]! / sigma;
  });
  completeOrthonormal(uCols, m, n, deficient);
  return { uCols, s, v };
}

function dot(x: Float64Array, ox: number, y: Float64Array, oy: number, len: number): number {
  let acc = 0;
  for (let i = 0; i < len; i++) acc += x[ox + i]! * y[oy + i]!;
  return acc;
}

/** [x, y] ← [c·x − s·y, s·x + c·y] on two contiguous vectors of one buffer. */
function rotate(buf: Float64Array, ox: number, oy: number, len: number, c: number, s: number) {
  for (let i = 0; i < len; i++) {
    const x = buf[ox + i]!;
    const y = buf[oy + i]!;
    buf[ox + i] = c * x - s * y;
    buf[oy + i] = s * x + c * y;
  }
}

/**
 * Fills the listed columns of the column-major m×n U for (near-)zero singular values with unit
 * vectors orthogonal to every other column (Gram–Schmidt twice over the standard basis).
 */
function completeOrthonormal(u: Float64Array, m: number, n: number, columns: number[]) {
  if (columns.length === 0) return;
  const missing = new Set(columns);
  const col = new Float64Array(m);
  let basis = 0;
  for (const target of columns) {
    for (; basis < m; basis++) {
      col.fill(0);
      col[basis] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (let j = 0; j < n; j++) {
          if (missing.has(j)) continue;
          const p = dot(u, j * m, col, 0, m);
          for (let i = 0; i < m; i++) col[i] = col[i]! - p * u[j * m + i]!;
        }
      }
      // Some basis vector always keeps a residual² ≥ 1/(2m) while fewer than m columns are set.
      if (dot(col, 0, col, 0, m) >= 1 / (2 * m)) break;
    }
    const norm = Math.sqrt(dot(col, 0, col, 0, m));
    for (let i = 0; i < m; i++) u[target * m + i] = col[i]! / norm;
    missing.delete(target);
    basis++;
  }
}
