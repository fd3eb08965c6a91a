// Shared by every Saddle kernel: the uniform block of u32 words and index helpers.
// Kernels declare their storage bindings first (0, 1, ...); the plan binds the uniform block at
// UBINDING, the next free binding, and substitutes it before compiling.
struct Words { w: array<vec4<u32>, UWORDS4> }
@group(0) @binding(UBINDING) var<uniform> U: Words;

fn u(i: u32) -> u32 { return U.w[i / 4u][i % 4u]; }
fn uf(i: u32) -> f32 { return bitcast<f32>(u(i)); }

// The flat invocation index of a 1-D launch folded into two dimensions (see grid() in kernel.ts).
fn flatIndex(wid: vec3<u32>, nwg: vec3<u32>, lid: u32, wg: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * wg + lid;
}

// Non-finite values (a var, so the compiler does not refuse them as constant expressions).
fn posInf() -> f32 { var bits = 0x7f800000u; return bitcast<f32>(bits); }
fn negInf() -> f32 { var bits = 0xff800000u; return bitcast<f32>(bits); }
fn nanF() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }
