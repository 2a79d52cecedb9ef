// Hand-built zips for hostile ingest tests (test-only, like ./dumps.ts): what zip
// libraries refuse to write (entry names with "../", a header whose CRC, size, flags or
// method lie) and what would take minutes to deflate (a 2 GB entry from one repeated
// block: each block is deflated once with a full flush, so the compressed stream is that
// block's bytes repeated).
import { deflateRawSync, constants } from 'node:zlib';
import { crc32 } from '../source';

export interface CraftEntry {
  name: string;
  /** The entry's bytes; or `head` then `block` repeated `times` (deflated). */
  data?: Buffer;
  repeat?: { head: Buffer; block: Buffer; times: number };
  /** 0 stored, 8 deflate (default). */
  method?: 0 | 8;
  /** Lie in the headers: a CRC-32 or an uncompressed size other than the real one. */
  crc32?: number;
  uncompressedSize?: number;
  /** General purpose flags (bit 0: encrypted); UTF-8 names (bit 11) are always set. */
  flags?: number;
  /** The method written in the headers, when it should differ from the one used. */
  declaredMethod?: number;
}

const zcrc = crc32;

function body(e: CraftEntry): { compressed: Buffer[]; crc: number; size: number } {
  const method = e.method ?? 8;
  if (e.repeat) {
    if (method !== 8) throw new Error('repeat needs deflate');
    const { head, block, times } = e.repeat;
    const seg = (b: Buffer) => deflateRawSync(b, { finishFlush: constants.Z_FULL_FLUSH, level: 9 });
    const h = seg(head);
    const b = seg(block);
    let crc = zcrc(head, 0);
    for (let i = 0; i < times; i++) crc = zcrc(block, crc);
    const parts: Buffer[] = [h];
    for (let i = 0; i < times; i++) parts.push(b);
    parts.push(Buffer.from([0x03, 0x00])); // the final, empty block
    return { compressed: parts, crc, size: head.length + block.length * times };
  }
  const data = e.data ?? Buffer.alloc(0);
  return { compressed: [method === 8 ? deflateRawSync(data) : data], crc: zcrc(data, 0), size: data.length };
}

/** A zip (no zip64: sizes under 4 GiB) holding `entries` in order. */
export function craftZip(entries: CraftEntry[]): Buffer {
  const out: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const b = body(e);
    const csize = b.compressed.reduce((n, x) => n + x.length, 0);
    const crc = (e.crc32 ?? b.crc) >>> 0;
    const usize = e.uncompressedSize ?? b.size;
    const name = Buffer.from(e.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800 | (e.flags ?? 0), 6);
    local.writeUInt16LE(e.declaredMethod ?? e.method ?? 8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(csize, 18);
    local.writeUInt32LE(usize, 22);
    local.writeUInt16LE(name.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0800 | (e.flags ?? 0), 8);
    cd.writeUInt16LE(e.declaredMethod ?? e.method ?? 8, 10);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(csize, 20);
    cd.writeUInt32LE(usize, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, name);
    out.push(local, name, ...b.compressed);
    offset += 30 + name.length + csize;
  }
  const cdSize = central.reduce((n, x) => n + x.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...out, ...central, end]);
}
