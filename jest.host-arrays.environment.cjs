// Node test environment whose typed-array constructors are the host realm's: native
// addons (onnxruntime-node) create output arrays in the host realm, and its JS side
// checks them with instanceof, which fails inside jest's sandbox realm otherwise.
const { TestEnvironment } = require('jest-environment-node');

class HostTypedArraysEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of [
      'Float32Array',
      'Float64Array',
      'Int8Array',
      'Uint8Array',
      'Int16Array',
      'Uint16Array',
      'Int32Array',
      'Uint32Array',
      'BigInt64Array',
      'BigUint64Array',
      'ArrayBuffer',
    ]) {
      this.global[name] = globalThis[name];
    }
  }
}
module.exports = HostTypedArraysEnvironment;
