// Seals standard input with @linode/kubeseal-encrypt (namespace-wide: the label is the namespace).
// Usage: node seal-with-kubeseal-encrypt.mjs PUBLIC_KEY_PEM_FILE NAMESPACE < value; prints the base64 ciphertext.
import { readFileSync } from 'node:fs';
import { encryptSecretItem } from '@linode/kubeseal-encrypt';

const [pemFile, namespace] = process.argv.slice(2);
const value = readFileSync(0, 'utf8');
process.stdout.write(await encryptSecretItem(readFileSync(pemFile, 'utf8'), namespace, value));
