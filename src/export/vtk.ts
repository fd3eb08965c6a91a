/**
 * ParaView files of a surface, in VTK XML. `.vtp` follows Li et al.'s h52vtp: PolyData quads, the
 * point scalar `zvalue`, the cell scalar `averaged zvalue`, z clipped at `zmax` then, with `log`,
 * replaced by ln(z + 0.1). Points run x fastest (numpy's meshgrid order). Unlike h52vtp, any nx × ny
 * grid works and missing points are refused rather than drawn at -1. `.vts` is the same surface as
 * a StructuredGrid, which ParaView can warp and contour directly.
 */
import { completeGridProblem, type RunData, surfaceGrid } from './run-data';

export interface VtkOptions {
  /** Li's --log: z → ln(z + 0.1), after clipping. */
  log?: boolean;
  /** Li's --zmax: clip z above this (> 0). */
  zmax?: number;
  /** Which surface: the loss (default) or the accuracy. */
  surface?: 'loss' | 'accuracy';
}

interface Sheet {
  nx: number;
  ny: number;
  /** x, y, z per point, x fastest. */
  xs: number[];
  ys: number[];
  zs: number[];
}

/** Why the run cannot be written as VTK `format`, or null. */
export function vtkProblem(data: RunData, o: VtkOptions, format: string): string | null {
  const problem = completeGridProblem(data, format, true);
  if (problem) return problem;
  if (o.surface === 'accuracy' && !data.grids[0].accuracy)
    return `Run ${data.run.id.slice(0, 8)} has no accuracy surface (a regression loss).`;
  return null;
}

function sheet(data: RunData, o: VtkOptions, format: string): Sheet {
  const problem = vtkProblem(data, o, format);
  if (problem) throw new Error(problem);
  const g = surfaceGrid(data, format);
  const values = (o.surface === 'accuracy' ? g.accuracy : g.loss) as Float64Array;
  const nx = g.x.length;
  const ny = g.y.length;
  const xs: number[] = [];
  const ys: number[] = [];
  const zs: number[] = [];
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++) {
      let z = values[i * ny + j];
      if (o.zmax !== undefined && o.zmax > 0 && z > o.zmax) z = o.zmax;
      if (o.log) z = Math.log(z + 0.1);
      xs.push(g.x[i]);
      ys.push(g.y[j]);
      zs.push(z);
    }
  return { nx, ny, xs, ys, zs };
}

const f32 = (v: number) => String(Math.fround(v));
const lines = (values: string[], per: number) => {
  const out: string[] = [];
  for (let k = 0; k < values.length; k += per) out.push(`          ${values.slice(k, k + per).join(' ')}`);
  return out.join('\n');
};
/** A loop, not Math.min(...xs): a 401 × 401 surface is more arguments than V8 takes. */
function minMax(xs: number[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const x of xs) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return [lo, hi];
}

export function runVtp(data: RunData, o: VtkOptions = {}): string {
  const s = sheet(data, o, 'VTP');
  const n = s.nx * s.ny;
  const quads: number[][] = [];
  const averages: number[] = [];
  for (let j = 0; j + 1 < s.ny; j++)
    for (let i = 0; i + 1 < s.nx; i++) {
      const a = j * s.nx + i;
      quads.push([a, a + 1, a + s.nx + 1, a + s.nx]);
      averages.push((s.zs[a] + s.zs[a + 1] + s.zs[a + s.nx] + s.zs[a + s.nx + 1]) / 4);
    }
  const [zlo, zhi] = minMax(s.zs);
  const [alo, ahi] = minMax(averages);
  const [plo, phi] = minMax([...minMax(s.xs), ...minMax(s.ys), zlo, zhi]);
  const points = s.xs.map((x, k) => `${f32(x)} ${f32(s.ys[k])} ${f32(s.zs[k])}`);
  const empty = (name: string) =>
    `      <${name}>\n        <DataArray type="Int64" Name="connectivity" format="ascii">\n        </DataArray>\n        <DataArray type="Int64" Name="offsets" format="ascii">\n        </DataArray>\n      </${name}>`;
  return `<?xml version="1.0"?>
<VTKFile type="PolyData" version="1.0" byte_order="LittleEndian" header_type="UInt64">
  <PolyData>
    <Piece NumberOfPoints="${n}" NumberOfVerts="0" NumberOfLines="0" NumberOfStrips="0" NumberOfPolys="${quads.length}">
      <PointData Scalars="zvalue">
        <DataArray type="Float32" Name="zvalue" NumberOfComponents="1" format="ascii" RangeMin="${f32(zlo)}" RangeMax="${f32(zhi)}">
${lines(s.zs.map(f32), 6)}
        </DataArray>
      </PointData>
      <CellData Scalars="averaged zvalue">
        <DataArray type="Float32" Name="averaged zvalue" NumberOfComponents="1" format="ascii" RangeMin="${f32(alo)}" RangeMax="${f32(ahi)}">
${lines(averages.map(f32), 6)}
        </DataArray>
      </CellData>
      <Points>
        <DataArray type="Float32" Name="Points" NumberOfComponents="3" format="ascii" RangeMin="${f32(plo)}" RangeMax="${f32(phi)}">
${lines(points, 2)}
        </DataArray>
      </Points>
${empty('Verts')}
${empty('Lines')}
${empty('Strips')}
      <Polys>
        <DataArray type="Int64" Name="connectivity" format="ascii" RangeMin="0" RangeMax="${n - 1}">
${lines(
  quads.map((q) => q.join(' ')),
  2,
)}
        </DataArray>
        <DataArray type="Int64" Name="offsets" format="ascii" RangeMin="4" RangeMax="${4 * quads.length}">
${lines(
  quads.map((_q, k) => String(4 * (k + 1))),
  6,
)}
        </DataArray>
      </Polys>
    </Piece>
  </PolyData>
</VTKFile>
`;
}

export function runVts(data: RunData, o: VtkOptions = {}): string {
  const s = sheet(data, o, 'VTS');
  const extent = `0 ${s.nx - 1} 0 ${s.ny - 1} 0 0`;
  const points = s.xs.map((x, k) => `${f32(x)} ${f32(s.ys[k])} ${f32(s.zs[k])}`);
  return `<?xml version="1.0"?>
<VTKFile type="StructuredGrid" version="1.0" byte_order="LittleEndian" header_type="UInt64">
  <StructuredGrid WholeExtent="${extent}">
    <Piece Extent="${extent}">
      <PointData Scalars="zvalue">
        <DataArray type="Float32" Name="zvalue" NumberOfComponents="1" format="ascii">
${lines(s.zs.map(f32), 6)}
        </DataArray>
      </PointData>
      <Points>
        <DataArray type="Float32" Name="Points" NumberOfComponents="3" format="ascii">
${lines(points, 2)}
        </DataArray>
      </Points>
    </Piece>
  </StructuredGrid>
</VTKFile>
`;
}
