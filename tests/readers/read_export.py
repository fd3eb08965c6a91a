"""Independent readers for Saddle's exports, used by tests/exports.test.ts: h5py for HDF5, the
standard library's XML and CSV parsers for VTK and CSV, numpy for .npz. Prints what it read as JSON.

usage: read_export.py h5|vtk|csv|svg|npz FILE
"""
import csv
import json
import sys
import xml.etree.ElementTree as ET


def read_h5(path):
    import h5py

    with h5py.File(path, 'r') as f:
        out = {'attrs': {k: str(v) for k, v in f.attrs.items()}, 'datasets': {}}
        for name, ds in f.items():
            out['datasets'][name] = {'shape': list(ds.shape), 'dtype': str(ds.dtype), 'data': ds[()].tolist()}
        return out


def read_vtk(path):
    root = ET.parse(path).getroot()
    piece = root.find('.//Piece')
    arrays = {}
    for section in piece:
        for da in section.findall('DataArray'):
            key = f"{section.tag}/{da.get('Name')}"
            text = (da.text or '').split()
            arrays[key] = {'components': int(da.get('NumberOfComponents') or 1), 'values': [float(t) for t in text]}
    grid = root[0]
    return {'type': root.get('type'), 'grid': dict(grid.attrib), 'piece': dict(piece.attrib), 'arrays': arrays}


def read_csv(path):
    with open(path, newline='') as f:
        rows = list(csv.reader(f))
    return {'header': rows[0], 'rows': rows[1:]}


def read_svg(path):
    root = ET.parse(path).getroot()
    tags = [el.tag.split('}')[-1] for el in root.iter()]
    return {'root': root.tag.split('}')[-1], 'width': root.get('width'), 'height': root.get('height'),
            'counts': {t: tags.count(t) for t in set(tags)}}


def read_npz(path):
    import numpy as np

    with np.load(path) as z:
        return {k: {'shape': list(z[k].shape), 'data': z[k].ravel().tolist()} for k in z.files}


kind, path = sys.argv[1], sys.argv[2]
readers = {'h5': read_h5, 'vtk': read_vtk, 'csv': read_csv, 'svg': read_svg, 'npz': read_npz}
print(json.dumps(readers[kind](path)))
