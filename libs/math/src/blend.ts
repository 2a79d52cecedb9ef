// The BLEND basis (issue 13): one vector per movie whose cosine mixes the taste
// and audience cosines. Row r is [w * taste_r / |taste_r|, (1 - w) * aud_r / |aud_r|];
// for two such rows a, b with non-zero parts, cos(a, b) =
// (w^2 cos_taste + (1 - w)^2 cos_audience) / (w^2 + (1 - w)^2), so a pgvector
// cosine index over the concatenation and the gateway's scan rank alike.
// A zero part (a movie without that vector) stays zero.

/** The blend rows, row-major rows x (dTaste + dAudience), float32 like every served vector. */
export function blendRows(
  taste: ArrayLike<number>,
  dTaste: number,
  audience: ArrayLike<number>,
  dAudience: number,
  rows: number,
  weight: number,
): Float32Array {
  if (!(weight >= 0 && weight <= 1)) throw new RangeError(`blendRows: weight must be in 0..1, got ${String(weight)}`);
  if (taste.length < rows * dTaste || audience.length < rows * dAudience) {
    throw new RangeError(`blendRows: taste (${taste.length}) or audience (${audience.length}) values are fewer than rows x dim`);
  }
  const d = dTaste + dAudience;
  const out = new Float32Array(rows * d);
  const part = (src: ArrayLike<number>, dim: number, r: number, scale: number, at: number) => {
    let s = 0;
    for (let j = 0; j < dim; j++) s += src[r * dim + j] * src[r * dim + j];
    if (s === 0) return;
    const f = scale / Math.sqrt(s);
    for (let j = 0; j < dim; j++) out[r * d + at + j] = src[r * dim + j] * f;
  };
  for (let r = 0; r < rows; r++) {
    part(taste, dTaste, r, weight, 0);
    part(audience, dAudience, r, 1 - weight, dTaste);
  }
  return out;
}
