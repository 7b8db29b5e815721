// Keccak-256 (the pre-SHA-3 padding Ethereum uses), written by hand for the dashboard: browsers' WebCrypto has no
// Keccak. Lanes are 64-bit, held as two 32-bit halves (lo, hi) in a Uint32Array; rate 136 bytes, 24 rounds.
// Checked against known vectors and against the domain's MerkleTree (BouncyCastle) in the test suite.

const RC = [
  [0x00000001, 0x00000000], [0x00008082, 0x00000000], [0x0000808a, 0x80000000], [0x80008000, 0x80000000],
  [0x0000808b, 0x00000000], [0x80000001, 0x00000000], [0x80008081, 0x80000000], [0x00008009, 0x80000000],
  [0x0000008a, 0x00000000], [0x00000088, 0x00000000], [0x80008009, 0x00000000], [0x8000000a, 0x00000000],
  [0x8000808b, 0x00000000], [0x0000008b, 0x80000000], [0x00008089, 0x80000000], [0x00008003, 0x80000000],
  [0x00008002, 0x80000000], [0x00000080, 0x80000000], [0x0000800a, 0x00000000], [0x8000000a, 0x80000000],
  [0x80008081, 0x80000000], [0x00008080, 0x80000000], [0x80000001, 0x00000000], [0x80008008, 0x80000000],
];
// Rotation offset of lane x + 5y.
const ROT = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14];
const RATE = 136;

function permute(s) {
  const c = new Uint32Array(10);
  const b = new Uint32Array(50);
  for (let round = 0; round < 24; round++) {
    // θ: column parities, then each lane takes the parity of its neighbours.
    for (let x = 0; x < 5; x++) {
      c[2 * x] = s[2 * x] ^ s[2 * x + 10] ^ s[2 * x + 20] ^ s[2 * x + 30] ^ s[2 * x + 40];
      c[2 * x + 1] = s[2 * x + 1] ^ s[2 * x + 11] ^ s[2 * x + 21] ^ s[2 * x + 31] ^ s[2 * x + 41];
    }
    for (let x = 0; x < 5; x++) {
      const l = (x + 4) % 5, r = (x + 1) % 5;
      const dLo = c[2 * l] ^ ((c[2 * r] << 1) | (c[2 * r + 1] >>> 31));
      const dHi = c[2 * l + 1] ^ ((c[2 * r + 1] << 1) | (c[2 * r] >>> 31));
      for (let y = 0; y < 25; y += 5) {
        s[2 * (x + y)] ^= dLo;
        s[2 * (x + y) + 1] ^= dHi;
      }
    }
    // ρ and π: rotate each lane and move (x, y) to (y, 2x + 3y).
    for (let x = 0; x < 5; x++) {
      for (let y = 0; y < 5; y++) {
        const i = x + 5 * y, j = y + 5 * ((2 * x + 3 * y) % 5), n = ROT[i];
        const lo = s[2 * i], hi = s[2 * i + 1];
        if (n === 0) { b[2 * j] = lo; b[2 * j + 1] = hi; }
        else if (n < 32) { b[2 * j] = (lo << n) | (hi >>> (32 - n)); b[2 * j + 1] = (hi << n) | (lo >>> (32 - n)); }
        else if (n === 32) { b[2 * j] = hi; b[2 * j + 1] = lo; }
        else { const m = n - 32; b[2 * j] = (hi << m) | (lo >>> (32 - m)); b[2 * j + 1] = (lo << m) | (hi >>> (32 - m)); }
      }
    }
    // χ: each lane mixes with the two to its right in its row.
    for (let y = 0; y < 25; y += 5) {
      for (let x = 0; x < 5; x++) {
        const i = x + y, i1 = ((x + 1) % 5) + y, i2 = ((x + 2) % 5) + y;
        s[2 * i] = b[2 * i] ^ (~b[2 * i1] & b[2 * i2]);
        s[2 * i + 1] = b[2 * i + 1] ^ (~b[2 * i1 + 1] & b[2 * i2 + 1]);
      }
    }
    // ι
    s[0] ^= RC[round][0];
    s[1] ^= RC[round][1];
  }
}

/** Keccak-256 of a Uint8Array; returns 32 bytes. */
export function keccak256(bytes) {
  const s = new Uint32Array(50);
  const padded = new Uint8Array(Math.floor(bytes.length / RATE) * RATE + RATE);
  padded.set(bytes);
  padded[bytes.length] ^= 0x01;
  padded[padded.length - 1] ^= 0x80;
  for (let offset = 0; offset < padded.length; offset += RATE) {
    for (let k = 0; k < RATE; k++) {
      s[k >> 2] ^= padded[offset + k] << (8 * (k & 3));
    }
    permute(s);
  }
  const out = new Uint8Array(32);
  for (let k = 0; k < 32; k++) {
    out[k] = (s[k >> 2] >>> (8 * (k & 3))) & 0xff;
  }
  return out;
}

export function toHex(bytes) {
  return '0x' + Array.from(bytes, v => v.toString(16).padStart(2, '0')).join('');
}

export function fromHex(hex) {
  const h = hex.startsWith('0x') ? hex.slice(2) : hex;
  if (h.length % 2 !== 0 || /[^0-9a-fA-F]/.test(h)) throw new Error(`not hex: ${hex}`);
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}
