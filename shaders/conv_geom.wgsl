// Convolution geometry shared by the conv kernels (x [N, C, H, W], w [O, Cg, KH, KW], y [N, O, OH, OW]).
// U: [gemmM, gemmN, gemmZ, K, (kernel words 4..7),
//     N, C, H, W, O, KH, KW, OH, OW, G, Cg, Mg, sh, sw, pt, pl, dh, dw]
fn gemmM() -> u32 { return u(0u); }
fn gemmN() -> u32 { return u(1u); }
fn gemmZ() -> u32 { return u(2u); }
fn cC() -> u32 { return u(9u); }
fn cH() -> u32 { return u(10u); }
fn cW() -> u32 { return u(11u); }
fn cO() -> u32 { return u(12u); }
fn cKH() -> u32 { return u(13u); }
fn cKW() -> u32 { return u(14u); }
fn cOH() -> u32 { return u(15u); }
fn cOW() -> u32 { return u(16u); }
fn cCg() -> u32 { return u(18u); }
fn cMg() -> u32 { return u(19u); }
fn cSH() -> i32 { return i32(u(20u)); }
fn cSW() -> i32 { return i32(u(21u)); }
fn cPT() -> i32 { return i32(u(22u)); }
fn cPL() -> i32 { return i32(u(23u)); }
fn cDH() -> i32 { return i32(u(24u)); }
fn cDW() -> i32 { return i32(u(25u)); }
