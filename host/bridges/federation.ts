/**
 * Rocket.Chat's AppInternalFederationBridge: the workspace's RSA key pair
 * (the engine signs the app at install and checks it on enable).
 */
import * as crypto from 'crypto';

interface KeyPair {
    privateKey: string;
    publicKey: string;
}

let keyPairCache: KeyPair | undefined;
/** One key pair per process: generating one takes a while, and every instance of every host may share it. */
export function keyPair(): KeyPair {
    if (!keyPairCache) {
        const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', {
            modulusLength: 2048,
            publicKeyEncoding: { type: 'spki', format: 'pem' },
            privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        });
        keyPairCache = { privateKey, publicKey };
    }
    return keyPairCache;
}

export class HostFederationBridge {
    constructor(private readonly keys: KeyPair) {}

    async getPrivateKey(): Promise<string | null> {
        return this.keys.privateKey;
    }

    async getPublicKey(): Promise<string | null> {
        return this.keys.publicKey;
    }
}
