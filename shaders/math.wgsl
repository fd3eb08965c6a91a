// Scalar functions WGSL lacks or gives too loosely for Saddle's tolerances.

// erf to about 1e-7 absolute (Abramowitz and Stegun 7.1.26 is 1.5e-7; this uses the
// complementary-error-function form of Numerical Recipes' erfc, 1.2e-7 relative everywhere).
fn erf_(x: f32) -> f32 {
  let z = abs(x);
  let t = 1.0 / (1.0 + 0.5 * z);
  let r = t * exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
      t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
      t * (-0.82215223 + t * 0.17087277)))))))));
  return select(r - 1.0, 1.0 - r, x >= 0.0);
}

fn sigmoid_(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}

// tanh without the overflow of exp(2x) for large |x|.
fn tanh_(x: f32) -> f32 {
  if (abs(x) > 15.0) { return sign(x); }
  return tanh(x);
}

// x^y as JavaScript's ** gives it for the cases networks use: negative bases with integer
// exponents (x^2 in variances), 0^y, and y = 2 exactly.
fn pow_(x: f32, y: f32) -> f32 {
  if (y == 0.0) { return 1.0; }
  if (y == 1.0) { return x; }
  if (y == 2.0) { return x * x; }
  if (x == 0.0) { return select(posInf(), 0.0, y > 0.0); }
  if (x < 0.0) {
    if (y != floor(y)) { return nanF(); }
    let r = pow(-x, y);
    let odd = (abs(y) % 2.0) == 1.0;
    return select(r, -r, odd);
  }
  return pow(x, y);
}

// ONNX Round: half to even.
fn round_(x: f32) -> f32 { return round(x); }

fn isnan_(x: f32) -> f32 { return select(0.0, 1.0, x != x); }

fn mod_(a: f32, b: f32) -> f32 { return a - b * floor(a / b); }
