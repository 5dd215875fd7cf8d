// Minimal .npy (format 1.0/2.0, little-endian, C order) reader and writer
// for the WebAssembly tests: enough for the arrays `ember run` writes and
// the inputs the tests feed it.
import fs from 'node:fs';

const DESCR = {
  '<f4': Float32Array, '<f8': Float64Array, '<f2': Uint16Array,
  '|i1': Int8Array, '|u1': Uint8Array, '<i2': Int16Array, '<u2': Uint16Array,
  '<i4': Int32Array, '<u4': Uint32Array, '<i8': BigInt64Array,
  '<u8': BigUint64Array, '|b1': Uint8Array,
};
const BY_DTYPE = {
  float32: '<f4', float64: '<f8', float16: '<f2', int8: '|i1', uint8: '|u1',
  int16: '<i2', uint16: '<u2', int32: '<i4', uint32: '<u4', int64: '<i8',
  uint64: '<u8', bool: '|b1',
};

export function readNpy(path) {
  const buf = fs.readFileSync(path);
  if (buf.toString('latin1', 1, 6) !== 'NUMPY') {
    throw new Error(`${path}: not a .npy file`);
  }
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  if (/'fortran_order':\s*True/.test(header)) {
    throw new Error(`${path}: Fortran order is not supported`);
  }
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1]
                    .split(',').map((s) => s.trim()).filter((s) => s)
                    .map(Number);
  const Type = DESCR[descr];
  if (!Type) throw new Error(`${path}: dtype ${descr} is not supported`);
  const offset = start + headerLen;
  const bytes = buf.subarray(offset);
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return {descr, shape, data: new Type(copy.buffer, 0,
                                       copy.length / Type.BYTES_PER_ELEMENT)};
}

export function writeNpy(path, dtype, shape, data) {
  const descr = BY_DTYPE[dtype];
  if (!descr) throw new Error(`writeNpy: dtype ${dtype} is not supported`);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${descr}', 'fortran_order': False, ` +
               `'shape': (${dims}), }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  fs.writeFileSync(path, Buffer.concat([head, Buffer.from(header, 'latin1'),
                                        body]));
}
