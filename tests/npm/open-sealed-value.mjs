// An independent decryption of one Sealed Secrets value, written from the published format only
// (bitnami-labs/sealed-secrets pkg/crypto HybridDecrypt):
//   uint16 big-endian n | RSA-OAEP(SHA-256, MGF1-SHA-256, label) ciphertext of n bytes | AES-256-GCM body with a zero 12-byte nonce, 16-byte tag last.
// Usage: node open-sealed-value.mjs PRIVATE_KEY_PEM_FILE LABEL < base64; prints the plaintext as base64.
import { readFileSync } from 'node:fs';
import { constants, createDecipheriv, privateDecrypt } from 'node:crypto';

const [keyFile, label] = process.argv.slice(2);
const sealed = Buffer.from(readFileSync(0, 'utf8').trim(), 'base64');
const n = sealed.readUInt16BE(0);
const sessionKey = privateDecrypt(
  { key: readFileSync(keyFile, 'utf8'), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: Buffer.from(label, 'utf8') },
  sealed.subarray(2, 2 + n));
const body = sealed.subarray(2 + n);
const decipher = createDecipheriv('aes-256-gcm', sessionKey, Buffer.alloc(12));
decipher.setAuthTag(body.subarray(body.length - 16));
const plaintext = Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]);
process.stdout.write(plaintext.toString('base64'));
